// plotly.js arrives after the page's text and controls: the shell starts loading it, every
// drawing waits for it. The bundle is the cartesian one (static/vendor/plotly/README.md).

const SRC = "vendor/plotly.min.js";
let loading = null;

/** Resolve when the global `Plotly` exists; the first call adds the script to the page. */
export function plotlyReady() {
  if (typeof window.Plotly !== "undefined") return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = SRC;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        loading = null;
        reject(new Error("The plotting library could not be loaded. Is the playground server still running?"));
      };
      document.head.append(script);
    });
  }
  return loading;
}

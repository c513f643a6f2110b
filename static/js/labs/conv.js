// Image-kernels lab: a kernel slides over an image; each output pixel is sum(kernel * patch).
/* global Plotly */
import { postForm, postJSON, showError } from "../api.js";
import { initPage } from "../page.js";
import { draw, fmt, onPlot, title } from "../plots.js";
import { createLab } from "../state.js";

const SOURCES = ["shapes", "checkerboard", "strokes", "noise", "upload"];
const KERNELS = ["identity", "box_blur", "gaussian_blur", "sharpen", "sobel_x", "sobel_y",
  "gradient_magnitude", "laplacian", "emboss", "custom"];

const schema = {
  source: { type: "enum", options: SOURCES, default: "shapes" },
  size: { type: "int", default: 128, min: 16, max: 256 },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  kernel: { type: "enum", options: KERNELS, default: "sobel_x" },
  padding: { type: "enum", options: ["zero", "valid"], default: "zero" },
  custom: { type: "text", default: "0,-1,0,-1,5,-1,0,-1,0", maxLength: 600 },
};

const GREY = [[0, "#000000"], [1, "#ffffff"]];
// Diverging: negative blue, zero near-white, positive red.
const DIVERGING = [[0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1, "#b2182b"]];

// Library weights for "start from" in the custom editor (same numbers as the server's library).
const LIBRARY = {
  sharpen: [0, -1, 0, -1, 5, -1, 0, -1, 0],
  box_blur: Array(9).fill(Number((1 / 9).toFixed(4))),
  sobel_x: [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  laplacian: [0, 1, 0, 1, -4, 1, 0, 1, 0],
  emboss: [-2, -1, 0, -1, 1, 1, 0, 1, 2],
  gaussian_blur: gaussian5(),
};

function gaussian5() {
  // 5x5, sigma = 1 pixel, normalised to sum 1 (as the server's library kernel).
  const w = [];
  for (let a = -2; a <= 2; a++) for (let b = -2; b <= 2; b++) w.push(Math.exp(-(a * a + b * b) / 2));
  const total = w.reduce((x, y) => x + y, 0);
  return w.map((v) => Number((v / total).toFixed(4)));
}

/** Smallest and largest entry of a 2D array (no spread: images have 260,000 pixels). */
function extent(rows) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of rows) {
    for (const v of row) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

let uploadedFile = null; // the user's File; never part of the URL
let last = null; // last answer, for the hover read-out

/** "a, b, c ..." -> K x K rows (K = 3 or 5); throws a readable error otherwise. */
export function parseCustom(text) {
  const values = text.split(/[\s,;]+/).filter((v) => v !== "").map(Number);
  if (!values.every(Number.isFinite)) throw new Error("the custom kernel must contain numbers only");
  const side = { 9: 3, 25: 5 }[values.length];
  if (!side) throw new Error(`a custom kernel needs 9 (3×3) or 25 (5×5) numbers, got ${values.length}`);
  return Array.from({ length: side }, (_, r) => values.slice(r * side, (r + 1) * side));
}

async function compute(s, signal) {
  const custom = s.kernel === "custom" ? parseCustom(s.custom) : undefined;
  if (s.source === "upload") {
    if (!uploadedFile) throw new Error("Choose a PNG or JPEG file to upload (uploaded images are not kept in links).");
    const form = new FormData();
    form.append("file", uploadedFile);
    form.append("kernel", s.kernel);
    form.append("padding", s.padding);
    if (custom) form.append("custom", custom.flat().join(","));
    return postForm("api/v1/conv/image/upload", form, { signal });
  }
  return postJSON("api/v1/conv/image", {
    image: s.source, size: s.size, seed: s.seed, kernel: s.kernel, padding: s.padding, custom,
  }, { signal });
}

function imageAxes(rows, cols) {
  return {
    xaxis: { range: [-0.5, cols - 0.5], showgrid: false, constrain: "domain", title: { text: "column j" } },
    yaxis: { range: [rows - 0.5, -0.5], showgrid: false, scaleanchor: "x", constrain: "domain", title: { text: "row i" } },
    margin: { l: 60, r: 20, t: 50, b: 50 },
  };
}

function drawInput(d) {
  const rows = d.image.length;
  const cols = d.image[0].length;
  draw("input-plot", [{
    type: "heatmap", z: d.image, colorscale: GREY, zmin: 0, zmax: 1, showscale: false,
    hovertemplate: "x[%{y}, %{x}] = %{z:.3f}<extra></extra>",
  }], { title: title(`Input x (${rows} × ${cols}, grey)`), ...imageAxes(rows, cols), uirevision: `in-${rows}-${cols}` });
}

function drawKernel(d) {
  // Two kernels (gradient magnitude) are drawn side by side with an empty column between.
  const k = d.kernels;
  const size = k[0].length;
  const z = k[0].map((row, r) => (k.length === 1 ? row : [...row, null, ...k[1][r]]));
  const m = Math.max(1e-9, ...z.flat().filter((v) => v !== null).map(Math.abs));
  const cols = z[0].length;
  draw("kernel-plot", [{
    type: "heatmap", z, colorscale: DIVERGING, zmin: -m, zmax: m, showscale: false,
    texttemplate: "%{z:.3~f}", textfont: { size: size === 5 && k.length === 1 ? 15 : 17 },
    hovertemplate: "w[%{y}, %{x}] = %{z:.4f}<extra></extra>", xgap: 2, ygap: 2,
  }], {
    title: title(k.length === 1 ? `Kernel w: ${d.label} (${size} × ${size})` : "Kernels Gx (left) and Gy (right)"),
    xaxis: { range: [-0.5, cols - 0.5], showgrid: false, showticklabels: false, ticks: "", constrain: "domain" },
    yaxis: { range: [size - 0.5, -0.5], showgrid: false, showticklabels: false, ticks: "", scaleanchor: "x", constrain: "domain" },
    margin: { l: 20, r: 20, t: 50, b: 30 },
    uirevision: `k-${cols}`,
  });
}

function drawOutput(d, s) {
  const [lo, hi] = extent(d.output);
  const signed = lo < -1e-9;
  const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
  const rows = d.output.length;
  const cols = d.output[0].length;
  draw("output-plot", [{
    type: "heatmap", z: d.output,
    colorscale: signed ? DIVERGING : GREY,
    zmin: signed ? -m : Math.min(lo, 0), zmax: signed ? m : Math.max(hi, 1e-9),
    colorbar: { thickness: 12, len: 0.8 },
    hovertemplate: "z[%{y}, %{x}] = %{z:.4f}<extra></extra>",
  }], {
    title: title(`Output z (${rows} × ${cols}, ${s.padding} padding)`),
    ...imageAxes(rows, cols),
    uirevision: `out-${rows}-${cols}`,
  });
}

function readouts(d, s) {
  const inRows = d.image.length;
  const inCols = d.image[0].length;
  const [lo, hi] = extent(d.output);
  document.getElementById("readouts").innerHTML = [
    `<div><b>${d.label}</b>: ${d.description}</div>`,
    `<div><b>input</b> ${inRows} × ${inCols} → <b>output</b> ${d.output.length} × ${d.output[0].length}</div>`,
    `<div><b>padding</b> ${s.padding === "zero" ? `${d.padding[0]} zero(s) per side` : "none (valid)"}</div>`,
    `<div><b>output range</b> [${fmt(lo)}, ${fmt(hi)}]</div>`,
  ].join("");
}

function patchAt(d, i, j, size) {
  const [top, left] = d.padding;
  return Array.from({ length: size }, (_, a) => Array.from({ length: size }, (_, b) => {
    const r = i + a - top;
    const c = j + b - left;
    const inside = r >= 0 && r < d.image.length && c >= 0 && c < d.image[0].length;
    return { value: inside ? d.image[r][c] : 0, inside };
  }));
}

function table(caption, rows, cell) {
  const body = rows.map((row, a) => `<tr>${row.map((v, b) => cell(v, a, b)).join("")}</tr>`).join("");
  return `<table class="data"><caption>${caption}</caption>${body}</table>`;
}

function showPatch(i, j) {
  if (!last) return;
  const d = last;
  const size = d.kernels[0].length;
  const patch = patchAt(d, i, j, size);
  const sums = d.kernels.map((k) => patch.reduce((acc, row, a) => acc + row.reduce((t, p, b) => t + p.value * k[a][b], 0), 0));
  const patchTable = table(`patch of x under the kernel (padding in grey)`, patch,
    (p) => `<td class="${p.inside ? "" : "pad"}">${p.value.toFixed(3)}</td>`);
  const productTables = d.kernels.map((k, n) => table(
    d.kernels.length === 1 ? "w × patch" : `${n === 0 ? "Gx" : "Gy"} weights × patch`,
    patch, (p, a, b) => `<td>${fmt(k[a][b] * p.value, 3)}</td>`));
  const result = d.kernels.length === 1
    ? `sum = <b>${fmt(sums[0])}</b> (output shows ${fmt(d.output[i][j])})`
    : `Gx = ${fmt(sums[0])}, Gy = ${fmt(sums[1])}, √(Gx² + Gy²) = <b>${fmt(Math.hypot(sums[0], sums[1]))}</b> (output shows ${fmt(d.output[i][j])})`;
  document.getElementById("patch-panel").innerHTML =
    `<p>Output pixel <b>(${i}, ${j})</b>: ${result}</p><div class="tables">${patchTable}${productTables.join("")}</div>`;
  const [top, left] = d.padding;
  Plotly.relayout("input-plot", {
    shapes: [{ type: "rect", x0: j - left - 0.5, x1: j - left + size - 0.5, y0: i - top - 0.5, y1: i - top + size - 0.5,
      line: { color: "#e07b00", width: 2 } }],
  });
}

function bindHover() {
  onPlot("output-plot", "plotly_hover", (ev) => {
    const p = ev.points?.[0];
    if (p) showPatch(Number(p.y), Number(p.x));
  });
}

function buildCustomGrid(s) {
  const grid = document.getElementById("custom-grid");
  let rows;
  try {
    rows = parseCustom(s.custom);
  } catch {
    return;
  }
  const size = rows.length;
  document.getElementById("custom-size").value = String(size);
  const inputs = grid.querySelectorAll("input");
  const focused = grid.contains(document.activeElement);
  if (inputs.length === size * size && focused) return; // the user is typing: leave it alone
  grid.style.gridTemplateColumns = `repeat(${size}, 1fr)`;
  grid.innerHTML = rows.flat().map((v, n) => `<input type="number" step="any" aria-label="w[${Math.floor(n / size)}, ${n % size}]" value="${v}">`).join("");
  for (const input of grid.querySelectorAll("input")) {
    input.addEventListener("input", () => {
      const values = [...grid.querySelectorAll("input")].map((el) => (el.value === "" || !Number.isFinite(Number(el.value)) ? 0 : Number(el.value)));
      lab.set({ custom: values.join(",") });
    });
  }
}

function render(d, s) {
  last = d;
  showError(null);
  drawInput(d);
  drawKernel(d);
  drawOutput(d, s);
  bindHover();
  readouts(d, s);
  document.getElementById("patch-panel").innerHTML =
    '<p class="note">Hover over an output pixel: its patch, the products and their sum appear here, and the patch is outlined on the input.</p>';
}

function syncVisibility(s) {
  document.getElementById("builtin-controls").hidden = s.source === "upload";
  document.getElementById("upload-controls").hidden = s.source !== "upload";
  document.getElementById("custom-controls").hidden = s.kernel !== "custom";
  document.getElementById("new-noise").hidden = s.source !== "noise";
  if (s.kernel === "custom") buildCustomGrid(s);
}

initPage("conv");
const lab = createLab({
  schema,
  compute: (s, signal) => {
    syncVisibility(s);
    return compute(s, signal);
  },
  render,
});

document.getElementById("new-noise").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));
document.getElementById("upload").addEventListener("change", (ev) => {
  uploadedFile = ev.target.files?.[0] ?? null;
  lab.set({ source: "upload" });
});
document.getElementById("custom-size").addEventListener("change", (ev) => {
  const size = Number(ev.target.value);
  const values = Array(size * size).fill(0);
  values[(size * size - 1) / 2] = 1; // identity of the new size
  lab.set({ custom: values.join(",") });
});
document.getElementById("copy-kernel").addEventListener("click", () => {
  const name = document.getElementById("copy-from").value;
  const values = LIBRARY[name] ?? [0, 0, 0, 0, 1, 0, 0, 0, 0];
  document.getElementById("custom-grid").innerHTML = ""; // force a rebuild with the new values
  lab.set({ custom: values.join(","), kernel: "custom" });
});

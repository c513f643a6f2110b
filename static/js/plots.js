// Shared figure style: colours, fonts, axes, and one way to draw (Plotly.react).
/* global Plotly */

export const COLORS = {
  data: "#1f5fa8", // observed points
  model: "#d1495b", // the current model
  exact: "#2a9d50", // exact / optimal solutions
  descent: "#e07b00", // optimisation paths
  gradient: "#6a3d9a", // gradient arrows
  muted: "#8a8f98", // guides, residuals, reference lines
  ink: "#1d2430",
  // Qualitative palette for several series (hidden units, optimisers, channels).
  series: ["#1f5fa8", "#d1495b", "#2a9d50", "#e07b00", "#6a3d9a", "#00a3a3", "#b5651d", "#c2185b",
           "#4e6e00", "#5c6bc0", "#8d6e63", "#00897b", "#f06292", "#7cb342", "#ffa000", "#546e7a"],
};

// A perceptually ordered scale for loss surfaces (low = dark blue, high = pale yellow).
export const LOSS_SCALE = "Viridis";

const FONT = { family: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 14, color: COLORS.ink };

export const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

function axis(extra = {}) {
  return {
    zeroline: false,
    gridcolor: "#e6e8ec",
    linecolor: "#c5c9d0",
    ticks: "outside",
    tickcolor: "#c5c9d0",
    automargin: true,
    ...extra,
  };
}

/** Base layout merged with `overrides`; `xaxis`/`yaxis` overrides are merged into the axis style. */
export function layout(overrides = {}) {
  const { xaxis, yaxis, ...rest } = overrides;
  return {
    font: FONT,
    margin: { l: 60, r: 20, t: 78, b: 50 },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    hovermode: "closest",
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", bgcolor: "rgba(255,255,255,0.7)" },
    uirevision: "keep", // zoom and pan survive updates
    xaxis: axis(xaxis),
    yaxis: axis(yaxis),
    ...rest,
  };
}

/** Draw or update a figure in place. */
export function draw(el, traces, layoutOverrides = {}) {
  return Plotly.react(el, traces, layout(layoutOverrides), CONFIG);
}

/** Title object in the shared style. */
export function title(text) {
  // Pinned to the top of the figure so the legend fits between it and the plot area.
  return { text, x: 0.01, xanchor: "left", y: 0.985, yref: "container", yanchor: "top", font: { size: 15 } };
}

/** Format a number for read-outs: 4 significant digits, exponent when very large or small. */
export function fmt(value, digits = 4) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

const listening = new WeakMap(); // figure element -> Plotly events already handled

/**
 * Handle a Plotly event ("plotly_click", "plotly_hover", ...) of a drawn figure. Plotly gives the
 * element its .on() with the first drawing, so call this after draw(); calling it again for the
 * same figure and event does nothing, so a render function may call it every time.
 */
export function onPlot(id, event, handler) {
  const el = document.getElementById(id);
  const events = listening.get(el) ?? new Set();
  if (events.has(event)) return;
  events.add(event);
  listening.set(el, events);
  el.on(event, handler);
}

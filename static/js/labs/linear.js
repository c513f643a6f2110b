// Linear regression lab: y = phi_0 + phi_1 x, the MSE loss map, gradient descent, exact fit.
import { postJSON, showError } from "../api.js";
import { initPage } from "../shell.js";
import { COLORS, LOSS_SCALE, draw, fmt, onPlot, relayout, title } from "../plots.js";
import { parsePoints } from "../points.js";
import { createLab } from "../state.js";
import { steadyRange, update } from "../steady.js";

const MAX_POINTS = 500;

const schema = {
  source: { type: "enum", options: ["generated", "custom"], default: "generated" },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  n_points: { type: "int", default: 20, min: 2, max: 200 },
  slope: { type: "number", default: 1.2, min: -3, max: 3 },
  intercept: { type: "number", default: 0.5, min: -3, max: 3 },
  noise: { type: "number", default: 0.3, min: 0, max: 2 },
  points: { type: "text", default: "0, 0.4\n0.5, 1.3\n1, 1.5\n1.5, 2.6\n2, 2.7", maxLength: 12000 },
  phi0: { type: "number", default: -0.5, min: -1000, max: 1000 },
  phi1: { type: "number", default: -1, min: -1000, max: 1000 },
  descent: { type: "bool", default: true },
  learning_rate: { type: "number", default: 0.1, min: 0.001, max: 10, enabled: (s) => s.descent },
  tolerance: { type: "number", default: 1e-6, min: 1e-12, max: 0.1, enabled: (s) => s.descent },
  max_steps: { type: "int", default: 200, min: 1, max: 2000, enabled: (s) => s.descent },
  phi0_min: { type: "number", default: -3, min: -1000, max: 1000 },
  phi0_max: { type: "number", default: 3, min: -1000, max: 1000 },
  phi1_min: { type: "number", default: -3, min: -1000, max: 1000 },
  phi1_max: { type: "number", default: 3, min: -1000, max: 1000 },
};

const DATA_KEYS = ["source", "seed", "n_points", "slope", "intercept", "noise", "points"];
const VIEW_KEYS = ["phi0_min", "phi0_max", "phi1_min", "phi1_max"];
const MOVING_KEYS = [...DATA_KEYS, "phi0", "phi1", "descent", "learning_rate", "tolerance", "max_steps"];

function request(s, surface) {
  const body = {
    seed: s.seed, n_points: s.n_points, slope: s.slope, intercept: s.intercept, noise: s.noise,
    phi0: s.phi0, phi1: s.phi1, descent: surface ? false : s.descent, learning_rate: s.learning_rate,
    tolerance: s.tolerance, max_steps: s.max_steps,
    phi0_min: s.phi0_min, phi0_max: s.phi0_max, phi1_min: s.phi1_min, phi1_max: s.phi1_max, surface,
  };
  if (s.source === "custom") body.points = parsePoints(s.points, MAX_POINTS);
  return body;
}

let last = null; // the last answer drawn for the current point, for the buttons

// The fit plot and the loss curve keep their axes while what they show stays well inside them:
// a step then only moves their lines (steady.js) instead of redrawing the figures.
const ranges = {};

function drawFit(d) {
  const xs = d.x;
  const ends = d.lines.x;
  const rx = [];
  const ry = [];
  xs.forEach((x, i) => rx.push(x, x, null) && ry.push(d.y[i], d.predictions[i], null));
  const traces = [
    { x: rx, y: ry, mode: "lines", name: "residuals", line: { color: COLORS.muted, width: 1.5, dash: "dot" }, hoverinfo: "skip" },
    { x: xs, y: d.y, mode: "markers", name: "data", marker: { color: COLORS.data, size: 8 } },
    { x: ends, y: d.lines.current, mode: "lines", name: "current φ", line: { color: COLORS.model, width: 3 } },
    { x: ends, y: d.lines.exact, mode: "lines", name: "exact", line: { color: COLORS.exact, width: 2, dash: "dash" } },
  ];
  if (d.descent && d.descent.status !== "diverged") {
    traces.push({ x: ends, y: d.lines.descent, mode: "lines", name: "descent end", line: { color: COLORS.descent, width: 2, dash: "dashdot" } });
  }
  ranges.fit = steadyRange(ranges.fit, traces.flatMap((t) => t.y));
  update("fit-plot", traces, {
    title: title("Data, the current line and the exact fit"),
    xaxis: { title: { text: "x" }, range: ends },
    yaxis: { title: { text: "y" }, range: ranges.fit },
  }, { key: String(traces.length) });
}

// The loss map is drawn in two parts: the surface (heatmap, a few level lines, the exact minimum)
// only when the data or the view change, and the moving marks of the current point as layout
// shapes. Moving shapes that have no legend entry redraws only them (~4 ms); changing a trace, an
// arrow annotation or a shape's legend makes Plotly redraw the whole figure (60-230 ms, measured
// under load). Their legend entries are constant traces drawn with the surface.
const MARKS = {
  level: { name: "level line through φ", color: COLORS.model, width: 1.5 },
  path: { name: "descent from φ", color: COLORS.descent, width: 2.5 },
  arrow: { name: "∇L at φ (length grows with |∇L|)", color: COLORS.gradient, width: 3 },
  point: { name: "current φ", color: COLORS.model },
};

function svgPath(xs, ys) {
  return xs.map((x, i) => `${i ? "L" : "M"}${x},${ys[i]}`).join("");
}

/** The gradient arrow as a path (shaft and head), its length growing with |∇L| (a quarter of the
 *  view at most); nothing where the gradient vanishes. The map's axes share one scale. */
function gradientArrow(d, s) {
  const g = d.gradient;
  const norm = d.gradient_norm;
  if (d.gradient_vanishes || !(norm > 0)) return null;
  const span = Math.min(s.phi0_max - s.phi0_min, s.phi1_max - s.phi1_min);
  const length = (0.25 * span * norm) / (norm + 1);
  const [ux, uy] = [g[0] / norm, g[1] / norm];
  const tip = [d.phi[0] + length * ux, d.phi[1] + length * uy];
  const head = Math.min(0.035 * span, 0.6 * length);
  const back = [tip[0] - head * ux, tip[1] - head * uy];
  const wing = 0.5 * head;
  return `M${d.phi[0]},${d.phi[1]}L${back[0]},${back[1]}` +
    `M${tip[0]},${tip[1]}L${back[0] - wing * uy},${back[1] + wing * ux}L${back[0] + wing * uy},${back[1] - wing * ux}Z`;
}

function movingMarks(d, s) {
  if (!d) return [];
  const line = (mark) => ({ color: mark.color, width: mark.width });
  const shapes = [{ type: "path", name: MARKS.level.name, path: svgPath(d.level_line.phi0, d.level_line.phi1), line: line(MARKS.level) }];
  if (d.descent) {
    const t = d.descent.trajectory;
    shapes.push({ type: "path", name: MARKS.path.name, path: svgPath(t.phi0, t.phi1), line: line(MARKS.path) });
  }
  const arrowPath = gradientArrow(d, s);
  if (arrowPath) {
    shapes.push({ type: "path", name: MARKS.arrow.name, path: arrowPath, line: line(MARKS.arrow), fillcolor: MARKS.arrow.color });
  }
  shapes.push({
    type: "circle", name: MARKS.point.name, xsizemode: "pixel", ysizemode: "pixel", x0: -7, x1: 7, y0: -7, y1: 7,
    xanchor: d.phi[0], yanchor: d.phi[1], fillcolor: MARKS.point.color, line: { color: "#fff", width: 2 },
  });
  return shapes;
}

/** Legend entries for the moving marks: traces with no points, drawn once. */
function markLegend() {
  return Object.entries(MARKS).map(([key, mark]) => ({
    x: [null], y: [null], name: mark.name, hoverinfo: "skip",
    mode: key === "point" ? "markers" : "lines",
    line: { color: mark.color, width: mark.width }, marker: { color: mark.color, size: 12 },
  }));
}

function drawMap(surface, s, point) {
  const logLoss = surface.surface.loss.map((row) => row.map((v) => Math.log10(v + 1e-12)));
  const traces = [
    {
      type: "heatmap", x: surface.surface.phi0, y: surface.surface.phi1, z: logLoss, colorscale: LOSS_SCALE,
      zsmooth: "fast", colorbar: { title: { text: "log₁₀ L", side: "right" }, thickness: 14 },
      customdata: surface.surface.loss, name: "loss",
      hovertemplate: "φ₀ = %{x:.3f}<br>φ₁ = %{y:.3f}<br>L = %{customdata:.4g}<extra></extra>",
    },
    {
      type: "contour", x: surface.surface.phi0, y: surface.surface.phi1, z: logLoss, ncontours: 16, showscale: false,
      contours: { coloring: "lines" }, line: { color: "rgba(255,255,255,0.45)", width: 0.7 },
      colorscale: [[0, "#fff"], [1, "#fff"]], hoverinfo: "skip", showlegend: false, name: "level lines",
    },
    { x: [surface.exact.phi[0]], y: [surface.exact.phi[1]], mode: "markers", name: "exact minimum", marker: { symbol: "star", size: 16, color: COLORS.exact, line: { color: "#fff", width: 1 } } },
    ...markLegend(),
  ];
  draw("loss-map", traces, {
    title: title("Loss map L[φ₀, φ₁] · click to move φ"),
    xaxis: { title: { text: "φ₀ (intercept)" }, range: [s.phi0_min, s.phi0_max], constrain: "domain" },
    yaxis: { title: { text: "φ₁ (slope)" }, range: [s.phi1_min, s.phi1_max], scaleanchor: "x", scaleratio: 1, constrain: "domain" },
    shapes: movingMarks(point, s),
  });
  bindMapClick();
}

/** Only the moving marks of the loss map: a small update, not a new figure. */
function moveMap(d, s) {
  return relayout("loss-map", { shapes: movingMarks(d, s) });
}

function drawCurve(d) {
  const traces = [];
  let key = "off";
  if (d.descent) {
    const losses = d.descent.losses;
    traces.push({ y: losses, mode: "lines+markers", name: "L per step", line: { color: COLORS.descent, width: 2 }, marker: { size: 4 } });
    traces.push({ x: [0, losses.length - 1], y: [d.exact.loss, d.exact.loss], mode: "lines", name: "exact minimum", line: { color: COLORS.exact, dash: "dash" } });
    // Axis ranges: steps on x, log10 of the loss on y (a log axis takes its range in powers).
    ranges.steps = steadyRange(ranges.steps, [0, losses.length - 1], { pad: 0.03, fill: 0.6 });
    ranges.loss = steadyRange(ranges.loss, [...losses, d.exact.loss].map(Math.log10), { pad: 0.05 });
    key = "descent";
  }
  update("loss-curve", traces, {
    title: title(d.descent ? `Loss per step · ${d.descent.status.replace("_", " ")}` : "Loss per step (descent is off)"),
    xaxis: { title: { text: "step" }, ...(d.descent ? { range: ranges.steps } : {}) },
    yaxis: { title: { text: "L (log scale)" }, type: "log", ...(d.descent ? { range: ranges.loss } : {}) },
  }, { key });
}

function drawReadouts(d) {
  const g = d.gradient;
  const angle = d.gradient_level_angle;
  const status = d.descent ? `<span class="badge ${d.descent.status}">${d.descent.status.replace("_", " ")}</span>` : "";
  document.getElementById("readouts").innerHTML = [
    `<div><b>L[φ]</b> = ${fmt(d.loss)} (exact minimum: ${fmt(d.exact.loss)})</div>`,
    d.gradient_vanishes
      ? `<div><b>∇L</b> = 0: φ is at the minimum, no direction is downhill</div>`
      : `<div><b>∇L</b> = (${fmt(g[0])}, ${fmt(g[1])}), |∇L| = ${fmt(d.gradient_norm)}</div>`,
    `<div><b>angle(∇L, level line)</b> = ${angle === null ? "– (no gradient)" : angle.toFixed(1) + "°"}</div>`,
    `<div><b>exact φ̂</b> = (${fmt(d.exact.phi[0])}, ${fmt(d.exact.phi[1])})</div>`,
    d.descent ? `<div><b>descent</b> ${status} ${d.descent.message}; last φ = (${fmt(d.descent.trajectory.phi0.at(-1))}, ${fmt(d.descent.trajectory.phi1.at(-1))})</div>` : "",
  ].join("");
}

function bindMapClick() {
  onPlot("loss-map", "plotly_click", (ev) => {
    const p = ev.points?.[0];
    if (p && Number.isFinite(p.x) && Number.isFinite(p.y)) lab.set({ phi0: p.x, phi1: p.y });
  });
}

function renderPoint(d, s, labApi) {
  last = d;
  document.getElementById("generated-controls").hidden = s.source !== "generated";
  document.getElementById("custom-controls").hidden = s.source !== "custom";
  for (const [id, lo, hi] of [["phi0-slider", s.phi0_min, s.phi0_max], ["phi1-slider", s.phi1_min, s.phi1_max]]) {
    const el = document.getElementById(id);
    el.min = lo;
    el.max = hi;
    el.step = (hi - lo) / 600;
  }
  drawFit(d);
  if (!moveMap(d, s) && labApi.data("surface")) drawMap(labApi.data("surface"), s, d);
  drawCurve(d);
  drawReadouts(d);
}

initPage("linear");
const lab = createLab({
  schema,
  channels: {
    surface: {
      keys: [...DATA_KEYS, ...VIEW_KEYS],
      compute: (s) => postJSON("api/v1/linear/view", request(s, true)),
      render: (d, s, labApi) => drawMap(d, s, labApi.data("point")),
      figures: ["loss-map"],
    },
    point: {
      keys: [...MOVING_KEYS, ...VIEW_KEYS],
      compute: (s) => postJSON("api/v1/linear/view", request(s, false)),
      render: renderPoint,
      figures: ["fit-plot", "loss-map", "loss-curve"],
    },
  },
  messages: {
    points: (d) => `Your points: ${d.msg}`,
  },
  constrain: (s) => {
    // A view range needs min < max: move the other end rather than ask the impossible.
    const fix = {};
    if (s.phi0_min >= s.phi0_max) fix.phi0_max = s.phi0_min + 1;
    if (s.phi1_min >= s.phi1_max) fix.phi1_max = s.phi1_min + 1;
    return fix;
  },
});

document.getElementById("new-data").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));
document.getElementById("to-exact").addEventListener("click", () => {
  if (last) lab.set({ phi0: last.exact.phi[0], phi1: last.exact.phi[1] });
});
document.getElementById("to-end").addEventListener("click", () => {
  if (last?.descent) {
    const t = last.descent.trajectory;
    lab.set({ phi0: t.phi0.at(-1), phi1: t.phi1.at(-1) });
  }
});
document.getElementById("fit-view").addEventListener("click", () => {
  if (!last) return;
  const s = lab.state;
  const [e0, e1] = last.exact.phi;
  const half = Math.max(1, 1.3 * Math.max(Math.abs(s.phi0 - e0), Math.abs(s.phi1 - e1)));
  const round = (v) => Number(v.toPrecision(4));
  lab.set({ phi0_min: round(e0 - half), phi0_max: round(e0 + half), phi1_min: round(e1 - half), phi1_max: round(e1 + half) });
});

// Complexity panel: measured on demand (timings are not part of the shareable state).
const N_SWEEP = [500, 1000, 2000, 4000, 8000];
const D_SWEEP = [50, 100, 200, 300, 400];
const D_FIXED = 40;
const N_FIXED = 600;
document.getElementById("measure").addEventListener("click", async () => {
  const note = document.getElementById("complexity-note");
  note.textContent = "measuring…";
  try {
    const t = await postJSON("api/v1/linear/complexity", {
      n_values: [...N_SWEEP, ...D_SWEEP.map(() => N_FIXED)],
      d_values: [...N_SWEEP.map(() => D_FIXED), ...D_SWEEP],
      repeats: 3,
    });
    document.getElementById("complexity-plots").hidden = false;
    const ms = (a) => a.map((v) => v * 1e3);
    const k = N_SWEEP.length;
    draw("complexity-n", [
      { x: N_SWEEP, y: ms(t.gram_seconds.slice(0, k)), mode: "markers", name: "measured XᵀX", marker: { size: 9, color: COLORS.data } },
      { x: N_SWEEP, y: ms(t.gram_model_seconds.slice(0, k)), mode: "lines", name: "a·N·D²", line: { color: COLORS.model, dash: "dash" } },
    ], {
      title: title(`Growing N at D = ${D_FIXED}: linear in N`),
      xaxis: { title: { text: "N (samples)" }, type: "log" },
      yaxis: { title: { text: "time (ms)" }, type: "log" },
    });
    draw("complexity-d", [
      { x: D_SWEEP, y: ms(t.gram_seconds.slice(k)), mode: "markers", name: "measured XᵀX", marker: { size: 9, color: COLORS.data } },
      { x: D_SWEEP, y: ms(t.solve_seconds.slice(k)), mode: "markers", name: "measured solve", marker: { size: 9, color: COLORS.descent, symbol: "diamond" } },
      { x: D_SWEEP, y: ms(t.gram_model_seconds.slice(k)), mode: "lines", name: "a·N·D²", line: { color: COLORS.model, dash: "dash" } },
      { x: D_SWEEP, y: ms(t.solve_model_seconds.slice(k)), mode: "lines", name: "b·D³", line: { color: COLORS.gradient, dash: "dot" } },
    ], {
      title: title(`Growing D at N = ${N_FIXED}: quadratic and cubic terms`),
      xaxis: { title: { text: "D (features)" }, type: "log" },
      yaxis: { title: { text: "time (ms)" }, type: "log" },
    });
    note.textContent = `fitted a = ${fmt(t.coef_nd2 * 1e9)} ns per N·D², b = ${fmt(t.coef_d3 * 1e9)} ns per D³`;
  } catch (err) {
    note.textContent = "";
    showError(err);
  }
});

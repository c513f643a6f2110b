// Universal approximation lab: shallow ReLU or sigmoid fits, the error against n, polynomial
// bases, a hat grid against trained networks in d = 1, 2, 3, coefficient counts in D
// dimensions and the radial density of a Gaussian.
import { postJSON, showError } from "../api.js";
import { initPage, meta } from "../shell.js";
import { COLORS, draw, fmt, move, title } from "../plots.js";
import { parsePoints } from "../points.js";
import { createLab } from "../state.js";
import { update } from "../steady.js";
import { setHTML, setProp } from "../dom.js";

const MAX_POINTS = 50;
const FLOOR = 1e-16; // errors below this are rounding noise; drawn at the floor

// The hidden units each experiment takes, as core declares them (GET /api/v1/meta).
const { registries } = await meta();
const unitsOf = (kind, fallback) => (registries[kind]?.length ? registries[kind] : fallback.map((n) => ({ name: n, label: n })));
const FIT_UNITS = unitsOf("approximation_activations", ["relu", "sigmoid"]);
const COMPARE_UNITS = unitsOf("comparison_activations", ["sigmoid", "relu"]);
const UNIT_LABEL = Object.fromEntries([...FIT_UNITS, ...COMPARE_UNITS].map((u) => [u.name, u.label]));
for (const [key, units] of [["activation", FIT_UNITS], ["cmp_activation", COMPARE_UNITS]]) {
  document.querySelector(`select[data-key="${key}"]`).innerHTML = units.map((u) => `<option value="${u.name}">${u.label}</option>`).join("");
}

const schema = {
  target: { type: "enum", options: ["sine", "step", "abs", "sawtooth", "gaussian_bump", "points"], default: "sine" },
  points: { type: "text", default: "-2, 0\n-1, 1\n0, -1\n1, 2\n2, 0", maxLength: 2000 },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  noise: { type: "number", default: 0, min: 0, max: 2 },
  n_samples: { type: "int", default: 200, min: 2, max: 1000 },
  n_hidden: { type: "int", default: 8, min: 1, max: 128 },
  activation: { type: "enum", options: FIT_UNITS.map((u) => u.name), default: "relu" },
  joint_placement: { type: "enum", options: ["spread", "random"], default: "spread" },
  gd_steps: { type: "int", default: 0, min: 0, max: 1000 },
  learning_rate: { type: "number", default: 0.5, min: 0.01, max: 10 },
  degree: { type: "int", default: 8, min: 0, max: 64 },
  sweep_max: { type: "enum", options: ["32", "64", "128", "256"], default: "128" },
  max_inputs: { type: "int", default: 50, min: 1, max: 100 },
  count_degree: { type: "int", default: 3, min: 0, max: 10 },
  count_hidden: { type: "number", default: 100, min: 1, max: 10000 },
  dims: { type: "text", default: "1, 2, 10, 50, 200", maxLength: 100 },
  sigma: { type: "number", default: 1, min: 0.1, max: 10 },
  radial_samples: { type: "int", default: 2000, min: 1, max: 5000 },
  cmp_d: { type: "enum", options: ["1", "2", "3"], default: "2" },
  cmp_target: { type: "enum", options: ["bump", "ridge"], default: "bump" },
  cmp_activation: { type: "enum", options: COMPARE_UNITS.map((u) => u.name), default: "sigmoid" },
  cmp_hidden: { type: "enum", options: ["8", "16", "32"], default: "32" },
  cmp_steps: { type: "int", default: 150, min: 0, max: 300 },
};

// Each panel is its own channel, asked again only when its own settings change: a move of the
// network's controls fetches the fit alone, and the comparison (several trained networks, about
// a second) is not asked again on every move of the 1D controls.
const FIT_KEYS = [
  "seed", "target", "points", "noise", "n_samples", "n_hidden", "activation", "joint_placement",
  "gd_steps", "learning_rate", "degree", "sweep_max",
];
const COUNT_KEYS = ["max_inputs", "count_degree", "count_hidden"];
const RADIAL_KEYS = ["seed", "dims", "sigma", "radial_samples"];
const COMPARE_KEYS = ["seed", "cmp_d", "cmp_target", "cmp_activation", "cmp_hidden", "cmp_steps"];
function compareRequest(s) {
  return {
    seed: s.seed, n_inputs: Number(s.cmp_d), target: s.cmp_target, activation: s.cmp_activation,
    max_hidden: Number(s.cmp_hidden), n_steps: s.cmp_steps,
  };
}

/** Parse "1, 2, 10" into a list of whole numbers. */
export function parseDims(text) {
  const dims = text.split(/[\s,;]+/).filter((t) => t !== "").map(Number);
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 250)) {
    throw new Error('dimensions must be whole numbers from 1 to 250, e.g. "1, 2, 10, 50"');
  }
  if (dims.length > 8) throw new Error(`at most 8 dimensions, got ${dims.length}`);
  return dims;
}

// Legend under the plot, clear of the x-axis title.
const LEGEND_BELOW = {
  legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top" },
  margin: { l: 70, r: 20, t: 40, b: 130 },
};

const maxDegree = (nSamples) => Math.min(64, Math.floor(Math.sqrt(8 * nSamples)), nSamples - 1);

function fitRequest(s) {
  const body = {
    seed: s.seed, target: s.target, n_hidden: s.n_hidden, activation: s.activation,
    joint_placement: s.joint_placement,
    n_samples: s.n_samples, noise: s.noise, gd_steps: s.gd_steps, learning_rate: s.learning_rate,
    degree: s.degree, sweep_max: Number(s.sweep_max),
  };
  if (s.target === "points") body.points = parsePoints(s.points, MAX_POINTS);
  return body;
}


// The fit figure keeps its structure while n moves (the trace names do not hold n, the title
// does): a step moves the network's curve and its joints and sets the title (steady.js), where a
// redraw would also draw the legend and the training points again.
function drawFit(d, s) {
  const c = d.curves;
  const traces = [
    { x: d.x_train, y: d.y_train, mode: "markers", name: "training samples", marker: { color: COLORS.muted, size: 4, opacity: 0.6 }, hoverinfo: "skip" },
    { x: c.x, y: c.target, mode: "lines", name: "target f(x)", line: { color: COLORS.ink, width: 2 } },
    { x: c.x, y: c.polynomial, mode: "lines", name: `polynomial, M = ${s.degree}`, line: { color: COLORS.exact, width: 2, dash: "dash" } },
    { x: c.x, y: c.network, mode: "lines", name: `${UNIT_LABEL[s.activation]} net`, line: { color: COLORS.model, width: 3 } },
    {
      x: d.joints, y: d.joint_outputs, mode: "markers",
      name: s.activation === "relu" ? "joints" : "sigmoid centres",
      marker: { color: COLORS.descent, size: 8, symbol: "diamond", line: { color: "#fff", width: 1 } },
      hovertemplate: `${s.activation === "relu" ? "joint" : "centre"} at x = %{x:.3f}<extra></extra>`,
    },
  ];
  const lo = Math.min(...c.target, ...d.y_train);
  const hi = Math.max(...c.target, ...d.y_train);
  const pad = 0.25 * (hi - lo || 1);
  update("fit-plot", traces, {
    title: title(`Fit, n = ${s.n_hidden} · error E_n = ${fmt(d.network_error)} (net), ${fmt(d.polynomial_error)} (polynomial)`),
    xaxis: { title: { text: "x" }, range: d.domain },
    yaxis: { title: { text: "y" }, range: [lo - pad, hi + pad] },
    ...LEGEND_BELOW,
  }, { key: JSON.stringify(traces.map((t) => t.name)) });
}

// The error plot's curves change with the sweep's settings only; a move of n moves the star.
// Its axes are fixed from the curves (log10 units), so the star moves without a redraw while
// it stays inside them.
let errorShown = null; // { key, x: [lo, hi], y: [lo, hi] }

function logRange(values, pad) {
  const logs = values.map(Math.log10);
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const margin = pad * (hi - lo || 1);
  return [lo - margin, hi + margin];
}

function drawError(d, s) {
  const sw = d.sweep;
  const floor = (a) => a.map((v) => Math.max(v, FLOOR));
  const star = [s.n_hidden, Math.max(d.network_error, FLOOR)];
  const key = JSON.stringify([sw, s.activation]);
  const inside = (range, v) => range[0] <= Math.log10(v) && Math.log10(v) <= range[1];
  if (errorShown?.key === key && inside(errorShown.x, star[0]) && inside(errorShown.y, star[1])
    && move("error-plot", { x: [[star[0]]], y: [[star[1]]] }, [4])) return;
  const traces = [
    { x: sw.n, y: sw.reference, mode: "lines", name: `reference slope c/n (c = ${fmt(sw.c, 3)}), not a bound`, line: { color: COLORS.muted, dash: "dash", width: 2 } },
    { x: sw.n, y: floor(sw.fitted), mode: "lines", name: `fitted power law, measured slope ${sw.network_rate.toFixed(2)}`, line: { color: COLORS.model, dash: "dot", width: 1.5 } },
    { x: sw.n, y: floor(sw.network_error), mode: "lines+markers", name: `${UNIT_LABEL[s.activation]} net (slope ${sw.network_rate.toFixed(2)})`, line: { color: COLORS.model, width: 2.5 }, marker: { size: 8 } },
    { x: sw.degrees, y: floor(sw.polynomial_error), mode: "lines+markers", name: `polynomial, M = n (slope ${sw.polynomial_rate.toFixed(2)})`, line: { color: COLORS.exact, width: 2, dash: "dot" }, marker: { size: 7, symbol: "square" } },
    { x: [star[0]], y: [star[1]], mode: "markers", name: "your net", marker: { color: COLORS.descent, size: 14, symbol: "star", line: { color: "#fff", width: 1 } } },
  ];
  const xs = [...sw.n, ...sw.degrees, star[0]];
  const ys = traces.flatMap((t) => t.y);
  errorShown = { key, x: logRange(xs, 0.06), y: logRange(ys, 0.08) };
  draw("error-plot", traces, {
    title: title("Error E_n against hidden units n (log-log)"),
    xaxis: { title: { text: "hidden units n  (polynomial degree M)" }, type: "log", range: errorShown.x },
    yaxis: { title: { text: "integrated squared error" }, type: "log", exponentformat: "power", range: errorShown.y },
    ...LEGEND_BELOW,
  });
}

let lossShown = null; // what the loss figure shows: drawn again only when it changes

function drawLoss(d) {
  const key = JSON.stringify([d.losses, d.status, d.least_squares_error, d.network_error]);
  if (key === lossShown || (!d.losses.length && lossShown === "off")) return;
  lossShown = d.losses.length ? key : "off";
  if (!d.losses.length) {
    draw("loss-curve", [], {
      title: title("Gradient descent is off: least squares only"),
      xaxis: { visible: false },
      yaxis: { visible: false },
      annotations: [{
        text: "Move “Gradient-descent steps” above 0 to let the joints move<br>and watch the training loss fall here.",
        showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { size: 15, color: COLORS.muted },
      }],
    });
    return;
  }
  draw("loss-curve", [{ y: d.losses, mode: "lines", name: "training loss", line: { color: COLORS.descent, width: 2 } }], {
    title: title(`Gradient descent · ${d.status} · training loss ${fmt(d.losses[0])} → ${fmt(d.losses.at(-1))} · E_n ${fmt(d.least_squares_error)} → ${fmt(d.network_error)}`),
    xaxis: { title: { text: "step" }, visible: true },
    yaxis: { title: { text: "training MSE" }, type: "log", exponentformat: "power", visible: true },
    annotations: [],
  });
}

function drawCounts(c, s) {
  draw("counts-plot", [
    { x: c.n_inputs, y: c.polynomial, mode: "lines+markers", name: `polynomial, C(M + D, D), M = ${s.count_degree}`, line: { color: COLORS.exact, width: 2.5 }, marker: { size: 5 } },
    { x: c.n_inputs, y: c.network, mode: "lines+markers", name: `shallow net, (D + 2)n + 1, n = ${Math.round(s.count_hidden)}`, line: { color: COLORS.model, width: 2.5 }, marker: { size: 5 } },
  ], {
    title: title("Numbers to fit against input dimension D"),
    xaxis: { title: { text: "input dimension D" } },
    yaxis: { title: { text: "coefficients / parameters" }, type: "log", exponentformat: "power" },
    ...LEGEND_BELOW,
  });
}

function drawRadial(r) {
  const traces = [];
  const mids = r.bin_edges.slice(1).map((e, j) => 0.5 * (e + r.bin_edges[j]));
  const width = r.bin_edges[1] - r.bin_edges[0];
  r.dims.forEach((D, k) => {
    const color = COLORS.series[k % COLORS.series.length];
    traces.push({
      type: "bar", x: mids, y: r.histogram[k], width, name: `samples, D = ${D}`, showlegend: false,
      marker: { color, opacity: 0.3 }, hovertemplate: `D = ${D}<br>r = %{x:.2f}<br>sampled density %{y:.3f}<extra></extra>`,
    });
    traces.push({
      x: r.r, y: r.density[k], mode: "lines", name: `D = ${D}, r* = ${fmt(r.modes[k], 3)}`,
      line: { color, width: 2.5 }, hovertemplate: `D = ${D}<br>r = %{x:.2f}<br>p(r) = %{y:.3f}<extra></extra>`,
    });
  });
  draw("radial-plot", traces, {
    title: title("Radial density p(r): formula (lines) and sampled points (bars)"),
    barmode: "overlay",
    bargap: 0,
    xaxis: { title: { text: "radius r = |x|" } },
    yaxis: { title: { text: "p(r)" } },
    ...LEGEND_BELOW,
  });
}

function drawCompare(c) {
  const d = c.n_inputs;
  draw("compare-plot", [
    { x: c.grid_parameters, y: c.fixed_reference, mode: "lines", name: `(1/n)^(2/d), d = ${d}`, line: { color: COLORS.exact, dash: "dash", width: 1.5 } },
    { x: c.network_parameters, y: c.barron_reference, mode: "lines", name: "c/n", line: { color: COLORS.model, dash: "dash", width: 1.5 } },
    { x: c.grid_parameters, y: c.grid_error.map((v) => Math.max(v, FLOOR)), mode: "lines+markers", name: `hat grid (slope ${c.grid_rate.toFixed(2)})`, line: { color: COLORS.exact, width: 2.5 }, marker: { size: 7, symbol: "square" } },
    { x: c.network_parameters, y: c.network_error.map((v) => Math.max(v, FLOOR)), mode: "lines+markers", name: `trained network (slope ${c.network_rate.toFixed(2)})`, line: { color: COLORS.model, width: 2.5 }, marker: { size: 8 } },
  ], {
    title: title(`Test error against parameters n, d = ${d} (log-log)`),
    xaxis: { title: { text: "parameters n" }, type: "log" },
    yaxis: { title: { text: "mean squared test error" }, type: "log", exponentformat: "power" },
    ...LEGEND_BELOW,
  });
  document.getElementById("compare-readouts").innerHTML = [
    `<div><b>hat grid</b>: measured slope ${c.grid_rate.toFixed(2)} (−4/d = ${c.grid_predicted_rate.toFixed(2)}, (1/n)^(2/d): ${c.fixed_reference_rate.toFixed(2)})</div>`,
    `<div><b>trained network</b>: measured slope ${c.network_rate.toFixed(2)} (c/n: −1)</div>`,
  ].join("");
}

function drawReadouts(d, s) {
  const badge = d.status === "least_squares" ? "" : ` <span class="badge ${d.status}">${d.status}</span>`;
  setHTML("readouts", [
    `<div><b>net</b>: n = ${s.n_hidden} ${UNIT_LABEL[s.activation]} units, ${d.n_parameters} parameters, E_n = ${fmt(d.network_error)}${badge}</div>`,
    `<div><b>polynomial</b>: M = ${s.degree}, ${s.degree + 1} coefficients, E = ${fmt(d.polynomial_error)}</div>`,
    `<div><b>measured slope</b>: ${d.sweep.network_rate.toFixed(2)} (reference c/n: slope −1, c = ${fmt(d.sweep.c, 3)})</div>`,
  ].join(""));
}

function renderFit(d, s) {
  showError(null);
  setProp("points-control", "hidden", s.target !== "points");
  const slider = document.getElementById("degree-slider");
  // Only what changed: setting a range input's bounds or value lays the controls out again.
  setProp(slider, "max", String(maxDegree(s.n_samples)));
  setProp(slider, "value", String(s.degree));
  drawFit(d, s);
  drawError(d, s);
  drawLoss(d);
  drawReadouts(d, s);
}

initPage("approximation");
const lab = createLab({
  schema,
  channels: {
    fit: {
      keys: FIT_KEYS,
      compute: (s, signal) => postJSON("api/v1/approximation/fit", fitRequest(s), { signal }),
      render: renderFit,
      figures: ["fit-plot", "error-plot", "loss-curve"],
    },
    counts: {
      keys: COUNT_KEYS,
      compute: (s, signal) => postJSON("api/v1/approximation/counts", {
        max_inputs: s.max_inputs, degree: s.count_degree, n_hidden: Math.round(s.count_hidden),
      }, { signal }),
      render: drawCounts,
      figures: ["counts-plot"],
    },
    radial: {
      keys: RADIAL_KEYS,
      compute: (s, signal) => postJSON("api/v1/approximation/radial", {
        seed: s.seed, dims: parseDims(s.dims), sigma: s.sigma, n_samples: s.radial_samples,
      }, { signal }),
      render: drawRadial,
      figures: ["radial-plot"],
    },
    compare: {
      keys: COMPARE_KEYS,
      compute: (s, signal) => postJSON("api/v1/approximation/compare", compareRequest(s), { signal }),
      render: drawCompare,
      figures: ["compare-plot"],
    },
  },
});

document.getElementById("new-seed").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));
document.querySelector('input[data-key="n_samples"]').addEventListener("input", () => {
  // Keep the polynomial degree in the range that equally spaced samples support.
  const s = lab.state;
  if (s.degree > maxDegree(s.n_samples)) lab.set({ degree: maxDegree(s.n_samples) });
});

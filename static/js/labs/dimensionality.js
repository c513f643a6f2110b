// Curse-of-dimensionality lab: empty grid cells, coefficient counts with a growing degree,
// concentrating distances and a swiss roll. Every number comes from /api/v1/dimensionality.
import { postJSON } from "../api.js";
import { FieldError } from "../errors.js";
import { initPage } from "../shell.js";
import { COLORS, draw, fmt, move, title } from "../plots.js";
import { createLab } from "../state.js";

const schema = {
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  cells_per_side: { type: "int", default: 4, min: 2, max: 10 },
  n_train: { type: "int", default: 1000, min: 1, max: 5000 },
  max_inputs: { type: "int", default: 12, min: 1, max: 20 },
  coef_max: { type: "int", default: 20, min: 1, max: 30 },
  coef_degree: { type: "int", default: 3, min: 0, max: 10 },
  dist_dims: { type: "text", default: "1, 2, 10, 100, 1000", maxLength: 100 },
  dist_points: { type: "int", default: 300, min: 2, max: 600 },
  roll_points: { type: "int", default: 800, min: 1, max: 3000 },
  roll_turns: { type: "number", default: 1.5, min: 0.25, max: 3 },
  roll_noise: { type: "number", default: 0, min: 0, max: 2 },
  roll_az: { type: "number", default: 30, min: -180, max: 180 },
  roll_el: { type: "number", default: 65, min: -90, max: 90 },
};

/** Parse "1, 2, 10" into a list of whole numbers from 1 to 5000. */
export function parseDims(text) {
  const dims = text.split(/[\s,;]+/).filter((t) => t !== "").map(Number);
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 5000)) {
    throw new FieldError("dist_dims", 'dimensions must be whole numbers from 1 to 5000, e.g. "1, 10, 100"');
  }
  if (dims.length > 8) throw new FieldError("dist_dims", `at most 8 dimensions, got ${dims.length}`);
  return dims;
}

const LEGEND_BELOW = {
  legend: { orientation: "h", x: 0, y: -0.25, yanchor: "top" },
  margin: { l: 70, r: 20, t: 40, b: 110 },
};

const API = "api/v1/dimensionality";
const pct = (a) => `${(100 * a).toFixed(1)}%`;

// The grid figure's axes are fixed (D = 1..max, fractions 0..1): a move of k or N moves its
// curves without a redraw; k and N are named in the read-outs.
let gridShown = null;

function drawGrid(g, s) {
  const moving = [g.empty_fraction, g.expected_empty, g.accuracy, g.accuracy_covered];
  const xs = JSON.stringify(g.n_inputs);
  if (!(gridShown === xs && move("grid-plot", { x: moving.map(() => g.n_inputs), y: moving }, [0, 1, 2, 3]))) drawGridFigure(g);
  gridShown = xs;
  const last = g.n_inputs.length - 1;
  document.getElementById("grid-readouts").innerHTML = [
    `<div><b>k = ${s.cells_per_side}</b> blocks per side, <b>N = ${s.n_train}</b> training points</div>`,
    `<div><b>D = ${g.n_inputs[last]}</b>: ${fmt(g.total_cells[last], 3)} blocks, ${g.occupied_cells[last]} hold data</div>`,
    `<div><b>empty</b>: ${pct(g.empty_fraction[last])} of test points (predicted ${pct(g.expected_empty[last])})</div>`,
    `<div><b>accuracy</b>: ${pct(g.accuracy[0])} at D = 1, ${pct(g.accuracy[last])} at D = ${g.n_inputs[last]}</div>`,
  ].join("");
}

function drawGridFigure(g) {
  draw("grid-plot", [
    { x: g.n_inputs, y: g.empty_fraction, mode: "lines+markers", name: "test points in an empty block", line: { color: COLORS.model, width: 2.5 }, marker: { size: 7 } },
    { x: g.n_inputs, y: g.expected_empty, mode: "lines", name: "(1 − k^−D)^N", line: { color: COLORS.muted, dash: "dash", width: 2 } },
    { x: g.n_inputs, y: g.accuracy, mode: "lines+markers", name: "accuracy (empty block = coin flip)", line: { color: COLORS.data, width: 2.5 }, marker: { size: 7, symbol: "square" } },
    { x: g.n_inputs, y: g.accuracy_covered, mode: "lines+markers", name: "accuracy where the block has data", line: { color: COLORS.exact, width: 2, dash: "dot" }, marker: { size: 6 } },
  ], {
    title: title("Empty blocks and accuracy against D"),
    xaxis: { title: { text: "input dimension D" }, dtick: 1, range: [g.n_inputs[0] - 0.5, g.n_inputs.at(-1) + 0.5] },
    yaxis: { title: { text: "fraction" }, range: [0, 1.05] },
    ...LEGEND_BELOW,
  });
}

function drawCoefficients(c, s) {
  draw("coef-plot", [
    { x: c.n_inputs, y: c.growing, mode: "lines+markers", name: "degree M = D: C(2D, D)", line: { color: COLORS.model, width: 2.5 }, marker: { size: 6 } },
    { x: c.n_inputs, y: c.growing_approximation, mode: "lines", name: "4^D / √(πD)", line: { color: COLORS.muted, dash: "dash", width: 2 } },
    { x: c.n_inputs, y: c.fixed, mode: "lines+markers", name: `fixed degree M = ${s.coef_degree}: C(M + D, D)`, line: { color: COLORS.exact, width: 2.5 }, marker: { size: 6, symbol: "square" } },
  ], {
    title: title("Coefficients of a full polynomial against the input dimension D"),
    xaxis: { title: { text: "input dimension D" } },
    yaxis: { title: { text: "coefficients" }, type: "log", exponentformat: "power" },
    ...LEGEND_BELOW,
  });
}

function drawDistances(d) {
  const mids = d.bin_edges.slice(1).map((e, j) => 0.5 * (e + d.bin_edges[j]));
  draw("dist-plot", d.dims.map((D, k) => ({
    x: mids, y: d.histogram[k], mode: "lines", name: `D = ${D}`, line: { color: COLORS.series[k % COLORS.series.length], width: 2.5, shape: "hvh" },
    hovertemplate: `D = ${D}<br>distance / mean = %{x:.2f}<br>density %{y:.2f}<extra></extra>`,
  })), {
    title: title("Pairwise distances divided by their mean"),
    xaxis: { title: { text: "distance / mean distance" }, range: [0, 2] },
    yaxis: { title: { text: "density" } },
    ...LEGEND_BELOW,
  });
  document.getElementById("dist-readouts").innerHTML = d.dims.map((D, k) =>
    `<div><b>D = ${D}</b>: mean ${fmt(d.mean[k], 3)}, root mean square ${fmt(d.rms[k], 3)} (predicted √(D/6) = ${fmt(d.predicted_rms[k], 3)}), farthest / nearest − 1 = ${fmt(d.relative_contrast[k], 3)}</div>`).join("");
}

function drawRoll(r, s) {
  const marker = { color: r.t, colorscale: "Viridis", size: 5, line: { color: "#fff", width: 0.3 } };
  draw("roll-3d", [{
    x: r.view.map((p) => p[0]), y: r.view.map((p) => p[1]), mode: "markers", marker, name: "points",
    customdata: r.points, hovertemplate: "(%{customdata[0]:.2f}, %{customdata[1]:.2f}, %{customdata[2]:.2f})<extra></extra>",
  }], {
    title: title(`In 3D (view turned ${s.roll_az}°, raised ${s.roll_el}°)`),
    xaxis: { title: { text: "across the view" }, showticklabels: false, scaleanchor: "y", scaleratio: 1 },
    yaxis: { title: { text: "up in the view" }, showticklabels: false },
    showlegend: false,
  });
  draw("roll-flat", [{
    x: r.t, y: r.h, mode: "markers", marker: { ...marker, size: 5 }, name: "points",
    hovertemplate: "t = %{x:.2f}, h = %{y:.2f}<extra></extra>",
  }], {
    title: title("Unrolled: two numbers (t, h) per point"),
    xaxis: { title: { text: "position along the roll t" } },
    yaxis: { title: { text: "height h" } },
    showlegend: false,
  });
}

initPage("dimensionality");
const lab = createLab({
  schema,
  channels: {
    grid: {
      keys: ["seed", "cells_per_side", "n_train", "max_inputs"],
      compute: (s, signal) => postJSON(`${API}/grid-cells`, {
        seed: s.seed, max_inputs: s.max_inputs, cells_per_side: s.cells_per_side, n_train: s.n_train,
      }, { signal }),
      render: drawGrid,
      figures: ["grid-plot"],
    },
    coefficients: {
      keys: ["coef_max", "coef_degree"],
      compute: (s, signal) => postJSON(`${API}/coefficients`, { max_inputs: s.coef_max, degree: s.coef_degree }, { signal }),
      render: drawCoefficients,
      figures: ["coef-plot"],
    },
    distances: {
      keys: ["seed", "dist_dims", "dist_points"],
      compute: (s, signal) => postJSON(`${API}/distances`, { seed: s.seed, dims: parseDims(s.dist_dims), n_points: s.dist_points }, { signal }),
      render: drawDistances,
      figures: ["dist-plot"],
    },
    manifold: {
      keys: ["seed", "roll_points", "roll_turns", "roll_noise", "roll_az", "roll_el"],
      compute: (s, signal) => postJSON(`${API}/manifold`, {
        seed: s.seed, n_points: s.roll_points, turns: s.roll_turns, noise: s.roll_noise,
        azimuth: s.roll_az, elevation: s.roll_el,
      }, { signal }),
      render: drawRoll,
      figures: ["roll-3d", "roll-flat"],
    },
  },
  fields: { dims: "dist_dims" },
});
document.getElementById("new-seed").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));

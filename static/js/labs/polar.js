// Polar coordinates lab: ring data, logistic regression on (x1, x2) and on (r, theta), and
// both decision boundaries drawn in both planes.
import { postJSON, showError } from "../api.js";
import { initPage } from "../page.js";
import { COLORS, draw, fmt, title } from "../plots.js";
import { createLab } from "../state.js";

const schema = {
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  n_per_class: { type: "int", default: 100, min: 1, max: 1000 },
  inner_radius: { type: "number", default: 1, min: 0, max: 10 },
  outer_radius: { type: "number", default: 2, min: 0, max: 10 },
  noise: { type: "number", default: 0.15, min: 0, max: 2 },
  l2: { type: "number", default: 1e-3, min: 1e-6, max: 10 },
  grid_size: { type: "int", default: 60, min: 10, max: 100 },
};

// Pale blue (class 0) to pale red (class 1): the points stay readable on top.
const PROB_SCALE = [[0, "#c9dcf2"], [0.5, "#f7f7f7"], [1, "#f6cdd2"]];
const CLASS_COLORS = [COLORS.data, COLORS.model];
// Legend under the plot, clear of the x-axis title.
const LEGEND_BELOW = {
  legend: { orientation: "h", x: 0, y: -0.22, yanchor: "top" },
  margin: { l: 70, r: 20, t: 40, b: 100 },
};

function request(s) {
  return {
    seed: s.seed, n_per_class: s.n_per_class, inner_radius: s.inner_radius,
    outer_radius: s.outer_radius, noise: s.noise, l2: s.l2, grid_size: s.grid_size,
  };
}

function probabilityMap(x, y, z) {
  return [
    {
      type: "heatmap", x, y, z, zmin: 0, zmax: 1, colorscale: PROB_SCALE, showscale: false,
      hovertemplate: "p(class 1) = %{z:.2f}<extra></extra>", name: "p(class 1)",
    },
    {
      type: "contour", x, y, z, showscale: false, name: "boundary p = 0.5", hoverinfo: "skip",
      contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" }, line: { color: COLORS.ink, width: 3 },
    },
  ];
}

function points(x, y, labels) {
  return [0, 1].map((c) => ({
    x: x.filter((_, i) => labels[i] === c),
    y: y.filter((_, i) => labels[i] === c),
    mode: "markers",
    name: c === 0 ? "class 0 (inner)" : "class 1 (outer)",
    marker: { color: CLASS_COLORS[c], size: 6, line: { color: "#fff", width: 0.5 } },
  }));
}

function drawPlane(id, d, clf, heading) {
  const lim = d.x1_grid.at(-1);
  draw(id, [...probabilityMap(d.x1_grid, d.x2_grid, clf.prob_xy), ...points(d.x1, d.x2, d.labels)], {
    title: title(heading),
    xaxis: { title: { text: "x₁" }, range: [-lim, lim], constrain: "domain" },
    yaxis: { title: { text: "x₂" }, range: [-lim, lim], scaleanchor: "x", scaleratio: 1, constrain: "domain" },
    ...LEGEND_BELOW,
  });
}

function drawPolarPlane(id, d, clf, heading) {
  draw(id, [...probabilityMap(d.r_grid, d.theta_grid, clf.prob_polar), ...points(d.r, d.theta, d.labels)], {
    title: title(heading),
    xaxis: { title: { text: "r" }, range: [0, d.r_grid.at(-1)] },
    yaxis: {
      title: { text: "θ (radians)" }, range: [-Math.PI, Math.PI],
      tickvals: [-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI], ticktext: ["−π", "−π/2", "0", "π/2", "π"],
    },
    ...LEGEND_BELOW,
  });
}

const pct = (a) => `${(100 * a).toFixed(1)}%`;

function boundaryText(w, names) {
  // w0 + w1 f1 + w2 f2 = 0, written as f1 = ... when possible.
  if (Math.abs(w[1]) > 1e-12) return `${names[0]} = ${fmt(-w[0] / w[1], 3)} ${w[2] / w[1] <= 0 ? "+" : "−"} ${fmt(Math.abs(w[2] / w[1]), 3)}·${names[1]}`;
  return "no boundary";
}

function render(d) {
  showError(null);
  const c = d.cartesian;
  const p = d.polar;
  drawPlane("cart-xy", d, c, `Classifier on (x₁, x₂), seen in (x₁, x₂) · accuracy ${pct(c.accuracy)}`);
  drawPolarPlane("cart-polar", d, c, "Same classifier, seen in (r, θ)");
  drawPolarPlane("polar-polar", d, p, `Classifier on (r, θ), seen in (r, θ) · accuracy ${pct(p.accuracy)}`);
  drawPlane("polar-xy", d, p, "Same classifier, mapped back to (x₁, x₂)");
  const badge = (clf) => `<span class="badge ${clf.status}">${clf.status.replace("_", " ")}</span>`;
  document.getElementById("readouts").innerHTML = [
    `<div><b>on (x₁, x₂)</b>: accuracy ${pct(c.accuracy)} ${badge(c)}</div>`,
    `<div><b>on (r, θ)</b>: accuracy ${pct(p.accuracy)} ${badge(p)}, boundary ${boundaryText(p.weights, ["r", "θ"])}</div>`,
    d.boundary
      ? `<div><b>in the plane</b>: a spiral arc, seam of ${fmt(d.boundary.seam_gap, 3)} in r at θ = ±π</div>`
      : "",
    `<div><b>rings in r</b>: ${d.overlap_in_r
      ? "overlap (unpenalised weights are finite)"
      : "separated (unpenalised weights would grow without bound)"}</div>`,
  ].join("");
}

initPage("polar");
const lab = createLab({
  schema,
  compute: (s, signal) => postJSON("api/v1/polar/fit", request(s), { signal }),
  render,
});

document.getElementById("new-data").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));

// Polar coordinates lab: ring data, logistic regression on (x1, x2) and on (r, theta), and
// both decision boundaries drawn in both planes.
import { postJSON, showError } from "../api.js";
import { initPage } from "../page.js";
import { COLORS, draw, fmt, gridImage, imageOn, settle, title, wrapTitle } from "../plots.js";
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
const CLASS_NAMES = ["class 0 (inner)", "class 1 (outer)"];

// The four maps are panels of one figure (one redraw instead of four): each classifier in the
// space where it was fitted and in the other one. Panel = axes suffix; row-major on a wide
// screen (the (x1, x2) classifier on top), one column on a phone.
const PANELS = [
  { id: "cart-xy", axes: "", clf: "cartesian", plane: "xy" },
  { id: "cart-polar", axes: "2", clf: "cartesian", plane: "polar" },
  { id: "polar-polar", axes: "3", clf: "polar", plane: "polar" },
  { id: "polar-xy", axes: "4", clf: "polar", plane: "xy" },
];
const NARROW = 560; // px: below this the panels are stacked
const PANEL_HEIGHT = 430; // px per row of panels

function request(s) {
  return {
    seed: s.seed, n_per_class: s.n_per_class, inner_radius: s.inner_radius,
    outer_radius: s.outer_radius, noise: s.noise, l2: s.l2, grid_size: s.grid_size,
  };
}

/**
 * A boundary's pieces (traced by the API) as one path shape: "M" starts each piece. Like the
 * maps and the points, it is part of the layout, not a trace: a trace whose values change makes
 * Plotly redraw all eight axes of the figure, where shapes and images are redrawn alone.
 */
function boundaryShape(panel, pieces) {
  const path = pieces.map((c) => c.x.map((x, i) => `${i ? "L" : "M"}${x},${c.y[i]}`).join("")).join("");
  return {
    type: "path", name: "boundary p = 0.5", xref: `x${panel.axes}`, yref: `y${panel.axes}`, layer: "above",
    path: path || "M0,0", line: { color: COLORS.ink, width: 3 }, visible: Boolean(path),
  };
}

/** One panel's probability map as a layout image (see gridImage), named after the panel. */
function mapImage(panel, x, y, z) {
  return { ...imageOn(x, y, `x${panel.axes}`, `y${panel.axes}`), source: gridImage(z, PROB_SCALE), name: panel.id };
}

/**
 * One panel's hover layer: an invisible heatmap of the map's cells, so that hover and the keyboard
 * read p(class 1) anywhere on the map.
 */
function hoverLayer(panel, x, y, z) {
  return {
    type: "heatmap", x, y, z, zmin: 0, zmax: 1, colorscale: PROB_SCALE, showscale: false, opacity: 0,
    xaxis: `x${panel.axes}`, yaxis: `y${panel.axes}`, name: "p(class 1)",
    hovertemplate: "p(class 1) = %{z:.2f}<extra></extra>",
  };
}

// The legend: traces of no point, made once (the same arrays every time, so Plotly sees no change).
const LEGEND = [
  ...[0, 1].map((c) => ({
    x: [null], y: [null], mode: "markers", name: CLASS_NAMES[c], hoverinfo: "skip",
    marker: { color: CLASS_COLORS[c], size: 6 },
  })),
  { x: [null], y: [null], mode: "lines", name: "boundary p = 0.5", hoverinfo: "skip", line: { color: COLORS.ink, width: 3 } },
];

// θ ticks at multiples of π/2, the same arrays every time (a new array would redraw the figure).
const THETA_TICKS = [-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI];
const THETA_LABELS = ["−π", "−π/2", "0", "π/2", "π"];

/**
 * The points of one panel as two path shapes (one per class), each point a segment of no
 * length that the page's style draws with round ends, a dot 6 px wide (`.plot.dots` in
 * style.css). Plotly draws one SVG element per marker: 800 markers cost some 40 ms a redraw,
 * where eight paths cost a few; the price is no hover on a point (the map's hover layer under
 * it still answers). `name` says which class a
 * path holds.
 */
function pointShapes(panel, points) {
  return [0, 1].map((c) => ({
    type: "path", name: CLASS_NAMES[c], xref: `x${panel.axes}`, yref: `y${panel.axes}`, layer: "above",
    path: points[c].x.map((x, i) => `M${x},${points[c].y[i]}L${x},${points[c].y[i]}`).join(""),
    line: { color: CLASS_COLORS[c], width: 6 },
  }));
}

/** The points of each class in one plane: [{x, y} for class 0, {x, y} for class 1]. */
function byClass(x, y, labels) {
  return [0, 1].map((c) => ({ x: x.filter((_, i) => labels[i] === c), y: y.filter((_, i) => labels[i] === c) }));
}

function drawMaps(d, headings) {
  const el = document.getElementById("maps");
  const narrow = el.clientWidth > 0 && el.clientWidth < NARROW;
  const rows = narrow ? 4 : 2;
  const cols = narrow ? 1 : 2;
  // t: title and legend (on a phone draw() moves the legend below the panels, b makes room).
  const margin = { l: 60, r: 20, t: 80, b: narrow ? 90 : 30 };
  const area = rows * PANEL_HEIGHT; // px of the plotting area; a panel's share is 1 / rows
  const height = margin.t + margin.b + area;
  el.style.height = `${height}px`;
  const lim = d.x1_grid.at(-1);
  const points = { xy: byClass(d.x1, d.x2, d.labels), polar: byClass(d.r, d.theta, d.labels) };
  const images = [];
  const hover = [];
  const shapes = [];
  const layout = {};
  const annotations = [];
  PANELS.forEach((panel, k) => {
    const clf = d[panel.clf];
    if (panel.plane === "xy") {
      images.push(mapImage(panel, d.x1_grid, d.x2_grid, clf.prob_xy));
      hover.push(hoverLayer(panel, d.x1_grid, d.x2_grid, clf.prob_xy));
      shapes.push(boundaryShape(panel, clf.boundary_xy));
    } else {
      images.push(mapImage(panel, d.r_grid, d.theta_grid, clf.prob_polar));
      hover.push(hoverLayer(panel, d.r_grid, d.theta_grid, clf.prob_polar));
      shapes.push(boundaryShape(panel, clf.boundary_polar));
    }
    shapes.push(...pointShapes(panel, points[panel.plane]));
    const row = Math.floor(k / cols);
    const col = k % cols;
    // Room above each panel for its heading, below it for the x-axis title.
    const top = 1 - row / rows - (narrow ? 62 : 40) / area;
    const bottom = 1 - (row + 1) / rows + 75 / area;
    const gap = cols === 1 ? 0 : 0.06; // between the columns, for the right panel's y axis
    const x = [col / cols + (col > 0 ? gap : 0), (col + 1) / cols - (col < cols - 1 ? gap : 0)];
    const xa = `xaxis${panel.axes}`;
    const ya = `yaxis${panel.axes}`;
    if (panel.plane === "xy") {
      layout[xa] = { title: { text: "x₁" }, range: [-lim, lim], constrain: "domain", domain: x, anchor: `y${panel.axes}` };
      layout[ya] = {
        title: { text: "x₂" }, range: [-lim, lim], scaleanchor: `x${panel.axes}`, scaleratio: 1, constrain: "domain",
        domain: [bottom, top], anchor: `x${panel.axes}`,
      };
    } else {
      layout[xa] = { title: { text: "r" }, range: [0, d.r_grid.at(-1)], domain: x, anchor: `y${panel.axes}` };
      layout[ya] = {
        title: { text: "θ (radians)" }, range: [-Math.PI, Math.PI], domain: [bottom, top], anchor: `x${panel.axes}`,
        tickvals: THETA_TICKS, ticktext: THETA_LABELS,
      };
    }
    // The panel's heading, in lines that fit on a phone.
    const heading = narrow ? wrapTitle(headings[k], Math.floor((el.clientWidth - margin.l - margin.r) / 8.5))[0] : headings[k];
    annotations.push({
      text: heading, name: panel.id, showarrow: false, font: { size: 15 },
      xref: "paper", yref: "paper", x: x[0], xanchor: "left", y: top, yanchor: "bottom", yshift: 8,
    });
  });
  const { xaxis, yaxis, ...others } = layout;
  const figure = {
    height,
    title: title("Both classifiers, each seen in both planes"),
    xaxis, yaxis, ...others, annotations, shapes, images,
    legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom", yref: "paper" },
    margin,
  };
  const traces = [...LEGEND, ...hover];
  const shown = el.data;
  if (shown?.length === traces.length) {
    // A step keeps the hover layer it has (the same traces: Plotly redraws no axis) and draws
    // the new one when the lab is still.
    draw(el, shown, figure);
    settle(el, traces, figure);
  } else draw(el, traces, figure);
}

const pct = (a) => `${(100 * a).toFixed(1)}%`;

/** The API's boundary r = a + b θ as text (the sign of b written out). */
function boundaryText(boundary) {
  if (!boundary) return "no boundary";
  return `r = ${fmt(boundary.a, 3)} ${boundary.b >= 0 ? "+" : "−"} ${fmt(Math.abs(boundary.b), 3)}·θ`;
}

function render(d) {
  showError(null);
  const c = d.cartesian;
  const p = d.polar;
  drawMaps(d, [
    `Classifier on (x₁, x₂), seen in (x₁, x₂) · accuracy ${pct(c.accuracy)}`,
    "Same classifier, seen in (r, θ)",
    `Classifier on (r, θ), seen in (r, θ) · accuracy ${pct(p.accuracy)}`,
    "Same classifier, mapped back to (x₁, x₂)",
  ]);
  const badge = (clf) => `<span class="badge ${clf.status}">${clf.status.replace("_", " ")}</span>`;
  document.getElementById("readouts").innerHTML = [
    `<div><b>on (x₁, x₂)</b>: accuracy ${pct(c.accuracy)} ${badge(c)}</div>`,
    `<div><b>on (r, θ)</b>: accuracy ${pct(p.accuracy)} ${badge(p)}, boundary ${boundaryText(d.boundary)}</div>`,
    d.boundary
      ? `<div><b>in the plane</b>: a spiral arc, seam of ${fmt(d.boundary.seam_gap, 3)} in r at θ = ±π</div>`
      : "",
    `<div><b>rings in r</b>: ${d.overlap_in_r
      ? "overlap (unpenalised weights are finite)"
      : "separated (unpenalised weights would grow without bound)"}</div>`,
  ].join("");
}

// The inner ring stays inside the outer one: moving one radius past the other pushes it along.
const RING_GAP = 0.1;
const tidy = (v) => Number(v.toPrecision(12));

function keepRingsApart(next, changed) {
  if (changed.includes("inner_radius") && !changed.includes("outer_radius") && next.inner_radius + RING_GAP > next.outer_radius) {
    return { outer_radius: tidy(next.inner_radius + RING_GAP) };
  }
  if (changed.includes("outer_radius") && !changed.includes("inner_radius") && next.outer_radius - RING_GAP < next.inner_radius) {
    return { inner_radius: tidy(Math.max(0, next.outer_radius - RING_GAP)) };
  }
  return {};
}

initPage("polar");
const lab = createLab({
  schema,
  constrain: keepRingsApart,
  compute: (s, signal) => postJSON("api/v1/polar/fit", request(s), { signal }),
  render,
});

document.getElementById("new-data").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));

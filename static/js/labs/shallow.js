// Shallow networks lab (1D input): pre-activations -> activations -> weighted -> output.
import { postJSON, showError } from "../api.js";
import { initPage } from "../page.js";
import { COLORS, draw, fmt, onPlot, title } from "../plots.js";
import { createLab } from "../state.js";
import { steadyRange, update } from "../steady.js";
import { ACTIVATION_NAMES, fillActivationSelect, round, seededUniform, unitColor } from "./nets.js";
import { setHTML, setProp } from "../dom.js";

const MAX_UNITS = 16;
const PARAM = 100; // the API's bound on every parameter

// The book's example (Prince, fig. 3.3 / notebook 3.1) for units 1-3; a spread of joints for
// the others so that raising D adds visible joints in [0, 1].
const BOOK = { t0: [0.3, -1.0, -0.5], t1: [-1.0, 2.0, 0.65], p: [2.0, -1.0, 7.0], p0: -0.3 };
const EXTRA_T1 = [1.5, -2, 1.2, -1.8, 2.5, -1, 3, -2.2, 1.7, -1.4, 2.1, -2.6, 1.1];
const EXTRA_P = [0.8, -1.2, 1.5, -0.6, 1, -1.5, 0.5, 1.2, -0.9, 0.7, -1.1, 1.3, -0.4];
const SECOND_OUTPUT = [-1.5, 1.0, -3.0];

function defaults(d) {
  if (d < 3) return { t0: BOOK.t0[d], t1: BOOK.t1[d], p: BOOK.p[d], q: SECOND_OUTPUT[d] };
  const t1 = EXTRA_T1[d - 3];
  const joint = 0.05 + 0.9 * ((d * 0.37) % 1);
  return { t0: round(-t1 * joint), t1, p: EXTRA_P[d - 3], q: round(-0.5 * EXTRA_P[d - 3]) };
}

const num = (def) => ({ type: "number", default: def, min: -PARAM, max: PARAM });
const schema = {
  activation: { type: "enum", options: ACTIVATION_NAMES, default: "relu" },
  D: { type: "int", default: 3, min: 1, max: MAX_UNITS },
  two_outputs: { type: "bool", default: false },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  p0: num(BOOK.p0),
  q0: num(0.5),
  x_min: { type: "number", default: 0, min: -PARAM, max: PARAM },
  x_max: { type: "number", default: 1, min: -PARAM, max: PARAM },
};
for (let d = 0; d < MAX_UNITS; d++) {
  const def = defaults(d);
  schema[`t${d + 1}0`] = num(def.t0);
  schema[`t${d + 1}1`] = num(def.t1);
  schema[`p${d + 1}`] = num(def.p);
  schema[`q${d + 1}`] = num(def.q);
}

function buildUnitControls() {
  const slider = (key, label, lo, hi, step) =>
    `<label class="control"><span>${label}</span> <output data-for="${key}"></output>
      <input type="range" data-key="${key}" min="${lo}" max="${hi}" step="${step}"></label>`;
  const html = [];
  for (let d = 1; d <= MAX_UNITS; d++) {
    html.push(`<fieldset class="unit" data-unit="${d}">
      <legend><span class="swatch" style="background:${unitColor(d - 1)}"></span>Hidden unit ${d}</legend>
      ${slider(`t${d}0`, `θ<sub>${d}0</sub> (bias)`, -5, 5, 0.01)}
      ${slider(`t${d}1`, `θ<sub>${d}1</sub> (slope)`, -5, 5, 0.01)}
      ${slider(`p${d}`, `φ<sub>${d}</sub> (output weight)`, -10, 10, 0.05)}
      <div class="output2">${slider(`q${d}`, `φ'<sub>${d}</sub> (output 2)`, -10, 10, 0.05)}</div>
    </fieldset>`);
  }
  document.getElementById("unit-controls").innerHTML = html.join("");
}

function request(s) {
  const theta = [];
  const phi = [[s.p0]];
  const phi2 = [s.q0];
  for (let d = 1; d <= s.D; d++) {
    theta.push([s[`t${d}0`], s[`t${d}1`]]);
    phi[0].push(s[`p${d}`]);
    phi2.push(s[`q${d}`]);
  }
  if (s.two_outputs) phi.push(phi2);
  if (!(s.x_min < s.x_max)) throw new Error("the view needs 'x from' < 'x to'");
  return { activation: s.activation, theta, phi, x_min: s.x_min, x_max: s.x_max, n_points: 400 };
}

let last = null; // last answer drawn, for hovering
let lastState = null;

let outputWidth = 0; // px, the output figure's width, read before a render writes anything

/** Vertical dotted lines at the joints, in each unit's colour, for every panel. */
function jointShapes(d) {
  return d.joints.map((j) => ({
    type: "line", xref: "x", yref: "paper", x0: j.x, x1: j.x, y0: 0, y1: 1,
    line: { color: unitColor(j.unit), width: 1.5, dash: "dot" },
  }));
}

/** The linear region (index) that contains activation pattern `piece`. */
function regionOfPiece(d, piece) {
  if (piece === null || !d.linear_regions) return null;
  return d.linear_regions.findIndex((r) => piece >= r.pieces[0] && piece <= r.pieces[1]);
}

/** Alternate light bands for the linear regions, and a stronger band for the hovered one. */
function regionShapes(d, hoveredPiece) {
  if (!d.linear_regions) return [];
  const hovered = regionOfPiece(d, hoveredPiece);
  return d.linear_regions.map((r, i) => ({
    type: "rect", xref: "x", yref: "paper", x0: r.x_start, x1: r.x_end, y0: 0, y1: 1, layer: "below",
    line: { width: 0 },
    fillcolor: i === hovered ? "rgba(224,123,0,0.18)" : i % 2 ? "rgba(31,95,168,0.07)" : "rgba(0,0,0,0)",
  }));
}

// Every unit panel holds its units' curves in a fixed number of traces, those beyond D empty,
// and names its units in the legend row above the panels (not in a Plotly legend): changing D
// or any parameter then keeps the figures' structure, and a step only moves their curves
// (steady.js) while they stay in view. The panels grow by SLOTS traces when D passes what they
// hold, and never shrink: not MAX_UNITS traces from the start, since Plotly walks every trace's
// attributes on each update, empty or not.
const SLOTS = 4;
let slotCount = 0;
function slots(units) {
  slotCount = Math.max(slotCount, Math.min(MAX_UNITS, SLOTS * Math.ceil(units / SLOTS)));
  return slotCount;
}

// A slot whose unit was removed holds one missing point, not empty arrays: Plotly hides a trace
// with no points instead of drawing it, so moving a curve to empty arrays would leave it on
// screen. A slot that never held a curve stays empty (Plotly then skips most of its work).
const NO_POINTS = [null];
let unitsDrawn = 0; // the most units the panels have shown

function unitTraces(d, lists, s, inactive, prefix = "") {
  unitsDrawn = Math.max(unitsDrawn, lists.length);
  const empty = (u) => (u < unitsDrawn ? NO_POINTS : []);
  return Array.from({ length: slots(lists.length) }, (_, u) => ({
    x: u < lists.length ? d.x : empty(u), y: u < lists.length ? lists[u] : empty(u),
    hoverinfo: u < lists.length ? "all" : "skip", // the keyboard's walk skips an empty slot
    mode: "lines", name: `${prefix}unit ${u + 1}`,
    line: { color: unitColor(u), width: inactive.has(u) ? 4.5 : 2, dash: inactive.has(u) ? "dot" : "solid" },
    opacity: inactive.size && !inactive.has(u) ? 0.35 : 1, showlegend: false,
    hovertemplate: `${prefix}unit ${u + 1}: %{y:.3f}<extra></extra>`,
  }));
}

const ranges = {}; // figure id -> y range it is drawn with

const UNIT_MOVING = ["x", "y", "hoverinfo"]; // what a step may change in a unit panel's traces
const OUTPUT_MOVING = ["x", "y", "marker", "customdata"]; // and in the output's (joints' markers)

function panel(id, traces, lists, layout, s, style, moving = UNIT_MOVING) {
  ranges[id] = steadyRange(ranges[id], lists.flat(Infinity));
  const xaxis = { ...layout.xaxis, range: [s.x_min, s.x_max] };
  update(id, traces, { ...layout, xaxis, yaxis: { ...layout.yaxis, range: ranges[id] } }, {
    key: JSON.stringify([s.two_outputs, style, traces.length]),
    moving,
  });
}

function drawAll(d, s, hovered = null) {
  const piece = hovered === null || !d.pieces ? null : d.pieces[hovered];
  const inactive = new Set();
  if (piece && s.activation !== "linear") piece.active.forEach((on, u) => !on && inactive.add(u));
  const style = [...inactive];
  const xaxis = { title: { text: "input x" } };
  const margin = { l: 60, r: 20, t: 40, b: 60 };
  const shapes = [...regionShapes(d, hovered), ...jointShapes(d)];
  panel("preact-plot", unitTraces(d, d.preactivations, s, inactive), [d.preactivations], {
    title: title("1 · Pre-activations z_d = θ_d0 + θ_d1 x"),
    xaxis, yaxis: { title: { text: "z_d" }, zeroline: true }, shapes, margin,
  }, s, style);
  panel("act-plot", unitTraces(d, d.activations, s, inactive), [d.activations], {
    title: title("2 · Activations h_d = a[z_d]"),
    xaxis, yaxis: { title: { text: "h_d" } }, shapes, margin,
  }, s, style);
  const weighted = unitTraces(d, d.weighted_activations[0], s, inactive);
  if (s.two_outputs) {
    for (const t of unitTraces(d, d.weighted_activations[1], s, inactive, "output 2, ")) {
      weighted.push({ ...t, line: { ...t.line, dash: "dash", width: 1.5 } });
    }
  }
  panel("weighted-plot", weighted, [d.weighted_activations], {
    title: title(s.two_outputs ? "3 · Weighted φ_d h_d (dashed: φ'_d h_d)" : "3 · Weighted activations φ_d h_d"),
    xaxis, yaxis: { title: { text: "φ_d h_d" } }, shapes, margin,
  }, s, style);
  const outputs = d.outputs.map((ys, o) => ({
    x: d.x, y: ys, mode: "lines", name: o === 0 ? "y" : "y₂",
    line: { color: o === 0 ? COLORS.model : COLORS.exact, width: 3, dash: o === 0 ? "solid" : "dash" },
    hovertemplate: `x = %{x:.3f}<br>${o === 0 ? "y" : "y₂"} = %{y:.3f}<extra></extra>`,
  }));
  // Both outputs bend at the same joints: mark them on every output curve.
  d.outputs.forEach((_, o) => {
    outputs.push({
      x: d.joints.map((j) => j.x), y: d.joints.map((j) => j.y[o]), mode: "markers",
      name: "joints", showlegend: o === 0, legendgroup: "joints",
      // A joint where the slope does not change is drawn hollow: it splits no region.
      marker: {
        size: 9, color: d.joints.map((j) => (j.bends ? unitColor(j.unit) : "#fff")),
        line: { color: d.joints.map((j) => (j.bends ? "#fff" : unitColor(j.unit))), width: 2 },
      },
      customdata: d.joints.map((j) => (j.bends ? "the slope changes" : "no change of slope: inside a region")),
      hovertemplate: "joint at x = %{x:.3f}: %{customdata}<extra></extra>",
    });
  });
  panel("output-plot", outputs, [d.outputs], {
    title: title(`4 · Output y = φ_0 + Σ φ_d h_d${d.linear_regions ? ` · ${d.linear_regions.length} linear regions` : ""}`),
    xaxis, yaxis: { title: { text: "y" } }, shapes: [...labelledBands(d, s, hovered), ...jointShapes(d)], hovermode: "x",
    legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top" }, margin: { ...margin, b: 90 },
  }, s, null, OUTPUT_MOVING);
  drawLegend(d);
}

/** The units' colours and names, one row above the panels (their curves have no Plotly legend). */
function drawLegend(d) {
  setHTML("unit-legend", d.preactivations
    .map((_, u) => `<span><span class="swatch" style="background:${unitColor(u)}"></span>unit ${u + 1}</span>`)
    .join(""));
}

/**
 * The region bands of the output panel, each with its slope written at its top when the label
 * fits (as shape labels: moving them costs little, where annotations would redraw the figure).
 */
function labelledBands(d, s, hovered) {
  const bands = regionShapes(d, hovered);
  if (!d.linear_regions) return bands;
  const plotPixels = Math.max(200, outputWidth - 100);
  return bands.map((band, i) => {
    const r = d.linear_regions[i];
    const lo = Math.max(r.x_start, s.x_min);
    const hi = Math.min(r.x_end, s.x_max);
    const text = `slope ${r.slopes.map((v) => fmt(v, 3)).join(" / ")}`;
    // A label that does not fit is empty (the table has it): every band keeps the same keys, so
    // a step moves the bands without a relayout (steady.js).
    const fits = ((hi - lo) / (s.x_max - s.x_min)) * plotPixels >= 6.5 * text.length;
    return { ...band, label: { text: fits ? text : "", textposition: "top center", font: { size: 11, color: COLORS.muted } } };
  });
}

function unitsList(units) {
  return units.map((u) => `<span class="unit-tag" style="border-color:${unitColor(u)}">${u + 1}</span>`).join(" ");
}

function drawTable(d, s, hovered = null) {
  setProp("region-note", "textContent", d.note);
  if (!d.linear_regions) {
    setHTML("regions-table", "");
    return;
  }
  const two = d.outputs.length > 1;
  const head = `<tr><th>pattern</th><th>linear region</th><th>x from</th><th>x to</th><th>active units</th><th>inactive units</th>
    <th>slope dy/dx</th>${two ? "<th>slope dy₂/dx</th>" : ""}</tr>`;
  const rows = d.pieces.map((r, i) => {
    const on = r.active.flatMap((a, u) => (a ? [u] : []));
    const off = r.active.flatMap((a, u) => (a ? [] : [u]));
    return `<tr class="${i === hovered ? "current" : ""}" data-region="${i}"><td>${i + 1}</td><td>${regionOfPiece(d, i) + 1}</td>
      <td>${fmt(r.x_start)}</td><td>${fmt(r.x_end)}</td>
      <td class="units">${unitsList(on) || "none"}</td><td class="units">${s.activation === "linear" ? "–" : unitsList(off) || "none"}</td>
      <td>${fmt(r.slopes[0])}</td>${two ? `<td>${fmt(r.slopes[1])}</td>` : ""}</tr>`;
  });
  setHTML("regions-table", head + rows.join(""));
}

function describeRegion(d, s, i) {
  const info = document.getElementById("hover-info");
  if (!d.linear_regions) {
    info.textContent = "Linear regions are not counted for a curved activation (see the note under the plot).";
    return;
  }
  const r = d.pieces[i];
  const off = r.active.flatMap((a, u) => (a ? [] : [u + 1]));
  const where = `Region ${regionOfPiece(d, i) + 1}, pattern ${i + 1} (${fmt(r.x_start)} < x < ${fmt(r.x_end)}), slope ${fmt(r.slopes[0])}`;
  let what;
  if (s.activation === "linear") what = "every unit contributes: the identity never switches off.";
  else if (!off.length) what = "every unit is active here.";
  else {
    const one = off.length === 1;
    const who = one ? `unit ${off[0]} is` : `units ${off.join(", ")} are`;
    const effect = {
      relu: one ? "it contributes nothing here" : "they contribute nothing here",
      heaviside: one ? "its step outputs 0 here" : "their steps output 0 here",
      leaky_relu: "only the 0.1 leak of the slope remains",
    }[s.activation];
    what = `${who} inactive (z ≤ 0): ${effect}.`;
  }
  info.innerHTML = `<b>${where}:</b> ${what}`;
}

function regionAt(d, x) {
  if (!d.pieces) return null;
  const i = d.pieces.findIndex((r) => x >= r.x_start && x <= r.x_end);
  return i < 0 ? null : i;
}

let hovered = null;
function bindHover() {
  onPlot("output-plot", "plotly_hover", (ev) => {
    const x = ev.points?.[0]?.x;
    if (!last || !Number.isFinite(x)) return;
    outputWidth = document.getElementById("output-plot").clientWidth;
    const i = regionAt(last, x);
    if (i === hovered) return;
    hovered = i;
    drawAll(last, lastState, i);
    drawTable(last, lastState, i);
    if (i !== null || !last.linear_regions) describeRegion(last, lastState, i);
  });
}

const unitFieldsets = [];
const secondOutputControls = [];

function render(d, s) {
  outputWidth = document.getElementById("output-plot").clientWidth; // before any DOM write
  last = d;
  lastState = s;
  hovered = null;
  showError(null);
  drawAll(d, s);
  // After the figures: Plotly measures text as it draws, which would lay the page out again.
  unitFieldsets.forEach((el, u) => setProp(el, "hidden", u >= s.D));
  secondOutputControls.forEach((el) => setProp(el, "hidden", !s.two_outputs));
  drawTable(d, s);
  bindHover();
  const outputs = s.two_outputs ? 2 : 1;
  setHTML("readouts", [
    `<div><b>joints in view</b> ${d.joints.length}</div>`,
    `<div><b>activation patterns</b> ${d.pieces ? d.pieces.length : "–"}</div>`,
    `<div><b>linear regions</b> ${d.linear_regions ? d.linear_regions.length : "not defined (not piecewise linear)"}</div>`,
    `<div><b>at most</b> D + 1 = ${s.D + 1}</div>`,
    `<div><b>parameters</b> D(D_i + 1) + D_o(D + 1) = ${s.D}·2 + ${outputs}·${s.D + 1} = ${d.parameter_count}</div>`,
  ].join(""));
  setProp("hover-info", "textContent", d.linear_regions
    ? "Move the cursor over the output plot to see which units are inactive in each region."
    : "Linear regions are not counted for a curved activation (see the note under the plot).");
}

buildUnitControls();
unitFieldsets.push(...document.querySelectorAll("fieldset.unit"));
secondOutputControls.push(...document.querySelectorAll(".output2"));
fillActivationSelect(document.getElementById("activation-select"));
initPage("shallow");
const lab = createLab({
  schema,
  compute: (s, signal) => postJSON("api/v1/shallow/flow", request(s), { signal }),
  render,
});

document.getElementById("book-example").addEventListener("click", () => {
  const patch = { D: 3, p0: BOOK.p0, x_min: 0, x_max: 1, activation: "relu" };
  for (let d = 0; d < 3; d++) Object.assign(patch, { [`t${d + 1}0`]: BOOK.t0[d], [`t${d + 1}1`]: BOOK.t1[d], [`p${d + 1}`]: BOOK.p[d] });
  lab.set(patch);
});
document.getElementById("randomise").addEventListener("click", () => {
  const s = lab.state;
  const seed = s.seed + 1;
  const u = seededUniform(seed);
  const patch = { seed, p0: round(u(-1, 1)), q0: round(u(-1, 1)) };
  for (let d = 1; d <= MAX_UNITS; d++) {
    const slope = round(u(0.5, 3) * (u(0, 1) < 0.5 ? -1 : 1));
    const joint = u(s.x_min, s.x_max); // every joint lands inside the view
    Object.assign(patch, {
      [`t${d}0`]: round(-slope * joint), [`t${d}1`]: slope, [`p${d}`]: round(u(-2, 2)), [`q${d}`]: round(u(-2, 2)),
    });
  }
  lab.set(patch);
});

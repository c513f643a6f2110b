// Deep networks lab: composing two shallow networks, the generic MLP, deep against shallow.
// Every number drawn comes from /api/v1/deep/*; the page only arranges it.
import { postJSON } from "../api.js";
import { FieldError } from "../errors.js";
import { COLORS, draw, fmt, onPlot, title } from "../plots.js";
import { initPage, meta } from "../shell.js";
import { createLab } from "../state.js";
import { unitColor } from "./nets.js";
import { steadyRange, update } from "../steady.js";
import { setHTML, setProp } from "../dom.js";

const MAX_UNITS = 6; // per shallow network on this page (the API takes up to 16)
const PARAM = 100; // the API's bound on every parameter
// The folding example (core/deep.py FOLD_*): network 1 sweeps [-1, 1] up, down and up again;
// network 2 has four regions with four different slopes, so the composition has 3 x 4.
// 1/3 as the URL hash writes it (12 digits), so a reloaded link draws exactly the same view.
const THIRD = Number((1 / 3).toPrecision(12));
const FOLD = {
  t1: [[1.2, 1], [THIRD, 1], [-THIRD, 1]], p1: [-1.6, 3, -6, 6],
  t2: [[-0.5, -1], [0, 1], [-0.5, 1]], p2: [0, 1, 2, -4],
};
const EXTRA = [[0.6, -1.5, 0.5], [-0.7, 1.2, -0.5], [0.2, 2, 0.3]]; // units 4-6: (bias, weight, phi)

const num = (def, lo = -PARAM, hi = PARAM) => ({ type: "number", default: def, min: lo, max: hi });
const int = (def, lo, hi) => ({ type: "int", default: def, min: lo, max: hi });

function buildSchema(meta) {
  const activations = meta.registries.activations.map((a) => a.name);
  // The composition lab counts regions: only activations that keep the network piecewise linear.
  const piecewise = (meta.registries.piecewise_linear_activations ?? [{ name: "relu" }]).map((a) => a.name);
  const schema = {
    c_act: { type: "enum", options: piecewise, default: "relu" },
    x_min: num(-1), x_max: num(1),
    n1: int(3, 1, MAX_UNITS), p0: num(FOLD.p1[0]),
    n2: int(3, 1, MAX_UNITS), q0: num(FOLD.p2[0]),
    inputs: { type: "enum", options: ["1", "2"], default: "1" },
    K: int(3, 1, 10), W: int(6, 1, 64),
    act: { type: "enum", options: activations, default: "relu" },
    acts: { type: "text", default: "", maxLength: 200 },
    init: { type: "enum", options: meta.registries.initialisations.map((a) => a.name), default: "he" },
    scale: num(1, 0, 10), bias: num(0.5, 0, 10),
    seed: int(0, 0, 4294967295),
    edits: { type: "text", default: "", maxLength: 2000 },
    R: num(2, 0.1, 100),
    cw: int(4, 1, 12), ck: int(6, 1, 8), cs: int(5, 1, 6),
    bi: int(1, 1, 100), bw: int(64, 1, 10000), bk: int(30, 1, 200),
  };
  for (let d = 1; d <= MAX_UNITS; d++) {
    const [b1, w1] = d <= 3 ? FOLD.t1[d - 1] : EXTRA[d - 4];
    const [b2, w2] = d <= 3 ? FOLD.t2[d - 1] : EXTRA[d - 4];
    schema[`a${d}0`] = num(b1); schema[`a${d}1`] = num(w1); schema[`p${d}`] = num(d <= 3 ? FOLD.p1[d] : EXTRA[d - 4][2]);
    schema[`b${d}0`] = num(b2); schema[`b${d}1`] = num(w2); schema[`q${d}`] = num(d <= 3 ? FOLD.p2[d] : -EXTRA[d - 4][2]);
  }
  return schema;
}

function unitControls(prefix, outPrefix, label, prime) {
  const slider = (key, text) =>
    `<label class="control"><span>${text}</span> <output data-for="${key}"></output>
      <input type="range" data-key="${key}" min="-6" max="6" step="0.01"></label>`;
  const html = [];
  for (let d = 1; d <= MAX_UNITS; d++) {
    html.push(`<fieldset class="unit" data-${label}="${d}">
      <legend><span class="swatch" style="background:${unitColor(d - 1)}"></span>Unit ${d}</legend>
      ${slider(`${prefix}${d}0`, `θ${prime}<sub>${d}0</sub> (bias)`)}
      ${slider(`${prefix}${d}1`, `θ${prime}<sub>${d}1</sub> (slope)`)}
      ${slider(`${outPrefix}${d}`, `φ${prime}<sub>${d}</sub> (output weight)`)}
    </fieldset>`);
  }
  return html.join("");
}

// ----------------------------------------------------------------------------- requests

function composeBody(s) {
  if (!(s.x_min < s.x_max)) throw new FieldError("x_max", "'x to' must be larger than 'x from'");
  const theta1 = [], theta2 = [], phi1 = [s.p0], phi2 = [s.q0];
  for (let d = 1; d <= s.n1; d++) { theta1.push([s[`a${d}0`], s[`a${d}1`]]); phi1.push(s[`p${d}`]); }
  for (let d = 1; d <= s.n2; d++) { theta2.push([s[`b${d}0`], s[`b${d}1`]]); phi2.push(s[`q${d}`]); }
  return { activation: s.c_act, theta1, phi1, theta2, phi2, x_min: s.x_min, x_max: s.x_max, n_points: 301 };
}

function parseEdits(text) {
  return text.split(";").filter((e) => e.trim()).map((e) => {
    const [layer, row, column, value] = e.split(":").map(Number);
    return { layer, row, column, value };
  });
}

function networkSpec(s) {
  const acts = s.acts.split(",").map((a) => a.trim()).filter(Boolean);
  return {
    hidden: Array(s.K).fill(s.W), activations: acts.length ? acts : [s.act],
    init: s.init, scale: s.scale, bias_scale: s.bias, seed: s.seed, edits: parseEdits(s.edits),
  };
}

function mlpBody(s) {
  const network = networkSpec(s);
  // Fewer samples for big networks: every unit's curve comes back (the API caps the total).
  const points = Math.max(40, Math.min(201, Math.floor(90000 / (s.K * s.W))));
  if (s.inputs === "1") return { network, x_min: -s.R, x_max: s.R, n_points: points };
  return { network, x1_min: -s.R, x1_max: s.R, x2_min: -s.R, x2_max: s.R, grid_size: 120 };
}

// ----------------------------------------------------------------------------- drawing helpers

const SOURCE_COLOR = { "network 1": COLORS.model, "network 2": COLORS.data };
const margin = { l: 60, r: 20, t: 70, b: 50 };

/** Every other linear region shaded; only the shaded ones are shapes (each one costs drawing time). */
function regionBands(regions) {
  return regions.filter((_, i) => i % 2).map((r) => ({
    type: "rect", xref: "x", yref: "paper", x0: r.x_start, x1: r.x_end, y0: 0, y1: 1, layer: "below",
    line: { width: 0 }, fillcolor: "rgba(31,95,168,0.08)",
  }));
}

/** Markers at the joints `joints` (each with its x), at heights `ys` (the API's outputs there). */
function jointMarkers(joints, ys, name, color) {
  return {
    x: joints.map((j) => j.x), y: ys, mode: "markers", name,
    marker: {
      size: 10, color: joints.map((j) => (j.bends === false ? "#fff" : color(j))),
      line: { color: joints.map((j) => (j.bends === false ? color(j) : "#fff")), width: 2 },
    },
    hovertemplate: "joint at x = %{x:.4f}<extra></extra>",
  };
}

function counts(c) {
  return `${c.regions} linear region${c.regions === 1 ? "" : "s"}` + (c.pieces > c.regions ? ` (${c.pieces} patterns)` : "");
}

/**
 * β_k and Ω_k of every layer side by side as heatmaps, with their shapes. All share one pair of
 * axes (one subplot costs a third of six): block i starts at column `left`, one unit per column,
 * and its rows fill the height (row r of R at height (r + 1/2) / R, row 0 on top).
 */
function drawMatrices(el, net, { clickable = false } = {}) {
  const cols = [];
  net.omegas.forEach((omega, k) => {
    cols.push({ k, kind: "beta", z: net.betas[k].map((v) => [v]) });
    cols.push({ k, kind: "omega", z: omega });
  });
  const gap = Math.max(0.6, 0.012 * cols.reduce((a, c) => a + c.z[0].length, 0));
  const zmax = Math.max(1e-9, ...cols.flatMap((c) => c.z.flat().map(Math.abs)));
  const traces = [], annotations = [];
  let left = 0;
  cols.forEach((c, i) => {
    const rows = c.z.length, columns = c.z[0].length;
    const name = c.kind === "beta" ? `β_${c.k}` : `Ω_${c.k}`;
    traces.push({
      type: "heatmap", z: c.z, x0: left + 0.5, dx: 1, y0: 0.5 / rows, dy: 1 / rows,
      colorscale: "RdBu", reversescale: true, zmin: -zmax, zmax, showscale: i === cols.length - 1, xgap: 1, ygap: 1,
      colorbar: { thickness: 12, len: 0.8 },
      customdata: c.z.map((row, r) => row.map((_, j) => [c.k, r, c.kind === "beta" ? -1 : j])),
      hovertemplate: `${name}[%{customdata[1]}, %{customdata[2]}] = %{z:.4f}<extra></extra>`.replace(", -1]", "]"),
    });
    annotations.push({
      x: left + columns / 2, xref: "x", y: 1.0, yref: "paper", yanchor: "bottom", showarrow: false,
      text: `${name}<br>${rows}×${columns}`, font: { size: 12 },
    });
    left += columns + gap;
  });
  const bare = { showticklabels: false, ticks: "", showgrid: false, showline: false, fixedrange: true };
  draw(el, traces, {
    xaxis: { ...bare, range: [0, left - gap] }, yaxis: { ...bare, range: [1, 0] },
    annotations, margin: { l: 20, r: 60, t: 60, b: 20 }, hovermode: "closest",
    title: title(clickable ? "Weights and biases (click an entry to edit it)" : "The composition's weights and biases"),
  });
}

// ----------------------------------------------------------------------------- section 1

// The composition's matrices sit below the fold while its sliders move. plots.js draws an
// off-screen figure once the lab has been still for 250 ms, which lands inside the next request
// when a student steps a slider a few times a second; these wait until the section has been still
// for MATRICES_MS (or draw at once when on screen, or the first time). Whether it is on screen
// comes from an observer: measuring it on every step would lay the page out in mid-step.
const MATRICES_MS = 400;
let matricesTimer = null;
let matricesOnScreen = false;
new IntersectionObserver((entries) => {
  matricesOnScreen = entries.at(-1).isIntersecting;
}).observe(document.getElementById("compose-matrices"));
function drawComposeMatrices(net) {
  clearTimeout(matricesTimer);
  const el = document.getElementById("compose-matrices");
  if (!el.data || matricesOnScreen) drawMatrices(el, net);
  else matricesTimer = setTimeout(() => drawMatrices(el, net), MATRICES_MS);
}

// The three curves keep their axes while they stay well inside them: a step then moves the curves
// and joint markers and changes the bands and titles, without redrawing the figures (steady.js).
// Their titles are two lines (name, then the counts) on every screen, so a count that grows
// longer never changes the height of the title.
const ranges = {};
const MOVING = ["x", "y", "marker"];

function drawCompose(c, s) {
  const net1Joints = c.joints.filter((j) => j.source === "network 1");
  const crossings = c.joints.filter((j) => j.source === "network 2");
  const levels = c.joints2.map((y) => ({
    type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y, line: { color: COLORS.data, width: 1, dash: "dot" },
  }));
  const keep = (id, xRange, ys) => {
    ranges[id] = steadyRange(ranges[id], ys);
    return { x: xRange, y: ranges[id], key: "curves" };
  };
  const r1 = keep("net1-plot", [s.x_min, s.x_max], c.y);
  update("net1-plot", [
    { x: c.x, y: c.y, mode: "lines", name: "y(x)", line: { color: COLORS.model, width: 3 } },
    jointMarkers(net1Joints, net1Joints.map((j) => j.y), "joints of network 1", () => COLORS.model),
    {
      x: crossings.map((j) => j.x), y: crossings.map((j) => j.level), mode: "markers", name: "y crosses a joint of network 2",
      marker: { size: 8, symbol: "diamond", color: COLORS.data }, hovertemplate: "x = %{x:.4f}, y = %{y:.3f}<extra></extra>",
    },
  ], {
    title: title(`Network 1: y(x)<br>${counts(c.counts1)}`), margin, shapes: [...regionBands(c.regions1), ...levels],
    xaxis: { title: { text: "x" }, range: r1.x }, yaxis: { title: { text: "y" }, range: r1.y },
    legend: { orientation: "h", x: 0, y: -0.2, yanchor: "top" },
  }, { key: r1.key, moving: MOVING });
  ranges["net2-x"] = steadyRange(ranges["net2-x"], c.y_grid, { pad: 0.02 });
  const r2 = keep("net2-plot", ranges["net2-x"], c.y2);
  update("net2-plot", [
    { x: c.y_grid, y: c.y2, mode: "lines", name: "y'(y)", line: { color: COLORS.data, width: 3 } },
    jointMarkers(c.joints2.map((x) => ({ x })), c.joints2_output, "joints of network 2", () => COLORS.data),
  ], {
    title: title(`Network 2: y'(y)<br>${counts(c.counts2)}`), margin,
    shapes: regionBands(c.regions2), showlegend: false,
    xaxis: { title: { text: "y (the range network 1 reaches)" }, range: r2.x }, yaxis: { title: { text: "y'" }, range: r2.y },
  }, { key: r2.key, moving: MOVING });
  const r3 = keep("composed-plot", [s.x_min, s.x_max], c.composed);
  update("composed-plot", [
    { x: c.x, y: c.composed, mode: "lines", name: "y'(x)", line: { color: COLORS.ink, width: 3 } },
    jointMarkers(net1Joints, net1Joints.map((j) => j.output), "network 1's joints", () => COLORS.model),
    jointMarkers(crossings, crossings.map((j) => j.output), "crossings of network 2's joints", () => COLORS.data),
  ], {
    title: title(`Composition y'(x)<br>${counts(c.counts)}`), margin, shapes: regionBands(c.regions),
    xaxis: { title: { text: "x" }, range: r3.x }, yaxis: { title: { text: "y'" }, range: r3.y },
    legend: { orientation: "h", x: 0, y: -0.2, yanchor: "top" },
  }, { key: r3.key, moving: MOVING });
  setHTML("compose-readouts", [
    `<div><b>network 1</b> <span id="regions1">${c.counts1.regions}</span> regions</div>`,
    `<div><b>network 2</b> <span id="regions2">${c.counts2.regions}</span> regions on [${fmt(c.y_min, 3)}, ${fmt(c.y_max, 3)}]</div>`,
    `<div><b>composition</b> <span id="regions-composed">${c.counts.regions}</span> regions</div>`,
    `<div><b>joints</b> ${net1Joints.length} of network 1 + ${crossings.length} crossings</div>`,
  ].join(""));
  const silent = c.joints.filter((j) => !j.bends).length;
  setProp("compose-note", "textContent",
    "Dotted lines on the left: network 2's joints as values of y. Wherever y(x) crosses one, the composition gets a joint " +
    "(blue diamonds), so each piece of network 1 that sweeps across them receives a copy of network 2's shape." +
    (silent ? ` ${silent} joint(s), drawn hollow, do not change the slope and split no region.` : ""));
  drawComposeMatrices(c.deep);
  setProp("compose-check", "textContent",
    `Run as one network [${c.deep.widths.join(", ")}] with ${c.deep.parameter_count} parameters, it gives the same outputs: ` +
    `largest difference ${fmt(c.max_difference, 2)}.`);
  for (const el of unitFieldsets()) {
    setProp(el, "hidden", el.dataset.net1 ? Number(el.dataset.net1) > s.n1 : Number(el.dataset.net2) > s.n2);
  }
}

let unitFieldsets_ = null;
const unitFieldsets = () => (unitFieldsets_ ??= [...document.querySelectorAll("[data-net1], [data-net2]")]);

// ----------------------------------------------------------------------------- section 2

function segmentTrace(segments, color, name, width = 2) {
  const x = [], y = [];
  for (const seg of segments) x.push(seg.x1[0], seg.x1[1], null), y.push(seg.x2[0], seg.x2[1], null);
  return { x, y, mode: "lines", name, line: { color, width }, hoverinfo: "skip" };
}

function layerContainers(n) {
  const box = document.getElementById("mlp-layers");
  while (box.children.length < n) {
    const div = document.createElement("div");
    div.className = "plot";
    div.id = `mlp-layer-${box.children.length + 1}`;
    box.appendChild(div);
  }
  for (const [i, el] of [...box.children].entries()) el.hidden = i >= n;
}

function drawLine(m, s) {
  const joints = m.joints || [];
  const shapes = m.regions ? regionBands(m.regions) : [];
  draw("mlp-output", [
    { x: m.x, y: m.output, mode: "lines", name: "y(x)", line: { color: COLORS.ink, width: 2.5 } },
    jointMarkers(joints, joints.map((j) => j.y), "joints", (j) => unitColor(j.layer - 1)),
  ], {
    title: title(m.counts ? `Output · ${counts(m.counts)}` : "Output (not piecewise linear)"), margin, shapes,
    xaxis: { title: { text: "x" } }, yaxis: { title: { text: "y" } }, showlegend: false,
  });
  layerContainers(m.h ? m.h.length : 0);
  (m.h || []).forEach((units, k) => {
    const mine = joints.filter((j) => j.layer === k + 1);
    draw(`mlp-layer-${k + 1}`, units.map((ys, u) => ({
      x: m.x, y: ys, mode: "lines", name: `h${k + 1},${u + 1}`, line: { color: unitColor(u), width: 1.5 },
      hovertemplate: `unit ${u + 1}: %{y:.3f}<extra></extra>`,
    })), {
      title: title(`h_${k + 1} (layer ${k + 1})` + (m.layers ? ` · ${m.layers[k].regions} regions` : "")),
      margin: { l: 50, r: 10, t: 50, b: 40 }, showlegend: false,
      shapes: mine.map((j) => ({
        type: "line", xref: "x", yref: "paper", x0: j.x, x1: j.x, y0: 0, y1: 1, line: { color: COLORS.muted, width: 1, dash: "dot" },
      })),
    });
  });
}

function drawPlane(m, s) {
  const traces = [{
    type: "heatmap", x: m.x1, y: m.x2, z: m.output, colorscale: "RdBu", reversescale: true, zmid: 0,
    colorbar: { title: { text: "y", side: "right" }, thickness: 14 },
    customdata: m.region_index ? m.region_index.map((row) => row.map((k) => k + 1)) : undefined,
    hovertemplate: `x₁ = %{x:.3f}<br>x₂ = %{y:.3f}<br>y = %{z:.3f}${m.region_index ? "<br>region %{customdata}" : ""}<extra></extra>`,
  }];
  if (m.boundaries) traces.push(segmentTrace(m.boundaries, "#111", "region boundaries", 1.5));
  draw("mlp-output", traces, {
    title: title(m.regions === null ? "Output (not piecewise linear)" : `Output · ${m.regions} linear regions (${m.pieces} patterns)`),
    margin, xaxis: { title: { text: "x₁" }, range: [-s.R, s.R] }, yaxis: { title: { text: "x₂" }, range: [-s.R, s.R], scaleanchor: "x" },
    showlegend: false,
  });
  layerContainers(m.layers ? m.layers.length : 0);
  (m.layers || []).forEach((layer, k) => {
    draw(`mlp-layer-${k + 1}`, [segmentTrace(layer.boundaries, unitColor(k), `layer ${k + 1}`, 1.2)], {
      title: title(`After layer ${k + 1}: ${layer.regions} regions`),
      margin: { l: 40, r: 10, t: 50, b: 40 }, showlegend: false,
      xaxis: { range: [-s.R, s.R] }, yaxis: { range: [-s.R, s.R], scaleanchor: "x" },
    });
  });
}

function drawMlp(m, s) {
  if (s.inputs === "1") drawLine(m, s);
  else drawPlane(m, s);
  const layers = m.layers || [];
  draw("mlp-counts", [
    { x: layers.map((l) => l.layer), y: layers.map((l) => l.pieces), type: "bar", name: "activation patterns", marker: { color: COLORS.muted } },
    { x: layers.map((l) => l.layer), y: layers.map((l) => l.regions), type: "bar", name: "linear regions", marker: { color: COLORS.exact } },
  ], {
    title: title("Regions after each layer"), margin, barmode: "group",
    xaxis: { title: { text: "hidden layer k" }, dtick: 1 },
    yaxis: { title: { text: "count in view" }, type: Math.max(1, ...layers.map((l) => l.pieces)) > 100 ? "log" : "linear" },
  });
  const net = m.network;
  const w = net.widths;
  const terms = w.slice(1).map((out, k) => `${out}·(${w[k]} + 1)`).join(" + ");
  document.getElementById("param-formula").innerHTML =
    `Widths (${w.join(", ")}): ${terms} = <b id="mlp-params">${net.parameter_count}</b> parameters.`;
  const total = m.counts ? m.counts.regions : m.regions;
  document.getElementById("mlp-readouts").innerHTML = [
    `<div><b>linear regions in view (exact)</b> <span id="mlp-regions">${total ?? "not defined"}</span></div>`,
    `<div><b>activation patterns</b> ${m.counts ? m.counts.pieces : m.pieces ?? "–"}</div>`,
    `<div><b>layers</b> ${net.activations.length} × ${s.W} units (${net.activations.join(", ")})</div>`,
  ].join("");
  document.getElementById("mlp-note").textContent = m.piecewise_linear
    ? "Counts are exact: every joint is found by following the network layer by layer, however small the region."
    : "With a smooth activation the network bends everywhere: there are no linear regions to count.";
  drawMatrices("mlp-matrices", net, { clickable: true });
  onPlot("mlp-matrices", "plotly_click", (ev) => onMatrixClick(ev));
  const collapse = document.getElementById("collapse-box");
  collapse.hidden = !m.linear;
  if (m.linear) {
    document.getElementById("collapse-text").innerHTML =
      `W* = [${m.linear.weight.map((r) => r.map((v) => fmt(v, 3)).join(", ")).join("; ")}], b* = [${m.linear.bias.map((v) => fmt(v, 3)).join(", ")}]: ` +
      `rank <b id="collapse-rank">${m.linear.rank}</b> ≤ narrowest width ${m.linear.narrowest}; ` +
      `it equals the network everywhere (largest difference ${fmt(m.linear.max_difference, 2)}).`;
  }
}

// ----------------------------------------------------------------------------- section 3

function powerOfTen(big) {
  if (big.log10 < 15 && big.value !== null) return big.value.toLocaleString("en");
  const exponent = Math.floor(big.log10);
  return `${(10 ** (big.log10 - exponent)).toFixed(2)} × 10<sup>${exponent}</sup>`;
}

function drawCompare(c) {
  const scatter = (rows, name, color) => ({
    x: rows.flatMap((r, i) => r.map(() => c.depths[i])), y: rows.flat(), mode: "markers", name: `${name} (each seed)`,
    marker: { color, size: 6, opacity: 0.45 }, showlegend: false, hovertemplate: `${name}: %{y}<extra></extra>`,
  });
  const line = (y, name, color, dash = "solid", symbol = "circle") => ({
    x: c.depths, y, name, mode: "lines+markers", line: { color, dash, width: 2.5 }, marker: { symbol, size: 7 },
  });
  const bound = (key) => c.bounds.map((r) => 10 ** r[key].log10);
  draw("compare-plot", [
    line(c.deep_mean, "deep: K layers of D (mean)", COLORS.model),
    scatter(c.deep, "deep", COLORS.model),
    line(c.shallow_same_units_mean, "shallow, same units K·D (mean)", COLORS.data),
    scatter(c.shallow_same_units, "shallow, same units", COLORS.data),
    line(c.shallow_same_parameters_mean, "shallow, same parameters (mean)", COLORS.descent),
    line(c.sawtooth_counted, "sawtooth, counted", COLORS.exact, "solid", "diamond"),
    line(bound("shallow_same_units"), "bound, one layer of K·D (Zaslavsky)", COLORS.data, "dot"),
    line(bound("deep_lower"), "eq. 4.17: (D + 1)^K, reachable", COLORS.gradient, "dash"),
  ], {
    title: title(`Linear regions of ReLU networks with D = ${c.bounds[0].hidden_units} units per layer`), margin,
    xaxis: { title: { text: "depth K (hidden layers)" }, dtick: 1 }, yaxis: { title: { text: "linear regions" }, type: "log" },
    legend: { orientation: "v", x: 1.02, y: 1, yanchor: "top" },
  });
}

function drawBounds(b) {
  const head = "<tr><th>K</th><th>hidden units</th><th>parameters</th><th>one layer of K·D units</th><th>eq. 4.17 (reachable)</th><th>upper bound</th><th>sawtooth D<sup>K</sup></th></tr>";
  const rows = b.rows.map((r) => `<tr><td>${r.depth}</td><td>${r.hidden_units}</td><td>${r.deep_parameters.toLocaleString("en")}</td>` +
    `<td>${powerOfTen(r.shallow_same_units)}</td><td>${powerOfTen(r.deep_lower)}</td><td>${powerOfTen(r.deep_upper)}</td><td>${powerOfTen(r.sawtooth)}</td></tr>`);
  document.getElementById("bounds-table").innerHTML = head + rows.join("");
}

// ----------------------------------------------------------------------------- wiring

let onMatrixClick = () => {}; // set once the lab exists

async function main() {
  const manifest = await meta();
  const schema = buildSchema(manifest);
  document.getElementById("net1-units").innerHTML = unitControls("a", "p", "net1", "");
  document.getElementById("net2-units").innerHTML = unitControls("b", "q", "net2", "′");
  const fill = (id, options) => {
    document.getElementById(id).innerHTML = options.map((a) => `<option value="${a.name}">${a.label}</option>`).join("");
  };
  const acts = manifest.registries.activations;
  fill("compose-activation", acts.filter((a) => schema.c_act.options.includes(a.name)));
  fill("mlp-activation", acts);
  fill("mlp-init", manifest.registries.initialisations);
  const keys = Object.keys(schema);
  const composeKeys = keys.filter((k) => /^(c_act|x_min|x_max|n[12]|p\d|q\d|a\d\d|b\d\d)$/.test(k));
  const mlpKeys = ["inputs", "K", "W", "act", "acts", "init", "scale", "bias", "seed", "edits", "R"];
  const lab = createLab({
    schema,
    channels: {
      compose: {
        keys: composeKeys,
        compute: (s) => postJSON("api/v1/deep/compose", composeBody(s)),
        render: drawCompose,
        figures: ["net1-plot", "net2-plot", "composed-plot", "compose-matrices"],
      },
      mlp: {
        keys: mlpKeys,
        compute: (s) => postJSON(s.inputs === "1" ? "api/v1/deep/line" : "api/v1/deep/plane", mlpBody(s)),
        render: drawMlp,
        figures: ["mlp-output", "mlp-counts", "mlp-matrices"],
      },
      compare: {
        keys: ["cw", "ck", "cs"],
        compute: (s) => postJSON("api/v1/deep/compare", { width: s.cw, max_depth: s.ck, n_seeds: s.cs }),
        render: drawCompare,
        figures: ["compare-plot"],
      },
      bounds: {
        keys: ["bi", "bw", "bk"],
        compute: (s) => postJSON("api/v1/deep/bounds", { n_inputs: s.bi, width: s.bw, max_depth: s.bk }),
        render: drawBounds,
        figures: ["bounds-table"],
      },
    },
    // A new shape makes single-entry edits meaningless: they go with it.
    constrain: (next, changed) => (changed.some((k) => ["inputs", "K", "W"].includes(k)) ? { edits: "" } : {}),
    fields: { activations: "acts", edits: "edits", hidden: "K", n_inputs: "bi", width: "bw", max_depth: "bk" },
  });

  document.getElementById("fold-example").addEventListener("click", () => {
    const patch = { c_act: "relu", x_min: -1, x_max: 1, n1: 3, n2: 3, p0: FOLD.p1[0], q0: FOLD.p2[0] };
    for (let d = 1; d <= 3; d++) {
      Object.assign(patch, {
        [`a${d}0`]: FOLD.t1[d - 1][0], [`a${d}1`]: FOLD.t1[d - 1][1], [`p${d}`]: FOLD.p1[d],
        [`b${d}0`]: FOLD.t2[d - 1][0], [`b${d}1`]: FOLD.t2[d - 1][1], [`q${d}`]: FOLD.p2[d],
      });
    }
    lab.set(patch);
  });
  document.getElementById("mlp-reseed").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1, edits: "" }));
  document.getElementById("mlp-clear-edits").addEventListener("click", () => lab.set({ edits: "" }));
  let selected = null;
  const editBox = document.getElementById("edit-box");
  onMatrixClick = (ev) => {
    const p = ev.points?.[0];
    if (!p?.customdata) return;
    const [k, row, column] = p.customdata;
    selected = { k, row, column };
    editBox.hidden = false;
    document.getElementById("edit-label").textContent = column < 0 ? `β_${k}[${row}]` : `Ω_${k}[${row}, ${column}]`;
    document.getElementById("edit-value").value = String(p.z);
  };
  document.getElementById("edit-apply").addEventListener("click", () => {
    const value = Number(document.getElementById("edit-value").value);
    if (!selected || !Number.isFinite(value)) return;
    const entry = `${selected.k}:${selected.row}:${selected.column}:${value}`;
    const s = lab.state;
    lab.set({ edits: s.edits ? `${s.edits};${entry}` : entry });
  });
}

initPage("deep");
main();

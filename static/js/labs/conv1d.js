// 1D convolution lab: one layer and its connections, the dense matrix, channels, receptive
// fields of a stack, and shift equivariance / invariance. One state for the page, in the URL.
import { postJSON } from "../api.js";
import { FieldError } from "../errors.js";
import { initPage } from "../page.js";
import { COLORS, draw, fmt, onPlot, title } from "../plots.js";
import { createLab } from "../state.js";
import { steadyRange, update } from "../steady.js";
import { fillSelects, loadOptions, namesOf } from "./conv-options.js";
import { ACTIVATION_NAMES as ACTIVATIONS, fillActivationSelect } from "./nets.js";

const OPTIONS = await loadOptions(); // signals, padding modes and poolings from the core registries
const SIGNALS = namesOf(OPTIONS, "signals");
const PAD = namesOf(OPTIONS, "paddings");
const POOLINGS = namesOf(OPTIONS, "poolings");

const schema = {
  signal: { type: "enum", options: SIGNALS, default: "step" },
  length: { type: "int", default: 16, min: 4, max: 64 },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  values: { type: "text", default: "", maxLength: 2000 },
  kernel: { type: "text", default: "-1, 0, 1", maxLength: 300 },
  stride: { type: "int", default: 1, min: 1, max: 4 },
  dilation: { type: "int", default: 1, min: 1, max: 4 },
  padding: { type: "enum", options: PAD, default: "zero" },
  bias: { type: "number", default: 0, min: -2, max: 2 },
  activation: { type: "enum", options: ACTIVATIONS, default: "linear" },
  ch_in: { type: "int", default: 2, min: 1, max: 4 },
  ch_out: { type: "int", default: 3, min: 1, max: 6 },
  ch_k: { type: "int", default: 3, min: 1, max: 9 },
  ch_activation: { type: "enum", options: ACTIVATIONS, default: "relu" },
  rf_layers: { type: "text", default: "3, 1, 1\n3, 1, 1\n3, 1, 1", maxLength: 400 },
  rf_length: { type: "int", default: 32, min: 8, max: 128 },
  rf_padding: { type: "enum", options: PAD, default: "zero" },
  rf_unit: { type: "int", default: 16, min: 0, max: 127 },
  eq_signal: { type: "enum", options: SIGNALS, default: "bump" },
  eq_shift: { type: "int", default: 4, min: -12, max: 12 },
  eq_kernel: { type: "text", default: "1, 0, -1", maxLength: 300 },
  eq_activation: { type: "enum", options: ACTIVATIONS, default: "relu" },
  eq_pooling: { type: "enum", options: POOLINGS, default: "none" },
  eq_pool_size: { type: "int", default: 2, min: 1, max: 6 },
  eq_pool_stride: { type: "int", default: 2, min: 1, max: 6 },
};

const POS = "#b2182b";
const NEG = "#2166ac";
const DIVERGING = [[0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1, "#b2182b"]];

/** "1, -2 3" -> [1, -2, 3]; throws a readable error. */
export function parseNumbers(text, what, min, max) {
  const values = text.split(/[\s,;]+/).filter((v) => v !== "").map(Number);
  if (!values.every(Number.isFinite)) throw new Error(`${what}: use numbers separated by commas`);
  if (values.length < min || values.length > max) throw new Error(`${what}: give ${min} to ${max} numbers, got ${values.length}`);
  return values;
}

/** Lines "K, s, d" (s and d default to 1) -> layer objects. */
export function parseLayers(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l);
  if (lines.length < 1 || lines.length > 8) throw new Error(`receptive field: give 1 to 8 layers, got ${lines.length}`);
  return lines.map((line, n) => {
    const v = line.split(/[\s,;]+/).filter((x) => x).map(Number);
    if (v.length < 1 || v.length > 3 || !v.every((x) => Number.isInteger(x) && x >= 1)) {
      throw new Error(`receptive field, layer ${n + 1} ("${line}"): write "K, s, d" with whole numbers ≥ 1`);
    }
    return { kernel_size: v[0], stride: v[1] ?? 1, dilation: v[2] ?? 1 };
  });
}

// Each section is its own channel: fetched only when one of its own controls changes, so moving
// a control of one section redraws that section alone, and a typing error or a 422 in one leaves
// the others drawn. Typing errors name their text box (FieldError: shown next to it).
function parsed(key, parse) {
  try {
    return parse();
  } catch (err) {
    throw new FieldError(key, err.message);
  }
}

const CONV_KEYS = ["signal", "length", "seed", "values", "kernel", "stride", "dilation", "padding", "bias", "activation"];
function convRequest(s) {
  const body = {
    signal: s.signal, length: s.length, seed: s.seed, stride: s.stride, dilation: s.dilation,
    padding: s.padding, bias: s.bias, activation: s.activation,
    kernel: parsed("kernel", () => parseNumbers(s.kernel, "kernel", 1, 15)),
  };
  if (s.values.trim()) body.values = parsed("values", () => parseNumbers(s.values, "your values", 4, 128));
  return body;
}

const CHANNEL_KEYS = ["signal", "seed", "ch_in", "ch_out", "ch_k", "ch_activation"];
function channelsRequest(s) {
  return {
    signal: s.signal, length: 32, seed: s.seed, in_channels: s.ch_in, out_channels: s.ch_out,
    kernel_size: s.ch_k, activation: s.ch_activation,
  };
}

const RF_KEYS = ["rf_layers", "rf_length", "rf_padding", "rf_unit"];
function rfRequest(s) {
  // A unit beyond the last layer is replaced by its last unit: the answer says which was used.
  return {
    layers: parsed("rf_layers", () => parseLayers(s.rf_layers)), length: s.rf_length,
    padding: s.rf_padding, unit: s.rf_unit, clamp_unit: true,
  };
}

const EQ_KEYS = ["eq_signal", "seed", "eq_shift", "eq_kernel", "eq_activation", "eq_pooling", "eq_pool_size", "eq_pool_stride"];
function eqRequest(s) {
  return {
    signal: s.eq_signal, length: 48, seed: s.seed,
    kernel: parsed("eq_kernel", () => parseNumbers(s.eq_kernel, "shift kernel", 1, 15)),
    activation: s.eq_activation, shift: s.eq_shift, pooling: s.eq_pooling,
    pool_size: s.eq_pool_size, pool_stride: s.eq_pool_stride,
  };
}

// ---------------------------------------------------------------------------------------------
// Convolution section

let selectedOutput = null;
let lastConv = null;
const drawnKeys = {}; // figure id -> what its last drawing showed (an unchanged figure is not redrawn)

/** Draw a figure only when what it shows changed (`key`: everything its drawing depends on). */
function drawIfChanged(id, key, drawing) {
  if (drawnKeys[id] === key && document.getElementById(id).data) return;
  drawnKeys[id] = key;
  drawing();
}

const signalRanges = {};

/** Input and output; its axes stay put while they fit (steady.js), so a bias step moves points. */
function drawSignal(d) {
  const xs = d.x.map((_, j) => j);
  signalRanges.x = steadyRange(signalRanges.x, [...xs, ...d.output_centres], { pad: 0.04, fill: 0.8 });
  signalRanges.y = steadyRange(signalRanges.y, [...d.x, ...d.preactivations, ...d.activations]);
  update("signal-plot", [
    { x: xs, y: d.x, mode: "lines+markers", name: "input x", line: { color: COLORS.muted, width: 1.5, shape: "hvh" }, marker: { size: 6, color: COLORS.data } },
    { x: d.output_centres, y: d.preactivations, mode: "markers", name: "pre-activation z", marker: { size: 8, symbol: "circle-open", color: COLORS.model } },
    { x: d.output_centres, y: d.activations, mode: "lines+markers", name: "output h = a[z]", line: { color: COLORS.model, width: 2 }, marker: { size: 7 } },
  ], {
    title: title(`Input (N = ${d.x.length}) and output (N_{out} = ${d.activations.length})`),
    xaxis: { title: { text: "position (outputs at their window's centre)" }, range: signalRanges.x },
    yaxis: { title: { text: "value" }, range: signalRanges.y },
    uirevision: "signal",
  }, { key: "signal" });
}

// The connection diagram shows the structure only (which input each tap reads, the sign of its
// weight): a new bias or activation leaves it as it is. The outputs' values are in the plot above.
function drawConnections(d, s, kernel) {
  const nIn = d.x.length;
  const groups = { pos: { x: [], y: [] }, neg: { x: [], y: [] }, zero: { x: [], y: [] }, padded: { x: [], y: [] }, sel: { x: [], y: [] } };
  d.tap_positions.forEach((row, i) => {
    const xo = d.output_centres[i];
    row.forEach((xi, tap) => {
      const g = d.sources[i][tap] < 0 ? groups.padded : kernel[tap] > 0 ? groups.pos : kernel[tap] < 0 ? groups.neg : groups.zero;
      g.x.push(xi, xo, null);
      g.y.push(0, 1, null);
      if (i === selectedOutput) groups.sel.x.push(xi, xo, null) && groups.sel.y.push(0, 1, null);
    });
  });
  const padX = [...Array(d.padding_left).keys()].map((j) => j - d.padding_left)
    .concat([...Array(d.padding_right).keys()].map((j) => nIn + j));
  const traces = [
    { ...groups.padded, mode: "lines", name: "tap on padding (reads 0)", line: { color: "#c5c9d0", width: 1, dash: "dot" }, hoverinfo: "skip" },
    { ...groups.zero, mode: "lines", name: "w = 0", line: { color: "#dde1e7", width: 1 }, hoverinfo: "skip" },
    { ...groups.pos, mode: "lines", name: "w > 0", line: { color: POS, width: 1.6 }, hoverinfo: "skip" },
    { ...groups.neg, mode: "lines", name: "w < 0", line: { color: NEG, width: 1.6 }, hoverinfo: "skip" },
    { ...groups.sel, mode: "lines", name: "selected output", line: { color: COLORS.descent, width: 4 }, hoverinfo: "skip", showlegend: selectedOutput !== null },
    { x: [...Array(nIn).keys()], y: Array(nIn).fill(0), mode: "markers", name: "inputs x_j", marker: { size: 9, color: COLORS.data }, hovertemplate: "x_%{x} = %{customdata:.3f}<extra></extra>", customdata: d.x },
    { x: padX, y: padX.map(() => 0), mode: "markers", name: "zero padding", marker: { size: 9, color: "#fff", line: { color: COLORS.muted, width: 1.5 } }, hoverinfo: "skip" },
    {
      x: d.output_centres, y: d.output_centres.map(() => 1), mode: "markers", name: "outputs h_i",
      marker: { size: 11, color: COLORS.model }, customdata: d.output_centres.map((_, i) => [i]),
      hovertemplate: "output h_%{customdata[0]}<extra>hover: its inputs</extra>",
    },
  ];
  drawIfChanged("connections-plot", JSON.stringify([d.x, d.tap_positions, d.sources, d.output_centres, kernel.map(Math.sign), selectedOutput]), () =>
    draw("connections-plot", traces, {
      title: title(`Which inputs feed each output (K = ${kernel.length}, s = ${s.stride}, d = ${s.dilation})`),
      xaxis: { title: { text: "input position j" }, zeroline: false },
      yaxis: { tickvals: [0, 1], ticktext: ["input", "output"], range: [-0.25, 1.25], showgrid: false },
      margin: { l: 60, r: 20, t: 110, b: 50 },
      uirevision: "connections",
    }));
}

function drawMatrix(d) {
  const nOut = d.matrix.length;
  const nIn = d.matrix[0].length;
  drawIfChanged("matrix-plot", JSON.stringify([d.matrix, selectedOutput]), () => {
    const m = Math.max(1e-9, ...d.matrix.flat().map(Math.abs));
    const nonzero = d.matrix.flat().filter((v) => v !== 0).length;
    const shapes = selectedOutput !== null && selectedOutput < nOut
      ? [{ type: "rect", x0: -0.5, x1: nIn - 0.5, y0: selectedOutput - 0.5, y1: selectedOutput + 0.5, line: { color: COLORS.descent, width: 3 } }]
      : [];
    draw("matrix-plot", [{
      type: "heatmap", z: d.matrix, colorscale: DIVERGING, zmin: -m, zmax: m, xgap: 1, ygap: 1,
      colorbar: { thickness: 12, len: 0.8 },
      hovertemplate: "Ω[%{y}, %{x}] = %{z:.3f}<extra></extra>",
    }], {
      title: title(`Equivalent weight matrix Ω (${nOut} × ${nIn}): ${nonzero} of ${nOut * nIn} non-zero`),
      xaxis: { title: { text: "input j" }, range: [-0.5, nIn - 0.5], showgrid: false, constrain: "domain" },
      yaxis: { title: { text: "output i" }, range: [nOut - 0.5, -0.5], showgrid: false, scaleanchor: "x", constrain: "domain" },
      shapes,
      margin: { l: 60, r: 20, t: 50, b: 50 },
      uirevision: `matrix-${nOut}-${nIn}`,
    });
  });
}

/** Resize a kernel to k taps, keeping its values centred and filling with zeros. */
export function resizeKernel(values, k) {
  const out = Array(k).fill(0);
  const offset = Math.floor((k - values.length) / 2);
  values.forEach((v, i) => {
    if (i + offset >= 0 && i + offset < k) out[i + offset] = v;
  });
  return out;
}

function drawConv(d, s, kernel) {
  lastConv = { d, s, kernel };
  document.getElementById("kernel-size").value = String(kernel.length);
  document.getElementById("kernel-size-out").textContent = String(kernel.length);
  if (selectedOutput !== null && selectedOutput >= d.activations.length) selectedOutput = null;
  drawSignal(d);
  drawConnections(d, s, kernel);
  drawMatrix(d);
  document.getElementById("conv-readouts").innerHTML = [
    `<div><b>N</b> = ${d.x.length} → <b>N<sub>out</sub></b> = ${d.activations.length}</div>`,
    `<div><b>kernel spans</b> E = ${d.kernel_span} inputs; <b>padding</b> ${d.padding_left} left, ${d.padding_right} right</div>`,
    `<div><b>parameters</b>: convolution <b>${d.conv_parameters}</b> (K + 1) vs fully connected <b>${d.dense_parameters}</b></div>`,
  ].join("");
}

function bindConvHover() {
  onPlot("connections-plot", "plotly_hover", (ev) => {
    const p = ev.points?.[0];
    if (!p || !Array.isArray(p.customdata) || !lastConv) return;
    if (selectedOutput === p.customdata[0]) return;
    selectedOutput = p.customdata[0];
    drawConnections(lastConv.d, lastConv.s, lastConv.kernel);
    drawMatrix(lastConv.d);
  });
}

// ---------------------------------------------------------------------------------------------
// Channels section

function drawChannels(d, s) {
  const n = d.inputs[0].length;
  const xs = [...Array(n).keys()];
  draw("channel-inputs", d.inputs.map((row, c) => ({
    x: xs, y: row, mode: "lines+markers", name: `input channel ${c + 1}`, line: { color: COLORS.series[c], width: 2 }, marker: { size: 4 },
  })), {
    title: title(`Input: C_i = ${d.inputs.length} channel(s) of length ${n}`),
    xaxis: { title: { text: "position" } },
    uirevision: "ch-in",
  });
  const co = d.activations.length;
  const traces = [];
  const annotations = [];
  d.activations.forEach((row, o) => {
    const axis = o === 0 ? "" : String(o + 1);
    const w = d.weights.map((perIn) => perIn[o].map((v) => fmt(v, 2)).join(", ")).join(" | ");
    traces.push(
      { x: [...row.keys()], y: d.preactivations[o], mode: "lines", name: "pre-activation z", line: { color: COLORS.muted, dash: "dot", width: 1.5 }, xaxis: `x${axis}`, yaxis: `y${axis}`, showlegend: o === 0, legendgroup: "z" },
      { x: [...row.keys()], y: row, mode: "lines", name: "feature map h", line: { color: COLORS.series[(o + 4) % COLORS.series.length], width: 2.2 }, xaxis: `x${axis}`, yaxis: `y${axis}`, showlegend: false },
    );
    annotations.push({
      text: `channel ${o + 1}: β = ${fmt(d.biases[o], 2)}; Ω[·, ${o + 1}, ·] = ${w}`,
      xref: `x${axis} domain`, yref: `y${axis} domain`, x: 0, y: 1.02, xanchor: "left", yanchor: "bottom",
      showarrow: false, font: { size: 11 },
    });
  });
  const axes = {};
  for (let o = 0; o < co; o++) {
    const suffix = o === 0 ? "" : String(o + 1);
    axes[`xaxis${suffix}`] = { gridcolor: "#e6e8ec", showticklabels: o === co - 1, automargin: true };
    axes[`yaxis${suffix}`] = { gridcolor: "#e6e8ec", automargin: true };
  }
  // The figure grows with the number of channels; the div is sized first so Plotly fills it.
  document.getElementById("channel-outputs").style.height = `${Math.max(420, 130 * co + 120)}px`;
  draw("channel-outputs", traces, {
    title: title(`Output: C_o = ${co} feature maps, each mixing all ${d.inputs.length} input channel(s)`),
    grid: { rows: co, columns: 1, pattern: "independent", ygap: 0.45 },
    annotations,
    margin: { l: 50, r: 20, t: 80, b: 40 },
    ...axes,
    uirevision: `ch-out-${co}`,
  });
  document.getElementById("channel-readouts").innerHTML = [
    `<div><b>weights</b> Ω: ${d.inputs.length} × ${co} × ${s.ch_k} = ${d.conv_weights}, <b>biases</b> β: ${d.biases.length}</div>`,
    `<div><b>parameters</b>: convolution <b>${d.conv_parameters}</b> vs fully connected <b>${d.dense_parameters}</b></div>`,
    `<div class="note">input channels: the "${s.signal}" preset, then the other presets; weights drawn from seed ${s.seed} (He initialisation)</div>`,
  ].join("");
}

// ---------------------------------------------------------------------------------------------
// Receptive-field section

function drawReceptive(d, req) {
  const layers = req.layers;
  const L = layers.length;
  const edges = { x: [], y: [] };
  d.links.forEach((pairs, n) => {
    for (const [below, unit] of pairs) {
      edges.x.push(d.centres[n][below], d.centres[n + 1][unit], null);
      edges.y.push(n, n + 1, null);
    }
  });
  const traces = [{ ...edges, mode: "lines", name: "dependencies", line: { color: "rgba(224,123,0,0.45)", width: 1.2 }, hoverinfo: "skip" }];
  for (let l = 0; l <= L; l++) {
    const counts = d.paths[l];
    traces.push({
      x: d.centres[l], y: counts.map(() => l), mode: "markers", showlegend: false,
      name: l === 0 ? "input" : `layer ${l}`,
      marker: {
        size: l === L ? counts.map((c) => (c ? 16 : 8)) : 9,
        color: counts.map((c) => (c ? (l === L ? COLORS.model : COLORS.descent) : "#e6e8ec")),
        line: { color: "#8a8f98", width: 0.5 },
      },
      customdata: counts.map((c, i) => [i, c]),
      hovertemplate: `${l === 0 ? "input" : `layer ${l}`} unit %{customdata[0]}<br>paths to the chosen unit: %{customdata[1]}<extra></extra>`,
    });
  }
  const pos = d.positions;
  const shapes = pos.length ? [{
    type: "rect", x0: pos[0] - 0.5, x1: pos.at(-1) + 0.5, y0: -0.35, y1: 0.35, line: { color: COLORS.model, width: 2 }, fillcolor: "rgba(209,73,91,0.08)",
  }] : [];
  document.getElementById("rf-plot").style.height = `${Math.max(380, 80 * (L + 1) + 120)}px`;
  draw("rf-plot", traces, {
    title: title(`Unit ${d.unit} of layer ${L}: ${pos.length} inputs feed it (r_L = ${d.sizes.at(-1)})`),
    xaxis: { title: { text: "input position (units at their field's centre)" }, range: [-1.5, d.lengths[0] + 0.5] },
    yaxis: { tickvals: [...Array(L + 1).keys()], ticktext: ["input", ...layers.map((_, n) => `layer ${n + 1}`)], range: [-0.6, L + 0.6], showgrid: false },
    shapes,
    uirevision: `rf-${L}`,
  });
  const rows = layers.map((l, n) => `<tr><td>${n + 1}</td><td>${l.kernel_size}</td><td>${l.stride}</td><td>${l.dilation}</td><td>${d.lengths[n + 1]}</td><td>${d.jumps[n]}</td><td><b>${d.sizes[n]}</b></td></tr>`).join("");
  document.getElementById("rf-table").innerHTML =
    `<table class="data"><tr><th>layer</th><th>K</th><th>s</th><th>d</th><th>units</th><th>jump j</th><th>receptive field r</th></tr>${rows}</table>`;
  document.getElementById("rf-readouts").innerHTML =
    `<div><b>receptive field of the last layer</b>: ${d.sizes.at(-1)} inputs</div>` +
    `<div><b>inputs feeding unit ${d.unit}</b>: ${pos.length ? `${pos[0]} … ${pos.at(-1)}` : "none"}` +
    `${pos.length && pos.length < pos.at(-1) - pos[0] + 1 ? " (with holes: dilation)" : ""}</div>`;
  const unit = document.getElementById("rf-unit");
  unit.max = String(Math.max(0, d.lengths.at(-1) - 1));
}

// ---------------------------------------------------------------------------------------------
// Equivariance section

function drawEquivariance(d, s) {
  const xs = [...d.x.keys()];
  draw("eq-input", [
    { x: xs, y: d.x, mode: "lines", name: "x", line: { color: COLORS.muted, width: 2 } },
    { x: xs, y: d.t_x, mode: "lines", name: `t[x] (shifted by ${s.eq_shift})`, line: { color: COLORS.data, width: 2.5 } },
  ], { title: title("Input and shifted input"), xaxis: { title: { text: "position" } }, uirevision: "eq-in" });
  const n = d.f_x.length;
  const ox = [...Array(n).keys()];
  const global = n === 1 && s.eq_pooling.startsWith("global");
  const traces = [
    { x: ox, y: d.f_x, mode: global ? "markers" : "lines", name: "f[x]", line: { color: COLORS.muted, width: 1.5, dash: "dash" }, marker: { size: 12, color: COLORS.muted } },
    { x: ox, y: d.f_t_x, mode: global ? "markers" : "lines+markers", name: "f[t[x]]", line: { color: COLORS.data, width: 2.5 }, marker: { size: global ? 14 : 4, color: COLORS.data } },
  ];
  if (d.t_f_x && !global) {
    traces.push({ x: ox, y: d.t_f_x, mode: "markers", name: `t[f[x]] (moved by ${d.output_shift})`, marker: { size: 7, symbol: "x", color: COLORS.descent } });
  }
  // Grey bands: outputs near the borders, where zeros enter and equality is not promised.
  const shapes = [];
  if (!global) {
    d.interior.forEach((inside, i) => {
      if (!inside) shapes.push({ type: "rect", xref: "x", yref: "paper", x0: i - 0.5, x1: i + 0.5, y0: 0, y1: 1, fillcolor: "rgba(138,143,152,0.13)", line: { width: 0 }, layer: "below" });
    });
  }
  draw("eq-output", traces, {
    title: title(global ? "Global pooling: one number per signal" : "Outputs (grey bands: near the borders)"),
    xaxis: { title: { text: global ? "" : "output unit" }, ...(global ? { range: [-1, 1], showticklabels: false } : {}) },
    shapes,
    uirevision: `eq-out-${s.eq_pooling}`,
  });
  let verdict;
  if (d.output_shift === null) verdict = `the shift ${s.eq_shift} is not a multiple of the pool stride ${s.eq_pool_stride}: t[f[x]] is undefined; compare f[t[x]] with f[x] (approximate invariance)`;
  else if (global) verdict = d.invariance_gap < 1e-9 ? "invariant: f[t[x]] = f[x] exactly" : "approximately invariant (something reached the border)";
  else verdict = d.equivariance_gap < 1e-9 ? "equivariant away from the borders: f[t[x]] = t[f[x]]" : "not equal in the interior";
  document.getElementById("eq-readouts").innerHTML = [
    `<div><b>max |f[t[x]] − t[f[x]]|</b> (interior) = ${d.equivariance_gap === null ? "–" : fmt(d.equivariance_gap)}</div>`,
    `<div><b>max |f[t[x]] − f[x]|</b> = ${fmt(d.invariance_gap)}</div>`,
    `<div>${verdict}</div>`,
  ].join("");
}

// ---------------------------------------------------------------------------------------------

for (const select of document.querySelectorAll("select.activation")) {
  fillActivationSelect(select);
}
fillSelects(OPTIONS);
initPage("conv1d");
const lab = createLab({
  schema,
  channels: {
    conv: {
      keys: CONV_KEYS,
      compute: (s) => postJSON("api/v1/conv/conv1d", convRequest(s)),
      render: (d, s) => {
        drawConv(d, s, convRequest(s).kernel);
        bindConvHover(); // only once the figure exists: Plotly gives it .on() with its first drawing
      },
      figures: ["signal-plot", "connections-plot", "matrix-plot"],
    },
    channels: {
      keys: CHANNEL_KEYS,
      compute: (s) => postJSON("api/v1/conv/channels", channelsRequest(s)),
      render: drawChannels,
      figures: ["channel-inputs", "channel-outputs"],
    },
    rf: {
      keys: RF_KEYS,
      compute: (s) => postJSON("api/v1/conv/receptive", rfRequest(s)),
      render: (d, s) => {
        drawReceptive(d, rfRequest(s));
        // The last layer may have fewer units than the slider allowed: show the unit used.
        if (d.unit !== s.rf_unit) lab.set({ rf_unit: d.unit });
      },
      figures: ["rf-plot"],
    },
    eq: {
      keys: EQ_KEYS,
      compute: (s) => postJSON("api/v1/conv/equivariance", eqRequest(s)),
      render: drawEquivariance,
      figures: ["eq-input", "eq-output"],
    },
  },
  fields: { layers: "rf_layers" },
});

document.getElementById("new-seed").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));
document.getElementById("kernel-size").addEventListener("input", (ev) => {
  let current;
  try {
    current = parseNumbers(lab.state.kernel, "kernel", 1, 15);
  } catch {
    current = [1];
  }
  lab.set({ kernel: resizeKernel(current, Number(ev.target.value)).join(", ") });
});
document.getElementById("edit-values").addEventListener("click", () => {
  const x = lastConv?.d.x;
  if (x) lab.set({ values: x.map((v) => Number(v.toFixed(3))).join(", ") });
});

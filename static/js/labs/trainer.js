// Trainer lab: a network trained on 2D data by the server, streamed back epoch by epoch.
//
// The settings live in the URL hash (the scheduler's state); the run lives on the server, which
// sends its state with every update. `at` in the hash is the epoch on screen: a link replays the
// run to that epoch (same seed, same numbers). Play streams from the state on screen; Pause
// closes the stream, which stops the work on the server.
import { ApiError, postJSON, showError } from "../api.js";
import { FieldError } from "../errors.js";
import { plotlyReady } from "../plotly-loader.js";
import { COLORS, draw, fmt, move, relayout, restyle, title } from "../plots.js";
import { initPage, meta } from "../shell.js";
import { createLab } from "../state.js";

const MAX_LAYERS = 8;
const MAX_UNITS = 32;
const CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
const PROB_SCALE = [[0, "#9ec3e6"], [0.5, "#f7f7f7"], [1, "#f8c08f"]];
const CONFIG_KEYS = [
  "dataset", "n_points", "noise", "classes", "train_fraction", "data_seed", "features", "layers",
  "activations", "init", "optimizer", "lr", "schedule", "batch", "regulariser", "lambda", "seed",
];
const DATA_KEYS = ["dataset", "n_points", "noise", "classes", "train_fraction", "data_seed"];

const { registries } = await meta();
const names = (kind, fallback) => (registries[kind]?.length ? registries[kind] : fallback.map((n) => ({ name: n, label: n })));
const DATASETS = names("datasets", ["xor"]);
const FEATURES = names("features", ["x1", "x2"]);
const ACTIVATIONS = names("activations", ["tanh", "relu"]);
const OPTIMIZERS = names("trainer_optimizers", ["adam"]);
const SCHEDULES = names("schedules", ["constant"]);
const INITS = names("initialisations", ["glorot"]);
const REGULARISERS = names("regularisers", ["none"]);
const MULTICLASS = new Set(["rings", "multi_gaussian", "multi_spiral"]);

const options = (list) => list.map((r) => r.name);
const schema = {
  dataset: { type: "enum", options: [...options(DATASETS), "custom"], default: "xor" },
  n_points: { type: "int", default: 300, min: 10, max: 2000, enabled: (s) => s.dataset !== "custom" },
  noise: { type: "number", default: 0, min: 0, max: 3, enabled: (s) => s.dataset !== "custom" },
  classes: { type: "int", default: 3, min: 3, max: 5, enabled: (s) => MULTICLASS.has(s.dataset) },
  train_fraction: { type: "number", default: 0.5, min: 0.1, max: 1 },
  data_seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  features: { type: "text", default: "x1,x2", maxLength: 200 },
  layers: { type: "text", default: "4,2", maxLength: 200 },
  activations: { type: "text", default: "tanh,tanh", maxLength: 400 },
  init: { type: "enum", options: options(INITS), default: "glorot" },
  optimizer: { type: "enum", options: options(OPTIMIZERS), default: "adam" },
  lr: { type: "number", default: 0.03, min: 1e-4, max: 3 },
  schedule: { type: "enum", options: options(SCHEDULES), default: "constant" },
  batch: { type: "int", default: 10, min: 1, max: 2000 },
  regulariser: { type: "enum", options: options(REGULARISERS), default: "none" },
  lambda: { type: "number", default: 1e-3, min: 1e-5, max: 1, enabled: (s) => s.regulariser !== "none" },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  max_epochs: { type: "int", default: 500, min: 1, max: 2000 },
  loss_below: { type: "number", default: 0, min: 0, max: 10 },
  patience: { type: "int", default: 0, min: 0, max: 500 },
  at: { type: "int", default: 0, min: 0, max: 2000 },
};

function fillSelect(id, list) {
  document.getElementById(id).innerHTML = list.map((r) => `<option value="${r.name}">${r.label}</option>`).join("");
}
fillSelect("dataset-select", [...DATASETS, { name: "custom", label: "Your own points (CSV)" }]);
fillSelect("init-select", INITS);
fillSelect("optimizer-select", OPTIMIZERS);
fillSelect("schedule-select", SCHEDULES);
fillSelect("regulariser-select", REGULARISERS);

// ------------------------------------------------------------------ request bodies
let custom = null; // { points, task } from an uploaded CSV: not part of the link

function list(text) {
  return String(text).split(",").map((t) => t.trim()).filter(Boolean);
}

function hiddenOf(s) {
  return list(s.layers).map((n) => Math.min(MAX_UNITS, Math.max(1, Math.round(Number(n)) || 1))).slice(0, MAX_LAYERS);
}

function activationsOf(s) {
  const acts = list(s.activations);
  const valid = new Set(options(ACTIVATIONS));
  return hiddenOf(s).map((_, k) => (valid.has(acts[k]) ? acts[k] : "tanh"));
}

function dataSpec(s) {
  if (s.dataset === "custom") {
    if (!custom) throw new FieldError("dataset", "your own points are not part of a link: choose the CSV file again");
    return { points: custom.points, task: custom.task, train_fraction: s.train_fraction, data_seed: s.data_seed };
  }
  return {
    dataset: s.dataset, n_points: s.n_points, noise: s.noise, classes: s.classes,
    train_fraction: s.train_fraction, data_seed: s.data_seed,
  };
}

function networkSpec(s) {
  return {
    features: list(s.features), hidden: hiddenOf(s), activations: activationsOf(s), init: s.init,
    optimizer: s.optimizer, learning_rate: s.lr, schedule: s.schedule, batch_size: s.batch,
    regulariser: s.regulariser, regularisation: s.regulariser === "none" ? 0 : s.lambda, seed: s.seed,
  };
}

function trainRequest(s, epochs, state) {
  const stop = { epochs };
  if (s.loss_below > 0) stop.loss_below = s.loss_below;
  if (s.patience > 0) stop.patience = s.patience;
  const body = { data: dataSpec(s), network: networkSpec(s), stop, grid: 50, thumbnail: 24 };
  if (state) body.state = state;
  return body;
}

// ------------------------------------------------------------------ the run on screen
const run = {
  header: null, // task, classes, widths, parameter_count
  state: null, // the optimiser state on screen (resume from here)
  history: [],
  picture: null,
  status: "ready",
  message: "",
  controller: null, // the open stream, when playing
  regions: null, // { count, note }: linear regions of the network on screen
  shown: null, // the epoch-0 answer on screen, while nothing has changed the run since
};
let data = null; // { task, classes, train, test }
let pendingImport = null;

function record(event, replace) {
  run.shown = null;
  if (replace) run.history = [];
  run.history.push(...(event.history || []));
  if (event.state) run.state = event.state;
  if (event.picture) run.picture = event.picture;
  if ("regions_note" in event) run.regions = { count: event.regions, note: event.regions_note };
}

// ------------------------------------------------------------------ drawing
function pointTraces() {
  if (!data) return [];
  const traces = [];
  const sets = [["train", data.train, 1], ["test", data.test, 0.45]];
  if (data.task === "regression") {
    for (const [name, rows, opacity] of sets) {
      traces.push({
        type: "scatter", mode: "markers", name: `${name} points`, x: rows.map((r) => r[0]), y: rows.map((r) => r[1]),
        marker: { size: 6, opacity, color: rows.map((r) => r[2]), colorscale: "RdBu", reversescale: true, line: { color: "#333", width: 0.6 } },
        hovertemplate: "target %{marker.color:.3f}<extra></extra>",
      });
    }
    return traces;
  }
  for (let c = 0; c < data.classes; c++) {
    for (const [name, rows, opacity] of sets) {
      const mine = rows.filter((r) => r[2] === c);
      traces.push({
        type: "scatter", mode: "markers", name: name === "train" ? `class ${c}` : "test points (hollow)",
        x: mine.map((r) => r[0]), y: mine.map((r) => r[1]),
        marker: {
          size: name === "train" ? 6 : 7, color: name === "train" ? CLASS_COLORS[c] : "rgba(0,0,0,0)",
          opacity: name === "train" ? 1 : 0.9, line: { color: CLASS_COLORS[c], width: name === "train" ? 0.6 : 1.6 },
        },
        legendgroup: name === "train" ? `class ${c}` : "test", showlegend: name === "train" || c === 0,
      });
    }
  }
  return traces;
}

// The legend sits at the foot of the figure (container coordinates), below the x-axis title
// whatever the plot's height; a narrow figure stacks its entries and needs a deeper margin.
const BOTTOM_LEGEND = { orientation: "h", x: 0, xref: "container", y: 0.01, yref: "container", yanchor: "bottom" };
function bottomMargin(id) {
  const width = document.getElementById(id)?.clientWidth ?? 800;
  return width < 500 ? 150 : 100;
}

function mapTrace(pic) {
  if (!pic) return { type: "heatmap", x: [], y: [], z: [[]], showscale: false };
  const task = run.header?.task ?? data?.task;
  const base = { type: "heatmap", x: pic.axis, y: pic.axis, showscale: true, name: "network", colorbar: { thickness: 12, len: 0.8 } };
  if (task === "multiclass") {
    const k = run.header.classes;
    // Colour = predicted class; the hover gives the winning class's probability.
    const scale = [];
    for (let c = 0; c < k; c++) scale.push([c / k, CLASS_COLORS[c]], [(c + 1) / k, CLASS_COLORS[c]]);
    return {
      ...base, z: pic.predicted_class, zmin: -0.5, zmax: k - 0.5, colorscale: scale, opacity: 0.35, showscale: false,
      customdata: pic.output, hovertemplate: "class %{z}, p = %{customdata:.2f}<extra></extra>",
    };
  }
  if (task === "regression") {
    return { ...base, z: pic.output, colorscale: "RdBu", reversescale: true, hovertemplate: "f = %{z:.3f}<extra></extra>", colorbar: { ...base.colorbar, title: { text: "f", side: "right" } } };
  }
  return {
    ...base, z: pic.output, zmin: 0, zmax: 1, colorscale: PROB_SCALE, hovertemplate: "Pr(y = 1) = %{z:.2f}<extra></extra>",
    colorbar: { ...base.colorbar, title: { text: "Pr(y = 1)", side: "right" } },
  };
}

function drawMap() {
  const boundary = run.picture && run.header?.task === "binary"
    ? [{
      type: "contour", x: run.picture.axis, y: run.picture.axis, z: run.picture.output, showscale: false, hoverinfo: "skip",
      contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" }, line: { color: COLORS.ink, width: 2 }, name: "boundary",
    }]
    : [];
  draw("map", [mapTrace(run.picture), ...boundary, ...pointTraces()], {
    title: title(`The network over the plane · epoch ${run.state?.epoch ?? 0}`),
    xaxis: { title: { text: "x₁" }, range: [-6, 6], constrain: "domain" },
    yaxis: { title: { text: "x₂" }, range: [-6, 6], scaleanchor: "x", scaleratio: 1, constrain: "domain" },
    legend: BOTTOM_LEGEND,
    margin: { l: 60, r: 20, t: 40, b: bottomMargin("map") },
  });
}

/** New points on the map: only the point traces move when the classes and the map stay. */
function drawPoints() {
  const el = document.getElementById("map");
  const points = pointTraces();
  const first = run.header?.task === "binary" ? 2 : 1; // after the heatmap (and the boundary)
  const same = el?.data && data.task !== "regression" && data.task === run.header?.task
    && el.data.length === first + points.length
    && points.every((t, i) => el.data[first + i].name === t.name);
  if (!same || !move("map", { x: points.map((t) => t.x), y: points.map((t) => t.y) }, points.map((_, i) => first + i))) drawMap();
}

function updateMap() {
  // While training only the colour (and the boundary) change: restyle those traces.
  const el = document.getElementById("map");
  if (!el?.data || !run.picture) return drawMap();
  const trace = mapTrace(run.picture);
  restyle("map", { z: [trace.z], customdata: [trace.customdata ?? null] }, [0]);
  if (run.header?.task === "binary") restyle("map", { z: [run.picture.output] }, [1]);
  relayout("map", { "title.text": `The network over the plane · epoch ${run.state?.epoch ?? 0}` });
}

function drawCurves() {
  const epochs = run.history.map((h) => h.epoch);
  const traces = [
    { x: epochs, y: run.history.map((h) => h.train_loss), name: "training loss", mode: "lines", line: { color: COLORS.model } },
    { x: epochs, y: run.history.map((h) => h.test_loss), name: "test loss", mode: "lines", line: { color: COLORS.data, dash: "dash" } },
  ];
  if (run.header?.task !== "regression") {
    traces.push(
      { x: epochs, y: run.history.map((h) => h.train_accuracy), name: "training accuracy", mode: "lines", yaxis: "y2", line: { color: "#2ca02c" } },
      { x: epochs, y: run.history.map((h) => h.test_accuracy), name: "test accuracy", mode: "lines", yaxis: "y2", line: { color: "#2ca02c", dash: "dash" } },
    );
  }
  draw("curves", traces, {
    title: title("Loss and accuracy per epoch"),
    xaxis: { title: { text: "epoch" }, rangemode: "tozero" },
    yaxis: { title: { text: "mean loss" }, type: "log" },
    yaxis2: { title: { text: "accuracy" }, overlaying: "y", side: "right", range: [0, 1.02], dtick: 0.2, tickformat: ".0%", showgrid: false },
    legend: BOTTOM_LEGEND,
    margin: { l: 70, r: 60, t: 40, b: bottomMargin("curves") },
  });
}

function paint(canvas, grid) {
  // Blue for negative, white for 0, orange for positive, scaled by the largest |value|.
  const n = grid.length;
  canvas.width = n;
  canvas.height = n;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(n, n);
  let scale = 1e-12;
  for (const row of grid) for (const v of row) scale = Math.max(scale, Math.abs(v));
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const t = grid[n - 1 - j][i] / scale; // row 0 of the picture is the bottom of the plane
      const k = 4 * (j * n + i);
      const [r, g, b] = t >= 0 ? [255, 255 - 90 * t, 255 - 200 * t] : [255 + 150 * t, 255 + 80 * t, 255];
      image.data[k] = r;
      image.data[k + 1] = g;
      image.data[k + 2] = b;
      image.data[k + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}

function drawUnits() {
  const box = document.getElementById("units");
  const pic = run.picture;
  if (!pic) {
    box.innerHTML = "";
    return;
  }
  const featureLabels = Object.fromEntries(FEATURES.map((f) => [f.name, f.label]));
  const feats = list(lab.state.features);
  const columns = [
    { title: "inputs", maps: pic.inputs, labels: feats.map((f) => featureLabels[f] ?? f) },
    ...pic.neurons.map((layer, k) => ({ title: `layer ${k + 1}`, maps: layer, labels: layer.map((_, d) => `h${k + 1},${d + 1}`) })),
  ];
  const shape = columns.map((c) => c.maps.length).join(",");
  if (box.dataset.shape !== shape) {
    box.dataset.shape = shape;
    box.innerHTML = columns
      .map((c) => `<div class="column"><h3>${c.title}</h3>${c.labels.map((l) => `<canvas title="${l}" aria-label="${l}"></canvas>`).join("")}</div>`)
      .join("");
  }
  const canvases = box.querySelectorAll("canvas");
  let i = 0;
  for (const c of columns) for (const m of c.maps) paint(canvases[i++], m);
}

function drawReadouts() {
  const last = run.history.at(-1);
  const pct = (a) => (a === null || a === undefined ? "—" : `${(100 * a).toFixed(1)}%`);
  const status = run.status === "diverged" ? `<span class="badge diverged">diverged</span>` : `<span class="badge">${run.status}</span>`;
  const parts = [
    `<div><b>epoch</b> ${run.state?.epoch ?? 0}</div>`,
    `<div><b>parameters</b> ${run.header?.parameter_count ?? "—"} (widths ${run.header?.widths?.join("-") ?? "—"})</div>`,
  ];
  if (last) {
    parts.push(`<div><b>loss</b> training ${fmt(last.train_loss, 4)}, test ${last.test_loss === null ? "—" : fmt(last.test_loss, 4)}</div>`);
    if (run.header?.task !== "regression") parts.push(`<div><b>accuracy</b> training ${pct(last.train_accuracy)}, test ${pct(last.test_accuracy)}</div>`);
  }
  if (run.regions) {
    parts.push(run.regions.count === null
      ? `<div><b>linear regions</b> — (${run.regions.note})</div>`
      : `<div><b>linear regions</b> ${run.regions.count} in view</div>`);
  }
  parts.push(`<div>${status} ${run.message}</div>`);
  document.getElementById("readouts").innerHTML = parts.join("");
  document.getElementById("play").textContent = run.controller ? "Pause" : "Play";
}

function drawAll() {
  drawMap();
  drawCurves();
  drawUnits();
  drawReadouts();
}

// ------------------------------------------------------------------ the controls built from state
function renderFeatures(s) {
  const chosen = new Set(list(s.features));
  document.getElementById("features").innerHTML = FEATURES.map(
    (f) => `<label><input type="checkbox" value="${f.name}" ${chosen.has(f.name) ? "checked" : ""}> ${f.label}</label>`,
  ).join("");
}

function renderLayers(s) {
  const hidden = hiddenOf(s);
  const acts = activationsOf(s);
  const actOptions = (sel) => ACTIVATIONS.map((a) => `<option value="${a.name}" ${a.name === sel ? "selected" : ""}>${a.label}</option>`).join("");
  document.getElementById("layers").innerHTML = hidden.length
    ? hidden.map((n, k) => `<div class="layer-row" data-layer="${k}">
        <span>Layer ${k + 1}</span>
        <select aria-label="Activation of layer ${k + 1}">${actOptions(acts[k])}</select>
        <input type="number" min="1" max="${MAX_UNITS}" step="1" value="${n}" aria-label="Units in layer ${k + 1}">
      </div>`).join("")
    : `<p class="note">No hidden layer: a linear model of the features.</p>`;
  document.getElementById("add-layer").disabled = hidden.length >= MAX_LAYERS;
  document.getElementById("remove-layer").disabled = hidden.length === 0;
}

document.getElementById("features").addEventListener("change", () => {
  const chosen = [...document.querySelectorAll("#features input:checked")].map((el) => el.value);
  if (chosen.length === 0) {
    renderFeatures(lab.state);
    showError(new Error("the network needs at least one input feature"));
    return;
  }
  lab.set({ features: chosen.join(",") });
});

document.getElementById("layers").addEventListener("change", (event) => {
  const s = lab.state;
  const hidden = hiddenOf(s);
  const acts = activationsOf(s);
  const row = event.target.closest("[data-layer]");
  const k = Number(row.dataset.layer);
  if (event.target.tagName === "SELECT") acts[k] = event.target.value;
  else hidden[k] = Math.min(MAX_UNITS, Math.max(1, Math.round(Number(event.target.value)) || 1));
  lab.set({ layers: hidden.join(","), activations: acts.join(",") });
});

document.getElementById("add-layer").addEventListener("click", () => {
  const s = lab.state;
  const hidden = hiddenOf(s);
  const acts = activationsOf(s);
  if (hidden.length >= MAX_LAYERS) return;
  lab.set({ layers: [...hidden, hidden.at(-1) ?? 4].join(","), activations: [...acts, acts.at(-1) ?? "tanh"].join(",") });
});

document.getElementById("remove-layer").addEventListener("click", () => {
  const s = lab.state;
  lab.set({ layers: hiddenOf(s).slice(0, -1).join(","), activations: activationsOf(s).slice(0, -1).join(",") });
});

// ------------------------------------------------------------------ the scheduler's channels
function stopStream() {
  run.controller?.abort();
  run.controller = null;
}

/** POST `body` to the stream endpoint and call `onEvent(name, payload)` for each event. */
async function readStream(body, signal, onEvent) {
  const response = await fetch("api/v1/trainer/stream", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) {
    const payload = await response.json().catch(() => null);
    throw new ApiError(response.status, payload?.detail?.map((d) => d.msg).join("; ") ?? `HTTP ${response.status}`, payload?.detail);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const name = block.match(/^event: (.*)$/m)?.[1];
      onEvent(name, JSON.parse(block.match(/^data: (.*)$/m)?.[1] ?? "null"));
    }
  }
}

/** Replay a run from epoch 0 to `epochs` through the stream (no size limit) as one answer. */
async function replay(s, epochs) {
  let answer = null;
  await readStream(trainRequest(s, epochs), undefined, (name, payload) => {
    if (name === "start") answer = { ...payload, history: [] };
    else if (name === "snapshot") {
      answer.history.push(...payload.history);
      Object.assign(answer, { state: payload.state, picture: payload.picture, regions: payload.regions, regions_note: payload.regions_note });
    }
  });
  return answer;
}

// At epoch 0 the network is its seed's draw: the data enter only through the task and the
// number of classes, so moving the points' sliders (count, noise, split, data seed) does not ask
// for the same untrained network again.
let epochZero = { key: null, answer: null };
const POINT_KEYS = ["n_points", "noise", "train_fraction", "data_seed"];

async function computeModel(s) {
  stopStream();
  if (s.at === 0 && !pendingImport) {
    const body = trainRequest(s, 0);
    const key = JSON.stringify(s.dataset === "custom" ? body : { ...body, data: { ...body.data, ...Object.fromEntries(POINT_KEYS.map((k) => [k, null])) } });
    if (epochZero.key !== key) epochZero = { key, answer: await postJSON("api/v1/trainer/fit", body) };
    return { answer: epochZero.answer, history: null };
  }
  if (pendingImport) {
    const imported = pendingImport;
    pendingImport = null;
    return { answer: await postJSON("api/v1/trainer/fit", trainRequest(s, 0, imported.state)), history: imported.history ?? [] };
  }
  // A link may name an epoch: replay the run to it (same seed, same numbers).
  return { answer: await replay(s, s.at), history: null };
}

function renderModel({ answer, history }) {
  run.status = "ready";
  run.message = answer.state.epoch ? `replayed to epoch ${answer.state.epoch}` : "press Play to train";
  if (run.shown === answer && !history) { // this untrained network is on screen already
    drawReadouts();
    return;
  }
  run.shown = history ? null : answer;
  run.header = { task: answer.task, classes: answer.classes, widths: answer.widths, parameter_count: answer.parameter_count };
  run.state = answer.state;
  run.picture = answer.picture;
  run.regions = { count: answer.regions, note: answer.regions_note };
  run.history = [...(history ?? answer.history)]; // a copy: training appends to it
  drawAll();
}

const lab = createLab({
  schema,
  channels: {
    data: {
      keys: DATA_KEYS,
      compute: (s) => postJSON("api/v1/trainer/data", { data: dataSpec(s) }),
      render: (d) => {
        data = d;
        if (run.header) drawPoints();
      },
      figures: ["map"],
    },
    model: {
      keys: CONFIG_KEYS,
      compute: computeModel,
      render: renderModel,
      figures: ["map", "curves"],
    },
    controls: {
      keys: ["features", "layers", "activations"],
      render: (s) => {
        renderFeatures(s);
        renderLayers(s);
      },
    },
  },
  fields: {
    learning_rate: "lr", batch_size: "batch", regularisation: "lambda", hidden: "layers",
    n_points: "n_points", epochs: "max_epochs", points: "dataset",
  },
  messages: {
    layers: (d) => `Network: ${d.msg.replace(/^Value error, /, "")}`,
  },
  // A new setting starts a new run: back to epoch 0.
  constrain: (next, changed) => (changed.some((k) => CONFIG_KEYS.includes(k)) && next.at !== 0 ? { at: 0 } : {}),
});
initPage("trainer");

// ------------------------------------------------------------------ play, pause, step
function finishRun(status, message) {
  run.controller = null;
  run.status = status;
  run.message = message;
  lab.set({ at: run.state?.epoch ?? 0 }); // the link now reopens this epoch
  drawReadouts();
}

async function play() {
  if (run.controller) {
    stopStream();
    finishRun("paused", "paused: Play resumes from here");
    return;
  }
  const s = lab.state;
  const remaining = s.max_epochs - (run.state?.epoch ?? 0);
  if (remaining <= 0) {
    run.message = "the run has reached its epoch limit: raise it or go back to epoch 0";
    drawReadouts();
    return;
  }
  const controller = new AbortController();
  run.controller = controller;
  run.status = "training";
  run.message = "";
  drawReadouts();
  await plotlyReady();
  try {
    await readStream(trainRequest(s, remaining, run.state), controller.signal, (name, payload) => {
      if (name !== "snapshot" || run.controller !== controller) return;
      record(payload, false);
      run.status = payload.done ? payload.status : "training";
      run.message = payload.done ? payload.message : "";
      updateMap();
      drawCurves();
      drawUnits();
      drawReadouts();
      document.body.dataset.epoch = String(run.state.epoch);
      if (payload.done) finishRun(payload.status === "finished" ? "finished" : payload.status, payload.message);
    });
    if (run.controller === controller) finishRun(run.status === "training" ? "finished" : run.status, run.message);
  } catch (err) {
    if (err.name === "AbortError") return;
    if (run.controller === controller) finishRun("error", "");
    showError(err);
  }
}

async function step() {
  stopStream();
  try {
    const answer = await postJSON("api/v1/trainer/fit", trainRequest(lab.state, 1, run.state));
    record(answer, false);
    run.status = answer.status === "diverged" ? "diverged" : "paused";
    run.message = answer.status === "diverged" ? answer.message : "one epoch done";
    drawAll();
    lab.set({ at: run.state.epoch });
  } catch (err) {
    showError(err);
  }
}

document.getElementById("play").addEventListener("click", play);
document.getElementById("step").addEventListener("click", step);
document.getElementById("restart").addEventListener("click", () => {
  stopStream();
  lab.set({ at: 0 });
  lab.refresh();
});

// ------------------------------------------------------------------ export, import, upload
document.getElementById("export").addEventListener("click", () => {
  const file = {
    format: "dl-playground-trainer",
    version: 1,
    settings: lab.state,
    custom_points: lab.state.dataset === "custom" ? custom : null,
    state: run.state,
    history: run.history,
  };
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(file)], { type: "application/json" }));
  link.download = `trainer-epoch-${run.state?.epoch ?? 0}.json`;
  link.click();
  URL.revokeObjectURL(link.href);
});

document.getElementById("import-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    const parsed = JSON.parse(await file.text());
    if (parsed.format !== "dl-playground-trainer" || !parsed.settings || !parsed.state) {
      throw new Error("this file is not a trainer export (format dl-playground-trainer)");
    }
    stopStream();
    custom = parsed.custom_points ?? custom;
    pendingImport = { state: parsed.state, history: parsed.history };
    lab.set({ ...parsed.settings, at: 0 });
    lab.set({ at: parsed.state.epoch });
    lab.refresh();
    showError(null);
  } catch (err) {
    showError(err instanceof SyntaxError ? new Error("the file is not valid JSON") : err);
  } finally {
    event.target.value = "";
  }
});

document.getElementById("csv-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const note = document.getElementById("csv-note");
  try {
    const task = document.getElementById("csv-task").value;
    const answer = await postJSON("api/v1/trainer/csv", { text: await file.text(), task });
    custom = { points: answer.points, task: answer.task === "regression" ? "regression" : "classification" };
    note.textContent = `${answer.points.length} points, ${answer.task === "regression" ? "regression" : `${answer.classes} classes`}.`;
    lab.set({ dataset: "custom" });
    lab.refresh();
  } catch (err) {
    note.textContent = err instanceof ApiError ? `Not read: ${err.message}` : `Not read: ${err.message}`;
  } finally {
    event.target.value = "";
  }
});

window.addEventListener("pagehide", stopStream);

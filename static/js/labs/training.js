// Training lab: gradient descent, SGD, momentum, Nesterov and Adam racing on loss landscapes.
import { postJSON, showError } from "../api.js";
import { initPage } from "../page.js";
import { meta } from "../shell.js";
import { COLORS, LOSS_SCALE, draw, fmt, onPlot, relayout, title } from "../plots.js";
import { createLab } from "../state.js";

// Optimisers and landscapes: the names and labels core declares (GET /api/v1/meta).
const REGISTRIES = (await meta()).registries;
const OPTIMIZERS = REGISTRIES.optimizers ?? [];
const LANDSCAPES = REGISTRIES.landscapes ?? [];
export const KINDS = OPTIMIZERS.map((o) => o.name);
const LABEL = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, o.label]));
const KIND_COLOR = Object.fromEntries(KINDS.map((k, i) => [k, COLORS.series[i % COLORS.series.length]]));
const FULL_BATCH = new Set(["gd", "line_search", "exact_line_search"]);
const RACING = new Set(["gd", "sgd", "momentum", "adam"]); // ticked at first
const RESOLUTION = 80;

/** Ticks for a log-scale loss axis: 1-2-5 over a few decades, fewer marks over many. */
export function logTicks(values) {
  const finite = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!finite.length) return undefined;
  const lo = Math.floor(Math.log10(Math.min(...finite)));
  const hi = Math.ceil(Math.log10(Math.max(...finite)));
  const decades = hi - lo;
  const mantissas = decades <= 3 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil(decades / 8));
  const ticks = [];
  for (let e = lo; e <= hi; e += every) for (const m of mantissas) ticks.push(Number((m * 10 ** e).toPrecision(1)));
  return ticks;
}

// Where a run starts and which learning rates suit each landscape when it is chosen.
// Gabor: from (1, 5) gradient descent settles in a local valley while SGD's noise carries it to
// the global one. Saddle: the start lies on the ridge line phi_1 = 0, which leads into the saddle.
const PRESETS = {
  gabor: { phi0: 1, phi1: 5, lr: 2, lr_adam: 0.3 },
  linear: { phi0: -1.5, phi1: -1.5, lr: 0.2, lr_adam: 0.1 },
  network: { phi0: -2, phi1: -3, lr: 0.5, lr_adam: 0.1 },
  saddle: { phi0: -1, phi1: 0, lr: 0.05, lr_adam: 0.05 },
};

const schema = {
  landscape: { type: "enum", options: LANDSCAPES.map((l) => l.name), default: "gabor" },
  activation: { type: "enum", options: (REGISTRIES.activations ?? []).map((a) => a.name), default: "tanh" },
  n_samples: { type: "int", default: 40, min: 2, max: 100 },
  noise: { type: "number", default: 0.2, min: 0, max: 2 },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  phi0: { type: "number", default: 1, min: -1000, max: 1000 },
  phi1: { type: "number", default: 5, min: -1000, max: 1000 },
  mode: { type: "enum", options: ["race", "starts"], default: "race" },
  grid: { type: "int", default: 3, min: 2, max: 5 },
  ...Object.fromEntries(KINDS.map((k) => [`use_${k}`, { type: "bool", default: RACING.has(k) }])),
  focus: { type: "enum", options: KINDS, default: "sgd" },
  lr: { type: "number", default: 2, min: 0.001, max: 100 },
  lr_adam: { type: "number", default: 0.3, min: 0.001, max: 100 },
  batch_size: { type: "int", default: 8, min: 1, max: 100 },
  beta: { type: "number", default: 0.9, min: 0, max: 0.99 },
  schedule: { type: "enum", options: (REGISTRIES.schedules ?? []).map((a) => a.name), default: "constant" },
  decay: { type: "number", default: 0.5, min: 0.05, max: 1 },
  period: { type: "int", default: 100, min: 1, max: 10000 },
  max_steps: { type: "int", default: 300, min: 1, max: 1000 },
  step: { type: "int", default: 0, min: 0, max: 1000 },
};

// Answers already fetched, by request: moving through the animation re-asks only for the point.
const cache = new Map();
async function cachedPost(path, body, signal) {
  const key = path + JSON.stringify(body);
  if (cache.has(key)) return cache.get(key);
  const data = await postJSON(path, body, { signal });
  cache.set(key, data);
  if (cache.size > 16) cache.delete(cache.keys().next().value);
  return data;
}

function landscapeSpec(s) {
  return { landscape: s.landscape, n_samples: s.n_samples, noise: s.noise, seed: s.seed, activation: s.activation, resolution: RESOLUTION };
}

export function optimizerSpec(kind, s) {
  return {
    kind,
    learning_rate: kind === "adam" ? s.lr_adam : s.lr,
    batch_size: FULL_BATCH.has(kind) ? null : Math.min(s.batch_size, s.n_samples),
    beta: s.beta,
    schedule: { kind: s.schedule, gamma: s.decay, period: s.period },
  };
}

/** Race members: the ticked optimisers (the detailed one when none is ticked). */
function raceKinds(s) {
  const kinds = KINDS.filter((k) => s[`use_${k}`]);
  return kinds.length ? kinds : [s.focus];
}

/** k x k starts spread over the map (inset from the edges), after the chosen start. */
function gridStarts(s, range) {
  const starts = [[s.phi0, s.phi1]];
  const k = s.grid;
  const at = ([lo, hi], i) => lo + ((i + 0.5) / k) * (hi - lo);
  for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) starts.push([at(range[0], i), at(range[1], j)]);
  return starts;
}

async function compute(s, signal) {
  const spec = landscapeSpec(s);
  const land = await cachedPost("api/v1/training/landscape", spec, signal);
  let result;
  let focus;
  if (s.mode === "race") {
    const kinds = raceKinds(s);
    // The optimiser shown in detail; the first racer when it is not in the race.
    const detail = kinds.includes(s.focus) ? s.focus : kinds[0];
    result = await cachedPost("api/v1/training/race", {
      ...spec, phi0: s.phi0, phi1: s.phi1, max_steps: s.max_steps, detail,
      optimizers: kinds.map((k) => optimizerSpec(k, s)),
    }, signal);
    focus = result.runs.find((r) => r.kind === detail);
  } else {
    result = await cachedPost("api/v1/training/starts", {
      ...spec, max_steps: s.max_steps, optimizer: optimizerSpec(s.focus, s),
      starts: gridStarts(s, land.param_range),
    }, signal);
    focus = result.runs[0];
  }
  const t = Math.min(s.step, focus.steps);
  const batch = focus.batch_indices && focus.steps > 0 ? focus.batch_indices[Math.min(t, focus.steps - 1)] : null;
  const point = await postJSON("api/v1/training/point", {
    ...spec, phi0: focus.trajectory.phi0[t], phi1: focus.trajectory.phi1[t], ...(batch ? { batch } : {}),
  }, { signal });
  return { land, result, focus, t, batch, point };
}

// LaTeX parameter names -> plain Unicode for axis titles and hovers.
function plainName(tex) {
  const sub = { 0: "₀", 1: "₁", 2: "₂", 3: "₃" };
  return tex.replace("\\phi", "φ").replace("\\theta", "θ").replace(/_\{?(\d+)\}?/, (_, d) => [...d].map((c) => sub[c]).join(""));
}

function logSurface(rows) {
  return rows.map((row) => row.map((v) => Math.log10(v + 1e-12)));
}

// A heatmap with a few level lines: several times faster to draw than a filled contour.
function contour(surface, loss, names, showscale = true) {
  const z = logSurface(loss);
  return [{
    type: "heatmap", x: surface.phi0, y: surface.phi1, z, colorscale: LOSS_SCALE, zsmooth: "fast",
    colorbar: { title: { text: "log₁₀ L", side: "right" }, thickness: 14 }, showscale,
    customdata: loss, name: "loss",
    hovertemplate: `${names[0]} = %{x:.3f}<br>${names[1]} = %{y:.3f}<br>L = %{customdata:.4g}<extra></extra>`,
  }, {
    type: "contour", x: surface.phi0, y: surface.phi1, z, ncontours: 14, showscale: false, showlegend: false,
    contours: { coloring: "lines" }, colorscale: [[0, "#fff"], [1, "#fff"]],
    line: { color: "rgba(255,255,255,0.4)", width: 0.6 }, hoverinfo: "skip", name: "level lines",
  }];
}

function minimaTraces(minima) {
  if (!minima.length) return [];
  const [best, ...rest] = minima;
  const traces = [{
    x: [best.phi[0]], y: [best.phi[1]], mode: "markers", name: `global minimum (L = ${fmt(best.loss)})`,
    marker: { symbol: "star", size: 17, color: COLORS.exact, line: { color: "#fff", width: 1 } },
  }];
  if (rest.length) {
    traces.push({
      x: rest.map((m) => m.phi[0]), y: rest.map((m) => m.phi[1]), mode: "markers", name: "local minima",
      customdata: rest.map((m) => m.loss),
      hovertemplate: "local minimum<br>L = %{customdata:.4g}<extra></extra>",
      marker: { symbol: "x", size: 12, color: "#ffffff", line: { color: COLORS.ink, width: 1.2 } },
    });
  }
  return traces;
}

function saddleTraces(saddles, showlegend = true) {
  if (!saddles.length) return [];
  return [{
    x: saddles.map((p) => p.phi[0]), y: saddles.map((p) => p.phi[1]), mode: "markers", name: "saddle points", showlegend,
    customdata: saddles.map((p) => [p.loss, p.eigenvalues[0], p.eigenvalues[1]]),
    hovertemplate: "saddle point<br>L = %{customdata[0]:.4g}<br>Hessian eigenvalues %{customdata[1]:.3g}, %{customdata[2]:.3g}<extra></extra>",
    marker: { symbol: "hourglass", size: 12, color: "#ffffff", line: { color: COLORS.ink, width: 1.5 } },
  }];
}

/** Where a path first leaves the map: the last point inside, or null when it stays in view. */
function exitPoint(run) {
  if (!run.outside.length) return null;
  const i = Math.max(0, run.outside[0] - 1);
  return { i, x: run.trajectory.phi0[i], y: run.trajectory.phi1[i] };
}

function runColor(run, s) {
  if (s.mode === "race") return KIND_COLOR[run.kind];
  return run.ended_in === null ? COLORS.muted : COLORS.series[(run.ended_in + 2) % COLORS.series.length];
}

function drawMap(d, s) {
  const names = d.land.param_names.map(plainName);
  const minima = s.mode === "race" ? d.land.minima : d.result.minima;
  const traces = [...contour(d.land.surface, d.land.surface.loss, names), ...minimaTraces(minima), ...saddleTraces(d.land.saddles)];
  const exits = [];
  d.result.runs.forEach((run, i) => {
    const color = runColor(run, s);
    const focus = run === d.focus;
    const base = s.mode === "race" ? run.label : i === 0 ? "from your start" : `start ${i}`;
    const name = run.outside.length && (s.mode === "race" || i === 0) ? `${base} (leaves the view)` : base;
    const exit = exitPoint(run);
    if (exit) exits.push({ ...exit, color, label: base });
    traces.push({
      x: run.trajectory.phi0, y: run.trajectory.phi1, mode: "lines", name,
      showlegend: s.mode === "race" || i === 0,
      line: { color, width: focus ? 3 : 2 }, opacity: focus || s.mode === "starts" ? 1 : 0.85,
      hovertemplate: `${name}<br>step %{pointNumber}<br>(%{x:.3f}, %{y:.3f})<extra></extra>`,
    });
  });
  if (exits.length) {
    traces.push({
      x: exits.map((e) => e.x), y: exits.map((e) => e.y), mode: "markers", name: "leaves the view here",
      customdata: exits.map((e) => [e.label, e.i]),
      hovertemplate: "%{customdata[0]} leaves the view after step %{customdata[1]}<extra></extra>",
      marker: { symbol: "triangle-up", size: 13, color: exits.map((e) => e.color), line: { color: "#fff", width: 1.5 } },
    });
  }
  if (s.mode === "starts") {
    const runs = d.result.runs;
    traces.push({
      x: runs.map((r) => r.trajectory.phi0[0]), y: runs.map((r) => r.trajectory.phi1[0]), mode: "markers", name: "starts",
      marker: { size: 8, symbol: "circle-open", color: "#fff", line: { width: 2 } }, hoverinfo: "skip",
    });
  }
  traces.push({
    x: [s.phi0], y: [s.phi1], mode: "markers", name: "start (click the map to move it)",
    marker: { size: 12, symbol: "diamond", color: COLORS.model, line: { color: "#fff", width: 2 } },
  });
  const [r0, r1] = d.land.param_range;
  draw("loss-map", traces, {
    title: title(`${d.land.label}: loss map · ${d.land.convex ? "convex: one valley" : `${d.land.minima.length} valleys, ${d.land.saddles.length} saddle point${d.land.saddles.length === 1 ? "" : "s"} in view`}`),
    xaxis: { title: { text: names[0] }, range: r0 },
    yaxis: { title: { text: names[1] }, range: r1 },
    legend: { orientation: "v", x: 1.12, y: 1, yanchor: "top", xanchor: "left" },
    margin: { l: 60, r: 20, t: 40, b: 50 },
    shapes: stepMarkers(d, s),
  });
  drawn = { land: d.land, result: d.result, mode: s.mode, phi: [s.phi0, s.phi1] };
}

/** Each run's position at step t, as shapes: moving them does not recompute the heatmap. */
function stepMarkers(d, s) {
  return d.result.runs.map((run) => {
    const t = Math.min(d.t, run.steps);
    const r = run === d.focus ? 6.5 : 4.5; // pixels
    return {
      type: "circle", xsizemode: "pixel", ysizemode: "pixel", x0: -r, x1: r, y0: -r, y1: r,
      xanchor: run.trajectory.phi0[t], yanchor: run.trajectory.phi1[t], name: `${run.label ?? "run"} at step t`,
      fillcolor: runColor(run, s), line: { color: "#fff", width: 2 },
    };
  });
}

// What the loss map and the loss curve show; a new step on the same runs only moves the markers.
let drawn = null;
function moveMap(d, s) {
  if (!drawn || drawn.land !== d.land || drawn.result !== d.result || drawn.mode !== s.mode
      || drawn.phi[0] !== s.phi0 || drawn.phi[1] !== s.phi1) return false;
  relayout("loss-map", { shapes: stepMarkers(d, s) });
  relayout("loss-curve", { "shapes[0].x0": d.t, "shapes[0].x1": d.t });
  return true;
}

function drawFit(d, s) {
  const inBatch = new Set(d.batch ?? []);
  const traces = [
    { x: d.land.x, y: d.land.y, mode: "markers", name: "data", marker: { color: COLORS.data, size: 7, opacity: d.batch ? 0.45 : 0.9 } },
  ];
  if (d.batch) {
    traces.push({
      x: d.land.x.filter((_, i) => inBatch.has(i)), y: d.land.y.filter((_, i) => inBatch.has(i)), mode: "markers",
      name: `mini-batch of step ${d.t}`, marker: { color: COLORS.descent, size: 11, line: { color: COLORS.ink, width: 1.5 } },
    });
  }
  traces.push({ x: d.point.curve_x, y: d.point.curve_f, mode: "lines", name: "f[x, φ]", line: { color: COLORS.model, width: 3 } });
  draw("fit-plot", traces, {
    title: title(`Data and model · ${LABEL[d.focus.kind]}, step ${d.t}: L = ${fmt(d.point.loss)}`),
    xaxis: { title: { text: "x" } },
    yaxis: { title: { text: "y" } },
  });
}

function drawCurves(d, s) {
  const traces = [];
  if (s.mode === "race") {
    for (const run of d.result.runs) {
      traces.push({ y: run.losses, mode: "lines", name: run.label, line: { color: KIND_COLOR[run.kind], width: run === d.focus ? 3 : 2 } });
    }
    if (d.focus.batch_indices) {
      traces.push({ y: d.focus.batch_losses, mode: "lines", name: `${LABEL[d.focus.kind]}: mini-batch loss`, line: { color: KIND_COLOR[d.focus.kind], width: 1, dash: "dot" }, opacity: 0.6 });
      traces.push({ x: d.focus.epoch_ends, y: d.focus.epoch_losses, mode: "markers", name: "end of epoch", marker: { color: KIND_COLOR[d.focus.kind], size: 6, symbol: "square" } });
    }
  } else {
    d.result.runs.forEach((run, i) => traces.push({
      y: run.losses, mode: "lines", name: i === 0 ? "from your start" : `start ${i}`, showlegend: i === 0,
      line: { color: runColor(run, s), width: i === 0 ? 3 : 1.5 },
    }));
  }
  const longest = Math.max(...d.result.runs.map((r) => r.steps), 1);
  draw("loss-curve", traces, {
    title: title(`Full loss per step${s.mode === "race" ? " (dotted: what the mini-batch saw)" : ""}`),
    xaxis: { title: { text: "step t" }, range: [0, longest] },
    yaxis: { title: { text: "L (log scale)" }, type: "log", tickmode: "array", tickvals: logTicks(traces.flatMap((t) => t.y)) },
    shapes: [{ type: "line", x0: d.t, x1: d.t, yref: "paper", y0: 0, y1: 1, line: { color: COLORS.muted, width: 1.5, dash: "dash" } }],
  });
}

function arrow(from, vec, color, text, labelShift = 10) {
  return [
    { x: from[0] + vec[0], y: from[1] + vec[1], ax: from[0], ay: from[1], xref: "x", yref: "y", axref: "x", ayref: "y", showarrow: true, arrowhead: 3, arrowsize: 1.2, arrowwidth: 2.5, arrowcolor: color, text: "" },
    { x: from[0] + vec[0], y: from[1] + vec[1], xref: "x", yref: "y", text, showarrow: false, xshift: 18, yshift: labelShift, font: { color, size: 14 } },
  ];
}

function drawBatchMap(d) {
  const names = d.land.param_names.map(plainName);
  const p = d.point;
  const phi = [d.focus.trajectory.phi0[d.t], d.focus.trajectory.phi1[d.t]];
  const surface = p.batch_surface ?? d.land.surface.loss;
  const traces = [...contour(d.land.surface, surface, names, false), ...minimaTraces(d.land.minima).map((t) => ({ ...t, showlegend: false })), ...saddleTraces(d.land.saddles, false)];
  traces.push({ x: [phi[0]], y: [phi[1]], mode: "markers", name: "φ_t", marker: { size: 12, color: KIND_COLOR[d.focus.kind], line: { color: "#fff", width: 2 } } });
  const [r0, r1] = d.land.param_range;
  // Both arrows share one scale: the longer one spans a sixth of the view.
  const grads = [p.gradient, p.batch_gradient].filter(Boolean);
  const longest = Math.max(...grads.map((g) => Math.hypot(g[0] / (r0[1] - r0[0]), g[1] / (r1[1] - r1[0]))), 1e-300);
  const scale = (g) => [(-g[0] / longest) / 6, (-g[1] / longest) / 6];
  // A vanishing gradient has no direction: no arrow for it.
  const annotations = p.gradient_vanishes ? [] : [...arrow(phi, scale(p.gradient), COLORS.gradient, "−∇L")];
  if (p.batch_gradient && !p.batch_gradient_vanishes) annotations.push(...arrow(phi, scale(p.batch_gradient), COLORS.descent, "−∇L_B", -12));
  // The angle comes from the API; it is null where a gradient vanishes (no direction to compare).
  const angle = p.angle;
  const angleText = angle === null ? "angle undefined: a gradient vanishes" : `angle(∇L, ∇L_B) = ${angle.toFixed(0)}°`;
  draw("batch-map", traces, {
    title: title(p.batch_surface
      ? `Mini-batch loss L_B at step ${d.t} (|B| = ${d.batch.length}) · ${angleText}`
      : `${LABEL[d.focus.kind]} uses all samples: no gradient noise`),
    xaxis: { title: { text: names[0] }, range: r0 },
    yaxis: { title: { text: names[1] }, range: r1 },
    showlegend: false,
    margin: { l: 60, r: 20, t: 40, b: 40 },
    annotations,
  });
  return angle;
}

function drawReadouts(d, s, angle) {
  const badge = (st) => `<span class="badge ${st}">${st.replace("_", " ")}</span>`;
  const lines = [];
  if (s.mode === "race") {
    for (const run of d.result.runs) {
      const away = run.outside.length ? `, outside the view for ${run.outside.length} of ${run.steps + 1} points (from step ${run.outside[0]})` : "";
      const where = run.ended_at === "saddle" ? " <b>at a saddle point</b>, not a minimum" : "";
      lines.push(`<div><b><span class="swatch" style="background:${KIND_COLOR[run.kind]}"></span>${run.label}</b> ${badge(run.status)}${where} L = ${fmt(run.losses.at(-1))} after ${run.steps} steps${away}</div>`);
    }
  } else {
    const runs = d.result.runs;
    const global = runs.filter((r) => r.ended_in === 0).length;
    const diverged = runs.filter((r) => r.ended_in === null).length;
    lines.push(`<div><b>${LABEL[s.focus]}</b>: ${global} of ${runs.length} starts ended in the global minimum${diverged ? `, ${diverged} diverged` : ""}</div>`);
    lines.push(`<div>from your start: ${badge(runs[0].status)} ${runs[0].ended_in === 0 ? "global minimum" : runs[0].ended_in === null ? "no valley" : `local minimum #${runs[0].ended_in}`}</div>`);
  }
  lines.push(`<div><b>step ${d.t}</b>: L = ${fmt(d.point.loss)}, |∇L| = ${fmt(d.point.gradient_norm)}${d.point.batch_loss !== null ? `, L_B = ${fmt(d.point.batch_loss)}` : ""}${d.point.batch_loss !== null ? (angle !== null ? `, angle(∇L, ∇L_B) = ${angle.toFixed(0)}°` : ", angle undefined (a gradient vanishes)") : ""}</div>`);
  lines.push(`<div class="note">${d.focus.message}</div>`);
  document.getElementById("readouts").innerHTML = lines.join("");
}

function bindMapClick() {
  onPlot("loss-map", "plotly_click", (ev) => {
    const p = ev.points?.[0];
    if (p && Number.isFinite(p.x) && Number.isFinite(p.y)) lab.set({ phi0: Number(p.x.toPrecision(5)), phi1: Number(p.y.toPrecision(5)), step: 0 });
  });
}

let longestRun = 0;
function render(d, s) {
  showError(null);
  document.getElementById("landscape-select").value = s.landscape;
  document.getElementById("activation-control").hidden = s.landscape !== "network";
  document.getElementById("schedule-controls").hidden = s.schedule === "constant";
  document.getElementById("race-checks").hidden = s.mode !== "race";
  document.getElementById("grid-control").hidden = s.mode !== "starts";
  const names = d.land.param_names;
  for (const [id, tex] of [["phi0-label", names[0]], ["phi1-label", names[1]]]) {
    document.getElementById(id).textContent = `start ${plainName(tex)}`;
  }
  longestRun = Math.max(...d.result.runs.map((r) => r.steps));
  const slider = document.getElementById("step-slider");
  slider.max = String(Math.max(longestRun, 1));
  if (!moveMap(d, s)) {
    drawMap(d, s);
    drawCurves(d, s);
  }
  bindMapClick();
  drawFit(d, s);
  const angle = drawBatchMap(d);
  drawReadouts(d, s, angle);
}

/** The menus and check boxes that list optimisers and landscapes, from the registries. */
function buildControls() {
  const option = (o) => `<option value="${o.name}">${o.label}</option>`;
  document.getElementById("landscape-select").innerHTML = LANDSCAPES.map(option).join("");
  document.querySelector('select[data-key="focus"]').innerHTML = OPTIMIZERS.map(option).join("");
  document.querySelector('select[data-key="schedule"]').innerHTML = (REGISTRIES.schedules ?? []).map(option).join("");
  document.querySelector('select[data-key="activation"]').innerHTML = (REGISTRIES.activations ?? []).map(option).join("");
  document.getElementById("race-checks").innerHTML = OPTIMIZERS.map(
    (o) => `<label class="control inline"><input type="checkbox" data-key="use_${o.name}"> ${o.label}</label>`,
  ).join("");
}

initPage("training");
buildControls();
const lab = createLab({ schema, compute, render });

document.getElementById("landscape-select").addEventListener("change", (ev) => {
  lab.set({ landscape: ev.target.value, ...PRESETS[ev.target.value], step: 0 });
});
document.getElementById("new-data").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));

// Animation: step through the focus run's trajectory.
let timer = null;
const playButton = document.getElementById("play");
function stop() {
  clearInterval(timer);
  timer = null;
  playButton.textContent = "▶ Play";
}
playButton.addEventListener("click", () => {
  if (timer) return stop();
  if (lab.state.step >= longestRun) lab.set({ step: 0 });
  playButton.textContent = "❚❚ Pause";
  const stride = Math.max(1, Math.ceil(longestRun / 150));
  timer = setInterval(() => {
    if (document.body.dataset.busy === "1") return; // the last step is not drawn yet: wait
    const next = Math.min(lab.state.step + stride, longestRun);
    lab.set({ step: next });
    if (next >= longestRun) stop();
  }, 40);
});
document.getElementById("step-back").addEventListener("click", () => lab.set({ step: Math.max(0, lab.state.step - 1) }));
document.getElementById("step-forward").addEventListener("click", () => lab.set({ step: Math.min(longestRun, lab.state.step + 1) }));

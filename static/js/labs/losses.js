// Loss-functions lab: likelihoods and the NLL for three problems, softmax, entropy and KL.
// Every number comes from /api/v1/losses; this module only asks and draws.
import { postJSON } from "../api.js";
import { FieldError } from "../errors.js";
import { COLORS, LOSS_SCALE, draw, fmt, gridImage, imageOn, title } from "../plots.js";
import { parsePoints } from "../points.js";
import { initPage, meta } from "../shell.js";
import { createLab } from "../state.js";
import { drawAnew, steadyRange, update } from "../steady.js";
import { setHTML, setProp } from "../dom.js";

const API = "api/v1/losses";
const MAX_POINTS = 500;
const OUTCOMES = 4; // bars of the discrete KL panel
const P_DEFAULT = [0.4, 0.3, 0.2, 0.1];
// Not the mirror image of p: with mirrored defaults KL[p‖q] = KL[q‖p] and the page looked symmetric.
const Q_DEFAULT = [0.1, 0.1, 0.2, 0.6];

initPage("losses");

// Names and labels from the registries core declares once (via /api/v1/meta).
const registries = (await meta()).registries;
const ACTIVATIONS = (registries.activations ?? [{ name: "relu", label: "ReLU" }]).map((a) => a.name);
const OPTIMIZER_LABELS = Object.fromEntries((registries.optimizers ?? []).map((o) => [o.name, o.label]));
const options = (entries) => entries.map((a) => `<option value="${a.name}">${a.label}</option>`).join("");
document.getElementById("activation-select").innerHTML = options(registries.activations ?? []);
// The problem, model and link menus: select[data-registry] filled from the registry of that name.
for (const select of document.querySelectorAll("select[data-registry]")) {
  select.innerHTML = options(registries[select.dataset.registry] ?? []);
}
const namesOf = (kind) => (registries[kind] ?? []).map((r) => r.name);

const weights = (prefix, values) =>
  Object.fromEntries(values.map((v, k) => [`${prefix}${k}`, { type: "number", default: v, min: 0, max: 1 }]));

const schema = {
  problem: { type: "enum", options: namesOf("likelihood_problems"), default: "regression" },
  model: { type: "enum", options: namesOf("likelihood_models"), default: "line" },
  hidden_units: { type: "int", default: 3, min: 1, max: 8, enabled: (s) => s.model === "shallow" },
  activation: { type: "enum", options: ACTIVATIONS, default: "relu", enabled: (s) => s.model === "shallow" },
  heteroscedastic: { type: "bool", default: false, enabled: (s) => s.problem === "regression" },
  sigma: { type: "number", default: 0.5, min: 0.01, max: 10, enabled: (s) => s.problem === "regression" && !s.heteroscedastic },
  link: { type: "enum", options: namesOf("likelihood_links"), default: "sigmoid", enabled: (s) => s.problem === "binary" },
  n_classes: { type: "int", default: 3, min: 2, max: 6, enabled: (s) => s.problem === "multiclass" },
  source: { type: "enum", options: ["generated", "custom"], default: "generated" },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  n_points: { type: "int", default: 30, min: 2, max: 200 },
  noise: { type: "number", default: 0.3, min: 0.05, max: 1.5 },
  noise_growth: { type: "number", default: 0, min: 0, max: 3, enabled: (s) => s.problem === "regression" },
  points: { type: "text", default: "-1, 0\n-0.5, 0\n-0.2, 1\n0, 0\n0.5, 1\n1, 1", maxLength: 12000 },
  params: { type: "text", default: "", maxLength: 4000 }, // "" = the model's default start
  fit: { type: "bool", default: false },
  optimizer: { type: "text", default: "gd", maxLength: 40, enabled: (s) => s.fit }, // checked by the API
  learning_rate: { type: "number", default: 0.1, min: 0.001, max: 3, enabled: (s) => s.fit },
  beta: { type: "number", default: 0.9, min: 0, max: 0.99, enabled: (s) => s.fit && s.optimizer !== "gd" },
  max_steps: { type: "int", default: 200, min: 10, max: 1000, enabled: (s) => s.fit },
  sm_logits: { type: "text", default: "2, 1, 0.1, -1", maxLength: 400 },
  sm_shift: { type: "number", default: 0, min: -50, max: 50 },
  sm_temperature: { type: "number", default: 1, min: 0.01, max: 100 },
  ...weights("p", P_DEFAULT),
  ...weights("q", Q_DEFAULT),
  g_mu1: { type: "number", default: 0, min: -4, max: 4 },
  g_sigma1: { type: "number", default: 1, min: 0.1, max: 4 },
  g_mu2: { type: "number", default: 1, min: -4, max: 4 },
  g_sigma2: { type: "number", default: 2, min: 0.1, max: 4 },
  e_points: { type: "int", default: 40, min: 5, max: 500 },
  e_bins: { type: "int", default: 12, min: 2, max: 60 },
  e_seed: { type: "int", default: 0, min: 0, max: 4294967295 },
};

// The discrete panel's sliders are made here, before the state binds the controls.
document.getElementById("pq-sliders").innerHTML = ["p", "q"]
  .map((d) => Array.from({ length: OUTCOMES }, (_, k) =>
    `<label class="control"><span>${d} weight, outcome ${k}</span> <output data-for="${d}${k}"></output>
      <input type="range" data-key="${d}${k}" min="0" max="1" step="0.01"></label>`).join(""))
  .join("");

function parseNumbers(text, key, what, min, max) {
  const values = text.split(/[\s,;]+/).filter((t) => t !== "").map(Number);
  if (!values.every(Number.isFinite)) throw new FieldError(key, `${what}: type numbers separated by commas`);
  if (values.length < min || values.length > max) throw new FieldError(key, `${what}: give ${min} to ${max} numbers`);
  return values;
}

function viewRequest(s) {
  const body = {
    problem: s.problem, model: s.model, hidden_units: s.hidden_units, activation: s.activation,
    heteroscedastic: s.heteroscedastic, n_classes: s.n_classes, link: s.link, seed: s.seed,
    n_points: s.n_points, noise: s.noise, noise_growth: s.noise_growth, sigma: s.sigma,
    fit: s.fit, optimizer: s.optimizer, learning_rate: s.learning_rate, beta: s.beta, max_steps: s.max_steps,
    // Enough for smooth curves (segments of ~4 px on a figure ~450 px wide) and, smoothed, for
    // the density map; more cells cost JSON and drawing time on every step (measured: 150
    // columns instead of 100 took ~4 ms longer per step, with no difference on screen).
    grid_size: 100, density_rows: 50,
    parameters: s.params.trim() ? parseNumbers(s.params, "params", "parameters", 1, 200) : null,
  };
  if (s.source === "custom") {
    let pairs;
    try {
      pairs = parsePoints(s.points, MAX_POINTS);
    } catch (err) {
      throw new FieldError("points", err.message);
    }
    body.x = pairs.map((p) => p[0]);
    body.y = pairs.map((p) => p[1]);
  }
  return body;
}

const range = (n) => Array.from({ length: n }, (_, k) => k);
const post = (path) => (body) => postJSON(`${API}/${path}`, body);

// ---------------------------------------------------------------------------------------------
// 1. The problem view

function paramSliders(d) {
  const box = document.getElementById("parameter-sliders");
  const signature = d.parameter_labels.join("|");
  if (box.dataset.signature !== signature) {
    box.dataset.signature = signature;
    box.innerHTML = d.parameter_labels
      .map((label, j) => `<label class="control"><span>${label}</span> <output id="param-out-${j}"></output>
        <input type="range" class="param" data-index="${j}" step="0.01" aria-label="${label}"></label>`)
      .join("");
    box.querySelectorAll("input.param").forEach((el) => {
      el.addEventListener("input", () => {
        const values = [...lab.data("view").parameters];
        values[Number(el.dataset.index)] = Number(el.value);
        lab.set({ params: values.map((v) => String(Number(v.toPrecision(10)))).join(",") });
      });
    });
  }
  // Only what changed is written (most steps move another control and change none of these).
  box.querySelectorAll("input.param").forEach((el) => {
    const j = Number(el.dataset.index);
    const v = d.parameters[j];
    const reach = Math.max(5, Math.ceil(Math.abs(v) * 1.2));
    setProp(el, "min", String(-reach));
    setProp(el, "max", String(reach));
    if (document.activeElement !== el) setProp(el, "value", String(v));
    setProp(`param-out-${j}`, "textContent", fmt(v, 3));
  });
}

// The problem view's figures redraw on every step: a few ticks per axis, as each tick label is
// measured again on every redraw (a cost that grows with the page).
const TICKS = 6;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// The density's colours: clear where Pr(y | x) is 0, red at the top of the scale.
const DENSITY_SCALE = [[0, "rgba(255,255,255,0)"], [1, "rgba(209,73,91,0.55)"]];
let regressionRange = null; // the model figure's y range while it keeps the data in view
const LEGEND_ONLY = [null]; // a trace of no point has a legend entry; the same array every time

function drawRegression(d) {
  const c = d.curve;
  const upper = c.mean.map((m, j) => m + c.sigma[j]);
  const lower = c.mean.map((m, j) => m - c.sigma[j]);
  // The density is a layout image and every curve moves in place (steady.js): a step does not
  // redraw the axes. Shading saturates at twice the typical peak, so a spike where σ is tiny
  // hides nothing; the image has a pixel per cell, smoothed as the browser scales it.
  const zmax = 2 * median(d.grid.map((_, j) => Math.max(...d.density.map((row) => row[j]))));
  const image = { ...imageOn(d.grid, d.density_y), source: gridImage(d.density, DENSITY_SCALE, 0, zmax), name: "density Pr(y | x)", layer: "below" };
  regressionRange = steadyRange(regressionRange, [...d.y, ...upper, ...lower]);
  const traces = [
    { x: d.grid, y: upper, mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
    { x: d.grid, y: lower, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(209,73,91,0.12)", name: "μ ± σ", hoverinfo: "skip" },
    { x: d.grid, y: c.mean, mode: "lines", name: "mean μ = f[x, φ]", line: { color: COLORS.model, width: 3 } },
    {
      x: LEGEND_ONLY, y: LEGEND_ONLY, mode: "markers", name: "density Pr(y | x)", hoverinfo: "skip",
      marker: { symbol: "square", size: 12, color: "rgba(209,73,91,0.45)" },
    },
  ];
  if (d.closed_form) {
    traces.push({ x: d.grid, y: d.closed_form.curve, mode: "lines", name: "maximum likelihood (least squares)", line: { color: COLORS.exact, width: 2, dash: "dash" } });
  }
  if (d.fit) {
    traces.push({ x: d.grid, y: d.fit.curve.mean, mode: "lines", name: "where the fit stopped", line: { color: COLORS.descent, width: 2, dash: "dashdot" } });
  }
  traces.push({
    x: d.x, y: d.y, mode: "markers", name: "data", marker: { color: COLORS.data, size: 8, line: { color: "#fff", width: 1 } },
    customdata: d.likelihood, hovertemplate: "x = %{x:.3f}, y = %{y:.3f}<br>Pr(y | θ) = %{customdata:.4g}<extra></extra>",
  });
  update("model-plot", traces, {
    title: title(d.output_roles.length > 1 ? "Normal, predicted mean and σ (σ² = f₂²)" : "Normal with predicted mean, fixed σ"),
    xaxis: { title: { text: "x" }, nticks: TICKS, range: [d.grid[0], d.grid.at(-1)] },
    yaxis: { title: { text: "y" }, nticks: TICKS, range: regressionRange },
    images: [image],
    legend: { orientation: "h", x: 0, y: -0.24, yanchor: "top" },
    margin: { l: 60, r: 20, t: 40, b: 50 },
    uirevision: "regression",
  }, {
    // What a move cannot change: which curves there are. The data's points move too (a new
    // sample), with their likelihoods in the hover.
    key: JSON.stringify(["regression", Boolean(d.closed_form), Boolean(d.fit)]),
    moving: ["x", "y", "customdata"],
  });
}

function drawBinary(d, s) {
  const lam = d.curve.lam;
  const bad = d.valid.map((ok, i) => (ok ? null : i)).filter((i) => i !== null);
  const lo = Math.min(-0.1, ...lam);
  const hi = Math.max(1.1, ...lam);
  const traces = [
    { x: d.grid, y: lam, mode: "lines", name: `λ = ${s.link === "sigmoid" ? "sig[f]" : s.link === "relu" ? "max(0, f)" : "f"}`, line: { color: COLORS.model, width: 3 } },
  ];
  if (d.fit) traces.push({ x: d.grid, y: d.fit.curve.lam, mode: "lines", name: "where the fit stopped", line: { color: COLORS.descent, width: 2, dash: "dashdot" } });
  traces.push({
    x: d.x, y: d.y, mode: "markers", name: "data (labels 0 and 1)", marker: { color: COLORS.data, size: 8, opacity: 0.8 },
    customdata: d.likelihood.map((v) => (v === null ? "undefined" : fmt(v))),
    hovertemplate: "x = %{x:.3f}, y = %{y}<br>Pr(y | λ) = %{customdata}<extra></extra>",
  });
  if (bad.length) {
    traces.push({
      x: bad.map((i) => d.x[i]), y: bad.map((i) => d.y[i]), mode: "markers", name: "NLL undefined",
      marker: { symbol: "x", size: 13, color: COLORS.model, line: { width: 2 } }, hoverinfo: "skip",
    });
  }
  const band = (y0, y1) => ({ type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0, y1, fillcolor: "rgba(179,38,30,0.10)", line: { width: 0 }, layer: "below" });
  drawAnew("model-plot", traces, {
    title: title("Bernoulli: λ = Pr(y = 1 | x) over the data"),
    xaxis: { title: { text: "x" }, nticks: TICKS },
    yaxis: { title: { text: "λ" }, range: [lo - 0.05, hi + 0.05], nticks: TICKS },
    shapes: [band(lo - 1, 0), band(1, hi + 1)],
    annotations: hi > 1 || lo < 0 ? [{ xref: "paper", x: 0.01, y: hi, yref: "y", text: "outside [0, 1]: not a probability", showarrow: false, xanchor: "left", yanchor: "top", font: { color: "#b3261e" } }] : [],
    legend: { orientation: "h", x: 0, y: -0.24, yanchor: "top" },
    margin: { l: 60, r: 20, t: 40, b: 50 },
    uirevision: "binary",
  });
}

function drawMulticlass(d) {
  const probs = d.curve.probabilities;
  const k = probs.length;
  const traces = probs.map((row, c) => ({
    x: d.grid, y: row, mode: "lines", stackgroup: "classes", name: `Pr(y = ${c} | x)`,
    line: { color: COLORS.series[c], width: 1 }, fillcolor: `${COLORS.series[c]}88`,
    hovertemplate: `class ${c}: %{y:.3f}<extra></extra>`,
  }));
  const strip = (c) => -0.06 - 0.06 * c;
  for (let c = 0; c < k; c += 1) {
    const idx = d.y.map((y, i) => (y === c ? i : null)).filter((i) => i !== null);
    traces.push({
      x: idx.map((i) => d.x[i]), y: idx.map(() => strip(c)), mode: "markers", name: `data, class ${c}`, showlegend: false,
      marker: { color: COLORS.series[c], size: 8, line: { color: "#fff", width: 1 } },
      customdata: idx.map((i) => d.likelihood[i]), hovertemplate: `x = %{x:.3f}, class ${c}<br>Pr(y | x) = %{customdata:.4g}<extra></extra>`,
    });
  }
  if (d.fit) {
    let cumulative = d.grid.map(() => 0);
    d.fit.curve.probabilities.slice(0, -1).forEach((row, c) => {
      cumulative = cumulative.map((v, j) => v + row[j]);
      traces.push({ x: d.grid, y: cumulative, mode: "lines", name: c === 0 ? "boundaries where the fit stopped" : undefined, showlegend: c === 0, line: { color: COLORS.ink, width: 1.5, dash: "dot" }, hoverinfo: "skip" });
    });
  }
  drawAnew("model-plot", traces, {
    title: title("Categorical: class probabilities, stacked"),
    xaxis: { title: { text: "x" }, nticks: TICKS },
    yaxis: { title: { text: "probability" }, range: [strip(k - 1) - 0.05, 1.02], nticks: TICKS },
    legend: { orientation: "h", x: 0, y: -0.24, yanchor: "top" },
    margin: { l: 60, r: 20, t: 40, b: 50 },
    uirevision: "multiclass",
  });
}

const ranges = {}; // loss -> axis -> the range the points figure is drawn with (steady while it fits)

/** A steady range that starts at 0 as rangemode "tozero" does, below 0 only for negative values. */
function fromZero(previous, values) {
  const r = steadyRange(previous, [0, ...values]);
  return values.some((v) => v !== null && v < 0) ? r : [0, r[1]];
}

// Fixed axis ranges, so that a step that changes only the values (the σ slider, a parameter)
// moves the bars and markers in place (steady.js) instead of redrawing the figure.
function drawPoints(d) {
  const bad = d.valid.map((ok, i) => (ok ? null : i)).filter((i) => i !== null);
  const lo = Math.min(...d.x);
  const hi = Math.max(...d.x);
  const width = 0.012 * (hi - lo || 1);
  const pad = 0.05 * (hi - lo || 1) + width;
  const range = (ranges[d.loss] ??= {}); // another loss starts from ranges of its own
  range.y = fromZero(range.y, d.nll);
  range.y2 = fromZero(range.y2, d.likelihood);
  const traces = [
    { x: d.x, y: d.nll, type: "bar", name: "−log Pr(yᵢ | θᵢ)", marker: { color: COLORS.data }, width },
    { x: d.x, y: d.likelihood, mode: "markers", name: "Pr(yᵢ | θᵢ)", yaxis: "y2", marker: { color: COLORS.exact, size: 7, symbol: "diamond" } },
  ];
  if (bad.length) {
    traces.push({ x: bad.map((i) => d.x[i]), y: bad.map(() => 0), mode: "markers", name: "undefined", marker: { symbol: "x", size: 12, color: COLORS.model } });
  }
  const density = d.loss.startsWith("gaussian");
  update("points-plot", traces, {
    title: title("Each point's likelihood and loss"),
    xaxis: { title: { text: "x" }, nticks: TICKS, range: [lo - pad, hi + pad] },
    yaxis: { title: { text: "loss −log Pr" }, range: range.y, nticks: TICKS },
    yaxis2: {
      title: { text: density ? "density Pr" : "probability Pr" }, overlaying: "y", side: "right",
      range: range.y2, showgrid: false, nticks: TICKS,
    },
    margin: { l: 60, r: 70, t: 78, b: 50 },
    uirevision: "points",
  }, {
    // What a move cannot change: the bars' width, the second axis' title, whether points are
    // undefined (both axes' ranges are relaid out).
    key: JSON.stringify([density, width, bad.length > 0]),
  });
}

// Short plot titles (the full message is in the read-outs): a long one is cut on a phone.
const FIT_ENDS = { converged: "converged", max_steps: "stopped at the step limit", diverged: "diverged" };

let fitDrawn = ""; // the fit figure is redrawn only when the run (or its reference line) changes

function drawFit(d) {
  const key = JSON.stringify(d.fit ? [d.fit.losses, d.fit.status, d.fit.steps, d.closed_form?.nll_at_sigma] : null);
  if (key === fitDrawn) return;
  fitDrawn = key;
  const traces = [];
  if (d.fit) {
    traces.push({ y: d.fit.losses, mode: "lines", name: "L = summed NLL", line: { color: COLORS.descent, width: 2 } });
    if (d.closed_form) {
      const n = d.fit.losses.length - 1;
      traces.push({ x: [0, n], y: [d.closed_form.nll_at_sigma, d.closed_form.nll_at_sigma], mode: "lines", name: "minimum (least-squares line)", line: { color: COLORS.exact, dash: "dash" } });
    }
  }
  draw("fit-plot", traces, {
    title: title(d.fit ? `Fit · ${FIT_ENDS[d.fit.status] ?? d.fit.status} (${d.fit.steps} steps)` : "Fit: tick \"run from the current φ\""),
    xaxis: { title: { text: "step" } },
    yaxis: { title: { text: "L[φ]" } },
    uirevision: "fit",
  });
}

function drawAffine(d) {
  const rows = [];
  if (d.affine) {
    const a = d.affine;
    rows.push(
      "<h3>NLL against the sum of squares (fixed σ)</h3><table class=\"data\">",
      `<tr><th>sum of squares SS</th><td>${fmt(a.sum_of_squares, 8)}</td></tr>`,
      `<tr><th>slope 1/(2σ²)</th><td>${fmt(a.slope, 8)}</td></tr>`,
      `<tr><th>intercept (I/2) log(2πσ²)</th><td>${fmt(a.intercept, 8)}</td></tr>`,
      `<tr><th>slope · SS + intercept</th><td>${fmt(a.nll_from_ss, 12)}</td></tr>`,
      `<tr><th>NLL computed directly</th><td>${fmt(d.nll_total, 12)}</td></tr>`,
      `<tr><th>difference</th><td id="affine-difference">${fmt(d.nll_total - a.nll_from_ss, 3)}</td></tr>`,
      "</table>",
      `<p class="note">Best σ for the current means (RMS residual): ${fmt(d.sigma_mle)}.</p>`,
    );
  } else {
    rows.push("<h3>NLL and sum of squares</h3><p class=\"note\">The affine relation holds for a normal with a fixed σ; ",
      d.loss === "gaussian_nll_predicted" ? "here σ changes with x, so points where σ is small weigh more.</p>" : "this problem's NLL is not a sum of squares.</p>");
  }
  if (d.closed_form) {
    const c = d.closed_form;
    rows.push(`<h3>Maximum likelihood in closed form</h3><p class="note">Least-squares line φ̂ = (${fmt(c.parameters[0])}, ${fmt(c.parameters[1])}),
      σ̂ = RMS residual = ${fmt(c.sigma)}, NLL there = ${fmt(c.nll)} (with your σ: ${fmt(c.nll_at_sigma)}).</p>`);
  } else {
    rows.push("<p class=\"note\">No closed-form maximum-likelihood solution for this model: fit it with an optimiser (the Fit panel).</p>");
  }
  setHTML("affine-box", rows.join(""));
}

function drawReadouts(d) {
  const status = d.fit ? `<span class="badge ${d.fit.status}">${d.fit.status.replace("_", " ")}</span>` : "";
  setHTML("readouts", [
    `<div><b>L[φ]</b> = ${fmt(d.nll_total)} (sum over ${d.x.length} points)</div>`,
    `<div><b>L/I</b> = ${fmt(d.nll_mean)} (mean)</div>`,
    `<div><b>log ∏ Pr</b> = ${fmt(d.log_likelihood)}</div>`,
    `<div><b>|∂L/∂φ|</b> = ${fmt(d.gradient_norm)}</div>`,
    d.fit ? `<div><b>fit</b> ${status} L = ${fmt(d.fit.losses.at(-1))} · ${d.fit.message}</div>` : "",
  ].join(""));
  setProp("view-message", "textContent", d.message);
}

function optimizerOptions(d, s) {
  const select = document.getElementById("optimizer-select");
  if (select.options.length !== d.fit_optimizers.length) {
    select.innerHTML = d.fit_optimizers.map((name) => `<option value="${name}">${OPTIMIZER_LABELS[name] ?? name}</option>`).join("");
  }
  select.value = s.optimizer;
}

function renderView(d, s) {
  const show = (id, on) => { document.getElementById(id).hidden = !on; };
  show("generated-controls", s.source === "generated");
  show("custom-controls", s.source === "custom");
  show("to-mle", Boolean(d.closed_form));
  optimizerOptions(d, s);
  paramSliders(d);
  if (s.problem === "regression") drawRegression(d);
  else if (s.problem === "binary") drawBinary(d, s);
  else drawMulticlass(d);
  drawPoints(d);
  drawFit(d);
  drawAffine(d);
  drawReadouts(d);
}

// ---------------------------------------------------------------------------------------------
// 2. Softmax

function renderSoftmax(d, s) {
  const labels = d.probabilities.map((_, k) => `class ${k}`);
  draw("softmax-plot", [
    { x: labels, y: d.probabilities, type: "bar", name: "softmax[z / T]", marker: { color: COLORS.data }, text: d.probabilities.map((p) => fmt(p, 3)), textposition: "outside" },
    { x: labels, y: d.shifted, mode: "markers", name: "softmax[(z + c) / T]", marker: { color: COLORS.model, size: 14, symbol: "line-ew-open", line: { width: 3 } } },
  ], {
    title: title(`Softmax · adding c moves it by ${fmt(d.max_difference)}`),
    yaxis: { title: { text: "probability" }, range: [0, 1.12] },
    uirevision: "softmax",
  });
  draw("temperature-plot", [
    ...d.sweep.map((row, k) => ({ x: d.temperatures, y: row, mode: "lines", name: `class ${k}`, line: { color: COLORS.series[k], width: 2 } })),
    { x: [s.sm_temperature, s.sm_temperature], y: [0, 1], mode: "lines", name: "your T", line: { color: COLORS.muted, dash: "dash" } },
  ], {
    title: title("Small T: sharp; large T: uniform"),
    xaxis: { title: { text: "T" }, type: "log" },
    yaxis: { title: { text: "probability" }, range: [0, 1.02] },
    uirevision: "temperature",
  });
  document.getElementById("softmax-readouts").innerHTML = [
    `<div><b>log Σₖ exp(zₖ/T)</b> = ${fmt(d.log_sum_exp)}</div>`,
    `<div><b>entropy</b> = ${fmt(d.entropy)} nats</div>`,
    `<div><b>exp((zₖ − max z)/T)</b> = (${d.exponentials.map((v) => fmt(v, 3)).join(", ")})</div>`,
  ].join("");
}

// ---------------------------------------------------------------------------------------------
// 3. Divergences

const infinite = (v) => (v === null ? "∞" : fmt(v));

function renderDiscrete(d) {
  const labels = d.p.map((_, k) => `outcome ${k}`);
  draw("discrete-plot", [
    { x: labels, y: d.p, type: "bar", name: "p", marker: { color: COLORS.data } },
    { x: labels, y: d.q, type: "bar", name: "q", marker: { color: COLORS.model } },
  ], { title: title("p and q"), yaxis: { title: { text: "probability" }, rangemode: "tozero" }, barmode: "group", uirevision: "pq" });
  draw("terms-plot", [
    { x: labels, y: d.terms_pq, type: "bar", name: "p log(p/q): sums to KL[p‖q]", marker: { color: COLORS.data } },
    { x: labels, y: d.terms_qp, type: "bar", name: "q log(q/p): sums to KL[q‖p]", marker: { color: COLORS.model } },
  ], { title: title("Each outcome's share (∞ left out)"), yaxis: { title: { text: "nats" } }, barmode: "group", uirevision: "terms" });
  document.getElementById("discrete-readouts").innerHTML = [
    `<div><b>KL[p‖q]</b> = ${infinite(d.kl_pq)}</div>`,
    `<div><b>KL[q‖p]</b> = ${infinite(d.kl_qp)}</div>`,
    `<div><b>H[p]</b> = ${fmt(d.entropy_p)}, <b>H[q]</b> = ${fmt(d.entropy_q)}</div>`,
    `<div><b>H[p, q]</b> = ${infinite(d.cross_entropy_pq)} = H[p] + KL[p‖q]</div>`,
    `<div><b>H[q, p]</b> = ${infinite(d.cross_entropy_qp)} = H[q] + KL[q‖p]</div>`,
  ].join("");
}

function renderGauss(d) {
  draw("gauss-plot", [
    { x: d.y, y: d.density_p, mode: "lines", name: "p", line: { color: COLORS.data, width: 3 }, fill: "tozeroy", fillcolor: "rgba(31,95,168,0.12)" },
    { x: d.y, y: d.density_q, mode: "lines", name: "q", line: { color: COLORS.model, width: 3 }, fill: "tozeroy", fillcolor: "rgba(209,73,91,0.12)" },
  ], { title: title("Two normal densities"), xaxis: { title: { text: "y" } }, yaxis: { title: { text: "density" } }, uirevision: "gauss" });
  draw("integrand-plot", [
    { x: d.y, y: d.integrand_pq, mode: "lines", name: "p log(p/q): area = KL[p‖q]", line: { color: COLORS.data, width: 2 }, fill: "tozeroy" },
    { x: d.y, y: d.integrand_qp, mode: "lines", name: "q log(q/p): area = KL[q‖p]", line: { color: COLORS.model, width: 2 }, fill: "tozeroy" },
  ], { title: title("The integrands of both divergences"), xaxis: { title: { text: "y" } }, yaxis: { title: { text: "nats per unit y" } }, uirevision: "integrand" });
  document.getElementById("gauss-readouts").innerHTML = [
    `<div><b>KL[p‖q]</b> = ${fmt(d.kl_pq, 6)} (integral: ${fmt(d.integral_pq, 6)})</div>`,
    `<div><b>KL[q‖p]</b> = ${fmt(d.kl_qp, 6)} (integral: ${fmt(d.integral_qp, 6)})</div>`,
    `<div><b>H[p, q]</b> = ${fmt(d.cross_entropy_pq)} = H[p] + KL[p‖q] = ${fmt(d.entropy_p)} + ${fmt(d.kl_pq)}</div>`,
  ].join("");
}

// ---------------------------------------------------------------------------------------------
// 4. Empirical KL and NLL

function marker(name, p, color, symbol) {
  return { x: [p.mu], y: [p.sigma], mode: "markers", name, marker: { size: 14, color, symbol, line: { color: "#fff", width: 1 } } };
}

function surface(id, z, d, heading, label, marks) {
  draw(id, [
    {
      // Colours span the 3 nats above the minimum: the bowl, not the wall at small sigma.
      type: "contour", x: d.mu, y: d.sigma, z, colorscale: LOSS_SCALE, ncontours: 24,
      zmin: Math.min(...z.flat()), zmax: Math.min(...z.flat()) + 3, zauto: false,
      contours: { coloring: "heatmap" }, colorbar: { title: { text: label, side: "right" }, thickness: 12 },
      hovertemplate: `μ = %{x:.3f}<br>σ = %{y:.3f}<br>${label} = %{z:.4g}<extra></extra>`, name: label,
    },
    ...marks,
  ], {
    title: title(heading), xaxis: { title: { text: "μ" } }, yaxis: { title: { text: "σ" } },
    uirevision: id,
  });
}

function renderEmpirical(d) {
  const mle = marker("MLE (mean, RMS deviation)", d.mle, COLORS.exact, "star");
  surface("nll-map", d.cross_entropy, d, "L/I = H[p_{emp}, q]: KL less its ∞ constant", "L/I", [
    mle, marker("grid minimum", d.grid_nll_minimiser, COLORS.descent, "circle-open"),
  ]);
  surface("kl-map", d.kl_histogram, d, "KL[p_h ‖ q] with the histogram as the data", "KL", [
    mle, marker("KL minimum (histogram moments)", d.histogram_minimiser, COLORS.model, "diamond"),
  ]);
  const row = d.sigma.reduce((best, s, j) => (Math.abs(s - d.mle.sigma) < Math.abs(d.sigma[best] - d.mle.sigma) ? j : best), 0);
  const ce = d.cross_entropy[row];
  const kl = d.kl_histogram[row];
  const top = Math.max(...ce, ...kl);
  draw("slice-plot", [
    { x: d.mu, y: ce, mode: "lines", name: "L/I", line: { color: COLORS.data, width: 3 } },
    { x: d.mu, y: kl, mode: "lines", name: "KL[p_h ‖ q]", line: { color: COLORS.model, width: 3 } },
    { x: [d.mle.mu, d.mle.mu], y: [0, top], mode: "lines", name: "MLE μ", line: { color: COLORS.exact, dash: "dash" } },
  ], {
    title: title(`Along μ at σ = ${fmt(d.sigma[row], 3)}: both minima`),
    xaxis: { title: { text: "μ" } }, yaxis: { title: { text: "nats" } }, uirevision: "slice",
  });
  const width = d.edges[1] - d.edges[0];
  const centres = d.weights.map((_, b) => (d.edges[b] + d.edges[b + 1]) / 2);
  draw("histogram-plot", [
    { x: centres, y: d.weights.map((w) => w / width), type: "bar", name: "histogram p_h", width, marker: { color: "rgba(31,95,168,0.35)", line: { color: COLORS.data, width: 1 } } },
    { x: d.sample, y: d.sample.map(() => 0), mode: "markers", name: "sample yᵢ", marker: { symbol: "line-ns-open", size: 14, color: COLORS.ink } },
  ], {
    title: title(`The sample (I = ${d.sample.length}) and its histogram`),
    xaxis: { title: { text: "y" } }, yaxis: { title: { text: "density" } }, bargap: 0, uirevision: "hist",
  });
  document.getElementById("empirical-readouts").innerHTML = [
    `<div><b>MLE</b> μ̂ = ${fmt(d.mle.mu)}, σ̂ = ${fmt(d.mle.sigma)}</div>`,
    `<div><b>argmin L on the grid</b> = (${fmt(d.grid_nll_minimiser.mu)}, ${fmt(d.grid_nll_minimiser.sigma)})</div>`,
    `<div><b>argmin KL[p_h‖q]</b> = (${fmt(d.histogram_minimiser.mu)}, ${fmt(d.histogram_minimiser.sigma)})</div>`,
    `<div><b>H[p_h]</b> = ${fmt(d.entropy_histogram)} nats</div>`,
  ].join("");
}

// ---------------------------------------------------------------------------------------------

const VIEW_KEYS = [
  "problem", "model", "hidden_units", "activation", "heteroscedastic", "sigma", "link", "n_classes",
  "source", "seed", "n_points", "noise", "noise_growth", "points", "params",
  "fit", "optimizer", "learning_rate", "beta", "max_steps",
];
// A new problem or model has other parameters: it starts from its own default.
const NEW_MODEL_KEYS = ["problem", "model", "hidden_units", "heteroscedastic", "n_classes", "activation"];

const lab = createLab({
  schema,
  channels: {
    view: {
      keys: VIEW_KEYS,
      compute: (s) => post("view")(viewRequest(s)),
      render: renderView,
      figures: ["model-plot", "points-plot", "fit-plot"],
    },
    softmax: {
      keys: ["sm_logits", "sm_shift", "sm_temperature"],
      compute: (s) => post("softmax")({
        logits: parseNumbers(s.sm_logits, "sm_logits", "logits", 2, 12), shift: s.sm_shift, temperature: s.sm_temperature,
      }),
      render: renderSoftmax,
      figures: ["softmax-plot", "temperature-plot"],
    },
    discrete: {
      keys: range(OUTCOMES).flatMap((k) => [`p${k}`, `q${k}`]),
      compute: (s) => post("discrete")({
        p: range(OUTCOMES).map((k) => s[`p${k}`]), q: range(OUTCOMES).map((k) => s[`q${k}`]), normalise: true,
      }),
      render: renderDiscrete,
      figures: ["discrete-plot", "terms-plot"],
    },
    gauss: {
      keys: ["g_mu1", "g_sigma1", "g_mu2", "g_sigma2"],
      compute: (s) => post("gaussians")({ mu1: s.g_mu1, sigma1: s.g_sigma1, mu2: s.g_mu2, sigma2: s.g_sigma2 }),
      render: renderGauss,
      figures: ["gauss-plot", "integrand-plot"],
    },
    empirical: {
      keys: ["e_points", "e_bins", "e_seed"],
      compute: (s) => post("empirical")({ seed: s.e_seed, n_points: s.e_points, bins: s.e_bins }),
      render: renderEmpirical,
      figures: ["nll-map", "kl-map", "slice-plot", "histogram-plot"],
    },
  },
  fields: {
    parameters: "params", x: "points", y: "points", logits: "sm_logits", shift: "sm_shift",
    temperature: "sm_temperature", mu1: "g_mu1", sigma1: "g_sigma1", mu2: "g_mu2", sigma2: "g_sigma2",
  },
  constrain: (next, changed) => (changed.some((k) => NEW_MODEL_KEYS.includes(k)) && !changed.includes("params") ? { params: "" } : {}),
});

document.getElementById("reset-params").addEventListener("click", () => lab.set({ params: "" }));
document.getElementById("new-data").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));
document.getElementById("new-sample").addEventListener("click", () => lab.set({ e_seed: lab.state.e_seed + 1 }));
document.getElementById("huge-logits").addEventListener("click", () => lab.set({ sm_logits: "1000, -1000, 0, 999" }));
document.getElementById("to-mle").addEventListener("click", () => {
  const c = lab.data("view")?.closed_form;
  if (c) lab.set({ params: c.parameters.join(","), sigma: c.sigma });
});
document.getElementById("to-fit").addEventListener("click", () => {
  const f = lab.data("view")?.fit;
  if (f) lab.set({ params: f.parameters.join(",") });
});

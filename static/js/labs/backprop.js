// Backpropagation lab: the toy chain, the network inspector with its step walk and check, the
// cost of backprop against finite differences, and gradient sizes over depth.
// Every number comes from /api/v1/backprop/*; this module only lays the answers out.
import { postJSON } from "../api.js";
import { COLORS, draw, fmt, move, title } from "../plots.js";
import { initPage, meta as fetchMeta, renderMath } from "../shell.js";
import { createLab } from "../state.js";
import * as dom from "../dom.js";

const BOOK = { b: [1.0, 2.0, -3.0, 0.4], w: [0.1, -0.4, 2.0, 3.0], x: 2.3, y: 2.0 };
const CHECK_OK = 1e-5; // relative error below which a layer's check passes

const meta = await fetchMeta();
const names = (kind) => meta.registries[kind].map((r) => r.name);
const labels = (kind) => Object.fromEntries(meta.registries[kind].map((r) => [r.name, r.label]));

function fillSelect(select, kind, extra = []) {
  const options = [...extra, ...meta.registries[kind].map((r) => [r.name, r.label])];
  select.innerHTML = options.map(([v, l]) => `<option value="${v}">${l}</option>`).join("");
}

const chainParam = (def) => ({ type: "number", default: def, min: -10, max: 10 });
const schema = {
  // the chain
  b0: chainParam(BOOK.b[0]), b1: chainParam(BOOK.b[1]), b2: chainParam(BOOK.b[2]), b3: chainParam(BOOK.b[3]),
  w0: chainParam(BOOK.w[0]), w1: chainParam(BOOK.w[1]), w2: chainParam(BOOK.w[2]), w3: chainParam(BOOK.w[3]),
  cx: { type: "number", default: BOOK.x, min: -10, max: 10 },
  cy: { type: "number", default: BOOK.y, min: -10, max: 10 },
  // the inspector
  seed: { type: "int", default: 1, min: 0, max: 4294967295 },
  K: { type: "int", default: 3, min: 1, max: 8 },
  D: { type: "int", default: 4, min: 1, max: 16 },
  din: { type: "int", default: 2, min: 1, max: 16 },
  dout: { type: "int", default: 1, min: 1, max: 16 },
  act: { type: "enum", options: names("activations"), default: "relu" },
  init: { type: "enum", options: names("initialisations"), default: "he" },
  scale: { type: "number", default: 1, min: 0.1, max: 3 },
  loss: { type: "enum", options: names("losses"), default: "least_squares" },
  n: { type: "int", default: 1, min: 1, max: 8 },
  edits: { type: "text", default: "", maxLength: 600 },
  step: { type: "int", default: 999, min: 0, max: 999 },
  // gradient size over depth
  gK: { type: "int", default: 20, min: 2, max: 40 },
  gD: { type: "int", default: 32, min: 2, max: 48 },
  ga1: { type: "enum", options: names("activations"), default: "relu" },
  ga2: { type: "enum", options: ["", ...names("activations")], default: "tanh" },
  ga3: { type: "enum", options: ["", ...names("activations")], default: "" },
  gscales: { type: "text", default: "0.7, 1, 1.4", maxLength: 40 },
  ginit: { type: "enum", options: names("initialisations"), default: "he" },
  gseeds: { type: "int", default: 4, min: 1, max: 8 },
};

// ------------------------------------------------------------------------------ requests

/** Edits in the hash: "o1.2.3=5;b0.1=-2" (Omega_1[2,3] = 5, beta_0[1] = -2). */
function parseEdits(text) {
  const edits = [];
  for (const part of text.split(";")) {
    const m = part.trim().match(/^([ob])(\d+)\.(\d+)(?:\.(\d+))?=(-?[\d.eE+-]+)$/);
    if (!m || !Number.isFinite(Number(m[5]))) continue;
    edits.push({
      kind: m[1] === "o" ? "omega" : "beta", layer: Number(m[2]), row: Number(m[3]),
      column: m[4] === undefined ? 0 : Number(m[4]), value: Number(m[5]),
    });
  }
  return edits;
}

function formatEdits(edits) {
  return edits.map((e) => (e.kind === "omega" ? `o${e.layer}.${e.row}.${e.column}=${e.value}` : `b${e.layer}.${e.row}=${e.value}`)).join(";");
}

function widthsOf(s) {
  return [s.din, ...Array(s.K).fill(s.D), s.dout];
}

/** Edits that fit the current widths (the others wait in the hash until they fit again). */
function fittingEdits(s) {
  const w = widthsOf(s);
  return parseEdits(s.edits).filter(
    (e) => e.layer <= s.K && e.row < w[e.layer + 1] && (e.kind === "beta" || e.column < w[e.layer]) && Math.abs(e.value) <= 100,
  );
}

function scalesOf(s) {
  const list = s.gscales.split(/[,\s]+/).map(Number).filter((v) => Number.isFinite(v) && v > 0 && v <= 4);
  return list.length ? [...new Set(list)].slice(0, 4) : [1];
}

function requests(s) {
  return {
    chain: { betas: [s.b0, s.b1, s.b2, s.b3], omegas: [s.w0, s.w1, s.w2, s.w3], x: s.cx, y: s.cy },
    network: {
      seed: s.seed, d_in: s.din, hidden: Array(s.K).fill(s.D), d_out: s.dout, activations: [s.act],
      init: s.init, scale: s.scale, loss: s.loss, n_examples: s.n, edits: fittingEdits(s),
    },
    cost: { d_in: s.din, d_out: s.dout, width: s.D, max_depth: 8, n_examples: s.n },
    sizes: {
      seed: s.seed, depth: s.gK, width: s.gD, init: s.ginit, n_seeds: s.gseeds, n_examples: 16,
      activations: [...new Set([s.ga1, s.ga2, s.ga3].filter(Boolean))], scales: scalesOf(s),
    },
  };
}

// ------------------------------------------------------------------------------ helpers

// TeX is written as $...$. Once KaTeX is loaded each piece is typeset as the HTML is built, and
// its markup kept for the next redraw (most pieces recur: Omega_k, dl/df_k, the formulas of the
// steps); before that the shell's KaTeX typesets the page when it arrives.
const tex = (s) => `$${s}$`;
const typeset_ = new Map();

function typeset(source) {
  if (typeof window.katex?.renderToString !== "function") return tex(source);
  if (!typeset_.has(source)) {
    if (typeset_.size > 2000) typeset_.clear(); // pieces with numbers in them would pile up
    typeset_.set(source, window.katex.renderToString(source, { throwOnError: false }));
  }
  return typeset_.get(source);
}

function typesetInto(el, html) {
  el.innerHTML = html.replace(/\$([^$]+)\$/g, (_, source) => typeset(source));
  renderMath(el); // returns at once when no $ is left
}

/** Set an element's HTML with its TeX typeset, only when it differs from last time (dom.js). */
function setHTML(id, html) {
  dom.setHTML(id, html, typesetInto);
}

function sub(name) {
  // "dl/dOmega_2" -> TeX
  const m = name.match(/^(dl\/d)?(Omega|beta|f|h|x|y|l|mask)_?(\d+)?$/);
  if (!m) return name;
  const base = { Omega: "\\boldsymbol\\Omega", beta: "\\boldsymbol\\beta", f: "\\mathbf{f}", h: "\\mathbf{h}", x: "\\mathbf{x}", y: "\\mathbf{y}", l: "\\ell", mask: "a'" }[m[2]];
  let t = m[2] === "mask" ? `a'[\\mathbf{f}_{${Number(m[3]) - 1}}]` : m[3] !== undefined ? `${base}_{${m[3]}}` : base;
  if (m[1]) t = `\\partial\\ell/\\partial ${t}`;
  return t;
}

/** White or black, whichever has the higher contrast ratio (WCAG) with `rgb`: one of them always
 *  reaches 4.58:1, enough for the small numbers (the page's dark grey ink does not on mid reds). */
function readableInk(rgb) {
  if (!rgb.startsWith("rgb")) return "#1d2430"; // the light grey of an empty cell
  const m = rgb.match(/\d+/g);
  if (!m || m.length < 3) return "#1d2430";
  const lin = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = m.slice(0, 3).map(Number).map(lin);
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.05 ? "#fff" : "#000";
}

function cellColor(v, scale) {
  if (!Number.isFinite(v) || scale === 0) return "#f4f4f4";
  const t = Math.max(-1, Math.min(1, v / scale));
  const [r, g, b] = t >= 0 ? [209, 73, 91] : [31, 95, 168];
  const a = Math.abs(t);
  const mix = (c) => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

function maskColor(v, top) {
  const t = top > 0 ? Math.max(0, Math.min(1, v / top)) : 0;
  const mix = (lo, hi) => Math.round(lo + (hi - lo) * t);
  return `rgb(${mix(70, 214)},${mix(70, 239)},${mix(70, 220)})`;
}

// The inspector keeps its nodes from one answer to the next: a new answer recolours and
// renumbers the cells that changed, gives new rows only to a matrix whose shape changed, and
// adds or removes the stages of layers that appear or go. Captions are typeset once.
const inspector = document.getElementById("inspector");
const matrices = new Map(); // block name -> { el, shape, table, cells: last "colour|ink|text|edited" }
const stages = new Map(); // stage name -> { el, forward, backward }

/** Place `children` in `parent` in this order (moving, adding or removing only what differs). */
function place(parent, children) {
  children.forEach((child, i) => {
    if (parent.children[i] !== child) parent.insertBefore(child, parent.children[i] ?? null);
  });
  while (parent.children.length > children.length) parent.lastElementChild.remove();
}

function matrixBlock(name, opts) {
  let block = matrices.get(name);
  if (!block) {
    const el = document.createElement("div");
    el.className = opts.editable ? "mat editable" : "mat";
    el.dataset.block = name;
    el.innerHTML = `<div class="cap">${typeset(opts.label ?? sub(name))} <span class="shape"></span></div><table></table>`;
    block = { el, shape: el.querySelector(".shape"), table: el.querySelector("table"), cells: [] };
    matrices.set(name, block);
    renderMath(el); // before KaTeX has loaded the caption is still TeX
  }
  return block;
}

/**
 * Matrix `name` as a coloured table (its element, created on first use and then updated in
 * place); `opts.mask` uses the grey-green scale of a'[f], `opts.numbers` writes the values.
 */
function matrix(name, rows, opts = {}) {
  const block = matrixBlock(name, opts);
  const m = rows.length;
  const n = m ? rows[0].length : 0;
  let top = 0;
  for (const row of rows) for (const v of row) top = Math.max(top, Math.abs(v));
  block.el.classList.toggle("numbers", Boolean(opts.numbers));
  const shape = `${m}×${n}`;
  if (block.shape.textContent !== shape) {
    block.shape.textContent = shape;
    block.table.innerHTML = rows.map((row, i) => `<tr>${row.map((_, j) =>
      `<td data-name="${name}" data-r="${i}" data-c="${j}"></td>`).join("")}</tr>`).join("");
    block.cells = [];
  }
  const tds = block.table.getElementsByTagName("td");
  rows.forEach((row, i) => row.forEach((v, j) => {
    const bg = opts.mask ? maskColor(v, Math.max(top, 1)) : cellColor(v, top);
    const ink = readableInk(bg); // white or dark numbers, whichever contrasts more with the cell
    const text = opts.numbers ? fmt(v, 2) : "";
    const edited = Boolean(opts.edited?.has(`${i}.${j}`));
    const key = `${bg}|${ink}|${text}|${edited}`;
    const at = i * n + j;
    if (block.cells[at] === key) return;
    block.cells[at] = key;
    const td = tds[at];
    td.style.cssText = `background:${bg};color:${ink}`;
    dom.setProp(td, "textContent", text);
    td.classList.toggle("edited", edited);
  }));
  return block.el;
}

function stageBlock(name) {
  let st = stages.get(name);
  if (!st) {
    const el = document.createElement("div");
    el.className = "stage";
    el.innerHTML = `<div class="stage-name"></div><div class="side"></div><div class="side"></div>`;
    el.firstChild.textContent = name;
    st = { el, forward: el.children[1], backward: el.children[2] };
    stages.set(name, st);
  }
  return st;
}

const column = (v) => v.map((x) => [x]);

// ------------------------------------------------------------------------------ the chain

function renderChain(c) {
  const stages = [
    ["f_0", c.f[0], "", c.dl_df[0]],
    ["h_1", c.h[0], `\\cos f_0 = ${fmt(c.dh_df[0])}`, c.dl_dh[0]],
    ["f_1", c.f[1], `\\omega_1 = ${fmt(c.df_dh[0])}`, c.dl_df[1]],
    ["h_2", c.h[1], `\\exp f_1 = ${fmt(c.dh_df[1])}`, c.dl_dh[1]],
    ["f_2", c.f[2], `\\omega_2 = ${fmt(c.df_dh[1])}`, c.dl_df[2]],
    ["h_3", c.h[2], `-\\sin f_2 = ${fmt(c.dh_df[2])}`, c.dl_dh[2]],
    ["f_3", c.f[3], `\\omega_3 = ${fmt(c.df_dh[2])}`, c.dl_df[3]],
    ["\\ell", c.loss, `2(f_3 - y) = ${fmt(c.dl_df[3])}`, 1],
  ];
  const local = ["", "\\partial h_1/\\partial f_0", "\\partial f_1/\\partial h_1", "\\partial h_2/\\partial f_1",
    "\\partial f_2/\\partial h_2", "\\partial h_3/\\partial f_2", "\\partial f_3/\\partial h_3", "\\partial \\ell/\\partial f_3"];
  setHTML("chain-table", [
    `<tr><th></th>${stages.map(([n]) => `<th>${tex(n)}</th>`).join("")}</tr>`,
    `<tr class="forward-row"><td>forward value →</td>${stages.map(([, v]) => `<td>${fmt(v, 6)}</td>`).join("")}</tr>`,
    `<tr><td>local derivative</td>${stages.map(([, , d], i) => `<td>${d ? tex(`${local[i]} = ${d}`) : ""}</td>`).join("")}</tr>`,
    `<tr class="backward-row"><td>← backward ${tex("\\partial\\ell/\\partial\\,\\cdot")}</td>${stages.map(([, , , g]) => `<td>${fmt(g, 6)}</td>`).join("")}</tr>`,
  ].join(""));
  const rows = [];
  for (let k = 0; k < 4; k++) {
    rows.push([`\\beta_${k}`, "b", k, `\\partial\\ell/\\partial f_${k}`, c.dl_dbetas[k], c.fd_betas[k], c.errors_betas[k]]);
  }
  for (let k = 0; k < 4; k++) {
    const h = k === 0 ? "x" : `h_${k}`;
    rows.push([`\\omega_${k}`, "w", k, `${h}\\,\\partial\\ell/\\partial f_${k}`, c.dl_domegas[k], c.fd_omegas[k], c.errors_omegas[k]]);
  }
  setHTML("chain-params", [
    "<tr><th>parameter</th><th>backprop formula</th><th>backprop</th><th>finite difference</th><th>relative error</th><th>check</th></tr>",
    ...rows.map(([name, , , formula, g, fd, err]) => `<tr><td>${tex(`\\partial\\ell/\\partial${name}`)}</td>
      <td>${tex(formula)}</td><td>${fmt(g, 8)}</td><td>${fmt(fd, 8)}</td><td>${fmt(err, 2)}</td>
      <td class="${err < CHECK_OK ? "ok" : "bad"}">${err < CHECK_OK ? "✓" : "✗"}</td></tr>`),
  ].join(""));
}

// ------------------------------------------------------------------------------ the inspector

/** Step index (1-based) at which each quantity is written; masks with the step that uses them. */
function writtenAt(steps) {
  const at = {};
  steps.forEach((st, i) => {
    for (const w of st.writes) at[w] = i + 1;
    const m = st.writes[0]?.match(/^dl\/df_(\d+)$/);
    if (st.phase === "backward" && m) at[`mask_${Number(m[1]) + 1}`] = i + 1;
  });
  return at;
}

function renderInspector(d, s) {
  const K = d.widths.length - 2;
  const numbers = Math.max(...d.widths) <= 5 && s.n <= 3;
  const edits = fittingEdits(s);
  const editedCells = (kind, k) => new Set(edits.filter((e) => e.kind === kind && e.layer === k).map((e) => (kind === "omega" ? `${e.row}.${e.column}` : `${e.row}.0`)));
  const o = { numbers };
  // [stage name, forward (stored) matrices, backward matrices], each matrix [name, rows, options]
  const layout = [["input", [["x", d.x, o]], []]];
  for (let k = 0; k <= K; k++) {
    layout.push([`layer ${k}`, [
      [`Omega_${k}`, d.omegas[k], { ...o, editable: true, edited: editedCells("omega", k) }],
      [`beta_${k}`, column(d.betas[k]), { ...o, editable: true, edited: editedCells("beta", k) }],
      [`f_${k}`, d.f[k], o],
    ], [
      [`dl/dOmega_${k}`, d.dl_domegas[k], o],
      [`dl/dbeta_${k}`, column(d.dl_dbetas[k]), o],
      [`dl/df_${k}`, d.dl_df[k], o],
    ]]);
    if (k < K) {
      layout.push([`activation ${k + 1}`, [[`h_${k + 1}`, d.h[k], o]], [
        [`dl/dh_${k + 1}`, d.dl_dh[k], o],
        [`mask_${k + 1}`, d.masks[k], { ...o, mask: true }],
      ]]);
    }
  }
  layout.push(["loss", [["y", d.targets, { ...o, label: "\\mathbf{y}" }], ["l", [d.loss.per_example], { ...o, label: "\\ell_i" }]], []]);
  const blocks = (list) => list.map(([name, rows, opts]) => matrix(name, rows, opts));
  const head = inspector.querySelector(".inspector-head") ?? Object.assign(document.createElement("div"), {
    className: "inspector-head", innerHTML: "<span></span><span>forward pass (stored)</span><span>backward pass</span>",
  });
  place(inspector, [head, ...layout.map(([name, forward, backward]) => {
    const st = stageBlock(name);
    place(st.forward, blocks(forward));
    place(st.backward, blocks(backward));
    return st.el;
  })]);
  // A stage that goes is kept for when its layer comes back (K moved down, then up again); its
  // outline of a hovered cell goes with it.
  for (const [name, st] of stages) {
    if (!layout.some(([n]) => n === name)) for (const td of st.el.querySelectorAll(".twin")) td.classList.remove("twin");
  }
}

function renderStep(d, s) {
  const steps = d.steps;
  const current = Math.min(s.step, steps.length);
  const done = current >= steps.length;
  const at = writtenAt(steps);
  const st = !done && current > 0 ? steps[current - 1] : null;
  const reads = new Set(st ? st.reads : []);
  const writes = new Set(st ? st.writes : []);
  if (st && st.phase === "backward") {
    for (const r of st.reads) {
      const m = r.match(/^f_(\d+)$/);
      if (m) {
        reads.add(`mask_${Number(m[1]) + 1}`);
        writes.add(`mask_${Number(m[1]) + 1}`);
      }
    }
  }
  for (const el of document.querySelectorAll("#inspector .mat")) {
    const name = el.dataset.block;
    el.classList.toggle("pending", !done && (at[name] ?? 0) > current);
    el.classList.toggle("written", writes.has(name));
    el.classList.toggle("read", reads.has(name) && !writes.has(name));
  }
  document.getElementById("step-count").textContent = done ? `all ${steps.length} steps done` : `step ${current} of ${steps.length}`;
  let info;
  if (done) {
    info = `Every value of the forward and the backward pass is shown. Press <b>start</b> and <b>step</b> to walk through them in order.`;
  } else if (!st) {
    info = `Before the first step: only the input ${tex("\\mathbf{x}")}, the targets and the parameters exist.`;
  } else {
    const list = (xs) => xs.map((x) => tex(sub(x))).join(", ");
    info = `<div><b>${st.phase}</b> · ${tex(st.formula)}</div>
      <div class="rw">reads ${list(st.reads)} · writes ${list(st.writes)} ·
      ${st.multiplications} multiplications per example (${st.multiplications_so_far} so far)</div>`;
  }
  setHTML("step-info", info);
}

function renderReadouts(d, s) {
  const w = d.widths;
  setHTML("net-readouts", [
    `<div><b>widths</b> ${w.join("–")}</div>`,
    `<div><b>parameters</b> ${d.cost.parameters}</div>`,
    `<div><b>loss</b> ${fmt(d.loss.total, 6)} (${labels("losses")[s.loss]}, summed over ${s.n} example${s.n > 1 ? "s" : ""})</div>`,
    `<div><b>multiplications</b> forward ${d.cost.forward}, backward ${d.cost.backward}, finite differences ${d.cost.finite_differences}</div>`,
  ].join(""));
  const edits = parseEdits(s.edits);
  const fitting = new Set(fittingEdits(s).map((e) => JSON.stringify(e)));
  setHTML("edit-list", edits.length
    ? edits.map((e) => {
      const where = e.kind === "omega" ? `\\Omega_{${e.layer}}[${e.row}, ${e.column}]` : `\\beta_{${e.layer}}[${e.row}]`;
      const off = fitting.has(JSON.stringify(e)) ? "" : " (not in this network)";
      return `<div>${tex(`${where} = ${e.value}`)}${off}</div>`;
    }).join("")
    : "no edits: the weights are drawn from the seed");
}

function renderCheck(d) {
  const layers = d.layer_errors.map((_, k) => k);
  const shown = d.layer_errors.map((e) => Math.max(e, 1e-17));
  draw("check-plot", [
    {
      x: layers, y: shown, type: "bar", name: "relative error",
      marker: { color: d.layer_errors.map((e) => (e < CHECK_OK ? COLORS.exact : COLORS.model)) },
      hovertemplate: "layer %{x}: %{y:.2e}<extra></extra>",
    },
    { x: [-0.5, layers.length - 0.5], y: [CHECK_OK, CHECK_OK], mode: "lines", name: "pass below 1e-5", line: { color: COLORS.muted, dash: "dash" } },
  ], {
    title: title("Backprop vs finite differences, per layer"),
    xaxis: { title: { text: "layer k" }, dtick: 1 },
    yaxis: { title: { text: "relative error" }, type: "log", exponentformat: "power" },
  });
  setHTML("check-table", [
    "<tr><th>layer k</th><th>relative error</th><th>check</th></tr>",
    ...d.layer_errors.map((e, k) => `<tr><td>${k}</td><td>${fmt(e, 3)}</td>
      <td class="${e < CHECK_OK ? "ok" : "bad"}">${e < CHECK_OK ? "✓" : "✗ (a kink or a step?)"}</td></tr>`),
  ].join(""));
}

// ------------------------------------------------------------------------------ cost and depth

// The cost curves depend on the widths and I, not on K: a move of K moves the circles that mark
// "this network" (the axes are fixed by the curves, so no redraw).
function costMark(c, K) {
  const i = c.depths.indexOf(K);
  return i < 0 ? { x: [], y: [] } : { x: [K, K], y: [c.backprop[i], c.finite_differences[i]] };
}

function markCost(s) {
  const c = lab.data("cost");
  if (!c) return;
  const mark = costMark(c, s.K);
  move("cost-plot", { x: [mark.x], y: [mark.y] }, [3]);
}

function renderCost(c, s) {
  const line = (y, name, color, dash = "solid") => ({
    x: c.depths, y, name, mode: "lines+markers", line: { color, dash, width: 2.5 }, marker: { size: 6 },
    hovertemplate: `${name}<br>K = %{x}: %{y:,} multiplications<extra></extra>`,
  });
  const logs = [...c.forward, ...c.finite_differences].map(Math.log10);
  const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
  const pad = 0.06 * (hi - lo || 1);
  const mark = costMark(c, lab.state.K);
  draw("cost-plot", [
    line(c.finite_differences, "finite differences 2PF", COLORS.descent),
    line(c.backprop, "backprop: forward + backward", COLORS.model),
    line(c.forward, "one forward pass F", COLORS.muted, "dot"),
    { ...mark, mode: "markers", name: "this network", marker: { size: 13, color: "rgba(0,0,0,0)", line: { color: COLORS.ink, width: 2 } } },
  ], {
    title: title(`Multiplications, widths ${s.din}–D×K–${s.dout}, D = ${s.D}, I = ${s.n}`),
    xaxis: { title: { text: "hidden layers K" }, dtick: 1, range: [c.depths[0] - 0.4, c.depths.at(-1) + 0.4] },
    yaxis: { title: { text: "multiplications" }, type: "log", exponentformat: "power", range: [lo - pad, hi + pad] },
  });
  draw("cost-ratio-plot", [
    { x: c.depths, y: c.parameters, name: "parameters P", mode: "lines+markers", line: { color: COLORS.data, width: 2.5 }, hovertemplate: "K = %{x}: P = %{y}<extra></extra>" },
  ], {
    title: title("P: finite differences run 2P passes"),
    xaxis: { title: { text: "hidden layers K" }, dtick: 1 },
    yaxis: { title: { text: "parameters P" }, rangemode: "tozero" },
  });
}

function renderSizes(g, s) {
  const acts = [...new Set(g.series.map((x) => x.activation))];
  const scales = [...new Set(g.series.map((x) => x.scale))];
  // Smaller scales dotted, larger dashed (in the order asked); one scale alone is solid.
  const dashes = scales.length === 1 ? ["solid"] : ["dot", "solid", "dash", "longdash"];
  const traces = g.series.map((x) => ({
    x: g.layers, y: x.dl_df.map((v) => (v > 0 ? v : null)), mode: "lines+markers",
    name: `${labels("activations")[x.activation]}, scale ${x.scale}`,
    line: { color: COLORS.series[acts.indexOf(x.activation)], dash: dashes[scales.indexOf(x.scale) % 4], width: 2.5 },
    marker: { size: 4 },
    hovertemplate: `${x.activation} ×${x.scale}<br>layer %{x}: %{y:.3e}<extra></extra>`,
  }));
  draw("depth-plot", traces, {
    title: title(`Size of ∂ℓ/∂f_k at initialisation, K = ${s.gK}, D = ${s.gD}`),
    xaxis: { title: { text: "layer k (the loss is on the right)" } },
    yaxis: { title: { text: "root mean square of ∂ℓ/∂f_k" }, type: "log", exponentformat: "power" },
    margin: { l: 70, r: 20, t: 110, b: 60 },
  });
  document.getElementById("depth-note").innerHTML = g.series.map((x) =>
    `${labels("activations")[x.activation]}, scale ${x.scale}: ${fmt(x.dl_df[x.dl_df.length - 1], 3)} at layer ${s.gK}, ${fmt(x.dl_df[0], 3)} at layer 0; ` +
    (x.growth_per_layer === null ? "no gradient passes." : `×${fmt(x.growth_per_layer, 3)} per layer toward the input.`),
  ).join("<br>");
}

// ------------------------------------------------------------------------------ wiring

const CHAIN_KEYS = ["b0", "b1", "b2", "b3", "w0", "w1", "w2", "w3", "cx", "cy"];
const NETWORK_KEYS = ["seed", "K", "D", "din", "dout", "act", "init", "scale", "loss", "n", "edits"];
const SIZE_KEYS = ["seed", "gK", "gD", "ga1", "ga2", "ga3", "gscales", "ginit", "gseeds"];
const post = (path, body) => postJSON(`api/v1/backprop/${path}`, body);

fillSelect(document.getElementById("act-select"), "activations");
fillSelect(document.getElementById("loss-select"), "losses");
fillSelect(document.getElementById("init-select"), "initialisations");
fillSelect(document.getElementById("ginit-select"), "initialisations");
for (const el of document.querySelectorAll(".g-act")) {
  fillSelect(el, "activations", el.classList.contains("g-optional") ? [["", "none"]] : []);
}
initPage("backprop");
const lab = createLab({
  schema,
  channels: {
    chain: {
      keys: CHAIN_KEYS, figures: [],
      compute: (s) => post("chain", requests(s).chain),
      render: renderChain,
    },
    network: {
      keys: NETWORK_KEYS, figures: ["check-plot"],
      compute: (s) => post("network", requests(s).network),
      render: (d, s, l) => {
        document.getElementById("inspector").classList.remove("walking");
        renderInspector(d, s);
        renderStep(d, l.state);
        renderReadouts(d, s);
        renderCheck(d);
      },
    },
    // Stepping redraws no matrix: it only marks what the current step reads and writes.
    walk: {
      keys: ["step"], figures: [],
      render: (s, _, l) => {
        document.getElementById("inspector").classList.add("walking");
        if (l.data("network")) renderStep(l.data("network"), s);
      },
    },
    cost: {
      keys: ["din", "dout", "D", "n"], figures: ["cost-plot", "cost-ratio-plot"],
      compute: (s) => post("cost", requests(s).cost),
      render: renderCost,
    },
    costMark: { keys: ["K"], figures: [], render: (s) => markCost(s) },
    sizes: {
      keys: SIZE_KEYS, figures: ["depth-plot"],
      compute: (s) => post("gradient-sizes", requests(s).sizes),
      render: renderSizes,
    },
  },
  fields: { d_in: "din", d_out: "dout", n_examples: "n", activations: "act", hidden: "D", depth: "gK", scales: "gscales", n_seeds: "gseeds" },
});

// The losses fix the number of outputs they read.
const OUTPUTS = { gaussian_nll: 1, binary_cross_entropy: 1, gaussian_nll_predicted: 2 };
document.getElementById("loss-select").addEventListener("change", () => {
  const s = lab.state;
  if (OUTPUTS[s.loss]) lab.set({ dout: OUTPUTS[s.loss] });
  else if (s.loss === "cross_entropy" && s.dout < 2) lab.set({ dout: 3 });
});

document.getElementById("chain-book").addEventListener("click", () =>
  lab.set({ b0: BOOK.b[0], b1: BOOK.b[1], b2: BOOK.b[2], b3: BOOK.b[3], w0: BOOK.w[0], w1: BOOK.w[1], w2: BOOK.w[2], w3: BOOK.w[3], cx: BOOK.x, cy: BOOK.y }));
document.getElementById("reseed").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1, edits: "" }));
document.getElementById("clear-edits").addEventListener("click", () => lab.set({ edits: "" }));

const network = () => lab.data("network");
const stepsCount = () => (network() ? network().steps.length : 0);
document.getElementById("step-first").addEventListener("click", () => lab.set({ step: 0 }));
document.getElementById("step-back").addEventListener("click", () => lab.set({ step: Math.max(0, Math.min(lab.state.step, stepsCount()) - 1) }));
document.getElementById("step-next").addEventListener("click", () => {
  const n = stepsCount();
  const at = Math.min(lab.state.step, n);
  lab.set({ step: at >= n ? 0 : at + 1 });
});
document.getElementById("step-all").addEventListener("click", () => lab.set({ step: 999 }));

// Reading a cell, and editing a weight or bias.
const GRADIENT = { Omega: ["dl_domegas", "fd_omegas"], beta: ["dl_dbetas", "fd_betas"] };
function cellValue(d, name, r, c) {
  const m = name.match(/^(dl\/d)?(Omega|beta|f|h|x|y|l|mask)_?(\d+)?$/);
  const k = Number(m[3]);
  const pick = {
    Omega: () => (m[1] ? d.dl_domegas : d.omegas)[k][r][c], beta: () => (m[1] ? d.dl_dbetas : d.betas)[k][r],
    f: () => (m[1] ? d.dl_df : d.f)[k][r][c], h: () => (m[1] ? d.dl_dh : d.h)[k - 1][r][c],
    x: () => d.x[r][c], y: () => d.targets[r][c], l: () => d.loss.per_example[c], mask: () => d.masks[k - 1][r][c],
  };
  return pick[m[2]]();
}
/** A weight and its gradient (or a value and its derivative) are outlined together. */
function outlineTwin(td) {
  for (const el of inspector.querySelectorAll("td.twin")) el.classList.remove("twin");
  const name = td.dataset.name;
  const twin = name.startsWith("dl/d") ? name.slice(4) : `dl/d${name}`;
  const cell = inspector.querySelector(`td[data-name="${twin}"][data-r="${td.dataset.r}"][data-c="${td.dataset.c}"]`);
  if (cell) {
    td.classList.add("twin");
    cell.classList.add("twin");
  }
}

inspector.addEventListener("mouseover", (ev) => {
  const td = ev.target.closest("td[data-name]");
  if (!td || !network()) return;
  outlineTwin(td);
  const d = network();
  const { name, r, c } = td.dataset;
  const [i, j] = [Number(r), Number(c)];
  const where = name.startsWith("beta") || name.startsWith("dl/dbeta") ? `[${i}]` : `[${i}, ${j}]`;
  let text = `${tex(sub(name) + where)} = ${fmt(cellValue(d, name, i, j), 8)}`;
  const m = name.match(/^(Omega|beta)_(\d+)$/);
  if (m) {
    const [g, fd] = GRADIENT[m[1]];
    const k = Number(m[2]);
    const pick = (arr) => (m[1] === "beta" ? arr[k][i] : arr[k][i][j]);
    text += ` · backprop ${tex(`\\partial\\ell/\\partial${m[1] === "beta" ? "\\beta" : "\\Omega"}`)} = ${fmt(pick(d[g]), 8)} · finite difference ${fmt(pick(d[fd]), 8)} · click to edit`;
  }
  setHTML("cell-info", text);
});

let editing = null;
const editor = document.getElementById("weight-editor");
inspector.addEventListener("click", (ev) => {
  const td = ev.target.closest(".mat.editable td[data-name]");
  if (!td || !network()) return;
  const m = td.dataset.name.match(/^(Omega|beta)_(\d+)$/);
  const [i, j] = [Number(td.dataset.r), Number(td.dataset.c)];
  editing = { kind: m[1] === "Omega" ? "omega" : "beta", layer: Number(m[2]), row: i, column: m[1] === "Omega" ? j : 0 };
  setHTML("weight-editor-label", tex(m[1] === "Omega" ? `\\Omega_{${m[2]}}[${i}, ${j}] =` : `\\beta_{${m[2]}}[${i}] =`));
  const input = document.getElementById("weight-editor-value");
  input.value = String(cellValue(network(), td.dataset.name, i, j));
  editor.hidden = false;
  input.focus();
  input.select();
});
function applyEdit() {
  const value = Number(document.getElementById("weight-editor-value").value);
  if (!editing || !Number.isFinite(value) || Math.abs(value) > 100) {
    setHTML("weight-editor-note", "a weight or bias must be a number between −100 and 100");
    return;
  }
  const same = (e) => e.kind === editing.kind && e.layer === editing.layer && e.row === editing.row && e.column === editing.column;
  const edits = parseEdits(lab.state.edits).filter((e) => !same(e));
  edits.push({ ...editing, value });
  editor.hidden = true;
  editing = null;
  setHTML("weight-editor-note", "");
  lab.set({ edits: formatEdits(edits) });
}
document.getElementById("weight-editor-set").addEventListener("click", applyEdit);
document.getElementById("weight-editor-value").addEventListener("keydown", (ev) => ev.key === "Enter" && applyEdit());
document.getElementById("weight-editor-cancel").addEventListener("click", () => {
  editor.hidden = true;
  editing = null;
});

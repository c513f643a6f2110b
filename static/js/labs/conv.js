// Image-kernels lab: a kernel slides over an image (stride, dilation, padding); the window step
// by step; pooling; a shifted image (equivariance, invariance); colour images as 3 channels.
// Names come from the API's registries (GET api/v1/conv/options); every number from the API.
/* global Plotly */
import { postForm, postJSON, showError } from "../api.js";
import { FieldError } from "../errors.js";
import { initPage } from "../shell.js";
import { draw, fmt, gridImage, keyHTML, keyTicks, onPlot, relayout, title } from "../plots.js";
import { createLab } from "../state.js";
import { fillSelects, loadOptions, namesOf } from "./conv-options.js";
import { setHTML } from "../dom.js";

const GREY = [[0, "#000000"], [1, "#ffffff"]];
// Diverging: negative blue, zero near-white, positive red.
const DIVERGING = [[0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1, "#b2182b"]];
const CHANNEL_SCALES = [
  [[0, "#000000"], [1, "#ff2020"]],
  [[0, "#000000"], [1, "#20c020"]],
  [[0, "#000000"], [1, "#3060ff"]],
];
const CHANNEL_NAMES = ["red", "green", "blue"];
const WINDOW = "#e07b00";

// ---------------------------------------------------------------------------------------------
// Names from the core registries, then the state schema built from them

const OPTIONS = await loadOptions();
const names = (registry) => namesOf(OPTIONS, registry);

const schema = {
  source: { type: "enum", options: [...names("images"), "upload"], default: "shapes" },
  size: { type: "int", default: 128, min: 16, max: 256 },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  kernel: { type: "enum", options: names("kernels"), default: "sobel_x" },
  padding: { type: "enum", options: names("paddings"), default: "zero" },
  stride: { type: "int", default: 1, min: 1, max: 8 },
  dilation: { type: "int", default: 1, min: 1, max: 8 },
  custom: { type: "text", default: "0,-1,0,-1,5,-1,0,-1,0", maxLength: 600 },
  slide_size: { type: "enum", options: ["16", "24", "32"], default: "16" },
  pool_image: { type: "enum", options: names("images"), default: "checkerboard" },
  pool_kind: { type: "enum", options: names("pool_kinds"), default: "max" },
  pool_size: { type: "int", default: 2, min: 1, max: 8 },
  pool_stride: { type: "int", default: 2, min: 1, max: 8 },
  eq_image: { type: "enum", options: names("images"), default: "shapes" },
  eq_kernel: { type: "enum", options: names("single_kernels"), default: "sobel_x" },
  eq_activation: { type: "enum", options: ["linear", "relu"], default: "relu" },
  eq_rows: { type: "int", default: 4, min: -12, max: 12 },
  eq_cols: { type: "int", default: 6, min: -12, max: 12 },
  eq_pooling: { type: "enum", options: names("poolings"), default: "none" },
  eq_pool: { type: "int", default: 2, min: 1, max: 6 },
  ch_image: { type: "enum", options: names("colour_images"), default: "colour_shapes" },
  ch_out: { type: "int", default: 2, min: 1, max: 4 },
  ch_k: { type: "int", default: 3, min: 1, max: 7 },
  ch_stride: { type: "int", default: 1, min: 1, max: 4 },
  ch_activation: { type: "enum", options: ["relu", "linear"], default: "relu" },
  ch_seed: { type: "int", default: 0, min: 0, max: 4294967295 },
};

/** A shared link cannot carry an uploaded image: open it on the built-in image it promises. */
function replaceUploadInLink() {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  if (params.get("source") !== "upload") return;
  params.set("source", "shapes");
  history.replaceState(null, "", `#${params}`);
  document.getElementById("link-note").hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Requests: one channel per section, each asked again only when its own keys change

let uploadedFile = null; // the user's File; never part of the URL
const GEOMETRY = ["kernel", "custom", "padding", "stride", "dilation"];

/** "a, b, c ..." -> K x K rows (K = 3 or 5); throws a readable error otherwise. */
export function parseCustom(text) {
  const values = text.split(/[\s,;]+/).filter((v) => v !== "").map(Number);
  if (!values.every(Number.isFinite)) throw new Error("the custom kernel must contain numbers only");
  const side = { 9: 3, 25: 5 }[values.length];
  if (!side) throw new Error(`a custom kernel needs 9 (3×3) or 25 (5×5) numbers, got ${values.length}`);
  return Array.from({ length: side }, (_, r) => values.slice(r * side, (r + 1) * side));
}

/** The kernel and where it goes, as the image routes take them. */
function geometry(s) {
  let custom;
  if (s.kernel === "custom") {
    try {
      custom = parseCustom(s.custom);
    } catch (err) {
      throw new FieldError("custom", err.message);
    }
  }
  return { kernel: s.kernel, custom, padding: s.padding, stride: s.stride, dilation: s.dilation };
}

function mainRequest(s) {
  const g = geometry(s);
  if (s.source === "upload") {
    if (!uploadedFile) throw new FieldError("source", "choose a PNG or JPEG file to upload (uploaded images are not kept in links)");
    const form = new FormData();
    form.append("file", uploadedFile);
    for (const field of ["kernel", "padding", "stride", "dilation"]) form.append(field, g[field]);
    if (g.custom) form.append("custom", g.custom.flat().join(","));
    return postForm("api/v1/conv/image/upload", form);
  }
  return postJSON("api/v1/conv/image", { image: s.source, size: s.size, seed: s.seed, ...g });
}

// ---------------------------------------------------------------------------------------------
// Shared figure pieces

/** Smallest and largest entry of a 2D array (no spread: images have 260,000 pixels). */
function extent(rows) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of rows) {
    for (const v of row) {
      if (v === null) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/** Colour scale for values: grey for non-negative ones, diverging around zero otherwise. */
function scaleFor(rows, unitRange = false) {
  const [lo, hi] = extent(rows);
  if (unitRange && lo >= 0 && hi <= 1) return { colorscale: GREY, zmin: 0, zmax: 1 };
  if (lo < -1e-12) {
    const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
    return { colorscale: DIVERGING, zmin: -m, zmax: m };
  }
  return { colorscale: GREY, zmin: Math.min(lo, 0), zmax: Math.max(hi, 1e-9) };
}

function imageAxes(rows, cols, { ticks = true, pad = [0, 0, 0, 0] } = {}) {
  const [top, bottom, left, right] = pad;
  return {
    // A few ticks per axis: every tick label is measured again on each redraw.
    xaxis: { range: [-0.5 - left, cols - 0.5 + right], showgrid: false, constrain: "domain", showticklabels: ticks, nticks: 6, title: ticks ? { text: "column j" } : undefined },
    yaxis: { range: [rows - 0.5 + bottom, -0.5 - top], showgrid: false, scaleanchor: "x", constrain: "domain", showticklabels: ticks, nticks: 6, title: ticks ? { text: "row i" } : undefined },
    margin: ticks ? { l: 60, r: 10, t: 50, b: 50 } : { l: 10, r: 10, t: 50, b: 10 },
  };
}

function heatmap(z, scale, extra = {}) {
  return { type: "heatmap", z, ...scale, colorbar: { thickness: 12, len: 0.8, nticks: 6 }, ...extra };
}

function rect(x0, y0, x1, y1, style = {}) {
  return { type: "rect", x0, y0, x1, y1, line: { color: WINDOW, width: 2 }, ...style };
}

/** Squares on every pixel the taps of output (i, j) read (padding taps dashed grey). */
function tapShapes(d, i, j) {
  const rows = d.rows_read[i];
  const cols = d.cols_read[j];
  const [h, w] = d.input_shape;
  const shapes = [];
  for (const r of rows) {
    for (const c of cols) {
      const inside = r >= 0 && r < h && c >= 0 && c < w;
      shapes.push(rect(c - 0.5, r - 0.5, c + 0.5, r + 0.5, inside
        ? { line: { color: WINDOW, width: 2 }, fillcolor: "rgba(224,123,0,0.18)" }
        : { line: { color: "#8a8f98", width: 1, dash: "dot" } }));
    }
  }
  return shapes;
}

function table(caption, rows, cell) {
  const body = rows.map((row, a) => `<tr>${row.map((v, b) => cell(v, a, b)).join("")}</tr>`).join("");
  return `<table class="data"><caption>${caption}</caption>${body}</table>`;
}

/** The pixels under the kernel for output (i, j), read through the answer's window geometry. */
function patchAt(d, i, j) {
  const [h, w] = d.input_shape;
  return d.rows_read[i].map((r) => d.cols_read[j].map((c) => {
    const inside = r >= 0 && r < h && c >= 0 && c < w;
    return { value: inside ? d.image[r][c] : 0, inside };
  }));
}

function patchTables(d, i, j) {
  const patch = patchAt(d, i, j);
  const patchTable = table("pixels under the kernel (padding in grey)", patch,
    (p) => `<td class="${p.inside ? "" : "pad"}">${fmt(p.value, 3)}</td>`);
  const productTables = d.kernels.map((k, n) => table(
    d.kernels.length === 1 ? "weight × pixel" : `${n === 0 ? "Gx" : "Gy"} weight × pixel`,
    patch, (p, a, b) => `<td>${fmt(k[a][b] * p.value, 3)}</td>`));
  return `${patchTable}${productTables.join("")}`;
}

// ---------------------------------------------------------------------------------------------
// Image kernels

let last = null; // last answer of the main figure, for the hover read-out

/** Whether two images (lists of rows) hold the same pixels. */
function sameImage(a, b) {
  return Boolean(a && b) && a.length === b.length && a.every((row, i) => row.length === b[i].length && row.every((v, j) => v === b[i][j]));
}

let inputDrawn = null; // the image on the input figure: a new kernel, stride or padding leaves it

/**
 * An image's values as an image trace, one pixel per value (gridImage, row 0 at the top), with
 * each value in its hover. Plotly redraws it at about two thirds of a heatmap's cost (it draws
 * no canvas of its own); its colour scale is the key under the figure (keyHTML).
 */
function valueImage(z, scale, hovertemplate) {
  return {
    type: "image", source: gridImage(z, scale.colorscale, scale.zmin, scale.zmax, { rowsDown: true }),
    x0: 0, dx: 1, y0: 0, dy: 1, text: z, hovertemplate, name: "pixels",
  };
}

/** An image figure's colour key: the scale from zmin to zmax, its middle marked. */
function drawImageKey(id, label, scale) {
  setHTML(id, keyHTML(label, scale.colorscale));
  keyTicks(id, [scale.zmin, (scale.zmin + scale.zmax) / 2, scale.zmax]);
}

function drawMain(d, s) {
  const [h, w] = d.input_shape;
  const [ho, wo] = d.output_shape;
  if (sameImage(d.image, inputDrawn)) {
    // The taps outlined for the old window are gone.
    if (document.getElementById("input-plot").layout?.shapes?.length) relayout("input-plot", { shapes: [] });
  } else {
    inputDrawn = d.image;
    const scale = scaleFor(d.image, true);
    draw("input-plot", [valueImage(d.image, scale, "x[%{y}, %{x}] = %{text:.4g}<extra></extra>")],
      { title: title(`Input x (${h} × ${w})`), ...imageAxes(h, w), uirevision: `in-${h}-${w}` });
    drawImageKey("input-key", "<b>x</b>", scale);
  }
  const scale = scaleFor(d.output);
  draw("output-plot", [valueImage(d.output, scale, "z[%{y}, %{x}] = %{text:.6g}<extra></extra>")], {
    title: title(`Output z (${ho} × ${wo}), s = ${d.stride}, d = ${d.dilation}`),
    ...imageAxes(ho, wo),
    uirevision: `out-${ho}-${wo}`,
  });
  drawImageKey("output-key", "<b>z</b>", scale);
  drawKernel(d);
  onPlot("output-plot", "plotly_hover", (ev) => {
    const p = ev.points?.[0];
    if (p) showPatch(Number(p.y), Number(p.x));
  });
  const [lo, hi] = extent(d.output);
  const [pt, pb] = d.pads[0];
  setHTML("readouts", [
    `<div><b>${d.label}</b>: ${d.description}</div>`,
    `<div><b>input</b> ${h} × ${w} → <b>output</b> ${ho} × ${wo}</div>`,
    `<div><b>rows</b> ⌊(${h} + ${pt} + ${pb} − ${d.span}) / ${d.stride}⌋ + 1 = ${ho}</div>`,
    `<div><b>padding</b> ${pt + pb ? `${pt} before, ${pb} after, per axis` : "none (valid)"}</div>`,
    `<div><b>kernel spans</b> E = ${d.span} pixels</div>`,
    `<div><b>output range</b> [${fmt(lo)}, ${fmt(hi)}]</div>`,
  ].join(""));
  setHTML("patch-panel",
    '<p class="note">Hover over an output pixel: its patch, the products and their sum appear here, and the pixels the kernel reads are outlined on the input.</p>');
}

let kernelDrawn = ""; // the kernel figure is redrawn only when the weights change (not the image)

function drawKernel(d) {
  const key = JSON.stringify(d.kernels);
  if (key === kernelDrawn) return;
  kernelDrawn = key;
  // Two kernels (gradient magnitude) are drawn side by side with an empty column between.
  const k = d.kernels;
  const size = k[0].length;
  const z = k[0].map((row, r) => (k.length === 1 ? row : [...row, null, ...k[1][r]]));
  const m = Math.max(1e-9, ...z.flat().filter((v) => v !== null).map(Math.abs));
  const cols = z[0].length;
  draw("kernel-plot", [{
    type: "heatmap", z, colorscale: DIVERGING, zmin: -m, zmax: m, showscale: false,
    texttemplate: "%{z:.3~f}", textfont: { size: size === 5 || k.length > 1 ? 13 : 16 },
    hovertemplate: "w[%{y}, %{x}] = %{z:.4f}<extra></extra>", xgap: 2, ygap: 2,
  }], {
    title: title(k.length === 1 ? `Kernel w (${size} × ${size})` : "Gx (left), Gy (right)"),
    xaxis: { range: [-0.5, cols - 0.5], showgrid: false, showticklabels: false, ticks: "", constrain: "domain" },
    yaxis: { range: [size - 0.5, -0.5], showgrid: false, showticklabels: false, ticks: "", scaleanchor: "x", constrain: "domain" },
    margin: { l: 10, r: 10, t: 45, b: 10 },
    uirevision: `k-${cols}`,
  });
}

function showPatch(i, j) {
  if (!last) return;
  const d = last;
  const result = d.kernels.length === 1
    ? `the products add up to <b>${fmt(d.output[i][j])}</b>`
    : `√(Gx² + Gy²) = <b>${fmt(d.output[i][j])}</b>`;
  setHTML("patch-panel",
    `<p>Output pixel <b>(${i}, ${j})</b> reads rows ${d.rows_read[i].join(", ")} and columns ${d.cols_read[j].join(", ")}: ${result}</p>
     <div class="tables">${patchTables(d, i, j)}</div>`);
  relayout("input-plot", { shapes: tapShapes(d, i, j) });
}

// ---------------------------------------------------------------------------------------------
// The window, step by step

const slide = { data: null, position: 0, timer: null, padShape: null };

function drawSlide(d) {
  slide.data = d;
  const [h, w] = d.input_shape;
  const [ho, wo] = d.output_shape;
  const [[pt, pb], [pl, pr]] = d.pads;
  const cellText = { texttemplate: "%{z:.1f}", textfont: { size: 9 } }; // readable up to 16 cells
  const text = h <= 16 ? cellText : {};
  const padShape = { type: "rect", x0: -0.5 - pl, x1: w - 0.5 + pr, y0: -0.5 - pt, y1: h - 0.5 + pb,
    fillcolor: "#eef0f3", line: { color: "#c5c9d0", width: 1, dash: "dot" }, layer: "below" };
  slide.padShape = padShape;
  draw("slide-input", [heatmap(d.image, scaleFor(d.image, true), {
    showscale: false, xgap: 1, ygap: 1, hovertemplate: "x[%{y}, %{x}] = %{z:.4g}<extra></extra>", ...text,
  })], {
    title: title(`Input ${h} × ${w}, padding shown grey`),
    ...imageAxes(h, w, { pad: [pt, pb, pl, pr] }),
    plot_bgcolor: "rgba(0,0,0,0)",
    shapes: [padShape],
    uirevision: `slide-in-${h}-${pt}-${pb}`,
  });
  draw("slide-output", [heatmap(d.output, scaleFor(d.output), {
    showscale: false, xgap: 1, ygap: 1, hovertemplate: "z[%{y}, %{x}] = %{z:.4g}<extra></extra>",
    ...(ho <= 16 ? cellText : {}),
  })], { title: title(`Output ${ho} × ${wo}`), ...imageAxes(ho, wo), uirevision: `slide-out-${ho}-${wo}` });
  const slider = document.getElementById("slide-pos");
  slider.max = String(ho * wo - 1);
  slide.position = Math.min(slide.position, ho * wo - 1);
  onPlot("slide-output", "plotly_click", (ev) => {
    const p = ev.points?.[0];
    if (p) moveWindow(Number(p.y) * slide.data.output_shape[1] + Number(p.x), true);
  });
  moveWindow(slide.position);
}

/** Put the window on output number `position` (row by row); the output is revealed up to it. */
function moveWindow(position, pause = false) {
  const d = slide.data;
  if (!d) return;
  if (pause) stopSlide();
  const [ho, wo] = d.output_shape;
  const p = ((position % (ho * wo)) + ho * wo) % (ho * wo);
  slide.position = p;
  const i = Math.floor(p / wo);
  const j = p % wo;
  const inputShapes = [slide.padShape, ...tapShapes(d, i, j)];
  relayout("slide-input", { shapes: inputShapes });
  const veil = { fillcolor: "rgba(255,255,255,0.92)", line: { width: 0 } };
  const outputShapes = [rect(j - 0.5, i - 0.5, j + 0.5, i + 0.5, { line: { color: WINDOW, width: 3 } })];
  if (j < wo - 1) outputShapes.push(rect(j + 0.5, i - 0.5, wo - 0.5, i + 0.5, veil));
  if (i < ho - 1) outputShapes.push(rect(-0.5, i + 0.5, wo - 0.5, ho - 0.5, veil));
  relayout("slide-output", { shapes: outputShapes });
  document.getElementById("slide-pos").value = String(p);
  document.getElementById("slide-pos-out").textContent = `(${i}, ${j})`;
  const sum = d.kernels.length === 1 ? "sum of the products" : "√(Gx² + Gy²)";
  document.getElementById("slide-math").innerHTML =
    `<p>Output <b>(${i}, ${j})</b>: the window's top-left tap reads pixel (${d.rows_read[i][0]}, ${d.cols_read[j][0]});
     ${sum} = <b>${fmt(d.output[i][j])}</b></p><div class="tables">${patchTables(d, i, j)}</div>`;
}

function stopSlide() {
  if (slide.timer !== null) clearInterval(slide.timer);
  slide.timer = null;
  document.getElementById("slide-play").textContent = "Play";
}

function toggleSlide() {
  if (slide.timer !== null) {
    stopSlide();
    return;
  }
  document.getElementById("slide-play").textContent = "Pause";
  slide.timer = setInterval(() => moveWindow(slide.position + 1), 200); // five steps a second
}

// ---------------------------------------------------------------------------------------------
// Pooling

function drawPool(d, s) {
  lastPool = { ...d, pool_size: s.pool_size };
  const [h, w] = [d.image.length, d.image[0].length];
  const [ho, wo] = d.output_shape;
  draw("pool-input", [heatmap(d.image, scaleFor(d.image, true), {
    hovertemplate: "x[%{y}, %{x}] = %{z:.4g}<extra></extra>",
  })], { title: title(`Input (${h} × ${w})`), ...imageAxes(h, w), uirevision: `pin-${h}` });
  draw("pool-output", [heatmap(d.output, scaleFor(d.output, true), {
    hovertemplate: "out[%{y}, %{x}] = %{z:.4g}<extra></extra>",
  })], { title: title(`${s.pool_kind === "max" ? "Max" : "Average"} pooled (${ho} × ${wo})`), ...imageAxes(ho, wo), uirevision: `pout-${ho}-${wo}` });
  onPlot("pool-output", "plotly_hover", (ev) => {
    const p = ev.points?.[0];
    if (!p || !lastPool) return;
    const r = lastPool.window_rows[Number(p.y)];
    const c = lastPool.window_cols[Number(p.x)];
    const size = lastPool.pool_size;
    relayout("pool-input", { shapes: [rect(c - 0.5, r - 0.5, c + size - 0.5, r + size - 0.5)] });
  });
  document.getElementById("pool-readouts").innerHTML = [
    `<div><b>input</b> ${h} × ${w} → <b>output</b> ${ho} × ${wo}</div>`,
    `<div><b>window</b> P = ${s.pool_size}, <b>stride</b> S = ${d.pool_stride}</div>`,
    `<div><b>parameters</b> ${d.parameters}</div>`,
    `<div class="note">hover over the output to outline its window</div>`,
  ].join("");
}

let lastPool = null;

// ---------------------------------------------------------------------------------------------
// Shift: equivariance and invariance

function interiorBox(mask) {
  let top = Infinity;
  let bottom = -1;
  let left = Infinity;
  let right = -1;
  mask.forEach((row, i) => row.forEach((inside, j) => {
    if (!inside) return;
    top = Math.min(top, i);
    bottom = Math.max(bottom, i);
    left = Math.min(left, j);
    right = Math.max(right, j);
  }));
  return bottom < 0 ? [] : [rect(left - 0.5, top - 0.5, right + 0.5, bottom + 0.5, { line: { color: "#2a9d50", width: 2, dash: "dash" } })];
}

function drawShift(d, s) {
  const inputScale = scaleFor(d.x, true);
  const outputs = [d.f_x, d.f_t_x, ...(d.t_f_x ? [d.t_f_x] : [])];
  const outputScale = scaleFor(outputs.flat(), false);
  const small = (id, z, label, scale, shapes = []) => {
    const rows = z.length;
    const cols = z[0].length;
    draw(id, [heatmap(z, scale, {
      showscale: false, hovertemplate: "[%{y}, %{x}] = %{z:.4g}<extra></extra>",
      ...(rows === 1 ? { texttemplate: "%{z:.4g}", textfont: { size: 16 } } : {}),
    })], { title: title(label), ...imageAxes(rows, cols, { ticks: false }), shapes, uirevision: `${id}-${rows}-${cols}` });
  };
  const box = interiorBox(d.interior);
  small("shift-x", d.x, "x", inputScale);
  small("shift-tx", d.t_x, `t[x]: down ${s.eq_rows}, right ${s.eq_cols}`, inputScale);
  small("shift-fx", d.f_x, "f[x]", outputScale);
  small("shift-ftx", d.f_t_x, "f[t[x]]", outputScale, box);
  if (d.t_f_x) small("shift-tfx", d.t_f_x, `t[f[x]]: moved ${d.output_shift.join(", ")}`, outputScale, box);
  else small("shift-tfx", [[null]], "t[f[x]]: undefined", outputScale);
  const equal = d.equivariance_gap !== null && d.equivariance_gap < 1e-9;
  const invariant = d.invariance_gap < 1e-9;
  document.getElementById("shift-readouts").innerHTML = [
    `<div><b>output moves</b> ${d.output_shift ? `(${d.output_shift.join(", ")})` : "by a fraction of a unit: t[f[x]] undefined"}</div>`,
    `<div><b>max |f[t[x]] − t[f[x]]|</b> ${d.equivariance_gap === null ? "–" : fmt(d.equivariance_gap)}${s.eq_pooling.startsWith("global") ? "" : " inside the green box"}
       ${d.equivariance_gap === null ? "" : equal ? '<span class="badge converged">equivariant</span>' : '<span class="badge">not equal</span>'}</div>`,
    `<div><b>max |f[t[x]] − f[x]|</b> ${fmt(d.invariance_gap)} ${invariant ? '<span class="badge converged">invariant</span>' : '<span class="badge">changed</span>'}</div>`,
  ].join("");
}

// ---------------------------------------------------------------------------------------------
// Colour images: three input channels

/** Maps side by side with one empty column between (one heatmap, one colour scale). */
function sideBySide(maps) {
  return maps[0].map((_, r) => maps.flatMap((m, n) => (n === 0 ? m[r] : [null, ...m[r]])));
}

function drawColour(d, s) {
  const [c, h, w] = [d.inputs.length, d.inputs[0].length, d.inputs[0][0].length];
  const rgb = d.inputs[0].map((row, i) => row.map((_, j) => [0, 1, 2].map((k) => (k < c ? Math.round(255 * Math.min(1, Math.max(0, d.inputs[k][i][j]))) : 0))));
  draw("colour-rgb", [{ type: "image", z: rgb, hoverinfo: "skip" }], {
    ...imageAxes(h, w, { ticks: false }), title: title(`Colour image (${c} × ${h} × ${w})`), uirevision: `rgb-${h}`,
  });
  ["colour-red", "colour-green", "colour-blue"].forEach((id, k) => {
    if (k >= c) return;
    draw(id, [heatmap(d.inputs[k], { colorscale: CHANNEL_SCALES[k], zmin: 0, zmax: 1 }, {
      showscale: false, hovertemplate: `x[${k}, %{y}, %{x}] = %{z:.3f}<extra></extra>`,
    })], { title: title(`channel c = ${k} (${CHANNEL_NAMES[k]})`), ...imageAxes(h, w, { ticks: false }), uirevision: `${id}-${h}` });
  });
  // Omega: one K x K kernel per (input channel c, output channel o), rows c, columns o.
  const k = d.weights[0][0].length;
  const blocks = d.weights.map((row) => sideBySide(row));
  const z = blocks.flatMap((block, n) => (n === 0 ? block : [Array(block[0].length).fill(null), ...block]));
  const m = Math.max(1e-9, ...z.flat().filter((v) => v !== null).map(Math.abs));
  draw("colour-weights", [{
    type: "heatmap", z, colorscale: DIVERGING, zmin: -m, zmax: m, xgap: 1, ygap: 1,
    colorbar: { thickness: 12, len: 0.8 }, hovertemplate: "%{z:.3f}<extra></extra>",
    ...(k <= 3 ? { texttemplate: "%{z:.1f}", textfont: { size: 10 } } : {}),
  }], {
    title: title(`Ω: ${c} × ${s.ch_out} kernels of ${k} × ${k} (row c, column o)`),
    xaxis: { showgrid: false, constrain: "domain", tickvals: d.weights[0].map((_, o) => o * (k + 1) + (k - 1) / 2), ticktext: d.weights[0].map((_, o) => `o = ${o}`) },
    yaxis: { showgrid: false, scaleanchor: "x", constrain: "domain", autorange: "reversed", tickvals: d.weights.map((_, cc) => cc * (k + 1) + (k - 1) / 2), ticktext: d.weights.map((_, cc) => CHANNEL_NAMES[cc] ?? `c = ${cc}`) },
    margin: { l: 70, r: 10, t: 50, b: 40 },
    uirevision: `w-${c}-${s.ch_out}-${k}`,
  });
  const maps = d.activations;
  const [ho, wo] = [maps[0].length, maps[0][0].length];
  draw("colour-outputs", [heatmap(sideBySide(maps), scaleFor(maps.flat()), {
    hovertemplate: "h[%{y}, %{x}] = %{z:.4g}<extra></extra>",
  })], {
    title: title(`Feature maps h = a[z]: ${s.ch_out} × ${ho} × ${wo}`),
    xaxis: { showgrid: false, constrain: "domain", tickvals: maps.map((_, o) => o * (wo + 1) + (wo - 1) / 2), ticktext: maps.map((_, o) => `o = ${o}`) },
    yaxis: { showgrid: false, scaleanchor: "x", constrain: "domain", autorange: "reversed" },
    margin: { l: 40, r: 10, t: 50, b: 40 },
    uirevision: `h-${s.ch_out}-${ho}-${wo}`,
  });
  document.getElementById("colour-readouts").innerHTML = [
    `<div><b>weights</b> Cᵢ × Cₒ × K × K = ${c} × ${s.ch_out} × ${k} × ${k} = ${d.conv_weights}</div>`,
    `<div><b>biases</b> Cₒ = ${d.conv_biases}</div>`,
    `<div><b>parameters</b> ${d.conv_parameters.toLocaleString("en")}</div>`,
    `<div><b>fully connected instead</b> ${d.dense_parameters.toLocaleString("en")} (inputs ${c} × ${h} × ${w} → outputs ${s.ch_out} × ${ho} × ${wo})</div>`,
  ].join("");
}

// ---------------------------------------------------------------------------------------------
// Controls that are not plain state fields

function buildCustomGrid(s) {
  const grid = document.getElementById("custom-grid");
  let rows;
  try {
    rows = parseCustom(s.custom);
  } catch {
    return;
  }
  const size = rows.length;
  document.getElementById("custom-size").value = String(size);
  const inputs = grid.querySelectorAll("input");
  const focused = grid.contains(document.activeElement);
  if (inputs.length === size * size && focused) return; // the user is typing: leave it alone
  grid.style.gridTemplateColumns = `repeat(${size}, 1fr)`;
  grid.innerHTML = rows.flat().map((v, n) => `<input type="number" step="any" aria-label="w[${Math.floor(n / size)}, ${n % size}]" value="${v}">`).join("");
  for (const input of grid.querySelectorAll("input")) {
    input.addEventListener("input", () => {
      const values = [...grid.querySelectorAll("input")].map((el) => (el.value === "" || !Number.isFinite(Number(el.value)) ? 0 : Number(el.value)));
      lab.set({ custom: values.join(",") });
    });
  }
}

function syncVisibility(s) {
  document.getElementById("builtin-controls").hidden = s.source === "upload";
  document.getElementById("upload-controls").hidden = s.source !== "upload";
  document.getElementById("custom-controls").hidden = s.kernel !== "custom";
  document.getElementById("new-noise").hidden = s.source !== "noise";
  if (s.source === "upload") document.getElementById("link-note").hidden = true;
  if (s.kernel === "custom") buildCustomGrid(s);
}

fillSelects(OPTIONS);
replaceUploadInLink();
initPage("conv");
const lab = createLab({
  schema,
  channels: {
    main: {
      keys: [...GEOMETRY, "source", "size", "seed"],
      compute: (s) => {
        syncVisibility(s);
        return mainRequest(s);
      },
      render: (d, s) => {
        last = d;
        drawMain(d, s);
      },
      figures: ["input-plot", "output-plot", "kernel-plot"],
    },
    slide: {
      keys: [...GEOMETRY, "source", "seed", "slide_size"],
      compute: (s) => postJSON("api/v1/conv/image", {
        image: s.source === "upload" ? "shapes" : s.source, size: Number(s.slide_size), seed: s.seed, ...geometry(s),
      }),
      render: drawSlide,
      figures: ["slide-input", "slide-output"],
    },
    pool: {
      keys: ["pool_image", "pool_kind", "pool_size", "pool_stride", "seed"],
      compute: (s) => postJSON("api/v1/conv/pool2d", {
        image: s.pool_image, size: 64, seed: s.seed, kind: s.pool_kind, pool_size: s.pool_size, pool_stride: s.pool_stride,
      }),
      render: drawPool,
      figures: ["pool-input", "pool-output"],
      fields: { image: "pool_image", kind: "pool_kind" },
    },
    shift: {
      keys: ["eq_image", "eq_kernel", "eq_activation", "eq_rows", "eq_cols", "eq_pooling", "eq_pool", "seed"],
      compute: (s) => postJSON("api/v1/conv/equivariance2d", {
        image: s.eq_image, size: 48, seed: s.seed, kernel: s.eq_kernel, activation: s.eq_activation,
        shift_rows: s.eq_rows, shift_cols: s.eq_cols, pooling: s.eq_pooling, pool_size: s.eq_pool, pool_stride: s.eq_pool,
      }),
      render: drawShift,
      figures: ["shift-x", "shift-tx", "shift-fx", "shift-ftx", "shift-tfx"],
      fields: {
        image: "eq_image", kernel: "eq_kernel", activation: "eq_activation", shift_rows: "eq_rows",
        shift_cols: "eq_cols", pooling: "eq_pooling", pool_size: "eq_pool", pool_stride: "eq_pool",
      },
    },
    colour: {
      keys: ["ch_image", "ch_out", "ch_k", "ch_stride", "ch_activation", "ch_seed"],
      compute: (s) => postJSON("api/v1/conv/channels2d", {
        image: s.ch_image, size: 64, seed: s.ch_seed, out_channels: s.ch_out, kernel_size: s.ch_k,
        stride: s.ch_stride, activation: s.ch_activation,
      }),
      render: drawColour,
      figures: ["colour-rgb", "colour-red", "colour-green", "colour-blue", "colour-weights", "colour-outputs"],
      fields: {
        image: "ch_image", seed: "ch_seed", out_channels: "ch_out", kernel_size: "ch_k", stride: "ch_stride",
        activation: "ch_activation",
      },
    },
  },
});

document.getElementById("new-noise").addEventListener("click", () => lab.set({ seed: lab.state.seed + 1 }));
document.getElementById("new-weights").addEventListener("click", () => lab.set({ ch_seed: lab.state.ch_seed + 1 }));
document.getElementById("upload").addEventListener("change", (ev) => {
  uploadedFile = ev.target.files?.[0] ?? null;
  if (lab.state.source === "upload") lab.refresh(); // a new file, the same state
  else lab.set({ source: "upload" });
});
document.getElementById("custom-size").addEventListener("change", (ev) => {
  const size = Number(ev.target.value);
  const values = Array(size * size).fill(0);
  values[(size * size - 1) / 2] = 1; // identity of the new size
  lab.set({ custom: values.join(",") });
});
document.getElementById("copy-kernel").addEventListener("click", () => {
  // The library's weights come from the server (the one place they are written down).
  const name = document.getElementById("copy-from").value;
  postJSON("api/v1/conv/image", { size: 16, kernel: name }).then((d) => {
    document.getElementById("custom-grid").innerHTML = ""; // force a rebuild with the new values
    lab.set({ custom: d.kernels[0].flat().join(","), kernel: "custom" });
  }, showError);
});
document.getElementById("slide-play").addEventListener("click", toggleSlide);
document.getElementById("slide-step").addEventListener("click", () => moveWindow(slide.position + 1, true));
document.getElementById("slide-pos").addEventListener("input", (ev) => moveWindow(Number(ev.target.value), true));

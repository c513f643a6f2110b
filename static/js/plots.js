// Shared figure style: colours, fonts, axes, and one way to draw (Plotly.react).
/* global Plotly */
import { plotlyReady } from "./plotly-loader.js";
import { setProp } from "./dom.js";
import { pretty } from "./text.js";

export { pretty };

export const COLORS = {
  data: "#1f5fa8", // observed points
  model: "#d1495b", // the current model
  exact: "#2a9d50", // exact / optimal solutions
  descent: "#e07b00", // optimisation paths
  gradient: "#6a3d9a", // gradient arrows
  muted: "#8a8f98", // guides, residuals, reference lines
  ink: "#1d2430",
  // Qualitative palette for several series (hidden units, optimisers, channels).
  series: ["#1f5fa8", "#d1495b", "#2a9d50", "#e07b00", "#6a3d9a", "#00a3a3", "#b5651d", "#c2185b",
           "#4e6e00", "#5c6bc0", "#8d6e63", "#00897b", "#f06292", "#7cb342", "#ffa000", "#546e7a"],
};

// A perceptually ordered scale for loss surfaces (low = dark blue, high = pale yellow).
export const LOSS_SCALE = "Viridis";

const PROJECTOR = new URLSearchParams(window.location.search).has("projector");
const FONT = { family: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: PROJECTOR ? 20 : 14, color: COLORS.ink };

export const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

function axis(extra = {}) {
  const log = extra.type === "log" ? { exponentformat: "power", minorloglabels: "none" } : {};
  const titled = extra.title?.text ? { title: { ...extra.title, text: pretty(extra.title.text, { html: true }) } } : {};
  return {
    zeroline: false,
    gridcolor: "#e6e8ec",
    linecolor: "#c5c9d0",
    ticks: "outside",
    tickcolor: "#c5c9d0",
    automargin: true,
    ...log,
    ...extra,
    ...titled,
  };
}

/** Base layout merged with `overrides`; `xaxis`/`yaxis` overrides are merged into the axis style. */
export function layout(overrides = {}) {
  const { xaxis, yaxis, ...rest } = overrides;
  for (const key of Object.keys(rest)) {
    if (/^[xy]axis\d+$/.test(key)) rest[key] = axis(rest[key]);
  }
  if (rest.title?.text) rest.title = { ...rest.title, text: pretty(rest.title.text, { html: true }) };
  return {
    font: FONT,
    margin: { l: 60, r: 20, t: 78, b: 50 },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    hovermode: "closest",
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", bgcolor: "rgba(255,255,255,0.7)" },
    uirevision: "keep", // zoom and pan survive updates
    xaxis: axis(xaxis),
    yaxis: axis(yaxis),
    ...rest,
  };
}

/** Figure text (HTML) as plain text for a description: "θ<sub>d</sub>" -> "θ_d". */
export function plain(text) {
  return text.replace(/<sub>([^<]*)<\/sub>/g, "_$1").replace(/<[^>]+>/g, " ");
}

/** A short text description of a figure for screen readers: its title and what it shows. */
function describe(el, traces, lay) {
  const names = [...new Set(traces.filter((t) => t.name && t.showlegend !== false).map((t) => t.name))];
  const heading = lay.title?.text ? plain(lay.title.text) : "figure";
  const axes = [lay.xaxis?.title?.text, lay.yaxis?.title?.text].filter(Boolean).map(plain);
  const parts = [heading];
  if (axes.length === 2) parts.push(`${axes[1]} against ${axes[0]}`);
  if (names.length) parts.push(`shows ${names.slice(0, 8).join(", ")}`);
  el.setAttribute("role", "figure");
  el.setAttribute("aria-label", parts.join("; "));
}

/**
 * The hover read-out reachable from the keyboard: focus a figure (Tab), then the arrow keys walk
 * the points of its traces and show their hover text (on a heatmap, Left/Right walk its columns
 * and Up/Down its rows); PageUp/PageDown (and Up/Down on a curve) go to the next trace; Escape
 * hides it.
 */
function keyboardHover(el) {
  if (el.dataset.keyboardHover) return;
  el.dataset.keyboardHover = "1";
  el.tabIndex = 0;
  let curve = 0;
  let point = -1;
  let row = 0;
  let col = -1;
  el.addEventListener("keydown", (ev) => {
    const traces = (el.data || []).map((t, i) => [t, i]).filter(([t]) => t.hoverinfo !== "skip" && (t.x?.length || t.z?.length));
    if (!traces.length) return;
    if (ev.key === "Escape") {
      Plotly.Fx.unhover(el);
      return;
    }
    const keys = { ArrowRight: [0, 1, 0], ArrowLeft: [0, -1, 0], ArrowDown: [1, 0, -1], ArrowUp: [-1, 0, 1], PageDown: [1, 0, 0], PageUp: [-1, 0, 0] };
    if (!(ev.key in keys)) return;
    ev.preventDefault();
    let index = Math.max(0, traces.findIndex(([, i]) => i === curve));
    const grid = (t) => (t.type === "heatmap" || t.type === "contour") && Array.isArray(t.z?.[0]);
    let [dc, dp, dr] = keys[ev.key];
    if (grid(traces[index][0]) && dc && dr) [dc, dp] = [0, 0]; // Up/Down move along a heatmap's rows
    else dr = 0;
    index = (index + dc + traces.length) % traces.length;
    const [trace, i] = traces[index];
    curve = i;
    if (grid(trace)) {
      // Rows count up the y axis (row 0 at the bottom), as Plotly draws them.
      const rows = trace.z.length;
      const cols = trace.z[0].length;
      if (dc) [row, col] = [Math.floor(rows / 2), Math.floor(cols / 2)];
      else if (col < 0) [row, col] = [0, 0]; // the first key press shows the first cell
      else [row, col] = [(row + dr + rows) % rows, (col + dp + cols) % cols];
      const xval = trace.x ? trace.x[col] : (trace.x0 ?? 0) + col * (trace.dx ?? 1);
      const yval = trace.y ? trace.y[row] : (trace.y0 ?? 0) + row * (trace.dy ?? 1);
      Plotly.Fx.hover(el, { xval, yval }, trace.xaxis && trace.xaxis !== "x" ? trace.xaxis + trace.yaxis : "xy");
      return;
    }
    const n = (trace.x?.length || trace.z?.length || 1);
    point = dc ? 0 : (point + dp + n) % n;
    Plotly.Fx.hover(el, [{ curveNumber: curve, pointNumber: point }]);
  });
}

export const NARROW = 560; // px: below this a figure is laid out for a phone

// Figures off screen are not drawn while the lab is moving: their newest drawing waits until
// the figure scrolls into view or the lab has been still for QUIET_MS (and no answer is on its
// way). A slider step then costs only the figures the student sees, and a long page shows its
// first figures before it draws those further down. `document.body.dataset.pending` is "1"
// while some wait; restyle, move, relayout and onPlot on a waiting figure wait with it.
// A figure whose moving parts were updated in place may keep others for a full drawing when
// the lab is still, too (settle(): e.g. the invisible heatmap that answers hover over a map
// drawn as an image).
const QUIET_MS = 250;
const visible = new Map(); // figure -> intersects the viewport (absent: not yet known)
const waiting = new Map(); // figure -> [operations in order], the first a drawing
const settling = new Map(); // figure -> its full drawing, for when the lab is still
let quietTimer = null;
const watcher = typeof IntersectionObserver === "undefined" ? null : new IntersectionObserver((entries) => {
  for (const entry of entries) {
    visible.set(entry.target, entry.isIntersecting);
    if (entry.isIntersecting) flush(entry.target);
  }
});

let moving = 0; // fast updates (move) not yet on screen

function markPending() {
  document.body.dataset.pending = waiting.size || settling.size || moving ? "1" : "0";
}

function flush(node) {
  const ops = waiting.get(node);
  if (!ops) return;
  waiting.delete(node);
  markPending();
  for (const op of ops) op();
}

function flushAll() {
  quietTimer = null;
  // Not while an answer is on its way: its drawing comes first, then the lab is still again.
  if (document.body.dataset.busy === "1") {
    quietTimer = setTimeout(flushAll, QUIET_MS);
    return;
  }
  // One figure per task, so that a new input is handled between them.
  const next = waiting.keys().next();
  if (!next.done) flush(next.value);
  else {
    const later = settling.entries().next();
    if (later.done) return;
    const [node, drawing] = later.value;
    settling.delete(node);
    markPending();
    drawing();
  }
  if (waiting.size || settling.size) quietTimer = setTimeout(flushAll, 0);
}

function whenStill() {
  clearTimeout(quietTimer);
  quietTimer = setTimeout(flushAll, QUIET_MS);
}

/** Keep `ops` for a figure off screen, to run when it scrolls in or the lab is still. */
function wait(node, ops) {
  waiting.set(node, ops);
  markPending();
  whenStill();
}

/** Run `op` on a figure now, or later with its waiting drawing if it is off screen. */
function whenDrawn(node, op) {
  const ops = waiting.get(node);
  if (ops) ops.push(op);
  else if (visible.get(node) === false) wait(node, [op]);
  else op();
}

/**
 * Break a title into lines of at most `chars` characters at spaces (never inside an HTML tag),
 * so that a long title stays whole on a narrow figure. Returns [text, number of lines].
 */
export function wrapTitle(text, chars) {
  const words = [];
  let word = "";
  let inTag = false;
  for (const c of text) {
    if (c === "<") inTag = true;
    if (c === ">") inTag = false;
    if (c === " " && !inTag) {
      words.push(word);
      word = "";
    } else word += c;
  }
  words.push(word);
  const visibleLength = (w) => w.replace(/<[^>]*>/g, "").replace(/&[a-z]+;/g, "x").length;
  const lines = [];
  let line = "";
  for (const w of words) {
    if (line && visibleLength(line) + 1 + visibleLength(w) > chars) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return [lines.join("<br>"), lines.length];
}

/**
 * The text a title takes on a figure `width` px wide: on a phone (under NARROW) broken into lines
 * that fit, unless it already has its own line breaks.
 */
export function narrowTitle(title, width) {
  const text = title.text;
  if (!(width > 0 && width < NARROW) || text.includes("<br>")) return text;
  const size = title.font?.size ?? FONT.size;
  return wrapTitle(text, Math.max(16, Math.floor(width / (0.55 * size))))[0];
}

function drawNow(node, traces, layoutOverrides) {
  const lay = layout(layoutOverrides);
  const width = node.clientWidth;
  if (width > 0 && width < NARROW) {
    // A phone: a legend beside or above the plot would cover it or the title; put it in rows
    // at the bottom of the figure, below the x axis (it makes its own room there).
    lay.legend = { ...lay.legend, orientation: "h", x: 0, xanchor: "left", y: 0, yref: "container", yanchor: "bottom" };
    lay.margin = { ...lay.margin, t: Math.min(lay.margin?.t ?? 0, 50), r: Math.min(lay.margin?.r ?? 20, 20) };
    if (lay.title?.text) {
      // A long title would be cut at the figure's edge: break it into lines, set above the plot
      // area, which moves down to make room for them.
      const text = narrowTitle(lay.title, width);
      lay.title = { ...lay.title, text, yref: "paper", y: 1, yanchor: "bottom", automargin: true, pad: { b: 12 } };
      lay.margin.t = 20;
    }
  }
  describe(node, traces, lay);
  keyboardHover(node);
  // Trace names are left as written (pages and tests find traces by name): write them with
  // pretty() or in Unicode; titles and axis titles are converted here.
  const start = performance.now();
  const drawn = Plotly.react(node, traces, lay, CONFIG);
  performance.measure(`figure:${node.id}`, { start, end: performance.now() });
  return drawn;
}

/**
 * Draw or update a figure in place (waits for plotly.js on a first visit). A figure off screen
 * keeps its newest drawing for later (see QUIET_MS above).
 */
export function draw(el, traces, layoutOverrides = {}) {
  if (typeof Plotly === "undefined") return plotlyReady().then(() => draw(el, traces, layoutOverrides));
  const node = typeof el === "string" ? document.getElementById(el) : el;
  if (watcher && !visible.has(node)) {
    const box = node.getBoundingClientRect(); // the observer reports later: look once now
    visible.set(node, box.bottom > 0 && box.top < window.innerHeight);
    watcher.observe(node);
  }
  settling.delete(node); // this drawing is newer
  if (visible.get(node) === false) {
    wait(node, [() => drawNow(node, traces, layoutOverrides)]); // replaces what waited before
    return Promise.resolve(node);
  }
  waiting.delete(node);
  markPending();
  return drawNow(node, traces, layoutOverrides);
}

/**
 * Draw a figure in full (as draw()) once the lab has been still for QUIET_MS: for parts of a
 * figure that a step leaves for later (see steady.js). A newer draw() or settle() replaces it.
 */
export function settle(el, traces, layoutOverrides = {}) {
  const node = typeof el === "string" ? document.getElementById(el) : el;
  settling.set(node, () => draw(node, traces, layoutOverrides));
  markPending();
  whenStill();
}

/** "#rrggbb" or "rgba(r, g, b, a)" as [r, g, b, alpha 0-255]. */
function rgba(colour) {
  if (colour.startsWith("#")) return [...[1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)), 255];
  const [r, g, b, a = 1] = colour.replace(/^rgba?\(|\)$/g, "").split(",").map(Number);
  return [r, g, b, 255 * a];
}

let canvas = null; // reused by gridImage

/**
 * A grid of values drawn as an image (a PNG data URL), coloured as a heatmap with `scale`
 * ([[0, colour], ..., [1, colour]], colours "#rrggbb" or "rgba(...)", interpolated in RGB and
 * opacity as Plotly does) from zmin to zmax.
 * z[i][j] is the cell of row i and column j: one pixel each. Rows go up the y axis (the last
 * row is the image's top line), or down it with `rowsDown` (row 0 on top, as on an image's
 * axes). As a layout image (see `imageOn`) it is redrawn without the rest of the figure, where a
 * heatmap trace whose values change makes Plotly redraw every axis and panel of its figure.
 */
export function gridImage(z, scale, zmin = 0, zmax = 1, { rowsDown = false } = {}) {
  const rows = z.length;
  const cols = z[0].length;
  const stops = scale.map(([at, colour]) => [at, rgba(colour)]);
  canvas ??= document.createElement("canvas");
  canvas.width = cols;
  canvas.height = rows;
  const context = canvas.getContext("2d");
  const image = context.createImageData(cols, rows);
  const px = image.data;
  for (let i = 0; i < rows; i++) {
    const row = z[rowsDown ? i : rows - 1 - i];
    for (let j = 0; j < cols; j++) {
      const t = Math.min(1, Math.max(0, (row[j] - zmin) / (zmax - zmin)));
      let k = 1;
      while (k < stops.length - 1 && t > stops[k][0]) k++;
      const [a, lo] = stops[k - 1];
      const [b, hi] = stops[k];
      const f = b > a ? (t - a) / (b - a) : 0;
      const at = 4 * (i * cols + j);
      for (let c = 0; c < 4; c++) px[at + c] = Math.round(lo[c] + f * (hi[c] - lo[c]));
    }
  }
  context.putImageData(image, 0, 0);
  return canvas.toDataURL("image/png");
}

/**
 * Layout-image placement for a grid whose cell centres are the evenly spaced `x` and `y` (as a
 * heatmap places them: each cell reaches half a step beyond its centre), on axes `xref`/`yref`.
 */
export function imageOn(x, y, xref = "x", yref = "y") {
  const dx = x.length > 1 ? (x.at(-1) - x[0]) / (x.length - 1) : 1;
  const dy = y.length > 1 ? (y.at(-1) - y[0]) / (y.length - 1) : 1;
  return {
    xref, yref, x: x[0] - dx / 2, y: y.at(-1) + dy / 2, sizex: dx * x.length, sizey: dy * y.length,
    xanchor: "left", yanchor: "top", sizing: "stretch", layer: "above",
  };
}

/**
 * HTML of a colour key (a map's colour scale in the page instead of Plotly's colour bar, which
 * Plotly redraws and measures on every step): `label`, the scale's ramp, and tick labels at the
 * fractions `at` of it, written by keyTicks.
 */
export function keyHTML(label, colorscale, at = [0, 0.5, 1]) {
  const ramp = colorscale.map(([f, c]) => `${c} ${100 * f}%`).join(", ");
  return `<span class="key-item colour-key">${label} <span class="ramp-wrap"><span class="ramp" style="background:linear-gradient(to right, ${ramp})"></span>` +
    `<span class="ticks">${at.map((f) => `<span style="left:${100 * f}%"></span>`).join("")}</span></span></span>`;
}

/** The values of a colour key's tick labels (keyHTML), in order; only those that changed are written. */
export function keyTicks(container, values) {
  const el = typeof container === "string" ? document.getElementById(container) : container;
  el.querySelectorAll(".colour-key .ticks > span").forEach((tick, i) => {
    setProp(tick, "textContent", fmt(values[i], 3).replace("-", "−"));
  });
}

/** Title object in the shared style. */
export function title(text) {
  // Pinned to the top of the figure so the legend fits between it and the plot area.
  return { text: pretty(text, { html: true }), x: 0.01, xanchor: "left", y: 0.985, yref: "container", yanchor: "top", font: { size: 15 } };
}

/** Format a number for read-outs: 4 significant digits, exponent when very large or small. */
export function fmt(value, digits = 4) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

const listening = new WeakMap(); // figure element -> Plotly events already handled

/**
 * Handle a Plotly event ("plotly_click", "plotly_hover", ...) of a drawn figure. Plotly gives the
 * element its .on() with the first drawing, so call this after draw(); calling it again for the
 * same figure and event does nothing, so a render function may call it every time.
 */
export function onPlot(id, event, handler) {
  const el = document.getElementById(id);
  const events = listening.get(el) ?? new Set();
  if (events.has(event)) return;
  events.add(event);
  listening.set(el, events);
  const attach = () => el.on(event, handler);
  if (waiting.has(el)) waiting.get(el).push(attach); // Plotly gives it .on() with that drawing
  else attach();
}

/** Whether a figure is drawn, or its drawing waits (then an update waits behind it). */
function drawable(el, indices) {
  if (typeof Plotly === "undefined" || !el) return false;
  if (waiting.has(el) && !el.data) return true; // its first drawing waits: the traces it will have
  return Boolean(el.data) && indices.every((i) => i < el.data.length);
}

/**
 * Update some traces of a drawn figure in place (the moving part of a lab): `update` as for
 * Plotly.restyle, each value an array with one entry per index. Does nothing (and returns false)
 * before the figure's first drawing is asked for, which then includes these traces itself.
 */
export function restyle(id, update, indices) {
  const el = typeof id === "string" ? document.getElementById(id) : id;
  if (!drawable(el, indices)) return false;
  whenDrawn(el, () => Plotly.restyle(el, update, indices));
  return true;
}

/**
 * The fast path for what moves while the axes stay put: give some scatter traces of a drawn
 * figure new coordinates (`update` = { x?: [array per index], y?: [...] }) without redrawing its
 * axes, legend or layout (a transition of no duration; about half the cost of a redraw), and
 * new `shapes` with them if given. Use it only where the figure's axis ranges are fixed.
 * Returns false before the figure's first drawing.
 */
export function move(id, update, indices, shapes = null) {
  const el = typeof id === "string" ? document.getElementById(id) : id;
  if (!drawable(el, indices)) return false;
  const data = indices.map((_, k) => Object.fromEntries(Object.entries(update).map(([key, arrays]) => [key, arrays[k]])));
  whenDrawn(el, () => {
    moving += 1;
    markPending();
    const frame = { data, traces: indices };
    if (shapes) frame.layout = { shapes }; // drawn with the traces: one update instead of two
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      moving -= 1;
      markPending();
    };
    Plotly.animate(el, frame, { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" }).then(done, done);
    // A transition of no duration is drawn in the next frame; one interrupted by a newer one may
    // never settle its promise, so the count does not wait for it beyond two frames.
    requestAnimationFrame(() => requestAnimationFrame(done));
  });
  return true;
}

/** Change some layout attributes of a drawn figure (e.g. one shape); false before it exists. */
export function relayout(id, update) {
  const el = typeof id === "string" ? document.getElementById(id) : id;
  if (!drawable(el, [])) return false;
  whenDrawn(el, () => Plotly.relayout(el, update));
  return true;
}

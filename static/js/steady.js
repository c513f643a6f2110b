// Figures that keep their structure while a slider moves: a step then only moves the traces that
// changed (move()) and sets the axis ranges, shapes, annotations, images or title that changed
// (relayout()), a fraction of the cost of a full redraw (measured: a new axis range ~3 ms, new
// shapes ~1 ms, a new title ~3 ms; new annotations ~15 ms, as much as a redraw; Plotly.react of a
// small figure 11-15 ms). A full drawing happens when the structure changes (`key`).
import { NARROW, draw, move, narrowTitle, plain, relayout, settle } from "./plots.js";

/**
 * An axis range for `values` that stays `previous` while they fit inside it and fill at least
 * `fill` of it; when they leave it, it grows to take them in (if they would still fill `fill`
 * of it); otherwise a new range around them, with a margin of `pad` of their spread.
 */
export function steadyRange(previous, values, { pad = 0.12, fill = 0.35 } = {}) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return previous ?? [-1, 1];
  const spread = hi - lo;
  const margin = pad * (spread || Math.abs(hi) || 1);
  if (previous) {
    const fits = lo >= previous[0] && hi <= previous[1];
    const range = fits ? previous : [Math.min(previous[0], lo - margin), Math.max(previous[1], hi + margin)];
    if (spread >= fill * (range[1] - range[0])) return range;
  }
  return [lo - margin, hi + margin];
}

/**
 * The text a new title takes in place: on a narrow figure draw() has broken the title into lines
 * (plots.js); the new one is broken the same way, and false (draw anew) when its number of lines
 * differs, since the plot area then moves, or when the figure loses its title.
 */
function titleText(el, title) {
  const text = title?.text;
  if (!text) return false;
  // The width Plotly drew the figure at (kept up to date on resize): reading the element's own
  // width here, after a step's first writes, would make the browser lay the page out early.
  const width = el?._fullLayout?.width ?? el?.clientWidth ?? 0;
  if (!(width > 0 && width < NARROW)) return text;
  const wrapped = narrowTitle(title, width);
  const lines = (t) => (t ?? "").split("<br>").length;
  return lines(wrapped) === lines(el.layout?.title?.text) ? wrapped : false;
}

/** The figure's description (set by draw(): "title; y against x; shows ...") with a new title. */
function describeTitle(el, text) {
  const rest = (el.getAttribute("aria-label") ?? "").split("; ").slice(1);
  el.setAttribute("aria-label", [plain(text), ...rest].join("; "));
}

const shown = new Map(); // figure id -> { key, parts, values } of what it shows now

const LAYOUT_PARTS = ["shapes", "annotations", "images", "title", "xaxis.range", "yaxis.range", "yaxis2.range"];

function part(layout, name) {
  const [head, tail] = name.split(".");
  return (tail ? layout[head]?.[tail] : layout[head]) ?? null;
}

function same(a, b) {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => same(a[k], b[k]));
  }
  return false;
}

/** Whether `value` has every key `old` has, at every depth (a merge of it into `old` leaves no stale key). */
function keysIn(old, value) {
  if (old === null || typeof old !== "object") return true;
  return value !== null && typeof value === "object" && Object.keys(old).every((k) => keysIn(old[k], value[k]));
}

/**
 * Whether an animation frame can carry shapes `next` to a figure showing `old`. Plotly merges a
 * frame's shapes into the figure's index by index, so a frame can remove neither a shape nor a
 * key of one; and it draws the shapes it adds, but does not take away one hidden by a frame.
 */
function mergeable(old, next) {
  return next.length >= old.length && old.every((shape, i) => keysIn(shape, next[i]));
}

/**
 * Draw figure `id`, or only move the traces that changed when `key` (its structure: traces,
 * their styles, axis types) is the one it was drawn with. Give its axes explicit ranges: an axis
 * range that changes is set by relayout, one that is dropped (autorange) needs a new drawing.
 * `moving` lists the trace attributes that may change from step to step (default x and y);
 * every other attribute must be as in the last drawing, unless `later`: then the figure is
 * drawn in full once the lab is still (settle()), for what a step may leave behind meanwhile
 * (e.g. the values of an invisible heatmap that answers hover over a map drawn as an image).
 */
export function update(id, traces, layout, { key, moving = ["x", "y"], later = false }) {
  const el = document.getElementById(id);
  const parts = Object.fromEntries(LAYOUT_PARTS.map((p) => [p, JSON.stringify(part(layout, p))]));
  const values = traces.map((t) => moving.map((attr) => t[attr]));
  const last = shown.get(id);
  shown.set(id, { key, parts, values });
  const changed = last ? LAYOUT_PARTS.filter((p) => parts[p] !== last.parts[p]) : [];
  const autorange = changed.some((p) => p.endsWith(".range") && part(layout, p) === null);
  const newTitle = changed.includes("title") ? titleText(el, layout.title) : null;
  if (last && last.key === key && el?.data?.length === traces.length && !autorange && newTitle !== false) {
    const indices = traces.map((_, i) => i).filter((i) => !same(values[i], last.values[i]));
    const data = Object.fromEntries(moving.map((attr) => [attr, indices.map((i) => traces[i][attr])]));
    // New shapes travel with the moving traces (one Plotly call, not two) when Plotly can merge
    // them into the old ones; else they are set by relayout.
    const next = layout.shapes ?? [];
    const shapes = indices.length && changed.includes("shapes") && mergeable(el.layout?.shapes ?? [], next) ? next : null;
    if (!indices.length || move(id, data, indices, shapes)) {
      const relaid = changed.filter((p) => p !== "title" && !(shapes && p === "shapes"));
      const update = Object.fromEntries(relaid.map((p) => [p, part(layout, p) ?? []]));
      if (newTitle !== null) update["title.text"] = newTitle;
      if (Object.keys(update).length) relayout(id, update);
      if (newTitle !== null) describeTitle(el, layout.title?.text ?? "figure");
      if (later) settle(id, traces, layout);
      return;
    }
  }
  draw(id, traces, layout);
}

/** Draw figure `id` anew (not through update()): its next update() draws in full too. */
export function drawAnew(id, traces, layout) {
  shown.delete(id);
  return draw(id, traces, layout);
}

// Errors in place: a message next to the control that caused it, in the page's words, and the
// figures it affects marked stale until an answer comes back.
import { ApiError } from "./api.js";

/** An error a page raises itself about one state key (e.g. a typed list that does not parse). */
export class FieldError extends Error {
  constructor(key, message) {
    super(message);
    this.name = "FieldError";
    this.key = key;
  }
}

function scope(root) {
  return root === document ? document.body : root;
}

/** The state key a 422 `loc` names: the first part after "body" that is a key (or mapped to one). */
export function keyOfLoc(loc, schema, fields = {}) {
  for (const part of (loc || []).filter((p) => p !== "body")) {
    if (typeof part !== "string") continue;
    if (part in fields) return fields[part];
    if (part in schema) return part;
  }
  return null;
}

function friendly(key, detail, messages, name) {
  const m = messages[key];
  if (typeof m === "function") return m(detail);
  if (typeof m === "string") return m;
  return `${name}: ${detail.msg.replace(/^Value error, /, "")}`;
}

function controlFor(root, key) {
  return scope(root).querySelector(`[data-key="${key}"]`);
}

function nameOf(el, key) {
  return el?.getAttribute("aria-label") || el?.dataset.name || key;
}

/** The place for a message about the whole computation: above the figures it concerns. */
function sectionAnchor(root, figures) {
  const first = figures?.length ? document.getElementById(figures[0]) : null;
  return first?.closest(".plots") || scope(root).querySelector(".lab > section") || document.getElementById("error-banner");
}

// A message or a stale mark may be owed to several channels (two requests with the same bad
// input): it lists them in data-channels and goes when the last of them draws again.
function owners(el) {
  return new Set((el.dataset.channels || "").split(" ").filter(Boolean));
}

function own(el, channel) {
  el.dataset.channels = [...owners(el).add(channel)].join(" ");
}

/** Drop `channel` from what `el` is owed to; true when nothing is left. */
function disown(el, channel) {
  const left = owners(el);
  left.delete(channel);
  el.dataset.channels = [...left].join(" ");
  return left.size === 0;
}

function addMessage(anchor, where, text, channel, id) {
  const same = [...document.querySelectorAll(".field-error")].find((p) => (id ? p.id === id : p.textContent === text));
  if (same) {
    same.textContent = text;
    own(same, channel);
    return same;
  }
  const p = document.createElement("p");
  p.className = "field-error";
  p.setAttribute("role", "alert");
  if (id) p.id = id;
  own(p, channel);
  p.textContent = text;
  anchor.insertAdjacentElement(where, p);
  return p;
}

/**
 * Show `err` where it belongs: each 422 item next to the control whose key its loc names, a
 * FieldError next to its control, anything else above the channel's figures; mark the figures
 * stale.
 */
export function showChannelError(err, { root = document, channel = "main", figures, schema = {}, fields = {}, messages = {} }) {
  clearErrors(root, channel);
  const items = [];
  if (err instanceof FieldError) items.push({ key: err.key, text: err.message });
  else if (err instanceof ApiError && Array.isArray(err.detail)) {
    for (const d of err.detail) {
      const key = keyOfLoc(d.loc, schema, fields);
      const el = key && controlFor(root, key);
      items.push({ key: el ? key : null, text: el ? friendly(key, d, messages, nameOf(el, key)) : d.msg });
    }
  } else items.push({ key: null, text: err.message || String(err) });

  for (const { key, text } of items) {
    const el = key && controlFor(root, key);
    if (el) {
      const holder = el.closest("label, .control") || el;
      const p = addMessage(holder, "afterend", text, channel, `${key}-error`);
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", p.id);
    } else {
      const anchor = sectionAnchor(root, figures);
      if (!anchor) continue;
      if (anchor.id === "error-banner") {
        anchor.hidden = false;
        anchor.textContent = `Cannot compute this: ${text}`;
        anchor.dataset.channel = channel;
      } else addMessage(anchor, "beforebegin", `Cannot compute this: ${text}`, channel);
    }
  }
  const plots = figures?.length
    ? figures.map((id) => document.getElementById(id)).filter(Boolean)
    : [...scope(root).querySelectorAll(".plot")];
  for (const plot of plots) {
    plot.classList.add("stale");
    own(plot, channel);
  }
}

/** Remove a channel's messages and stale marks (its answer has arrived). */
export function clearErrors(root = document, channel = "main") {
  const body = scope(root);
  for (const p of body.querySelectorAll(".field-error")) {
    if (!owners(p).has(channel) || !disown(p, channel)) continue;
    const key = p.id.endsWith("-error") ? p.id.slice(0, -6) : null;
    const el = key && controlFor(root, key);
    if (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    }
    p.remove();
  }
  for (const plot of body.querySelectorAll(".plot.stale")) {
    if (owners(plot).has(channel) && disown(plot, channel)) plot.classList.remove("stale");
  }
  const banner = document.getElementById("error-banner");
  if (banner && banner.dataset.channel === channel) {
    banner.hidden = true;
    banner.textContent = "";
    delete banner.dataset.channel;
  }
}

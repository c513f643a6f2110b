// One state object per lab, declared once as a schema, bound to the URL hash and the controls,
// and a scheduler that keeps the plots answering while a slider is dragged.
//
// Schema entry: { type: "number" | "int" | "bool" | "enum" | "text", default, min, max, options,
//                 enabled?: (state) => bool }   (a control that does nothing is disabled)
// The single update path is   set(patch) -> state -> URL hash -> controls -> channels -> render.
//
// A lab is split into channels, each with its own state keys, its own request and its own
// in-flight slot: a slow part (a loss surface) is fetched only when its own keys change, a moving
// part (the point, a path) on every step. Per channel at most one request is in flight; the
// newest state waits and is sent when that request returns (before its answer is drawn); an
// answer is drawn when it is newer than what the channel shows, never over a newer one. See
// static/js/README.md.
import { clearErrors, showChannelError } from "./errors.js";
import { plotlyReady } from "./plotly-loader.js";

const HASH_MS = 350;

function coerce(spec, raw) {
  if (raw === undefined || raw === null) return spec.default;
  switch (spec.type) {
    case "number":
    case "int": {
      let v = Number(raw);
      if (raw === "" || !Number.isFinite(v)) return spec.default;
      if (spec.type === "int") v = Math.round(v);
      if (spec.min !== undefined) v = Math.max(spec.min, v);
      if (spec.max !== undefined) v = Math.min(spec.max, v);
      return v;
    }
    case "bool":
      if (typeof raw === "boolean") return raw;
      return raw === "1" || raw === "true";
    case "enum":
      return spec.options.includes(raw) ? raw : spec.default;
    case "text": {
      const s = String(raw);
      return spec.maxLength !== undefined ? s.slice(0, spec.maxLength) : s;
    }
    default:
      throw new Error(`unknown state type ${spec.type}`);
  }
}

function serialise(spec, value) {
  if (spec.type === "bool") return value ? "1" : "0";
  if (spec.type === "number") return String(Number(value.toPrecision(12)));
  return String(value);
}

/** Read a state from a URL hash ("#a=1&b=x"); missing or invalid values take their default. */
export function parseHash(schema, hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = {};
  for (const [key, spec] of Object.entries(schema)) {
    state[key] = coerce(spec, params.has(key) ? params.get(key) : undefined);
  }
  return state;
}

/** Write a state as a URL hash, every key included, so the link keeps its meaning. */
export function formatHash(schema, state) {
  const params = new URLSearchParams();
  for (const [key, spec] of Object.entries(schema)) params.set(key, serialise(spec, state[key]));
  return "#" + params.toString();
}

/** The schema's defaults as a state. */
export function defaults(schema) {
  return Object.fromEntries(Object.entries(schema).map(([k, spec]) => [k, spec.default]));
}

export function formatValue(value, el) {
  if (typeof value !== "number") return String(value);
  const digits = el?.dataset.digits;
  if (digits !== undefined) return value.toFixed(Number(digits));
  if (Number.isInteger(value)) return String(value);
  const a = Math.abs(value);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}

/** The accessible name of a bound control: its aria-label, else its label's first span. */
function controlName(el) {
  if (el.getAttribute("aria-label")) return el.getAttribute("aria-label");
  const span = el.closest("label")?.querySelector("span");
  return (span?.textContent || el.dataset.key).trim();
}

/**
 * Create a lab controller.
 *
 * @param {object} opts
 * @param {object} opts.schema      state schema (see above)
 * @param {object} [opts.channels]  { name: { keys?, compute?, render, figures?, fields? } }:
 *   keys     state keys this channel depends on (default: all of them);
 *   compute  async (state, signal) => data, usually one API call (none: render gets the state);
 *   render   (data, state, lab) => void; lab.data(name) gives another channel's last answer;
 *   figures  ids of the figures this channel draws (marked stale when it fails; default: all).
 *   fields   { requestField: stateKey } for this channel's request, over the lab's `fields`.
 * @param {function} [opts.compute] shorthand for one channel "main" on every key
 * @param {function} [opts.render]  idem
 * @param {object} [opts.messages]  { stateKey: "friendly text" | (detail) => text } for errors
 * @param {object} [opts.fields]    { requestField: stateKey } where the API names differ
 * @param {function} [opts.constrain] (next, changedKeys) => patch: keeps linked controls possible
 * @param {function} [opts.onError] (err, channelName) => void, called after the error is shown
 * @param {Element} [opts.root]     where the bound controls live (default: document)
 */
export function createLab({
  schema, channels, compute, render, messages = {}, fields = {}, constrain, onError, root = document,
}) {
  if (!channels) channels = { main: { compute, render } };
  const everyKey = Object.keys(schema);
  const chans = Object.entries(channels).map(([name, c]) => ({
    name,
    compute: c.compute,
    render: c.render,
    keys: c.keys ?? everyKey,
    figures: c.figures,
    fields: { ...fields, ...c.fields },
    signature: null, // the channel's keys in the newest state
    wanted: 0, // version of the newest state whose keys this channel has not yet shown
    sent: 0, // version of the state last sent (or in flight)
    drawn: 0, // version of the state on screen
    failed: 0, // version of the last state that failed
    inflight: false,
    data: undefined,
  }));
  let state = parseHash(schema, window.location.hash);
  let version = 0;
  let drawings = 0;
  let pumping = false;
  const controls = [...root.querySelectorAll("[data-key]")].filter((el) => el.dataset.key in schema);
  const api = {
    get state() {
      return { ...state };
    },
    set,
    reset,
    refresh,
    /** The last answer a channel drew (undefined before its first). */
    data: (name) => chans.find((c) => c.name === name)?.data,
    schema,
  };

  for (const el of controls) {
    if (!el.getAttribute("aria-label") && el.type === "range") el.setAttribute("aria-label", controlName(el));
  }

  // Controls and read-outs by key, so that a step touches only what it changed.
  const controlsByKey = new Map();
  for (const el of controls) controlsByKey.set(el.dataset.key, [...(controlsByKey.get(el.dataset.key) ?? []), el]);
  const switchable = controls.filter((el) => schema[el.dataset.key].enabled);
  let outputs = [];

  /** Show the state in the controls: every control, or only those of the `changed` keys. */
  function syncControls(changed = null) {
    const els = changed ? [...changed].flatMap((key) => controlsByKey.get(key) ?? []) : controls;
    for (const el of els) {
      const key = el.dataset.key;
      const value = state[key];
      if (el.type === "checkbox") el.checked = Boolean(value);
      else if (el.dataset.scale === "log") el.value = String(Math.log10(value));
      else if (document.activeElement !== el || el.type === "range") el.value = String(value);
      if (el.type === "range") el.setAttribute("aria-valuetext", `${controlName(el)} = ${formatValue(value, el)}`);
    }
    // A control that does nothing in this state is disabled (any key may switch it).
    for (const el of switchable) {
      const on = Boolean(schema[el.dataset.key].enabled(state));
      if (el.disabled === on) {
        el.disabled = !on;
        el.closest("label, .control")?.classList.toggle("disabled", !on);
      }
    }
    if (!changed) outputs = [...root.querySelectorAll("output[data-for]")].filter((out) => out.dataset.for in state);
    for (const out of outputs) {
      if (!changed || changed.has(out.dataset.for)) out.textContent = formatValue(state[out.dataset.for], out);
    }
  }

  function readControl(el) {
    if (el.type === "checkbox") return el.checked;
    if (el.dataset.scale === "log") return 10 ** Number(el.value);
    return el.value;
  }

  function signature(chan) {
    return JSON.stringify(chan.keys.map((k) => state[k]));
  }

  function markBusy() {
    const busy = chans.some((c) => c.inflight || c.wanted > c.sent);
    document.body.dataset.busy = busy ? "1" : "0";
  }

  async function run(chan) {
    const mine = chan.wanted;
    const snapshot = { ...state };
    chan.sent = mine;
    chan.inflight = true;
    const started = performance.now();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      chan.inflight = false;
      pump();
    };
    try {
      const data = chan.compute ? await chan.compute(snapshot, undefined) : snapshot;
      const answered = performance.now();
      await plotlyReady();
      // This answer is in: the newest state (if it moved on) is sent now, and travels and is
      // computed while this answer is drawn. Still one request in flight at a time.
      release();
      if (mine > chan.drawn && mine >= chan.failed) {
        chan.drawn = mine;
        chan.data = data;
        clearErrors(root, chan.name);
        const drawing = performance.now();
        chan.render(data, snapshot, api);
        // Where the time goes, for the browser benchmark (performance.getEntriesByType("measure")).
        performance.measure(`${chan.name}:compute`, { start: started, end: answered });
        performance.measure(`${chan.name}:render`, { start: drawing, end: performance.now() });
        const status = document.getElementById("status");
        if (status) status.textContent = `updated in ${Math.round(performance.now() - started)} ms`;
        document.body.dataset.ready = String(++drawings);
      }
    } catch (err) {
      if (mine > chan.drawn) {
        chan.failed = mine;
        showChannelError(err, { root, channel: chan.name, figures: chan.figures, schema, fields: chan.fields, messages });
        if (onError) onError(err, chan.name);
        else console.warn(err);
      }
    } finally {
      release();
    }
  }

  function pump() {
    pumping = false;
    for (const chan of chans) if (!chan.inflight && chan.wanted > chan.sent) run(chan);
    markBusy();
  }

  function schedule() {
    version += 1;
    for (const chan of chans) {
      const sig = signature(chan);
      if (sig !== chan.signature) {
        chan.signature = sig;
        chan.wanted = version;
      }
    }
    // data-busy is "1" from the moment the state changes until its answers are drawn (or fail):
    // what a test, or a script driving the page, waits for.
    markBusy();
    if (!pumping) {
      pumping = true;
      queueMicrotask(pump); // several set() calls in one event make one request
    }
  }

  /** Merge `patch` into the state, then hash, controls and plots follow. */
  function set(patch) {
    let next = { ...state };
    for (const [key, raw] of Object.entries(patch)) {
      if (!(key in schema)) throw new Error(`unknown state key ${key}`);
      next[key] = coerce(schema[key], raw);
    }
    if (constrain) {
      const fixed = constrain(next, Object.keys(patch)) || {};
      for (const [key, raw] of Object.entries(fixed)) next[key] = coerce(schema[key], raw);
    }
    const changed = new Set(Object.keys(schema).filter((key) => next[key] !== state[key]));
    state = next;
    writeHash();
    syncControls(syncedOnce ? changed : null);
    syncedOnce = true;
    schedule();
  }
  let syncedOnce = false;

  // The address follows the state, at most once per HASH_MS: browsers limit how often a page
  // may rewrite it (Safari throws after 100 times in 30 s, Chromium drops calls), and a drag
  // sends dozens of changes a second. The last change is always written, HASH_MS after at most.
  let hashWritten = -Infinity;
  let hashTimer = null;
  function flushHash() {
    clearTimeout(hashTimer);
    hashTimer = null;
    hashWritten = performance.now();
    delete document.documentElement.dataset.hashPending;
    const hash = formatHash(schema, state);
    if (window.location.hash !== hash) history.replaceState(null, "", hash);
  }
  function writeHash() {
    if (hashTimer !== null) return;
    const wait = hashWritten + HASH_MS - performance.now();
    if (wait <= 0) return flushHash();
    document.documentElement.dataset.hashPending = "1";
    hashTimer = setTimeout(flushHash, wait);
  }
  window.addEventListener("pagehide", () => hashTimer !== null && flushHash());
  document.addEventListener("click", (ev) => {
    // A link that carries the view (the projector switch) reads the address when it is clicked.
    if (hashTimer !== null && ev.target.closest?.("a")) flushHash();
  }, true);

  /** Every key back to its default (the whole view as a first visit shows it). */
  function reset() {
    set(defaults(schema));
  }

  /** Ask every channel again (for a lab whose inputs live outside the state, e.g. an upload). */
  function refresh() {
    for (const chan of chans) chan.signature = null;
    schedule();
  }

  for (const el of controls) {
    const event = el.tagName === "SELECT" || el.type === "checkbox" ? "change" : "input";
    el.addEventListener(event, () => set({ [el.dataset.key]: readControl(el) }));
    if (el.type === "number") {
      el.addEventListener("change", () => {
        const typed = Number(el.value);
        syncControls(); // show the clamped value after editing
        noteClamp(el, typed, state[el.dataset.key], schema[el.dataset.key]);
      });
    } else if (el.tagName === "TEXTAREA") {
      el.addEventListener("change", () => syncControls());
    }
  }
  window.addEventListener("hashchange", () => {
    state = parseHash(schema, window.location.hash);
    syncControls();
    schedule();
  });
  addResetButton(root, reset);

  set({}); // normalise the hash and draw the first view
  return api;
}

/** A number field says when it kept a typed value within its limits. */
function noteClamp(el, typed, kept, spec) {
  const id = `${el.dataset.key}-clamp-note`;
  let note = document.getElementById(id);
  if (!Number.isFinite(typed) || typed === kept) {
    if (note) note.textContent = "";
    return;
  }
  if (!note) {
    note = document.createElement("small");
    note.id = id;
    note.className = "clamp-note";
    note.setAttribute("aria-live", "polite");
    el.insertAdjacentElement("afterend", note);
    el.setAttribute("aria-describedby", id);
  }
  const range = spec.min !== undefined && spec.max !== undefined ? ` (allowed: ${spec.min} to ${spec.max})` : "";
  note.textContent = `${typed} is out of range: kept ${kept}${range}`;
}

function addResetButton(root, reset) {
  const form = (root === document ? document : root).querySelector(".controls");
  if (!form || form.querySelector("button.reset")) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "reset";
  button.textContent = "Reset to defaults";
  button.addEventListener("click", reset);
  form.prepend(button);
}

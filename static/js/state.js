// One state object per lab, declared once as a schema, bound to the URL hash and the controls.
//
// Schema entry: { type: "number" | "int" | "bool" | "enum" | "text", default, min, max, options }.
// The single update path is   set(patch) -> state -> URL hash -> controls -> compute -> render,
// and only the newest request may render: an older answer that arrives late is dropped.

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

function formatValue(value, el) {
  if (typeof value !== "number") return String(value);
  const digits = el?.dataset.digits;
  if (digits !== undefined) return value.toFixed(Number(digits));
  if (Number.isInteger(value)) return String(value);
  const a = Math.abs(value);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}

/**
 * Create a lab controller.
 *
 * @param {object} opts
 * @param {object} opts.schema     state schema (see above)
 * @param {function} opts.compute  async (state, signal) => data   (usually one API call)
 * @param {function} opts.render   (data, state) => void           (Plotly.react calls)
 * @param {function} [opts.onError] (err) => void, for errors other than stale/aborted ones
 * @param {Element} [opts.root]    where the bound controls live (default: document)
 */
export function createLab({ schema, compute, render, onError, root = document }) {
  let state = parseHash(schema, window.location.hash);
  let token = 0;
  let controller = null;
  let frame = null;
  const controls = [...root.querySelectorAll("[data-key]")].filter((el) => el.dataset.key in schema);

  function syncControls() {
    for (const el of controls) {
      const key = el.dataset.key;
      const value = state[key];
      if (el.type === "checkbox") el.checked = Boolean(value);
      else if (el.dataset.scale === "log") el.value = String(Math.log10(value));
      else if (document.activeElement !== el || el.type === "range") el.value = String(value);
    }
    for (const out of root.querySelectorAll("output[data-for]")) {
      const key = out.dataset.for;
      if (key in state) out.textContent = formatValue(state[key], out);
    }
  }

  function readControl(el) {
    if (el.type === "checkbox") return el.checked;
    if (el.dataset.scale === "log") return 10 ** Number(el.value);
    return el.value;
  }

  async function update() {
    frame = null;
    const mine = ++token;
    controller?.abort();
    controller = new AbortController();
    const snapshot = { ...state };
    const started = performance.now();
    try {
      const data = await compute(snapshot, controller.signal);
      if (mine !== token) return; // a newer request was made meanwhile: drop this answer
      render(data, snapshot);
      const status = document.getElementById("status");
      if (status) status.textContent = `updated in ${Math.round(performance.now() - started)} ms`;
      document.body.dataset.ready = String(mine);
      document.body.dataset.busy = "0";
    } catch (err) {
      if (err.name === "AbortError" || mine !== token) return;
      document.body.dataset.busy = "0";
      (onError || ((e) => console.warn(e)))(err);
    }
  }

  function schedule() {
    // data-busy is "1" from the moment the state changes until its answer is drawn (or fails):
    // what a test, or a script driving the page, waits for.
    document.body.dataset.busy = "1";
    if (frame === null) frame = requestAnimationFrame(update);
  }

  /** Merge `patch` into the state, then hash, controls and plots follow. */
  function set(patch) {
    const next = { ...state };
    for (const [key, raw] of Object.entries(patch)) {
      if (!(key in schema)) throw new Error(`unknown state key ${key}`);
      next[key] = coerce(schema[key], raw);
    }
    state = next;
    const hash = formatHash(schema, state);
    if (window.location.hash !== hash) history.replaceState(null, "", hash);
    syncControls();
    schedule();
  }

  for (const el of controls) {
    const event = el.tagName === "SELECT" || el.type === "checkbox" ? "change" : "input";
    el.addEventListener(event, () => set({ [el.dataset.key]: readControl(el) }));
    if (el.type === "number" || el.tagName === "TEXTAREA") {
      el.addEventListener("change", () => syncControls()); // show the clamped value after editing
    }
  }
  window.addEventListener("hashchange", () => {
    state = parseHash(schema, window.location.hash);
    syncControls();
    schedule();
  });

  set({}); // normalise the hash and draw the first view
  return {
    get state() {
      return { ...state };
    },
    set,
    refresh: schedule,
  };
}

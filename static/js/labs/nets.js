// Shared by the shallow-network labs: activation names, unit colours, a seeded generator.
import { COLORS } from "../plots.js";
import { meta } from "../shell.js";

// The activations the API accepts, [name, label] in its order: declared once, in
// core/activations.py, and read from GET /api/v1/meta (ReLU alone if that cannot be reached).
const { registries } = await meta();
export const ACTIVATIONS = (registries.activations?.length ? registries.activations : [{ name: "relu", label: "ReLU" }])
  .map((a) => [a.name, a.label]);

export const ACTIVATION_NAMES = ACTIVATIONS.map(([name]) => name);

/** Fill a <select> with the activations. */
export function fillActivationSelect(select) {
  select.innerHTML = ACTIVATIONS.map(([v, label]) => `<option value="${v}">${label}</option>`).join("");
}

/** Colour of hidden unit d (0-based), the same in every panel. */
export function unitColor(d) {
  return COLORS.series[d % COLORS.series.length];
}

/** A small seeded generator (mulberry32): the same seed gives the same parameters. */
export function seededUniform(seed) {
  let a = seed >>> 0;
  return (lo, hi) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

/** Round for the URL hash and the sliders. */
export function round(v, digits = 3) {
  return Number(v.toFixed(digits));
}

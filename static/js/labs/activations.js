// Activation functions lab: every a[z] beside its derivative a'[z].
import { postJSON, showError } from "../api.js";
import { initPage, renderMath } from "../page.js";
import { COLORS, title } from "../plots.js";
import { createLab } from "../state.js";
import { ACTIVATIONS } from "./nets.js";
import { steadyRange, update } from "../steady.js";
import { setProp } from "../dom.js";

const ranges = {};

const SHOWN_BY_DEFAULT = ["relu", "leaky_relu", "gelu", "sigmoid", "tanh"];
const RELU_FAMILY = ["relu", "leaky_relu", "elu", "softplus", "gelu", "silu"];
const SQUASHING = ["sigmoid", "tanh", "heaviside"];

const schema = {
  z_min: { type: "number", default: -4, min: -20, max: -0.5 },
  z_max: { type: "number", default: 4, min: 0.5, max: 20 },
};
for (const [name] of ACTIVATIONS) schema[`show_${name}`] = { type: "bool", default: SHOWN_BY_DEFAULT.includes(name) };

const color = (i) => COLORS.series[i % COLORS.series.length];

document.getElementById("activation-checks").innerHTML = ACTIVATIONS.map(
  ([name, label], i) =>
    `<label><input type="checkbox" data-key="show_${name}"><span class="swatch" style="background:${color(i)}"></span>${label}</label>`,
).join("");

function render(d, s) {
  showError(null);
  const shown = d.curves.map((c, i) => ({ ...c, i })).filter((c) => s[`show_${c.name}`]);
  const traces = (field) =>
    shown.map((c) => ({
      x: d.z, y: c[field], mode: "lines", name: c.label,
      line: { color: color(c.i), width: 2.5 },
      hovertemplate: `${c.label}: %{y:.3f}<extra>z = %{x:.2f}</extra>`,
    }));
  // The figures keep their traces while the range moves: a step moves the curves and sets the
  // axis ranges (steady.js); the y ranges grow with the curves and shrink when they fill little.
  const key = shown.map((c) => c.name).join(",");
  ranges.value = steadyRange(ranges.value, shown.flatMap((c) => c.value));
  ranges.derivative = steadyRange(ranges.derivative, shown.flatMap((c) => c.derivative));
  const common = {
    xaxis: { title: { text: "pre-activation z" }, range: [s.z_min, s.z_max], zeroline: true },
    legend: { orientation: "h", x: 0, y: -0.25, yanchor: "top" },
    margin: { l: 60, r: 20, t: 40, b: 110 },
  };
  update("value-plot", traces("value"), {
    ...common, title: title("a[z]"), yaxis: { title: { text: "a[z]" }, zeroline: true, range: ranges.value },
  }, { key });
  update("derivative-plot", traces("derivative"), {
    ...common, title: title("a'[z] (its derivative)"), yaxis: { title: { text: "a'[z]" }, zeroline: true, range: ranges.derivative },
  }, { key });
  drawTable(d, s);
}

// The table's names and formulas never change: they are typeset once; a step only rewrites the
// derivative cells and row highlights that changed (typesetting ten formulas costs more than a
// plot, and each rewritten cell costs style and layout).
let tableRows = null; // activation name -> { row, left, right }
function drawTable(d, s) {
  const table = document.getElementById("activation-table");
  if (!tableRows) {
    table.innerHTML =
      "<tr><th>function</th><th>formula</th><th>piecewise linear</th><th>a'(z) at the left end</th><th>a'(z) at the right end</th></tr>" +
      d.curves
        .map((c, i) => `<tr data-name="${c.name}"><td style="text-align:left"><span class="swatch" style="background:${color(i)}"></span>${c.label}</td>
          <td style="text-align:left">$${c.formula}$</td><td>${c.piecewise_linear ? "yes" : "no"}</td>
          <td class="left-end"></td><td class="right-end"></td></tr>`)
        .join("");
    renderMath(table);
    tableRows = new Map(
      [...table.querySelectorAll("tr[data-name]")].map((row) => [
        row.dataset.name,
        { row, left: row.querySelector(".left-end"), right: row.querySelector(".right-end") },
      ]),
    );
  }
  for (const c of d.curves) {
    const { row, left, right } = tableRows.get(c.name);
    setProp(row, "className", s[`show_${c.name}`] ? "current" : "");
    setProp(left, "textContent", c.derivative[0].toFixed(3));
    setProp(right, "textContent", c.derivative.at(-1).toFixed(3));
  }
}

initPage("activations");
const lab = createLab({
  schema,
  compute: (s, signal) => postJSON("api/v1/shallow/activations", { z_min: s.z_min, z_max: s.z_max, n_points: 401 }, { signal }),
  render,
});

function showOnly(names) {
  lab.set(Object.fromEntries(ACTIVATIONS.map(([n]) => [`show_${n}`, names.includes(n)])));
}
document.getElementById("show-all").addEventListener("click", () => showOnly(ACTIVATIONS.map(([n]) => n)));
document.getElementById("show-relu-family").addEventListener("click", () => showOnly(RELU_FAMILY));
document.getElementById("show-squashing").addEventListener("click", () => showOnly(SQUASHING));

// Linear regions lab (2 inputs): unit planes, switching lines, the region map and its count.
/* global Plotly */
import { postJSON, showError } from "../api.js";
import { initPage } from "../page.js";
import { COLORS, draw, fmt, gridImage, imageOn, keyHTML, keyTicks, onPlot, relayout, title } from "../plots.js";
import { update } from "../steady.js";
import { createLab } from "../state.js";
import { ACTIVATION_NAMES, fillActivationSelect, round, seededUniform, unitColor } from "./nets.js";
import { setHTML, setProp } from "../dom.js";

const MAX_UNITS = 16;
const PARAM = 100;
// The notes' 2-3-1 example: three lines around a triangle, so all 7 regions of the bound show.
const NOTES = { theta: [[-0.3, 0, 1], [-0.3, -0.87, -0.5], [0.3, -0.87, 0.5]], phi: [1, -0.8, 0.9], phi0: 0.2 };

function defaults(d) {
  if (d < 3) return { t: NOTES.theta[d], w: NOTES.phi[d] };
  // Lines tangent to circles of varied radius at spread angles: general position in the view.
  const angle = (Math.PI * d) / MAX_UNITS + 0.3;
  const radius = 0.25 + 0.5 * ((d * 0.61) % 1);
  const sign = d % 2 ? -1 : 1;
  return {
    t: [round(-radius * sign, 2), round(1.5 * sign * Math.cos(angle), 2), round(1.5 * sign * Math.sin(angle), 2)],
    w: round(0.9 * Math.cos(1.7 * d), 2),
  };
}

const num = (def, lo = -PARAM, hi = PARAM) => ({ type: "number", default: def, min: lo, max: hi });
const schema = {
  activation: { type: "enum", options: ACTIVATION_NAMES, default: "relu" },
  D: { type: "int", default: 3, min: 1, max: MAX_UNITS },
  seed: { type: "int", default: 0, min: 0, max: 4294967295 },
  w0: num(NOTES.phi0),
  color_by: { type: "enum", options: ["output", "region"], default: "output" },
  grid: { type: "int", default: 120, min: 40, max: 300 },
  x1_min: num(-1), x1_max: num(1), x2_min: num(-1), x2_max: num(1),
  calc_di: { type: "int", default: 2, min: 1, max: 10000 },
  calc_d: { type: "int", default: 3, min: 1, max: 10000 },
  calc_do: { type: "int", default: 1, min: 1, max: 10000 },
  table_di: { type: "int", default: 5, min: 1, max: 10 },
  table_d: { type: "int", default: 12, min: 2, max: 50 },
};
for (let d = 0; d < MAX_UNITS; d++) {
  const def = defaults(d);
  for (let i = 0; i < 3; i++) schema[`a${d + 1}${i}`] = num(def.t[i]);
  schema[`w${d + 1}`] = num(def.w);
}

function buildUnitControls() {
  const slider = (key, label) =>
    `<label class="control"><span>${label}</span> <output data-for="${key}"></output>
      <input type="range" data-key="${key}" min="-3" max="3" step="0.01"></label>`;
  const html = [];
  for (let d = 1; d <= MAX_UNITS; d++) {
    html.push(`<fieldset class="unit" data-unit="${d}">
      <legend><span class="swatch" style="background:${unitColor(d - 1)}"></span>Hidden unit ${d}</legend>
      ${slider(`a${d}0`, `θ<sub>${d}0</sub> (bias)`)}
      ${slider(`a${d}1`, `θ<sub>${d}1</sub> (weight of x₁)`)}
      ${slider(`a${d}2`, `θ<sub>${d}2</sub> (weight of x₂)`)}
      ${slider(`w${d}`, `φ<sub>${d}</sub> (output weight)`)}
    </fieldset>`);
  }
  document.getElementById("unit-controls").innerHTML = html.join("");
}

function request(s) {
  if (!(s.x1_min < s.x1_max && s.x2_min < s.x2_max)) throw new Error("the view needs 'from' < 'to' on both axes");
  const theta = [];
  const phi = [s.w0];
  for (let d = 1; d <= s.D; d++) {
    theta.push([s[`a${d}0`], s[`a${d}1`], s[`a${d}2`]]);
    phi.push(s[`w${d}`]);
  }
  return {
    activation: s.activation, theta, phi, grid_size: s.grid, panel_size: 31, digits: 8,
    x1_min: s.x1_min, x1_max: s.x1_max, x2_min: s.x2_min, x2_max: s.x2_max,
  };
}

const TABLE_KEYS = ["table_di", "table_d", "calc_di", "calc_d", "calc_do"];

function bounds(s) {
  return { max_inputs: s.table_di, max_hidden: s.table_d, n_inputs: s.calc_di, n_hidden: s.calc_d, n_outputs: s.calc_do };
}

// Plotly's RdBu (blue low, grey zero, red high): positive pre-activations (active units) are
// red. Written out once here so the map and its colour key (a CSS gradient) use the same stops.
const DIVERGING = [[0, "rgb(5,10,172)"], [0.35, "rgb(106,137,247)"], [0.5, "rgb(190,190,190)"],
  [0.6, "rgb(220,170,132)"], [0.7, "rgb(230,145,90)"], [1, "rgb(178,10,28)"]];
// A discrete colour scale: region k gets series colour k mod 16.
const N_COLORS = COLORS.series.length;
const REGION_SCALE = COLORS.series.flatMap((c, k) => [[k / N_COLORS, c], [(k + 1) / N_COLORS, c]]);

function segmentTraces(m, withNames) {
  // One dark underlay for every line (segments joined by gaps), then each unit's colour on top.
  const underlay = { x: [], y: [], mode: "lines", showlegend: false, hoverinfo: "skip", line: { color: "#111", width: 4.5 } };
  for (const seg of m.segments) {
    underlay.x.push(...seg.x1, null);
    underlay.y.push(...seg.x2, null);
  }
  const traces = m.segments.length ? [underlay] : [];
  for (const seg of m.segments) {
    traces.push({
      x: seg.x1, y: seg.x2, mode: "lines", name: `z${seg.unit + 1} = 0`, showlegend: withNames,
      line: { color: unitColor(seg.unit), width: 2.5 }, hoverinfo: "skip",
    });
  }
  return traces;
}

/** Largest |y| on the map: the colour range is symmetric, so y = 0 is the scale's grey middle. */
function largestMagnitude(rows) {
  let top = 0;
  for (const row of rows) for (const v of row) top = Math.max(top, Math.abs(v));
  return top || 1;
}

/**
 * The map's key under it, in HTML rather than as Plotly's colour bar and legend (Plotly redraws
 * those, measuring every label, on each slider step): the colour scale of y and the units' lines.
 * A step that only moves the scale's ends rewrites their three labels.
 */
function drawKey(m, byRegion, top) {
  const scale = byRegion
    ? `<span class="key-item">colour: region (numbers at their centres)</span>`
    : keyHTML("<b>y</b>", DIVERGING);
  const lines = m.segments.map((seg) =>
    `<span class="key-item"><span class="line-swatch" style="background:${unitColor(seg.unit)}"></span><span>z<sub>${seg.unit + 1}</sub> = 0</span></span>`);
  setHTML("map-key", [scale, ...lines].join(""));
  if (!byRegion) keyTicks("map-key", [-top, 0, top]);
}

function drawMap(m, s) {
  const byRegion = s.color_by === "region" && m.region_index;
  const top = byRegion ? null : largestMagnitude(m.output);
  const z = byRegion ? m.region_index.map((row) => row.map((k) => k % N_COLORS)) : m.output;
  const scale = byRegion ? { colorscale: REGION_SCALE, zmin: 0, zmax: N_COLORS - 1 } : { colorscale: DIVERGING, zmin: -top, zmax: top };
  // The map is a layout image, one pixel per grid point (drawn crisp, .plot.crisp): a step sets
  // it without redrawing the figure. Over it an invisible heatmap of the same cells answers
  // hover and the keyboard; it follows when the lab is still (steady.js, later).
  const image = {
    ...imageOn(m.x1, m.x2), source: gridImage(z, scale.colorscale, scale.zmin, scale.zmax),
    name: "output map", layer: "below", opacity: byRegion ? 0.6 : 1,
  };
  const heat = {
    type: "heatmap", x: m.x1, y: m.x2, hoverongaps: false, z, ...scale, opacity: 0,
    // [region number, y] per cell (z holds colour indices when coloured by region).
    customdata: m.region_index ? m.region_index.map((row, i) => row.map((k, j) => [k + 1, m.output[i][j]])) : undefined,
    showscale: false, // the key under the map shows the scale
    zsmooth: "fast",
    hovertemplate: m.region_index
      ? "x₁ = %{x:.3f}<br>x₂ = %{y:.3f}<br>y = %{customdata[1]:.3f}<br>region %{customdata[0]}<extra></extra>"
      : "x₁ = %{x:.3f}<br>x₂ = %{y:.3f}<br>y = %{z:.3f}<extra></extra>",
    name: "output",
  };
  const traces = [heat, ...segmentTraces(m, true)];
  if (m.regions) {
    const big = m.regions.map((r, k) => ({ ...r, k })).filter((r) => r.pixels >= 0.002 * m.x1.length * m.x2.length);
    traces.push({
      x: big.map((r) => r.centroid[0]), y: big.map((r) => r.centroid[1]), mode: "text", text: big.map((r) => String(r.k + 1)),
      textfont: { size: 13, color: "#111" }, showlegend: false, hoverinfo: "skip", name: "region labels",
    });
  }
  const count = m.exact_count === null ? "linear regions not defined" : `${m.exact_count} linear regions (bound ${m.bound})`;
  update("output-map", traces, {
    title: title(`Output y(x₁, x₂) · ${count}`),
    xaxis: { title: { text: "x₁" }, range: [s.x1_min, s.x1_max], constrain: "domain", showgrid: false },
    yaxis: { title: { text: "x₂" }, range: [s.x2_min, s.x2_max], scaleanchor: "x", scaleratio: 1, constrain: "domain", showgrid: false },
    showlegend: false, // the key under the map names the lines
    margin: { l: 60, r: 20, t: 40, b: 50 },
    images: [image],
    shapes: [{ type: "rect", xref: "x", yref: "y", x0: s.x1_min, x1: s.x1_max, y0: s.x2_min, y1: s.x2_max, line: { color: "#111", width: 1.5 } }],
  }, {
    // What a step moves: the lines and the region labels. The hover layer's values follow later.
    key: JSON.stringify([Boolean(byRegion), Boolean(m.region_index), m.x1, m.x2, traces.length]),
    moving: ["x", "y", "text"],
    later: true,
  });
  drawKey(m, byRegion, top);
}

function drawUnits(m, s) {
  const D = m.units.preactivations.length;
  const perRow = Math.min(D, 4);
  const unitRows = Math.ceil(D / perRow);
  const rows = 2 * unitRows;
  const traces = [];
  const extra = {};
  const annotations = [];
  const gapX = 0.02;
  const gapY = 0.035;
  let k = 0;
  for (let d = 0; d < D; d++) {
    const col = d % perRow;
    const unitRow = Math.floor(d / perRow);
    for (const [kind, field] of [[0, "preactivations"], [1, "activations"]]) {
      k += 1;
      const row = 2 * unitRow + kind;
      const xa = k === 1 ? "x" : `x${k}`;
      const ya = k === 1 ? "y" : `y${k}`;
      traces.push({
        type: "heatmap", x: m.units.x1, y: m.units.x2, z: m.units[field][d], xaxis: xa, yaxis: ya,
        colorscale: DIVERGING, zmid: 0, showscale: false,
        hovertemplate: `${kind ? "h" : "z"}${d + 1} = %{z:.3f}<extra></extra>`,
      });
      const seg = m.segments.find((sg) => sg.unit === d);
      if (seg) {
        traces.push({ x: seg.x1, y: seg.x2, xaxis: xa, yaxis: ya, mode: "lines", showlegend: false, hoverinfo: "skip", line: { color: "#111", width: 2 } });
      }
      const domainX = [col / perRow + gapX, (col + 1) / perRow - gapX];
      const domainY = [1 - (row + 1) / rows + gapY, 1 - row / rows - 1.6 * gapY];
      const suffix = k === 1 ? "" : String(k);
      extra[`xaxis${suffix}`] = { domain: domainX, anchor: ya, showticklabels: false, ticks: "", range: [s.x1_min, s.x1_max], showgrid: false };
      extra[`yaxis${suffix}`] = { domain: domainY, anchor: xa, showticklabels: false, ticks: "", range: [s.x2_min, s.x2_max], showgrid: false };
      annotations.push({
        text: kind ? `h${d + 1} = a[z${d + 1}]` : `z${d + 1} (unit ${d + 1})`, showarrow: false,
        xref: "paper", yref: "paper", x: (domainX[0] + domainX[1]) / 2, y: domainY[1], yanchor: "bottom",
        font: { size: 12, color: unitColor(d) },
      });
    }
  }
  const { xaxis, yaxis, ...others } = extra;
  const height = Math.max(560, 70 + unitRows * 2 * 140);
  document.getElementById("units-plot").style.height = `${height}px`;
  draw("units-plot", traces, {
    height,
    title: title("Units: plane z_d, then h_d = a[z_d] (black: z_d = 0)"),
    margin: { l: 10, r: 10, t: 50, b: 10 },
    xaxis, yaxis, ...others, annotations, showlegend: false,
  });
}

function drawBounds(t, s) {
  const traces = t.n_inputs.map((di, i) => ({
    x: t.n_hidden, y: t.max_regions[i], mode: "lines+markers", name: `Dᵢ = ${di}`,
    line: { color: COLORS.series[i % N_COLORS], width: di === 2 ? 3 : 1.5 }, marker: { size: 4 },
    hovertemplate: `Dᵢ = ${di}, D = %{x}: at most %{y} regions<extra></extra>`,
  }));
  traces.push({
    x: t.n_hidden, y: t.activation_patterns, mode: "lines", name: "2^D", line: { color: COLORS.muted, dash: "dot" },
    hoverinfo: "skip",
  });
  if (s.D <= t.n_hidden.at(-1) && t.n_inputs.includes(2)) {
    traces.push({
      x: [s.D], y: [t.max_regions[1][s.D - 1]], mode: "markers", name: "this network",
      marker: { size: 13, color: COLORS.model, symbol: "star", line: { color: "#fff", width: 1 } },
    });
  }
  draw("bounds-plot", traces, {
    title: title("Most linear regions: Σ C(D, j) for j = 0 … D_i"),
    xaxis: { title: { text: "hidden units D" } },
    yaxis: { title: { text: "max regions (log scale)" }, type: "log", dtick: 1 },
    legend: { orientation: "v", x: 1.02, y: 1, yanchor: "top" },
    margin: { l: 60, r: 20, t: 40, b: 50 },
  });
  const head = `<tr><th>Dᵢ \\ D</th>${t.n_hidden.map((d) => `<th>${d}</th>`).join("")}</tr>`;
  const rows = t.n_inputs.map((di, i) => `<tr><th>${di}</th>${t.max_regions[i].map((v) => `<td>${v.toLocaleString("en")}</td>`).join("")}</tr>`);
  document.getElementById("bounds-table").innerHTML = head + rows.join("");
  const bound = t.max_regions_for_network === null ? "more than 2⁵³" : t.max_regions_for_network.toLocaleString("en");
  document.getElementById("calc-result").innerHTML =
    `<b>${s.calc_d}·(${s.calc_di} + 1) + ${s.calc_do}·(${s.calc_d} + 1) = ${t.parameter_count.toLocaleString("en")} parameters</b>; ` +
    `at most ${bound} linear regions.`;
}

/** Grey out, in the units figure, the titles of the units that are off in the hovered region. */
function markInactiveUnits(active) {
  const update = {};
  active.forEach((on, d) => {
    for (const [i, text] of [[2 * d, `z${d + 1} (unit ${d + 1})`], [2 * d + 1, `h${d + 1} = a[z${d + 1}]`]]) {
      update[`annotations[${i}].text`] = on === false ? `${text} · off here` : text;
      update[`annotations[${i}].font.color`] = on === false ? COLORS.muted : unitColor(d);
    }
  });
  relayout("units-plot", update);
}

let last = null;
let unitsDrawn = ""; // what the units figure shows: it is redrawn only when that changes

/** What the units figure depends on: the hidden layer and the view, not the output weights φ. */
function unitsKey(s) {
  const { theta } = request(s);
  return JSON.stringify([s.activation, theta, s.x1_min, s.x1_max, s.x2_min, s.x2_max]);
}

function bindHover() {
  onPlot("output-map", "plotly_hover", (ev) => {
    const p = ev.points?.find((q) => q.data.type === "heatmap");
    const info = document.getElementById("hover-info");
    if (!p || !last) return;
    if (!last.regions) {
      info.textContent = `y = ${fmt(p.z)}: linear regions are not defined for a smooth activation.`;
      return;
    }
    const k = p.customdata[0] - 1;
    const r = last.regions[k];
    if (!r) return; // the hover layer is an answer behind (it follows when the lab is still)
    // null: the unit's line crosses the region without changing the output.
    const off = r.active.flatMap((a, u) => (a === false ? [u + 1] : []));
    const on = r.active.flatMap((a, u) => (a === true ? [u + 1] : []));
    const both = r.active.flatMap((a, u) => (a === null ? [u + 1] : []));
    info.innerHTML = `<b>Region ${k + 1}</b>: active units ${on.join(", ") || "none"}; inactive ${off.join(", ") || "none"}` +
      (both.length ? `; switching inside without bending: ${both.join(", ")}` : "") +
      ` · gradient (∂y/∂x₁, ∂y/∂x₂) = (${fmt(r.gradient[0])}, ${fmt(r.gradient[1])})`;
    markInactiveUnits(r.active);
  });
}

function render(m, s) {
  last = m;
  showError(null);
  for (const el of document.querySelectorAll("fieldset.unit")) setProp(el, "hidden", Number(el.dataset.unit) > s.D);
  drawMap(m, s);
  const key = unitsKey(s);
  if (key !== unitsDrawn) {
    unitsDrawn = key;
    drawUnits(m, s);
  }
  bindHover();
  setProp("region-note", "textContent", m.note);
  setHTML("readouts", [
    `<div><b>linear regions in view (exact)</b> <span id="exact-count">${m.exact_count ?? "not defined"}</span></div>`,
    `<div><b>activation patterns (exact)</b> <span id="pattern-count">${m.pattern_count ?? "–"}</span></div>`,
    `<div><b>seen on the ${m.x1.length}×${m.x2.length} map</b> ${m.grid_count ?? "–"}</div>`,
    `<div><b>bound</b> C(${s.D},0) + C(${s.D},1) + C(${s.D},2) = <span id="bound">${m.bound}</span></div>`,
    `<div><b>parameters</b> ${s.D}·3 + 1·${s.D + 1} = <span id="param-count">${m.parameter_count}</span></div>`,
  ].join(""));
}

buildUnitControls();
fillActivationSelect(document.getElementById("activation-select"));
initPage("regions");
// The map moves with every weight; the table of bounds only with its own inputs.
const lab = createLab({
  schema,
  channels: {
    map: {
      keys: Object.keys(schema).filter((k) => !TABLE_KEYS.includes(k)),
      compute: (s) => postJSON("api/v1/shallow/regions", request(s)),
      render,
      figures: ["output-map", "units-plot"],
    },
    table: {
      keys: TABLE_KEYS,
      compute: (s) => postJSON("api/v1/shallow/bounds", bounds(s)),
      render: (table, s) => drawBounds(table, s),
      figures: ["bounds-plot"],
    },
  },
});

document.getElementById("notes-example").addEventListener("click", () => {
  const patch = { D: 3, w0: NOTES.phi0, activation: "relu", x1_min: -1, x1_max: 1, x2_min: -1, x2_max: 1 };
  NOTES.theta.forEach((t, d) => {
    t.forEach((v, i) => (patch[`a${d + 1}${i}`] = v));
    patch[`w${d + 1}`] = NOTES.phi[d];
  });
  lab.set(patch);
});
document.getElementById("randomise").addEventListener("click", () => {
  const s = lab.state;
  const seed = s.seed + 1;
  const u = seededUniform(seed);
  const patch = { seed, w0: round(u(-1, 1), 2) };
  for (let d = 1; d <= MAX_UNITS; d++) {
    // A random direction and a line through a random point of the view.
    const angle = u(0, 2 * Math.PI);
    const [c1, c2] = [u(s.x1_min, s.x1_max), u(s.x2_min, s.x2_max)];
    const [n1, n2] = [Math.cos(angle), Math.sin(angle)];
    Object.assign(patch, {
      [`a${d}0`]: round(-(n1 * c1 + n2 * c2), 2), [`a${d}1`]: round(n1, 2), [`a${d}2`]: round(n2, 2), [`w${d}`]: round(u(-1.5, 1.5), 2),
    });
  }
  lab.set(patch);
});

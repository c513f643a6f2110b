// The page shell shared by every page: navigation and footer built from the lab manifest
// (GET /api/v1/meta), the error banner and status line, math typesetting, projector mode, and
// plotly.js loaded after the page's own text and controls. A lab page holds only its content;
// see static/js/README.md.
/* global renderMathInElement */
import { plotlyReady } from "./plotly-loader.js";
import { pretty } from "./text.js";

/** Projector mode (`?projector` in the address): large fonts for a lecture hall. */
export const PROJECTOR = new URLSearchParams(window.location.search).has("projector");

let metaPromise = null;

/** The service's manifest: { version, labs: [{id, chapter, title, summary, page}], registries }. */
export function meta() {
  if (!metaPromise) {
    metaPromise = fetch("api/v1/meta")
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .catch(() => ({ version: "", labs: [], registries: {} })); // the page still works alone
  }
  return metaPromise;
}

function withMode(href) {
  return PROJECTOR ? `${href}?projector` : href;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** The navigation bar: the brand, every built lab in the order of the notes, the API manual. */
export async function renderNav(current) {
  let nav = document.getElementById("nav");
  if (!nav) {
    nav = document.createElement("nav");
    nav.id = "nav";
    document.body.prepend(nav);
  }
  nav.setAttribute("aria-label", "Labs");
  const brand = `<a class="brand" href="${withMode("index.html")}">DL Playground</a>`;
  nav.innerHTML = `${brand}<a href="docs">API</a>`;
  const { labs } = await meta();
  const links = labs
    .filter((lab) => lab.page)
    .map((lab) => `<a href="${withMode(lab.page)}"${lab.id === current ? ' aria-current="page"' : ""}>${escapeHtml(lab.title)}</a>`)
    .join("");
  nav.innerHTML = `${brand}${links}<a href="docs">API</a>`;
}

function renderFooter() {
  if (document.querySelector("body > footer")) return;
  const footer = document.createElement("footer");
  const here = window.location.pathname + window.location.hash;
  const toggle = PROJECTOR ? here : `${window.location.pathname}?projector${window.location.hash}`;
  footer.innerHTML =
    `<span>Notation of Prince, <i>Understanding Deep Learning</i>.</span> ` +
    `<a href="docs">API manual</a> · <a href="${toggle}" id="projector-toggle">${PROJECTOR ? "Leave projector mode" : "Projector mode"}</a>`;
  document.body.append(footer);
  // The hash changes as the lab moves: the toggle keeps the current view.
  footer.querySelector("#projector-toggle").addEventListener("click", (ev) => {
    ev.preventDefault();
    const search = PROJECTOR ? "" : "?projector";
    window.location.href = `${window.location.pathname}${search}${window.location.hash}`;
  });
}

/** Places the scheduler and the labs write to: the error banner and the status line. */
function ensureChrome() {
  const main = document.querySelector("main");
  if (main) main.id ||= "main";
  if (!document.getElementById("error-banner") && main) {
    const banner = document.createElement("div");
    banner.id = "error-banner";
    banner.setAttribute("role", "alert");
    banner.hidden = true;
    const lab = main.querySelector(".lab");
    if (lab) lab.before(banner);
    else main.querySelector("h1")?.after(banner);
  }
  const form = document.querySelector("form.controls");
  if (form && !document.getElementById("status")) {
    const status = document.createElement("div");
    status.id = "status";
    form.append(status);
  }
}

/** Accessible names for the controls, written before the math is typeset: "φ₀ (intercept)". */
function nameControls() {
  for (const el of document.querySelectorAll("[data-key]")) {
    const label = el.closest("label");
    const span = label?.querySelector("span");
    // the label's own words: its first span, else its text outside the control
    const raw = span ? span.textContent : label ? [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(" ") : "";
    if (!raw.trim()) continue;
    const name = pretty(raw.trim().replace(/\s+/g, " "));
    el.dataset.name = name;
    // a range's label also holds its read-out, and typeset math has no plain text: name it
    if ((el.type === "range" || raw.includes("$")) && !el.getAttribute("aria-label")) el.setAttribute("aria-label", name);
  }
  for (const box of document.querySelectorAll(".readouts")) box.setAttribute("aria-live", "polite");
  for (const plot of document.querySelectorAll(".plot")) {
    if (!plot.getAttribute("role")) plot.setAttribute("role", "figure");
    if (!plot.getAttribute("aria-label")) plot.setAttribute("aria-label", "figure (drawing…)");
  }
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
}

function addStylesheet(href) {
  if (document.querySelector(`link[href="${href}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}

let katex = null;
function katexReady() {
  if (!katex) {
    addStylesheet("vendor/katex/katex.min.css");
    katex = loadScript("vendor/katex/katex.min.js").then(() => loadScript("vendor/katex/auto-render.min.js"));
  }
  return katex;
}

/** Typeset $...$ and $$...$$ with the locally served KaTeX (loaded on first use). */
export async function renderMath(root = document.body) {
  if (!root.textContent.includes("$")) return;
  await katexReady();
  if (typeof renderMathInElement !== "function") return;
  renderMathInElement(root, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
    ],
    throwOnError: false,
  });
  focusScrollers();
}

// What scrolls sideways on a small screen (wide formulas and tables) must be reachable from the
// keyboard, or a keyboard user cannot see its hidden part.
function focusScrollers() {
  // Any block that scrolls (its own overflow, not a figure's): formulas, tables, wide panels.
  for (const el of document.querySelectorAll("main div:not(.plot div), main table, main pre, main .katex-display")) {
    if (el.hasAttribute("tabindex") || el.closest(".plot")) continue;
    const wide = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
    if (!wide) continue;
    const style = getComputedStyle(el);
    if (/auto|scroll/.test(style.overflowX + style.overflowY) && el.clientWidth > 0) el.tabIndex = 0;
  }
}
// The check reads every block's size (a layout of the whole page): it waits until the page has
// been still for SCROLL_CHECK_MS, not run on every step of a slider (read-outs change each step).
const SCROLL_CHECK_MS = 400;
let scrollCheck = null;
function watchScrollers() {
  const later = () => {
    clearTimeout(scrollCheck);
    document.documentElement.dataset.scrollersChecked = "0"; // "1" once done: tests wait for it
    scrollCheck = setTimeout(() => {
      focusScrollers();
      document.documentElement.dataset.scrollersChecked = "1";
    }, SCROLL_CHECK_MS);
  };
  // figures redraw on every step of a slider: their changes are not worth a look
  const outsidePlots = (records) => records.some((r) => !(r.target instanceof Element && r.target.closest(".plot")));
  new MutationObserver((records) => outsidePlots(records) && later()).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", later);
  // typeset formulas change width when their fonts arrive, with no change to the page's elements
  document.fonts?.addEventListener("loadingdone", later);
  window.addEventListener("load", later);
}

/**
 * Build the shell around a page's content. `current` is the lab's id in the manifest ("" for
 * pages that are no lab). Call it first in a lab module, before createLab.
 */
export function initPage(current) {
  if (PROJECTOR) document.documentElement.classList.add("projector");
  ensureChrome();
  nameControls();
  renderNav(current);
  renderFooter();
  renderMath();
  watchScrollers();
  if (document.querySelector(".plot")) plotlyReady().catch(() => {});
}

// Page chrome shared by every lab: the navigation bar and math rendering.
/* global renderMathInElement */
import { LABS } from "./catalog.js";

export function renderNav(current) {
  const nav = document.getElementById("nav");
  if (!nav) return;
  const links = LABS.filter((lab) => lab.page)
    .map((lab) => `<a href="${lab.page}"${lab.id === current ? ' aria-current="page"' : ""}>${lab.title}</a>`)
    .join("");
  nav.innerHTML = `<a class="brand" href="index.html">DL Playground</a>${links}<a href="docs">API</a>`;
}

/** Typeset $...$ and $$...$$ in the page with the locally served KaTeX. */
export function renderMath(root = document.body) {
  if (typeof renderMathInElement !== "function") return;
  renderMathInElement(root, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
    ],
    throwOnError: false,
  });
}

export function initPage(current) {
  renderNav(current);
  renderMath();
}

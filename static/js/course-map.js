// The course map (index.html): one card per lab of the manifest, in the order of the notes.
import { PROJECTOR, initPage, meta } from "./shell.js";

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

initPage("");
const { labs } = await meta();
document.getElementById("labs").innerHTML = labs
  .map((lab) => {
    const inner = `<div class="chapter">Chapter ${escapeHtml(lab.chapter)}${lab.page ? "" : " · coming soon"}</div>` +
      `<h2>${escapeHtml(lab.title)}</h2><p>${escapeHtml(lab.summary)}</p>`;
    const href = PROJECTOR ? `${lab.page}?projector` : lab.page;
    return lab.page ? `<a class="card" href="${href}">${inner}</a>` : `<div class="card soon">${inner}</div>`;
  })
  .join("");
document.body.dataset.ready = "1";
document.body.dataset.busy = "0";

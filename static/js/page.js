// Kept for lab modules written before the shell: everything lives in shell.js now.
export { initPage, renderMath, renderNav } from "./shell.js";

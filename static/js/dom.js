// Writing to the page only what changed. A slider step rewrites read-outs, tables, legends and
// hidden controls whose content is often what it already was, and every rewrite costs style,
// layout and paint even when the page looks the same.

const given = new WeakMap(); // element -> the HTML setHTML last gave it

const element = (target) => (typeof target === "string" ? document.getElementById(target) : target);
const innerHTML = (el, html) => {
  el.innerHTML = html;
};

/**
 * Give an element (or the element of that id) this HTML, unless setHTML gave it the same HTML
 * last time. `write(el, html)` puts it in (innerHTML by default; a page may typeset its TeX on
 * the way). An element written this way should be written only this way.
 */
export function setHTML(target, html, write = innerHTML) {
  const el = element(target);
  if (given.get(el) === html) return;
  given.set(el, html);
  write(el, html);
}

/** Set one property of an element (textContent, className, hidden, value...) unless it has
 *  that value already. */
export function setProp(target, prop, value) {
  const el = element(target);
  if (el[prop] !== value) el[prop] = value;
}

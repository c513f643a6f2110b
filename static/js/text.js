// Figure and control text in the course's notation: real Greek letters and subscripts.
//   "theta_10" -> "θ₁₀",  "\phi_1" -> "φ₁",  "beta_k" -> "βₖ",  "x^2" -> "x²"

const GREEK = {
  alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ", eta: "η",
  theta: "θ", iota: "ι", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ",
  sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω",
  Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω",
};
const SUB = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉",
  "+": "₊", "-": "₋", "=": "₌", "(": "₍", ")": "₎", a: "ₐ", e: "ₑ", h: "ₕ", i: "ᵢ", j: "ⱼ", k: "ₖ",
  l: "ₗ", m: "ₘ", n: "ₙ", o: "ₒ", p: "ₚ", r: "ᵣ", s: "ₛ", t: "ₜ", u: "ᵤ", v: "ᵥ", x: "ₓ" };
const SUP = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹",
  "+": "⁺", "-": "⁻", n: "ⁿ", i: "ⁱ", T: "ᵀ" };
const SYMBOLS = { nabla: "∇", cdot: "·", times: "×", leq: "≤", geq: "≥", le: "≤", ge: "≥", to: "→",
  infty: "∞", sum: "Σ", partial: "∂", approx: "≈", in: "∈", ldots: "…", dots: "…", quad: " ", top: "ᵀ" };

function script(chars, table) {
  const out = [...chars].map((c) => table[c]);
  return out.every(Boolean) ? out.join("") : null;
}

/**
 * Plain text with Greek letters and sub/superscripts for names written the programmer's way
 * ("theta_10", "phi_0", "Omega_k") or in TeX ("$\phi_0$ (intercept)"). A subscript Unicode lacks
 * ("z_d") stays "_d" in plain text, and becomes <sub>d</sub> with `html` (figure text).
 */
export function pretty(text, { html = false } = {}) {
  if (typeof text !== "string") return text;
  let s = text.replace(/\$/g, "");
  s = s.replace(/\\(?:boldsymbol|mathbf|mathrm|text|operatorname|bm)\s*\{([^{}]*)\}/g, "$1");
  s = s.replace(/\\([A-Za-z]+)/g, (m, name) => GREEK[name] ?? SYMBOLS[name] ?? name);
  // bare Greek names followed by a subscript or standing alone ("theta_10", "beta k", "phi")
  s = s.replace(/\b(alpha|beta|gamma|delta|epsilon|theta|lambda|sigma|phi|omega|Omega|Phi|Theta)(?=_|\b)/g, (m) => GREEK[m]);
  // Plotly text may use <sub>: what Unicode has no subscript for (d, θ_d0) becomes one there.
  const lower = (chars, m) => script(chars, SUB) ?? (html ? `<sub>${chars}</sub>` : m);
  s = s.replace(/_\{([^{}]+)\}|_(\d+|[A-Za-z]\d*)/g, (m, group, one) => lower(group ?? one, m));
  s = s.replace(/\^\{([^{}]+)\}|\^([A-Za-z0-9+-])/g, (m, group, one) => script(group ?? one, SUP) ?? m);
  return s.replace(/[{}]/g, "");
}

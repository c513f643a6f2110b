"""The information view of losses: softmax, entropy, cross-entropy and KL divergence.

Course notes ch. 5, "Information theoretical perspective" (Prince ch. 5.7):

- ``KL[p || q] = sum_k p_k log(p_k / q_k) >= 0``, zero only when p = q, not symmetric;
- cross-entropy ``H[p, q] = -sum_k p_k log q_k = H[p] + KL[p || q]``;
- minimising ``KL[p_emp || q_theta]`` over the model's parameters is maximum likelihood.

For the last point with a sample ``y_1..y_I`` and the Gaussian family ``q = N(mu, sigma^2)``:
with ``p_emp = (1/I) sum_i delta(y - y_i)``, ``KL[p_emp || q] = -H[p_emp] + H[p_emp, q]`` where
``H[p_emp, q] = -(1/I) sum_i log q(y_i) = NLL / I`` exactly, but ``-H[p_emp]`` is an infinite
constant (the differential entropy of deltas is minus infinity). So the lab shows the
cross-entropy form (KL minus that constant, equal to NLL / I) and a finite version: the
empirical distribution as a histogram ``p_h`` (bin width h), whose
``KL[p_h || q] = -H[p_h] + log(sigma sqrt(2 pi))``
``+ sum_b w_b ((m_b - mu)^2 + h^2 / 12) / (2 sigma^2)``
(bin weights w_b, centres m_b; the log-density is quadratic so its average over a bin is exact).
Its minimiser is the histogram's mean and variance (+ h^2 / 12): it tends to the MLE as h
shrinks (the mean is within h / 2 of the sample mean), though not at every refinement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses
from core.errors import DomainError


@dataclass(frozen=True)
class SoftmaxView:
    """Softmax of ``z / T`` and of ``(z + c) / T`` (the same), and its dependence on T.

    ``probabilities`` and ``shifted`` (K,); ``max_difference`` between them; ``exponentials``
    ``e^{(z - max z) / T}`` (K,), the numerators as computed, never overflowing;
    ``log_sum_exp`` of ``z / T``; ``entropy`` in nats; ``temperatures`` (M,) and
    ``sweep`` (K, M): the probabilities over a range of temperatures.
    """

    logits: np.ndarray
    probabilities: np.ndarray
    shifted: np.ndarray
    max_difference: float
    exponentials: np.ndarray
    log_sum_exp: float
    entropy: float
    temperatures: np.ndarray
    sweep: np.ndarray


def explore_softmax(
    logits: np.ndarray, shift: float = 0.0, temperature: float = 1.0
) -> SoftmaxView:
    """``softmax_k[z / T] = e^{z_k / T} / sum_j e^{z_j / T}`` (book eq. 5.22 with T = 1)."""
    z = np.asarray(logits, dtype=float).reshape(-1)
    if z.size < 2 or not np.all(np.isfinite(z)) or not np.isfinite(shift):
        raise DomainError("give at least two finite logits and a finite shift")
    if not (np.isfinite(temperature) and temperature > 0):
        raise DomainError(f"the temperature must be > 0, got {temperature}")
    scaled = z / temperature
    p = losses.softmax(scaled)
    shifted = losses.softmax((z + shift) / temperature)
    top = scaled.max()
    temperatures = np.logspace(-2, 2, 81)  # (M,)
    sweep = losses.softmax(z[:, None] / temperatures[None, :], axis=0)  # (K, M)
    return SoftmaxView(
        logits=z,
        probabilities=p,
        shifted=shifted,
        max_difference=float(np.abs(p - shifted).max()),
        exponentials=np.exp(scaled - top),
        log_sum_exp=float(top + np.log(np.exp(scaled - top).sum())),
        entropy=losses.entropy(p / p.sum()),
        temperatures=temperatures,
        sweep=sweep,
    )


def normalise(weights: np.ndarray, name: str) -> np.ndarray:
    """Non-negative weights scaled to sum to 1."""
    w = np.asarray(weights, dtype=float).reshape(-1)
    if w.size < 1 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise DomainError(f"{name} needs weights >= 0, not all 0")
    return w / w.sum()


@dataclass(frozen=True)
class DiscreteComparison:
    """Two distributions over K outcomes and every quantity between them (nats).

    Divergences and cross-entropies are ``inf`` when one distribution gives 0 to an outcome the
    other allows. ``terms_pq`` (K,) are ``p_k log(p_k / q_k)`` (they sum to ``kl_pq``);
    ``terms_qp`` likewise.
    """

    p: np.ndarray
    q: np.ndarray
    entropy_p: float
    entropy_q: float
    cross_pq: float
    cross_qp: float
    kl_pq: float
    kl_qp: float
    terms_pq: np.ndarray
    terms_qp: np.ndarray


def compare_discrete(
    p: np.ndarray, q: np.ndarray, normalise_weights: bool = False
) -> DiscreteComparison:
    """H[p], H[q], H[p, q], H[q, p], KL[p || q] and KL[q || p]; p and q sum to 1 unless
    ``normalise_weights`` (then any non-negative weights)."""
    if normalise_weights:
        p, q = normalise(p, "p"), normalise(q, "q")
    terms_pq, terms_qp = losses.kl_discrete_terms(p, q), losses.kl_discrete_terms(q, p)
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)

    def kl(a, b, terms):
        return losses.kl_discrete(a, b) if np.all(np.isfinite(terms)) else np.inf

    def cross(a, b, terms):
        return losses.cross_entropy_discrete(a, b) if np.all(np.isfinite(terms)) else np.inf

    return DiscreteComparison(
        p=p,
        q=q,
        entropy_p=losses.entropy(p),
        entropy_q=losses.entropy(q),
        cross_pq=cross(p, q, terms_pq),
        cross_qp=cross(q, p, terms_qp),
        kl_pq=kl(p, q, terms_pq),
        kl_qp=kl(q, p, terms_qp),
        terms_pq=terms_pq,
        terms_qp=terms_qp,
    )


@dataclass(frozen=True)
class GaussianComparison:
    """``p = N(mu1, s1^2)`` and ``q = N(mu2, s2^2)``.

    ``kl_pq``, ``kl_qp``: the closed form; ``entropy_p``, ``entropy_q``; ``cross_pq`` =
    ``entropy_p + kl_pq`` (likewise ``cross_qp``). On the grid ``y`` (N,): the densities
    ``density_p``, ``density_q`` and the integrands ``p log(p/q)`` and ``q log(q/p)``;
    ``integral_pq``, ``integral_qp``: those integrands integrated numerically (trapezoid rule
    on a wider fine grid), a check of the closed form.
    """

    kl_pq: float
    kl_qp: float
    entropy_p: float
    entropy_q: float
    cross_pq: float
    cross_qp: float
    y: np.ndarray
    density_p: np.ndarray
    density_q: np.ndarray
    integrand_pq: np.ndarray
    integrand_qp: np.ndarray
    integral_pq: float
    integral_qp: float


def _log_normal(y: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    return -0.5 * ((y - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * losses.LOG_2PI


def compare_gaussians(
    mu1: float, s1: float, mu2: float, s2: float, size: int = 301
) -> GaussianComparison:
    """KL both ways between two normals, their entropies and cross-entropies, and the curves."""
    kl_pq, kl_qp = losses.kl_gaussians(mu1, s1, mu2, s2), losses.kl_gaussians(mu2, s2, mu1, s1)
    lo, hi = min(mu1 - 4 * s1, mu2 - 4 * s2), max(mu1 + 4 * s1, mu2 + 4 * s2)

    def curves(y):
        lp, lq = _log_normal(y, mu1, s1), _log_normal(y, mu2, s2)
        p, q = np.exp(lp), np.exp(lq)
        return p, q, p * (lp - lq), q * (lq - lp)

    y = np.linspace(lo, hi, size)
    p, q, ipq, iqp = curves(y)
    # The check integrates over +-12 standard deviations of both, finely enough for ~1e-8.
    wide_lo, wide_hi = min(mu1 - 12 * s1, mu2 - 12 * s2), max(mu1 + 12 * s1, mu2 + 12 * s2)
    step = min(s1, s2) / 200.0
    fine = np.linspace(wide_lo, wide_hi, int(min(2e5, (wide_hi - wide_lo) / step)) + 1)
    _, _, fpq, fqp = curves(fine)
    h_p, h_q = losses.gaussian_entropy(s1), losses.gaussian_entropy(s2)
    return GaussianComparison(
        kl_pq=kl_pq,
        kl_qp=kl_qp,
        entropy_p=h_p,
        entropy_q=h_q,
        cross_pq=h_p + kl_pq,
        cross_qp=h_q + kl_qp,
        y=y,
        density_p=p,
        density_q=q,
        integrand_pq=ipq,
        integrand_qp=iqp,
        integral_pq=float(np.trapezoid(fpq, fine)),
        integral_qp=float(np.trapezoid(fqp, fine)),
    )


@dataclass(frozen=True)
class EmpiricalView:
    """NLL and KL from the empirical distribution over a grid of ``(mu, sigma)``.

    Attributes
    ----------
    sample : ndarray, shape (I,)
    mu, sigma : ndarray, shapes (M,) and (S,)
        The grid; surfaces are ``[row sigma][column mu]``, shape (S, M).
    nll : ndarray, shape (S, M)
        ``-sum_i log N(y_i | mu, sigma^2)``.
    cross_entropy : ndarray, shape (S, M)
        ``H[p_emp, q] = NLL / I`` (KL from the deltas minus its infinite constant).
    kl_histogram : ndarray, shape (S, M)
        ``KL[p_h || q]`` with the histogram below (finite, >= 0).
    edges : ndarray, shape (B + 1,); weights : ndarray, shape (B,)
        The histogram: bin edges and the fraction of the sample in each bin.
    entropy_histogram : float
        ``H[p_h]``, differential entropy in nats.
    mle : (float, float)
        The closed-form MLE: sample mean and RMS deviation (divide by I).
    histogram_minimiser : (float, float)
        Where ``KL[p_h || q]`` is smallest: the histogram's mean and
        ``sqrt(variance of the centres + h^2 / 12)``.
    grid_nll_minimiser, grid_kl_minimiser : (float, float)
        The grid points with the smallest NLL and KL.
    """

    sample: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    nll: np.ndarray
    cross_entropy: np.ndarray
    kl_histogram: np.ndarray
    edges: np.ndarray
    weights: np.ndarray
    entropy_histogram: float
    mle: tuple[float, float]
    histogram_minimiser: tuple[float, float]
    grid_nll_minimiser: tuple[float, float]
    grid_kl_minimiser: tuple[float, float]


def gaussian_nll_surface(sample: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``-sum_i log N(y_i | mu, sigma^2)`` on the grid, shape (S, M), from the sample's moments.

    ``sum_i (y_i - mu)^2 = I ((mean - mu)^2 + var)``, so the cost does not grow with I.
    """
    size, mean, var = sample.size, sample.mean(), sample.var()
    ss = size * ((mean - mu[None, :]) ** 2 + var)  # (1, M)
    s = sigma[:, None]  # (S, 1)
    return ss / (2 * s**2) + size * (np.log(s) + 0.5 * losses.LOG_2PI)


def empirical_vs_model(
    sample: np.ndarray,
    mu_range: tuple[float, float],
    sigma_range: tuple[float, float],
    grid_size: int = 60,
    bins: int = 12,
) -> EmpiricalView:
    """The NLL of the sample and KL[empirical || N(mu, sigma^2)] share their minimiser."""
    y = np.asarray(sample, dtype=float).reshape(-1)
    if y.size < 2 or not np.all(np.isfinite(y)) or np.ptp(y) == 0:
        raise DomainError("the sample needs at least two different finite values")
    if not (mu_range[0] < mu_range[1] and 0 < sigma_range[0] < sigma_range[1]):
        raise DomainError("each range needs min < max, and sigma must stay > 0")
    if bins < 1:
        raise DomainError(f"the histogram needs at least 1 bin, got {bins}")
    mu = np.linspace(*mu_range, grid_size)  # (M,)
    sigma = np.linspace(*sigma_range, grid_size)  # (S,)
    nll = gaussian_nll_surface(y, mu, sigma)  # (S, M)
    counts, edges = np.histogram(y, bins=bins)
    width = edges[1] - edges[0]
    weights = counts / y.size  # (B,)
    centres = 0.5 * (edges[:-1] + edges[1:])
    entropy_h = float(-np.sum(weights[weights > 0] * np.log(weights[weights > 0] / width)))
    spread = (weights[None, :] * (centres[None, :] - mu[:, None]) ** 2).sum(axis=1)  # (M,)
    s = sigma[:, None]  # (S, 1)
    kl = (
        -entropy_h
        + np.log(s)
        + 0.5 * losses.LOG_2PI
        + (spread[None, :] + width**2 / 12.0) / (2 * s**2)
    )
    h_mean = float((weights * centres).sum())
    h_sigma = float(np.sqrt((weights * (centres - h_mean) ** 2).sum() + width**2 / 12.0))

    def argmin(surface):
        row, col = np.unravel_index(np.argmin(surface), surface.shape)
        return float(mu[col]), float(sigma[row])

    return EmpiricalView(
        sample=y,
        mu=mu,
        sigma=sigma,
        nll=nll,
        cross_entropy=nll / y.size,
        kl_histogram=np.maximum(kl, 0.0),
        edges=edges,
        weights=weights,
        entropy_histogram=entropy_h,
        mle=(float(y.mean()), float(y.std())),
        histogram_minimiser=(h_mean, h_sigma),
        grid_nll_minimiser=argmin(nll),
        grid_kl_minimiser=argmin(kl),
    )

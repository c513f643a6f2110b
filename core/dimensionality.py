"""Fixed bases in many dimensions: coefficient counts and where a Gaussian's mass lies.

A full polynomial of degree M in D inputs has one coefficient per monomial
x_1^{a_1} ... x_D^{a_D} with a_1 + ... + a_D <= M, which is C(M + D, D); a shallow network with
n hidden units and one output has (D + 1) n + n + 1 parameters.

For x ~ N(0, sigma^2 I_D) the radius r = |x| has density
p(r) = S_D r^{D-1} exp(-r^2 / (2 sigma^2)) / (2 pi sigma^2)^{D/2}, which peaks at
sigma sqrt(D - 1) ~ sigma sqrt(D): in high dimension the mass sits in a thin shell far from
the centre.

Reference: course notes ch. 3 (fixed basis functions, polynomial case; curse of
dimensionality); Prince, *Understanding Deep Learning*, ch. 3 and 8.4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.errors import DomainError


# ------------------------------------------------------------------- counting coefficients
def polynomial_coefficient_count(n_inputs: np.ndarray, degree: int) -> np.ndarray:
    """Monomials of total degree <= M in D variables: C(M + D, D).

    Parameters
    ----------
    n_inputs : ndarray of int, shape (K,)
        Input dimensions D.
    degree : int
        Polynomial degree M.

    Returns
    -------
    ndarray of int64, shape (K,)
    """
    d = np.asarray(n_inputs, dtype=np.int64)
    if degree < 0:
        raise DomainError(f"the polynomial degree must be at least 0, got {degree}")
    if d.size and d.min() < 1:
        raise DomainError(f"the input dimension must be at least 1, got {int(d.min())}")
    if d.size and math.comb(degree + int(d.max()), degree) * (degree + int(d.max())) >= 2**62:
        raise DomainError(
            f"C(M + D, D) for M = {degree}, D = {int(d.max())} is too large to count exactly here"
        )
    # C(M + D, D) = C(M + D, M) = prod_{j=1}^{M} (D + j) / j, exact in integers step by step.
    count = np.ones_like(d)
    for j in range(1, degree + 1):  # loop over the degree, vectorised over D
        count = count * (d + j) // j
    return count


def shallow_net_parameter_count(n_inputs: np.ndarray, n_hidden: int) -> np.ndarray:
    """Parameters of a shallow net with D inputs, n hidden units, one output: (D + 1) n + n + 1.

    Returns
    -------
    ndarray of int64, shape (K,)
    """
    if n_hidden < 1:
        raise DomainError(f"the network needs at least 1 hidden unit, got {n_hidden}")
    d = np.asarray(n_inputs, dtype=np.int64)
    return (d + 1) * n_hidden + n_hidden + 1


# ------------------------------------------------------------------- curse of dimensionality
def radial_density(r: np.ndarray, n_inputs: int, sigma: float) -> np.ndarray:
    r"""Density of r = |x| for x ~ N(0, sigma^2 I_D).

    .. math::
        p(r) = \frac{S_D\, r^{D-1}}{(2\pi\sigma^2)^{D/2}} e^{-r^2/(2\sigma^2)},\qquad
        S_D = \frac{2\pi^{D/2}}{\Gamma(D/2)},

    evaluated in log space so large D neither overflows nor underflows early. Its mode is at
    r* = sigma sqrt(D - 1), close to sigma sqrt(D) for large D, and
    log p(r* + e) = log p(r*) - e^2 / sigma^2 + O(e^3): the shell is about sigma wide for every D.
    (The course notes quote exp(-3 e^2 / (2 sigma^2)); the second derivative of log p at r* is
    -(D - 1)/r*^2 - 1/sigma^2 = -2/sigma^2, which gives exp(-e^2 / sigma^2).)

    Returns
    -------
    ndarray, shape like r
    """
    if n_inputs < 1:
        raise DomainError(f"the dimension D must be at least 1, got {n_inputs}")
    if sigma <= 0:
        raise DomainError(f"sigma must be positive, got {sigma}")
    r = np.asarray(r, dtype=float)
    if np.any(r < 0):
        raise DomainError("the radius r must be at least 0")
    d = n_inputs
    log_norm = math.log(2.0) + 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d)
    log_norm -= 0.5 * d * math.log(2.0 * math.pi * sigma**2)
    with np.errstate(divide="ignore"):
        log_r = np.log(r)
    log_p = log_norm + (d - 1) * np.where(r > 0, log_r, 0.0) - r**2 / (2.0 * sigma**2)
    p = np.exp(log_p)
    if d > 1:
        p = np.where(r > 0, p, 0.0)
    return p


def radial_mode(n_inputs: int, sigma: float) -> float:
    """Exact mode sigma sqrt(D - 1) of p(r) (0 for D = 1)."""
    return sigma * math.sqrt(max(n_inputs - 1, 0))


@dataclass(frozen=True)
class CoefficientCounts:
    """Coefficients of a full polynomial against parameters of a shallow net, per dimension.

    Attributes
    ----------
    n_inputs : ndarray of int64, shape (K,)
        D = 1..max_inputs.
    polynomial : ndarray of int64, shape (K,)
        C(M + D, D).
    network : ndarray of int64, shape (K,)
        (D + 2) n + 1.
    """

    n_inputs: np.ndarray
    polynomial: np.ndarray
    network: np.ndarray


def coefficient_counts(max_inputs: int, degree: int, n_hidden: int) -> CoefficientCounts:
    """Both counts for D = 1..max_inputs (see the two count functions)."""
    if max_inputs < 1:
        raise DomainError(f"the largest dimension must be at least 1, got {max_inputs}")
    d = np.arange(1, max_inputs + 1, dtype=np.int64)
    return CoefficientCounts(
        d, polynomial_coefficient_count(d, degree), shallow_net_parameter_count(d, n_hidden)
    )


@dataclass(frozen=True)
class RadialPanel:
    """Analytic radial densities for several D, each checked against sampled points.

    Attributes
    ----------
    n_inputs : ndarray of int, shape (K,)
    r : ndarray, shape (R,)
        Radii at which p(r) is evaluated, from 0 to r_max.
    density : ndarray, shape (K, R)
        p(r) for each D.
    modes : ndarray, shape (K,)
        sigma sqrt(D - 1).
    bin_edges : ndarray, shape (B + 1,)
        Common histogram bins over [0, r_max].
    histogram : ndarray, shape (K, B)
        Density histogram of |x| for ``n_samples`` draws x ~ N(0, sigma^2 I_D):
        counts / (n_samples * bin width).
    """

    n_inputs: np.ndarray
    r: np.ndarray
    density: np.ndarray
    modes: np.ndarray
    bin_edges: np.ndarray
    histogram: np.ndarray


def radial_panel(
    n_inputs: np.ndarray,
    sigma: float,
    n_samples: int,
    n_bins: int,
    rng: np.random.Generator,
    n_r: int = 400,
) -> RadialPanel:
    """p(r) on a common grid for each D, with a histogram of the norms of sampled Gaussians."""
    dims = np.asarray(n_inputs, dtype=int)
    if dims.size == 0:
        raise DomainError("choose at least one dimension D")
    if n_samples < 1 or n_bins < 1:
        raise DomainError(f"need at least 1 sample and 1 bin, got {n_samples} and {n_bins}")
    r_max = sigma * (math.sqrt(int(dims.max())) + 4.0)
    r = np.linspace(0.0, r_max, n_r)
    density = np.stack([radial_density(r, int(d), sigma) for d in dims])  # (K, R)
    edges = np.linspace(0.0, r_max, n_bins + 1)
    width = edges[1] - edges[0]
    histogram = np.empty((dims.size, n_bins))
    for k, d in enumerate(dims):  # one batch of samples per dimension
        norms = np.linalg.norm(sigma * rng.standard_normal((n_samples, int(d))), axis=1)
        histogram[k] = np.histogram(norms, bins=edges)[0] / (n_samples * width)
    modes = np.array([radial_mode(int(d), sigma) for d in dims])
    return RadialPanel(dims, r, density, modes, edges, histogram)

"""Fixed bases for one input: Legendre polynomials and piecewise-linear hat functions.

Polynomials of degree M are fitted in the Legendre basis P_0..P_M on the domain mapped to
[-1, 1]: the same functions as 1, x, ..., x^M, but the design matrix stays well conditioned
on equally spaced samples (condition number below 15 for every degree M <= sqrt(8 I) that the
lab allows), so the normal equations are safe.

Continuous piecewise-linear functions with knots t_0 < ... < t_m are fitted in the hat basis
(1 at one knot, 0 at the others). A shallow ReLU net with joints t_0..t_{m-1} draws exactly
these functions on [t_0, t_m], so this is a fast, well-conditioned way to find its
least-squares output weights.

Reference: course notes ch. 3 (fixed basis functions, polynomial case); Prince,
*Understanding Deep Learning*, ch. 3.
"""

from __future__ import annotations

import math

import numpy as np

from core.errors import DomainError


def polynomial_design(x: np.ndarray, degree: int, x_min: float, x_max: float) -> np.ndarray:
    """Legendre design matrix [P_0(u), ..., P_M(u)] with u = 2 (x - x_min)/(x_max - x_min) - 1.

    Returns
    -------
    ndarray, shape (I, degree + 1)
    """
    if degree < 0:
        raise DomainError(f"the polynomial degree must be at least 0, got {degree}")
    if not x_max > x_min:
        raise DomainError(f"the domain must have x_max > x_min, got [{x_min}, {x_max}]")
    u = 2.0 * (np.asarray(x, dtype=float) - x_min) / (x_max - x_min) - 1.0
    return np.polynomial.legendre.legvander(u, degree)  # (I, degree + 1)


def fit_polynomial(
    x: np.ndarray, y: np.ndarray, degree: int, x_min: float, x_max: float
) -> np.ndarray:
    """Least-squares Legendre coefficients w_0..w_M of a degree-M polynomial.

    Solves the normal equations V^T V w = V^T y. In the Legendre basis on equally spaced
    samples V stays well conditioned (condition number below 15 for every M <= sqrt(8 I)
    the lab allows), so this loses nothing against an SVD solver and costs far less.

    Returns
    -------
    ndarray, shape (degree + 1,)
    """
    x = np.asarray(x, dtype=float)
    if x.size < degree + 1:
        raise DomainError(
            f"a polynomial of degree {degree} needs at least {degree + 1} samples, got {x.size}"
        )
    design = polynomial_design(x, degree, x_min, x_max)  # (I, degree + 1)
    return np.linalg.solve(design.T @ design, design.T @ np.asarray(y, dtype=float))


def evaluate_polynomial(
    x: np.ndarray, coefficients: np.ndarray, x_min: float, x_max: float
) -> np.ndarray:
    """Value of sum_m w_m P_m(u) at each x.  Shapes: (I,) -> (I,)."""
    return polynomial_design(x, coefficients.size - 1, x_min, x_max) @ coefficients


def fit_piecewise_linear(x: np.ndarray, y: np.ndarray, knots: np.ndarray) -> np.ndarray:
    r"""Least-squares continuous piecewise-linear fit, in the hat-function basis.

    The functions that are linear between consecutive knots t_0 < ... < t_m are spanned by
    hat functions (1 at t_j, 0 at the other knots). A shallow ReLU net with joints at
    t_0..t_{m-1} spans the same functions on [t_0, t_m], so both least-squares problems have
    the same fitted curve; in the hat basis each sample touches only two coefficients, and
    the normal equations are tridiagonal and well conditioned. The error sweep uses this to
    fit hundreds of units in milliseconds.

    Parameters
    ----------
    x : ndarray, shape (I,)
        Inputs, all inside [t_0, t_m].
    y : ndarray, shape (I,)
    knots : ndarray, shape (m + 1,)
        Increasing knots; every interval [t_j, t_{j+1}] must hold at least one input.

    Returns
    -------
    ndarray, shape (m + 1,)
        Values of the fitted curve at the knots (evaluate with ``np.interp``).
    """
    knots = np.asarray(knots, dtype=float)
    x = np.asarray(x, dtype=float)
    if knots.size < 2 or np.any(np.diff(knots) <= 0):
        raise DomainError("knots must be at least 2 increasing numbers")
    if x.min() < knots[0] or x.max() > knots[-1]:
        raise DomainError("every input must lie between the first and the last knot")
    m = knots.size - 1
    segment = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, m - 1)  # (I,)
    if np.count_nonzero(np.bincount(segment, minlength=m)) < m:
        raise DomainError("every interval between knots needs at least one sample")
    right = (x - knots[segment]) / (knots[segment + 1] - knots[segment])  # weight of hat j+1
    left = 1.0 - right  # weight of hat j
    n = m + 1
    diagonal = np.bincount(segment, left**2, n) + np.bincount(segment + 1, right**2, n)
    off = np.bincount(segment, left * right, m)  # (m,): entries (j, j+1)
    rhs = np.bincount(segment, left * y, n) + np.bincount(segment + 1, right * y, n)
    return _solve_tridiagonal(off, diagonal, off, rhs)


def _solve_tridiagonal(
    lower: np.ndarray, diagonal: np.ndarray, upper: np.ndarray, rhs: np.ndarray
) -> np.ndarray:
    """Thomas algorithm for a symmetric positive definite tridiagonal system.

    Elimination without pivoting is stable for such matrices (the hat-basis normal matrix is
    one whenever every interval holds a sample).

    Sequential over the unknowns by nature (each depends on the previous); m is at most a few
    hundred here.
    """
    n = diagonal.size
    c = np.zeros(n)
    d = np.zeros(n)
    c[0] = upper[0] / diagonal[0] if n > 1 else 0.0
    d[0] = rhs[0] / diagonal[0]
    for i in range(1, n):
        denominator = diagonal[i] - lower[i - 1] * c[i - 1]
        c[i] = upper[i] / denominator if i < n - 1 else 0.0
        d[i] = (rhs[i] - lower[i - 1] * d[i - 1]) / denominator
    solution = np.empty(n)
    solution[-1] = d[-1]
    for i in range(n - 2, -1, -1):
        solution[i] = d[i] - c[i] * solution[i + 1]
    return solution


def knot_values_to_phi(knots: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Output weights of the ReLU net (joints at t_0..t_{m-1}, slope 1) for a hat-basis curve.

    At t_0 every unit is off, so phi_0 = v_0; the first unit carries the first slope s_0, and
    each later unit k adds the change of slope s_k - s_{k-1} at its joint.

    Returns
    -------
    ndarray, shape (m + 1,)
    """
    slopes = np.diff(values) / np.diff(knots)  # (m,)
    return np.concatenate([[values[0], slopes[0]], np.diff(slopes)])


def max_stable_degree(n_samples: int) -> int:
    """Largest degree M allowed for I equally spaced samples: M <= sqrt(8 I) and M < I.

    Least squares on equally spaced points is only stable for M up to about the square
    root of I; beyond it the polynomial passes near the samples but swings wildly between
    them (the Runge phenomenon). sqrt(8 I) is a measured safe margin for the targets here,
    and M + 1 coefficients need at least M + 1 samples.
    """
    return min(int(math.isqrt(8 * n_samples)), n_samples - 1)

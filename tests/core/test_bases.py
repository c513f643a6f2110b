"""Legendre polynomial fits and hat-basis piecewise-linear fits.

Oracles: Bonnet's recursion for the Legendre polynomials, numpy's power-basis
Polynomial.fit, the SVD least-squares solver, a dense solve for the tridiagonal system, and
least squares on the ReLU features (same function space as the hat basis).
"""

import numpy as np
import pytest

from core.approximation import fit_output_weights, joints_to_theta, shallow_net
from core.bases import (
    _solve_tridiagonal,
    evaluate_polynomial,
    fit_piecewise_linear,
    fit_polynomial,
    knot_values_to_phi,
    polynomial_design,
)


# ------------------------------------------------------------------------- polynomials
def legendre_loop(u, degree):
    """Bonnet's recursion (m + 1) P_{m+1} = (2m + 1) u P_m - m P_{m-1}, one u at a time."""
    rows = []
    for v in u:
        p = [1.0, v]
        for m in range(1, degree):
            p.append(((2 * m + 1) * v * p[m] - m * p[m - 1]) / (m + 1))
        rows.append(p[: degree + 1])
    return np.array(rows)


def test_legendre_design_matches_the_recursion_on_the_mapped_domain():
    x = np.linspace(2.0, 6.0, 9)
    u = (x - 2.0) / 2.0 - 1.0
    np.testing.assert_allclose(polynomial_design(x, 6, 2.0, 6.0), legendre_loop(u, 6), atol=1e-12)


def test_polynomial_fit_reproduces_a_cubic_and_matches_a_power_basis_fit():
    x = np.linspace(-2, 3, 40)
    cubic = 1 - 2 * x + 0.5 * x**3
    w = fit_polynomial(x, cubic, 3, -2.0, 3.0)
    np.testing.assert_allclose(evaluate_polynomial(x, w, -2.0, 3.0), cubic, atol=1e-10)

    y = np.exp(np.sin(2 * x))
    power = np.polynomial.Polynomial.fit(x, y, 7)  # independent basis and solver
    w = fit_polynomial(x, y, 7, -2.0, 3.0)
    np.testing.assert_allclose(evaluate_polynomial(x, w, -2.0, 3.0), power(x), atol=1e-8)


def test_polynomial_degree_must_be_non_negative():
    with pytest.raises(ValueError, match="degree must be at least 0, got -1"):
        polynomial_design(np.linspace(-1, 1, 5), -1, -1.0, 1.0)


@pytest.mark.parametrize(
    "knots", [[-1.0, 1.0], [-1.0, -0.2, 0.5, 1.0], list(np.linspace(-1, 1, 30))]
)
def test_hat_basis_fit_is_the_relu_least_squares_fit(knots):
    knots = np.array(knots)
    x = np.linspace(-1, 1, 97)
    y = np.cos(4 * x) + (x > 0.1)
    values = fit_piecewise_linear(x, y, knots)
    theta = joints_to_theta(knots[:-1])
    phi = fit_output_weights(x, y, theta)  # oracle: SVD least squares on the ReLU features
    np.testing.assert_allclose(np.interp(x, knots, values), shallow_net(x, theta, phi), atol=1e-9)
    np.testing.assert_allclose(knot_values_to_phi(knots, values), phi, atol=1e-8)


def test_tridiagonal_solver_matches_a_dense_solve():
    rng = np.random.default_rng(0)
    off = rng.uniform(0.1, 1.0, 9)
    diagonal = rng.uniform(2.5, 3.0, 10)
    rhs = rng.normal(size=10)
    dense = np.diag(diagonal) + np.diag(off, 1) + np.diag(off, -1)
    np.testing.assert_allclose(
        _solve_tridiagonal(off, diagonal, off, rhs), np.linalg.solve(dense, rhs), atol=1e-12
    )


@pytest.mark.parametrize(
    ("x", "knots", "message"),
    [
        ([0.0, 0.5], [0.0, 0.0, 1.0], "increasing"),
        ([0.0, 1.5], [0.0, 1.0], "between the first and the last knot"),
        ([0.0, 0.1], [0.0, 0.5, 1.0], "at least one sample"),
    ],
)
def test_hat_basis_fit_rejects_bad_knots(x, knots, message):
    with pytest.raises(ValueError, match=message):
        fit_piecewise_linear(np.array(x), np.zeros(len(x)), np.array(knots))


@pytest.mark.parametrize(("n_samples", "degree"), [(9, 8), (200, 40), (1000, 64), (50, 20)])
def test_polynomial_normal_equations_match_the_svd_solver(n_samples, degree):
    x = np.linspace(-3.0, 2.0, n_samples)
    y = np.abs(x) + np.sin(5 * x)
    design = polynomial_design(x, degree, -3.0, 2.0)
    expected, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(fit_polynomial(x, y, degree, -3.0, 2.0), expected, atol=1e-9)

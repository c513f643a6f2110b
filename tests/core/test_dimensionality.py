"""Coefficient counts and the Gaussian radial density.

Oracles: itertools enumeration of monomials, math.comb, closed-form chi densities (half-normal,
Rayleigh, Maxwell), numerical integration, and histograms of sampled Gaussian points.
"""

import itertools
import math

import numpy as np
import pytest

from core.approximation import joints_to_theta
from core.dimensionality import (
    coefficient_counts,
    polynomial_coefficient_count,
    radial_density,
    radial_mode,
    radial_panel,
    shallow_net_parameter_count,
)


# ------------------------------------------------------------------------- counting
def brute_force_monomials(n_inputs, degree):
    """Count monomials x_1^a_1 ... x_D^a_D with a_1 + ... + a_D <= M by listing them."""
    return sum(
        1
        for total in range(degree + 1)
        for _ in itertools.combinations_with_replacement(range(n_inputs), total)
    )


@pytest.mark.parametrize(("n_inputs", "degree"), list(itertools.product(range(1, 6), range(0, 6))))
def test_coefficient_count_matches_enumeration(n_inputs, degree):
    count = polynomial_coefficient_count(np.array([n_inputs]), degree)[0]
    assert count == brute_force_monomials(n_inputs, degree)


def test_coefficient_count_is_exact_for_large_dimensions():
    d = np.arange(1, 101)
    expected = [math.comb(10 + int(k), int(k)) for k in d]
    np.testing.assert_array_equal(polynomial_coefficient_count(d, 10), expected)


def test_shallow_net_parameter_count_matches_the_notes_and_the_arrays():
    assert shallow_net_parameter_count(np.array([2]), 3)[0] == 13  # notes' example
    theta, phi = joints_to_theta(np.zeros(7)), np.zeros(8)
    assert shallow_net_parameter_count(np.array([1]), 7)[0] == theta.size + phi.size


@pytest.mark.parametrize(
    ("fn", "args", "message"),
    [
        (
            polynomial_coefficient_count,
            (np.array([0, 2]), 3),
            "dimension must be at least 1, got 0",
        ),
        (polynomial_coefficient_count, (np.array([2]), -1), "degree must be at least 0"),
        (shallow_net_parameter_count, (np.array([2]), 0), "at least 1 hidden unit"),
    ],
)
def test_counts_reject_bad_arguments(fn, args, message):
    with pytest.raises(ValueError, match=message):
        fn(*args)


# ------------------------------------------------------------------------- radial density
CLOSED_FORMS = {
    1: lambda r, s: 2 * np.exp(-(r**2) / (2 * s**2)) / (s * np.sqrt(2 * np.pi)),  # half-normal
    2: lambda r, s: r / s**2 * np.exp(-(r**2) / (2 * s**2)),  # Rayleigh
    3: lambda r, s: np.sqrt(2 / np.pi) * r**2 / s**3 * np.exp(-(r**2) / (2 * s**2)),  # Maxwell
}


@pytest.mark.parametrize("n_inputs", [1, 2, 3])
def test_radial_density_matches_closed_forms(n_inputs):
    r = np.linspace(0, 5, 51)
    np.testing.assert_allclose(
        radial_density(r, n_inputs, 1.3), CLOSED_FORMS[n_inputs](r, 1.3), rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize("n_inputs", [1, 2, 5, 20, 100, 1000])
def test_radial_density_integrates_to_one_and_peaks_at_sigma_sqrt_d_minus_1(n_inputs):
    sigma = 0.7
    r = np.linspace(0, sigma * (np.sqrt(n_inputs) + 10), 20001)
    p = radial_density(r, n_inputs, sigma)
    assert np.all(np.isfinite(p))
    assert np.trapezoid(p, r) == pytest.approx(1.0, abs=1e-6)
    assert r[np.argmax(p)] == pytest.approx(radial_mode(n_inputs, sigma), abs=2 * (r[1] - r[0]))


@pytest.mark.parametrize("n_inputs", [1, 3, 10, 50])
def test_radial_density_matches_a_histogram_of_sampled_norms(n_inputs):
    sigma = 2.0
    rng = np.random.default_rng(n_inputs)
    radii = np.linalg.norm(sigma * rng.standard_normal((100_000, n_inputs)), axis=1)
    counts, edges = np.histogram(radii, bins=40)
    width = edges[1] - edges[0]
    # Expected share of each bin by integrating the formula over the bin (midpoint rule x 20).
    fine = np.linspace(edges[0], edges[-1], 40 * 20 + 1)
    mids = 0.5 * (fine[1:] + fine[:-1])
    share = (radial_density(mids, n_inputs, sigma) * (fine[1] - fine[0])).reshape(40, 20).sum(1)
    expected = share * radii.size
    # Poisson noise: 5 standard deviations plus a little slack for the discretisation.
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected) + 5), width


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1.0, 0, 1.0), "D must be at least 1"),
        ((1.0, 2, 0.0), "sigma must be positive"),
        ((-1.0, 2, 1.0), "radius r must be at least 0"),
    ],
)
def test_radial_density_rejects_bad_arguments(args, message):
    r, d, s = args
    with pytest.raises(ValueError, match=message):
        radial_density(np.array([r]), d, s)


def test_coefficient_counts_cover_every_dimension():
    counts = coefficient_counts(6, 3, 10)
    np.testing.assert_array_equal(counts.n_inputs, np.arange(1, 7))
    np.testing.assert_array_equal(counts.polynomial, [math.comb(3 + d, d) for d in range(1, 7)])
    np.testing.assert_array_equal(counts.network, [(d + 2) * 10 + 1 for d in range(1, 7)])
    with pytest.raises(ValueError, match="largest dimension must be at least 1, got 0"):
        coefficient_counts(0, 3, 10)


def test_radial_panel_histograms_follow_the_formula_and_the_seed():
    dims = np.array([1, 10, 100])
    panel = radial_panel(dims, 1.5, 20_000, 50, np.random.default_rng(0))
    again = radial_panel(dims, 1.5, 20_000, 50, np.random.default_rng(0))
    np.testing.assert_array_equal(panel.histogram, again.histogram)
    width = panel.bin_edges[1] - panel.bin_edges[0]
    np.testing.assert_allclose(panel.histogram.sum(axis=1) * width, 1.0, atol=1e-3)
    mids = 0.5 * (panel.bin_edges[1:] + panel.bin_edges[:-1])
    for k, d in enumerate(dims):
        # Bin averages of a smooth density differ from mid-bin values by O(width^2).
        expected = radial_density(mids, int(d), 1.5)
        assert np.abs(panel.histogram[k] - expected).max() < 0.1 * expected.max()
        mean_radius = np.sum(mids * panel.histogram[k]) * width
        exact_mean = math.sqrt(2) * 1.5 * math.exp(math.lgamma((d + 1) / 2) - math.lgamma(d / 2))
        assert mean_radius == pytest.approx(exact_mean, rel=0.02)
    np.testing.assert_allclose(panel.modes, 1.5 * np.sqrt(dims - 1))
    with pytest.raises(ValueError, match="at least one dimension"):
        radial_panel(np.array([], dtype=int), 1.0, 10, 10, np.random.default_rng(0))


def test_coefficient_count_refuses_numbers_it_cannot_hold_exactly():
    with pytest.raises(ValueError, match="too large to count exactly"):
        polynomial_coefficient_count(np.array([1000]), 30)


@pytest.mark.parametrize("n_inputs", [10, 100, 1000])
def test_shell_width_near_the_peak_is_sigma_whatever_the_dimension(n_inputs):
    # log p(r* + e) = log p(r*) - e^2 / sigma^2 + O(e^3): second derivative -2 / sigma^2.
    sigma, h = 1.7, 1e-3
    mode = radial_mode(n_inputs, sigma)
    log_p = np.log(radial_density(np.array([mode - h, mode, mode + h]), n_inputs, sigma))
    curvature = (log_p[0] - 2 * log_p[1] + log_p[2]) / h**2
    assert curvature == pytest.approx(-2 / sigma**2, rel=1e-4)

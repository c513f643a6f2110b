"""Softmax, divergences and the empirical-KL view against loops, integrals and grids."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core import likelihood_info as li
from core import losses
from core.errors import DomainError


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1000, 1000), min_size=2, max_size=8),
    st.floats(-1000, 1000),
    st.floats(0.01, 100),
)
@example([0.0, 13.6, -717.3], 0.0, 1.0)  # a subnormal probability (about 1e-318)
def test_softmax_shift_changes_nothing_and_stays_finite(logits, shift, temperature):
    view = li.explore_softmax(np.array(logits), shift, temperature)
    assert np.all(np.isfinite(view.probabilities)) and view.probabilities.sum() == pytest.approx(1)
    assert view.max_difference < 1e-9
    np.testing.assert_allclose(
        # atol: a subnormal probability carries only a few significant digits.
        view.exponentials / view.exponentials.sum(),
        view.probabilities,
        rtol=1e-12,
        atol=1e-300,
    )
    assert np.isfinite(view.log_sum_exp)


def test_softmax_against_the_naive_formula_and_temperature_limits():
    z = np.array([1.0, 2.5, -0.3])
    view = li.explore_softmax(z, 0.0, 2.0)
    naive = np.exp(z / 2) / np.exp(z / 2).sum()
    np.testing.assert_allclose(view.probabilities, naive, rtol=1e-12)
    assert view.log_sum_exp == pytest.approx(np.log(np.exp(z / 2).sum()))
    np.testing.assert_allclose(view.sweep[:, 0], [0, 1, 0], atol=1e-30)  # T = 0.01: one-hot
    np.testing.assert_allclose(view.sweep[:, -1], 1 / 3, atol=0.02)  # T = 100: near uniform
    assert view.entropy == pytest.approx(-(naive * np.log(naive)).sum())
    huge = li.explore_softmax(np.array([1000.0, -1000.0]), 0, 1)
    np.testing.assert_array_equal(huge.probabilities, [1.0, 0.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1), min_size=2, max_size=6), st.data())
def test_discrete_comparison_identities(raw_p, data):
    raw_q = data.draw(st.lists(st.floats(0.01, 1), min_size=len(raw_p), max_size=len(raw_p)))
    c = li.compare_discrete(np.array(raw_p), np.array(raw_q), normalise_weights=True)
    assert c.kl_pq >= 0 and c.kl_qp >= 0
    assert c.cross_pq == pytest.approx(c.entropy_p + c.kl_pq, abs=1e-12)
    assert c.cross_qp == pytest.approx(c.entropy_q + c.kl_qp, abs=1e-12)
    assert c.terms_pq.sum() == pytest.approx(c.kl_pq, abs=1e-12)
    loop = sum(p * np.log(p / q) for p, q in zip(c.p, c.q, strict=True))
    assert c.kl_pq == pytest.approx(loop, abs=1e-12)


def test_discrete_kl_is_zero_only_for_equal_distributions_and_can_be_infinite():
    same = li.compare_discrete([0.2, 0.8], [0.2, 0.8])
    assert same.kl_pq == pytest.approx(0, abs=1e-15) and same.kl_qp == pytest.approx(0, abs=1e-15)
    one_sided = li.compare_discrete([0.5, 0.5, 0.0], [0.25, 0.25, 0.5])
    assert one_sided.kl_pq == pytest.approx(np.log(2)) and one_sided.kl_qp == np.inf
    assert one_sided.cross_qp == np.inf
    with pytest.raises(DomainError, match="sum to 1"):
        li.compare_discrete([1, 1], [0.5, 0.5])
    with pytest.raises(DomainError, match="not all 0"):
        li.compare_discrete([0, 0], [1, 1], normalise_weights=True)


@pytest.mark.parametrize(
    ("mu1", "s1", "mu2", "s2"), [(0, 1, 0, 1), (0.5, 0.7, -1, 2), (2, 3, 1, 0.5), (0, 0.05, 3, 4)]
)
def test_gaussian_comparison_closed_form_matches_its_integrals(mu1, s1, mu2, s2):
    c = li.compare_gaussians(mu1, s1, mu2, s2)
    assert c.integral_pq == pytest.approx(c.kl_pq, abs=1e-7)
    assert c.integral_qp == pytest.approx(c.kl_qp, abs=1e-7)
    assert c.cross_pq == pytest.approx(c.entropy_p + c.kl_pq)
    # An independent cross-entropy: -integral p log q on a fine grid.
    y = np.linspace(min(mu1, mu2) - 15 * max(s1, s2), max(mu1, mu2) + 15 * max(s1, s2), 400_001)
    p = losses.normal_density(y, mu1, s1)
    log_q = -0.5 * ((y - mu2) / s2) ** 2 - np.log(np.sqrt(2 * np.pi) * s2)
    assert c.cross_pq == pytest.approx(-np.trapezoid(p * log_q, y), abs=1e-6)
    np.testing.assert_allclose(
        c.density_p, losses.normal_density(c.y, mu1, s1), rtol=1e-12, atol=1e-300
    )


def sample(n=80, seed=0):
    return np.random.default_rng(seed).normal(1.0, 0.7, size=n)


def test_nll_surface_against_a_loop_and_cross_entropy_is_nll_over_i():
    y = sample(20)
    view = li.empirical_vs_model(y, (0, 2), (0.3, 1.5), grid_size=7, bins=5)
    for row, s in enumerate(view.sigma):
        for col, m in enumerate(view.mu):
            nll = losses.gaussian_nll(np.full((1, y.size), m), y, s).total
            assert view.nll[row, col] == pytest.approx(nll, rel=1e-12)
    np.testing.assert_allclose(view.cross_entropy * y.size, view.nll, rtol=1e-14)


def test_histogram_kl_against_numerical_integration():
    y = sample(40)
    view = li.empirical_vs_model(y, (0, 2), (0.3, 1.5), grid_size=5, bins=6)
    edges, weights = view.edges, view.weights
    grid = np.linspace(edges[0], edges[-1], 600_001)[:-1]
    width = edges[1] - edges[0]
    p_h = weights[np.minimum(((grid - edges[0]) // width).astype(int), weights.size - 1)] / width
    for row, col in [(0, 0), (2, 3), (4, 4)]:
        q = losses.normal_density(grid, view.mu[col], view.sigma[row])
        mask = p_h > 0
        integrand = np.where(mask, p_h * np.log(np.where(mask, p_h / q, 1.0)), 0.0)
        kl = integrand.sum() * (grid[1] - grid[0])
        assert view.kl_histogram[row, col] == pytest.approx(kl, rel=1e-4, abs=1e-6)


def test_nll_and_kl_share_their_minimiser_on_the_grid():
    y = sample(200, seed=3)
    view = li.empirical_vs_model(y, (0, 2), (0.2, 1.6), grid_size=141, bins=40)
    step_mu, step_sigma = view.mu[1] - view.mu[0], view.sigma[1] - view.sigma[0]
    # NLL: its grid argmin is the grid point nearest the closed-form MLE (mean, RMS deviation).
    assert abs(view.grid_nll_minimiser[0] - view.mle[0]) <= step_mu / 2 + 1e-12
    assert abs(view.grid_nll_minimiser[1] - view.mle[1]) <= step_sigma / 2 + 1e-12
    assert view.mle == pytest.approx((y.mean(), np.sqrt(np.mean((y - y.mean()) ** 2))))
    # Histogram KL: its own closed-form minimiser, close to the MLE with fine bins.
    assert abs(view.grid_kl_minimiser[0] - view.histogram_minimiser[0]) <= step_mu / 2 + 1e-12
    assert abs(view.grid_kl_minimiser[1] - view.histogram_minimiser[1]) <= step_sigma / 2 + 1e-12
    assert view.histogram_minimiser == pytest.approx(view.mle, abs=0.01)
    assert view.kl_histogram.min() >= 0


def test_empirical_view_rejects_what_makes_no_sense():
    with pytest.raises(DomainError, match="two different"):
        li.empirical_vs_model(np.ones(5), (0, 1), (0.1, 1))
    with pytest.raises(DomainError, match="sigma must stay > 0"):
        li.empirical_vs_model(sample(), (0, 1), (0, 1))


def test_histogram_minimiser_tends_to_the_mle_but_not_at_every_refinement():
    # The page once said the minimiser "moves towards the MLE as the bins get finer". It tends to
    # it as h shrinks (the mean lies within h / 2 of the sample mean, the spread within
    # O(h)), but a finer histogram can land further away: here 60 bins are further than 30.
    y = np.random.default_rng(3).normal(1.0, 2.0, 50)
    gaps = {}
    for bins in (30, 60, 2000):
        view = li.empirical_vs_model(y, (-3, 5), (0.5, 4), grid_size=5, bins=bins)
        width = view.edges[1] - view.edges[0]
        mu_h, sigma_h = view.histogram_minimiser
        assert abs(mu_h - view.mle[0]) <= width / 2 + 1e-12
        # Moment matching, independently: the mean and variance of the histogram's density.
        centres = 0.5 * (view.edges[:-1] + view.edges[1:])
        mean = np.sum(view.weights * centres)
        variance = np.sum(view.weights * (centres - mean) ** 2) + width**2 / 12
        assert (mu_h, sigma_h) == pytest.approx((mean, np.sqrt(variance)), rel=1e-12)
        gaps[bins] = abs(sigma_h - view.mle[1])
    assert gaps[60] > gaps[30]  # not monotone
    assert gaps[2000] < 1e-3  # but it converges

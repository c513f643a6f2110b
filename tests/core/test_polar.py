"""Ring data, the polar transform and logistic regression by Newton's method.

Oracles: scalar loops with math.hypot / math.atan2, finite differences for the gradient and
the Hessian, first-order optimality, and loops over the probability maps.
"""

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.polar import (
    PolarConfig,
    accuracy,
    features,
    fit_logistic_regression,
    from_polar,
    logistic_loss,
    make_rings,
    predict_probability,
    rings_overlap_in_r,
    run_polar,
    spiral_boundary,
    to_polar,
)

coordinate = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


@given(st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=20))
@example([(-1.0, 0.0), (-1.0, -0.0), (0.0, 0.0), (0.0, -2.0), (-3.0, -4.0), (3.0, -4.0)])
def test_to_polar_matches_a_scalar_loop(points):
    x = np.array(points)
    expected = [(math.hypot(a, b), math.atan2(b, a)) for a, b in points]
    np.testing.assert_allclose(to_polar(x), np.array(expected).reshape(-1, 2), rtol=1e-12)


def test_theta_covers_all_four_quadrants():
    x = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    np.testing.assert_allclose(to_polar(x)[:, 1], np.pi * np.array([0.25, 0.75, -0.75, -0.25]))


@given(st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=20))
def test_from_polar_inverts_to_polar(points):
    x = np.array(points)
    np.testing.assert_allclose(from_polar(to_polar(x)), x, atol=1e-9 * (1 + np.abs(x).max()))


def test_to_polar_rejects_wrong_shapes():
    with pytest.raises(ValueError, match=r"shape \(N, 2\), got \(3,\)"):
        to_polar(np.zeros(3))
    with pytest.raises(ValueError, match="unknown feature space 'log'"):
        features(np.zeros((2, 2)), "log")


def test_rings_without_noise_lie_exactly_on_their_circles_and_are_reproducible():
    data = make_rings(50, 1.0, 3.0, 0.0, np.random.default_rng(7))
    r = np.hypot(data.x[:, 0], data.x[:, 1])
    np.testing.assert_allclose(r[:50], 1.0)
    np.testing.assert_allclose(r[50:], 3.0)
    np.testing.assert_array_equal(data.labels, [0] * 50 + [1] * 50)
    again = make_rings(50, 1.0, 3.0, 0.0, np.random.default_rng(7))
    np.testing.assert_array_equal(data.x, again.x)
    other = make_rings(50, 1.0, 3.0, 0.0, np.random.default_rng(8))
    assert not np.array_equal(data.x, other.x)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1.0, 2.0, 0.1), "at least 1 point, got 0"),
        ((5, 2.0, 1.0, 0.1), "0 <= inner < outer, got inner 2.0 and outer 1.0"),
        ((5, 1.0, 2.0, -0.1), "noise level must be at least 0"),
    ],
)
def test_make_rings_rejects_bad_settings(args, message):
    with pytest.raises(ValueError, match=message):
        make_rings(*args, np.random.default_rng(0))


def test_loss_gradient_and_hessian_match_finite_differences():
    rng = np.random.default_rng(2)
    f = rng.normal(size=(30, 2))
    labels = (rng.uniform(size=30) > 0.5).astype(float)
    w = np.array([0.3, -1.2, 0.8])
    loss, gradient, hessian = logistic_loss(w, f, labels, l2=0.05)
    p = 1 / (1 + np.exp(-(w[0] + f @ w[1:])))
    bce = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    assert loss == pytest.approx(bce + 0.025 * (w[1] ** 2 + w[2] ** 2))
    h = 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        up, g_up, _ = logistic_loss(w + e, f, labels, 0.05)
        down, g_down, _ = logistic_loss(w - e, f, labels, 0.05)
        assert gradient[k] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9)
        np.testing.assert_allclose(hessian[:, k], (g_up - g_down) / (2 * h), rtol=1e-5, atol=1e-8)


def test_loss_is_finite_for_confident_wrong_predictions():
    loss, gradient, _ = logistic_loss(
        np.array([0.0, 1000.0, 0.0]), np.array([[1.0, 0.0]]), np.array([0.0]), 1e-3
    )
    assert loss == pytest.approx(1000.0 + 0.5e-3 * 1e6)
    assert np.all(np.isfinite(gradient))


@pytest.mark.parametrize("space", ["cartesian", "polar"])
def test_newton_reaches_a_point_where_the_gradient_vanishes(space):
    data = make_rings(80, 1.0, 2.0, 0.2, np.random.default_rng(3))
    fit = fit_logistic_regression(data.x, data.labels, space, l2=1e-3)
    assert fit.status == "converged"
    u = (features(data.x, space) - fit.mean) / fit.scale
    _, gradient, _ = logistic_loss(fit.weights, u, data.labels.astype(float), 1e-3)
    assert np.abs(gradient).max() < 1e-8
    for direction in np.eye(3):  # any small move raises the loss (strictly convex)
        for sign in (-1, 1):
            moved = logistic_loss(fit.weights + sign * 1e-3 * direction, u, data.labels, 1e-3)
            assert moved[0] > fit.loss


def test_raw_weights_give_the_same_probabilities_on_unscaled_features():
    data = make_rings(40, 1.0, 2.5, 0.2, np.random.default_rng(4))
    fit = fit_logistic_regression(data.x, data.labels, "polar", 1e-3)
    raw = fit.raw_weights()
    f = to_polar(data.x)
    expected = 1 / (1 + np.exp(-(raw[0] + f @ raw[1:])))
    np.testing.assert_allclose(predict_probability(fit, data.x), expected, rtol=1e-9)


def test_accuracy_matches_a_loop():
    data = make_rings(30, 1.0, 1.5, 0.4, np.random.default_rng(5))
    fit = fit_logistic_regression(data.x, data.labels, "cartesian", 1e-2)
    p = predict_probability(fit, data.x)
    correct = sum(int((pi > 0.5) == (yi == 1)) for pi, yi in zip(p, data.labels, strict=True))
    assert accuracy(fit, data.x, data.labels) == correct / data.labels.size


def test_l2_must_be_positive():
    with pytest.raises(ValueError, match="L2 penalty must be positive, got 0.0"):
        fit_logistic_regression(np.zeros((2, 2)), np.array([0, 1]), "polar", 0.0)


def test_linear_classifier_fails_on_the_plane_and_succeeds_in_polar_coordinates():
    result = run_polar(PolarConfig(n_per_class=200, noise=0.1), np.random.default_rng(0))
    assert result.accuracies["polar"] == 1.0
    assert result.accuracies["cartesian"] < 0.65
    # The polar boundary w0 + w_r r + w_theta theta = 0 is (almost) the circle between the rings.
    raw = result.fits["polar"].raw_weights()
    assert abs(raw[2]) < 0.05 * abs(raw[1])
    assert 1.3 < -raw[0] / raw[1] < 1.7


def test_probability_maps_are_laid_out_row_by_second_coordinate():
    cfg = PolarConfig(n_per_class=30, grid_size=7)
    result = run_polar(cfg, np.random.default_rng(1))
    for space, fit in result.fits.items():
        for i, x2 in enumerate(result.x2_grid):
            for j, x1 in enumerate(result.x1_grid):
                p = predict_probability(fit, np.array([[x1, x2]]))[0]
                assert result.prob_xy[space][i, j] == pytest.approx(p)
        for i, th in enumerate(result.theta_grid):
            for j, r in enumerate(result.r_grid):
                p = predict_probability(fit, np.array([[r * math.cos(th), r * math.sin(th)]]))[0]
                assert result.prob_polar[space][i, j] == pytest.approx(p)
    np.testing.assert_allclose(result.polar, to_polar(result.x))
    assert result.x1_grid[-1] == pytest.approx(1.1 * result.polar[:, 0].max())


def test_grid_must_have_two_cells():
    with pytest.raises(ValueError, match="at least 2 cells per side, got 1"):
        run_polar(PolarConfig(grid_size=1), np.random.default_rng(0))


def test_the_polar_boundary_is_a_spiral_arc_with_a_seam_at_theta_pi():
    """On r = a + b theta (from the fitted weights) the probability is 1/2 in the plane, the
    arc is not a circle (b != 0), and its two ends differ in r by 2 pi |b| at theta = +-pi."""
    result = run_polar(PolarConfig(noise=0.3), np.random.default_rng(0))
    fit = result.fits["polar"]
    boundary = spiral_boundary(fit.raw_weights())
    assert boundary == result.boundary
    assert boundary.b != 0.0
    theta = np.linspace(-np.pi + 1e-9, np.pi - 1e-9, 50)
    r = boundary.a + boundary.b * theta
    on_arc = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    np.testing.assert_allclose(predict_probability(fit, on_arc), 0.5, atol=1e-9)
    # The two ends meet the negative x1 axis at different radii: a seam, not a closed circle.
    ends = to_polar(on_arc[[0, -1]])[:, 0]
    assert abs(ends[1] - ends[0]) == pytest.approx(boundary.seam_gap, rel=1e-6)
    assert boundary.seam_gap == pytest.approx(2 * np.pi * abs(boundary.b))


def test_spiral_boundary_is_undefined_without_an_r_weight():
    assert spiral_boundary(np.array([1.0, 0.0, 2.0])) is None
    b = spiral_boundary(np.array([-3.0, 2.0, 0.0]))
    assert (b.a, b.b, b.seam_gap) == (1.5, -0.0, 0.0)


def test_overlap_in_r_matches_a_loop_over_pairs():
    for noise in (0.05, 0.3, 0.6):
        data = make_rings(40, 1.0, 2.0, noise, np.random.default_rng(1))
        r = to_polar(data.x)[:, 0]
        inner, outer = r[data.labels == 0], r[data.labels == 1]
        separated = all(a < b for a in inner for b in outer) or all(
            a > b for a in inner for b in outer
        )
        assert rings_overlap_in_r(to_polar(data.x), data.labels) == (not separated)


@pytest.mark.parametrize(("noise", "overlap"), [(0.15, False), (0.6, True)])
def test_unpenalised_weights_grow_without_bound_only_while_the_rings_are_separable(noise, overlap):
    """Separable in r: shrinking the penalty 1000-fold keeps raising |w|. Overlapping: the
    weights hardly change, because the unpenalised optimum is finite."""
    data = make_rings(100, 1.0, 2.0, noise, np.random.default_rng(0))
    assert rings_overlap_in_r(to_polar(data.x), data.labels) == overlap
    norms = [
        np.linalg.norm(fit_logistic_regression(data.x, data.labels, "polar", l2, 200).weights)
        for l2 in (1e-3, 1e-6, 1e-9)
    ]
    if overlap:
        assert norms[2] == pytest.approx(norms[1], rel=1e-3)
    else:
        assert norms[1] > 1.5 * norms[0] and norms[2] > 1.5 * norms[1]

"""Tests for the landscape modules: models, gradients, loss surfaces and minima."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import core.landscape_critical as landscape_critical
import core.landscape_loss as landscape_loss
import core.landscape_models as landscape_models
from core import linear
from core.errors import DomainError
from core.landscape_critical import find_minima
from core.landscape_loss import (
    gradient_angle,
    grid_axes,
    loss_and_gradient,
    loss_surface,
    losses_at,
    outside_window,
    point_view,
    vanishes,
)
from core.landscape_models import (
    LANDSCAPE_NAMES,
    gabor,
    gabor_with_gradient,
    make_landscape,
    network_slice,
)
from tests.core.finite_differences import numeric_gradient

finite = st.floats(min_value=-20, max_value=20, allow_nan=False)


def make(name="gabor", n=30, noise=0.1, seed=0, activation="tanh"):
    return make_landscape(name, n, noise, np.random.default_rng(seed), activation)


@given(x=finite, phi_0=finite, phi_1=st.floats(min_value=-30, max_value=30))
@example(x=0.0, phi_0=0.0, phi_1=0.0)
def test_gabor_matches_its_formula(x, phi_0, phi_1):
    z = phi_0 + 0.06 * phi_1 * x
    assert gabor(np.array(x), phi_0, phi_1) == pytest.approx(
        math.sin(z) * math.exp(-z * z / 32), abs=1e-12
    )


@given(x=finite, phi_0=finite, phi_1=st.floats(min_value=-30, max_value=30))
@example(x=15.0, phi_0=-10.0, phi_1=22.5)
def test_gabor_gradient_matches_finite_differences(x, phi_0, phi_1):
    _, d0, d1 = gabor_with_gradient(np.array(x), phi_0, phi_1)
    fd0, fd1 = numeric_gradient(lambda phi: gabor(np.array(x), *phi), [phi_0, phi_1])
    assert d0 == pytest.approx(fd0, abs=1e-7)
    assert d1 == pytest.approx(fd1, abs=1e-7)


# GELU's value uses a 1.5e-7-accurate erf, so its finite differences are looser.
@pytest.mark.parametrize(
    ("activation", "atol"),
    [("tanh", 1e-6), ("sigmoid", 1e-6), ("softplus", 1e-6), ("gelu", 1e-5), ("silu", 1e-6)],
)
def test_network_slice_gradient_matches_finite_differences(activation, atol):
    predict, predict_with_gradient = network_slice(activation)
    x = np.linspace(-3, 3, 13)
    for p, t in [(1.2, 1.6), (-0.7, -2.3), (2.5, 0.4)]:
        f, d0, d1 = predict_with_gradient(x, p, t)
        np.testing.assert_allclose(f, predict(x, p, t))
        fd0, fd1 = numeric_gradient(lambda free: predict(x, *free), [p, t])  # (13,) each
        np.testing.assert_allclose(d0, fd0, atol=atol)
        np.testing.assert_allclose(d1, fd1, atol=atol)


def test_network_slice_matches_the_shallow_network_written_out():
    predict, _ = network_slice("relu")
    x = np.array([-2.0, 0.3, 1.7])
    phi, theta = landscape_models.NETWORK_PHI, landscape_models.NETWORK_THETA
    for i, xi in enumerate(x):  # brute force, one unit at a time
        expected = phi[0] + 0.5 * max(0.0, theta[0, 0] - 1.5 * xi)
        for k in (1, 2):
            expected += phi[k + 1] * max(0.0, theta[k, 0] + theta[k, 1] * xi)
        assert predict(x, 0.5, -1.5)[i] == pytest.approx(expected)


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
@pytest.mark.parametrize("indices", [None, [0, 3, 7], [5]])
def test_loss_gradient_matches_finite_differences(name, indices):
    land = make(name)
    idx = None if indices is None else np.array(indices)
    for phi in [np.array([0.7, 9.0]), np.array([-1.3, 2.1]), land.true_phi + 0.3]:
        loss, grad = loss_and_gradient(land, phi, idx)
        fd = numeric_gradient(lambda p: loss_and_gradient(land, p, idx)[0], phi)
        np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_loss_is_the_mean_squared_error_written_as_a_loop(name):
    land = make(name, n=7)
    phi = np.array([0.4, 1.9])
    total = 0.0
    for xi, yi in zip(land.x, land.y, strict=True):
        total += (float(land.predict(np.array(xi), phi[0], phi[1])) - yi) ** 2
    assert loss_and_gradient(land, phi)[0] == pytest.approx(total / 7)
    sub = [1, 4]
    part = sum((float(land.predict(land.x[i], phi[0], phi[1])) - land.y[i]) ** 2 for i in sub)
    assert loss_and_gradient(land, phi, np.array(sub))[0] == pytest.approx(part / 2)


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_loss_surface_matches_pointwise_losses(name):
    land = make(name, n=11)
    phi_0, phi_1 = np.linspace(-2, 3, 5), np.linspace(1, 4, 4)
    surface64 = loss_surface(land, phi_0, phi_1, dtype=np.float64)
    assert surface64.shape == (4, 5)
    for j, b in enumerate(phi_1):  # brute force over the grid
        for i, a in enumerate(phi_0):
            assert surface64[j, i] == pytest.approx(loss_and_gradient(land, np.array([a, b]))[0])
    np.testing.assert_allclose(loss_surface(land, phi_0, phi_1), surface64, rtol=1e-4, atol=1e-6)
    batch = np.array([2, 5, 9])
    for j, b in enumerate(phi_1):
        for i, a in enumerate(phi_0):
            assert loss_surface(land, phi_0, phi_1, batch, dtype=np.float64)[j, i] == pytest.approx(
                loss_and_gradient(land, np.array([a, b]), batch)[0]
            )


def test_losses_at_is_independent_of_the_block_size(monkeypatch):
    land = make("gabor", n=20)
    points = np.random.default_rng(3).uniform(-5, 15, size=(37, 2))
    whole = losses_at(land, points)
    monkeypatch.setattr(landscape_loss, "MAX_GRID_CELLS", 50)  # blocks of 2 points
    np.testing.assert_array_equal(losses_at(land, points), whole)


def test_same_seed_gives_same_data_and_noise_free_data_lie_on_the_model():
    a, b = make(seed=5), make(seed=5)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, make(seed=6).x)
    clean = make("gabor", noise=0.0)
    np.testing.assert_allclose(clean.y, gabor(clean.x, *clean.true_phi))
    assert np.all((clean.x >= -15) & (clean.x <= 15))


def test_linear_minimum_is_the_least_squares_solution():
    land = make("linear", n=50, noise=0.3)
    phi_0, phi_1 = grid_axes(land, 60)
    minima = find_minima(land, phi_0, phi_1, loss_surface(land, phi_0, phi_1))
    # Oracle: the normal equations of linear least squares.
    design = np.column_stack([np.ones_like(land.x), land.x])
    expected = np.linalg.solve(design.T @ design, design.T @ land.y)
    assert len(minima.points) == 1
    np.testing.assert_allclose(minima.points[0], expected, atol=1e-6)


@pytest.mark.parametrize("name", ["gabor", "network"])
def test_minima_are_stationary_and_curve_upward(name):
    land = make(name, n=40)
    phi_0, phi_1 = grid_axes(land, 80)
    surface = loss_surface(land, phi_0, phi_1)
    minima = find_minima(land, phi_0, phi_1, surface)
    assert len(minima.points) >= 2, "these landscapes are meant to have several minima"
    assert np.all(np.diff(minima.losses) >= 0)
    assert minima.losses[0] <= surface.min() + 1e-6
    for point in minima.points:
        _, grad = loss_and_gradient(land, point)
        assert np.linalg.norm(grad) < 1e-5
        hessian = np.array(
            [
                (
                    loss_and_gradient(land, point + 1e-4 * e)[1]
                    - loss_and_gradient(land, point - 1e-4 * e)[1]
                )
                / 2e-4
                for e in np.eye(2)
            ]
        )
        assert np.all(np.linalg.eigvalsh((hessian + hessian.T) / 2) > 0)


def test_gabor_global_minimum_is_near_the_generating_parameters():
    land = make("gabor", n=60, noise=0.05)
    phi_0, phi_1 = grid_axes(land, 100)
    minima = find_minima(land, phi_0, phi_1, loss_surface(land, phi_0, phi_1))
    np.testing.assert_allclose(minima.points[0], land.true_phi, atol=0.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "cubic"}, "unknown landscape 'cubic'"),
        ({"n": 0}, "at least 1 sample, got 0"),
        ({"noise": -0.1}, "noise must be a standard deviation >= 0, got -0.1"),
        ({"name": "network", "activation": "cosine"}, "unknown activation 'cosine'"),
    ],
)
def test_make_landscape_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make(**kwargs)


def test_bad_phi_and_indices_are_rejected():
    land = make(n=5)
    with pytest.raises(ValueError, match="exactly 2 parameters"):
        loss_and_gradient(land, np.zeros(3))
    with pytest.raises(ValueError, match=r"must lie in 0..4, got 0..5"):
        loss_and_gradient(land, np.zeros(2), np.array([0, 5]))
    with pytest.raises(ValueError, match="at least 1 sample, got 0"):
        loss_and_gradient(land, np.zeros(2), np.array([], dtype=int))
    with pytest.raises(ValueError, match="at least 3 points per axis, got 2"):
        grid_axes(land, 2)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30))
def test_loss_is_never_negative_and_zero_without_noise_at_the_truth(seed, n):
    land = make_landscape("gabor", n, 0.0, np.random.default_rng(seed))
    assert losses_at(land, land.true_phi[None, :])[0] == pytest.approx(0.0, abs=1e-24)
    assert np.all(losses_at(land, np.random.default_rng(seed).normal(size=(5, 2))) >= 0)


def test_point_view_agrees_with_the_separate_functions():
    land = make("gabor", n=25)
    phi, batch = np.array([1.0, 10.0]), np.array([3, 4, 20])
    phi_0, phi_1 = np.linspace(-3, 3, 4), np.linspace(5, 15, 6)
    view = point_view(land, phi, batch, phi_0, phi_1, n_curve=7)
    np.testing.assert_allclose(view.batch_surface, loss_surface(land, phi_0, phi_1, batch))
    assert view.full_loss == loss_and_gradient(land, phi)[0]
    np.testing.assert_allclose(view.batch_gradient, loss_and_gradient(land, phi, batch)[1])
    np.testing.assert_allclose(view.full_gradient, loss_and_gradient(land, phi)[1])
    np.testing.assert_allclose(view.curve_x, np.linspace(-16.5, 16.5, 7))
    np.testing.assert_allclose(view.curve_f, gabor(view.curve_x, 1.0, 10.0))
    # The full gradient is the size-weighted mean of the gradients of a partition into batches.
    parts = [np.arange(0, 10), np.arange(10, 25)]
    mean = sum(len(p) * loss_and_gradient(land, phi, p)[1] for p in parts) / 25
    np.testing.assert_allclose(mean, view.full_gradient)
    assert view.full_gradient_norm == pytest.approx(np.sqrt(np.sum(view.full_gradient**2)))
    assert view.full_gradient_norm > 1e-3
    assert view.full_gradient_vanishes is False and view.batch_gradient_vanishes is False
    alone = point_view(land, phi, None, phi_0, phi_1)
    assert alone.batch_surface is None and alone.batch_loss is None
    assert alone.batch_gradient_vanishes is None and alone.full_gradient_vanishes is False
    with pytest.raises(ValueError, match="phi must be finite"):
        point_view(land, np.array([np.inf, 0.0]), None, phi_0, phi_1)


def test_point_view_says_which_gradient_vanishes():
    # Data on the line 1 + 2x: at phi = (1, 2) every residual is zero, so both gradients vanish;
    # a batch of the first two points fitted by another line leaves the full gradient alive.
    x = np.array([0.0, 1.0, 2.0])
    land = landscape_models.landscape_from_points("linear", x, 1 + 2 * x)
    grid = np.linspace(-1, 1, 3)
    at_fit = point_view(land, np.array([1.0, 2.0]), np.array([0]), grid, grid)
    assert at_fit.full_gradient_vanishes and at_fit.batch_gradient_vanishes
    assert at_fit.full_gradient_norm == 0.0 and at_fit.angle is None
    bent_y = np.array([1.0, 3.0, 7.0])  # the first two points lie on 1 + 2x, the third not
    bent = landscape_models.landscape_from_points("linear", x, bent_y)
    half = point_view(bent, np.array([1.0, 2.0]), np.array([0, 1]), grid, grid)
    assert half.batch_gradient_vanishes and not half.full_gradient_vanishes
    assert half.angle is None


@pytest.mark.parametrize(
    ("gradient", "expected"),
    [([0.0, 0.0], True), ([6e-9, 8.1e-9], False), ([6e-9, 7.9e-9], True), ([-1.0, 0.0], False)],
)
def test_vanishes_is_a_norm_below_1e_8(gradient, expected):
    assert vanishes(np.array(gradient)) is expected  # |(6, 8.1)| > 10, |(6, 7.9)| < 10


def test_linear_landscape_is_the_linear_lab():
    land = make("linear", n=25, noise=0.4, seed=3)
    data = linear.make_data(25, 1.2, 0.5, 0.4, np.random.default_rng(3))
    np.testing.assert_array_equal(land.x, data.x)
    np.testing.assert_array_equal(land.y, data.y)
    phi = np.array([0.3, -0.7])
    loss, grad = loss_and_gradient(land, phi)
    assert loss == pytest.approx(linear.mse_loss(phi, data.x, data.y))
    np.testing.assert_allclose(grad, linear.mse_gradient(phi, data.x, data.y))


def test_loss_map_is_grid_surface_and_minima():
    land = make("gabor", n=20)
    view = landscape_critical.loss_map(land, 25)
    phi_0, phi_1 = grid_axes(land, 25)
    np.testing.assert_array_equal(view.phi_0, phi_0)
    np.testing.assert_array_equal(view.surface, loss_surface(land, phi_0, phi_1))
    np.testing.assert_array_equal(
        view.minima.points, find_minima(land, phi_0, phi_1, view.surface).points
    )


# ---------------------------------------------------------------------------- network engine


@pytest.mark.parametrize("activation", ["tanh", "relu", "softplus"])
def test_network_slice_gradient_is_the_engines_backward_pass(activation):
    """Loss and gradient of the slice against core.network + core.losses.least_squares."""
    from core.losses import least_squares
    from core.network import backward, forward, shallow_network

    land = make("network", n=17, activation=activation)
    for p1, t11 in [(1.2, 1.6), (-0.7, -2.3)]:
        theta = landscape_models.NETWORK_THETA.copy()
        phi = landscape_models.NETWORK_PHI.copy()
        theta[0, 1], phi[1] = t11, p1
        net = shallow_network(theta, phi[None, :], activation)
        fwd = forward(net, land.x[None, :])
        loss = least_squares(fwd.output, land.y)  # the book's sum over examples
        grads = backward(net, fwd, loss.gradient)
        mean, gradient = loss_and_gradient(land, np.array([p1, t11]))
        n = land.x.size
        assert mean == pytest.approx(loss.total / n, rel=1e-12)
        # phi_1 = Omega_1[0, 0] and theta_11 = Omega_0[0, 0]; divide the sums by N for means.
        expected = np.array([grads.dl_domegas[1][0, 0], grads.dl_domegas[0][0, 0]]) / n
        np.testing.assert_allclose(gradient, expected, rtol=1e-10, atol=1e-14)


def test_own_points_and_bad_ones():
    land = landscape_models.landscape_from_points("gabor", [1.0, 2.0], [0.5, -0.5])
    np.testing.assert_array_equal(land.x, [1.0, 2.0])
    for x, y, message in [
        ([1.0], [1.0, 2.0], "same length"),
        ([], [], "1 to"),
        ([np.nan], [1.0], "finite"),
    ]:
        with pytest.raises(DomainError, match=message):
            landscape_models.landscape_from_points("linear", x, y)
    with pytest.raises(DomainError, match="one weight per hidden unit"):
        make_landscape("network", 5, 0.1, np.random.default_rng(0), phi=np.zeros(3))


@given(x=finite, phi_0=finite, phi_1=finite)
def test_saddle_model_gradient_matches_finite_differences(x, phi_0, phi_1):
    f, d0, d1 = landscape_models.saddle_with_gradient(np.array(x), phi_0, phi_1)
    model = landscape_models.saddle_model
    fd0, fd1 = numeric_gradient(lambda phi: model(np.array(x), *phi), [phi_0, phi_1])
    scale = 1 + x * x * (1 + abs(phi_1))
    assert d0 == pytest.approx(fd0, abs=1e-6 * scale)
    assert d1 == pytest.approx(fd1, abs=1e-6 * scale)


# ---------------------------------------------------------------------------- critical points


def product_landscape():
    """f[x, phi] = phi_0 phi_1 x on x = y = 1: L = (phi_0 phi_1 - 1)^2, a saddle at the origin
    with the closed-form Hessian [[0, -2], [-2, 0]] (eigenvalues -2 and 2)."""
    land = make_landscape("linear", 4, 0.0, np.random.default_rng(0))

    def predict(x, p0, p1):
        return p0 * p1 * x

    def predict_with_gradient(x, p0, p1):
        f = p0 * p1 * x
        return f, np.broadcast_to(p1 * x, f.shape), np.broadcast_to(p0 * x, f.shape)

    return dataclasses.replace(
        land,
        x=np.ones(3),
        y=np.ones(3),
        predict=predict,
        predict_with_gradient=predict_with_gradient,
        param_range=((-1.7, 1.9), (-1.8, 1.6)),
    )


def test_hessian_of_a_closed_form_quadratic():
    a, b, c = 1.5, -2.0, 0.7  # L = a p0^2 + b p1^2 + c p0 p1

    def gradient(p):
        return np.column_stack([2 * a * p[:, 0] + c * p[:, 1], 2 * b * p[:, 1] + c * p[:, 0]])

    points = np.array([[0.0, 0.0], [3.0, -40.0]])
    expected = np.array([[2 * a, c], [c, 2 * b]])
    np.testing.assert_allclose(
        landscape_critical.hessian(gradient, points), [expected] * 2, atol=1e-6
    )


def test_classify_by_eigenvalue_signs():
    hessians = np.array(
        [
            np.diag([1.0, 2.0]),
            np.diag([1.0, -2.0]),
            np.diag([-1.0, -2.0]),
            [[0.0, 1.0], [1.0, 0.0]],
            np.diag([0.0, 1.0]),
        ]
    )
    kinds = landscape_critical.classify(hessians)
    assert kinds.tolist() == ["minimum", "saddle", "maximum", "saddle", "flat"]


def test_the_product_models_saddle_is_found_at_the_origin():
    land = product_landscape()
    phi_0, phi_1 = grid_axes(land, 41)
    saddles = landscape_critical.find_saddles(
        land, phi_0, phi_1, loss_surface(land, phi_0, phi_1, dtype=np.float64)
    )
    assert len(saddles.points) == 1
    np.testing.assert_allclose(saddles.points[0], [0.0, 0.0], atol=1e-8)
    assert saddles.losses[0] == pytest.approx(1.0)
    np.testing.assert_allclose(saddles.eigenvalues[0], [-2.0, 2.0], atol=1e-5)
    # The analytic Hessian of the mean loss there, by the chain rule: 2 J^T J + 2 r H_f.
    np.testing.assert_allclose(
        landscape_critical.hessian(
            lambda p: landscape_critical.full_gradient(land, p), np.zeros((1, 2))
        )[0],
        [[0.0, -2.0], [-2.0, 0.0]],
        atol=1e-6,
    )


def test_convex_bowl_has_no_saddle_and_saddle_landscape_has_one():
    assert len(landscape_critical.loss_map(make("linear"), 40).saddles.points) == 0
    view = landscape_critical.loss_map(make("saddle"), 60)
    assert len(view.saddles.points) == 1 and len(view.minima.points) == 2
    saddle = view.saddles.points[0]
    assert np.hypot(*landscape_critical.full_gradient(make("saddle"), saddle[None])[0]) < 1e-7
    # it lies between the two valleys, higher than both
    assert view.minima.points[:, 1].min() < saddle[1] < view.minima.points[:, 1].max()
    assert view.saddles.losses[0] > view.minima.losses.max()


def test_outside_window_indices():
    points = np.array([[0.0, 0.0], [5.0, 0.0], [1.0, 1.0], [0.0, -3.0]])
    np.testing.assert_array_equal(outside_window(points, ((-1, 1), (-1, 1))), [1, 3])


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [([1, 0], [0, 1], 90.0), ([1, 0], [-1, 0], 180.0), ([1, 1], [2, 2], 0.0)],
)
def test_gradient_angle(a, b, expected):
    assert gradient_angle(np.array(a, float), np.array(b, float)) == pytest.approx(
        expected, abs=1e-6
    )
    assert gradient_angle(np.zeros(2), np.array(b, float)) is None


@pytest.mark.parametrize("n", [7, 40])
def test_saddle_data_make_the_loss_symmetric(n):
    land = make("saddle", n=n, noise=0.3)
    points = np.random.default_rng(0).uniform(-2, 2, size=(30, 2))
    mirrored = points * [1.0, -1.0]
    np.testing.assert_allclose(losses_at(land, points), losses_at(land, mirrored), rtol=1e-12)
    # on the line phi_1 = 0 the gradient has no component across it
    for p0 in (-1.0, 0.5, 2.0):
        assert loss_and_gradient(land, np.array([p0, 0.0]))[1][1] == pytest.approx(0, abs=1e-12)


def test_kind_at_on_the_closed_form_saddle():
    land = product_landscape()
    kinds = landscape_critical.kind_at(land, np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert kinds.tolist() == ["saddle", "flat"]  # (1, 1) lies on the valley phi_0 phi_1 = 1


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_batch_sums_agree_with_least_squares_through_the_chain_rule(name):
    land = make(name)
    points = np.array([[0.7, 9.0], [-1.3, 2.1], [0.2, -0.4]])
    sums = landscape_loss.batch_sums(land, land.x, land.y, points[:, :1], points[:, 1:])
    for k, phi in enumerate(points):
        loss, gradient = loss_and_gradient(land, phi)
        assert sums[0, k] / land.x.size == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(
            2.0 * sums[1:, k] / land.x.size, gradient, rtol=1e-10, atol=1e-14
        )

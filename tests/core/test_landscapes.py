"""Tests for the landscape modules: models, gradients, loss surfaces and minima."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import core.landscape_critical as landscape_critical
import core.landscape_loss as landscape_loss
import core.landscape_models as landscape_models
from core import linear
from core.landscape_critical import find_minima
from core.landscape_loss import (
    grid_axes,
    loss_and_gradient,
    loss_surface,
    losses_at,
    point_view,
)
from core.landscape_models import (
    LANDSCAPE_NAMES,
    gabor,
    gabor_with_gradient,
    make_landscape,
    network_slice,
)

finite = st.floats(min_value=-20, max_value=20, allow_nan=False)
H = 1e-6


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
    fd0 = (gabor(np.array(x), phi_0 + H, phi_1) - gabor(np.array(x), phi_0 - H, phi_1)) / (2 * H)
    fd1 = (gabor(np.array(x), phi_0, phi_1 + H) - gabor(np.array(x), phi_0, phi_1 - H)) / (2 * H)
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
        np.testing.assert_allclose(
            d0, (predict(x, p + H, t) - predict(x, p - H, t)) / (2 * H), atol=atol
        )
        np.testing.assert_allclose(
            d1, (predict(x, p, t + H) - predict(x, p, t - H)) / (2 * H), atol=atol
        )


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
        fd = [
            (
                loss_and_gradient(land, phi + H * e, idx)[0]
                - loss_and_gradient(land, phi - H * e, idx)[0]
            )
            / (2 * H)
            for e in np.eye(2)
        ]
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
    alone = point_view(land, phi, None, phi_0, phi_1)
    assert alone.batch_surface is None and alone.batch_loss is None
    with pytest.raises(ValueError, match="phi must be finite"):
        point_view(land, np.array([np.inf, 0.0]), None, phi_0, phi_1)


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

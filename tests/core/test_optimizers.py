"""Tests for core.optimizers: update rules, mini-batches, schedules, stopping."""

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core import linear, optimizers
from core.errors import DomainError
from core.landscape_models import make_landscape
from core.optimizers import (
    FULL_BATCH,
    OPTIMIZER_NAMES,
    OPTIMIZERS,
    OptimizerConfig,
    Schedule,
    adam_step,
    exact_line_search_step,
    from_starts,
    gd_step,
    learning_rates,
    momentum_step,
    nearest_minimum,
    nesterov_point,
    race,
    run_optimizer,
)

X = np.array([0.0, 1.0, 2.0, 3.0])
Y = np.array([1.0, 2.0, 2.0, 5.0])


def tiny_line():
    """Linear landscape on 4 hand-written points."""
    land = make_landscape("linear", 4, 0.0, np.random.default_rng(0))
    return dataclasses.replace(land, x=X, y=Y)


def hand_gradient(phi, idx=slice(None)):
    """Gradient of (1/|B|) sum (phi_0 + phi_1 x - y)^2, written out."""
    x, y = X[idx], Y[idx]
    r = phi[0] + phi[1] * x - y
    return np.array([2 * r.mean(), 2 * (r * x).mean()])


def run(kind, steps=2, start=(0.5, -0.5), rng_seed=0, land=None, **kwargs):
    config = OptimizerConfig(kind=kind, **kwargs)
    return run_optimizer(
        land or tiny_line(), config, np.array(start), steps, np.random.default_rng(rng_seed)
    )


def test_gradient_descent_step_by_hand():
    result = run("gd", learning_rate=0.05)
    p0 = np.array([0.5, -0.5])
    p1 = p0 - 0.05 * hand_gradient(p0)
    p2 = p1 - 0.05 * hand_gradient(p1)
    np.testing.assert_allclose(result.trajectory, [p0, p1, p2])


def test_sgd_step_uses_exactly_its_mini_batch():
    result = run("sgd", steps=3, learning_rate=0.05, batch_size=2)
    for t in range(3):
        idx = result.batch_indices[t]
        expected = result.trajectory[t] - 0.05 * hand_gradient(result.trajectory[t], idx)
        np.testing.assert_allclose(result.trajectory[t + 1], expected)
        r = result.trajectory[t][0] + result.trajectory[t][1] * X[idx] - Y[idx]
        assert result.batch_losses[t] == pytest.approx(np.mean(r**2))


def test_momentum_steps_by_hand():
    result = run("momentum", learning_rate=0.05, beta=0.8)
    p0 = np.array([0.5, -0.5])
    m1 = 0.2 * hand_gradient(p0)
    p1 = p0 - 0.05 * m1
    m2 = 0.8 * m1 + 0.2 * hand_gradient(p1)
    np.testing.assert_allclose(result.trajectory, [p0, p1, p0 - 0.05 * m1 - 0.05 * m2])


def test_nesterov_steps_by_hand():
    result = run("nesterov", learning_rate=0.05, beta=0.8)
    p0 = np.array([0.5, -0.5])
    m1 = 0.2 * hand_gradient(p0)  # m_0 = 0, so the look-ahead point is p0
    p1 = p0 - 0.05 * m1
    m2 = 0.8 * m1 + 0.2 * hand_gradient(p1 - 0.05 * 0.8 * m1)
    np.testing.assert_allclose(result.trajectory, [p0, p1, p1 - 0.05 * m2])


def test_adam_steps_by_hand():
    result = run("adam", learning_rate=0.1, beta=0.9, gamma=0.99, epsilon=1e-8)
    p0 = np.array([0.5, -0.5])
    g1 = hand_gradient(p0)
    # After bias correction the first step is alpha g / (|g| + eps): alpha times the sign.
    p1 = p0 - 0.1 * g1 / (np.abs(g1) + 1e-8)
    g2 = hand_gradient(p1)
    m = 0.9 * 0.1 * g1 + 0.1 * g2
    v = 0.99 * 0.01 * g1**2 + 0.01 * g2**2
    p2 = p1 - 0.1 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.99**2)) + 1e-8)
    np.testing.assert_allclose(result.trajectory, [p0, p1, p2])


@pytest.mark.parametrize("first", [64.0, 1e5])  # 1e5 needs more than one block of 8 halvings
def test_line_search_takes_the_first_step_passing_the_armijo_test(first):
    land = tiny_line()
    result = run("line_search", steps=1, learning_rate=first, land=land)
    p0 = np.array([0.5, -0.5])
    g = hand_gradient(p0)

    def loss(p):
        return np.mean((p[0] + p[1] * X - Y) ** 2)

    step = result.learning_rates[0]
    assert step == first / 2 ** round(math.log2(first / step))  # a halving of alpha_0
    np.testing.assert_allclose(result.trajectory[1], p0 - step * g)
    assert loss(p0 - step * g) <= loss(p0) - 1e-4 * step * (g @ g)
    assert loss(p0 - 2 * step * g) > loss(p0) - 1e-4 * 2 * step * (g @ g)  # the one before failed


def test_full_batch_sgd_is_gradient_descent():
    a = run("sgd", steps=20, learning_rate=0.05)
    b = run("gd", steps=20, learning_rate=0.05)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), batch=st.integers(1, 45), seed=st.integers(0, 10_000))
@example(n=10, batch=3, seed=0)
@example(n=7, batch=7, seed=1)
def test_sgd_visits_every_sample_exactly_once_per_epoch(n, batch, seed):
    land = make_landscape("gabor", n, 0.1, np.random.default_rng(seed))
    per_epoch = math.ceil(n / min(batch, n))
    result = run_optimizer(
        land,
        OptimizerConfig(kind="sgd", learning_rate=1e-3, batch_size=batch),
        np.array([1.0, 5.0]),
        3 * per_epoch,
        np.random.default_rng(seed),
        tolerance=0.0,
    )
    assert len(result.batch_indices) == 3 * per_epoch
    for e in range(3):
        epoch = result.batch_indices[e * per_epoch : (e + 1) * per_epoch]
        assert sorted(np.concatenate(epoch).tolist()) == list(range(n))
        assert all(len(b) == min(batch, n) for b in epoch[:-1])
    np.testing.assert_array_equal(result.epoch_ends, [per_epoch, 2 * per_epoch, 3 * per_epoch])
    np.testing.assert_array_equal(result.epoch_losses, result.losses[result.epoch_ends])


def test_epochs_are_shuffled_differently():
    land = make_landscape("gabor", 20, 0.1, np.random.default_rng(0))
    result = run("sgd", steps=8, learning_rate=1e-3, batch_size=5, land=land, start=(1, 5))
    first = np.concatenate(result.batch_indices[:4])
    second = np.concatenate(result.batch_indices[4:])
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("kind", OPTIMIZER_NAMES)
def test_same_seed_same_trajectory(kind):
    land = make_landscape("gabor", 30, 0.2, np.random.default_rng(1))
    kwargs = {"learning_rate": 0.3, "batch_size": 4, "steps": 200, "land": land, "start": (2, 9)}
    a, b = run(kind, rng_seed=7, **kwargs), run(kind, rng_seed=7, **kwargs)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    if kind not in FULL_BATCH:
        c = run(kind, rng_seed=8, **kwargs)
        assert not np.array_equal(a.trajectory, c.trajectory)


@pytest.mark.parametrize("kind", ["gd", "sgd", "momentum", "nesterov"])
def test_divergence_is_detected_and_nothing_is_nan(kind):
    land = make_landscape("linear", 30, 0.1, np.random.default_rng(0))
    result = run(kind, steps=1000, learning_rate=50.0, land=land, batch_size=10)
    assert result.status == "diverged"
    assert len(result.trajectory) < 1000
    for array in (result.trajectory, result.losses, result.batch_losses, result.learning_rates):
        assert np.all(np.isfinite(array))
    assert len(result.batch_losses) == len(result.learning_rates) == len(result.trajectory) - 1
    body = {
        "trajectory": result.trajectory.tolist(),
        "losses": result.losses.tolist(),
        "epoch_losses": result.epoch_losses.tolist(),
    }
    json.dumps(body, allow_nan=False)  # raises on NaN or inf


@pytest.mark.parametrize(
    "kind", ["gd", "line_search", "exact_line_search", "momentum", "nesterov", "adam"]
)
def test_full_batch_runs_converge_to_least_squares_on_the_line(kind):
    land = make_landscape("linear", 30, 0.2, np.random.default_rng(0))
    lr = 0.02 if kind == "adam" else 0.2
    result = run(kind, steps=5000, learning_rate=lr, land=land, start=(-1.0, 2.5))
    design = np.column_stack([np.ones(30), land.x])
    expected = np.linalg.solve(design.T @ design, design.T @ land.y)
    assert result.status == "converged", result.message
    np.testing.assert_allclose(result.trajectory[-1], expected, atol=1e-4)


def test_sgd_with_decaying_rate_gets_close_and_epoch_convergence_is_checked():
    land = make_landscape("linear", 30, 0.2, np.random.default_rng(0))
    result = run(
        "sgd",
        steps=3000,
        learning_rate=0.2,
        batch_size=5,
        land=land,
        schedule=Schedule("inverse_time", period=50),
    )
    design = np.column_stack([np.ones(30), land.x])
    expected = np.linalg.solve(design.T @ design, design.T @ land.y)
    np.testing.assert_allclose(result.trajectory[-1], expected, atol=0.05)
    assert result.status == "max_steps"


def test_max_steps_status_and_lengths():
    result = run("momentum", steps=5, learning_rate=1e-4)
    assert result.status == "max_steps"
    assert result.trajectory.shape == (6, 2)
    assert result.losses.shape == (6,)
    np.testing.assert_array_equal(result.learning_rates, np.full(5, 1e-4))
    np.testing.assert_array_equal(result.epoch_ends, [1, 2, 3, 4, 5])


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (Schedule("constant"), [0.8, 0.8, 0.8, 0.8, 0.8]),
        (Schedule("step", gamma=0.5, period=2), [0.8, 0.8, 0.4, 0.4, 0.2]),
        (Schedule("exponential", gamma=0.25, period=2), [0.8, 0.4, 0.2, 0.1, 0.05]),
        (Schedule("inverse_time", period=1), [0.8, 0.4, 0.8 / 3, 0.2, 0.16]),
    ],
)
def test_schedules_by_hand(schedule, expected):
    np.testing.assert_allclose(learning_rates(schedule, 0.8, 5), expected)


def test_schedule_is_applied_to_the_steps():
    result = run("gd", steps=4, learning_rate=0.04, schedule=Schedule("step", 0.5, 2))
    np.testing.assert_allclose(result.learning_rates, [0.04, 0.04, 0.02, 0.02])
    p = result.trajectory
    np.testing.assert_allclose(p[3], p[2] - 0.02 * hand_gradient(p[2]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "rmsprop"}, "unknown optimiser 'rmsprop'"),
        ({"learning_rate": 0.0}, "learning rate must be positive, got 0.0"),
        ({"beta": 1.0}, r"beta must lie in \[0, 1\), got 1.0"),
        ({"kind": "adam", "gamma": -0.1}, r"gamma must lie in \[0, 1\), got -0.1"),
        ({"kind": "sgd", "batch_size": 0}, "batch size must be at least 1, got 0"),
        ({"schedule": Schedule("cosine")}, "unknown schedule 'cosine'"),
        ({"schedule": Schedule("step", period=0)}, "period must be at least 1 step, got 0"),
        ({"schedule": Schedule("step", gamma=0.0)}, r"gamma must lie in \(0, 1\], got 0.0"),
    ],
)
def test_bad_settings_are_rejected(kwargs, message):
    kwargs = {"kind": "gd", **kwargs}
    with pytest.raises(ValueError, match=message):
        run(steps=3, **kwargs)


def test_bad_start_and_steps_are_rejected():
    with pytest.raises(ValueError, match="2 finite numbers"):
        run("gd", start=(np.nan, 0.0))
    with pytest.raises(ValueError, match="max_steps must be at least 1, got 0"):
        run("gd", steps=0)


def test_nearest_minimum_matches_a_loop():
    rng = np.random.default_rng(0)
    points, minima = rng.normal(size=(20, 2)), rng.normal(size=(4, 2))
    expected = [min(range(4), key=lambda k: np.sum((p - minima[k]) ** 2)) for p in points]
    np.testing.assert_array_equal(nearest_minimum(points, minima), expected)
    with pytest.raises(ValueError, match="at least one minimum"):
        nearest_minimum(points, np.zeros((0, 2)))


def test_race_runs_each_config_as_a_single_run_would():
    land = make_landscape("gabor", 30, 0.2, np.random.default_rng(1))
    # Three runs share one batch group (K_g = 3, the number of stacked terms too: a pairing
    # mistake between runs and terms would go unnoticed with other sizes).
    configs = (
        OptimizerConfig("sgd", 0.5, batch_size=5),
        OptimizerConfig("momentum", 0.5, batch_size=5),
        OptimizerConfig("gd", 0.5),
        OptimizerConfig("adam", 0.2, batch_size=5),
        OptimizerConfig("nesterov", 0.5, batch_size=7),
    )
    runs = race(land, configs, np.array([2.0, 9.0]), 50, np.random.default_rng(3))
    seed = int(np.random.default_rng(3).integers(2**63))
    for config, result in zip(configs, runs, strict=True):
        alone = run_optimizer(land, config, np.array([2.0, 9.0]), 50, np.random.default_rng(seed))
        np.testing.assert_array_equal(result.trajectory, alone.trajectory)
    # Same batch size and seed: the same mini-batches in the same order.
    for a, b in zip(runs[0].batch_indices, runs[1].batch_indices, strict=True):
        np.testing.assert_array_equal(a, b)


def test_from_starts_runs_once_per_start():
    land = make_landscape("gabor", 30, 0.2, np.random.default_rng(1))
    starts = np.array([[-5.0, 5.0], [5.0, 20.0], [0.0, 12.0]])
    runs = from_starts(land, OptimizerConfig("gd", 1.0), starts, 30, np.random.default_rng(0))
    assert len(runs) == 3
    for start, result in zip(starts, runs, strict=True):
        np.testing.assert_array_equal(result.trajectory[0], start)


# ---------------------------------------------------------------------------- step functions


def test_step_functions_by_hand():
    phi, m, v, g = (
        np.array([1.0, -2.0]),
        np.array([0.5, 0.25]),
        np.array([0.1, 0.4]),
        np.array([2.0, -1.0]),
    )
    np.testing.assert_array_equal(gd_step(phi, g, 0.5), [0.0, -1.5])
    new, m1 = momentum_step(phi, m, g, 0.5, 0.8)
    np.testing.assert_allclose(m1, [0.8 * 0.5 + 0.2 * 2.0, 0.8 * 0.25 - 0.2], atol=1e-15)
    np.testing.assert_allclose(new, phi - 0.5 * m1)
    np.testing.assert_allclose(nesterov_point(phi, m, 0.5, 0.8), [1.0 - 0.2, -2.0 - 0.1])
    new, m1, v1 = adam_step(phi, m, v, g, 0.1, 0.9, 0.99, 1e-8, t=2)
    m_hand = 0.9 * m + 0.1 * g
    v_hand = 0.99 * v + 0.01 * g**2
    step = 0.1 * (m_hand / (1 - 0.9**3)) / (np.sqrt(v_hand / (1 - 0.99**3)) + 1e-8)
    np.testing.assert_allclose(m1, m_hand)
    np.testing.assert_allclose(v1, v_hand)
    np.testing.assert_allclose(new, phi - step)


def test_exact_line_search_finds_the_minimum_along_the_gradient():
    land = tiny_line()
    p0 = np.array([0.5, -0.5])
    g = hand_gradient(p0)
    # Along phi - a g the least-squares loss is a parabola: its minimum in closed form.
    r = p0[0] + p0[1] * X - Y
    dr = g[0] + g[1] * X  # d r / d(-a)
    a_star = (r @ dr) / (dr @ dr)
    for first in (1e-4, 0.05, 30.0):  # from below, near and far above the minimum
        loss = np.mean(r**2)
        a = exact_line_search_step(land, p0, loss, g, first)
        assert a == pytest.approx(a_star, rel=1e-6)
    result = run("exact_line_search", steps=1, learning_rate=0.01, land=land)
    np.testing.assert_allclose(result.trajectory[1], p0 - a_star * g, rtol=1e-6)


def test_exact_line_search_gets_to_least_squares_on_the_line():
    result = run("exact_line_search", steps=500, learning_rate=0.1)
    exact = linear.exact_solution(linear.design_matrix(X), Y)
    np.testing.assert_allclose(result.trajectory[-1], exact, atol=1e-5)
    assert result.status == "converged"
    assert np.all(np.diff(result.losses) <= 1e-15)  # every step lowers the loss


@settings(max_examples=30, deadline=None)
@given(
    order=st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=4), min_size=1, max_size=5),
    steps=st.integers(1, 12),
)
def test_a_given_batch_order_is_followed_step_by_step(order, steps):
    config = OptimizerConfig("sgd", 0.05, batches=tuple(tuple(b) for b in order))
    result = run_optimizer(tiny_line(), config, np.array([0.5, -0.5]), steps, tolerance=0.0)
    assert len(result.batch_indices) == steps
    for t in range(steps):
        idx = np.array(order[t % len(order)])
        np.testing.assert_array_equal(result.batch_indices[t], idx)
        expected = result.trajectory[t] - 0.05 * hand_gradient(result.trajectory[t], idx)
        np.testing.assert_allclose(result.trajectory[t + 1], expected)
    np.testing.assert_array_equal(result.epoch_ends, np.arange(len(order), steps + 1, len(order)))


def test_a_given_order_replaces_the_seed():
    config = OptimizerConfig("momentum", 0.05, batches=((0, 1), (2, 3)))
    a = run_optimizer(tiny_line(), config, np.array([0.5, -0.5]), 9, np.random.default_rng(1))
    b = run_optimizer(tiny_line(), config, np.array([0.5, -0.5]), 9, np.random.default_rng(2))
    np.testing.assert_array_equal(a.trajectory, b.trajectory)


@pytest.mark.parametrize("order", [((),), ((0, 4),), ((-1,),)])
def test_bad_batch_orders_are_rejected(order):
    with pytest.raises(DomainError):
        run("sgd", batches=order)


def test_recorded_moments_are_those_of_the_update():
    result = run_optimizer(
        tiny_line(),
        OptimizerConfig("adam", 0.1, batch_size=2),
        np.array([0.5, -0.5]),
        6,
        np.random.default_rng(0),
        record=True,
    )
    m, v = np.zeros(2), np.zeros(2)
    for t in range(6):
        g = hand_gradient(result.trajectory[t], result.batch_indices[t])
        np.testing.assert_allclose(result.gradients[t], g)
        m, v = 0.9 * m + 0.1 * g, 0.99 * v + 0.01 * g * g
        np.testing.assert_allclose(result.moments[t], m)
        np.testing.assert_allclose(result.second_moments[t], v)
    plain = run_optimizer(
        tiny_line(), OptimizerConfig("gd", 0.05), np.array([0.5, -0.5]), 2, record=True
    )
    assert plain.gradients.shape == (2, 2) and plain.moments is None
    assert run("gd").gradients is None  # the default stays small


def test_registries_have_labels():
    assert set(OPTIMIZERS) == set(OPTIMIZER_NAMES) and all(OPTIMIZERS.values())
    assert set(FULL_BATCH) <= set(OPTIMIZER_NAMES)


def test_gradient_descent_stops_at_the_saddle_and_sgd_escapes():
    from core.landscape_critical import loss_map

    land = make_landscape("saddle", 40, 0.2, np.random.default_rng(0))
    view = loss_map(land, 60)
    saddle, valleys = view.saddles.points[0], view.minima.points
    gd, sgd = race(
        land,
        (OptimizerConfig("gd", 0.1), OptimizerConfig("sgd", 0.1, batch_size=8)),
        np.array([-1.0, 0.0]),
        300,
        np.random.default_rng(0),
    )
    assert gd.status == "converged"
    np.testing.assert_allclose(gd.trajectory[-1], saddle, atol=1e-5)
    assert gd.losses[-1] == pytest.approx(view.saddles.losses[0], rel=1e-6)
    end = sgd.trajectory[-1]
    assert np.min(np.hypot(*(valleys - end).T)) < 0.3  # in one of the valleys
    assert sgd.losses[-1] < view.saddles.losses[0] - 0.3


@pytest.mark.parametrize("kind", optimizers.SCHEDULE_NAMES)
def test_learning_rates_from_a_later_step_are_the_tail_of_the_whole_schedule(kind):
    schedule = optimizers.Schedule(kind, 0.7, 3)
    whole = optimizers.learning_rates(schedule, 0.2, 50)
    np.testing.assert_array_equal(
        optimizers.learning_rates(schedule, 0.2, 50, start=17), whole[17:]
    )

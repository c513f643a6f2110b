"""Shallow ReLU and sigmoid fits, polynomial bases, coefficient counts, Gaussian radial density.

Oracles: scalar formulas and loops, the normal equations, exact reproduction of
piecewise-linear targets, finite differences, itertools enumeration, closed-form chi
densities and sampled histograms.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.approximation import (
    TARGET_NAMES,
    ApproximationConfig,
    error_sweep,
    eval_grid,
    evaluate_polynomial,
    fit_output_weights,
    fit_polynomial,
    fit_relu_net,
    joints_to_theta,
    log_log_fit,
    loss_and_gradient,
    max_stable_degree,
    random_joints,
    refine_by_gradient_descent,
    run_approximation,
    shallow_net,
    spread_joints,
    sweep_sizes,
    target_domain,
    target_function,
    theta_to_joints,
)
from tests.core.finite_differences import numeric_gradient

X = np.array([-1.0, -0.75, -0.3, -0.01, 0.0, 0.01, 0.2, 0.5, 0.99, 1.0])

SCALAR_TARGETS = {
    "sine": lambda x: math.sin(2 * math.pi * x),
    "step": lambda x: 1.0 if x > 0 else 0.0,
    "abs": abs,
    "sawtooth": lambda x: 2 * ((x + 1) - math.floor(x + 1)) - 1,
    "gaussian_bump": lambda x: math.exp(-(x**2) / (2 * 0.2**2)),
}


def interp_loop(x, pts):
    """Piecewise-linear interpolation by searching the segment, one x at a time."""
    for (xa, ya), (xb, yb) in itertools.pairwise(pts):
        if xa <= x <= xb:
            return ya + (yb - ya) * (x - xa) / (xb - xa)
    raise AssertionError("x outside the points")


# ------------------------------------------------------------------------- targets
@pytest.mark.parametrize("name", [n for n in TARGET_NAMES if n != "points"])
def test_targets_match_scalar_formulas(name):
    expected = [SCALAR_TARGETS[name](float(x)) for x in X]
    np.testing.assert_allclose(target_function(name, X), expected, atol=1e-12)


def test_points_target_is_the_piecewise_linear_curve_through_the_points():
    pts = [(-2.0, 1.0), (0.5, -1.0), (1.0, 3.0), (4.0, 0.0)]
    shuffled = np.array([pts[2], pts[0], pts[3], pts[1]])  # order of typing does not matter
    x = np.linspace(-2, 4, 37)
    np.testing.assert_allclose(
        target_function("points", x, shuffled), [interp_loop(v, pts) for v in x], atol=1e-12
    )
    assert target_domain("points", shuffled) == (-2.0, 4.0)


@pytest.mark.parametrize(
    ("name", "points", "message"),
    [
        ("wave", None, "unknown target 'wave'; choose one of sine"),
        ("points", None, "needs a list of points"),
        ("points", [(0.0, 1.0)], "at least 2 points, got 1"),
        ("points", [(0.0, 1.0), (0.0, 2.0)], "distinct x values"),
        ("points", [(0.0, 1.0), (1.0, float("nan"))], "finite"),
        ("points", [(0.0, 1.0), (5e-324, 2.0)], "span at least 0.001 in x"),
    ],
)
def test_bad_targets_are_explained(name, points, message):
    with pytest.raises(ValueError, match=message):
        target_function(name, X, None if points is None else np.array(points))


# ------------------------------------------------------------------------- the network
def test_spread_joints_start_at_the_left_edge_and_are_equally_spaced():
    np.testing.assert_allclose(spread_joints(4, -1.0, 1.0), [-1.0, -0.5, 0.0, 0.5])
    with pytest.raises(ValueError, match="at least 1 hidden unit, got 0"):
        spread_joints(0, -1.0, 1.0)
    with pytest.raises(ValueError, match=r"x_max > x_min, got \[1.0, 1.0\]"):
        spread_joints(3, 1.0, 1.0)


def test_random_joints_are_reproducible_sorted_and_inside():
    a = random_joints(20, -1.0, 2.0, np.random.default_rng(5))
    b = random_joints(20, -1.0, 2.0, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    assert a[0] == -1.0
    assert np.all(np.diff(a) >= 0) and a.max() <= 2.0


def test_theta_joint_round_trip():
    joints = np.array([-0.7, 0.1, 0.4])
    np.testing.assert_allclose(theta_to_joints(joints_to_theta(joints)), joints)
    assert np.isnan(theta_to_joints(np.array([[1.0, 0.0]]))[0])


def test_shallow_net_matches_a_scalar_loop():
    rng = np.random.default_rng(0)
    theta = rng.normal(size=(5, 2))
    phi = rng.normal(size=6)
    expected = [
        phi[0] + sum(phi[k + 1] * max(0.0, theta[k, 0] + theta[k, 1] * x) for k in range(5))
        for x in X
    ]
    np.testing.assert_allclose(shallow_net(X, theta, phi), expected, atol=1e-12)


def test_least_squares_matches_the_normal_equations_on_a_tiny_case():
    x = np.array([-1.0, -0.5, 0.0, 0.3, 0.8, 1.0])
    y = np.array([0.2, -0.1, 0.4, 0.9, 0.3, -0.5])
    theta = joints_to_theta(np.array([-1.0, 0.1]))
    design = np.array([[1.0, max(0.0, v + 1.0), max(0.0, v - 0.1)] for v in x])
    expected = np.linalg.solve(design.T @ design, design.T @ y)
    np.testing.assert_allclose(fit_output_weights(x, y, theta), expected, atol=1e-12)


def test_least_squares_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"equal length, got \(3,\) and \(2,\)"):
        fit_output_weights(np.zeros(3), np.zeros(2), joints_to_theta(np.array([0.0])))


def test_joints_at_the_kink_reproduce_abs_exactly():
    x = np.linspace(-1, 1, 50)
    theta = joints_to_theta(spread_joints(2, -1.0, 1.0))  # joints at -1 and 0
    phi = fit_output_weights(x, np.abs(x), theta)
    np.testing.assert_allclose(phi, [1.0, -1.0, 2.0], atol=1e-12)  # |x| = 1 - (x+1) + 2 relu(x)
    grid = eval_grid(-1, 1)
    np.testing.assert_allclose(shallow_net(grid, theta, phi), np.abs(grid), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-5, 5, allow_nan=False), st.floats(-5, 5, allow_nan=False)),
        min_size=2,
        max_size=8,
        unique_by=lambda p: round(p[0], 1),
    )
)
@example([(-1.0, 0.0), (0.0, 1.0), (1.0, 0.0)])
def test_joints_at_the_kinks_of_typed_points_reproduce_them_exactly(raw):
    pts = np.array(sorted((round(x, 1), y) for x, y in raw))
    x_min, x_max = pts[0, 0], pts[-1, 0]
    x = np.linspace(x_min, x_max, 200)
    y = target_function("points", x, pts)
    theta = joints_to_theta(pts[:-1, 0])  # the left edge plus every interior kink
    phi = fit_output_weights(np.concatenate([x, pts[:, 0]]), np.concatenate([y, pts[:, 1]]), theta)
    np.testing.assert_allclose(shallow_net(pts[:, 0], theta, phi), pts[:, 1], atol=1e-8)
    np.testing.assert_allclose(shallow_net(x, theta, phi), y, atol=1e-8)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    x = np.linspace(-1, 1, 41)
    y = np.sin(3 * x)
    theta = np.stack([rng.uniform(-0.9, 0.9, 6), rng.choice([-1.3, 0.7, 1.9], 6)], axis=1)
    phi = rng.normal(size=7)
    loss, g_theta, g_phi = loss_and_gradient(x, y, theta, phi)
    assert loss == pytest.approx(np.mean((shallow_net(x, theta, phi) - y) ** 2))
    numeric_theta = numeric_gradient(lambda t: loss_and_gradient(x, y, t, phi)[0], theta)
    numeric_phi = numeric_gradient(lambda p: loss_and_gradient(x, y, theta, p)[0], phi)
    np.testing.assert_allclose(g_theta, numeric_theta, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(g_phi, numeric_phi, rtol=1e-5, atol=1e-8)


def test_gradient_descent_only_goes_downhill_and_moves_the_joints():
    x = np.linspace(-1, 1, 100)
    y = target_function("step", x)
    theta = joints_to_theta(spread_joints(6, -1.0, 1.0))
    phi = fit_output_weights(x, y, theta)
    result = refine_by_gradient_descent(x, y, theta, phi, learning_rate=0.5, n_steps=300)
    assert result.status == "finished"
    assert result.losses.size == 301
    assert np.all(np.diff(result.losses) <= 1e-15)
    assert result.losses[-1] < 0.8 * result.losses[0]
    assert not np.allclose(result.theta, theta)
    np.testing.assert_array_equal(theta, joints_to_theta(spread_joints(6, -1.0, 1.0)))  # pure
    final = loss_and_gradient(x, y, result.theta, result.phi)[0]
    assert final == pytest.approx(result.losses[-1])


def test_gradient_descent_stops_when_no_step_lowers_the_loss():
    x = np.linspace(-1, 1, 50)
    y = 0.3 * np.maximum(x, 0.0) + 0.1
    theta = joints_to_theta(np.array([-1.0, 0.0]))
    phi = np.array([0.1, 0.0, 0.3])  # exact: the gradient is zero
    result = refine_by_gradient_descent(x, y, theta, phi, 0.5, 10)
    assert result.status in {"converged", "finished"}
    assert result.losses.max() < 1e-25


def test_gradient_descent_reports_a_non_finite_loss_as_diverged():
    x = np.linspace(-1, 1, 5)
    y = np.array([0.0, np.nan, 0.0, 0.0, 0.0])
    result = refine_by_gradient_descent(x, y, joints_to_theta(np.array([0.0])), np.zeros(2), 1, 5)
    assert result.status == "diverged"
    assert result.losses.size == 0


@pytest.mark.parametrize(
    ("lr", "steps", "message"), [(0.0, 5, "positive"), (0.1, -1, "at least 0")]
)
def test_gradient_descent_rejects_bad_settings(lr, steps, message):
    with pytest.raises(ValueError, match=message):
        refine_by_gradient_descent(X, X, joints_to_theta(np.array([0.0])), np.zeros(2), lr, steps)


def test_max_stable_degree_and_the_run_refuses_unstable_fits():
    assert max_stable_degree(200) == 40
    assert max_stable_degree(8) == 7  # M + 1 coefficients need M + 1 samples
    with pytest.raises(ValueError, match="degree M = 8 needs at least 9 equally spaced"):
        run_approximation(ApproximationConfig(degree=8, n_samples=8), np.random.default_rng(0))
    with pytest.raises(ValueError, match="degree 3 needs at least 4 samples, got 3"):
        fit_polynomial(np.array([0.0, 0.5, 1.0]), np.zeros(3), 3, 0.0, 1.0)
    with pytest.raises(ValueError, match="degree M = 41 needs at least 211 equally spaced"):
        run_approximation(ApproximationConfig(degree=41, n_samples=200), np.random.default_rng(0))


# ------------------------------------------------------------------------- error against n
def test_sweep_sizes_are_powers_of_two_up_to_the_maximum():
    np.testing.assert_array_equal(sweep_sizes(16), [1, 2, 4, 8, 16])
    np.testing.assert_array_equal(sweep_sizes(20), [1, 2, 4, 8, 16, 20])
    np.testing.assert_array_equal(sweep_sizes(1), [1])


@pytest.mark.parametrize("target", ["sine", "gaussian_bump", "step", "sawtooth"])
def test_error_decreases_with_n(target):
    sweep = error_sweep(target, np.array([4, 8, 16, 32, 64]))
    assert np.all(np.diff(sweep.network_error) < 0)
    np.testing.assert_allclose(sweep.reference, sweep.c / sweep.n_values)
    assert sweep.reference[0] == pytest.approx(sweep.network_error[0])


def test_error_rates_follow_the_smoothness_of_the_target():
    # Linear pieces of width h = 2/n: a jump costs ~h in squared error (rate -1), a smooth
    # function ~h^4 (rate -4).
    step = error_sweep("step", sweep_sizes(256))
    assert -1.15 < step.network_rate < -0.85
    bump = error_sweep("gaussian_bump", np.array([16, 32, 64, 128, 256]))
    assert -4.3 < bump.network_rate < -3.7
    # Polynomials converge geometrically for the analytic bump (faster than any power of n).
    assert bump.polynomial_error[-1] < 1e-20


def test_sweep_polynomials_stop_at_degree_64():
    sweep = error_sweep("sine", sweep_sizes(256))
    np.testing.assert_array_equal(sweep.degrees, [1, 2, 4, 8, 16, 32, 64])
    assert sweep.polynomial_error.size == 7
    with pytest.raises(ValueError, match="at most 256 hidden units"):
        error_sweep("sine", np.array([512]))


@pytest.mark.parametrize(
    ("target", "points", "activation"),
    [
        ("sine", (), "relu"),
        ("step", (), "sigmoid"),
        ("points", ((-1, 0), (0, 2), (1.5, 1)), "relu"),
    ],
)
def test_the_experiment_reuses_the_sweep_of_its_own_settings(target, points, activation):
    # The sweep depends on target, points, activation and sweep_max only: a second run with
    # other n, noise, degree and seed shares it, and it equals a fresh sweep.
    first = run_approximation(
        ApproximationConfig(target=target, points=points, activation=activation, sweep_max=32),
        np.random.default_rng(0),
    )
    other = ApproximationConfig(
        target=target,
        points=points,
        activation=activation,
        sweep_max=32,
        n_hidden=3,
        noise=0.2,
        degree=2,
        joint_placement="random",
    )
    second = run_approximation(other, np.random.default_rng(9))
    fresh = error_sweep(
        target, sweep_sizes(32), np.array(points, dtype=float) if points else None, activation
    )
    for name, value in vars(fresh).items():
        np.testing.assert_array_equal(getattr(second.sweep, name), value)
    assert second.sweep is first.sweep
    assert not second.sweep.network_error.flags.writeable


# ------------------------------------------------------------------------- the experiment
def test_run_approximation_with_noise_is_reproducible_from_the_seed():
    cfg = ApproximationConfig(target="gaussian_bump", noise=0.1, joint_placement="random")
    a = run_approximation(cfg, np.random.default_rng(3))
    b = run_approximation(cfg, np.random.default_rng(3))
    c = run_approximation(cfg, np.random.default_rng(4))
    np.testing.assert_array_equal(a.y_train, b.y_train)
    np.testing.assert_array_equal(a.joints, b.joints)
    assert not np.array_equal(a.y_train, c.y_train)
    assert a.status == "least_squares" and a.losses.size == 0
    assert a.n_parameters == 3 * cfg.n_hidden + 1


def test_run_approximation_with_refinement_beats_least_squares_on_the_step():
    cfg = ApproximationConfig(target="step", n_hidden=6, gd_steps=400, sweep_max=8)
    result = run_approximation(cfg, np.random.default_rng(0))
    assert result.status == "finished"
    assert result.network_error < result.least_squares_error
    ls = run_approximation(
        ApproximationConfig(target="step", n_hidden=6, sweep_max=8), np.random.default_rng(0)
    )
    assert ls.network_error == pytest.approx(result.least_squares_error)


def test_run_approximation_fits_typed_points_exactly_with_enough_spread_joints():
    # Kinks at -1, 0, 1 on [-2, 2]; 4 spread joints sit at -2, -1, 0, 1.
    pts = ((-2.0, 0.0), (-1.0, 1.0), (0.0, -1.0), (1.0, 2.0), (2.0, 0.0))
    result = run_approximation(
        ApproximationConfig(target="points", points=pts, n_hidden=4, sweep_max=4),
        np.random.default_rng(0),
    )
    assert result.network_error < 1e-25
    np.testing.assert_allclose(result.joints, [-2.0, -1.0, 0.0, 1.0])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n_samples": 1}, "at least 2 training samples, got 1"),
        ({"noise": -0.1}, "noise level must be at least 0"),
        ({"joint_placement": "grid"}, "unknown joint placement 'grid'"),
        ({"n_hidden": 0}, "at least 1 hidden unit, got 0"),
    ],
)
def test_run_approximation_rejects_bad_configs(changes, message):
    with pytest.raises(ValueError, match=message):
        run_approximation(ApproximationConfig(**changes), np.random.default_rng(0))


def test_points_target_without_points_is_explained():
    with pytest.raises(ValueError, match="the 'points' target needs a list of points"):
        run_approximation(ApproximationConfig(target="points"), np.random.default_rng(0))


@pytest.mark.parametrize("target", ["step", "gaussian_bump", "abs"])
def test_sweep_matches_separate_least_squares_fits(target):
    n_values = np.array([1, 3, 8, 20])
    sweep = error_sweep(target, n_values)
    x = np.linspace(-1, 1, 1024)
    y = target_function(target, x)
    grid = eval_grid(-1, 1)
    f = target_function(target, grid)
    for j, n in enumerate(n_values):
        theta = joints_to_theta(spread_joints(int(n), -1.0, 1.0))
        net = shallow_net(grid, theta, fit_output_weights(x, y, theta))
        assert sweep.network_error[j] == pytest.approx(np.mean((net - f) ** 2), rel=1e-7, abs=1e-25)
        poly = evaluate_polynomial(grid, fit_polynomial(x, y, int(n), -1.0, 1.0), -1.0, 1.0)
        assert sweep.polynomial_error[j] == pytest.approx(np.mean((poly - f) ** 2), rel=1e-7)
    slope = np.polyfit(np.log(n_values), np.log(sweep.network_error), 1)[0]
    assert sweep.network_rate == pytest.approx(slope)


@pytest.mark.parametrize(
    "joints",
    [
        [-1.0, -0.5, 0.0, 0.5],  # spread: hat-basis path
        [-1.0, 0.3, 0.30001, 0.9],  # crowded: a piece without samples, SVD path
        [-1.0, 0.2, -0.4],  # not sorted: SVD path
    ],
)
def test_fit_relu_net_matches_the_svd_least_squares(joints):
    x = np.linspace(-1, 1, 60)
    y = np.sin(3 * x) + (x > 0.2)
    joints = np.array(joints)
    theta = joints_to_theta(joints)
    expected = shallow_net(x, theta, fit_output_weights(x, y, theta))
    np.testing.assert_allclose(
        shallow_net(x, theta, fit_relu_net(x, y, joints)), expected, atol=1e-9
    )


# ------------------------------------------------------------------------- statements on the page
@pytest.mark.parametrize("target", ["step", "sawtooth"])
def test_c_over_n_through_the_first_error_is_no_bound_for_targets_with_a_jump(target):
    """The reference line c/n through the n = 1 error lies below the measured error at every
    n >= 2: it is a reference slope, not a bound (Barron's bound needs a finite C_f)."""
    sweep = error_sweep(target, sweep_sizes(256))
    assert np.all(sweep.network_error[1:] > sweep.reference[1:])


def test_measured_slope_and_fitted_line_match_numpy_polyfit():
    sweep = error_sweep("step", sweep_sizes(128))
    p, q = np.polyfit(np.log(sweep.n_values), np.log(sweep.network_error), 1)
    assert sweep.network_rate == pytest.approx(p, rel=1e-10)
    np.testing.assert_allclose(sweep.fitted, np.exp(q) * sweep.n_values**p, rtol=1e-10)
    assert log_log_fit(np.array([1.0, 2.0, 4.0]), np.array([3.0, 0.75, 0.1875])) == (
        pytest.approx(-2.0),
        pytest.approx(math.log(3.0)),
    )


def test_refinement_lowers_the_training_loss_but_not_always_the_error_to_the_clean_target():
    """Sine, n = 32, sigma = 0.3, 100 samples, seed 0: 1000 descent steps take the training
    loss down at every step while the error against sin(2 pi x) goes 0.03029 -> 0.03064."""
    cfg = ApproximationConfig(n_hidden=32, noise=0.3, n_samples=100, gd_steps=1000, degree=4)
    result = run_approximation(cfg, np.random.default_rng(0))
    assert np.all(np.diff(result.losses) <= 0) and result.losses[-1] < result.losses[0]
    assert result.least_squares_error == pytest.approx(0.03029, abs=5e-6)
    assert result.network_error == pytest.approx(0.03064, abs=5e-6)
    assert result.network_error > result.least_squares_error


# ------------------------------------------------------------------------- sigmoid units
def test_sigmoid_net_matches_a_scalar_loop_and_its_gradient_finite_differences():
    rng = np.random.default_rng(5)
    theta = rng.normal(size=(4, 2))
    phi = rng.normal(size=5)
    x = np.linspace(-1, 1, 7)
    y = np.cos(3 * x)
    loop = [
        phi[0]
        + sum(phi[k + 1] / (1 + math.exp(-(t0 + t1 * xi))) for k, (t0, t1) in enumerate(theta))
        for xi in x
    ]
    np.testing.assert_allclose(shallow_net(x, theta, phi, "sigmoid"), loop, rtol=1e-12)
    loss, g_theta, g_phi = loss_and_gradient(x, y, theta, phi, "sigmoid")
    numeric_theta = numeric_gradient(lambda t: loss_and_gradient(x, y, t, phi, "sigmoid")[0], theta)
    numeric_phi = numeric_gradient(lambda p: loss_and_gradient(x, y, theta, p, "sigmoid")[0], phi)
    np.testing.assert_allclose(g_theta, numeric_theta, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(g_phi, numeric_phi, rtol=1e-5, atol=1e-8)


def test_sigmoid_sweep_matches_separate_least_squares_fits_and_converges():
    n_values = np.array([2, 8, 32])
    sweep = error_sweep("sine", n_values, activation="sigmoid")
    x = np.linspace(-1, 1, 1024)
    y = target_function("sine", x)
    grid = eval_grid(-1, 1)
    f = target_function("sine", grid)
    for j, n in enumerate(n_values):
        theta = joints_to_theta(spread_joints(int(n), -1.0, 1.0), 2.0 * n / 2.0)
        net = shallow_net(grid, theta, fit_output_weights(x, y, theta, "sigmoid"), "sigmoid")
        assert sweep.network_error[j] == pytest.approx(np.mean((net - f) ** 2), rel=1e-6)
    assert np.all(np.diff(sweep.network_error) < 0)


def test_sigmoid_run_reports_centres_and_refines_downhill():
    cfg = ApproximationConfig(activation="sigmoid", n_hidden=6, sweep_max=8)
    start = run_approximation(cfg, np.random.default_rng(0))
    np.testing.assert_allclose(start.theta[:, 1], 6.0)  # slope 2 n / (x_max - x_min)
    np.testing.assert_allclose(start.joints, spread_joints(6, -1.0, 1.0))  # the centres
    cfg = ApproximationConfig(activation="sigmoid", n_hidden=6, gd_steps=50, sweep_max=8)
    result = run_approximation(cfg, np.random.default_rng(0))
    assert np.all(np.diff(result.losses) <= 0)
    assert result.least_squares_error == pytest.approx(start.network_error)
    assert result.network_error < 0.05


def test_unknown_hidden_activation_is_explained():
    with pytest.raises(ValueError, match="unknown hidden activation 'tanh'; choose one of relu"):
        run_approximation(ApproximationConfig(activation="tanh"), np.random.default_rng(0))

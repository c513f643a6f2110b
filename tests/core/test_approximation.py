"""Shallow ReLU fits, polynomial bases, coefficient counts and the Gaussian radial density.

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
    coefficient_counts,
    error_sweep,
    eval_grid,
    evaluate_polynomial,
    fit_output_weights,
    fit_polynomial,
    joints_to_theta,
    loss_and_gradient,
    max_stable_degree,
    polynomial_coefficient_count,
    polynomial_design,
    radial_density,
    radial_mode,
    radial_panel,
    random_joints,
    refine_by_gradient_descent,
    run_approximation,
    shallow_net,
    shallow_net_parameter_count,
    spread_joints,
    sweep_sizes,
    target_domain,
    target_function,
    theta_to_joints,
)

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
    h = 1e-6
    for idx in np.ndindex(theta.shape):
        step = np.zeros_like(theta)
        step[idx] = h
        numeric = (
            loss_and_gradient(x, y, theta + step, phi)[0]
            - loss_and_gradient(x, y, theta - step, phi)[0]
        ) / (2 * h)
        assert g_theta[idx] == pytest.approx(numeric, rel=1e-5, abs=1e-8)
    for k in range(phi.size):
        step = np.zeros_like(phi)
        step[k] = h
        numeric = (
            loss_and_gradient(x, y, theta, phi + step)[0]
            - loss_and_gradient(x, y, theta, phi - step)[0]
        ) / (2 * h)
        assert g_phi[k] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


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
        polynomial_design(X, -1, -1.0, 1.0)


def test_max_stable_degree_and_the_run_refuses_unstable_fits():
    assert max_stable_degree(200) == 40
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
    assert np.all(np.diff(sweep.relu_error) < 0)
    np.testing.assert_allclose(sweep.reference, sweep.c / sweep.n_values)
    assert sweep.reference[0] == pytest.approx(sweep.relu_error[0])


def test_error_rates_follow_the_smoothness_of_the_target():
    # Linear pieces of width h = 2/n: a jump costs ~h in squared error (rate -1, the c/n of
    # the bound), a smooth function ~h^4 (rate -4).
    step = error_sweep("step", sweep_sizes(256))
    assert -1.15 < step.relu_rate < -0.85
    bump = error_sweep("gaussian_bump", np.array([16, 32, 64, 128, 256]))
    assert -4.3 < bump.relu_rate < -3.7
    # Polynomials converge geometrically for the analytic bump (faster than any power of n).
    assert bump.polynomial_error[-1] < 1e-20


def test_sweep_polynomials_stop_at_degree_64():
    sweep = error_sweep("sine", sweep_sizes(256))
    np.testing.assert_array_equal(sweep.degrees, [1, 2, 4, 8, 16, 32, 64])
    assert sweep.polynomial_error.size == 7
    with pytest.raises(ValueError, match="at most 256 hidden units"):
        error_sweep("sine", np.array([512]))


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
    assert result.relu_error < result.least_squares_error
    ls = run_approximation(
        ApproximationConfig(target="step", n_hidden=6, sweep_max=8), np.random.default_rng(0)
    )
    assert ls.relu_error == pytest.approx(result.least_squares_error)


def test_run_approximation_fits_typed_points_exactly_with_enough_spread_joints():
    # Kinks at -1, 0, 1 on [-2, 2]; 4 spread joints sit at -2, -1, 0, 1.
    pts = ((-2.0, 0.0), (-1.0, 1.0), (0.0, -1.0), (1.0, 2.0), (2.0, 0.0))
    result = run_approximation(
        ApproximationConfig(target="points", points=pts, n_hidden=4, sweep_max=4),
        np.random.default_rng(0),
    )
    assert result.relu_error < 1e-25
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

"""Linear regression core against independent oracles."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core import linear
from tests.core.finite_differences import numeric_gradient

finite = st.floats(min_value=-5, max_value=5, allow_nan=False)


@pytest.fixture
def data():
    return linear.make_data(30, slope=1.2, intercept=0.5, noise=0.3, rng=np.random.default_rng(1))


def test_make_data_is_reproducible_and_follows_the_line():
    a = linear.make_data(2000, 2.0, -1.0, 0.1, np.random.default_rng(7))
    b = linear.make_data(2000, 2.0, -1.0, 0.1, np.random.default_rng(7))
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    residual = a.y - (-1.0 + 2.0 * a.x)
    assert abs(residual.std() - 0.1) < 0.01
    assert a.x.min() >= 0.0 and a.x.max() <= 2.0


def test_loss_matches_a_plain_loop(data):
    phi = np.array([0.3, -0.7])
    expected = sum((phi[0] + phi[1] * xi - yi) ** 2 for xi, yi in zip(data.x, data.y, strict=True))
    assert linear.mse_loss(phi, data.x, data.y) == pytest.approx(expected / len(data.x))


@given(p0=finite, p1=finite)
@settings(max_examples=50, deadline=None)
def test_gradient_matches_finite_differences(p0, p1):
    d = linear.make_data(20, 1.0, 0.0, 0.5, np.random.default_rng(3))
    phi = np.array([p0, p1])
    numeric = numeric_gradient(lambda p: linear.mse_loss(p, d.x, d.y), phi)
    np.testing.assert_allclose(linear.mse_gradient(phi, d.x, d.y), numeric, rtol=1e-5, atol=1e-6)


def test_surface_matches_brute_force(data):
    q = linear.quadratic_form(data.x, data.y)
    phi0 = np.linspace(-2, 2, 7)
    phi1 = np.linspace(-1, 3, 5)
    surface = linear.loss_surface(q, phi0, phi1)
    assert surface.shape == (5, 7)
    for i, p1 in enumerate(phi1):
        for j, p0 in enumerate(phi0):
            expected = linear.mse_loss(np.array([p0, p1]), data.x, data.y)
            assert surface[i, j] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_exact_solution_matches_closed_form_and_lstsq(data):
    X = linear.design_matrix(data.x)
    phi = linear.exact_solution(X, data.y)
    # Closed form for a line: slope = cov(x, y) / var(x), intercept = mean(y) - slope mean(x).
    slope = np.cov(data.x, data.y, bias=True)[0, 1] / np.var(data.x)
    np.testing.assert_allclose(phi, [data.y.mean() - slope * data.x.mean(), slope], rtol=1e-10)
    # General D: against numpy's own least squares on a random problem.
    rng = np.random.default_rng(0)
    X5 = rng.standard_normal((40, 5))
    y5 = rng.standard_normal(40)
    np.testing.assert_allclose(
        linear.exact_solution(X5, y5), np.linalg.lstsq(X5, y5, rcond=None)[0], rtol=1e-10
    )
    # The minimum has zero gradient.
    np.testing.assert_allclose(linear.mse_gradient(phi, data.x, data.y), 0.0, atol=1e-12)


def test_gradient_descent_reaches_the_exact_solution(data):
    q = linear.quadratic_form(data.x, data.y)
    run = linear.gradient_descent(q, np.array([-2.0, 2.5]), 0.2, 1e-14, 20_000)
    assert run.status == "converged"
    exact = linear.exact_solution(linear.design_matrix(data.x), data.y)
    np.testing.assert_allclose(run.trajectory[-1], exact, atol=1e-5)
    assert np.all(np.diff(run.losses) <= 1e-15)  # a small enough step never increases L
    assert run.trajectory.shape == (run.steps + 1, 2)


def test_gradient_descent_first_step_is_the_update_rule(data):
    q = linear.quadratic_form(data.x, data.y)
    start = np.array([1.0, -1.0])
    run = linear.gradient_descent(q, start, 0.05, 0.0, 1)
    expected = start - 0.05 * linear.mse_gradient(start, data.x, data.y)
    np.testing.assert_allclose(run.trajectory[1], expected, rtol=1e-12)
    assert run.status == "max_steps" and run.steps == 1


def test_too_large_learning_rate_diverges_without_nan(data):
    q = linear.quadratic_form(data.x, data.y)
    largest = np.linalg.eigvalsh(q.A).max()
    run = linear.gradient_descent(q, np.array([0.0, 0.0]), 1.05 / largest, 1e-9, 100_000)
    assert run.status == "diverged"
    assert np.all(np.isfinite(run.trajectory)) and np.all(np.isfinite(run.losses))
    assert run.losses[-1] > run.losses[0]


def test_level_line_is_a_level_set_orthogonal_to_the_gradient(data):
    q = linear.quadratic_form(data.x, data.y)
    phi = np.array([1.5, -0.5])
    line = linear.level_line(q, phi, n_points=721)
    np.testing.assert_allclose(line[0], phi, atol=1e-12)
    target = linear.mse_loss(phi, data.x, data.y)
    losses = [linear.mse_loss(p, data.x, data.y) for p in line]
    np.testing.assert_allclose(losses, target, rtol=1e-9)
    tangent = line[1] - line[-2]  # central difference through the start point
    gradient = linear.mse_gradient(phi, data.x, data.y)
    cosine = tangent @ gradient / (np.linalg.norm(tangent) * np.linalg.norm(gradient))
    assert abs(cosine) < 1e-4


@given(p0=finite, p1=finite)
@settings(max_examples=50, deadline=None)
def test_level_line_tangent_and_angle_match_the_polyline(p0, p1):
    # Oracle: the direction of the core's own level-line polyline at phi by a central
    # difference, and the angle it makes with the gradient, computed here by hand.
    d = linear.make_data(20, 1.0, 0.0, 0.5, np.random.default_rng(3))
    q = linear.quadratic_form(d.x, d.y)
    phi = np.array([p0, p1])
    gradient = linear.mse_gradient(phi, d.x, d.y)
    assume(np.linalg.norm(gradient) > 1e-3)
    line = linear.level_line(q, phi, n_points=3601)
    chord = line[1] - line[-2]
    tangent = linear.level_line_tangent(q, phi)
    step = 2 * np.pi / 3600
    np.testing.assert_allclose(tangent, chord / (2 * step), rtol=1e-4, atol=1e-9)
    cosine = abs(gradient @ chord) / (np.linalg.norm(gradient) * np.linalg.norm(chord))
    by_hand = np.degrees(np.arccos(min(cosine, 1.0)))
    assert by_hand == pytest.approx(90, abs=1e-4)
    angle = linear.line_angle_degrees(gradient, tangent)
    assert angle == pytest.approx(by_hand, abs=1e-4)
    assert angle == pytest.approx(90, abs=1e-6)


@pytest.mark.parametrize(
    ("direction", "line", "degrees"),
    [
        ([1.0, 0.0], [1.0, 1.0], 45.0),
        ([1.0, 0.0], [0.0, -2.0], 90.0),
        ([1.0, 0.0], [-3.0, 0.0], 0.0),  # a line has no sense: t and -t are the same line
        ([1.0, 0.0], [-1.0, np.sqrt(3.0)], 60.0),
        ([0.0, 0.0], [1.0, 0.0], None),
        ([1.0, 0.0], [0.0, 0.0], None),
    ],
)
def test_line_angle_against_known_angles(direction, line, degrees):
    angle = linear.line_angle_degrees(np.array(direction), np.array(line))
    assert angle == (None if degrees is None else pytest.approx(degrees, abs=1e-12))


def test_level_line_tangent_vanishes_at_the_minimum(data):
    q = linear.quadratic_form(data.x, data.y)
    centre = np.linalg.solve(q.A, q.b)
    np.testing.assert_allclose(linear.level_line_tangent(q, centre), 0.0, atol=1e-12)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([1.0, 1.0], [2.0, 3.0], "two distinct x"),
        ([1.0, 2.0], [2.0], "equal length"),
        ([1.0, float("nan")], [2.0, 3.0], "finite"),
    ],
)
def test_check_data_rejects_bad_input(x, y, message):
    with pytest.raises(ValueError, match=message):
        linear.check_data(np.array(x), np.array(y))


def test_explore_bundles_consistent_numbers(data):
    view = linear.explore(
        data, np.array([0.0, 1.0]), (-3, 3), (-3, 3), 41, linear.DescentSettings(0.1, 1e-8, 50)
    )
    assert view.surface.shape == (41, 41)
    assert view.loss == pytest.approx(linear.mse_loss(np.array([0.0, 1.0]), data.x, data.y))
    assert view.exact_loss <= view.loss
    assert view.descent is not None and view.descent.losses[-1] < view.loss
    assert view.gradient_norm == pytest.approx(np.sqrt(np.sum(view.gradient**2)), rel=1e-15)
    assert view.gradient_level_angle == pytest.approx(90, abs=1e-9)
    width = data.x.max() - data.x.min()
    ends = [data.x.min() - 0.05 * width, data.x.max() + 0.05 * width]
    np.testing.assert_allclose(view.line_x, ends, rtol=1e-15)
    for line, (p0, p1) in (
        (view.line_current, (0.0, 1.0)),
        (view.line_exact, view.exact),
        (view.line_descent, view.descent.trajectory[-1]),
    ):
        np.testing.assert_allclose(line, [p0 + p1 * ends[0], p0 + p1 * ends[1]], rtol=1e-12)
    at_min = linear.explore(data, view.exact, (-3, 3), (-3, 3), 2)
    assert at_min.descent is None and at_min.line_descent is None
    assert at_min.gradient_vanishes and at_min.gradient_level_angle is None


def test_gradient_vanishes_only_where_it_is_rounding_noise(data):
    exact = linear.exact_solution(linear.design_matrix(data.x), data.y)
    at_min = linear.mse_gradient(exact, data.x, data.y)
    assert linear.gradient_vanishes(exact, data.x, data.y, at_min)
    # a step of 1e-6 away: small, but a real gradient with the direction of 2 A (phi - phi_hat)
    near = exact + np.array([1e-6, 0.0])
    g = linear.mse_gradient(near, data.x, data.y)
    q = linear.quadratic_form(data.x, data.y)
    np.testing.assert_allclose(g, 2 * q.A @ (near - exact), rtol=1e-6)
    assert not linear.gradient_vanishes(near, data.x, data.y, g)
    # data on a line: residuals vanish at the fit, and so does the gradient
    x = np.array([0.0, 1.0, 2.0])
    assert linear.gradient_vanishes(np.array([1.0, 2.0]), x, 1 + 2 * x, np.zeros(2))


def test_complexity_model_fits_both_terms():
    t = linear.time_normal_equations(
        np.array([400, 1600, 400]), np.array([20, 20, 80]), np.random.default_rng(0), repeats=1
    )
    assert t.gram_seconds.shape == (3,) and np.all(t.gram_seconds > 0)
    assert t.coef_nd2 >= 0 and t.coef_d3 >= 0
    np.testing.assert_allclose(
        t.model_seconds, t.coef_nd2 * t.n_values * t.d_values**2 + t.coef_d3 * t.d_values**3
    )
    for k, (n, d) in enumerate(zip([400, 1600, 400], [20, 20, 80], strict=True)):
        assert t.gram_model_seconds[k] == pytest.approx(t.coef_nd2 * n * d * d, rel=1e-12)
        assert t.solve_model_seconds[k] == pytest.approx(t.coef_d3 * d**3, rel=1e-12)
    with pytest.raises(ValueError, match="at least D"):
        linear.time_normal_equations(np.array([5]), np.array([10]), np.random.default_rng(0))

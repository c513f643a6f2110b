"""The loss-functions lab's core against loops, finite differences, grids and properties."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core import likelihood as lk
from core import likelihood_fit as lf
from core import likelihood_view as lv
from core.errors import DomainError
from core.network import parameter_count
from tests.core.finite_differences import numeric_gradient

SPECS = [
    lk.ModelSpec("regression", "line"),
    lk.ModelSpec("regression", "line", heteroscedastic=True),
    lk.ModelSpec("regression", "shallow", hidden_units=4),
    lk.ModelSpec("regression", "shallow", hidden_units=2, heteroscedastic=True),
    lk.ModelSpec("binary", "line"),
    lk.ModelSpec("binary", "shallow", activation="tanh"),
    lk.ModelSpec("multiclass", "line", n_classes=4),
    lk.ModelSpec("multiclass", "shallow", n_classes=3),
]
IDS = [f"{s.problem}-{s.model}{'-het' if s.heteroscedastic else ''}" for s in SPECS]


def data_for(spec, n=15, seed=1):
    return lk.make_data(
        spec.problem, n, np.random.default_rng(seed), noise=0.4, n_classes=spec.n_classes
    )


def test_data_are_reproducible_and_labels_are_in_range():
    for problem in lk.PROBLEMS:
        a = lk.make_data(problem, 50, np.random.default_rng(3), n_classes=4)
        b = lk.make_data(problem, 50, np.random.default_rng(3), n_classes=4)
        np.testing.assert_array_equal(a.y, b.y)
        assert np.all(np.diff(a.x) >= 0) and np.all((a.x >= -1) & (a.x <= 1))
    assert set(lk.make_data("binary", 200, np.random.default_rng(0)).y) == {0.0, 1.0}
    classes = lk.make_data("multiclass", 400, np.random.default_rng(0), n_classes=4).y
    assert set(classes) == {0.0, 1.0, 2.0, 3.0}


def test_regression_noise_has_the_requested_spread():
    data = lk.make_data("regression", 20_000, np.random.default_rng(0), noise=0.3)
    truth = 0.4 + 0.9 * data.x + 0.35 * np.sin(4 * data.x)
    assert np.std(data.y - truth) == pytest.approx(0.3, rel=0.03)


def test_multiclass_labels_follow_the_softmax_of_the_class_centres():
    # At x = 0 (the middle centre of 3 classes) the middle class has softmax weight
    # 1 / (1 + 2 exp(-1 / (2 noise^2))); check the frequency of labels drawn near x = 0.
    data = lk.make_data("multiclass", 60_000, np.random.default_rng(1), noise=0.6, n_classes=3)
    near = np.abs(data.x) < 0.02
    expected = 1 / (1 + 2 * np.exp(-1 / (2 * 0.6**2)))
    assert np.mean(data.y[near] == 1) == pytest.approx(expected, abs=0.04)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_parameter_has_a_label_and_defaults_fit_the_model(spec):
    labels = lk.parameter_labels(spec)
    assert len(labels) == len(set(labels)) == parameter_count(spec.widths)
    start = lk.default_parameters(spec, np.random.default_rng(0))
    assert start.shape == (len(labels),)
    lk.network_of(spec, start)


def test_normal_matches_the_density_formula_and_its_gradients():
    y = np.array([0.3, -1.2, 2.0, 0.0])
    mean = np.array([0.1, -1.0, 1.0, 0.4])
    sigma = np.array([0.5, 1.0, 2.0, 0.3])
    result = lk.normal(y, mean, sigma)
    for i in range(y.size):
        density = np.exp(-((y[i] - mean[i]) ** 2) / (2 * sigma[i] ** 2)) / np.sqrt(
            2 * np.pi * sigma[i] ** 2
        )
        assert result.likelihood[i] == pytest.approx(density, rel=1e-12)
        assert result.nll[i] == pytest.approx(-np.log(density), rel=1e-12)
    d_mean = numeric_gradient(lambda m: lk.normal(y, m, sigma).total, mean)
    d_sigma = numeric_gradient(lambda s: lk.normal(y, mean, s).total, sigma)
    np.testing.assert_allclose(result.gradient, np.vstack([d_mean, d_sigma]), rtol=1e-6)
    assert result.mean == pytest.approx(result.total / 4)


def test_bernoulli_likelihood_by_loop_and_gradient():
    y = np.array([1.0, 0.0, 1.0, 0.0])
    z = np.array([0.3, -2.0, -1.0, 4.0])
    result = lk.bernoulli(y, z)
    lam = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(result.likelihood, lam**y * (1 - lam) ** (1 - y), rtol=1e-12)
    numeric = numeric_gradient(lambda v: lk.bernoulli(y, v).total, z)
    np.testing.assert_allclose(result.gradient[0], numeric, rtol=1e-6)


@pytest.mark.parametrize("z", [1000.0, -1000.0])
def test_huge_logits_give_finite_exact_losses(z):
    b = lk.bernoulli(np.array([1.0, 0.0]), np.array([z, z]))
    # -log sig(z) = softplus(-z): 0 or 1000 exactly at |z| = 1000.
    np.testing.assert_allclose(b.nll, [max(-z, 0), max(z, 0)], atol=1e-300)
    c = lk.categorical(np.array([0, 1]), np.array([[z, z], [-z, -z]]))
    np.testing.assert_allclose(c.nll, [max(-2 * z, 0), max(2 * z, 0)])
    assert np.all(np.isfinite(c.gradient)) and np.all(np.isfinite(b.gradient))


def test_categorical_likelihood_by_loop_and_gradient():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(3, 5)) * 2
    labels = np.array([0, 2, 1, 1, 0])
    result = lk.categorical(labels, logits)
    for i, k in enumerate(labels):
        p = np.exp(logits[:, i]) / np.exp(logits[:, i]).sum()
        assert result.likelihood[i] == pytest.approx(p[k])
    numeric = numeric_gradient(lambda v: lk.categorical(labels, v).total, logits)
    np.testing.assert_allclose(result.gradient, numeric, rtol=1e-6, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10_000),
    st.floats(-3, 3),
    st.floats(-3, 3),
    st.floats(0.05, 5),
)
@example(0, 0.0, 0.0, 0.05)
def test_nll_is_an_affine_function_of_the_sum_of_squares_in_the_view(seed, phi0, phi1, sigma):
    spec = lk.ModelSpec("regression", "line")
    data = data_for(spec, n=12, seed=seed)
    view = lv.explore(spec, data, np.array([phi0, phi1]), np.random.default_rng(0), sigma)
    rel = view.affine
    assert rel.slope == pytest.approx(1 / (2 * sigma**2))
    assert view.total == pytest.approx(rel.nll_from_ss, rel=1e-12, abs=1e-12)
    residual = data.y - (phi0 + phi1 * data.x)
    assert rel.sum_of_squares == pytest.approx(np.sum(residual**2), rel=1e-12)
    assert view.sigma_mle == pytest.approx(np.sqrt(np.mean(residual**2)), rel=1e-12)


def test_closed_form_mle_against_brute_force_grid():
    spec = lk.ModelSpec("regression", "line")
    data = data_for(spec, n=25, seed=4)
    closed = lk.closed_form(spec, data, 0.8)
    phi0 = np.linspace(closed.parameters[0] - 0.5, closed.parameters[0] + 0.5, 81)
    phi1 = np.linspace(closed.parameters[1] - 0.5, closed.parameters[1] + 0.5, 81)
    sigma = np.linspace(0.5 * closed.sigma, 1.5 * closed.sigma, 81)
    best = (np.inf, None)
    for a in phi0:
        for b in phi1:
            residual = data.y - (a + b * data.x)
            nll = residual @ residual / (2 * sigma**2) + data.x.size * np.log(
                np.sqrt(2 * np.pi) * sigma
            )
            k = np.argmin(nll)
            if nll[k] < best[0]:
                best = (nll[k], (a, b, sigma[k]))
    assert closed.nll <= best[0] + 1e-12
    at_08 = [lk.normal(data.y, a + b * data.x, 0.8).total for a in phi0 for b in phi1]
    assert closed.nll_at_sigma <= min(at_08) + 1e-12
    assert closed.nll_at_sigma == pytest.approx(
        lk.normal(data.y, closed.parameters[0] + closed.parameters[1] * data.x, 0.8).total
    )
    np.testing.assert_allclose(best[1], [*closed.parameters, closed.sigma], atol=0.0125 + 1e-12)


def test_sigma_mle_is_the_rms_residual_by_brute_force():
    rng = np.random.default_rng(5)
    y, mean = rng.normal(size=30), rng.normal(size=30)
    sigmas = np.linspace(0.2, 4, 20_001)
    nll = [lk.normal(y, mean, s).total for s in sigmas[::50]]
    coarse = sigmas[::50][np.argmin(nll)]
    fine = sigmas[np.abs(sigmas - coarse) < 0.02]
    best = fine[np.argmin([lk.normal(y, mean, s).total for s in fine])]
    assert lk.rms_residual(y, mean) == pytest.approx(best, abs=2e-4)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_view_gradient_with_respect_to_the_parameters_by_finite_differences(spec):
    data = data_for(spec)
    start = lk.default_parameters(spec, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    view = lv.explore(spec, data, start, rng, sigma=0.7)

    def total(p):
        return lv.explore(spec, data, p, rng, sigma=0.7).total

    numeric = numeric_gradient(total, start)
    np.testing.assert_allclose(view.gradient, numeric, rtol=1e-5, atol=1e-7)
    assert view.gradient_norm == pytest.approx(np.sqrt(np.sum(numeric**2)), rel=1e-5, abs=1e-7)
    np.testing.assert_allclose(
        lf.mean_nll_gradient(spec, data, start, 0.7), view.gradient / data.x.size, rtol=1e-12
    )
    assert view.total == pytest.approx(np.sum(view.nll))
    np.testing.assert_allclose(view.likelihood, np.exp(-view.nll), rtol=1e-12)


def test_linear_and_relu_outputs_leave_zero_one():
    data = lk.Data(np.array([-1.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0]))
    params = np.array([0.5, 1.0])  # lambda = 0.5 + x: -0.5, 0.5, 1.5
    for link, expected in (("linear", [-0.5, 0.5, 1.5]), ("relu", [0.0, 0.5, 1.5])):
        spec = lk.ModelSpec("binary", "line", link=link)
        view = lv.explore(spec, data, params, np.random.default_rng(0))
        np.testing.assert_allclose(view.points.lam, expected)
        # Only the middle point has a probability in (0, 1]: -0.5 is none, 1.5 is none, and
        # ReLU's 0 would be fine for the label 0 it has.
        assert view.valid.tolist() == (
            [False, True, False] if link == "linear" else [True] * 2 + [False]
        )
        assert view.total is None and "outside [0, 1]" in view.message
        assert view.gradient is None and view.gradient_norm is None
        assert view.nll[1] == pytest.approx(np.log(2))
        with pytest.raises(DomainError, match="sigmoid"):
            lf.fit(spec, data, params)
    sig = lv.explore(lk.ModelSpec("binary"), data, params, np.random.default_rng(0))
    assert np.all((sig.curve.lam > 0) & (sig.curve.lam < 1)) and sig.total is not None


def test_heteroscedastic_sigma_is_the_size_of_the_second_output():
    spec = lk.ModelSpec("regression", "line", heteroscedastic=True)
    data = lk.Data(np.array([-1.0, 1.0]), np.array([0.0, 0.0]))
    view = lv.explore(spec, data, np.array([0.0, 0.1, 0.0, -0.3]), np.random.default_rng(0))
    np.testing.assert_allclose(view.points.sigma, [0.4, 0.2])
    np.testing.assert_allclose(view.nll, -np.log(lk.normal(data.y, [0, 0], [0.4, 0.2]).likelihood))
    assert view.affine is None and view.closed is None


def test_density_grid_is_the_predicted_normal():
    spec = lk.ModelSpec("regression", "line")
    data = data_for(spec)
    view = lv.explore(spec, data, np.array([0.2, 1.0]), np.random.default_rng(0), sigma=0.5)
    column = view.density[:, 10]
    mean = 0.2 + view.grid[10]
    expected = np.exp(-((view.density_y - mean) ** 2) / 0.5) / np.sqrt(2 * np.pi * 0.25)
    np.testing.assert_allclose(column, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lk.ModelSpec("ranking"), "unknown problem"),
        (lambda: lk.ModelSpec("binary", link="tanh"), "unknown link"),
        (lambda: lk.ModelSpec(n_classes=1), "K >= 2"),
        (lambda: lk.check_data(lk.ModelSpec("binary"), [0, 1], [0, 2]), "0 and 1"),
        (lambda: lk.check_data(lk.ModelSpec("multiclass"), [0, 1], [0, 3]), "0 to 2"),
        (lambda: lk.check_data(lk.ModelSpec(), [0, 1], [0]), "one target per input"),
        (lambda: lk.network_of(lk.ModelSpec(), np.zeros(3)), "2 parameters"),
        (lambda: lk.normal([0.0], [0.0], 0.0), "sigma"),
    ],
)
def test_bad_inputs_raise_domain_errors(call, message):
    with pytest.raises(DomainError, match=message):
        call()

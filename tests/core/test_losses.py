"""Losses against finite differences, closed forms, numerical integration and properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import losses
from core.errors import DomainError

RNG = np.random.default_rng(0)


def numeric_gradient(fn, output, eps=1e-6):
    grad = np.zeros_like(output)
    for index in np.ndindex(output.shape):
        step = np.zeros_like(output)
        step[index] = eps
        grad[index] = (fn(output + step) - fn(output - step)) / (2 * eps)
    return grad


CASES = {
    "least_squares": (RNG.normal(size=(2, 5)), RNG.normal(size=(2, 5))),
    "gaussian_nll": (RNG.normal(size=(1, 5)), RNG.normal(size=5)),
    "gaussian_nll_predicted": (
        np.vstack([RNG.normal(size=5), RNG.uniform(0.5, 2, size=5)]),
        RNG.normal(size=5),
    ),
    "binary_cross_entropy": (RNG.normal(size=(1, 6)) * 3, np.array([0, 1, 1, 0, 1, 0])),
    "cross_entropy": (RNG.normal(size=(4, 6)) * 2, np.array([0, 3, 2, 1, 1, 0])),
}


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_gradient_matches_finite_differences(name):
    output, targets = CASES[name]
    result = losses.evaluate_loss(name, output, targets, sigma=0.7)
    numeric = numeric_gradient(lambda o: losses.evaluate_loss(name, o, targets, 0.7).total, output)
    np.testing.assert_allclose(result.gradient, numeric, rtol=1e-6, atol=1e-8)
    assert result.total == pytest.approx(result.per_example.sum())
    assert result.mean == pytest.approx(result.total / output.shape[1])


def test_least_squares_is_the_book_sum_without_a_half():
    assert losses.least_squares(np.array([[1.0, 3.0]]), np.array([0.0, 1.0])).total == 5.0


def test_gaussian_nll_is_the_log_of_the_density():
    mean, y, sigma = np.array([[0.2, -1.0, 3.0]]), np.array([0.0, 0.5, 2.0]), 1.3
    per = losses.gaussian_nll(mean, y, sigma).per_example
    np.testing.assert_allclose(per, -np.log(losses.normal_density(y, mean[0], sigma)))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-5, 5), min_size=1, max_size=8),
    st.floats(0.1, 5),
    st.floats(-3, 3),
)
def test_nll_is_an_affine_function_of_the_sum_of_squares(ys, sigma, shift):
    # NLL = SS / (2 sigma^2) + I log(2 pi sigma^2) / 2: same minimiser for any fixed sigma.
    y = np.array(ys)
    mean = (y + shift)[None, :]
    ss = losses.least_squares(mean, y).total
    nll = losses.gaussian_nll(mean, y, sigma).total
    expected = ss / (2 * sigma**2) + y.size * 0.5 * np.log(2 * np.pi * sigma**2)
    assert nll == pytest.approx(expected, rel=1e-10, abs=1e-10)


def test_normal_density_integrates_to_one():
    y = np.linspace(-20, 20, 200_001)
    integral = np.trapezoid(losses.normal_density(y, 1.5, 0.8), y)
    assert integral == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("z", [1000.0, -1000.0, 40.0, -40.0, 0.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_binary_cross_entropy_is_finite_and_exact_for_huge_logits(z, y):
    loss = losses.binary_cross_entropy(np.array([[z]]), np.array([y])).total

    # Exact: y softplus(-z) + (1 - y) softplus(z), softplus(t) = max(t, 0) + log1p(e^{-|t|}).
    def softplus(t):
        return max(t, 0.0) + np.log1p(np.exp(-abs(t)))

    exact = y * softplus(-z) + (1 - y) * softplus(z)
    assert np.isfinite(loss)
    assert loss == pytest.approx(exact, rel=1e-12, abs=1e-300)


def test_cross_entropy_with_huge_logits():
    result = losses.cross_entropy(np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]), [1, 1])
    np.testing.assert_allclose(result.per_example, [2000.0, 0.0])
    assert np.all(np.isfinite(result.gradient))


def test_cross_entropy_equals_negative_log_softmax_by_loop():
    logits, labels = CASES["cross_entropy"]
    for i, label in enumerate(labels):
        p = np.exp(logits[:, i]) / np.exp(logits[:, i]).sum()
        assert losses.cross_entropy(logits, labels).per_example[i] == pytest.approx(
            -np.log(p[label])
        )


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=2, max_size=6), st.floats(-100, 100))
def test_softmax_ignores_a_constant_and_sums_to_one(logits, shift):
    z = np.array(logits)
    np.testing.assert_allclose(losses.softmax(z), losses.softmax(z + shift), atol=1e-12)
    assert losses.softmax(z).sum() == pytest.approx(1.0)


def test_binary_cross_entropy_is_two_class_cross_entropy():
    z = np.array([[0.3, -2.0, 4.0]])
    y = np.array([1, 0, 1])
    two_class = np.vstack([np.zeros_like(z), z])  # softmax of (0, z) is (1 - sig z, sig z)
    np.testing.assert_allclose(
        losses.binary_cross_entropy(z, y).per_example,
        losses.cross_entropy(two_class, y).per_example,
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1), min_size=2, max_size=6), st.data())
def test_kl_is_nonnegative_and_cross_entropy_is_entropy_plus_kl(raw_p, data):
    p = np.array(raw_p) / sum(raw_p)
    raw_q = data.draw(st.lists(st.floats(0.01, 1), min_size=p.size, max_size=p.size))
    q = np.array(raw_q) / sum(raw_q)
    kl = losses.kl_discrete(p, q)
    assert kl >= 0
    assert losses.cross_entropy_discrete(p, q) == pytest.approx(losses.entropy(p) + kl, abs=1e-12)
    assert losses.kl_discrete(p, p) == pytest.approx(0.0, abs=1e-12)


def test_kl_is_asymmetric_and_zero_probabilities_count_as_zero():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert losses.kl_discrete(p, q) == pytest.approx(np.log(2))
    with pytest.raises(DomainError, match="infinite"):
        losses.kl_discrete(q, p)
    assert losses.entropy([1.0, 0.0]) == 0.0


@pytest.mark.parametrize(
    ("mu1", "s1", "mu2", "s2"), [(0, 1, 0, 1), (0.5, 0.7, -1, 2), (2, 3, 1, 0.5)]
)
def test_gaussian_kl_closed_form_against_numerical_integration(mu1, s1, mu2, s2):
    y = np.linspace(-40, 40, 400_001)

    def log_density(mu, s):
        return -0.5 * ((y - mu) / s) ** 2 - np.log(np.sqrt(2 * np.pi) * s)

    integrand = np.exp(log_density(mu1, s1)) * (log_density(mu1, s1) - log_density(mu2, s2))
    assert losses.kl_gaussians(mu1, s1, mu2, s2) == pytest.approx(
        np.trapezoid(integrand, y), abs=1e-8
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: losses.cross_entropy(np.zeros((3, 2)), [0, 3]), "from 0 to 2"),
        (lambda: losses.binary_cross_entropy(np.zeros((1, 2)), [0, 2]), r"\[0, 1\]"),
        (lambda: losses.gaussian_nll(np.zeros((1, 2)), [0, 1], 0.0), "sigma"),
        (lambda: losses.kl_discrete([0.5, 0.6], [0.5, 0.5]), "sum to 1"),
        (lambda: losses.evaluate_loss("hinge", np.zeros((1, 1)), [0]), "unknown loss"),
    ],
)
def test_bad_inputs_raise_domain_errors(call, message):
    with pytest.raises(DomainError, match=message):
        call()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1), min_size=2, max_size=6), st.data())
def test_kl_terms_sum_to_the_kl_and_match_a_loop(raw_p, data):
    if sum(raw_p) == 0:
        raw_p = [1.0] + raw_p[1:]
    p = np.array(raw_p) / sum(raw_p)
    raw_q = data.draw(st.lists(st.floats(0.01, 1), min_size=p.size, max_size=p.size))
    q = np.array(raw_q) / sum(raw_q)
    terms = losses.kl_discrete_terms(p, q)
    loop = [pk * np.log(pk / qk) if pk > 0 else 0.0 for pk, qk in zip(p, q, strict=True)]
    np.testing.assert_allclose(terms, loop, atol=1e-14)
    assert terms.sum() == pytest.approx(losses.kl_discrete(p, q), abs=1e-12)


def test_kl_terms_are_infinite_where_q_misses_an_outcome_of_p():
    terms = losses.kl_discrete_terms([0.5, 0.5, 0.0], [1.0, 0.0, 0.0])
    assert terms[0] == pytest.approx(0.5 * np.log(0.5))
    assert terms[1] == np.inf and terms[2] == 0.0


@pytest.mark.parametrize("sigma", [0.1, 1.0, 3.7])
def test_gaussian_entropy_against_numerical_integration(sigma):
    y = np.linspace(-15 * sigma, 15 * sigma, 300_001)
    density = losses.normal_density(y, 0.3, sigma)
    log_density = -0.5 * ((y - 0.3) / sigma) ** 2 - np.log(np.sqrt(2 * np.pi) * sigma)
    assert losses.gaussian_entropy(sigma) == pytest.approx(
        -np.trapezoid(density * log_density, y), abs=1e-9
    )
    with pytest.raises(DomainError):
        losses.gaussian_entropy(0.0)

"""A shallow network's loss and gradient: against a plain-Python loop and finite differences."""

import zlib

import numpy as np
import pytest

from core.activations import ACTIVATION_NAMES, get_activation
from core.errors import DomainError
from core.losses import LOSSES
from core.shallow_loss import loss_and_gradient

SMOOTH = [n for n in ACTIVATION_NAMES if not get_activation(n).piecewise_linear]


def loop_least_squares(theta, phi, activation, x, y):
    """Oracle: the summed squared error and its gradient, one example and unit at a time."""
    a = get_activation(activation)
    n_hidden, n_inputs = len(theta), len(theta[0]) - 1
    loss = 0.0
    d_theta = [[0.0] * (n_inputs + 1) for _ in range(n_hidden)]
    d_phi = [[0.0] * (n_hidden + 1) for _ in range(len(phi))]
    for n in range(len(x[0])):
        z = [
            theta[d][0] + sum(theta[d][i + 1] * x[i][n] for i in range(n_inputs))
            for d in range(n_hidden)
        ]
        h = [float(a.value(np.array([zd]))[0]) for zd in z]
        slope = [float(a.derivative(np.array([zd]))[0]) for zd in z]
        for o in range(len(phi)):
            f = phi[o][0] + sum(phi[o][d + 1] * h[d] for d in range(n_hidden))
            r = f - y[o][n]
            loss += r * r
            d_phi[o][0] += 2 * r
            for d in range(n_hidden):
                d_phi[o][d + 1] += 2 * r * h[d]
                back = 2 * r * phi[o][d + 1] * slope[d]
                d_theta[d][0] += back
                for i in range(n_inputs):
                    d_theta[d][i + 1] += back * x[i][n]
    return loss, np.array(d_theta), np.array(d_phi)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize(("n_inputs", "n_hidden", "n_outputs"), [(1, 3, 1), (2, 4, 2), (3, 5, 3)])
def test_least_squares_matches_a_scalar_loop(activation, n_inputs, n_hidden, n_outputs):
    rng = np.random.default_rng(10 * n_inputs + n_hidden)
    theta = rng.normal(size=(n_hidden, n_inputs + 1))
    phi = rng.normal(size=(n_outputs, n_hidden + 1))
    x = rng.uniform(-2, 2, size=(n_inputs, 9))
    y = rng.normal(size=(n_outputs, 9))
    r = loss_and_gradient(theta, phi, activation, x, y)
    loss, d_theta, d_phi = loop_least_squares(
        theta.tolist(), phi.tolist(), activation, x.tolist(), y.tolist()
    )
    assert r.loss.total == pytest.approx(loss, rel=1e-12)
    assert r.loss.mean == pytest.approx(loss / 9, rel=1e-12)
    np.testing.assert_allclose(r.dl_dtheta, d_theta, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r.dl_dphi, d_phi, rtol=1e-10, atol=1e-12)
    assert r.dl_dtheta.shape == theta.shape and r.dl_dphi.shape == phi.shape


def _problem(loss, rng, n_inputs=2, n_hidden=4, n_examples=6):
    """Parameters, inputs and targets that suit ``loss``."""
    n_outputs = {"cross_entropy": 3, "gaussian_nll_predicted": 2}.get(loss, 1)
    theta = rng.normal(size=(n_hidden, n_inputs + 1))
    phi = 0.5 * rng.normal(size=(n_outputs, n_hidden + 1))
    if loss == "gaussian_nll_predicted":
        phi[1, 0] = 3.0  # keep the predicted sigma f_2 well away from 0
    x = rng.uniform(-1.5, 1.5, size=(n_inputs, n_examples))
    if loss == "cross_entropy":
        targets = rng.integers(0, 3, size=n_examples).astype(float)
    elif loss == "binary_cross_entropy":
        targets = rng.integers(0, 2, size=n_examples).astype(float)
    elif loss == "least_squares":
        targets = rng.normal(size=(n_outputs, n_examples))
    else:
        targets = rng.normal(size=n_examples)
    return theta, phi, x, targets


def _finite_differences(theta, phi, activation, x, targets, loss, step=1e-6):
    def total(t, p):
        return loss_and_gradient(t, p, activation, x, targets, loss, sigma=0.7).loss.total

    grads = []
    for which in (theta, phi):
        g = np.zeros_like(which)
        for index in np.ndindex(which.shape):
            plus, minus = which.copy(), which.copy()
            plus[index] += step
            minus[index] -= step
            args_plus = (plus, phi) if which is theta else (theta, plus)
            args_minus = (minus, phi) if which is theta else (theta, minus)
            g[index] = (total(*args_plus) - total(*args_minus)) / (2 * step)
        grads.append(g)
    return grads


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("activation", [*SMOOTH, "relu", "leaky_relu"])
def test_every_derivative_matches_central_differences(loss, activation):
    rng = np.random.default_rng(zlib.crc32(f"{loss} {activation}".encode()))
    theta, phi, x, targets = _problem(loss, rng)
    # Away from ReLU's kink, so a step of 1e-6 never crosses it.
    z = theta[:, :1] + theta[:, 1:] @ x
    assert np.min(np.abs(z)) > 1e-4
    r = loss_and_gradient(theta, phi, activation, x, targets, loss, sigma=0.7)
    fd_theta, fd_phi = _finite_differences(theta, phi, activation, x, targets, loss)
    # GELU's value uses a polynomial erf (error ~1e-7) whose slope differs from the exact
    # derivative by ~1e-6, so differences of the value can only agree that far.
    rtol = 2e-5 if activation == "gelu" else 1e-6
    np.testing.assert_allclose(r.dl_dtheta, fd_theta, rtol=rtol, atol=rtol / 10)
    np.testing.assert_allclose(r.dl_dphi, fd_phi, rtol=rtol, atol=rtol / 10)


def test_book_network_by_hand():
    # The book's example at x = 0: h = (0.3, 0, 0), f = 0.3; target 1 gives l = 0.49 and
    # dL/df = 2 (0.3 - 1) = -1.4; only unit 0 is active, so only its row of theta moves.
    theta = [[0.3, -1.0], [-1.0, 2.0], [-0.5, 0.65]]
    phi = [[-0.3, 2.0, -1.0, 7.0]]
    r = loss_and_gradient(theta, phi, "relu", np.array([0.0]), np.array([1.0]))
    assert r.output.tolist() == [[pytest.approx(0.3)]]
    assert r.loss.total == pytest.approx(0.49)
    np.testing.assert_allclose(r.dl_dphi, [[-1.4, -1.4 * 0.3, 0.0, 0.0]])
    np.testing.assert_allclose(r.dl_dtheta, [[-1.4 * 2.0, 0.0], [0.0, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize(
    ("theta", "phi", "x", "targets", "loss", "message"),
    [
        ([[0.0, 1.0]], [[0.0, 1.0, 2.0]], [[1.0]], [[1.0]], "least_squares", "Omega_1"),
        ([[0.0, 1.0]], [[0.0, 1.0]], [[1.0], [2.0]], [[1.0]], "least_squares", "rows"),
        ([[0.0, 1.0]], [[0.0, 1.0]], [[1.0, 2.0]], [[1.0]], "least_squares", "shape"),
        ([[0.0, 1.0]], [[0.0, 1.0]], [[1.0]], [[0.5]], "cross_entropy", "labels"),
        ([[0.0, 1.0]], [[0.0, 1.0]], [[1.0]], [[2.0]], "binary_cross_entropy", "[0, 1]"),
        ([[0.0, 1.0]], [[0.0, 1.0]], [[1.0]], [[1.0]], "hinge", "unknown loss"),
    ],
)
def test_what_does_not_fit_is_explained(theta, phi, x, targets, loss, message):
    with pytest.raises(DomainError, match=message.replace("[", r"\[").replace("]", r"\]")):
        loss_and_gradient(
            np.array(theta), np.array(phi), "relu", np.array(x), np.array(targets), loss
        )


def test_an_overflowing_loss_is_a_domain_error():
    # sigma = f_2 = 1e-140: (y - f_1)^2 / f_2^3 is beyond the largest double.
    with pytest.raises(DomainError, match="too large"):
        loss_and_gradient(
            np.array([[0.0, 1.0]]),
            np.array([[0.0, 1.0], [1e-140, 0.0]]),
            "relu",
            np.array([[1.0]]),
            np.array([1e6]),
            "gaussian_nll_predicted",
        )

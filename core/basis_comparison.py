"""A fixed basis against a trained network in d = 1, 2, 3 dimensions (course notes ch. 3.1).

The notes contrast two rates for the integrated squared error with n parameters: Barron's
c / n for a sigmoidal network (whatever the dimension d, for a target with a finite Fourier
moment), and the order (1/n)^(2/d) below which no linear combination of n *fixed* basis
functions can go for every such target. This module measures both kinds of model on one target:

- the fixed basis is a grid of hat functions on [-1, 1]^d: k points per side, n = k^d
  coefficients, each the target's value at its grid point (piecewise multilinear
  interpolation). For a smooth target its squared error falls like h^4 = n^{-4/d}, so its
  exponent shrinks in proportion to 1/d, as the (1/n)^(2/d) order says it must;
- the network is a shallow net with h hidden units, (d + 2) h + 1 parameters, trained on
  random samples: the hidden layer by Adam, the output layer solved exactly by least squares
  after every step ("variable projection"; by the envelope theorem the gradient of the
  resulting loss with respect to the hidden layer is the plain partial derivative). The
  forward and backward passes are those of ``core.network``.

Both errors are mean squared errors against the clean target on the same random test points.

Reference: course notes ch. 3.1 (bounds of the universal approximation theorem, feature
learning advantage); Prince, *Understanding Deep Learning*, ch. 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import network
from core.approximation import log_log_fit
from core.errors import DomainError

TARGETS_ND: tuple[str, ...] = ("bump", "ridge")
UNIT_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "relu")
BUMP_WIDTH = 0.5  # standard deviation of the Gaussian bump target
RIDGE_L2 = 1e-8  # tiny ridge on the output layer's least squares (keeps it solvable)
GRID_SIZES = 12  # at most this many grids, k spaced geometrically from 2 to the largest


def target_nd(name: str, x: np.ndarray) -> np.ndarray:
    """A target on [-1, 1]^d.  Shapes: x (I, d) -> (I,).

    ``"bump"`` exp(-|x|^2 / (2 * 0.5^2)); ``"ridge"`` sin(pi s) with s = (x_1 + ... + x_d)
    / sqrt(d), a wave along the diagonal. Both are smooth with a finite Fourier moment.
    """
    x = np.asarray(x, dtype=float)
    if name == "bump":
        return np.exp(-np.sum(x * x, axis=1) / (2.0 * BUMP_WIDTH**2))
    if name == "ridge":
        return np.sin(np.pi * x.sum(axis=1) / np.sqrt(x.shape[1]))
    raise DomainError(f"unknown target {name!r}; choose one of {', '.join(TARGETS_ND)}")


# ----------------------------------------------------------------------------- fixed basis
def grid_points(points_per_side: int, n_inputs: int) -> np.ndarray:
    """The k^d grid points of [-1, 1]^d, last coordinate fastest.  Returns (k^d, d)."""
    if points_per_side < 2:
        raise DomainError(f"the grid needs at least 2 points per side, got {points_per_side}")
    axis = np.linspace(-1.0, 1.0, points_per_side)
    mesh = np.meshgrid(*([axis] * n_inputs), indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def hat_interpolate(values: np.ndarray, points_per_side: int, x: np.ndarray) -> np.ndarray:
    r"""Evaluate sum_j c_j B_j(x) for the tensor-product hat functions of a k^d grid.

    B_j is 1 at grid point j, 0 at the others and multilinear in each cell, so inside a cell
    the sum weighs the cell's 2^d corners by prod_d (u_d or 1 - u_d), u the position in the
    cell.

    Parameters
    ----------
    values : ndarray, shape (k^d,)
        Coefficients c_j in the order of ``grid_points``.
    points_per_side : int
        k.
    x : ndarray, shape (I, d)
        Points in [-1, 1]^d.

    Returns
    -------
    ndarray, shape (I,)
    """
    k = points_per_side
    x = np.asarray(x, dtype=float)
    d = x.shape[1]
    if values.shape != (k**d,):
        raise DomainError(f"a {k}^{d} grid has {k**d} coefficients, got {values.shape}")
    scaled = (x + 1.0) / 2.0 * (k - 1)  # (I, d) in grid units
    cell = np.clip(np.floor(scaled), 0, k - 2).astype(np.int64)  # lower corner (I, d)
    u = scaled - cell  # (I, d) in [0, 1]
    strides = k ** np.arange(d - 1, -1, -1)  # (d,) last coordinate fastest
    total = np.zeros(x.shape[0])
    for corner in range(2**d):  # the 2^d corners of each cell
        bits = (corner >> np.arange(d)) & 1  # (d,)
        weight = np.prod(np.where(bits == 1, u, 1.0 - u), axis=1)  # (I,)
        total += weight * values[(cell + bits) @ strides]
    return total


# ----------------------------------------------------------------------------- network
@dataclass(frozen=True)
class TrainedNetwork:
    """A shallow network trained by variable projection, with its training curve.

    Attributes
    ----------
    net : core.network.Network
    losses : ndarray, shape (steps + 1,)
        Training mean squared error after each output-layer solve.
    """

    net: network.Network
    losses: np.ndarray


def _solve_output(h: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares (beta_1, Omega_1) for hidden activations h (n, I): returns (n + 1,)."""
    design = np.vstack([np.ones((1, h.shape[1])), h])  # (n + 1, I)
    gram = design @ design.T + RIDGE_L2 * np.eye(design.shape[0])
    return np.linalg.solve(gram, design @ y)


def train_shallow(
    x: np.ndarray,
    y: np.ndarray,
    n_hidden: int,
    activation: str,
    n_steps: int,
    learning_rate: float,
    rng: np.random.Generator,
) -> TrainedNetwork:
    """Train a d-h-1 network on (x, y): Adam on (beta_0, Omega_0), exact output layer.

    The hidden units start with weights N(0, 2.5^2) per input and switch at a random point of
    the cube (beta_0 = -Omega_0 p, p ~ U[-1, 1]^d), so their boundaries cross the data.

    Parameters
    ----------
    x : ndarray, shape (I, d)
    y : ndarray, shape (I,)
    """
    if activation not in UNIT_ACTIVATIONS:
        raise DomainError(
            f"unknown activation {activation!r}; choose one of {', '.join(UNIT_ACTIVATIONS)}"
        )
    if n_hidden < 1 or n_steps < 0 or learning_rate <= 0:
        raise DomainError("need at least 1 hidden unit, steps >= 0 and a positive learning rate")
    x_cols = np.asarray(x, dtype=float).T  # (d, I): batches are columns
    d, n_samples = x_cols.shape
    omega0 = 2.5 * rng.standard_normal((n_hidden, d))
    beta0 = -np.sum(omega0 * rng.uniform(-1.0, 1.0, size=(n_hidden, d)), axis=1)
    theta = np.concatenate([beta0[:, None], omega0], axis=1)  # (n, d + 1)
    moment = np.zeros_like(theta)
    second = np.zeros_like(theta)
    losses = []
    for step in range(n_steps + 1):
        # One forward pass with any output layer gives f_0 and h_1; the output layer is then
        # solved for, and f_1 recomputed from h_1, so the stored pass matches the final net.
        net = network.shallow_network(theta, np.zeros((1, n_hidden + 1)), activation)
        fwd = network.forward(net, x_cols)
        phi = _solve_output(fwd.h[0], y)[None, :]  # (1, n + 1)
        net = network.shallow_network(theta, phi, activation)
        output = phi[:, :1] + phi[:, 1:] @ fwd.h[0]  # f_1: (1, I)
        fwd = network.Forward(fwd.x, (fwd.f[0], output), fwd.h)
        r = output[0] - y  # (I,)
        losses.append(float(np.mean(r**2)))
        if step == n_steps:
            break
        grads = network.backward(net, fwd, (2.0 / n_samples) * r[None, :])
        g = np.concatenate([grads.dl_dbetas[0][:, None], grads.dl_domegas[0]], axis=1)
        moment = 0.9 * moment + 0.1 * g
        second = 0.999 * second + 0.001 * g * g
        m_hat = moment / (1.0 - 0.9 ** (step + 1))
        v_hat = second / (1.0 - 0.999 ** (step + 1))
        theta = theta - learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)
    return TrainedNetwork(net, np.array(losses))


# ----------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class Comparison:
    """Test error of the hat grid and of the trained network against their parameter counts.

    Attributes
    ----------
    n_inputs : int
        d.
    grid_parameters : ndarray of int, shape (G,)
        k^d for up to 12 values of k from 2 up, spaced geometrically.
    grid_error : ndarray, shape (G,)
    network_parameters : ndarray of int, shape (H,)
        (d + 2) h + 1 for h = 1, 2, 4, ...
    hidden_units : ndarray of int, shape (H,)
    network_error : ndarray, shape (H,)
    grid_rate, network_rate : float
        Fitted slopes of log error against log n (:func:`core.approximation.log_log_fit`).
    fixed_reference : ndarray, shape (G,)
        (1/n)^(2/d) scaled through the first grid error.
    barron_reference : ndarray, shape (H,)
        c / n through the first network error.
    grid_predicted_rate : float
        -4 / d: the slope of log error against log n that h^4 = n^{-4/d} predicts for the grid.
    fixed_reference_rate : float
        -2 / d: the slope of ``fixed_reference``, the (1/n)^(2/d) order.
    """

    n_inputs: int
    grid_parameters: np.ndarray
    grid_error: np.ndarray
    network_parameters: np.ndarray
    hidden_units: np.ndarray
    network_error: np.ndarray
    grid_rate: float
    network_rate: float
    fixed_reference: np.ndarray
    barron_reference: np.ndarray
    grid_predicted_rate: float
    fixed_reference_rate: float


def compare_bases(
    n_inputs: int,
    target: str,
    max_parameters: int,
    max_hidden: int,
    activation: str,
    n_train: int,
    n_test: int,
    n_steps: int,
    rng: np.random.Generator,
) -> Comparison:
    """Hat grids with up to ``max_parameters`` coefficients, networks with h = 1, 2, 4, ...
    up to ``max_hidden`` units, both scored on the same n_test uniform test points."""
    if n_inputs not in (1, 2, 3):
        raise DomainError(f"the comparison runs in d = 1, 2 or 3 dimensions, got {n_inputs}")
    if max_parameters < 2**n_inputs:
        raise DomainError(f"the smallest grid has 2^d = {2**n_inputs} coefficients")
    if max_hidden < 1 or n_train < 2 or n_test < 1:
        raise DomainError("need max_hidden >= 1, at least 2 training and 1 test point")
    d = n_inputs
    x_test = rng.uniform(-1.0, 1.0, size=(n_test, d))
    f_test = target_nd(target, x_test)
    largest_side = int(np.floor(max_parameters ** (1.0 / d) + 1e-9))
    sides = np.unique(np.round(np.geomspace(2, largest_side, GRID_SIZES)).astype(int))
    grid_error = np.array(
        [
            np.mean(
                (hat_interpolate(target_nd(target, grid_points(k, d)), int(k), x_test) - f_test)
                ** 2
            )
            for k in sides
        ]
    )
    x_train = rng.uniform(-1.0, 1.0, size=(n_train, d))
    y_train = target_nd(target, x_train)
    hidden = 2 ** np.arange(int(np.log2(max_hidden)) + 1)
    net_error = np.empty(hidden.size)
    for j, h in enumerate(hidden):  # one training run per size
        trained = train_shallow(x_train, y_train, int(h), activation, n_steps, 0.05, rng)
        out = network.forward(trained.net, x_test.T).output[0]
        net_error[j] = np.mean((out - f_test) ** 2)
    grid_n = sides**d
    net_n = (d + 2) * hidden + 1
    return Comparison(
        n_inputs=d,
        grid_parameters=grid_n,
        grid_error=grid_error,
        network_parameters=net_n,
        hidden_units=hidden,
        network_error=net_error,
        grid_rate=log_log_fit(grid_n.astype(float), grid_error)[0],
        network_rate=log_log_fit(net_n.astype(float), net_error)[0],
        fixed_reference=grid_error[0] * (grid_n[0] / grid_n) ** (2.0 / d),
        barron_reference=net_error[0] * net_n[0] / net_n,
        grid_predicted_rate=-4.0 / d,
        fixed_reference_rate=-2.0 / d,
    )

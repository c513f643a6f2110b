"""Fitting the loss-functions lab's models: an optimiser on the mean negative log-likelihood.

Course notes ch. 5 and 5.1 (Prince ch. 5-6): the maximum-likelihood parameters minimise
``L[phi] = -sum_i log Pr(y_i | f[x_i, phi])``; with no closed form they are found by descending
its gradient, which :func:`core.network.backward` gives from the loss's ``d L / d output``.
The update rules are those of :mod:`core.optimizers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses, optimizers
from core.errors import DomainError
from core.likelihood import Data, ModelSpec, network_of
from core.network import backward, forward, gradient_vector, unflatten

# The optimisers a fit may use: the full-batch rules of core.optimizers whose step functions
# work on any parameter vector (the line searches and SGD are tied to the training lab's data).
FIT_OPTIMIZERS: tuple[str, ...] = tuple(
    kind for kind in optimizers.OPTIMIZER_NAMES if kind in ("gd", "momentum", "nesterov", "adam")
)


@dataclass(frozen=True)
class Fit:
    """An optimiser run on the mean NLL from the current parameters.

    Attributes
    ----------
    parameters : ndarray, shape (P,)
        Where the run stopped (finite).
    losses : ndarray, shape (S + 1,)
        The NLL (summed over the examples) at the start and after every step.
    status : str
        ``"converged"``, ``"max_steps"`` or ``"diverged"``.
    steps : int
    message : str
    """

    parameters: np.ndarray
    losses: np.ndarray
    status: str
    steps: int
    message: str


def _loss_and_gradient(
    spec: ModelSpec, data: Data, phi: np.ndarray, sigma: float
) -> tuple[float, np.ndarray] | None:
    """The summed NLL and ``d (L / I) / d phi``; None when the output or the loss overflows."""
    net = unflatten(phi, spec.widths, spec.activations)
    fwd = forward(net, data.x[None, :])
    out = fwd.output
    if not np.all(np.isfinite(out)) or (spec.heteroscedastic and np.any(np.abs(out[1]) < 1e-150)):
        return None
    loss = losses.evaluate_loss(spec.loss, out, data.y, sigma)
    if not np.isfinite(loss.total):
        return None
    return loss.total, gradient_vector(backward(net, fwd, loss.gradient / data.x.size))


def mean_nll_gradient(spec: ModelSpec, data: Data, parameters: np.ndarray, sigma: float = 1.0):
    """``d (L / I) / d phi`` in the order of :func:`core.network.flatten` (as :func:`fit`)."""
    network_of(spec, parameters)  # checks the number of parameters
    result = _loss_and_gradient(spec, data, np.asarray(parameters, dtype=float), sigma)
    if result is None:
        raise DomainError("the model's output or its loss overflows at these parameters")
    return result[1]


def fit(
    spec: ModelSpec,
    data: Data,
    start: np.ndarray,
    sigma: float = 1.0,
    config: optimizers.OptimizerConfig | None = None,
    max_steps: int = 200,
    tolerance: float = 1e-6,
) -> Fit:
    """Minimise the mean NLL ``L / I`` with one of :data:`FIT_OPTIMIZERS` (full batch).

    Each step is the update rule of :mod:`core.optimizers` (``gd_step``, ``momentum_step``,
    ``nesterov_point``, ``adam_step``) applied to the whole parameter vector, with the gradient
    backpropagated through the model by :func:`core.network.backward` and divided by I so the
    learning rate does not depend on the number of points. Stops as the training lab's runs
    do: converged when ``|grad| < tolerance`` and the last step moved less than ``tolerance``;
    diverged when the loss is not finite or exceeds ``LOSS_LIMIT`` per point, or a step would
    take a parameter beyond ``PHI_LIMIT`` (that step is not taken).
    """
    config = config or optimizers.OptimizerConfig()
    if spec.problem == "binary" and spec.link != "sigmoid":
        raise DomainError(
            "without the sigmoid lambda leaves [0, 1] and the likelihood is undefined there: "
            "choose the sigmoid link to fit"
        )
    if config.kind not in FIT_OPTIMIZERS:
        raise DomainError(f"the fit uses one of {', '.join(FIT_OPTIMIZERS)}, got {config.kind!r}")
    optimizers.validate(config, data.x.size, max(max_steps, 1))
    if tolerance < 0:
        raise DomainError(f"the tolerance must be >= 0, got {tolerance}")
    network_of(spec, start)  # checks the number of parameters
    phi = np.asarray(start, dtype=float).copy()
    m, v = np.zeros_like(phi), np.zeros_like(phi)
    alpha, beta, size = config.learning_rate, config.beta, data.x.size
    history: list[float] = []
    moved = np.inf
    status, message = "max_steps", f"stopped at the step limit ({max_steps} steps)"
    for t in range(max_steps + 1):
        here = _loss_and_gradient(spec, data, phi, sigma)
        if here is None or here[0] > optimizers.LOSS_LIMIT * size:
            status, message = "diverged", "the loss blew up: the learning rate is too large"
            break
        history.append(here[0])
        g = here[1]
        if np.linalg.norm(g) < tolerance and moved < tolerance:
            status = "converged"
            message = f"converged after {t} steps: |gradient| and the last step < {tolerance:g}"
            break
        if t == max_steps:
            break
        if config.kind == "nesterov":
            ahead = _loss_and_gradient(
                spec, data, optimizers.nesterov_point(phi, m, alpha, beta), sigma
            )
            if ahead is None:
                status, message = "diverged", "the loss blew up: the learning rate is too large"
                break
            g = ahead[1]
        m_new, v_new = m, v
        if config.kind == "gd":
            new = optimizers.gd_step(phi, g, alpha)
        elif config.kind == "adam":
            new, m_new, v_new = optimizers.adam_step(
                phi, m, v, g, alpha, beta, config.gamma, config.epsilon, t
            )
        else:  # momentum and Nesterov
            new, m_new = optimizers.momentum_step(phi, m, g, alpha, beta)
        if not np.all(np.abs(new) < optimizers.PHI_LIMIT):  # also catches NaN
            status, message = "diverged", "a parameter blew up: the learning rate is too large"
            break
        moved = float(np.linalg.norm(new - phi))
        phi, m, v = new, m_new, v_new
    if status == "diverged":
        message = f"diverged after {len(history) - 1} steps: {message}"
    return Fit(phi, np.array(history), status, max(len(history) - 1, 0), message)

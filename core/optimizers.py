"""Gradient descent, SGD, momentum, Nesterov momentum and Adam on a two-parameter landscape.

Notation (Prince, *Understanding Deep Learning*, ch. 6; course notes ch. 5.1). At step t the
optimiser draws a mini-batch B_t and forms the mini-batch gradient

    g_t = (1 / |B_t|) sum_{i in B_t} grad_phi l_i[phi_t]

Full-batch gradient descent uses B_t = all samples. The update rules are

    gradient descent   phi_{t+1} = phi_t - alpha_t g_t
    line search        phi_{t+1} = phi_t - a_t g_t, a_t the first of 2a_{t-1}, a_{t-1}, ...
                       (halving) passing the Armijo test; a_{-1} = alpha_0 / 2, no schedule
    SGD                phi_{t+1} = phi_t - alpha_t g_t          (B_t a mini-batch)
    momentum           m_{t+1} = beta m_t + (1 - beta) g_t;  phi_{t+1} = phi_t - alpha_t m_{t+1}
    Nesterov           as momentum, but g_t is taken at phi_t - alpha_t beta m_t
    Adam               m_{t+1} = beta m_t + (1 - beta) g_t,
                       v_{t+1} = gamma v_t + (1 - gamma) g_t^2,
                       phi_{t+1} = phi_t - alpha_t m~ / (sqrt(v~) + epsilon) with
                       m~ = m_{t+1} / (1 - beta^{t+1}),  v~ = v_{t+1} / (1 - gamma^{t+1})

with m_0 = v_0 = 0. Momentum is the *averaging* convention of Prince eq. 6.11 (the (1 - beta)
factor), so alpha has the same meaning with and without momentum.

Mini-batches are drawn without replacement: at the start of every epoch the N samples are
shuffled and cut into consecutive batches of ``batch_size`` (the last one smaller when
``batch_size`` does not divide N), so every sample is used exactly once per epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.landscapes import Landscape, batch_loss_and_gradient, losses_at

SCHEDULE_NAMES: tuple[str, ...] = ("constant", "step", "exponential", "inverse_time")
OPTIMIZER_NAMES: tuple[str, ...] = ("gd", "line_search", "sgd", "momentum", "nesterov", "adam")
PHI_LIMIT = 1e6  # |phi| beyond this counts as divergence
LOSS_LIMIT = 1e12  # a mini-batch loss beyond this counts as divergence
ARMIJO_C = 1e-4  # sufficient-decrease constant of the line search
MAX_HALVINGS = 40  # the line search gives up (step 0) after this many halvings


@dataclass(frozen=True)
class Schedule:
    r"""Learning-rate schedule alpha_t = alpha_0 s(t), t = 0, 1, ... counted in steps.

    ``constant``: s = 1; ``step``: s = gamma^{floor(t / period)};
    ``exponential``: s = gamma^{t / period}; ``inverse_time``: s = 1 / (1 + t / period).
    """

    kind: str = "constant"
    gamma: float = 0.5  # decay factor per period (step, exponential)
    period: int = 100  # steps per decay period


@dataclass(frozen=True)
class OptimizerConfig:
    """Settings of one optimiser.

    Attributes
    ----------
    kind : str
        One of ``OPTIMIZER_NAMES``.
    learning_rate : float
        alpha_0 (for ``line_search`` the first trial step).
    batch_size : int or None
        Samples per mini-batch; None means the full batch. ``gd`` and ``line_search`` always
        use the full batch.
    beta : float
        Momentum coefficient (momentum, Nesterov, Adam's first moment).
    gamma : float
        Adam's second-moment coefficient.
    epsilon : float
        Adam's guard against division by zero.
    schedule : Schedule
    """

    kind: str = "gd"
    learning_rate: float = 0.1
    batch_size: int | None = None
    beta: float = 0.9
    gamma: float = 0.99
    epsilon: float = 1e-8
    schedule: Schedule = field(default_factory=Schedule)


@dataclass(frozen=True)
class Run:
    """One optimisation run.

    Attributes
    ----------
    trajectory : ndarray, shape (S + 1, 2)
        phi_0 (the start) to phi_S, all finite.
    losses : ndarray, shape (S + 1,)
        Full-data loss at every point of the trajectory.
    batch_losses : ndarray, shape (S,)
        Mini-batch loss where step t took its gradient (the loss the optimiser "sees").
    learning_rates : ndarray, shape (S,)
        alpha_t used at step t (for the line search, the accepted step).
    batch_indices : tuple of S int arrays
        Samples of the mini-batch of step t.
    epoch_ends : ndarray of int, shape (E,)
        Number of steps taken when each completed epoch ended.
    epoch_losses : ndarray, shape (E,)
        Full-data loss at the end of each completed epoch.
    status : str
        ``"converged"``, ``"max_steps"`` or ``"diverged"``.
    message : str
        Why the run stopped, in words.
    """

    trajectory: np.ndarray
    losses: np.ndarray
    batch_losses: np.ndarray
    learning_rates: np.ndarray
    batch_indices: tuple[np.ndarray, ...]
    epoch_ends: np.ndarray
    epoch_losses: np.ndarray
    status: str
    message: str


def learning_rates(schedule: Schedule, learning_rate: float, n_steps: int) -> np.ndarray:
    """alpha_t for t = 0 .. n_steps - 1 (see :class:`Schedule`); shape (n_steps,)."""
    if schedule.kind not in SCHEDULE_NAMES:
        raise ValueError(
            f"unknown schedule {schedule.kind!r}; choose one of {', '.join(SCHEDULE_NAMES)}"
        )
    if schedule.period < 1:
        raise ValueError(f"the schedule period must be at least 1 step, got {schedule.period}")
    if not 0 < schedule.gamma <= 1:
        raise ValueError(f"the decay factor gamma must lie in (0, 1], got {schedule.gamma}")
    t = np.arange(n_steps, dtype=float)
    if schedule.kind == "constant":
        scale = np.ones_like(t)
    elif schedule.kind == "step":
        scale = schedule.gamma ** np.floor(t / schedule.period)
    elif schedule.kind == "exponential":
        scale = schedule.gamma ** (t / schedule.period)
    else:
        scale = 1.0 / (1.0 + t / schedule.period)
    return learning_rate * scale


def _validate(config: OptimizerConfig, n_samples: int, max_steps: int) -> int:
    if config.kind not in OPTIMIZER_NAMES:
        raise ValueError(
            f"unknown optimiser {config.kind!r}; choose one of {', '.join(OPTIMIZER_NAMES)}"
        )
    if not config.learning_rate > 0:
        raise ValueError(f"the learning rate must be positive, got {config.learning_rate}")
    if max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    if not 0 <= config.beta < 1:
        raise ValueError(f"beta must lie in [0, 1), got {config.beta}")
    if not 0 <= config.gamma < 1:
        raise ValueError(f"gamma must lie in [0, 1), got {config.gamma}")
    if not config.epsilon > 0:
        raise ValueError(f"epsilon must be positive, got {config.epsilon}")
    if config.kind in ("gd", "line_search") or config.batch_size is None:
        return n_samples
    if not 1 <= config.batch_size:
        raise ValueError(f"the batch size must be at least 1, got {config.batch_size}")
    return min(config.batch_size, n_samples)


def run_optimizer(
    landscape: Landscape,
    config: OptimizerConfig,
    start: np.ndarray,
    max_steps: int,
    rng: np.random.Generator,
    tolerance: float = 1e-6,
) -> Run:
    """Run one optimiser from ``start`` until it converges, diverges or takes ``max_steps``.

    Parameters
    ----------
    landscape : Landscape
    config : OptimizerConfig
    start : ndarray, shape (2,)
        phi_0.
    max_steps : int
    rng : numpy.random.Generator
        Shuffles the samples at the start of each epoch (unused by full-batch runs).
    tolerance : float
        Converged when the full-data gradient norm and the last step length are both below it
        (checked every step for full-batch runs, at the end of every epoch otherwise).

    Returns
    -------
    Run
    """
    start = np.asarray(start, dtype=float)
    if start.shape != (2,) or not np.all(np.isfinite(start)):
        raise ValueError(f"the start must be 2 finite numbers, got {start.tolist()}")
    n = landscape.x.size
    batch = _validate(config, n, max_steps)
    alphas = learning_rates(config.schedule, config.learning_rate, max_steps)
    batches_per_epoch = math.ceil(n / batch)
    full_batch = batch == n
    everything = np.arange(n)

    # The state is kept in Python floats: with two parameters, per-call NumPy overhead on
    # length-2 arrays would cost more than the arithmetic.
    p0, p1 = float(start[0]), float(start[1])
    m0 = m1 = v0 = v1 = 0.0
    points = [(p0, p1)]
    batch_losses: list[float] = []
    used_rates: list[float] = []
    batch_indices: list[np.ndarray] = []
    status, message = "max_steps", f"stopped after the maximum of {max_steps} steps"
    order, xs, ys = everything, landscape.x, landscape.y
    beta, gamma, eps = config.beta, config.gamma, config.epsilon
    kind = config.kind
    last_move = math.inf
    trial_step = 0.5 * config.learning_rate  # line search: the first trial step is alpha_0

    for t in range(max_steps):
        k = t % batches_per_epoch
        if k == 0 and not full_batch:
            order = rng.permutation(n)
            xs, ys = landscape.x[order], landscape.y[order]  # shuffled copy, sliced below
        lo, hi = k * batch, min((k + 1) * batch, n)
        alpha = float(alphas[t])
        if kind == "nesterov":
            at = np.array([p0 - alpha * beta * m0, p1 - alpha * beta * m1])
        else:
            at = np.array([p0, p1])
        loss, g = batch_loss_and_gradient(landscape, xs[lo:hi], ys[lo:hi], at)
        g0, g1 = float(g[0]), float(g[1])
        if not (loss < LOSS_LIMIT and math.isfinite(g0) and math.isfinite(g1)):  # NaN fails <
            status, message = "diverged", f"the loss blew up at step {t}"
            break
        if full_batch and math.hypot(g0, g1) < tolerance and (t == 0 or last_move < tolerance):
            status = "converged"
            message = f"converged after {t} steps (gradient norm below {tolerance:g})"
            break

        if kind in ("gd", "sgd"):
            d0, d1 = alpha * g0, alpha * g1
        elif kind == "line_search":
            # Start from twice the last accepted step, so the step can grow as well as shrink.
            alpha = _armijo(landscape, np.array([p0, p1]), loss, g, 2.0 * trial_step)
            trial_step = alpha
            if alpha == 0.0:
                status = "converged"
                message = f"converged after {t} steps (no step along the gradient lowers the loss)"
                break
            d0, d1 = alpha * g0, alpha * g1
        elif kind in ("momentum", "nesterov"):
            m0 = beta * m0 + (1.0 - beta) * g0
            m1 = beta * m1 + (1.0 - beta) * g1
            d0, d1 = alpha * m0, alpha * m1
        else:  # adam
            m0 = beta * m0 + (1.0 - beta) * g0
            m1 = beta * m1 + (1.0 - beta) * g1
            v0 = gamma * v0 + (1.0 - gamma) * g0 * g0
            v1 = gamma * v1 + (1.0 - gamma) * g1 * g1
            m_scale = 1.0 / (1.0 - beta ** (t + 1))  # bias corrections
            v_scale = 1.0 / (1.0 - gamma ** (t + 1))
            d0 = alpha * m0 * m_scale / (math.sqrt(v0 * v_scale) + eps)
            d1 = alpha * m1 * m_scale / (math.sqrt(v1 * v_scale) + eps)
        new0, new1 = p0 - d0, p1 - d1
        if not (abs(new0) < PHI_LIMIT and abs(new1) < PHI_LIMIT):  # also catches NaN and inf
            status = "diverged"
            message = f"the parameters left |phi| < {PHI_LIMIT:g} at step {t}"
            break
        batch_losses.append(loss)
        used_rates.append(alpha)
        batch_indices.append(order[lo:hi])
        last_move = math.hypot(d0, d1)
        p0, p1 = new0, new1
        points.append((p0, p1))
        if not full_batch and k == batches_per_epoch - 1:
            _, g_full = batch_loss_and_gradient(
                landscape, landscape.x, landscape.y, np.array([p0, p1])
            )
            if np.hypot(*g_full) < tolerance and last_move < tolerance:
                status = "converged"
                message = f"converged after {t + 1} steps (gradient norm below {tolerance:g})"
                break

    trajectory = np.array(points)  # (S + 1, 2)
    losses = losses_at(landscape, trajectory)
    n_steps = len(points) - 1
    epoch_ends = np.arange(batches_per_epoch, n_steps + 1, batches_per_epoch)
    return Run(
        trajectory=trajectory,
        losses=losses,
        batch_losses=np.array(batch_losses, dtype=float),
        learning_rates=np.array(used_rates, dtype=float),
        batch_indices=tuple(batch_indices),
        epoch_ends=epoch_ends,
        epoch_losses=losses[epoch_ends],
        status=status,
        message=message,
    )


def _armijo(
    landscape: Landscape, phi: np.ndarray, loss: float, g: np.ndarray, alpha: float
) -> float:
    r"""Backtracking line search along -g: the first a in alpha, alpha/2, alpha/4, ... with
    :math:`L[\phi - a g] \le L[\phi] - c\, a \|g\|^2` (c = ``ARMIJO_C``); 0 if none of
    ``MAX_HALVINGS`` halvings passes."""
    g2 = float(g @ g)
    for _ in range(MAX_HALVINGS):
        trial = losses_at(landscape, (phi - alpha * g)[None, :])[0]
        if np.isfinite(trial) and trial <= loss - ARMIJO_C * alpha * g2:
            return alpha
        alpha *= 0.5
    return 0.0


def nearest_minimum(points: np.ndarray, minima: np.ndarray) -> np.ndarray:
    """Index of the closest minimum for each point.

    Parameters
    ----------
    points : ndarray, shape (P, 2)
    minima : ndarray, shape (K, 2), K >= 1

    Returns
    -------
    ndarray of int, shape (P,)
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)  # (P, 2)
    minima = np.asarray(minima, dtype=float).reshape(-1, 2)  # (K, 2)
    if len(minima) == 0:
        raise ValueError("need at least one minimum to compare with, got none")
    distance = np.linalg.norm(points[:, None, :] - minima[None, :, :], axis=-1)  # (P, K)
    return np.argmin(distance, axis=1)


def race(
    landscape: Landscape,
    configs: tuple[OptimizerConfig, ...],
    start: np.ndarray,
    max_steps: int,
    rng: np.random.Generator,
) -> tuple[Run, ...]:
    """Run several optimisers from the same start.

    Every run shuffles with a generator seeded identically (one seed drawn from ``rng``), so
    optimisers with the same batch size see the same sequence of mini-batches: the race
    compares update rules, not luck.

    Returns
    -------
    tuple of Run, one per config, in order.
    """
    seed = int(rng.integers(2**63))
    return tuple(
        run_optimizer(landscape, config, start, max_steps, np.random.default_rng(seed))
        for config in configs
    )


def from_starts(
    landscape: Landscape,
    config: OptimizerConfig,
    starts: np.ndarray,
    max_steps: int,
    rng: np.random.Generator,
) -> tuple[Run, ...]:
    """Run one optimiser from each row of ``starts`` (shape (K, 2)), same batches for each."""
    starts = np.asarray(starts, dtype=float).reshape(-1, 2)  # (K, 2)
    seed = int(rng.integers(2**63))
    return tuple(
        run_optimizer(landscape, config, start, max_steps, np.random.default_rng(seed))
        for start in starts
    )

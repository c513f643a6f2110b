"""Gradient descent, line searches, SGD, momentum, Nesterov momentum and Adam on a two-parameter
landscape: each update rule as a small pure function, and a plain loop that runs them.

Notation (Prince, *Understanding Deep Learning*, ch. 6; course notes ch. 5.1). At step t the
optimiser takes a mini-batch B_t and the mini-batch gradient

    g_t = (1 / |B_t|) sum_{i in B_t} grad_phi l_i[phi_t]      (core.landscape_loss)

Full-batch methods use B_t = all samples. The update rules (m_0 = v_0 = 0):

    gradient descent / SGD   phi_{t+1} = phi_t - alpha_t g_t                   gd_step
    momentum                 m_{t+1} = beta m_t + (1 - beta) g_t
                             phi_{t+1} = phi_t - alpha_t m_{t+1}               momentum_step
    Nesterov                 as momentum, with g_t taken at phi_t - alpha_t beta m_t
                                                                               nesterov_point
    Adam                     m_{t+1} = beta m_t + (1 - beta) g_t
                             v_{t+1} = gamma v_t + (1 - gamma) g_t^2
                             phi_{t+1} = phi_t - alpha_t (m_{t+1} / (1 - beta^{t+1}))
                                         / (sqrt(v_{t+1} / (1 - gamma^{t+1})) + epsilon)
                                                                               adam_step
    line search (Armijo)     phi_{t+1} = phi_t - a_t g_t, a_t the first of A, A/2, A/4, ...
                             with L[phi_t - a g_t] <= L[phi_t] - c a |g_t|^2 (c = ARMIJO_C),
                             A = 2 a_{t-1} (A = alpha_0 at t = 0)              armijo_step
    exact line search        a_t = argmin_a L[phi_t - a g_t], found by bracketing the minimum
                             along the line and shrinking the bracket (golden section),
                             starting from a_{t-1} (alpha_0 at t = 0)  exact_line_search_step

Momentum's damping convention: the *averaging* form of Prince eq. 6.11 (the factor 1 - beta),
so m is a weighted average of past gradients and alpha means the same with and without
momentum. The other common form m <- beta m + g takes the same steps with alpha (1 - beta).
Line searches choose their own steps: they ignore the schedule.

Mini-batches are drawn without replacement: at the start of every epoch the N samples are
shuffled and cut into consecutive batches of ``batch_size`` (the last one smaller when it does
not divide N), so every sample is used exactly once per epoch. A caller may give the order
instead (``OptimizerConfig.batches``, one list of sample indices per step); it is repeated from
the start when the run is longer, and one pass through it counts as an epoch.

When a run stops (one rule per purpose):

- converged, full-batch runs: before step t, |grad L[phi_t]| < tolerance and the last step
  |phi_t - phi_{t-1}| < tolerance;
- converged, mini-batch runs: at the end of an epoch, the same test with the full gradient;
- converged, line searches: no trial step lowers the loss (the search returns a = 0);
- diverged: the mini-batch loss reaches ``LOSS_LIMIT`` or is not finite, or a parameter would
  leave |phi| < ``PHI_LIMIT`` (that step is not taken, so every returned number is finite);
- max_steps: none of these within ``max_steps`` steps.

:func:`run_optimizer` is the reference loop. :func:`race` and :func:`from_starts` run several
optimisers in lock-step through :mod:`core.optimizers_fast`, which gives the same numbers bit
for bit (tested) in a fraction of the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.errors import DomainError
from core.landscape_loss import batch_sums, losses_at
from core.landscape_models import Landscape

# The optimisers and schedules, declared once: name -> label a page shows.
OPTIMIZERS: dict[str, str] = {
    "gd": "gradient descent",
    "line_search": "GD + line search",
    "sgd": "SGD",
    "momentum": "momentum",
    "nesterov": "Nesterov",
    "adam": "Adam",
    "exact_line_search": "GD + exact line search",
}
OPTIMIZER_NAMES: tuple[str, ...] = tuple(OPTIMIZERS)
FULL_BATCH: tuple[str, ...] = ("gd", "line_search", "exact_line_search")  # always all samples
LINE_SEARCHES: tuple[str, ...] = ("line_search", "exact_line_search")
SCHEDULES: dict[str, str] = {
    "constant": "constant",
    "step": "step decay",
    "exponential": "exponential",
    "inverse_time": "1/t",
}
SCHEDULE_NAMES: tuple[str, ...] = tuple(SCHEDULES)

PHI_LIMIT = 1e6  # |phi| beyond this counts as divergence
LOSS_LIMIT = 1e12  # a mini-batch loss beyond this counts as divergence
ARMIJO_C = 1e-4  # sufficient-decrease constant of the Armijo line search
MAX_HALVINGS = 40  # a line search gives up (step 0) after this many halvings
MAX_DOUBLINGS = 40  # the exact line search widens its bracket at most this many times
GOLDEN_ITERATIONS = 40  # bracket shrinks of the exact line search (0.618^40 ~ 4e-9)


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
        alpha_0 (for the line searches the first trial step).
    batch_size : int or None
        Samples per mini-batch; None means the full batch. Full-batch kinds (``FULL_BATCH``)
        always use all samples.
    beta : float
        Momentum coefficient (momentum, Nesterov, Adam's first moment).
    gamma : float
        Adam's second-moment coefficient.
    epsilon : float
        Adam's guard against division by zero.
    schedule : Schedule
    batches : tuple of tuples of int, or None
        The caller's mini-batch order, one tuple of 0-based sample indices per step (repeated
        when the run is longer); replaces the shuffling and ``batch_size``.
    """

    kind: str = "gd"
    learning_rate: float = 0.1
    batch_size: int | None = None
    beta: float = 0.9
    gamma: float = 0.99
    epsilon: float = 1e-8
    schedule: Schedule = field(default_factory=Schedule)
    batches: tuple[tuple[int, ...], ...] | None = None


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
        alpha_t used at step t (for the line searches, the accepted step).
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
    gradients : ndarray, shape (S, 2), or None
        g_t used by step t (recorded runs only).
    moments : ndarray, shape (S, 2), or None
        m_{t+1} after step t (momentum, Nesterov, Adam; recorded runs only).
    second_moments : ndarray, shape (S, 2), or None
        v_{t+1} after step t (Adam; recorded runs only).
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
    gradients: np.ndarray | None = None
    moments: np.ndarray | None = None
    second_moments: np.ndarray | None = None


# ---------------------------------------------------------------------------- update rules


def gd_step(phi: np.ndarray, g: np.ndarray, alpha: float) -> np.ndarray:
    """phi_{t+1} = phi_t - alpha_t g_t (gradient descent; SGD with a mini-batch gradient)."""
    return phi - alpha * g


def momentum_step(
    phi: np.ndarray, m: np.ndarray, g: np.ndarray, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """m_{t+1} = beta m_t + (1 - beta) g_t;  phi_{t+1} = phi_t - alpha_t m_{t+1}.

    Returns (phi_{t+1}, m_{t+1}).
    """
    m_next = beta * m + (1.0 - beta) * g
    return phi - alpha * m_next, m_next


def nesterov_point(phi: np.ndarray, m: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """Where Nesterov momentum takes its gradient: phi_t - alpha_t beta m_t (then
    :func:`momentum_step` with that gradient)."""
    return phi - alpha * beta * m


def adam_step(
    phi: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    alpha: float,
    beta: float,
    gamma: float,
    epsilon: float,
    t: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam step t (0-based), element-wise; returns (phi_{t+1}, m_{t+1}, v_{t+1}).

    m_{t+1} = beta m_t + (1 - beta) g_t,  v_{t+1} = gamma v_t + (1 - gamma) g_t^2,
    phi_{t+1} = phi_t - alpha_t m~ / (sqrt(v~) + epsilon), with the bias-corrected
    m~ = m_{t+1} / (1 - beta^{t+1}) and v~ = v_{t+1} / (1 - gamma^{t+1}).
    """
    m_next = beta * m + (1.0 - beta) * g
    v_next = gamma * v + (1.0 - gamma) * (g * g)
    m_hat = m_next / (1.0 - beta ** (t + 1))
    v_hat = v_next / (1.0 - gamma ** (t + 1))
    return phi - alpha * m_hat / (np.sqrt(v_hat) + epsilon), m_next, v_next


def armijo_step(landscape: Landscape, phi: np.ndarray, loss: float, g: np.ndarray, first: float):
    r"""Backtracking line search along -g: the first a in first, first/2, first/4, ... with
    :math:`L[\phi - a g] \le L[\phi] - c\, a \|g\|^2` (c = ``ARMIJO_C``); 0 if none of
    ``MAX_HALVINGS`` trial steps passes. ``loss`` is L[phi]; L is the full loss."""
    g2 = float(g[0] * g[0] + g[1] * g[1])
    for halvings in range(MAX_HALVINGS):
        a = first * 0.5**halvings
        if losses_at(landscape, (phi - a * g)[None, :])[0] <= loss - ARMIJO_C * a * g2:
            return a
    return 0.0


def exact_line_search_step(
    landscape: Landscape, phi: np.ndarray, loss: float, g: np.ndarray, first: float
) -> float:
    """The step a > 0 that minimises L[phi - a g] along the line, by bracketing (Prince ch. 6).

    1. Halve ``first`` until L[phi - a g] < ``loss`` (none in ``MAX_HALVINGS``: return 0).
    2. Double a while the loss keeps falling: the minimum then lies in [a/2, 2a] (or [0, 2a]).
    3. Shrink that bracket by golden sections (``GOLDEN_ITERATIONS`` times) and return the
       lowest point evaluated, so the step always lowers the loss.
    """

    def along(a: float) -> float:
        return float(losses_at(landscape, (phi - a * g)[None, :])[0])

    b, fb = first, along(first)
    for _ in range(MAX_HALVINGS):
        if fb < loss:
            break
        b *= 0.5
        fb = along(b)
    else:
        return 0.0
    lo, c, fc = 0.0, 2.0 * b, along(2.0 * b)
    for _ in range(MAX_DOUBLINGS):
        if not fc < fb:
            break
        lo, b, fb = b, c, fc
        c, fc = 2.0 * b, along(2.0 * b)
    best, f_best = b, fb
    ratio = (math.sqrt(5.0) - 1.0) / 2.0  # 0.618...
    hi = c
    x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    f1, f2 = along(x1), along(x2)
    for _ in range(GOLDEN_ITERATIONS):
        if f1 < f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - ratio * (hi - lo)
            f1 = along(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + ratio * (hi - lo)
            f2 = along(x2)
        for x, f in ((x1, f1), (x2, f2)):
            if f < f_best:
                best, f_best = x, f
    return best


# ---------------------------------------------------------------------------- schedules, batches


def learning_rates(
    schedule: Schedule, learning_rate: float, n_steps: int, start: int = 0
) -> np.ndarray:
    """alpha_t for t = start .. n_steps - 1 (see :class:`Schedule`); shape (n_steps - start,)."""
    if schedule.kind not in SCHEDULE_NAMES:
        raise DomainError(
            f"unknown schedule {schedule.kind!r}; choose one of {', '.join(SCHEDULE_NAMES)}"
        )
    if schedule.period < 1:
        raise DomainError(f"the schedule period must be at least 1 step, got {schedule.period}")
    if not 0 < schedule.gamma <= 1:
        raise DomainError(f"the decay factor gamma must lie in (0, 1], got {schedule.gamma}")
    t = np.arange(start, n_steps, dtype=float)
    if schedule.kind == "constant":
        scale = np.ones_like(t)
    elif schedule.kind == "step":
        scale = schedule.gamma ** np.floor(t / schedule.period)
    elif schedule.kind == "exponential":
        scale = schedule.gamma ** (t / schedule.period)
    else:
        scale = 1.0 / (1.0 + t / schedule.period)
    return learning_rate * scale


def shuffled_batches(
    n: int, size: int, n_steps: int, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    """Mini-batches of ``n_steps`` steps: one permutation of the N samples per epoch, cut into
    consecutive batches of ``size`` (the last of an epoch smaller when size does not divide N).

    One ``Generator.permuted`` call draws all epochs: the same permutations, and the same
    generator state afterwards, as one ``rng.permutation(n)`` per epoch.
    """
    per_epoch = math.ceil(n / size)
    n_epochs = math.ceil(n_steps / per_epoch)
    perms = rng.permuted(np.tile(np.arange(n), (n_epochs, 1)), axis=1)  # (E, N)
    return tuple(p[i * size : (i + 1) * size] for p in perms for i in range(per_epoch))[:n_steps]


def batch_plan(
    config: OptimizerConfig, n: int, n_steps: int, rng: np.random.Generator | None
) -> tuple[tuple[np.ndarray, ...], int, bool]:
    """The mini-batch of every step, the steps per epoch and whether the run is full-batch."""
    if config.kind in FULL_BATCH or (config.batches is None and (config.batch_size or n) >= n):
        return (np.arange(n),) * n_steps, 1, True
    if config.batches is not None:
        order = tuple(np.asarray(b, dtype=int) for b in config.batches)
        return tuple(order[t % len(order)] for t in range(n_steps)), len(order), False
    if rng is None:
        raise DomainError("a mini-batch run needs a random generator or an order of batches")
    size = config.batch_size
    return shuffled_batches(n, size, n_steps, rng), math.ceil(n / size), False


def validate(config: OptimizerConfig, n_samples: int, max_steps: int) -> None:
    """Raise DomainError for settings that make no sense."""
    if config.kind not in OPTIMIZER_NAMES:
        raise DomainError(
            f"unknown optimiser {config.kind!r}; choose one of {', '.join(OPTIMIZER_NAMES)}"
        )
    if not config.learning_rate > 0:
        raise DomainError(f"the learning rate must be positive, got {config.learning_rate}")
    if max_steps < 1:
        raise DomainError(f"max_steps must be at least 1, got {max_steps}")
    if not 0 <= config.beta < 1:
        raise DomainError(f"beta must lie in [0, 1), got {config.beta}")
    if not 0 <= config.gamma < 1:
        raise DomainError(f"gamma must lie in [0, 1), got {config.gamma}")
    if not config.epsilon > 0:
        raise DomainError(f"epsilon must be positive, got {config.epsilon}")
    if config.batch_size is not None and config.batch_size < 1:
        raise DomainError(f"the batch size must be at least 1, got {config.batch_size}")
    if config.batches is not None:
        if len(config.batches) == 0 or any(len(b) == 0 for b in config.batches):
            raise DomainError("an order of mini-batches needs at least 1 batch of 1 sample")
        every = np.concatenate([np.asarray(b, dtype=int) for b in config.batches])
        if every.min() < 0 or every.max() >= n_samples:
            raise DomainError(
                f"sample indices must lie in 0..{n_samples - 1}, got {every.min()}..{every.max()}"
            )


def check_start(start: np.ndarray) -> np.ndarray:
    start = np.asarray(start, dtype=float).reshape(-1)
    if start.shape != (2,) or not np.all(np.isfinite(start)):
        raise DomainError(f"the start must be 2 finite numbers, got {start.tolist()}")
    return start


def full_gradient_norm(landscape: Landscape, points: np.ndarray) -> np.ndarray:
    """|grad L| of the full loss at each of ``points`` (shape (K, 2)); shape (K,)."""
    sums = batch_sums(landscape, landscape.x, landscape.y, points[:, :1], points[:, 1:])
    g0, g1 = 2.0 * sums[1:] / landscape.x.size
    return np.hypot(g0, g1)


# ---------------------------------------------------------------------------- the reference loop


def run_optimizer(
    landscape: Landscape,
    config: OptimizerConfig,
    start: np.ndarray,
    max_steps: int,
    rng: np.random.Generator | None = None,
    tolerance: float = 1e-6,
    record: bool = False,
) -> Run:
    """Run one optimiser from ``start`` until it converges, diverges or takes ``max_steps``.

    The plain reference loop: one step function per update rule (module docstring).

    Parameters
    ----------
    landscape : Landscape
    config : OptimizerConfig
    start : ndarray, shape (2,)
        phi_0.
    max_steps : int
    rng : numpy.random.Generator, optional
        Shuffles the samples at the start of each epoch (unused by full-batch runs and when
        the config gives the order of the batches).
    tolerance : float
        See the stopping rules in the module docstring.
    record : bool
        Also return, per step, the gradient and the moments the update used.

    Returns
    -------
    Run
    """
    n = landscape.x.size
    validate(config, n, max_steps)
    phi = check_start(start)
    batches, per_epoch, full = batch_plan(config, n, max_steps, rng)
    alphas = learning_rates(config.schedule, config.learning_rate, max_steps)
    kind, beta = config.kind, config.beta
    m, v = np.zeros(2), np.zeros(2)
    path, batch_losses, used_rates, grads, ms, vs = [phi], [], [], [], [], []
    search_step = config.learning_rate  # the line searches' first trial
    last_move = math.inf
    status, message = "max_steps", f"stopped after the maximum of {max_steps} steps"
    with np.errstate(all="ignore"):  # overflow is caught as divergence, never returned
        for t in range(max_steps):
            alpha = alphas[t]
            at = nesterov_point(phi, m, alpha, beta) if kind == "nesterov" else phi
            x, y = landscape.x[batches[t]], landscape.y[batches[t]]
            sums = batch_sums(landscape, x, y, at[:1, None], at[1:, None])[:, 0]  # (3,)
            loss, g = sums[0] / x.size, 2.0 * sums[1:] / x.size
            batch_losses.append(loss)
            if not (loss < LOSS_LIMIT and math.isfinite(g[0]) and math.isfinite(g[1])):
                status, message = "diverged", f"the loss blew up at step {t}"
                break
            if full and math.hypot(g[0], g[1]) < tolerance and last_move < tolerance:
                status, message = "converged", _converged(t, tolerance)
                break
            if kind in LINE_SEARCHES:
                search = armijo_step if kind == "line_search" else exact_line_search_step
                alpha = search(landscape, phi, loss, g, search_step)
                if alpha == 0.0:
                    status, message = (
                        "converged",
                        f"converged after {t} steps (no step lowers the loss)",
                    )
                    break
                search_step = 2.0 * alpha if kind == "line_search" else alpha
                new = gd_step(phi, g, alpha)
            elif kind in ("momentum", "nesterov"):
                new, m = momentum_step(phi, m, g, alpha, beta)
            elif kind == "adam":
                new, m, v = adam_step(phi, m, v, g, alpha, beta, config.gamma, config.epsilon, t)
            else:  # gd, sgd
                new = gd_step(phi, g, alpha)
            if not (abs(new[0]) < PHI_LIMIT and abs(new[1]) < PHI_LIMIT):  # also catches NaN
                status, message = (
                    "diverged",
                    f"the parameters left |phi| < {PHI_LIMIT:g} at step {t}",
                )
                break
            last_move = math.hypot(new[0] - phi[0], new[1] - phi[1])
            phi = new
            path.append(phi)
            used_rates.append(alpha)
            grads.append(g)
            ms.append(m)
            vs.append(v)
            if not full and (t + 1) % per_epoch == 0 and last_move < tolerance:
                if full_gradient_norm(landscape, phi[None, :])[0] < tolerance:
                    status, message = "converged", _converged(t + 1, tolerance)
                    break
    steps = len(path) - 1
    trajectory = np.array(path)
    losses = losses_at(landscape, trajectory)
    epoch_ends = np.arange(per_epoch, steps + 1, per_epoch) if not full else np.arange(1, steps + 1)
    moments = kind in ("momentum", "nesterov", "adam")
    return Run(
        trajectory=trajectory,
        losses=losses,
        batch_losses=np.array(batch_losses[:steps], dtype=float),
        learning_rates=np.array(used_rates, dtype=float),
        batch_indices=tuple(batches[:steps]),
        epoch_ends=epoch_ends,
        epoch_losses=losses[epoch_ends],
        status=status,
        message=message,
        gradients=np.array(grads).reshape(-1, 2) if record else None,
        moments=np.array(ms).reshape(-1, 2) if record and moments else None,
        second_moments=np.array(vs).reshape(-1, 2) if record and kind == "adam" else None,
    )


def _converged(t: int, tolerance: float) -> str:
    return f"converged after {t} steps (gradient norm below {tolerance:g})"


# ---------------------------------------------------------------------------- several runs


def race(
    landscape: Landscape,
    configs: tuple[OptimizerConfig, ...],
    start: np.ndarray,
    max_steps: int,
    rng: np.random.Generator,
    tolerance: float = 1e-6,
    record: bool = False,
) -> tuple[Run, ...]:
    """Run several optimisers from the same start.

    Every run shuffles as if it had its own generator seeded identically (one seed drawn from
    ``rng``), so optimisers with the same batch size see the same sequence of mini-batches:
    the race compares update rules, not luck. Each result equals
    ``run_optimizer(landscape, config, start, max_steps, np.random.default_rng(seed))``; the
    lock-step engine :mod:`core.optimizers_fast` computes it (the reference loop when
    ``record`` asks for the gradients and moments of every step).
    """
    if len(configs) == 0:
        raise DomainError("a race needs at least 1 optimiser, got 0")
    seed = int(rng.integers(2**63))
    start = check_start(start)
    return _several(
        landscape,
        tuple(configs),
        np.tile(start, (len(configs), 1)),
        max_steps,
        seed,
        tolerance,
        record,
    )


def from_starts(
    landscape: Landscape,
    config: OptimizerConfig,
    starts: np.ndarray,
    max_steps: int,
    rng: np.random.Generator,
    tolerance: float = 1e-6,
    record: bool = False,
) -> tuple[Run, ...]:
    """Run one optimiser from each row of ``starts`` (shape (K, 2)), same batches for each."""
    starts = np.asarray(starts, dtype=float).reshape(-1, 2)  # (K, 2)
    if len(starts) == 0:
        raise DomainError("need at least 1 start, got 0")
    seed = int(rng.integers(2**63))
    return _several(landscape, (config,) * len(starts), starts, max_steps, seed, tolerance, record)


def _several(landscape, configs, starts, max_steps, seed, tolerance, record):
    if record:
        return tuple(
            run_optimizer(
                landscape, c, s, max_steps, np.random.default_rng(seed), tolerance, record=True
            )
            for c, s in zip(configs, starts, strict=True)
        )
    from core.optimizers_fast import run_together  # the engine imports this module

    return run_together(landscape, configs, starts, max_steps, seed, tolerance)


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
        raise DomainError("need at least one minimum to compare with, got none")
    distance = np.linalg.norm(points[:, None, :] - minima[None, :, :], axis=-1)  # (P, K)
    return np.argmin(distance, axis=1)

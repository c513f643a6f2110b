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

from core.errors import DomainError
from core.landscapes import (
    GABOR_SCALE,
    Landscape,
    gabor_batch_sums,
    gabor_with_gradient,
    losses_at,
)

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
        raise DomainError(
            f"unknown schedule {schedule.kind!r}; choose one of {', '.join(SCHEDULE_NAMES)}"
        )
    if schedule.period < 1:
        raise DomainError(f"the schedule period must be at least 1 step, got {schedule.period}")
    if not 0 < schedule.gamma <= 1:
        raise DomainError(f"the decay factor gamma must lie in (0, 1], got {schedule.gamma}")
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
    if config.kind in ("gd", "line_search") or config.batch_size is None:
        return n_samples
    if not 1 <= config.batch_size:
        raise DomainError(f"the batch size must be at least 1, got {config.batch_size}")
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
    return _run_together(
        landscape, (config,), np.asarray(start)[None, :], max_steps, rng, tolerance
    )[0]


def race(
    landscape: Landscape,
    configs: tuple[OptimizerConfig, ...],
    start: np.ndarray,
    max_steps: int,
    rng: np.random.Generator,
    tolerance: float = 1e-6,
) -> tuple[Run, ...]:
    """Run several optimisers from the same start.

    Every run shuffles as if it had its own generator seeded identically (one seed drawn from
    ``rng``), so optimisers with the same batch size see the same sequence of mini-batches:
    the race compares update rules, not luck. Each result equals
    ``run_optimizer(landscape, config, start, max_steps, np.random.default_rng(seed))``.

    Returns
    -------
    tuple of Run, one per config, in order.
    """
    if len(configs) == 0:
        raise DomainError("a race needs at least 1 optimiser, got 0")
    seed = int(rng.integers(2**63))
    starts = np.tile(np.asarray(start, dtype=float).reshape(1, 2), (len(configs), 1))  # (K, 2)
    return _run_together(landscape, tuple(configs), starts, max_steps, seed, tolerance)


def from_starts(
    landscape: Landscape,
    config: OptimizerConfig,
    starts: np.ndarray,
    max_steps: int,
    rng: np.random.Generator,
    tolerance: float = 1e-6,
) -> tuple[Run, ...]:
    """Run one optimiser from each row of ``starts`` (shape (K, 2)), same batches for each."""
    starts = np.asarray(starts, dtype=float).reshape(-1, 2)  # (K, 2)
    if len(starts) == 0:
        raise DomainError("need at least 1 start, got 0")
    seed = int(rng.integers(2**63))
    return _run_together(landscape, (config,) * len(starts), starts, max_steps, seed, tolerance)


@dataclass
class _Group:
    """Runs sharing a batch size, hence their mini-batches (see :func:`_batch_groups`)."""

    rows: list[int]  # indices of the runs
    size: int  # |B|
    per_epoch: int  # steps per epoch
    xs: np.ndarray  # (S, B) inputs of every step
    ys: np.ndarray  # (S, B) targets
    x_scaled: np.ndarray | None  # (S, K_g, B) GABOR_SCALE * xs, one row per run (Gabor only)
    y_rows: np.ndarray | None  # (S, K_g, B) ys, one row per run (Gabor only)
    trimmed: dict  # step -> (x, y, x_scaled, y_rows) of a short last batch of an epoch
    batches: tuple  # S int arrays: the samples of each step


def _batch_groups(
    landscape: Landscape, batch: np.ndarray, max_steps: int, rng: np.random.Generator | int
) -> list[_Group]:
    """Mini-batches of the whole run, drawn up front: one group per distinct batch size.

    Each mini-batch group shuffles with its own generator (``rng`` itself, or
    ``np.random.default_rng(rng)`` for a seed) exactly as a run on its own would: one
    permutation of the N samples per epoch, cut into consecutive batches. The inputs and
    targets of every step are gathered once into (S, B) arrays (for the fused Gabor kernel
    also repeated for each run of the group, so that no operand needs broadcasting).
    """
    n = landscape.x.size
    gabor = landscape.predict_with_gradient is gabor_with_gradient
    groups = []
    for size in np.unique(batch).tolist():
        rows = np.flatnonzero(batch == size).tolist()
        per_epoch = math.ceil(n / size)
        if size == n:
            index = np.broadcast_to(np.arange(n), (max_steps, n))  # (S, N) view, no copy
        else:
            generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
            n_epochs = math.ceil(max_steps / per_epoch)
            padded = np.full((n_epochs, per_epoch * size), -1)
            # One permutation per epoch, row by row: the same draws (and the same generator
            # state afterwards) as n_epochs calls of generator.permutation(n).
            padded[:, :n] = generator.permuted(np.tile(np.arange(n), (n_epochs, 1)), axis=1)
            index = padded.reshape(n_epochs * per_epoch, size)[:max_steps]  # (S, B)
        xs, ys = landscape.x[index], landscape.y[index]  # (S, B)
        x_scaled = y_rows = None
        if gabor:
            x_scaled = np.repeat((GABOR_SCALE * xs)[:, None, :], len(rows), axis=1)
            y_rows = np.repeat(ys[:, None, :], len(rows), axis=1)  # (S, K_g, B)
        short = np.flatnonzero(index[:, -1] < 0).tolist()  # an epoch's short last batches
        trimmed = {}  # step -> (x, y, x_scaled, y_rows) of a short batch, without the padding
        for t in short:
            valid = index[t] >= 0
            trimmed[t] = (xs[t][valid], ys[t][valid]) + (
                (x_scaled[t][:, valid], y_rows[t][:, valid]) if gabor else (None, None)
            )
        batches = tuple(row[row >= 0] for row in index) if short else tuple(index)
        groups.append(_Group(rows, size, per_epoch, xs, ys, x_scaled, y_rows, trimmed, batches))
    return groups


def _group_sums(
    landscape: Landscape, group: _Group, t: int, p0: list[float], p1: list[float], buffers: dict
) -> list[list[float]]:
    """Sums of r^2, r df/dphi_0 and r df/dphi_1 over step t's batch, for each point (p0, p1).

    One model evaluation of shape (K_g, B) serves all the group's runs; the Gabor landscape
    uses the fused :func:`gabor_batch_sums`, the others their ``predict_with_gradient``.
    Returns a (3, K_g) nested list.
    """
    if t in group.trimmed:
        x, y, x_scaled, y_rows = group.trimmed[t]
    elif group.x_scaled is not None:
        x, x_scaled, y_rows = group.xs[t], group.x_scaled[t], group.y_rows[t]
    else:
        x, y, x_scaled = group.xs[t], group.ys[t], None
    if x_scaled is not None:
        at = np.array([p0, [GABOR_SCALE * p for p in p1]])[:, :, None]  # (2, K_g, 1)
        out = buffers.get(x.size)
        if out is None:
            out = buffers[x.size] = np.empty((3, len(p0), x.size))
        return gabor_batch_sums(x, x_scaled, y_rows, at[0], at[1], out).tolist()
    at = np.array([p0, p1])[:, :, None]  # (2, K_g, 1)
    f, d0, d1 = landscape.predict_with_gradient(x[None, :], at[0], at[1])
    r = f - y  # (K_g, B)
    # One product and one sum give the loss and both gradient components: with arrays this
    # small the number of NumPy calls, not their size, sets the cost.
    terms = np.concatenate((r, d0, d1)).reshape(3, *r.shape)  # (3, K_g, B)
    return np.add.reduce(terms * r, 2).tolist()


def _run_together(
    landscape: Landscape,
    configs: tuple[OptimizerConfig, ...],
    starts: np.ndarray,
    max_steps: int,
    rng: np.random.Generator | int,
    tolerance: float,
) -> tuple[Run, ...]:
    """Run K optimisers in lock-step, vectorised over the runs.

    Runs with the same batch size form a group that shares its mini-batches, so one model
    evaluation of shape (K_g, B) serves the whole group. ``rng`` is either the generator of a
    single group or a seed: each group then shuffles with ``np.random.default_rng(seed)``, as
    a run on its own would. All mini-batches are drawn before the first step; the full-data
    loss along every trajectory is computed in one vectorised pass after the last.
    """
    n = landscape.x.size
    n_runs = len(configs)
    starts = np.asarray(starts, dtype=float).reshape(n_runs, 2)  # (K, 2)
    if not np.all(np.isfinite(starts)):
        raise DomainError(f"the start must be 2 finite numbers, got {starts[0].tolist()}")
    batch = np.array([_validate(c, n, max_steps) for c in configs])  # (K,)
    alphas = np.stack(
        [learning_rates(c.schedule, c.learning_rate, max_steps) for c in configs]
    )  # (K, S)
    groups = _batch_groups(landscape, batch, max_steps, rng)

    # Per-run state lives in Python floats: with two parameters and a handful of runs, NumPy
    # calls on tiny arrays would cost more than the arithmetic. The model itself is evaluated
    # once per group and step on a (K_g, B) array.
    kinds = [c.kind for c in configs]
    beta = [
        c.beta if k in ("momentum", "nesterov", "adam") else 0.0
        for c, k in zip(configs, kinds, strict=True)
    ]
    gamma = [c.gamma for c in configs]
    eps = [c.epsilon for c in configs]
    full = [size == n for size in batch.tolist()]
    phi0, phi1 = starts[:, 0].tolist(), starts[:, 1].tolist()
    m0, m1, v0, v1 = [0.0] * n_runs, [0.0] * n_runs, [0.0] * n_runs, [0.0] * n_runs
    paths = [[(phi0[k], phi1[k])] for k in range(n_runs)]
    searched_rates: dict[int, list[float]] = {
        k: [] for k in range(n_runs) if kinds[k] == "line_search"
    }
    status = ["max_steps"] * n_runs
    message = [f"stopped after the maximum of {max_steps} steps"] * n_runs
    active = [True] * n_runs
    group_of = [next(g for g, group in enumerate(groups) if k in group.rows) for k in range(n_runs)]
    live = [len(group.rows) for group in groups]  # active runs per group
    last_move = [math.inf] * n_runs
    trial_step = [0.5 * c.learning_rate for c in configs]
    rates = alphas.T.tolist()  # (S, K)
    history = [[] for _ in groups]  # per group and step: the batch loss of each of its runs
    buffers = [{} for _ in groups]
    nesterov = [[(j, k) for j, k in enumerate(g.rows) if kinds[k] == "nesterov"] for g in groups]
    converged_text = "converged after {} steps (gradient norm below " + f"{tolerance:g})"

    def stop(k: int, why: str, text: str) -> None:
        active[k] = False
        live[group_of[k]] -= 1
        status[k], message[k] = why, text

    def advance(t: int, moves: list[tuple[int, float, float, float]]) -> None:
        """Step t of each run k in ``moves`` = [(k, rate, g_0, g_1), ...]."""
        for k, a, g0k, g1k in moves:
            kind_k = kinds[k]
            if kind_k in ("momentum", "nesterov"):
                b = beta[k]
                mk0 = m0[k] = b * m0[k] + (1.0 - b) * g0k
                mk1 = m1[k] = b * m1[k] + (1.0 - b) * g1k
                d0k, d1k = a * mk0, a * mk1
            elif kind_k == "adam":
                b, c = beta[k], gamma[k]
                mk0 = m0[k] = b * m0[k] + (1.0 - b) * g0k
                mk1 = m1[k] = b * m1[k] + (1.0 - b) * g1k
                vk0 = v0[k] = c * v0[k] + (1.0 - c) * g0k * g0k
                vk1 = v1[k] = c * v1[k] + (1.0 - c) * g1k * g1k
                m_scale = 1.0 / (1.0 - b ** (t + 1))  # bias corrections
                v_scale = 1.0 / (1.0 - c ** (t + 1))
                d0k = a * mk0 * m_scale / (math.sqrt(vk0 * v_scale) + eps[k])
                d1k = a * mk1 * m_scale / (math.sqrt(vk1 * v_scale) + eps[k])
            else:  # gd, sgd, line search
                d0k, d1k = a * g0k, a * g1k
            new0, new1 = phi0[k] - d0k, phi1[k] - d1k
            if not (abs(new0) < PHI_LIMIT and abs(new1) < PHI_LIMIT):  # also catches NaN
                stop(k, "diverged", f"the parameters left |phi| < {PHI_LIMIT:g} at step {t}")
                continue
            last_move[k] = math.hypot(d0k, d1k)
            phi0[k], phi1[k] = new0, new1
            paths[k].append((new0, new1))
            if kind_k == "line_search":
                searched_rates[k].append(a)

    with np.errstate(all="ignore"):  # overflow is caught below as divergence, never returned
        for t in range(max_steps):
            alpha = rates[t]
            for g, group in enumerate(groups):
                if not live[g]:
                    continue
                # Every run of the group is evaluated (a stopped one is ignored): the shapes
                # stay fixed, and each row's arithmetic does not depend on the others.
                rows = group.rows
                p0 = [phi0[k] for k in rows]
                p1 = [phi1[k] for k in rows]
                for j, k in nesterov[g]:  # the look-ahead point phi_t - alpha beta m_t
                    p0[j] = phi0[k] - alpha[k] * beta[k] * m0[k]
                    p1[j] = phi1[k] - alpha[k] * beta[k] * m1[k]
                sq, s0, s1 = _group_sums(landscape, group, t, p0, p1, buffers[g])
                size_b = len(group.trimmed[t][0]) if t in group.trimmed else group.size
                losses_g = [s / size_b for s in sq]
                history[g].append(losses_g)
                searching, moves = [], []
                for j, k in enumerate(rows):
                    if not active[k]:
                        continue
                    loss_k, g0k, g1k = losses_g[j], 2.0 * s0[j] / size_b, 2.0 * s1[j] / size_b
                    if not (loss_k < LOSS_LIMIT and math.isfinite(g0k) and math.isfinite(g1k)):
                        stop(k, "diverged", f"the loss blew up at step {t}")
                    elif full[k] and math.hypot(g0k, g1k) < tolerance and last_move[k] < tolerance:
                        stop(k, "converged", converged_text.format(t))
                    elif kinds[k] == "line_search":
                        searching.append((k, loss_k, g0k, g1k))
                    else:
                        moves.append((k, alpha[k], g0k, g1k))
                advance(t, moves)
                if searching:
                    moves, ks = [], [s[0] for s in searching]
                    found = _armijo(
                        landscape,
                        np.array([(phi0[k], phi1[k]) for k in ks]),
                        np.array([s[1] for s in searching]),
                        np.array([s[2:] for s in searching]),
                        2.0 * np.array([trial_step[k] for k in ks]),
                    ).tolist()
                    for (k, _, g0k, g1k), a in zip(searching, found, strict=True):
                        trial_step[k] = a
                        if a == 0.0:
                            text = f"converged after {t} steps (no step lowers the loss)"
                            stop(k, "converged", text)
                        else:
                            moves.append((k, a, g0k, g1k))
                    advance(t, moves)
            if not any(live):
                break

            for group in groups:
                if group.size < n and (t + 1) % group.per_epoch == 0:  # end of an epoch
                    # The norm matters only where the last step was short enough too.
                    check = [k for k in group.rows if active[k] and last_move[k] < tolerance]
                    if check:
                        points = np.array([(phi0[k], phi1[k]) for k in check])
                        norms = _full_gradient_norm(landscape, points)
                        for k, norm in zip(check, norms.tolist(), strict=True):
                            if norm < tolerance:
                                stop(k, "converged", converged_text.format(t + 1))

    # Bookkeeping in one pass: the full-data loss at every point of every trajectory.
    points = [np.array(path) for path in paths]  # (S_k + 1, 2) each
    ends = np.cumsum([len(p) for p in points])[:-1]
    all_losses = np.split(losses_at(landscape, np.concatenate(points)), ends)
    runs = []
    for k in range(n_runs):
        steps = len(points[k]) - 1
        group, j = groups[group_of[k]], groups[group_of[k]].rows.index(k)
        losses = all_losses[k]
        epoch_ends = np.arange(group.per_epoch, steps + 1, group.per_epoch)
        used = searched_rates[k] if k in searched_rates else alphas[k, :steps]
        runs.append(
            Run(
                trajectory=points[k],
                losses=losses,
                batch_losses=np.array([h[j] for h in history[group_of[k]][:steps]], dtype=float),
                learning_rates=np.array(used, dtype=float),
                batch_indices=group.batches[:steps],
                epoch_ends=epoch_ends,
                epoch_losses=losses[epoch_ends],
                status=status[k],
                message=message[k],
            )
        )
    return tuple(runs)


def _full_gradient_norm(landscape: Landscape, points: np.ndarray) -> np.ndarray:
    """Norm of the full-data gradient at each of ``points`` (shape (K, 2)); shape (K,)."""
    f, d0, d1 = landscape.predict_with_gradient(landscape.x[None, :], points[:, :1], points[:, 1:])
    r = f - landscape.y  # (K, N)
    terms = np.concatenate((d0, d1)).reshape(2, *r.shape)  # (2, K, N)
    g0, g1 = np.add.reduce(terms * r, 2) * (2.0 / r.shape[1])  # each (K,)
    return np.hypot(g0, g1)


def _armijo(
    landscape: Landscape, phi: np.ndarray, loss: np.ndarray, g: np.ndarray, first: np.ndarray
) -> np.ndarray:
    r"""Backtracking line search along -g for K points at once.

    For each row, the first a in first, first/2, first/4, ... with
    :math:`L[\phi - a g] \le L[\phi] - c\, a \|g\|^2` (c = ``ARMIJO_C``), or 0 if none of
    ``MAX_HALVINGS`` trial steps passes. Trial steps are evaluated four at a time (the first
    or second usually passes), vectorised over the rows still searching.

    Parameters
    ----------
    phi, g : ndarray, shape (K, 2)
    loss, first : ndarray, shape (K,)

    Returns
    -------
    ndarray, shape (K,)
    """
    rate = np.zeros(len(phi))
    pending = np.arange(len(phi))
    g2 = np.sum(g * g, axis=1)
    for start in range(0, MAX_HALVINGS, 4):
        halvings = np.arange(start, min(start + 4, MAX_HALVINGS))
        trial = first[pending, None] * 0.5 ** halvings[None, :]  # (P, J)
        points = phi[pending, None, :] - trial[..., None] * g[pending, None, :]  # (P, J, 2)
        trial_loss = losses_at(landscape, points.reshape(-1, 2)).reshape(trial.shape)  # (P, J)
        passes = trial_loss <= (loss[pending, None] - ARMIJO_C * trial * g2[pending, None])
        found = passes.any(axis=1)
        rate[pending[found]] = trial[found, np.argmax(passes[found], axis=1)]
        pending = pending[~found]
        if pending.size == 0:
            break
    return rate


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

"""Lock-step engine: several optimisers on one landscape, vectorised over the runs.

The same numbers as the reference loop :func:`core.optimizers.run_optimizer`, bit for bit
(tested on every landscape and optimiser), several times faster for the training lab's races.
The update rules are those of :mod:`core.optimizers`, written out on Python floats in the same
order of operations: with two parameters and a handful of runs, NumPy calls on tiny arrays
would cost more than the arithmetic. The speed comes from

- runs with the same mini-batches form a group: one model evaluation of shape (K_g, B) per
  group and step serves all its runs;
- all mini-batches are drawn (by :func:`core.optimizers.batch_plan`) before the first step and
  gathered into (S, B) arrays;
- the Gabor model has a fused kernel (:func:`gabor_batch_sums`), the same operations as
  :func:`core.landscape_models.gabor_with_gradient` in about fifteen NumPy calls;
- the full-data loss along every trajectory is one vectorised call at the end.

Line searches call the reference step functions themselves (their cost is loss evaluations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.landscape_loss import batch_sums, losses_at
from core.landscape_models import GABOR_SCALE, GABOR_WIDTH, Landscape, gabor_with_gradient
from core.optimizers import (
    FULL_BATCH,
    LINE_SEARCHES,
    LOSS_LIMIT,
    PHI_LIMIT,
    OptimizerConfig,
    Run,
    armijo_step,
    batch_plan,
    check_start,
    exact_line_search_step,
    full_gradient_norm,
    learning_rates,
    validate,
)


def gabor_batch_sums(
    x: np.ndarray,
    x_scaled: np.ndarray,
    y: np.ndarray,
    phi_0: np.ndarray,
    phi_1_scaled: np.ndarray,
    out: np.ndarray,
) -> np.ndarray:
    r"""Fused Gabor residual and gradient sums for K parameter points on one mini-batch.

    Returns the (3, K) sums of :func:`core.landscape_loss.batch_sums` for the Gabor model,
    with exactly the operations of :func:`core.landscape_models.gabor_with_gradient` in the
    same order (so the same bits), fused into about fifteen NumPy calls written into ``out``.

    Parameters
    ----------
    x : ndarray, shape (B,)
        Batch inputs.
    x_scaled, y : ndarray, shape (K, B)
        ``GABOR_SCALE * x`` and the targets, repeated for each point (same-shape operands
        avoid NumPy's slower broadcasting path).
    phi_0, phi_1_scaled : ndarray, shape (K, 1)
        phi_0 and ``GABOR_SCALE * phi_1`` of each point.
    out : ndarray, shape (3, K, B)
        Work buffer; on return it holds r, df/dphi_0 and df/dphi_1.

    Returns
    -------
    ndarray, shape (3, K)
    """
    residual, d0, d1 = out
    z = x * phi_1_scaled
    z += phi_0  # (K, B)
    envelope = z * z
    envelope *= -1.0 / GABOR_WIDTH
    np.exp(envelope, out=envelope)  # e^{-z^2/32}
    sin_z = np.sin(z)
    np.multiply(sin_z, envelope, out=residual)
    residual -= y  # r = f - y
    sin_z *= z
    sin_z *= 2.0 / GABOR_WIDTH  # (z/16) sin z
    np.cos(z, out=d0)
    d0 -= sin_z
    d0 *= envelope  # df/dz = df/dphi_0
    np.multiply(d0, x_scaled, out=d1)
    return np.add.reduce(out * residual, 2)


@dataclass
class _Group:
    """Runs sharing their mini-batches."""

    rows: list[int]  # indices of the runs
    per_epoch: int  # steps per epoch
    full: bool  # full-batch runs
    batches: tuple  # S int arrays: the samples of each step
    xs: np.ndarray  # (S, B) inputs of every step (-1 padded rows for short batches)
    ys: np.ndarray  # (S, B) targets
    x_scaled: np.ndarray | None  # (S, K_g, B) GABOR_SCALE * xs, one row per run (Gabor only)
    y_rows: np.ndarray | None  # (S, K_g, B) ys, one row per run (Gabor only)
    trimmed: dict  # step -> (x, y, x_scaled, y_rows) of a batch shorter than B


def _groups(landscape: Landscape, configs, max_steps: int, seed: int) -> list[_Group]:
    """One group per distinct batch plan (batch size, or the caller's order)."""
    n = landscape.x.size
    gabor = landscape.predict_with_gradient is gabor_with_gradient
    keys: dict = {}
    for k, c in enumerate(configs):
        if c.kind in FULL_BATCH or (c.batches is None and (c.batch_size or n) >= n):
            key = ("full",)
        elif c.batches is not None:
            key = ("order", c.batches)
        else:
            key = ("size", c.batch_size)
        keys.setdefault(key, []).append(k)
    groups = []
    for rows in keys.values():
        batches, per_epoch, full = batch_plan(
            configs[rows[0]], n, max_steps, np.random.default_rng(seed)
        )
        size = max(len(b) for b in batches)
        index = np.full((max_steps, size), -1)
        for t, b in enumerate(batches):
            index[t, : len(b)] = b
        xs, ys = landscape.x[index], landscape.y[index]  # (S, B)
        x_scaled = y_rows = None
        if gabor:
            x_scaled = np.repeat((GABOR_SCALE * xs)[:, None, :], len(rows), axis=1)
            y_rows = np.repeat(ys[:, None, :], len(rows), axis=1)  # (S, K_g, B)
        trimmed = {}
        for t in np.flatnonzero(index[:, -1] < 0).tolist():
            valid = index[t] >= 0
            trimmed[t] = (xs[t][valid], ys[t][valid]) + (
                (x_scaled[t][:, valid], y_rows[t][:, valid]) if gabor else (None, None)
            )
        groups.append(_Group(rows, per_epoch, full, batches, xs, ys, x_scaled, y_rows, trimmed))
    return groups


def _group_sums(
    landscape: Landscape, group: _Group, t: int, p0: list[float], p1: list[float], buffers: dict
) -> tuple[list[list[float]], int]:
    """The (3, K_g) sums of step t's batch at each point (p0, p1), and the batch size."""
    if t in group.trimmed:
        x, y, x_scaled, y_rows = group.trimmed[t]
    elif group.x_scaled is not None:
        x, y, x_scaled, y_rows = group.xs[t], None, group.x_scaled[t], group.y_rows[t]
    else:
        x, y, x_scaled = group.xs[t], group.ys[t], None
    if x_scaled is not None:
        at = np.array([p0, [GABOR_SCALE * p for p in p1]])[:, :, None]  # (2, K_g, 1)
        out = buffers.get(x.size)
        if out is None:
            out = buffers[x.size] = np.empty((3, len(p0), x.size))
        return gabor_batch_sums(x, x_scaled, y_rows, at[0], at[1], out).tolist(), x.size
    at = np.array([p0, p1])[:, :, None]  # (2, K_g, 1)
    return batch_sums(landscape, x, y, at[0], at[1]).tolist(), x.size


def run_together(
    landscape: Landscape,
    configs: tuple[OptimizerConfig, ...],
    starts: np.ndarray,
    max_steps: int,
    seed: int,
    tolerance: float,
) -> tuple[Run, ...]:
    """Run K optimisers in lock-step; run k equals ``run_optimizer(landscape, configs[k],
    starts[k], max_steps, np.random.default_rng(seed), tolerance)`` bit for bit."""
    n = landscape.x.size
    n_runs = len(configs)
    starts = np.asarray(starts, dtype=float).reshape(n_runs, 2)  # (K, 2)
    for c in configs:
        validate(c, n, max_steps)
    for s in starts:
        check_start(s)
    alphas = np.stack([learning_rates(c.schedule, c.learning_rate, max_steps) for c in configs])
    groups = _groups(landscape, configs, max_steps, seed)

    kinds = [c.kind for c in configs]
    beta = [c.beta for c in configs]
    gamma = [c.gamma for c in configs]
    eps = [c.epsilon for c in configs]
    phi0, phi1 = starts[:, 0].tolist(), starts[:, 1].tolist()
    m0, m1, v0, v1 = [0.0] * n_runs, [0.0] * n_runs, [0.0] * n_runs, [0.0] * n_runs
    paths = [[(phi0[k], phi1[k])] for k in range(n_runs)]
    used = [[] for _ in range(n_runs)]
    status = ["max_steps"] * n_runs
    message = [f"stopped after the maximum of {max_steps} steps"] * n_runs
    active = [True] * n_runs
    group_of = [next(g for g, group in enumerate(groups) if k in group.rows) for k in range(n_runs)]
    live = [len(group.rows) for group in groups]  # active runs per group
    last_move = [math.inf] * n_runs
    search_step = [c.learning_rate for c in configs]
    rates = alphas.T.tolist()  # (S, K)
    history = [[] for _ in groups]  # per group and step: the batch loss of each of its runs
    buffers = [{} for _ in groups]
    nesterov = [[(j, k) for j, k in enumerate(g.rows) if kinds[k] == "nesterov"] for g in groups]
    converged_text = "converged after {} steps (gradient norm below " + f"{tolerance:g})"

    def stop(k: int, why: str, text: str) -> None:
        active[k] = False
        live[group_of[k]] -= 1
        status[k], message[k] = why, text

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
                for j, k in nesterov[g]:  # nesterov_point: phi_t - alpha beta m_t
                    p0[j] = phi0[k] - alpha[k] * beta[k] * m0[k]
                    p1[j] = phi1[k] - alpha[k] * beta[k] * m1[k]
                (sq, s0, s1), size_b = _group_sums(landscape, group, t, p0, p1, buffers[g])
                losses_g = [s / size_b for s in sq]
                history[g].append(losses_g)
                for j, k in enumerate(rows):
                    if not active[k]:
                        continue
                    loss, g0, g1 = losses_g[j], 2.0 * s0[j] / size_b, 2.0 * s1[j] / size_b
                    if not (loss < LOSS_LIMIT and math.isfinite(g0) and math.isfinite(g1)):
                        stop(k, "diverged", f"the loss blew up at step {t}")
                        continue
                    if group.full and math.hypot(g0, g1) < tolerance and last_move[k] < tolerance:
                        stop(k, "converged", converged_text.format(t))
                        continue
                    kind, a = kinds[k], alpha[k]
                    if kind in LINE_SEARCHES:
                        search = armijo_step if kind == "line_search" else exact_line_search_step
                        a = search(
                            landscape,
                            np.array([phi0[k], phi1[k]]),
                            loss,
                            np.array([g0, g1]),
                            search_step[k],
                        )
                        if a == 0.0:
                            stop(
                                k,
                                "converged",
                                f"converged after {t} steps (no step lowers the loss)",
                            )
                            continue
                        search_step[k] = 2.0 * a if kind == "line_search" else a
                        new0, new1 = phi0[k] - a * g0, phi1[k] - a * g1
                    elif kind in ("momentum", "nesterov"):  # momentum_step
                        b = beta[k]
                        mk0 = m0[k] = b * m0[k] + (1.0 - b) * g0
                        mk1 = m1[k] = b * m1[k] + (1.0 - b) * g1
                        new0, new1 = phi0[k] - a * mk0, phi1[k] - a * mk1
                    elif kind == "adam":  # adam_step
                        b, c = beta[k], gamma[k]
                        mk0 = m0[k] = b * m0[k] + (1.0 - b) * g0
                        mk1 = m1[k] = b * m1[k] + (1.0 - b) * g1
                        vk0 = v0[k] = c * v0[k] + (1.0 - c) * (g0 * g0)
                        vk1 = v1[k] = c * v1[k] + (1.0 - c) * (g1 * g1)
                        m_scale = 1.0 - b ** (t + 1)
                        v_scale = 1.0 - c ** (t + 1)
                        new0 = phi0[k] - a * (mk0 / m_scale) / (math.sqrt(vk0 / v_scale) + eps[k])
                        new1 = phi1[k] - a * (mk1 / m_scale) / (math.sqrt(vk1 / v_scale) + eps[k])
                    else:  # gd_step
                        new0, new1 = phi0[k] - a * g0, phi1[k] - a * g1
                    if not (abs(new0) < PHI_LIMIT and abs(new1) < PHI_LIMIT):  # also NaN
                        stop(
                            k, "diverged", f"the parameters left |phi| < {PHI_LIMIT:g} at step {t}"
                        )
                        continue
                    last_move[k] = math.hypot(new0 - phi0[k], new1 - phi1[k])
                    phi0[k], phi1[k] = new0, new1
                    paths[k].append((new0, new1))
                    used[k].append(a)
            if not any(live):
                break
            for group in groups:
                if not group.full and (t + 1) % group.per_epoch == 0:  # end of an epoch
                    # The norm matters only where the last step was short enough too.
                    check = [k for k in group.rows if active[k] and last_move[k] < tolerance]
                    if check:
                        points = np.array([(phi0[k], phi1[k]) for k in check])
                        norms = full_gradient_norm(landscape, points)
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
        runs.append(
            Run(
                trajectory=points[k],
                losses=losses,
                batch_losses=np.array([h[j] for h in history[group_of[k]][:steps]], dtype=float),
                learning_rates=np.array(used[k], dtype=float),
                batch_indices=tuple(group.batches[:steps]),
                epoch_ends=epoch_ends,
                epoch_losses=losses[epoch_ends],
                status=status[k],
                message=message[k],
            )
        )
    return tuple(runs)

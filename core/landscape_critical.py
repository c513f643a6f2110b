"""Critical points of a landscape's loss: local minima and saddle points.

A critical point has grad L = 0. Its kind follows from the eigenvalues of the Hessian
H = d^2 L / d phi^2 there (course notes ch. 5.1, Prince ch. 6):

- both positive: a local minimum (the loss curves upward in every direction);
- of mixed sign: a saddle point (upward along one eigenvector, downward along the other),
  where gradient descent slows to a crawl because the gradient vanishes;
- both negative: a local maximum.

The Hessian is the central finite difference of the analytic gradient
(:func:`core.landscape_loss.batch_sums`), with step ``HESSIAN_STEP`` relative to |phi|.

Minima are found on the gridded loss (cells no higher than their 8 neighbours) and refined by
Levenberg-Marquardt on the least-squares loss; saddles are found where the gradient norm is
smallest among its neighbours and refined by Newton's method on the gradient, then kept when
the Hessian's eigenvalues have mixed sign.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.landscape_loss import batch_sums, grid_axes, loss_surface, losses_at
from core.landscape_models import Landscape

HESSIAN_STEP = 1e-5  # finite-difference step, times max(1, |phi_j|)
CRITICAL_TOLERANCE = 1e-7  # a refined point is critical when |grad L| is below this


@dataclass(frozen=True)
class Minima:
    """Local minima of a loss surface, lowest first.

    Attributes
    ----------
    points : ndarray, shape (K, 2)
    losses : ndarray, shape (K,)
        ``losses[0]`` is the global minimum within the window.
    """

    points: np.ndarray
    losses: np.ndarray


@dataclass(frozen=True)
class Saddles:
    """Saddle points of a loss, lowest first.

    Attributes
    ----------
    points : ndarray, shape (K, 2)
    losses : ndarray, shape (K,)
    eigenvalues : ndarray, shape (K, 2)
        Hessian eigenvalues at each saddle, ascending (the first negative, the second positive).
    """

    points: np.ndarray
    losses: np.ndarray
    eigenvalues: np.ndarray


def full_gradient(landscape: Landscape, points: np.ndarray) -> np.ndarray:
    """Gradient of the full loss at each of ``points`` (shape (K, 2)); shape (K, 2)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    sums = batch_sums(landscape, landscape.x, landscape.y, points[:, :1], points[:, 1:])
    return (2.0 * sums[1:] / landscape.x.size).T


def hessian(gradient: Callable[[np.ndarray], np.ndarray], points: np.ndarray) -> np.ndarray:
    """Hessians by central differences of an analytic gradient, symmetrised.

    Parameters
    ----------
    gradient : callable
        Maps points (M, 2) to gradients (M, 2).
    points : ndarray, shape (K, 2)

    Returns
    -------
    ndarray, shape (K, 2, 2)
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    h = HESSIAN_STEP * np.maximum(1.0, np.abs(points))  # (K, 2)
    shifted = []
    for j in range(2):
        step = np.zeros_like(points)
        step[:, j] = h[:, j]
        shifted += [points + step, points - step]
    g = gradient(np.concatenate(shifted)).reshape(4, len(points), 2)  # (+e0, -e0, +e1, -e1)
    columns = [(g[0] - g[1]) / (2 * h[:, :1]), (g[2] - g[3]) / (2 * h[:, 1:])]  # each (K, 2)
    hess = np.stack(columns, axis=-1)  # (K, 2, 2): hess[k, i, j] = d g_i / d phi_j
    return 0.5 * (hess + hess.transpose(0, 2, 1))


def classify(hessians: np.ndarray) -> np.ndarray:
    """Kind of each critical point from its Hessian (K, 2, 2): 'minimum', 'saddle', 'maximum'
    or 'flat' (an eigenvalue zero to 1e-12 relative to the larger one); shape (K,)."""
    eig = np.linalg.eigvalsh(np.asarray(hessians, dtype=float).reshape(-1, 2, 2))  # ascending
    scale = np.maximum(np.abs(eig).max(axis=1), 1e-300)
    lo, hi = eig[:, 0] / scale, eig[:, 1] / scale
    kinds = np.full(len(eig), "flat", dtype=object)
    kinds[(lo > 1e-12)] = "minimum"
    kinds[(lo < -1e-12) & (hi > 1e-12)] = "saddle"
    kinds[(hi < -1e-12)] = "maximum"
    return kinds.astype(str)


def kind_at(landscape: Landscape, points: np.ndarray) -> np.ndarray:
    """Kind of each point (shape (K, 2)) by its Hessian of the full loss: 'minimum', 'saddle',
    'maximum' or 'flat' (see :func:`classify`); meaningful where the gradient vanishes, as at
    the end of a converged run. Shape (K,)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    return classify(hessian(lambda p: full_gradient(landscape, p), points))


def _grid_candidates(values: np.ndarray, phi_0, phi_1, max_points: int) -> np.ndarray:
    """Interior grid cells no higher than their 8 neighbours, lowest first; shape (K, 2)."""
    s = np.asarray(values, dtype=float)
    centre = s[1:-1, 1:-1]
    is_low = np.ones_like(centre, dtype=bool)
    for dj in (-1, 0, 1):
        for di in (-1, 0, 1):
            if dj or di:
                is_low &= centre <= s[1 + dj : s.shape[0] - 1 + dj, 1 + di : s.shape[1] - 1 + di]
    rows, cols = np.nonzero(is_low)
    order = np.argsort(centre[rows, cols])[:max_points]
    return np.column_stack([phi_0[cols[order] + 1], phi_1[rows[order] + 1]])  # (K, 2)


def _keep_distinct(points, losses, phi_0, phi_1, ok=True) -> list[int]:
    """Indices of the points that are ``ok``, inside the window of the grid phi_0 x phi_1 (with
    one cell to spare) and of finite loss, lowest first, at least one cell apart."""
    cell, lo, hi = _window(phi_0, phi_1)
    inside = ok & np.all((points >= lo) & (points <= hi), axis=1) & np.isfinite(losses)
    kept: list[int] = []
    for k in np.argsort(np.where(inside, losses, np.inf)):  # few candidates: a short loop
        if not inside[k]:
            break
        if all(np.any(np.abs(points[k] - points[j]) > cell) for j in kept):
            kept.append(int(k))
    return kept


def _window(phi_0, phi_1):
    cell = np.array([phi_0[1] - phi_0[0], phi_1[1] - phi_1[0]])
    return cell, np.array([phi_0[0], phi_1[0]]) - cell, np.array([phi_0[-1], phi_1[-1]]) + cell


def find_minima(
    landscape: Landscape,
    phi_0: np.ndarray,
    phi_1: np.ndarray,
    surface: np.ndarray,
    max_minima: int = 12,
) -> Minima:
    """Find the local minima of a gridded loss and refine them with Levenberg-Marquardt.

    A candidate is an interior grid cell no higher than its 8 neighbours. Each candidate is
    refined on the full loss by damped Gauss-Newton steps (all candidates at once); a refined
    point that leaves the window is dropped and points closer than one grid cell are merged.

    Parameters
    ----------
    phi_0 : ndarray, shape (G0,)
    phi_1 : ndarray, shape (G1,)
    surface : ndarray, shape (G1, G0)
        Output of :func:`core.landscape_loss.loss_surface` on these axes.
    max_minima : int
        At most this many candidates (the lowest) are refined.
    """
    start = _grid_candidates(surface, phi_0, phi_1, max_minima)
    if len(start) == 0:
        return Minima(points=np.zeros((0, 2)), losses=np.zeros(0))
    refined = _levenberg_marquardt(landscape, start)
    losses = losses_at(landscape, refined)
    kept = _keep_distinct(refined, losses, phi_0, phi_1)
    return Minima(points=refined[kept], losses=losses[kept])


def _levenberg_marquardt(
    landscape: Landscape, start: np.ndarray, n_iterations: int = 60
) -> np.ndarray:
    """Refine many starting points (K, 2) on the full least-squares loss at once."""
    phi = start.copy()
    damping = np.full(len(phi), 1e-3)
    x, y = landscape.x, landscape.y
    loss = losses_at(landscape, phi)
    for _ in range(n_iterations):
        f, d0, d1 = landscape.predict_with_gradient(x[None, :], phi[:, :1], phi[:, 1:])  # (K, N)
        r = f - y[None, :]
        jac = np.stack([d0, d1], axis=-1)  # (K, N, 2)
        jtj = np.einsum("kni,knj->kij", jac, jac)  # (K, 2, 2)
        jtr = np.einsum("kni,kn->ki", jac, r)  # (K, 2)
        lhs = jtj + damping[:, None, None] * (
            np.eye(2) * (1.0 + np.trace(jtj, axis1=1, axis2=2))[:, None, None]
        )
        delta = -np.linalg.solve(lhs, jtr[..., None])[..., 0]  # (K, 2)
        trial = phi + delta
        trial_loss = losses_at(landscape, trial)
        better = trial_loss < loss
        phi = np.where(better[:, None], trial, phi)
        loss = np.where(better, trial_loss, loss)
        damping = np.clip(np.where(better, damping / 3.0, damping * 4.0), 1e-12, 1e12)
    return phi


def find_saddles(
    landscape: Landscape,
    phi_0: np.ndarray,
    phi_1: np.ndarray,
    surface: np.ndarray,
    max_saddles: int = 12,
    n_iterations: int = 10,
) -> Saddles:
    """Saddle points of the full loss in the window of the grid phi_0 x phi_1.

    Candidates are interior grid cells where the gradient of the gridded loss (by differences
    between neighbouring cells) is no longer than at their 8 neighbours. Each is refined by
    Newton's method on the gradient (phi <- phi - H^{-1} g, each step at most one grid cell
    long, all candidates at once). A refined point is a
    saddle when |grad L| < ``CRITICAL_TOLERANCE`` there and the Hessian's eigenvalues have
    mixed sign; points outside the window or closer than one cell to another are dropped.

    Parameters
    ----------
    phi_0 : ndarray, shape (G0,)
    phi_1 : ndarray, shape (G1,)
    surface : ndarray, shape (G1, G0)
        Output of :func:`core.landscape_loss.loss_surface` on these axes.
    max_saddles : int
        At most this many saddles are returned; candidates (the smallest
        gradients) are refined (four times as many: flat plateaus offer many).
    """
    d1, d0 = np.gradient(np.asarray(surface, dtype=float), phi_1, phi_0)  # (G1, G0) each
    phi = _grid_candidates(np.hypot(d0, d1), phi_0, phi_1, 4 * max_saddles)
    empty = Saddles(np.zeros((0, 2)), np.zeros(0), np.zeros((0, 2)))
    if len(phi) == 0:
        return empty
    cell, _, _ = _window(phi_0, phi_1)

    def gradient(points):
        return full_gradient(landscape, points)

    with np.errstate(all="ignore"):
        for _ in range(n_iterations):
            g = gradient(phi)
            if np.all(np.hypot(*g.T) < 1e-3 * CRITICAL_TOLERANCE):
                break
            hess = hessian(gradient, phi)
            h00, h01, h11 = hess[:, 0, 0], hess[:, 0, 1], hess[:, 1, 1]
            det = h00 * h11 - h01 * h01
            step = np.column_stack([h11 * g[:, 0] - h01 * g[:, 1], h00 * g[:, 1] - h01 * g[:, 0]])
            step = step / det[:, None]  # H^{-1} g for a symmetric 2 x 2 H
            step = np.clip(np.nan_to_num(step), -cell, cell)
            phi = phi - step
        g = gradient(phi)
        hess = hessian(gradient, phi)
    kinds = classify(hess)
    critical = np.hypot(*g.T) < CRITICAL_TOLERANCE * max(1.0, float(np.abs(hess).max()))
    losses = losses_at(landscape, phi)
    kept = _keep_distinct(phi, losses, phi_0, phi_1, critical & (kinds == "saddle"))
    kept = kept[:max_saddles]
    if not kept:
        return empty
    return Saddles(phi[kept], losses[kept], np.linalg.eigvalsh(hess[kept]))


@dataclass(frozen=True)
class LandscapeMap:
    """The loss map of a landscape: grid, full loss on it, its minima and saddle points.

    Attributes
    ----------
    phi_0 : ndarray, shape (G,)
    phi_1 : ndarray, shape (G,)
    surface : ndarray, shape (G, G)
        ``surface[j, i] = L[(phi_0[i], phi_1[j])]``.
    minima : Minima
        Lowest first.
    saddles : Saddles
        Lowest first.
    """

    phi_0: np.ndarray
    phi_1: np.ndarray
    surface: np.ndarray
    minima: Minima
    saddles: Saddles


def loss_map(
    landscape: Landscape, resolution: int, window: np.ndarray | None = None
) -> LandscapeMap:
    """Grid the window (default ``landscape.param_range``) with ``resolution`` points per
    axis, evaluate the full loss there and find its local minima and saddle points."""
    phi_0, phi_1 = grid_axes(landscape, resolution, window)
    surface = loss_surface(landscape, phi_0, phi_1)
    return LandscapeMap(
        phi_0,
        phi_1,
        surface,
        find_minima(landscape, phi_0, phi_1, surface),
        find_saddles(landscape, phi_0, phi_1, surface),
    )

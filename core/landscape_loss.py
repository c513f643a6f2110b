"""The least-squares loss of a two-parameter landscape, its gradient, and its values on a grid.

    L_B[phi] = (1 / |B|) sum_{i in B} (f[x_i, phi] - y_i)^2,
    grad L_B = (2 / |B|) sum_{i in B} (f[x_i, phi] - y_i) grad_phi f[x_i, phi]

over a set B of sample indices (all N samples, or one mini-batch). This is the least-squares
loss of :func:`core.losses.least_squares` divided by |B|: the MEAN, not the book's sum, so that
a mini-batch loss and the full loss have the same scale and the mini-batch gradient is an
unbiased estimate of the full gradient (sum = |B| x mean).

:func:`batch_sums` computes the loss and its gradient for many parameter points at once with
one product and one sum; the optimisers (reference loop and lock-step engine alike) use it, so
both give the same bits. :func:`loss_and_gradient` (one point, the lab's point view) goes
through :func:`core.losses.least_squares` and the chain rule; the tests check the two agree.

Reference: course notes ch. 5 (mean squared error) and 5.1 (SGD); Prince ch. 6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import DomainError
from core.landscape_models import Landscape
from core.losses import least_squares

# Elements of one (grid rows x samples) block in losses_at: small enough that the dozen
# temporaries of a block stay in the CPU cache (about 3x faster than one big block).
MAX_GRID_CELLS = 65_536


def batch_sums(
    landscape: Landscape, x: np.ndarray, y: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray
) -> np.ndarray:
    r"""Sums :math:`\sum_i r_i^2`, :math:`\sum_i r_i\,\partial f_i/\partial\phi_0` and
    :math:`\sum_i r_i\,\partial f_i/\partial\phi_1`, :math:`r_i = f[x_i,\phi]-y_i`, for K points.

    The loss is ``sums[0] / B`` and the gradient ``2.0 * sums[1:] / B``.

    Parameters
    ----------
    x, y : ndarray, shape (B,)
        The batch's samples.
    phi_0, phi_1 : ndarray, shape (K, 1)
        The K parameter points.

    Returns
    -------
    ndarray, shape (3, K)
    """
    f, d0, d1 = landscape.predict_with_gradient(x[None, :], phi_0, phi_1)
    r = f - y  # (K, B)
    # One product and one sum give the loss and both gradient components.
    terms = np.concatenate((r, d0, d1)).reshape(3, *r.shape)  # (3, K, B)
    return np.add.reduce(terms * r, 2)


def loss_and_gradient(
    landscape: Landscape, phi: np.ndarray, indices: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Mean squared error on the samples ``indices`` (all when None) and its gradient at phi.

    Parameters
    ----------
    phi : ndarray, shape (2,)
    indices : ndarray of int, shape (B,), optional

    Returns
    -------
    loss : float
    gradient : ndarray, shape (2,)
    """
    phi = check_phi(phi)
    x, y = subset(landscape, indices)
    f, d0, d1 = landscape.predict_with_gradient(x, phi[0], phi[1])  # (B,) each
    loss = least_squares(f[None, :], y)  # the book's sum; its gradient 2 (f - y) per example
    return loss.mean, np.array([loss.gradient[0] @ d0, loss.gradient[0] @ d1]) / x.size


def losses_at(
    landscape: Landscape,
    points: np.ndarray,
    indices: np.ndarray | None = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """Loss at many parameter points at once.

    Parameters
    ----------
    points : ndarray, shape (M, 2)
    indices : ndarray of int, optional
        Samples to average over (all when None).
    dtype : numpy dtype
        Precision of the arithmetic; the result is always float64.

    Returns
    -------
    ndarray, shape (M,)
        Each row computed on its own (the values do not depend on M or on the block size).
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)  # (M, 2)
    x, y = subset(landscape, indices)
    x, y = x.astype(dtype), y.astype(dtype)
    out = np.empty(len(points))
    rows = max(1, MAX_GRID_CELLS // max(1, x.size))
    for start in range(0, len(points), rows):  # cache-sized blocks, not a loop over points
        p = points[start : start + rows].astype(dtype)
        r = landscape.predict(x[None, :], p[:, :1], p[:, 1:]) - y[None, :]  # (m, B)
        out[start : start + rows] = np.mean(r * r, axis=1)
    return out


def loss_surface(
    landscape: Landscape,
    phi_0: np.ndarray,
    phi_1: np.ndarray,
    indices: np.ndarray | None = None,
    dtype: type = np.float32,
) -> np.ndarray:
    """Loss on the grid phi_0 x phi_1, by broadcasting (grid x data).

    The grid is a picture, so by default it is computed in single precision (about 7
    significant digits, several times faster for sin/exp); minima are refined in double.

    Parameters
    ----------
    phi_0 : ndarray, shape (G0,)
        Values of the first parameter (columns of the map).
    phi_1 : ndarray, shape (G1,)
        Values of the second parameter (rows of the map).
    indices : ndarray of int, optional
        Mini-batch to average over (all samples when None).
    dtype : numpy dtype
        Precision of the arithmetic (float32 or float64).

    Returns
    -------
    ndarray, shape (G1, G0)
        ``surface[j, i] = L[(phi_0[i], phi_1[j])]``, the layout a contour plot expects.
    """
    phi_0 = np.asarray(phi_0, dtype=float).ravel()
    phi_1 = np.asarray(phi_1, dtype=float).ravel()
    grid = np.stack(np.meshgrid(phi_0, phi_1), axis=-1).reshape(-1, 2)  # (G1 * G0, 2)
    return losses_at(landscape, grid, indices, dtype).reshape(len(phi_1), len(phi_0))


def grid_axes(
    landscape: Landscape, resolution: int, window: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced values over ``window`` ((lo, hi) per parameter; default
    ``landscape.param_range``), ``resolution`` per axis."""
    if resolution < 3:
        raise DomainError(f"the grid needs at least 3 points per axis, got {resolution}")
    (a0, b0), (a1, b1) = landscape.param_range if window is None else np.asarray(window, float)
    if not (np.isfinite([a0, b0, a1, b1]).all() and a0 < b0 and a1 < b1):
        raise DomainError(f"the map's window needs lo < hi on both axes, got {window}")
    return np.linspace(a0, b0, resolution), np.linspace(a1, b1, resolution)


def check_phi(phi: np.ndarray) -> np.ndarray:
    """phi as a float array of shape (2,), or a DomainError."""
    phi = np.asarray(phi, dtype=float)
    if phi.shape != (2,):
        raise DomainError(f"phi must hold exactly 2 parameters, got shape {phi.shape}")
    return phi


def subset(landscape: Landscape, indices: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets of the samples ``indices`` (all when None), each shape (B,)."""
    if indices is None:
        return landscape.x, landscape.y
    indices = np.asarray(indices, dtype=int)
    if indices.size == 0:
        raise DomainError("a mini-batch needs at least 1 sample, got 0")
    n = landscape.x.size
    if indices.min() < 0 or indices.max() >= n:
        raise DomainError(
            f"sample indices must lie in 0..{n - 1}, got {indices.min()}..{indices.max()}"
        )
    return landscape.x[indices], landscape.y[indices]


@dataclass(frozen=True)
class PointView:
    """What the lab shows for one parameter point: the model's curve, the loss and gradient, and
    (for a mini-batch) the loss the batch sees next to the full loss.

    Attributes
    ----------
    curve_x, curve_f : ndarray, shape (C,)
        The model f[x, phi] on an even grid over the input range.
    full_loss : float
    full_gradient : ndarray, shape (2,)
    batch_loss : float or None
    batch_gradient : ndarray, shape (2,) or None
    batch_surface : ndarray, shape (G1, G0) or None
        Mini-batch loss L_B on the grid (None without a batch).
    angle : float or None
        Angle in degrees between the full and the mini-batch gradient; None without a batch
        or where either gradient vanishes (see :func:`vanishes`), since the angle then has no
        meaning.
    full_gradient_norm : float
        Length of the full gradient.
    full_gradient_vanishes : bool; batch_gradient_vanishes : bool or None
        Whether each gradient vanishes (:func:`vanishes`), so has no direction to draw; None
        without a batch.
    """

    curve_x: np.ndarray
    curve_f: np.ndarray
    full_loss: float
    full_gradient: np.ndarray
    batch_loss: float | None
    batch_gradient: np.ndarray | None
    batch_surface: np.ndarray | None
    angle: float | None
    full_gradient_norm: float
    full_gradient_vanishes: bool
    batch_gradient_vanishes: bool | None


VANISHING_NORM = 1e-8  # a gradient shorter than this has no direction worth drawing


def vanishes(gradient: np.ndarray, tiny: float = VANISHING_NORM) -> bool:
    """Whether a gradient of shape (2,) is shorter than ``tiny`` (its direction is noise)."""
    return bool(np.hypot(*gradient) < tiny)


def gradient_angle(a: np.ndarray, b: np.ndarray, tiny: float = VANISHING_NORM) -> float | None:
    """Angle in degrees between two vectors; None when either is shorter than ``tiny``."""
    if vanishes(a, tiny) or vanishes(b, tiny):
        return None
    cross = a[0] * b[1] - a[1] * b[0]
    return float(np.degrees(np.arctan2(abs(cross), a @ b)))  # accurate near 0 and 180


def point_view(
    landscape: Landscape,
    phi: np.ndarray,
    indices: np.ndarray | None,
    phi_0: np.ndarray,
    phi_1: np.ndarray,
    n_curve: int = 200,
) -> PointView:
    """Model curve, loss and gradient at phi; with ``indices`` also the mini-batch's loss surface
    and gradient (the noise of SGD made visible) and the angle between the two gradients.

    Parameters
    ----------
    phi : ndarray, shape (2,)
    indices : ndarray of int, shape (B,), or None
        The mini-batch.
    phi_0 : ndarray, shape (G0,)
    phi_1 : ndarray, shape (G1,)
    n_curve : int
        Points of the model curve.
    """
    phi = check_phi(phi)
    if not np.all(np.isfinite(phi)):
        raise DomainError(f"phi must be finite, got {phi.tolist()}")
    lo, hi = landscape.x_range
    pad = 0.05 * (hi - lo)
    curve_x = np.linspace(lo - pad, hi + pad, n_curve)
    curve_f = landscape.predict(curve_x, phi[0], phi[1])
    full_loss, full_gradient = loss_and_gradient(landscape, phi)
    full = {
        "full_gradient_norm": float(np.hypot(*full_gradient)),
        "full_gradient_vanishes": vanishes(full_gradient),
    }
    if indices is None:
        none = dict.fromkeys(("batch_loss", "batch_gradient", "batch_surface", "angle"))
        return PointView(
            curve_x, curve_f, full_loss, full_gradient, **none, **full, batch_gradient_vanishes=None
        )
    indices = np.asarray(indices, dtype=int)
    batch_loss, batch_gradient = loss_and_gradient(landscape, phi, indices)
    return PointView(
        curve_x=curve_x,
        curve_f=curve_f,
        full_loss=full_loss,
        full_gradient=full_gradient,
        batch_loss=batch_loss,
        batch_gradient=batch_gradient,
        batch_surface=loss_surface(landscape, phi_0, phi_1, indices),
        angle=gradient_angle(full_gradient, batch_gradient),
        **full,
        batch_gradient_vanishes=vanishes(batch_gradient),
    )


def outside_window(points: np.ndarray, window) -> np.ndarray:
    """0-based indices of the points (shape (M, 2)) outside the window ((lo, hi) per
    parameter, bounds included in the window); shape (K,)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    (a0, b0), (a1, b1) = window
    inside = (
        (points[:, 0] >= a0) & (points[:, 0] <= b0) & (points[:, 1] >= a1) & (points[:, 1] <= b1)
    )
    return np.flatnonzero(~inside)

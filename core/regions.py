"""Linear regions of a shallow network with two inputs, and the bound on how many there are.

With ``D_i = 2`` inputs each hidden unit switches on along the line
``theta_d0 + theta_d1 x_1 + theta_d2 x_2 = 0``. With a ReLU-like activation the output is
linear inside every cell of this line arrangement, and a cell is identified by its
*activation pattern* (which units have ``z_d > 0``). The number of cells of ``D`` hyperplanes
in general position in ``R^{D_i}`` is at most (Zaslavsky)

.. math::  N \\le \\sum_{j=0}^{D_i} \\binom{D}{j}

(7 for ``D_i = 2, D = 3``).

Regions are counted as activation patterns, as in the bound: two neighbouring regions can
carry the same plane by coincidence (for instance when ``phi_d = 0``), and are still two.

Exact count inside a rectangle: add the lines one at a time. A line that meets the open
rectangle and crosses the earlier lines at ``k`` distinct points inside it is cut into
``k + 1`` pieces, and each piece splits one existing region in two. Hence

.. math::  N_{\\text{box}} = 1 + \\sum_{\\text{distinct lines } \\ell} (1 + k_\\ell) .

Every float is a ratio of integers, so this is computed in exact integer arithmetic:
parallel, coincident and concurrent lines are handled without tolerances.

Reference: course notes ch. 2 "Multivariate input" and ch. 3.2 "Number of linear regions";
Prince, *Understanding Deep Learning*, ch. 3.3 and problem 3.18.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np

from core.activations import get_activation
from core.errors import DomainError
from core.shallow import SWITCHING_ACTIVATIONS, check_parameters, preactivations

MAX_PATTERN_UNITS = 62  # activation patterns are packed into the bits of an int64


@dataclass(frozen=True)
class Box:
    """The rectangle ``[x1_min, x1_max] x [x2_min, x2_max]`` shown in the view."""

    x1_min: float
    x1_max: float
    x2_min: float
    x2_max: float

    def __post_init__(self) -> None:
        for axis in ("x1", "x2"):
            lo, hi = getattr(self, f"{axis}_min"), getattr(self, f"{axis}_max")
            if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
                raise DomainError(f"the view needs {axis}_min < {axis}_max, got [{lo}, {hi}]")


@dataclass(frozen=True)
class RegionMap:
    """A 2-input network evaluated on a grid, with its regions.

    Attributes
    ----------
    x1 : ndarray, shape (n1,)
    x2 : ndarray, shape (n2,)
    outputs : ndarray, shape (n2, n1)
        First output ``y`` at every grid point (rows follow ``x2``).
    region_index : ndarray of int, shape (n2, n1) or None
        Index into ``patterns`` of the region containing each grid point.
    patterns : ndarray of bool, shape (R_grid, D) or None
        Activation patterns seen on the grid, one row per region.
    pixel_counts : ndarray of int, shape (R_grid,) or None
    centroids : ndarray, shape (R_grid, 2) or None
        Mean ``(x1, x2)`` of the grid points of each region (inside it: regions are convex).
    gradients : ndarray, shape (R_grid, 2) or None
        ``(dy/dx1, dy/dx2)`` inside each region.
    segments : ndarray, shape (D, 4)
        ``(x1_a, x2_a, x1_b, x2_b)``: the part of each unit's switching line inside the box.
    segment_visible : ndarray of bool, shape (D,)
        False when the unit's line misses the open box (its segment row is then zero).
    exact_count : int or None
        Exact number of regions inside the open box (None when not piecewise linear).
    bound : int
        ``sum_{j=0}^{2} C(D, j)``.
    panel_x1, panel_x2 : ndarray, shape (m,)
        A coarse grid for the per-unit panels.
    panel_preactivations, panel_activations : ndarray, shape (D, m, m)
        ``z_d`` and ``h_d`` on the coarse grid, ``[unit, row (x2), column (x1)]``.
    """

    x1: np.ndarray
    x2: np.ndarray
    outputs: np.ndarray
    region_index: np.ndarray | None
    patterns: np.ndarray | None
    pixel_counts: np.ndarray | None
    centroids: np.ndarray | None
    gradients: np.ndarray | None
    segments: np.ndarray
    segment_visible: np.ndarray
    exact_count: int | None
    bound: int
    panel_x1: np.ndarray
    panel_x2: np.ndarray
    panel_preactivations: np.ndarray
    panel_activations: np.ndarray


def max_linear_regions(n_inputs: int, n_hidden: int) -> int:
    """Largest number of linear regions: ``sum_{j=0}^{D_i} C(D, j)``.

    Parameters
    ----------
    n_inputs : int
        ``D_i >= 1``. For ``D_i >= D`` the sum is ``2^D``: every pattern can occur.
    n_hidden : int
        ``D >= 1``.
    """
    if n_inputs < 1:
        raise DomainError(f"D_i must be at least 1, got {n_inputs}")
    if n_hidden < 1:
        raise DomainError(f"D must be at least 1, got {n_hidden}")
    if n_inputs >= n_hidden:
        return 2**n_hidden  # every activation pattern is possible
    total, term = 1, 1
    for j in range(1, n_inputs + 1):  # C(D, j) = C(D, j - 1) (D - j + 1) / j, exact in integers
        term = term * (n_hidden - j + 1) // j
        total += term
    return total


def max_regions_table(max_inputs: int, max_hidden: int) -> np.ndarray:
    """Table of ``max_linear_regions(D_i, D)``.

    Returns
    -------
    ndarray of int64, shape (max_inputs, max_hidden)
        Entry ``[i - 1, d - 1]`` is the bound for ``D_i = i`` and ``D = d``.
    """
    if max_inputs < 1 or max_hidden < 1:
        raise DomainError(
            f"the table needs at least one row and column, got {max_inputs} x {max_hidden}"
        )
    if max_hidden > MAX_PATTERN_UNITS:
        raise DomainError(f"D must be at most {MAX_PATTERN_UNITS}, got {max_hidden}")
    return np.array(
        [
            [max_linear_regions(i, d) for d in range(1, max_hidden + 1)]
            for i in range(1, max_inputs + 1)
        ],
        dtype=np.int64,
    )


def activation_codes(theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Pack each point's activation pattern into one integer.

    Parameters
    ----------
    theta : ndarray, shape (D, D_i + 1)
    x : ndarray, shape (..., D_i)

    Returns
    -------
    ndarray of int64, shape (...)
        ``sum_d 2^d [z_d > 0]``.
    """
    theta = np.asarray(theta, dtype=float)
    if theta.shape[0] > MAX_PATTERN_UNITS:
        raise DomainError(f"at most {MAX_PATTERN_UNITS} hidden units, got {theta.shape[0]}")
    x = np.asarray(x, dtype=float)
    z = preactivations(x.reshape(-1, x.shape[-1]), theta)  # (n, D)
    return _pack_patterns(z > 0).reshape(x.shape[:-1])


def _pack_patterns(active: np.ndarray) -> np.ndarray:
    """(n, D) bool -> (n,) int64 with bit d set when unit d is active."""
    weights = np.left_shift(np.int64(1), np.arange(active.shape[1], dtype=np.int64))  # (D,)
    return np.einsum("nd,d->n", active, weights)


def _distinct_codes(codes: np.ndarray, n_hidden: int) -> tuple[np.ndarray, np.ndarray]:
    """Like ``np.unique(codes, return_inverse=True)``; a lookup table is faster for small D."""
    if n_hidden > 20:
        return np.unique(codes, return_inverse=True)
    present = np.bincount(codes, minlength=1 << n_hidden) > 0  # (2^D,)
    rank = np.cumsum(present) - 1  # (2^D,) index of each present code
    return np.flatnonzero(present), rank[codes]


def count_regions_exact(theta: np.ndarray, box: Box) -> int:
    """Exact number of cells of the units' line arrangement inside the open box.

    Each cell is one activation pattern (one linear region of a ReLU network). Lines are
    added one at a time; see the module docstring for why each adds ``1 + k`` regions.

    Parameters
    ----------
    theta : ndarray, shape (D, 3)
        ``(theta_d0, theta_d1, theta_d2)`` per unit; a unit with ``theta_d1 = theta_d2 = 0``
        never switches inside the box.
    box : Box

    Returns
    -------
    int
    """
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2 or theta.shape[1] != 3:
        raise DomainError(f"theta must be a (D, 3) matrix for two inputs, got shape {theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise DomainError("every parameter must be a finite number")
    # Every float is an integer over a power of two, so the whole test runs in exact
    # integer arithmetic: a line keeps its integer triple, the box uses a common scale 2^k.
    (x_lo, x_hi, y_lo, y_hi), scale = _common_integers(
        [box.x1_min, box.x1_max, box.x2_min, box.x2_max]
    )
    lines: list[tuple[int, int, int]] = []
    for row in theta.tolist():  # one line per hidden unit, not per data point
        (a, b, c), _ = _common_integers(row)
        if b == 0 and c == 0:
            continue
        corner_values = [a * scale + b * x + c * y for x in (x_lo, x_hi) for y in (y_lo, y_hi)]
        # An affine function maps the open box onto the open interval between its corner
        # values, so the line meets the interior exactly when they straddle zero.
        if not min(corner_values) < 0 < max(corner_values):
            continue
        canonical = _normalise(a, b, c, sign_of=b if b != 0 else c)
        if canonical not in lines:
            lines.append(canonical)
    regions = 1
    for i, (ai, bi, ci) in enumerate(lines):
        crossings = set()
        for aj, bj, cj in lines[:i]:
            det = bi * cj - bj * ci
            if det == 0:
                continue  # parallel (coincident lines were merged above)
            # Homogeneous intersection (x, y) = (px / det, py / det).
            px, py, w = _normalise(aj * ci - ai * cj, ai * bj - aj * bi, det, sign_of=det)
            if x_lo * w < px * scale < x_hi * w and y_lo * w < py * scale < y_hi * w:
                crossings.add((px, py, w))
        regions += 1 + len(crossings)
    return regions


def _common_integers(values: list[float]) -> tuple[list[int], int]:
    """Write floats exactly as ``n_k / 2^s`` with one power of two; return ``[n_k], 2^s``."""
    ratios = [float(v).as_integer_ratio() for v in values]  # denominators are powers of 2
    scale = max(den for _, den in ratios)
    return [num * (scale // den) for num, den in ratios], scale


def _normalise(p: int, q: int, r: int, sign_of: int) -> tuple[int, int, int]:
    """Divide an integer triple by its gcd and make ``sign_of`` positive (a unique key)."""
    g = gcd(p, q, r) * (1 if sign_of > 0 else -1)
    return p // g, q // g, r // g


def switching_segments(theta: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """Clip each unit's line ``z_d = 0`` to the box.

    Returns
    -------
    segments : ndarray, shape (D, 4)
        ``(x1_a, x2_a, x1_b, x2_b)``, zeros where the line misses the open box.
    visible : ndarray of bool, shape (D,)
    """
    theta = np.asarray(theta, dtype=float)
    a, b, c = theta[:, 0:1], theta[:, 1:2], theta[:, 2:3]  # (D, 1) each
    x_edges = np.array([box.x1_min, box.x1_max])
    y_edges = np.array([box.x2_min, box.x2_max])
    with np.errstate(divide="ignore", invalid="ignore"):
        y_at_x = -(a + b * x_edges) / c  # (D, 2): crossings of the vertical edges
        x_at_y = -(a + c * y_edges) / b  # (D, 2): crossings of the horizontal edges
    px = np.concatenate([np.broadcast_to(x_edges, y_at_x.shape), x_at_y], axis=1)  # (D, 4)
    py = np.concatenate([y_at_x, np.broadcast_to(y_edges, x_at_y.shape)], axis=1)  # (D, 4)
    span = max(box.x1_max - box.x1_min, box.x2_max - box.x2_min)
    tol = 1e-12 * span
    on_box = (
        np.isfinite(px)
        & np.isfinite(py)
        & (px >= box.x1_min - tol)
        & (px <= box.x1_max + tol)
        & (py >= box.x2_min - tol)
        & (py <= box.x2_max + tol)
    )  # (D, 4)
    # Order the crossings along the line direction (-c, b) and keep the two extremes.
    t = np.where(on_box, px * -c + py * b, np.nan)  # (D, 4)
    has_two = on_box.sum(axis=1) >= 2
    lo = np.argmin(np.where(on_box, t, np.inf), axis=1)  # (D,)
    hi = np.argmax(np.where(on_box, t, -np.inf), axis=1)  # (D,)
    rows = np.arange(theta.shape[0])
    segments = np.stack([px[rows, lo], py[rows, lo], px[rows, hi], py[rows, hi]], axis=1)
    corners = np.array(
        [
            [box.x1_min, box.x2_min],
            [box.x1_min, box.x2_max],
            [box.x1_max, box.x2_min],
            [box.x1_max, box.x2_max],
        ]
    )  # (4, 2)
    corner_z = theta[:, 0][None, :] + corners @ theta[:, 1:].T  # (4, D)
    crosses = (corner_z.min(axis=0) < 0) & (corner_z.max(axis=0) > 0)  # (D,)
    visible = has_two & crosses
    segments = np.where(visible[:, None], np.nan_to_num(segments), 0.0)
    return segments, visible


def region_map(
    theta: np.ndarray,
    phi: np.ndarray,
    activation: str,
    box: Box,
    grid_size: int,
    panel_size: int = 21,
) -> RegionMap:
    """Evaluate a 2-input network on a ``grid_size x grid_size`` grid and find its regions.

    Parameters
    ----------
    theta : ndarray, shape (D, 3)
    phi : ndarray, shape (D_o, D + 1)
        Only the first output is mapped.
    activation : str
    box : Box
    grid_size : int
        Points per axis, at least 2.
    panel_size : int
        Points per axis of the coarse grid of the per-unit panels, at least 2.

    Returns
    -------
    RegionMap
        Region fields are None when the activation is not piecewise linear.
    """
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    check_parameters(theta, phi, n_inputs=2)
    if grid_size < 2 or panel_size < 2:
        raise DomainError(
            f"grid_size and panel_size must be at least 2, got {grid_size} and {panel_size}"
        )
    act = get_activation(activation)
    n_hidden = theta.shape[0]
    x1 = np.linspace(box.x1_min, box.x1_max, grid_size)  # (n1,)
    x2 = np.linspace(box.x2_min, box.x2_max, grid_size)  # (n2,)
    grid = np.stack(np.meshgrid(x1, x2), axis=-1).reshape(-1, 2)  # (n2 * n1, 2)
    # On a grid z_d separates into a row part and a column part: one broadcast add.
    row_part = theta[:, 0] + x2[:, None] * theta[:, 2]  # (n2, D)
    col_part = x1[:, None] * theta[:, 1]  # (n1, D)
    z = (row_part[:, None, :] + col_part[None, :, :]).reshape(-1, n_hidden)  # (n2 * n1, D)
    segments, visible = switching_segments(theta, box)
    bound = max_linear_regions(2, n_hidden)
    p1 = np.linspace(box.x1_min, box.x1_max, panel_size)  # (m,)
    p2 = np.linspace(box.x2_min, box.x2_max, panel_size)  # (m,)
    panel_grid = np.stack(np.meshgrid(p1, p2), axis=-1).reshape(-1, 2)  # (m * m, 2)
    panel_z = preactivations(panel_grid, theta)  # (m * m, D)
    panel_z = panel_z.T.reshape(n_hidden, panel_size, panel_size)  # (D, m, m)
    panels = (p1, p2, panel_z, act.value(panel_z))
    shape = (grid_size, grid_size)
    if not act.piecewise_linear:
        # einsum rather than BLAS: a matrix-vector product this thin is faster without threads.
        outputs = phi[0, 0] + np.einsum("nd,d->n", act.value(z), phi[0, 1:])  # (n2 * n1,)
        return RegionMap(
            x1,
            x2,
            outputs.reshape(shape),
            None,
            None,
            None,
            None,
            None,
            segments,
            visible,
            None,
            bound,
            *panels,
        )
    if activation in SWITCHING_ACTIVATIONS:
        codes = _pack_patterns(z > 0)  # (n2 * n1,)
        exact = count_regions_exact(theta, box)
    else:
        codes = np.full(grid.shape[0], (1 << n_hidden) - 1, dtype=np.int64)  # all "on"
        exact = 1
    unique_codes, index = _distinct_codes(codes, n_hidden)  # (R,), (n2 * n1,)
    bits = np.arange(n_hidden, dtype=np.int64)
    patterns = ((unique_codes[:, None] >> bits) & 1).astype(bool)  # (R, D)
    counts = np.bincount(index, minlength=len(unique_codes))  # (R,)
    centroids = (
        np.stack(
            [np.bincount(index, weights=grid[:, k], minlength=len(unique_codes)) for k in (0, 1)],
            axis=1,
        )
        / counts[:, None]
    )  # (R, 2)
    # On each side of zero a[z] = offset + slope z exactly, so inside a region the output is
    # the plane y = intercept + gradient . x; evaluating that plane per pixel is much cheaper
    # than summing D activations per pixel.
    side = np.where(patterns, 1.0, -1.0)  # (R, D) a point on the unit's side of zero
    slope = act.derivative(side)  # (R, D)
    offset = act.value(side) - slope * side  # (R, D)
    weighted_slope = slope * phi[0, 1:]  # (R, D) phi_d a'[z_d]
    gradients = weighted_slope @ theta[:, 1:]  # (R, 2)
    intercepts = phi[0, 0] + offset @ phi[0, 1:] + weighted_slope @ theta[:, 0]  # (R,)
    outputs = (
        intercepts[index] + gradients[index, 0] * grid[:, 0] + gradients[index, 1] * grid[:, 1]
    )  # (n2 * n1,)
    return RegionMap(
        x1,
        x2,
        outputs.reshape(shape),
        index.reshape(shape),
        patterns,
        counts,
        centroids,
        gradients,
        segments,
        visible,
        exact,
        bound,
        *panels,
    )

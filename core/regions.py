"""Linear regions of a shallow network with two inputs, and the bound on how many there are.

With ``D_i = 2`` inputs each hidden unit switches on along the line
``theta_d0 + theta_d1 x_1 + theta_d2 x_2 = 0``. With a ReLU-like activation the output is
linear inside every cell of this line arrangement, and a cell is identified by its
*activation pattern* (which units have ``z_d > 0``). The number of cells of ``D`` hyperplanes
in general position in ``R^{D_i}`` is at most (Zaslavsky)

.. math::  N \\le \\sum_{j=0}^{D_i} \\binom{D}{j}

(7 for ``D_i = 2, D = 3``).

Two counts are kept apart. The *activation patterns* are the cells of the line arrangement
(what the bound counts). A *linear region* is a maximal connected set on which the output is
one plane, as in the book: crossing the line of unit d changes the output's gradient by
``phi_d (a'_+ - a'_-) (theta_d1, theta_d2)`` and its value by ``phi_d (a_+(0) - a_-(0))``
(summed over the units sharing the line), so a line whose change is zero (``phi_d = 0``, or
coincident units that cancel) splits no region. The linear regions are therefore the cells of
the arrangement of the lines that do change the output, counted the same exact way.

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
from core.deep_regions import activation_sides, pack_rows
from core.errors import DomainError
from core.shallow import check_parameters, preactivations

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
        Index of the linear region containing each grid point (rows of ``patterns``).
    patterns : ndarray of int8, shape (R_grid, D) or None
        Per linear region seen on the grid and unit: 1 if ``z_d > 0`` on all of its grid
        points, 0 if on none, -1 if the unit's line crosses the region (the line of a unit
        that does not change the output lies inside a region).
    grid_patterns : int or None
        Number of distinct activation patterns on the grid.
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
        Exact number of linear regions inside the open box (None when not piecewise linear).
    pattern_count : int or None
        Exact number of activation patterns (cells of all units' lines) inside the open box.
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
    grid_patterns: int | None
    pixel_counts: np.ndarray | None
    centroids: np.ndarray | None
    gradients: np.ndarray | None
    segments: np.ndarray
    segment_visible: np.ndarray
    exact_count: int | None
    pattern_count: int | None
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


def pattern_counts(max_hidden: int) -> np.ndarray:
    """Number of on/off activation patterns of D hidden units, ``2^D``, for D = 1..max_hidden.

    It bounds the linear regions for every D_i and is reached when D_i >= D.

    Returns
    -------
    ndarray of int64, shape (max_hidden,)
    """
    if not 1 <= max_hidden <= MAX_PATTERN_UNITS:
        raise DomainError(f"D must be 1 to {MAX_PATTERN_UNITS}, got {max_hidden}")
    return 2 ** np.arange(1, max_hidden + 1, dtype=np.int64)


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
    """(n, D) bool -> (n,) int64 with bit d set when unit d is active (D <= 62)."""
    return pack_rows(active)


def _distinct_codes(codes: np.ndarray, n_hidden: int) -> tuple[np.ndarray, np.ndarray]:
    """Like ``np.unique(codes, return_inverse=True)``; a lookup table is faster for small D."""
    if n_hidden > 20:
        return np.unique(codes, return_inverse=True)
    present = np.bincount(codes, minlength=1 << n_hidden) > 0  # (2^D,)
    rank = np.cumsum(present) - 1  # (2^D,) index of each present code
    return np.flatnonzero(present), rank[codes]


def count_regions_exact(theta: np.ndarray, box: Box) -> int:
    """Exact number of activation patterns: cells of the units' line arrangement in the box.

    Lines are added one at a time; see the module docstring for why each adds ``1 + k``
    cells. A unit with ``theta_d1 = theta_d2 = 0`` never switches inside the box.

    Parameters
    ----------
    theta : ndarray, shape (D, 3)
    box : Box

    Returns
    -------
    int
    """
    theta = _check_theta(theta)
    return _count_cells([line for line, _ in _lines_in_box(theta, box)], box)


def count_linear_regions_exact(
    theta: np.ndarray, phi: np.ndarray, activation: str, box: Box
) -> int:
    """Exact number of linear regions in the box: cells of the lines that change the output.

    Parameters
    ----------
    theta : ndarray, shape (D, 3)
    phi : ndarray, shape (D_o, D + 1)
        Every output counts: a line splits a region if it changes any output.
    activation : str
        A piecewise-linear activation.
    box : Box
    """
    theta = _check_theta(theta)
    phi = np.asarray(phi, dtype=float)
    check_parameters(theta, phi, n_inputs=2)
    sides = activation_sides(activation)
    if sides is None:
        raise DomainError(f"{activation} is not piecewise linear: linear regions are undefined")
    if not sides.switches:
        return 1
    return _count_cells(_bending_lines(theta, phi, sides, box)[0], box)


def _bending_lines(theta, phi, sides, box) -> tuple[list[tuple[int, int, int]], np.ndarray]:
    """The lines whose crossing changes some output, and which units lie on them (bool (D,))."""
    d_slope = sides.pos_slope - sides.neg_slope
    d_offset = sides.pos_offset - sides.neg_offset
    jumps: dict[tuple[int, int, int], list[np.ndarray]] = {}
    members: dict[tuple[int, int, int], list[int]] = {}
    for line, (d, orientation) in _lines_in_box(theta, box):
        # Change of (gradient, value) of every output when crossing to the line's + side.
        change = orientation * phi[:, d + 1, None] * np.array([*(d_slope * theta[d, 1:]), d_offset])
        jumps.setdefault(line, []).append(change)  # (D_o, 3)
        members.setdefault(line, []).append(d)
    bending, units = [], np.zeros(theta.shape[0], dtype=bool)
    for line, changes in jumps.items():
        total = np.sum(changes, axis=0)
        size = np.sum(np.abs(changes), axis=0)
        if np.any(np.abs(total) > 1e-12 * size):
            bending.append(line)
            units[members[line]] = True
    return bending, units


def _check_theta(theta: np.ndarray) -> np.ndarray:
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2 or theta.shape[1] != 3:
        raise DomainError(f"theta must be a (D, 3) matrix for two inputs, got shape {theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise DomainError("every parameter must be a finite number")
    return theta


def _lines_in_box(theta: np.ndarray, box: Box):
    """Yield ``(canonical integer line, (unit, orientation))`` for units switching in the box.

    ``orientation`` is +1 when the unit's ``z_d > 0`` side is the line's positive side.
    """
    # Every float is an integer over a power of two, so the whole test runs in exact
    # integer arithmetic: a line keeps its integer triple, the box uses a common scale 2^k.
    (x_lo, x_hi, y_lo, y_hi), scale = _common_integers(
        [box.x1_min, box.x1_max, box.x2_min, box.x2_max]
    )
    for d, row in enumerate(theta.tolist()):  # one line per hidden unit, not per data point
        (a, b, c), _ = _common_integers(row)
        if b == 0 and c == 0:
            continue
        corner_values = [a * scale + b * x + c * y for x in (x_lo, x_hi) for y in (y_lo, y_hi)]
        # An affine function maps the open box onto the open interval between its corner
        # values, so the line meets the interior exactly when they straddle zero.
        if not min(corner_values) < 0 < max(corner_values):
            continue
        canonical = _normalise(a, b, c, sign_of=b if b != 0 else c)
        orientation = 1 if (b if b != 0 else c) > 0 else -1
        yield canonical, (d, orientation)


def _count_cells(lines: list[tuple[int, int, int]], box: Box) -> int:
    """Cells of an arrangement of canonical integer lines (duplicates merged) in the box."""
    (x_lo, x_hi, y_lo, y_hi), scale = _common_integers(
        [box.x1_min, box.x1_max, box.x2_min, box.x2_max]
    )
    lines = list(dict.fromkeys(lines))
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
            None,
            segments,
            visible,
            None,
            None,
            bound,
            *panels,
        )
    sides = activation_sides(activation)
    active = sides.on(z)  # (n2 * n1, D)
    if sides.switches:
        codes = _pack_patterns(active)  # (n2 * n1,)
        patterns_exact = count_regions_exact(theta, box)
        lines, bending = _bending_lines(theta, phi, sides, box)
        exact = _count_cells(lines, box)
    else:
        codes = np.zeros(grid.shape[0], dtype=np.int64)  # one pattern
        patterns_exact = exact = 1
        bending = np.zeros(n_hidden, dtype=bool)
    unique_codes, index = _distinct_codes(codes, n_hidden)  # (P,), (n2 * n1,)
    bits = np.arange(n_hidden, dtype=np.int64)
    on = ((unique_codes[:, None] >> bits) & 1).astype(bool)  # (P, D)
    if not sides.switches:
        on[:] = True
    # On each side of zero a[z] = offset + slope z exactly, so inside a pattern the output is
    # the plane y = intercept + gradient . x; evaluating that plane per pixel is much cheaper
    # than summing D activations per pixel.
    side = np.where(on, 1.0, -1.0)  # (P, D) a point on the unit's side of zero
    slope = act.derivative(side)  # (P, D)
    offset = act.value(side) - slope * side  # (P, D)
    weighted_slope = slope * phi[0, 1:]  # (P, D) phi_d a'[z_d]
    plane_gradients = weighted_slope @ theta[:, 1:]  # (P, 2)
    intercepts = phi[0, 0] + offset @ phi[0, 1:] + weighted_slope @ theta[:, 0]  # (P,)
    outputs = (
        intercepts[index]
        + plane_gradients[index, 0] * grid[:, 0]
        + plane_gradients[index, 1] * grid[:, 1]
    )  # (n2 * n1,)
    # Linear regions: cells of the lines that change the output, i.e. patterns of those
    # units. Work per pattern seen (a few hundred), not per pixel.
    pattern_pixels = np.bincount(index, minlength=len(unique_codes))  # (P,)
    pattern_sums = np.stack(
        [np.bincount(index, weights=grid[:, k], minlength=len(unique_codes)) for k in (0, 1)],
        axis=1,
    )  # (P, 2)
    if bending.any():
        _, to_region = np.unique(_pack_patterns(on[:, bending]), return_inverse=True)  # (P,)
    else:
        to_region = np.zeros(len(unique_codes), dtype=np.int64)
    to_region = to_region.ravel()
    n_regions = int(to_region.max()) + 1
    region = to_region[index]  # (n2 * n1,)
    counts = np.bincount(to_region, weights=pattern_pixels, minlength=n_regions).astype(np.int64)
    centroids = (
        np.stack(
            [
                np.bincount(to_region, weights=pattern_sums[:, k], minlength=n_regions)
                for k in (0, 1)
            ],
            axis=1,
        )
        / counts[:, None]
    )  # (R, 2)
    on_counts = np.zeros((n_regions, n_hidden))
    np.add.at(on_counts, to_region, on * pattern_pixels[:, None])  # (R, D)
    patterns = np.where(on_counts == counts[:, None], 1, np.where(on_counts == 0, 0, -1))
    first = np.zeros(n_regions, dtype=np.int64)
    first[to_region[::-1]] = np.arange(len(to_region))[::-1]  # a pattern of each region
    gradients = plane_gradients[first]  # (R, 2)
    return RegionMap(
        x1,
        x2,
        outputs.reshape(shape),
        region.reshape(shape),
        patterns.astype(np.int8),
        len(unique_codes),
        counts,
        centroids,
        gradients,
        segments,
        visible,
        exact,
        patterns_exact,
        bound,
        *panels,
    )

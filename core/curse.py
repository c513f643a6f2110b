"""The curse of dimensionality: empty grid cells, exploding coefficient counts, concentrating
distances, and data that live on a low-dimensional manifold.

- A *grid-cell classifier* cuts [0, 1]^D into k^D equal blocks and predicts, in each block, the
  majority class of the training points that fall in it (course notes ch. 3, "curse of
  dimensionality", B_i(x)). With N training points at most N of the k^D blocks hold one, so as
  D grows almost every new point lands in an empty block: for uniform data a given block is
  empty with probability (1 - k^{-D})^N.
- A full polynomial of degree M in D inputs has C(M + D, D) coefficients. For a fixed M that
  grows like D^M / M!; when the degree grows with the dimension (M = D) it is C(2D, D),
  about 4^D / sqrt(pi D): exponential.
- For points drawn uniformly from [0, 1]^D the squared distance between two of them has mean
  D / 6 and standard deviation sqrt(7 D / 180), so distances cluster ever more tightly around
  sqrt(D / 6): the nearest and the farthest neighbour become almost equally far.
- The manifold hypothesis: natural data fill a thin, low-dimensional part of their space. The
  example is a swiss roll, a 2D sheet rolled up in 3D, whose points are described by two
  numbers (t, h).

Reference: course notes ch. 3 (fixed basis functions; curse of dimensionality; manifold
hypothesis); Prince, *Understanding Deep Learning*, ch. 3 and 8.4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.dimensionality import polynomial_coefficient_count
from core.errors import DomainError


# ----------------------------------------------------------------------------- grid cells
def cell_indices(x: np.ndarray, cells_per_side: int) -> np.ndarray:
    """Index (j_1, ..., j_D) of the block of [0, 1]^D holding each point: j_d = floor(k x_d).

    Points on the upper face x_d = 1 belong to the last block. Shapes: (N, D) -> (N, D) int.
    """
    if cells_per_side < 1:
        raise DomainError(f"use at least 1 cell per side, got {cells_per_side}")
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise DomainError(f"points must have shape (N, D), got {x.shape}")
    if np.any((x < 0) | (x > 1)):
        raise DomainError("the grid covers [0, 1]^D: every coordinate must lie in [0, 1]")
    return np.minimum(np.floor(cells_per_side * x), cells_per_side - 1).astype(np.int64)


def _row_numbers(cells: np.ndarray, cells_per_side: int) -> np.ndarray:
    """Number the distinct rows of ``cells`` 0, 1, ... in lexicographic order; equal rows alike.

    The same numbers as ``np.unique(cells, axis=0, return_inverse=True)`` without its slow sort
    of whole rows: each run of columns is read as one base-k integer (most significant first)
    that fits an int64, and the rows are sorted on those few keys. Shapes: (N, D) -> (N,) int.
    """
    n, d = cells.shape
    per_key = max(1, int(62 / math.log2(max(cells_per_side, 2))))  # k^per_key < 2^62
    keys = [
        cells[:, i : i + per_key]
        @ (cells_per_side ** np.arange(min(per_key, d - i) - 1, -1, -1, dtype=np.int64))
        for i in range(0, d, per_key)
    ]
    if len(keys) == 1:
        return np.unique(keys[0], return_inverse=True)[1].ravel()
    order = np.lexsort(keys[::-1])  # the last key given to lexsort is the primary one
    ordered = np.stack(keys, axis=1)[order]  # (N, keys)
    starts = np.ones(n, dtype=bool)
    starts[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    numbers = np.empty(n, dtype=np.int64)
    numbers[order] = np.cumsum(starts) - 1
    return numbers


@dataclass(frozen=True)
class GridCellPrediction:
    """What a grid-cell classifier says about a set of points.

    Attributes
    ----------
    labels : ndarray of int, shape (T,)
        Majority class of each point's block (ties go to the smaller class); -1 when the
        block holds no training point.
    occupied_cells : int
        Blocks holding at least one training point.
    """

    labels: np.ndarray
    occupied_cells: int


def grid_cell_classify(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, cells_per_side: int
) -> GridCellPrediction:
    """Majority vote of the training labels in each k^D block, read off at the test points.

    Parameters
    ----------
    x_train : ndarray, shape (N, D)
    y_train : ndarray of int, shape (N,)
        Classes 0 or 1.
    x_test : ndarray, shape (T, D)
    cells_per_side : int
        k.
    """
    train_cells = cell_indices(x_train, cells_per_side)  # (N, D)
    test_cells = cell_indices(x_test, cells_per_side)  # (T, D)
    y_train = np.asarray(y_train, dtype=np.int64)
    # Number the occupied blocks (rows of the index matrix) without forming k^D, which can
    # exceed any integer type: unique rows of the training and test indices together.
    both = np.concatenate([train_cells, test_cells])  # (N + T, D)
    block = _row_numbers(both, cells_per_side)  # (N + T,)
    train_block, test_block = block[: len(train_cells)], block[len(train_cells) :]
    n_blocks = int(block.max()) + 1
    ones = np.bincount(train_block, weights=y_train, minlength=n_blocks)  # (B,)
    count = np.bincount(train_block, minlength=n_blocks)  # (B,)
    majority = np.where(count == 0, -1, (2 * ones > count).astype(np.int64))  # (B,)
    return GridCellPrediction(majority[test_block], int(np.count_nonzero(count)))


def empty_cell_probability(n_inputs: int, cells_per_side: int, n_train: int) -> float:
    """Chance that a given block holds none of N uniform training points: (1 - k^{-D})^N."""
    return math.exp(n_train * math.log1p(-(float(cells_per_side) ** -n_inputs)))


def two_class_points(n_points: int, n_inputs: int, rng: np.random.Generator):
    """Uniform points in [0, 1]^D with class 1[x_1 + x_2 > 1] (just x_1 > 1/2 when D = 1).

    The class depends on two coordinates only, so a low-dimensional rule exists; the grid
    does not know that and must cover every coordinate.

    Returns
    -------
    x : ndarray, shape (n_points, D)
    y : ndarray of int, shape (n_points,)
    """
    x = rng.uniform(0.0, 1.0, size=(n_points, n_inputs))
    s = x[:, 0] + (x[:, 1] if n_inputs > 1 else 0.5)
    return x, (s > 1.0).astype(np.int64)


@dataclass(frozen=True)
class GridCellSweep:
    """The grid-cell classifier for D = 1..max_inputs with the same N, k and test set size.

    Attributes
    ----------
    n_inputs : ndarray of int, shape (K,)
    total_cells : ndarray of float, shape (K,)
        k^D (a float: it outgrows every integer type).
    occupied_cells : ndarray of int, shape (K,)
    empty_fraction : ndarray, shape (K,)
        Fraction of test points whose block holds no training point.
    expected_empty : ndarray, shape (K,)
        (1 - k^{-D})^N, the chance for a uniform test point.
    accuracy_covered : ndarray, shape (K,)
        Accuracy on the test points whose block holds training points (NaN when none does).
    accuracy : ndarray, shape (K,)
        Accuracy on all test points when an empty block answers with a coin flip (counted 1/2).
    """

    n_inputs: np.ndarray
    total_cells: np.ndarray
    occupied_cells: np.ndarray
    empty_fraction: np.ndarray
    expected_empty: np.ndarray
    accuracy_covered: np.ndarray
    accuracy: np.ndarray


def grid_cell_sweep(
    max_inputs: int, cells_per_side: int, n_train: int, n_test: int, rng: np.random.Generator
) -> GridCellSweep:
    """Train and test a grid-cell classifier on fresh data for every D = 1..max_inputs."""
    if max_inputs < 1:
        raise DomainError(f"the largest dimension must be at least 1, got {max_inputs}")
    if n_train < 1 or n_test < 1:
        raise DomainError(f"need at least 1 training and 1 test point, got {n_train}, {n_test}")
    dims = np.arange(1, max_inputs + 1)
    occupied = np.empty(dims.size, dtype=np.int64)
    empty = np.empty(dims.size)
    covered = np.empty(dims.size)
    overall = np.empty(dims.size)
    for j, d in enumerate(dims):  # one experiment per dimension
        x_train, y_train = two_class_points(n_train, int(d), rng)
        x_test, y_test = two_class_points(n_test, int(d), rng)
        pred = grid_cell_classify(x_train, y_train, x_test, cells_per_side)
        has = pred.labels >= 0
        correct = pred.labels == y_test
        occupied[j] = pred.occupied_cells
        empty[j] = 1.0 - has.mean()
        covered[j] = correct[has].mean() if has.any() else np.nan
        overall[j] = (correct.sum() + 0.5 * (~has).sum()) / n_test
    expected = np.array([empty_cell_probability(int(d), cells_per_side, n_train) for d in dims])
    return GridCellSweep(
        dims,
        float(cells_per_side) ** dims.astype(float),
        occupied,
        empty,
        expected,
        covered,
        overall,
    )


# ----------------------------------------------------------------------------- coefficients
@dataclass(frozen=True)
class GrowingDegreeCounts:
    """Coefficients of a full polynomial when the degree is fixed and when it grows with D.

    Attributes
    ----------
    n_inputs : ndarray of int64, shape (K,)
    fixed : ndarray of int64, shape (K,)
        C(M + D, D) for the fixed degree M.
    growing : ndarray of int64, shape (K,)
        C(2D, D): degree M = D.
    growing_approximation : ndarray, shape (K,)
        4^D / sqrt(pi D), the leading term of C(2D, D).
    """

    n_inputs: np.ndarray
    fixed: np.ndarray
    growing: np.ndarray
    growing_approximation: np.ndarray


MAX_GROWING_DIMENSION = 30  # C(60, 30) ~ 1.2e17 still fits an int64 exactly


def growing_degree_counts(max_inputs: int, degree: int) -> GrowingDegreeCounts:
    """C(M + D, D) for a fixed M and C(2D, D) for M = D, for D = 1..max_inputs."""
    if not 1 <= max_inputs <= MAX_GROWING_DIMENSION:
        raise DomainError(
            f"the largest dimension must be 1 to {MAX_GROWING_DIMENSION} "
            f"(C(2D, D) must stay exact), got {max_inputs}"
        )
    dims = np.arange(1, max_inputs + 1, dtype=np.int64)
    growing = np.array([math.comb(2 * int(d), int(d)) for d in dims], dtype=np.int64)
    return GrowingDegreeCounts(
        dims,
        polynomial_coefficient_count(dims, degree),
        growing,
        4.0 ** dims.astype(float) / np.sqrt(np.pi * dims),
    )


# ----------------------------------------------------------------------------- distances
def pairwise_distances(x: np.ndarray) -> np.ndarray:
    """Euclidean distances between all pairs i < j, in the order of ``np.triu_indices``.

    Uses |a - b|^2 = |a|^2 + |b|^2 - 2 a.b (clipped at 0 against rounding).
    Shapes: (N, D) -> (N (N - 1) / 2,).
    """
    x = np.asarray(x, dtype=float)
    squared = np.sum(x * x, axis=1)  # (N,)
    gram = x @ x.T  # (N, N)
    d2 = np.maximum(squared[:, None] + squared[None, :] - 2.0 * gram, 0.0)
    i, j = np.triu_indices(x.shape[0], k=1)
    return np.sqrt(d2[i, j])


@dataclass(frozen=True)
class DistancePanel:
    """Distances between uniform random points in [0, 1]^D, for several D.

    Attributes
    ----------
    n_inputs : ndarray of int, shape (K,)
    mean, std, minimum, maximum : ndarray, shape (K,)
        Of all pairwise distances.
    relative_contrast : ndarray, shape (K,)
        (max - min) / min: how much farther the farthest pair is than the nearest.
    rms : ndarray, shape (K,)
        Root mean square of the pairwise distances, sqrt(mean of distance^2).
    predicted_mean_squared : ndarray, shape (K,)
        D / 6, the mean squared distance of two uniform points.
    predicted_rms : ndarray, shape (K,)
        sqrt(D / 6), the root mean square distance this predicts. It is not the mean distance,
        which is smaller (Jensen: E d <= sqrt(E d^2)), markedly so in low dimension (1/3 against
        0.408 for D = 1); the two agree as D grows.
    predicted_relative_std : ndarray, shape (K,)
        sqrt(7 D / 180) / (D / 6): the spread of the squared distance relative to its mean
        (it falls like 1 / sqrt(D)).
    bin_edges : ndarray, shape (B + 1,)
        Edges over [0, 2] for distances divided by their mean.
    histogram : ndarray, shape (K, B)
        Density histogram of distance / mean distance for each D.
    """

    n_inputs: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    relative_contrast: np.ndarray
    rms: np.ndarray
    predicted_mean_squared: np.ndarray
    predicted_rms: np.ndarray
    predicted_relative_std: np.ndarray
    bin_edges: np.ndarray
    histogram: np.ndarray


def distance_panel(
    n_inputs: np.ndarray, n_points: int, n_bins: int, rng: np.random.Generator
) -> DistancePanel:
    """Sample n_points uniform points per D and summarise their pairwise distances."""
    dims = np.asarray(n_inputs, dtype=int)
    if dims.size == 0 or dims.min() < 1:
        raise DomainError("choose at least one dimension D >= 1")
    if n_points < 2:
        raise DomainError(f"distances need at least 2 points, got {n_points}")
    if n_bins < 1:
        raise DomainError(f"use at least 1 bin, got {n_bins}")
    edges = np.linspace(0.0, 2.0, n_bins + 1)
    stats = np.empty((5, dims.size))
    histogram = np.empty((dims.size, n_bins))
    rms = np.empty(dims.size)
    for k, d in enumerate(dims):  # one sample per dimension
        dist = pairwise_distances(rng.uniform(0.0, 1.0, size=(n_points, int(d))))
        mean = dist.mean()
        stats[:, k] = (mean, dist.std(), dist.min(), dist.max(), 0.0)
        stats[4, k] = (dist.max() - dist.min()) / dist.min() if dist.min() > 0 else np.inf
        rms[k] = np.sqrt(np.mean(dist**2))
        histogram[k] = np.histogram(dist / mean, bins=edges, density=True)[0]
    if not np.all(np.isfinite(stats[4])):
        raise DomainError("two points coincide; use more dimensions or another seed")
    d = dims.astype(float)
    return DistancePanel(
        dims,
        *stats,
        rms=rms,
        predicted_mean_squared=d / 6.0,
        predicted_rms=np.sqrt(d / 6.0),
        predicted_relative_std=np.sqrt(7.0 * d / 180.0) / (d / 6.0),
        bin_edges=edges,
        histogram=histogram,
    )


# ----------------------------------------------------------------------------- manifold
@dataclass(frozen=True)
class SwissRoll:
    """Points on a rolled-up sheet in 3D and the two numbers that describe each.

    Attributes
    ----------
    points : ndarray, shape (N, 3)
        (t cos t, h, t sin t) plus noise in every coordinate.
    t : ndarray, shape (N,)
        Position along the roll (radians; also the distance from the axis).
    h : ndarray, shape (N,)
        Height across the sheet.
    """

    points: np.ndarray
    t: np.ndarray
    h: np.ndarray


def swiss_roll(
    n_points: int, turns: float, height: float, noise: float, rng: np.random.Generator
) -> SwissRoll:
    """Sample t ~ U(3 pi / 2, 3 pi / 2 + 2 pi turns), h ~ U(0, height) and roll the sheet up."""
    if n_points < 1:
        raise DomainError(f"draw at least 1 point, got {n_points}")
    if turns <= 0 or height <= 0:
        raise DomainError(f"turns and height must be positive, got {turns} and {height}")
    if noise < 0:
        raise DomainError(f"the noise level must be at least 0, got {noise}")
    start = 1.5 * np.pi
    t = rng.uniform(start, start + 2.0 * np.pi * turns, size=n_points)
    h = rng.uniform(0.0, height, size=n_points)
    points = np.stack([t * np.cos(t), h, t * np.sin(t)], axis=1)  # (N, 3)
    points = points + noise * rng.standard_normal(points.shape)
    return SwissRoll(points, t, h)


def project(points: np.ndarray, azimuth: float, elevation: float) -> np.ndarray:
    """View 3D points from a camera: screen coordinates (u, v) and depth, an exact rotation.

    The camera turns by ``azimuth`` (radians) about the x2 axis and looks down from
    ``elevation`` above the (x1, x3) plane: right = (cos a, 0, -sin a),
    up = (-sin e sin a, cos e, -sin e cos a) and, towards the viewer,
    (cos e sin a, sin e, cos e cos a).
    At elevation pi/2 the view looks straight along the roll's axis x2.

    Shapes: (N, 3) -> (N, 3) with columns (u, v, depth).
    """
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[1] != 3:
        raise DomainError(f"points must have shape (N, 3), got {p.shape}")
    ca, sa, ce, se = np.cos(azimuth), np.sin(azimuth), np.cos(elevation), np.sin(elevation)
    rotation = np.array(
        [[ca, 0.0, -sa], [-se * sa, ce, -se * ca], [ce * sa, se, ce * ca]]
    )  # rows: right, up, towards the viewer
    return p @ rotation.T  # (N, 3)

"""How many linear regions: shallow against deep, bounds as exact integers.

All counts are Python integers (exact at any size: 10^40 and far beyond).

* **Shallow, Zaslavsky** (course notes ch. 3.2; Prince ch. 3.3): ``D`` hyperplanes
  in ``R^{D_i}`` make at most ``sum_{j=0}^{D_i} C(D, j)`` regions.
* **Deep, the book's eq. 4.17** (Prince, *Understanding Deep Learning*, ch. 4.5.1): for ``K``
  layers of ``D`` units with ``D`` a multiple of ``D_i``,
  ``(D / D_i + 1)^{D_i (K - 1)} sum_{j=0}^{D_i} C(D, j)``. This is the lower bound on the
  *maximum* of Serra, Tjandraatmadja & Ramalingam (2018, "Bounding and counting linear regions
  of deep neural networks", their lower bound), which improves the ``floor(D / D_i)`` of
  Montufar et al. (2014) to ``floor(D / D_i) + 1``: some network of that shape has at least this
  many regions. The printed text calls it exact; it is exact only for ``D_i = 1``, where it is
  ``(D + 1)^K`` and meets the upper bound below. For ``D`` not a multiple of ``D_i`` we use
  Serra et al.'s form with ``floor(D / D_i)``.
* **Deep, upper bound** (Montufar, 2017, "Notes on the number of linear regions of deep neural
  networks"): ``prod_{k=1}^{K} sum_{j=0}^{d_k} C(D, j)`` with ``d_k = min(D_i, D)``.
* **Sawtooth, constructed** (:func:`core.deep.sawtooth_network`): ``D^K`` regions on one input,
  a lower bound that a concrete network attains.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb, log2, log10

import numpy as np

from core.deep import random_network, sawtooth_network
from core.deep_regions import pieces_1d
from core.errors import DomainError
from core.network import parameter_count


def zaslavsky(n_inputs: int, n_hidden: int) -> int:
    """Most regions of one layer of ``n_hidden`` units on ``n_inputs`` inputs (exact int)."""
    _check(n_inputs=n_inputs, n_hidden=n_hidden)
    return sum(comb(n_hidden, j) for j in range(min(n_inputs, n_hidden) + 1))


def deep_lower_bound(n_inputs: int, width: int, depth: int) -> int:
    """The book's eq. 4.17 (Serra et al. 2018): ``(floor(D / D_i) + 1)^{D_i (K - 1)} *
    sum_{j <= D_i} C(D, j)`` for ``K`` layers of ``D`` units (exact int)."""
    _check(n_inputs=n_inputs, width=width, depth=depth)
    return (width // n_inputs + 1) ** (n_inputs * (depth - 1)) * zaslavsky(n_inputs, width)


def deep_upper_bound(n_inputs: int, width: int, depth: int) -> int:
    """Montufar (2017): ``prod_k sum_{j <= min(D_i, D)} C(D, j)`` (exact int)."""
    _check(n_inputs=n_inputs, width=width, depth=depth)
    return zaslavsky(n_inputs, width) ** depth


def sawtooth_count(width: int, depth: int) -> int:
    """Regions of the sawtooth network: ``D^K`` (exact int)."""
    _check(width=width, depth=depth)
    return width**depth


def _check(**values: int) -> None:
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise DomainError(f"{name} must be a whole number >= 1, got {value}")


def log10_int(value: int) -> float:
    """``log10`` of a positive integer of any size (floats overflow near 10^308)."""
    if value <= 0:
        raise DomainError(f"log10 needs a positive integer, got {value}")
    shift = max(0, value.bit_length() - 60)  # keep the top 60 bits: exact to double precision
    return (log2(value >> shift) + shift) * log10(2)


@dataclass(frozen=True)
class BoundsRow:
    """Every count for ``K`` layers of ``D`` units on ``D_i`` inputs (exact integers)."""

    depth: int
    deep_parameters: int
    shallow_same_units: int  # Zaslavsky for one layer of K D units
    deep_lower: int  # the book's eq. 4.17
    deep_upper: int  # Montufar 2017
    sawtooth: int  # D^K


def bounds_table(n_inputs: int, width: int, max_depth: int) -> tuple[BoundsRow, ...]:
    """The counts of :class:`BoundsRow` for depths 1..max_depth."""
    _check(n_inputs=n_inputs, width=width, max_depth=max_depth)
    return tuple(
        BoundsRow(
            depth,
            parameter_count([n_inputs] + [width] * depth + [1]),
            zaslavsky(n_inputs, width * depth),
            deep_lower_bound(n_inputs, width, depth),
            deep_upper_bound(n_inputs, width, depth),
            sawtooth_count(width, depth),
        )
        for depth in range(1, max_depth + 1)
    )


@dataclass(frozen=True)
class DeepVsShallow:
    """Measured region counts on one input, for depths 1..K (rows) and seeds (columns).

    Attributes
    ----------
    depths : ndarray of int, shape (K,)
    deep : ndarray of int, shape (K, S)
        K layers of D units.
    shallow_units : ndarray of int, shape (K, S)
        One layer of K D units (the same number of hidden units).
    shallow_params_units : ndarray of int, shape (K,)
        Width of the shallow network with (about) the deep network's parameter count.
    shallow_params : ndarray of int, shape (K, S)
        That shallow network's regions.
    sawtooth_counted : list of int or None, length K
        The sawtooth network's regions counted exactly on (0, 1) (None above 2^16 pieces).
    deep_mean, shallow_units_mean, shallow_params_mean : ndarray, shape (K,)
        The mean over the seeds (columns) of ``deep``, ``shallow_units`` and ``shallow_params``.
    """

    depths: np.ndarray
    deep: np.ndarray
    shallow_units: np.ndarray
    shallow_params_units: np.ndarray
    shallow_params: np.ndarray
    sawtooth_counted: list[int | None]
    deep_mean: np.ndarray
    shallow_units_mean: np.ndarray
    shallow_params_mean: np.ndarray


def deep_vs_shallow(
    width: int,
    max_depth: int,
    seeds: list[int],
    scheme: str = "he",
    bias_scale: float = 0.5,
    x_min: float = -2.0,
    x_max: float = 2.0,
) -> DeepVsShallow:
    """Exact region counts of random ReLU networks on ``[x_min, x_max]`` (one input, one output).

    For each depth K and seed: the deep network ``[1, D x K, 1]``, a shallow one with the same
    ``K D`` hidden units, and a shallow one with the same number of parameters
    (``3 D_s + 1 ~ P_deep``, so ``D_s = round((P_deep - 1) / 3)``), each drawn with
    :func:`core.deep.random_network` from ``default_rng(seed)``.
    """
    _check(width=width, max_depth=max_depth)
    if not seeds:
        raise DomainError("give at least one seed")
    depths = np.arange(1, max_depth + 1)
    deep = np.zeros((max_depth, len(seeds)), dtype=np.int64)
    units = np.zeros_like(deep)
    params = np.zeros_like(deep)
    params_units = np.zeros(max_depth, dtype=np.int64)
    for row, depth in enumerate(depths):
        p_deep = parameter_count([1] + [width] * int(depth) + [1])
        params_units[row] = max(1, round((p_deep - 1) / 3))
        for col, seed in enumerate(seeds):
            shapes = (
                (deep, [1] + [width] * int(depth) + [1]),
                (units, [1, width * int(depth), 1]),
                (params, [1, int(params_units[row]), 1]),
            )
            for target, widths in shapes:
                net = random_network(
                    widths, "relu", scheme, np.random.default_rng(seed), bias_scale=bias_scale
                )
                target[row, col] = pieces_1d(net, x_min, x_max, per_layer=False).n_regions
    sawtooth = [
        pieces_1d(sawtooth_network(width, int(k)), 0.0, 1.0, per_layer=False).n_regions
        if width ** int(k) <= 2**16
        else None
        for k in depths
    ]
    means = (counts.mean(axis=1) for counts in (deep, units, params))  # (K,) each
    return DeepVsShallow(depths, deep, units, params_units, params, sawtooth, *means)

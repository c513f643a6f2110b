"""What backpropagation costs, and how gradient sizes change with depth.

Course notes ch. 7.1 (the backward pass reuses the forward pass); Prince, *Understanding Deep
Learning*, ch. 7.4 (cost of the backward pass) and ch. 7.5 (initialisation, fig. 7.7).

**Counting multiplications** (per example; a batch of I examples costs I times as much). Only
scalar multiplications are counted; activations, their derivatives and the loss are evaluated
but not counted, and additions are free. For widths ``D_0 = D_i, D_1, ..., D_K, D_{K+1} = D_o``:

- forward pass ``f_k = beta_k + Omega_k h_k``: ``F = sum_{k=0}^{K} D_{k+1} D_k``;
- backward pass: ``dl/dOmega_k = dl/df_k h_k^T`` costs ``D_{k+1} D_k`` for every k,
  ``dl/dh_k = Omega_k^T dl/df_k`` costs ``D_{k+1} D_k`` for k >= 1 and the mask
  ``a'[f_{k-1}] * dl/dh_k`` costs ``D_k`` for k >= 1, so
  ``B = F + (F - D_1 D_0) + sum_{k=1}^{K} D_k``;
- naive central finite differences run the whole forward pass twice per parameter:
  ``2 P F`` with ``P = sum_k D_{k+1} (D_k + 1)``.

The forward and backward passes together therefore cost about three forward passes
(``B`` is about ``2F``); finite differences cost ``2P`` of them.

**Gradient size over depth.** With ``Omega_k ~ N(0, sigma^2)`` each backward step multiplies
``dl/df_k`` by ``Omega_k^T`` and a mask: for ReLU, about half the units pass, so the mean square
of ``dl/df_{k-1}`` is ``D_k sigma^2 / 2`` times that of ``dl/df_k``. He initialisation,
``sigma^2 = 2 / D_k``, makes the factor 1; a larger ``sigma`` explodes the gradients
geometrically with depth, a smaller one makes them vanish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core import losses, network
from core.errors import DomainError


def _widths(widths: Sequence[int]) -> list[int]:
    widths = [int(w) for w in widths]
    network.parameter_count(widths)  # validates
    return widths


def forward_multiplications(widths: Sequence[int]) -> int:
    """``F = sum_k D_{k+1} D_k``: one forward pass of one example."""
    w = _widths(widths)
    return sum(d_out * d_in for d_in, d_out in zip(w[:-1], w[1:], strict=True))


def backward_multiplications(widths: Sequence[int]) -> int:
    """``B = 2F - D_1 D_0 + sum_{k=1}^{K} D_k``: one backward pass of one example."""
    w = _widths(widths)
    forward = forward_multiplications(w)
    return 2 * forward - w[1] * w[0] + sum(w[1:-1])


def finite_difference_multiplications(widths: Sequence[int]) -> int:
    """``2 P F``: central differences, two forward passes per parameter."""
    return 2 * network.parameter_count(widths) * forward_multiplications(widths)


@dataclass(frozen=True)
class CostCurve:
    """Multiplications per example as the network grows.

    Attributes
    ----------
    sizes : ndarray, shape (N,)
        The depths K (or widths D) of the networks compared.
    parameters : ndarray, shape (N,)
        ``P`` of each network.
    forward, backprop, finite_differences : ndarray, shape (N,)
        ``F``, ``F + B`` and ``2 P F``.
    """

    sizes: np.ndarray
    parameters: np.ndarray
    forward: np.ndarray
    backprop: np.ndarray
    finite_differences: np.ndarray


def cost_curve(d_in: int, d_out: int, width: int, depths: Sequence[int]) -> CostCurve:
    """Costs for K = each of ``depths`` hidden layers of ``width`` units."""
    rows = []
    for depth in depths:
        if int(depth) < 0:
            raise DomainError(f"a depth must be >= 0, got {depth}")
        widths = [d_in, *([width] * int(depth)), d_out]
        forward = forward_multiplications(widths)
        rows.append(
            (
                int(depth),
                network.parameter_count(widths),
                forward,
                forward + backward_multiplications(widths),
                finite_difference_multiplications(widths),
            )
        )
    table = np.array(rows, dtype=np.int64).reshape(-1, 5)
    return CostCurve(*table.T)


@dataclass(frozen=True)
class GradientSizes:
    """Root-mean-square sizes per layer, over seeds, of one activation and scale.

    Attributes
    ----------
    activation : str
    scale : float
        Multiplies the initialisation's standard deviation.
    preactivations : ndarray, shape (K + 1,)
        RMS of the entries of ``f_k``, k = 0..K.
    dl_df : ndarray, shape (K + 1,)
        RMS of the entries of ``dl/df_k``.
    dl_domegas : ndarray, shape (K + 1,)
        RMS of the entries of ``dl/dOmega_k``.
    growth_per_layer : float or None
        Factor by which the RMS of ``dl/df_k`` grows per layer toward the input, fitted on the
        inner layers 1..K-1 (a geometric fit); None when a gradient is exactly zero. For ReLU
        under He initialisation scaled by ``c`` the variance argument predicts ``c``.
    """

    activation: str
    scale: float
    preactivations: np.ndarray
    dl_df: np.ndarray
    dl_domegas: np.ndarray
    growth_per_layer: float | None


def _growth(dl_df: np.ndarray) -> float | None:
    """``exp(-slope)`` of a line fitted to ``log dl_df[k]`` over the inner layers."""
    inner = dl_df[1:-1] if dl_df.size > 3 else dl_df
    if np.any(inner <= 0):
        return None
    slope = np.polyfit(np.arange(inner.size), np.log(inner), 1)[0]
    return float(np.exp(-slope))


def gradient_sizes(
    depth: int,
    width: int,
    activations: Sequence[str],
    scales: Sequence[float],
    scheme: str,
    n_seeds: int,
    n_examples: int,
    rng: np.random.Generator,
) -> tuple[GradientSizes, ...]:
    """Mean squares of ``f_k``, ``dl/df_k`` and ``dl/dOmega_k`` per layer, for each pair.

    Each network has ``K = depth`` hidden layers of ``width`` units, ``width`` inputs and
    outputs; inputs and targets are standard normal and the loss is least squares. Every
    (activation, scale) pair sees the same seeds' draws, so the curves differ only by the
    activation and the scale. Mean squares are averaged over the seeds, then square-rooted.
    """
    if depth < 1 or width < 1 or n_seeds < 1 or n_examples < 1:
        raise DomainError("depth, width, seeds and examples must all be at least 1")
    widths = [width] * (depth + 2)
    seeds = rng.integers(0, 2**63 - 1, size=n_seeds)
    out = []
    for activation in activations:
        for scale in scales:
            sums = np.zeros((3, depth + 1))
            for seed in seeds:
                draw = np.random.default_rng(seed)
                net = network.initialise(widths, activation, scheme, draw, scale)
                x = draw.standard_normal((width, n_examples))  # (D_i, I)
                y = draw.standard_normal((width, n_examples))  # (D_o, I)
                fwd = network.forward(net, x)
                grads = network.backward(net, fwd, losses.least_squares(fwd.output, y).gradient)
                sums[0] += [np.mean(f**2) for f in fwd.f]
                sums[1] += [np.mean(g**2) for g in grads.dl_df]
                sums[2] += [np.mean(g**2) for g in grads.dl_domegas]
            rms = np.sqrt(sums / n_seeds)
            if not np.all(np.isfinite(rms)):
                raise DomainError(
                    f"{activation} with scale {scale} overflows; use a smaller scale or depth"
                )
            out.append(GradientSizes(activation, float(scale), *rms, _growth(rms[1])))
    return tuple(out)

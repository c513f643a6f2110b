"""Receptive fields of a stack of 1D convolutional layers.

Course notes ch. 6.2 ("Receptive fields"); Prince, *Understanding Deep Learning*, ch. 10.2.
The receptive field of a hidden unit is the region of the original input that feeds it.
For layers l = 1..L with kernel size K_l, stride s_l and dilation d_l, the distance in input
positions between neighbouring units of layer l (the *jump*) and the receptive-field size are

    j_0 = 1,  j_l = j_{l-1} s_l
    r_0 = 1,  r_l = r_{l-1} + (K_l - 1) d_l j_{l-1}

(three kernel-3 layers: r = 3, 5, 7, as in the notes). With dilation the field has holes:
not every position inside the span feeds the unit. ``layer_paths`` gives the exact set,
counting how many paths through the network join each input to a chosen output unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.conv import Padding, output_length, pad_amounts
from core.errors import DomainError


@dataclass(frozen=True)
class ConvLayer:
    """One convolutional layer: kernel size K, stride s, dilation d."""

    kernel_size: int
    stride: int = 1
    dilation: int = 1


@dataclass(frozen=True)
class ReceptiveFieldTable:
    """Receptive-field arithmetic for each layer of a stack.

    Attributes
    ----------
    sizes : ndarray of int, shape (L,)
        r_l, the number of input positions spanned by one unit of layer l.
    jumps : ndarray of int, shape (L,)
        j_l, the input distance between neighbouring units of layer l.
    lengths : ndarray of int, shape (L + 1,)
        Number of units in the input (index 0) and in each layer.
    """

    sizes: np.ndarray
    jumps: np.ndarray
    lengths: np.ndarray


def _check_layers(layers: list[ConvLayer]) -> None:
    if not layers:
        raise DomainError("the stack needs at least one layer")


def receptive_field_table(
    layers: list[ConvLayer], n_input: int, padding: Padding = "zero"
) -> ReceptiveFieldTable:
    """Receptive-field size, jump and length of every layer in a stack.

    Parameters
    ----------
    layers : list of ConvLayer
    n_input : int
        Input length N.
    padding : {"zero", "valid"}
        Same padding rule for every layer.

    Returns
    -------
    ReceptiveFieldTable
        ``r_l = r_{l-1} + (K_l - 1) d_l j_{l-1}``, ``j_l = j_{l-1} s_l``.
    """
    _check_layers(layers)
    lengths = [n_input]
    sizes, jumps = [], []
    size, jump = 1, 1
    for index, layer in enumerate(layers, start=1):  # loop over layers, not positions
        try:
            lengths.append(
                output_length(lengths[-1], layer.kernel_size, layer.stride, layer.dilation, padding)
            )
        except DomainError as err:
            raise DomainError(f"layer {index}: {err}") from None
        size += (layer.kernel_size - 1) * layer.dilation * jump
        jump *= layer.stride
        sizes.append(size)
        jumps.append(jump)
    return ReceptiveFieldTable(
        sizes=np.array(sizes), jumps=np.array(jumps), lengths=np.array(lengths)
    )


def layer_paths(
    layers: list[ConvLayer], n_input: int, unit: int, padding: Padding = "zero"
) -> list[np.ndarray]:
    """Number of paths from each unit of every layer to one unit of the last layer.

    Walks backwards: unit i of layer l reads positions s_l i + d_l k - p_l (k < K_l) of
    layer l - 1; positions that land on padding are dropped. The units with a non-zero
    count are the ones the chosen unit depends on; at the input they form its receptive
    field (inside the signal).

    Parameters
    ----------
    layers : list of ConvLayer
    n_input : int
    unit : int
        Index of the unit in the last layer, 0 <= unit < N_L.
    padding : {"zero", "valid"}

    Returns
    -------
    list of ndarray of int
        L + 1 arrays, index 0 for the input (shape (N,)) up to the last layer (one-hot).
    """
    table = receptive_field_table(layers, n_input, padding)
    n_last = int(table.lengths[-1])
    if not 0 <= unit < n_last:
        raise DomainError(f"unit must be between 0 and {n_last - 1}, got {unit}")
    counts = np.zeros(n_last, dtype=np.int64)
    counts[unit] = 1
    result = [counts]
    for layer, n_below in zip(layers[::-1], table.lengths[-2::-1], strict=True):
        left, _ = pad_amounts(layer.kernel_size, layer.dilation, padding)
        positions = np.arange(counts.size)[:, None] * layer.stride  # (N_l, 1)
        taps = np.arange(layer.kernel_size)[None, :] * layer.dilation  # (1, K)
        sources = positions + taps - left  # (N_l, K): position read in layer l - 1
        weight = np.broadcast_to(counts[:, None], sources.shape)  # (N_l, K)
        inside = (sources >= 0) & (sources < n_below)
        counts = np.bincount(sources[inside], weights=weight[inside], minlength=int(n_below))
        counts = np.rint(counts).astype(np.int64)  # sums of integers, exact in float64
        result.append(counts)
    return result[::-1]


def input_paths(
    layers: list[ConvLayer], n_input: int, unit: int, padding: Padding = "zero"
) -> np.ndarray:
    """Number of paths from each input position to one unit of the last layer, shape (N,).

    The positions with a non-zero count are the unit's receptive field inside the signal
    (with dilation it can have holes). See ``layer_paths``.
    """
    return layer_paths(layers, n_input, unit, padding)[0]


def unit_centres(
    layers: list[ConvLayer], n_input: int, padding: Padding = "zero"
) -> list[np.ndarray]:
    """Centre of every unit's receptive field, in input positions (padding not clipped).

    With a_0 = 0 and a_l = a_{l-1} - p_l j_{l-1} (p_l: zeros on the left of layer l), unit i of
    layer l spans input positions a_l + i j_l ... a_l + i j_l + r_l - 1; its centre is
    ``a_l + i j_l + (r_l - 1) / 2``.

    Returns
    -------
    list of ndarray of float
        L + 1 arrays, index 0 for the input (its positions 0..N-1), shape (N_l,) each.
    """
    table = receptive_field_table(layers, n_input, padding)
    centres = [np.arange(n_input, dtype=float)]
    start, jump = 0, 1
    for layer, size, n_l in zip(layers, table.sizes, table.lengths[1:], strict=True):
        start -= pad_amounts(layer.kernel_size, layer.dilation, padding)[0] * jump
        jump *= layer.stride
        centres.append(start + np.arange(n_l) * jump + (size - 1) / 2)
    return centres


def dependency_links(
    layers: list[ConvLayer], n_input: int, unit: int, padding: Padding = "zero"
) -> list[np.ndarray]:
    """The connections that carry information to one unit of the last layer.

    Returns
    -------
    list of ndarray of int
        L arrays, one per layer l = 1..L, each of shape (M_l, 2): rows (j, i) where unit i of
        layer l, itself on a path to the chosen unit, reads unit j of layer l - 1 (reads that
        land on padding are left out). Rows ordered by i, then by tap.
    """
    paths = layer_paths(layers, n_input, unit, padding)
    links = []
    for layer, below, above in zip(layers, paths[:-1], paths[1:], strict=True):
        left, _ = pad_amounts(layer.kernel_size, layer.dilation, padding)
        units = np.flatnonzero(above)[:, None]  # (M, 1)
        taps = np.arange(layer.kernel_size)[None, :] * layer.dilation  # (1, K)
        sources = units * layer.stride + taps - left  # (M, K)
        inside = (sources >= 0) & (sources < below.size)
        pairs = np.stack([sources, np.broadcast_to(units, sources.shape)], axis=-1)  # (M, K, 2)
        links.append(pairs[inside])  # (M_l, 2)
    return links

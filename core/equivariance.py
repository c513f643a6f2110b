"""Translation equivariance of convolution and invariance of pooling.

Course notes ch. 6.1 ("Invariance and equivariance") and 6.2; Prince, *Understanding Deep
Learning*, ch. 10.1. With t[x] the shift of a signal by s positions,

    equivariance:  f[t[x]] = t[f[x]]      (a convolutional layer, away from the borders)
    invariance:    f[t[x]] = f[x]         (global pooling; approximately, local pooling)

The network f here is one convolutional layer h = a[beta + Omega * x] (zero padding, stride
1) optionally followed by max / average pooling (size P, stride S) or by global pooling.
After pooling with stride S the output moves by s / S units, so ``t`` on the output shifts
by that amount (only defined when S divides s).

Images work the same way with a shift (s_y, s_x) of rows and columns, a K x K kernel and
P x P pooling windows: one implementation serves both, with one spatial axis or two.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from core.activations import get_activation
from core.choices import Choice, check_choice, names, registry
from core.conv import conv1d, conv2d, effective_kernel_size, pad_amounts
from core.errors import DomainError
from core.pooling import global_pool, pool1d, pool2d

Pooling = Literal["none", "max", "average", "global_max", "global_average"]
POOLING_CHOICES: dict[str, Choice] = registry(
    [
        Choice("none", "no pooling", "the convolution's feature map itself"),
        Choice("max", "max pooling", "largest value in each P-window, stride S"),
        Choice("average", "average pooling", "mean of each P-window, stride S"),
        Choice("global_max", "global max pooling", "one number: the largest output"),
        Choice("global_average", "global average pooling", "one number: the mean output"),
    ]
)
POOLINGS: tuple[str, ...] = names(POOLING_CHOICES)


def shift(x: np.ndarray, s: int, axis: int = -1) -> np.ndarray:
    """Translate a signal by s positions along one axis, filling with zeros.

    ``t[x]_j = x_{j - s}`` when 0 <= j - s < N, else 0 (s > 0 moves it right, or down for
    the row axis of an image).
    """
    x = np.asarray(x, dtype=float)
    moved = np.moveaxis(x, axis, -1)  # (..., N), a view
    n = moved.shape[-1]
    source = np.arange(n) - s  # (N,): index of x that lands on each position
    inside = (source >= 0) & (source < n)
    out = np.zeros_like(moved)
    out[..., inside] = moved[..., source[inside]]
    return np.moveaxis(out, -1, axis)


def shift_image(x: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Translate an image (..., H, W) down by ``rows`` and right by ``cols``, filling zeros."""
    return shift(shift(x, rows, axis=-2), cols, axis=-1)


def _shift_all(x: np.ndarray, shifts: tuple[int, ...]) -> np.ndarray:
    for axis, s in enumerate(shifts, start=x.ndim - len(shifts)):
        x = shift(x, s, axis=axis)
    return x


@dataclass(frozen=True)
class ShiftComparison:
    """f[x], f[t[x]] and t[f[x]] for one shift (signals: 1 spatial axis; images: 2).

    Attributes
    ----------
    f_x, f_t_x : ndarray, shape (N_out,) or (H_out, W_out)
        Network output for x and for the shifted x (a single entry for global pooling).
    t_f_x : ndarray, same shape, or None
        The output shifted by ``output_shift`` (for global pooling t[f[x]] = f[x]); None
        when the shift is not a whole number of output units.
    output_shift : int, tuple of int, or None
        How far the output moves (s / S): an int for signals, (rows, cols) for images;
        None when the pooling stride S does not divide the shift.
    interior : ndarray of bool, same shape as f_x
        Outputs whose inputs, in both f[t[x]] and f[x], avoid the zero padding and the
        zeros shifted in: there equivariance must hold exactly.
    equivariance_gap : float or None
        max |f[t[x]] - t[f[x]]| over the interior (0 when the interior is empty; over the
        single output for global pooling; None when t[f[x]] is undefined).
    invariance_gap : float
        max |f[t[x]] - f[x]| over all outputs.
    """

    f_x: np.ndarray
    f_t_x: np.ndarray
    t_f_x: np.ndarray | None
    output_shift: int | tuple[int, ...] | None
    interior: np.ndarray
    equivariance_gap: float | None
    invariance_gap: float


def _network(x, kernel, bias, activation, pooling, pool_size, pool_stride):
    """h = a[beta + kernel * x] (zero padding, stride 1), then pooling; x (N,) or (H, W)."""
    act = get_activation(activation)
    conv = conv1d if x.ndim == 1 else conv2d
    h = act.value(conv(x[None], kernel[None, None], np.array([bias])))[0]  # x's shape
    if pooling == "none":
        return h
    if pooling in ("max", "average"):
        pool = pool1d if x.ndim == 1 else pool2d
        return pool(h, pool_size, pool_stride, pooling)
    kind = "max" if pooling == "global_max" else "average"
    return np.reshape(global_pool(h, kind, axes=x.ndim), (1,) * x.ndim)  # (1,) or (1, 1)


def _conv_interior(n: int, kernel_size: int, s: int) -> np.ndarray:
    """Conv outputs (stride 1, 'same' length n) whose window avoids padding for x and t[x]."""
    span = effective_kernel_size(kernel_size)
    left, _ = pad_amounts(kernel_size)
    first = np.arange(n) - left  # (N,): first input read by output i
    last = first + span - 1
    return (first >= max(s, 0)) & (last <= n - 1 + min(s, 0))


def _compare(x, kernel, bias, activation, shifts, pooling, pool_size, pool_stride):
    check_choice(POOLING_CHOICES, pooling, "pooling")
    for n, s in zip(x.shape, shifts, strict=True):
        if abs(s) >= n:
            what = "signal length" if x.ndim == 1 else "image side"
            raise DomainError(f"the shift must be smaller than the {what} {n}, got {s}")
    args = (kernel, bias, activation, pooling, pool_size, pool_stride)
    f_x = _network(x, *args)
    f_t_x = _network(_shift_all(x, shifts), *args)

    # Output unit i is interior when its window lies inside the input for both x and t[x];
    # for images the window must be inside along rows and along columns.
    per_axis = [
        _conv_interior(n, k, s) for n, k, s in zip(x.shape, kernel.shape, shifts, strict=True)
    ]
    conv_interior = per_axis[0] if x.ndim == 1 else np.logical_and.outer(*per_axis)
    output_shift: tuple[int, ...] | None
    if pooling == "none":
        output_shift = tuple(shifts)
        interior = conv_interior
    elif pooling in ("max", "average"):
        whole = all(s % pool_stride == 0 for s in shifts)
        output_shift = tuple(s // pool_stride for s in shifts) if whole else None
        pool = pool1d if x.ndim == 1 else pool2d
        window_ok = pool(conv_interior.astype(float), pool_size, pool_stride, "average")
        interior = window_ok == 1.0  # every conv output in the pooling window is interior
    else:
        output_shift = (0,) * x.ndim  # a global pool has a single output: t[f[x]] = f[x]
        interior = np.zeros(f_x.shape, dtype=bool)  # the zeros shifted in may change it

    invariance_gap = float(np.max(np.abs(f_t_x - f_x)))
    t_f_x: np.ndarray | None
    if output_shift is None:
        t_f_x = None
        interior = np.zeros_like(interior)
        equivariance_gap = None
    elif pooling in ("global_max", "global_average"):
        t_f_x = f_x.copy()
        equivariance_gap = invariance_gap
    else:
        t_f_x = _shift_all(f_x, output_shift)
        gap = np.abs(f_t_x - t_f_x)[interior]
        equivariance_gap = float(gap.max()) if gap.size else 0.0
    return ShiftComparison(
        f_x=f_x,
        f_t_x=f_t_x,
        t_f_x=t_f_x,
        output_shift=output_shift,
        interior=interior,
        equivariance_gap=equivariance_gap,
        invariance_gap=invariance_gap,
    )


def compare_shift(
    x: np.ndarray,
    kernel: np.ndarray,
    bias: float,
    activation: str,
    s: int,
    pooling: Pooling = "none",
    pool_size: int = 2,
    pool_stride: int = 2,
) -> ShiftComparison:
    """Compare f[t[x]] with t[f[x]] and with f[x] for a 1D conv layer (+ pooling).

    Parameters
    ----------
    x : ndarray, shape (N,)
    kernel : ndarray, shape (K,)
    bias : float
    activation : str
        Name from ``core.activations``.
    s : int
        Shift of the input (positive: to the right).
    pooling : {"none", "max", "average", "global_max", "global_average"}
    pool_size, pool_stride : int
        Window P and stride S of local pooling.

    Returns
    -------
    ShiftComparison
        With ``output_shift`` an int (or None).
    """
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if x.ndim != 1 or kernel.ndim != 1:
        raise DomainError("the signal and the kernel must be vectors")
    result = _compare(x, kernel, bias, activation, (s,), pooling, pool_size, pool_stride)
    moved = None if result.output_shift is None else result.output_shift[0]
    return replace(result, output_shift=moved)


def compare_shift_image(
    image: np.ndarray,
    kernel: np.ndarray,
    bias: float,
    activation: str,
    rows: int,
    cols: int,
    pooling: Pooling = "none",
    pool_size: int = 2,
    pool_stride: int = 2,
) -> ShiftComparison:
    """Compare f[t[x]] with t[f[x]] and f[x] for a 2D conv layer (+ pooling) on an image.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (K, K)
    bias : float
    activation : str
    rows, cols : int
        Shift of the image: down by ``rows``, right by ``cols`` (zeros move in).
    pooling : {"none", "max", "average", "global_max", "global_average"}
    pool_size, pool_stride : int
        P x P windows every S pixels.

    Returns
    -------
    ShiftComparison
        Arrays of shape (H_out, W_out) ((1, 1) for global pooling); ``output_shift`` is
        (rows / S, cols / S) or None.
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1]:
        raise DomainError("the image must be (H, W) and the kernel square (K, K)")
    return _compare(image, kernel, bias, activation, (rows, cols), pooling, pool_size, pool_stride)

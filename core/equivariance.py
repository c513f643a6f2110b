"""Translation equivariance of convolution and invariance of pooling.

Course notes ch. 6.1 ("Invariance and equivariance") and 6.2; Prince, *Understanding Deep
Learning*, ch. 10.1. With t[x] the shift of a signal by s positions,

    equivariance:  f[t[x]] = t[f[x]]      (a convolutional layer, away from the borders)
    invariance:    f[t[x]] = f[x]         (global pooling; approximately, local pooling)

The network f here is one convolutional layer h = a[beta + Omega * x] (zero padding, stride
1) optionally followed by max / average pooling (size P, stride S) or by global pooling.
After pooling with stride S the output moves by s / S units, so ``t`` on the output shifts
by that amount (only defined when S divides s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.activations import get_activation
from core.conv import conv1d, effective_kernel_size, global_pool, pad_amounts, pool1d
from core.errors import DomainError

Pooling = Literal["none", "max", "average", "global_max", "global_average"]
POOLINGS: tuple[str, ...] = ("none", "max", "average", "global_max", "global_average")


def shift(x: np.ndarray, s: int) -> np.ndarray:
    """Translate a signal by s positions along its last axis, filling with zeros.

    ``t[x]_j = x_{j - s}`` when 0 <= j - s < N, else 0 (s > 0 moves it right).
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[-1]
    source = np.arange(n) - s  # (N,): index of x that lands on each position
    inside = (source >= 0) & (source < n)
    out = np.zeros_like(x)
    out[..., inside] = x[..., source[inside]]
    return out


@dataclass(frozen=True)
class ShiftComparison:
    """f[x], f[t[x]] and t[f[x]] for one shift.

    Attributes
    ----------
    f_x, f_t_x : ndarray, shape (N_out,)
        Network output for x and for the shifted x (N_out = 1 for global pooling).
    t_f_x : ndarray, shape (N_out,), or None
        The output shifted by ``output_shift`` (for global pooling t[f[x]] = f[x]); None
        when the shift is not a whole number of output units.
    output_shift : int or None
        How far the output moves (s / S), None when the pooling stride S does not divide s.
    interior : ndarray of bool, shape (N_out,)
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
    output_shift: int | None
    interior: np.ndarray
    equivariance_gap: float | None
    invariance_gap: float


def _network(x, kernel, bias, activation, pooling, pool_size, pool_stride):
    act = get_activation(activation)
    h = act.value(conv1d(x[None], kernel[None, None], np.array([bias])))[0]  # (N,)
    if pooling == "none":
        return h
    if pooling in ("max", "average"):
        return pool1d(h, pool_size, pool_stride, pooling)
    return global_pool(h, "max" if pooling == "global_max" else "average")[None]  # (1,)


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
    """Compare f[t[x]] with t[f[x]] and with f[x] for a conv layer (+ pooling).

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
    """
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if x.ndim != 1 or kernel.ndim != 1:
        raise DomainError("the signal and the kernel must be vectors")
    if pooling not in POOLINGS:
        raise DomainError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
    n = x.size
    if abs(s) >= n:
        raise DomainError(f"the shift must be smaller than the signal length {n}, got {s}")

    f_x = _network(x, kernel, bias, activation, pooling, pool_size, pool_stride)
    f_t_x = _network(shift(x, s), kernel, bias, activation, pooling, pool_size, pool_stride)

    # Conv outputs i (stride 1, 'same' length N) read inputs i - p .. i - p + E - 1. Unit i
    # is interior when that window lies inside the signal for both x and t[x]; then
    # f[t[x]]_i = f[x]_{i - s} exactly.
    span = effective_kernel_size(kernel.size)
    left, _ = pad_amounts(kernel.size)
    first = np.arange(n) - left  # (N,)
    last = first + span - 1
    conv_interior = (first >= max(s, 0)) & (last <= n - 1 + min(s, 0))

    if pooling == "none":
        output_shift: int | None = s
        interior = conv_interior
    elif pooling in ("max", "average"):
        output_shift = s // pool_stride if s % pool_stride == 0 else None
        window_ok = pool1d(conv_interior.astype(float), pool_size, pool_stride, "average")
        interior = window_ok == 1.0  # every conv output in the pooling window is interior
    else:
        output_shift = 0  # a global pool has a single output: t[f[x]] = f[x]
        interior = np.array([False])  # the zeros shifted in may change it: no exact claim

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
        t_f_x = shift(f_x, output_shift)
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

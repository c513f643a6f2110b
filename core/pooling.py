"""Max and average pooling of signals and images, local and global.

Course notes ch. 6.1 and 6.2 (pooling makes a network partly invariant to translation);
Prince, *Understanding Deep Learning*, ch. 10.4.1 (downsampling: max and mean pooling).
Pooling summarises each window of P inputs (P x P pixels for images) by its maximum or its
mean. Windows start every S positions (stride S, default S = P: windows side by side) and
there is no padding, so the output has floor((N - P) / S) + 1 entries along each axis.
Output (i, j) of a 2D pool reads rows S i .. S i + P - 1 and columns S j .. S j + P - 1.
Pooling has no parameters. Global pooling summarises a whole signal or image by one number.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from core.choices import Choice, check_choice, names, registry
from core.errors import DomainError

PoolKind = Literal["max", "average"]

POOL_KIND_CHOICES: dict[str, Choice] = registry(
    [
        Choice("max", "max pooling", "the largest value in each window"),
        Choice("average", "average pooling", "the mean of each window"),
    ]
)
POOL_KINDS: tuple[str, ...] = names(POOL_KIND_CHOICES)


def _check(size: int, stride: int, kind: str) -> None:
    for what, value in (("pool size", size), ("pool stride", stride)):
        if int(value) != value or value < 1:
            raise DomainError(f"{what} must be at least 1, got {value}")
    check_choice(POOL_KIND_CHOICES, kind, "pooling")


def _summarise(windows: np.ndarray, kind: PoolKind, axes: tuple[int, ...]) -> np.ndarray:
    return windows.max(axis=axes) if kind == "max" else windows.mean(axis=axes)


def pooled_length(n: int, size: int, stride: int | None = None) -> int:
    """Outputs along one axis: floor((N - P) / S) + 1 (no padding)."""
    stride = size if stride is None else stride
    if n < size:
        raise DomainError(f"pool size {size} is larger than the input ({n})")
    return (n - size) // stride + 1


def window_starts(n: int, size: int, stride: int | None = None) -> np.ndarray:
    """First input index of every pooling window along one axis: S i, shape (N_out,)."""
    stride = size if stride is None else stride
    return stride * np.arange(pooled_length(n, size, stride))


def pool1d(x: np.ndarray, size: int, stride: int | None = None, kind: PoolKind = "max"):
    """Max or average pooling along the last axis, without padding.

    Parameters
    ----------
    x : ndarray, shape (..., N)
    size : int
        Pooling window P.
    stride : int, optional
        Step between windows (defaults to ``size``: non-overlapping windows).
    kind : {"max", "average"}

    Returns
    -------
    ndarray, shape (..., floor((N - P) / stride) + 1)
    """
    x = np.asarray(x, dtype=float)
    stride = size if stride is None else stride
    _check(size, stride, kind)
    if x.shape[-1] < size:
        raise DomainError(f"pool size {size} is larger than the signal length {x.shape[-1]}")
    windows = sliding_window_view(x, size, axis=-1)[..., ::stride, :]  # (..., N_out, P)
    return _summarise(windows, kind, (-1,))


def pool2d(x: np.ndarray, size: int, stride: int | None = None, kind: PoolKind = "max"):
    """Max or average pooling over the last two axes (rows, columns), without padding.

    Parameters
    ----------
    x : ndarray, shape (..., H, W)
    size : int
        Window P x P.
    stride : int, optional
        Step S between windows along rows and columns (default P).
    kind : {"max", "average"}

    Returns
    -------
    ndarray, shape (..., H_out, W_out)
        ``out[..., i, j]`` = max or mean of ``x[..., S i : S i + P, S j : S j + P]``, with
        H_out = floor((H - P) / S) + 1 and likewise W_out.
    """
    x = np.asarray(x, dtype=float)
    stride = size if stride is None else stride
    _check(size, stride, kind)
    if x.ndim < 2:
        raise DomainError(f"an image must have at least 2 axes (H, W), got shape {x.shape}")
    if min(x.shape[-2:]) < size:
        raise DomainError(
            f"pool size {size} is larger than the image ({x.shape[-2]} x {x.shape[-1]})"
        )
    windows = sliding_window_view(x, (size, size), axis=(-2, -1))  # (..., H-P+1, W-P+1, P, P)
    windows = windows[..., ::stride, ::stride, :, :]  # (..., H_out, W_out, P, P)
    return _summarise(windows, kind, (-2, -1))


def global_pool(x: np.ndarray, kind: PoolKind = "max", axes: int = 1) -> np.ndarray:
    """Max or average over the last ``axes`` axes: (..., N) -> (...) or (..., H, W) -> (...)."""
    x = np.asarray(x, dtype=float)
    check_choice(POOL_KIND_CHOICES, kind, "pooling")
    if x.ndim < axes or x.size == 0:
        raise DomainError("cannot pool an empty signal")
    return _summarise(x, kind, tuple(range(-axes, 0)))

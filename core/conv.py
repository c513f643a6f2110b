"""Convolution in 1D and 2D, its dense-matrix equivalent, parameter counts and pooling.

Course notes ch. 6 (convolutional networks): 6.1 image kernels, 6.2 1D convolution with
stride, dilation, padding and multiple channels; Prince, *Understanding Deep Learning*, ch. 10.

Convention: like deep-learning frameworks we compute a *cross-correlation* (the kernel is not
flipped). With C_i input channels, C_o output channels, kernel size K, stride s and dilation d,
output unit i of channel o is

    z[o, i] = beta[o] + sum_{c < C_i} sum_{k < K} Omega[c, o, k] * x[c, s*i + d*k - p]

where p is the left padding and x is zero outside its range. Weights follow the notes'
layout ``Omega`` in R^{C_i x C_o x K} (frameworks store C_o x C_i x K).

Padding
-------
``"valid"``: no padding; only positions where the whole (dilated) kernel fits.
``"zero"``: 'same' padding. The dilated kernel spans E = (K - 1) d + 1 inputs, so we add
E - 1 = (K - 1) d zeros in total, p = floor((K - 1) d / 2) on the left and the rest on the
right. When E is even the extra zero goes on the right (as PyTorch's ``padding="same"``),
so the kernel's "centre" is the left one of its two middle taps. With stride 1 the output
has the input's length; with stride s it has ceil(N / s) units.

Everything is vectorised: 1D with ``sliding_window_view`` + ``einsum``; 2D by adding, for
each of the K_h K_w kernel entries, that weight times a strided view of the padded image.
No Python loop runs over positions or pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from core.activations import get_activation
from core.errors import DomainError

Padding = Literal["zero", "valid"]
PoolKind = Literal["max", "average"]

PADDINGS: tuple[str, ...] = ("zero", "valid")
POOL_KINDS: tuple[str, ...] = ("max", "average")


def _check_positive(name: str, value: int) -> None:
    if int(value) != value or value < 1:
        raise DomainError(f"{name} must be at least 1, got {value}")


def _check_padding(padding: str) -> None:
    if padding not in PADDINGS:
        raise DomainError(f"padding must be one of {', '.join(PADDINGS)}, got {padding!r}")


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Number of inputs spanned by a dilated kernel, E = (K - 1) d + 1."""
    _check_positive("kernel size", kernel_size)
    _check_positive("dilation", dilation)
    return (kernel_size - 1) * dilation + 1


def pad_amounts(kernel_size: int, dilation: int = 1, padding: Padding = "zero") -> tuple[int, int]:
    """Zeros added on the (left, right) of the input for this padding mode.

    For ``"zero"`` the total is (K - 1) d, split floor / ceil (extra zero on the right);
    for ``"valid"`` it is (0, 0).
    """
    _check_padding(padding)
    total = effective_kernel_size(kernel_size, dilation) - 1
    if padding == "valid":
        return 0, 0
    return total // 2, total - total // 2


def output_length(
    n: int, kernel_size: int, stride: int = 1, dilation: int = 1, padding: Padding = "zero"
) -> int:
    """Length of the output of a 1D convolution over ``n`` inputs.

    ``floor((n + p_left + p_right - E) / s) + 1`` with E = (K - 1) d + 1.

    Raises
    ------
    DomainError
        If the dilated kernel does not fit in the (padded) input.
    """
    _check_positive("input length", n)
    _check_positive("stride", stride)
    left, right = pad_amounts(kernel_size, dilation, padding)
    span = effective_kernel_size(kernel_size, dilation)
    if n + left + right < span:
        raise DomainError(
            f"the dilated kernel spans {span} inputs but the input has only {n} "
            f"(kernel size {kernel_size}, dilation {dilation}, padding {padding})"
        )
    return (n + left + right - span) // stride + 1


def _windows(x: np.ndarray, kernel_size: int, stride: int, dilation: int, padding: Padding):
    """Strided view of the kernel windows along the last axis: (..., n_out, K)."""
    left, right = pad_amounts(kernel_size, dilation, padding)
    span = effective_kernel_size(kernel_size, dilation)
    pad_width = [(0, 0)] * (x.ndim - 1) + [(left, right)]
    x_pad = np.pad(x, pad_width)  # (..., n + left + right)
    windows = sliding_window_view(x_pad, span, axis=-1)  # (..., n_pad - span + 1, span)
    return windows[..., ::stride, ::dilation]  # (..., n_out, K)


def conv1d(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    dilation: int = 1,
    padding: Padding = "zero",
) -> np.ndarray:
    """Multi-channel 1D convolution (cross-correlation) of a signal.

    Parameters
    ----------
    x : ndarray, shape (C_i, N)
        Input with C_i channels of length N.
    weights : ndarray, shape (C_i, C_o, K)
        Kernel Omega; ``weights[c, o]`` is the kernel from input channel c to output channel o.
    bias : ndarray, shape (C_o,), optional
        Biases beta (zero when omitted).
    stride, dilation : int
        Stride s >= 1 and dilation d >= 1.
    padding : {"zero", "valid"}
        See the module docstring.

    Returns
    -------
    ndarray, shape (C_o, N_out)
        Pre-activations z_{o,i} = beta_o + sum_{c,k} Omega_{c,o,k} x_{c, s i + d k - p}.
    """
    x = np.asarray(x, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if x.ndim != 2:
        raise DomainError(f"input must have shape (channels, length), got shape {x.shape}")
    if weights.ndim != 3:
        raise DomainError(
            f"weights must have shape (in channels, out channels, kernel size), got {weights.shape}"
        )
    if weights.shape[0] != x.shape[0]:
        raise DomainError(
            f"weights expect {weights.shape[0]} input channels but the input has {x.shape[0]}"
        )
    c_out, kernel_size = weights.shape[1], weights.shape[2]
    output_length(x.shape[1], kernel_size, stride, dilation, padding)  # validates
    bias = np.zeros(c_out) if bias is None else np.asarray(bias, dtype=float)
    if bias.shape != (c_out,):
        raise DomainError(
            f"bias must have one entry per output channel ({c_out}), got {bias.shape}"
        )
    windows = _windows(x, kernel_size, stride, dilation, padding)  # (C_i, N_out, K)
    return np.einsum("cnk,cok->on", windows, weights) + bias[:, None]  # (C_o, N_out)


def conv2d(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    dilation: int = 1,
    padding: Padding = "zero",
) -> np.ndarray:
    """Multi-channel 2D convolution (cross-correlation) of an image.

    The same stride, dilation and padding rule apply to rows and columns.

    Parameters
    ----------
    x : ndarray, shape (C_i, H, W)
    weights : ndarray, shape (C_i, C_o, K_h, K_w)
    bias : ndarray, shape (C_o,), optional
    stride, dilation : int
    padding : {"zero", "valid"}

    Returns
    -------
    ndarray, shape (C_o, H_out, W_out)
        z_{o,i,j} = beta_o + sum_{c,a,b} Omega_{c,o,a,b} x_{c, s i + d a - p_h, s j + d b - p_w}.
    """
    x = np.asarray(x, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if x.ndim != 3:
        raise DomainError(f"input must have shape (channels, height, width), got shape {x.shape}")
    if weights.ndim != 4:
        raise DomainError(
            "weights must have shape (in channels, out channels, kernel height, kernel width), "
            f"got {weights.shape}"
        )
    if weights.shape[0] != x.shape[0]:
        raise DomainError(
            f"weights expect {weights.shape[0]} input channels but the input has {x.shape[0]}"
        )
    c_out, k_h, k_w = weights.shape[1:]
    output_length(x.shape[1], k_h, stride, dilation, padding)  # validates the rows
    output_length(x.shape[2], k_w, stride, dilation, padding)  # validates the columns
    bias = np.zeros(c_out) if bias is None else np.asarray(bias, dtype=float)
    if bias.shape != (c_out,):
        raise DomainError(
            f"bias must have one entry per output channel ({c_out}), got {bias.shape}"
        )
    top, bottom = pad_amounts(k_h, dilation, padding)
    left, right = pad_amounts(k_w, dilation, padding)
    x_pad = np.pad(x, [(0, 0), (top, bottom), (left, right)])  # (C_i, H_pad, W_pad)
    h_out = output_length(x.shape[1], k_h, stride, dilation, padding)
    w_out = output_length(x.shape[2], k_w, stride, dilation, padding)
    # Shift-and-add over the K_h K_w kernel entries (never over pixels): for tap (a, b) the
    # pixels it multiplies form one strided view of the padded image. On a 512 x 512 image
    # this runs about twice as fast as one einsum over a (H, W, K_h, K_w) window view, because
    # every step streams through contiguous rows.
    out = np.zeros((c_out, h_out, w_out))
    for a in range(k_h):
        rows = slice(a * dilation, a * dilation + stride * (h_out - 1) + 1, stride)
        for b in range(k_w):
            cols = slice(b * dilation, b * dilation + stride * (w_out - 1) + 1, stride)
            under_tap = x_pad[:, rows, cols]  # (C_i, H_out, W_out), a view
            if x.shape[0] == 1:
                out += weights[0, :, a, b][:, None, None] * under_tap[0]
            else:
                out += np.einsum("co,chw->ohw", weights[:, :, a, b], under_tap)
    return out + bias[:, None, None]


def tap_sources(
    n: int, kernel_size: int, stride: int = 1, dilation: int = 1, padding: Padding = "zero"
) -> np.ndarray:
    """Which input each kernel tap reads, for every output (the connection diagram).

    Returns
    -------
    ndarray of int, shape (N_out, K)
        ``sources[i, k] = s i + d k - p``, or -1 where the tap falls on zero padding.
    """
    n_out = output_length(n, kernel_size, stride, dilation, padding)
    left, _ = pad_amounts(kernel_size, dilation, padding)
    rows = np.arange(n_out)[:, None]  # (N_out, 1)
    taps = np.arange(kernel_size)[None, :]  # (1, K)
    sources = rows * stride + taps * dilation - left  # (N_out, K)
    return np.where((sources >= 0) & (sources < n), sources, -1)


def conv1d_matrix(
    n: int,
    kernel: np.ndarray,
    stride: int = 1,
    dilation: int = 1,
    padding: Padding = "zero",
) -> np.ndarray:
    """The dense weight matrix of a single-channel 1D convolution (notes' figure 6.4).

    Row i holds the kernel weights at the columns of the inputs that feed output i, so that
    ``conv1d_matrix(n, w) @ x == conv1d(x[None], w[None, None])[0]``. Most entries are zero,
    and the non-zero ones are tied: the same K values repeat along diagonals.

    Parameters
    ----------
    n : int
        Input length N.
    kernel : ndarray, shape (K,)
    stride, dilation : int
    padding : {"zero", "valid"}

    Returns
    -------
    ndarray, shape (N_out, N)
    """
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 1:
        raise DomainError(f"kernel must be a vector, got shape {kernel.shape}")
    sources = tap_sources(n, kernel.size, stride, dilation, padding)  # (N_out, K)
    inside = sources >= 0  # taps that fall on padding contribute nothing
    matrix = np.zeros((sources.shape[0], n))
    rows = np.broadcast_to(np.arange(sources.shape[0])[:, None], sources.shape)
    tap_values = np.broadcast_to(kernel, sources.shape)
    # Within a row the taps read distinct columns (dilation >= 1), so assignment is exact.
    matrix[rows[inside], sources[inside]] = tap_values[inside]
    return matrix


@dataclass(frozen=True)
class ConvLayerOutput:
    """Pre-activations z = beta + Omega * x and activations h = a[z], each (C_o, N_out)."""

    preactivations: np.ndarray
    activations: np.ndarray


def conv_layer(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray,
    activation: str,
    stride: int = 1,
    dilation: int = 1,
    padding: Padding = "zero",
) -> ConvLayerOutput:
    """A 1D convolutional layer h = a[beta + Omega * x] (see ``conv1d`` for the shapes)."""
    act = get_activation(activation)
    z = conv1d(x, weights, bias, stride, dilation, padding)  # (C_o, N_out)
    return ConvLayerOutput(preactivations=z, activations=act.value(z))


def random_conv_weights(
    in_channels: int, out_channels: int, kernel_size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """He-initialised weights Omega ~ N(0, 2 / (C_i K)), shape (C_i, C_o, K), and biases
    beta ~ N(0, 0.1^2), shape (C_o,)."""
    _check_positive("input channels", in_channels)
    _check_positive("output channels", out_channels)
    _check_positive("kernel size", kernel_size)
    scale = np.sqrt(2.0 / (in_channels * kernel_size))
    weights = rng.normal(0.0, scale, size=(in_channels, out_channels, kernel_size))
    return weights, rng.normal(0.0, 0.1, size=out_channels)


@dataclass(frozen=True)
class ParameterCounts:
    """Weights and biases of a convolutional layer and of the dense layer it replaces.

    Attributes
    ----------
    conv_weights, conv_biases : int
        C_i C_o K and C_o.
    dense_weights, dense_biases : int
        (C_i N) (C_o N_out) and C_o N_out for a fully connected layer with the same
        numbers of inputs and outputs.
    """

    conv_weights: int
    conv_biases: int
    dense_weights: int
    dense_biases: int

    @property
    def conv_total(self) -> int:
        return self.conv_weights + self.conv_biases

    @property
    def dense_total(self) -> int:
        return self.dense_weights + self.dense_biases


def parameter_counts(
    n: int,
    kernel_size: int,
    in_channels: int = 1,
    out_channels: int = 1,
    stride: int = 1,
    dilation: int = 1,
    padding: Padding = "zero",
) -> ParameterCounts:
    """Count the parameters of a 1D convolutional layer and of the equivalent dense layer.

    Omega in R^{C_i x C_o x K} and beta in R^{C_o} for the convolution; a fully connected
    layer from C_i N inputs to C_o N_out outputs needs (C_i N)(C_o N_out) weights and
    C_o N_out biases.
    """
    _check_positive("input channels", in_channels)
    _check_positive("output channels", out_channels)
    n_out = output_length(n, kernel_size, stride, dilation, padding)
    return ParameterCounts(
        conv_weights=in_channels * out_channels * kernel_size,
        conv_biases=out_channels,
        dense_weights=in_channels * n * out_channels * n_out,
        dense_biases=out_channels * n_out,
    )


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
    _check_positive("pool size", size)
    _check_positive("pool stride", stride)
    if kind not in POOL_KINDS:
        raise DomainError(f"pooling must be one of {', '.join(POOL_KINDS)}, got {kind!r}")
    if x.shape[-1] < size:
        raise DomainError(f"pool size {size} is larger than the signal length {x.shape[-1]}")
    windows = sliding_window_view(x, size, axis=-1)[..., ::stride, :]  # (..., N_out, P)
    return windows.max(axis=-1) if kind == "max" else windows.mean(axis=-1)


def global_pool(x: np.ndarray, kind: PoolKind = "max") -> np.ndarray:
    """Max or average over the whole last axis: (..., N) -> (...)."""
    x = np.asarray(x, dtype=float)
    if kind not in POOL_KINDS:
        raise DomainError(f"pooling must be one of {', '.join(POOL_KINDS)}, got {kind!r}")
    if x.shape[-1] == 0:
        raise DomainError("cannot pool an empty signal")
    return x.max(axis=-1) if kind == "max" else x.mean(axis=-1)

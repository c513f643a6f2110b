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

Everything is vectorised the way one writes it by hand: pad, then for each of the K (1D) or
K_h K_w (2D) kernel taps add that weight times a strided view of the padded input (shift and
add). The loop runs over kernel taps, never over positions or pixels; ``bench/bench_conv.py``
compares it with plain NumPy and PyTorch.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.activations import get_activation
from core.choices import Choice, check_choice, names, registry
from core.errors import DomainError

Padding = Literal["zero", "valid"]

PADDING_MODES: dict[str, Choice] = registry(
    [
        Choice("zero", "zero (same size at stride 1)", "(K - 1) d zeros, floor half before"),
        Choice("valid", "valid (no padding)", "only positions where the whole kernel fits"),
    ]
)
PADDINGS: tuple[str, ...] = names(PADDING_MODES)
DTYPES: tuple[str, ...] = ("float64", "float32")


def _check_positive(name: str, value: int) -> None:
    if int(value) != value or value < 1:
        raise DomainError(f"{name} must be at least 1, got {value}")


def _check_padding(padding: str) -> None:
    check_choice(PADDING_MODES, padding, "padding")


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


def _correlate(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray,
    stride: int,
    dilation: int,
    padding: Padding,
) -> np.ndarray:
    """Shift and add over kernel taps, for any number of spatial axes (1D or 2D).

    Parameters
    ----------
    x : ndarray, shape (C_i, *spatial)
    weights : ndarray, shape (C_i, C_o, *kernel), same dtype as ``x``
    bias : ndarray, shape (C_o,)

    Returns
    -------
    ndarray, shape (C_o, *spatial_out)
        beta + sum over taps t of Omega[:, :, t]^T x_pad[:, s i + d t].
    """
    kernel = weights.shape[2:]
    spatial = x.shape[1:]
    pads = [pad_amounts(k, dilation, padding) for k in kernel]
    out_shape = tuple(
        output_length(n, k, stride, dilation, padding) for n, k in zip(spatial, kernel, strict=True)
    )
    x_pad = x
    if any(before or after for before, after in pads):
        # Zero padding by hand: np.pad costs tens of microseconds of Python on small inputs.
        padded = tuple(n + sum(p) for n, p in zip(spatial, pads, strict=True))
        x_pad = np.zeros((x.shape[0], *padded), dtype=x.dtype)  # (C_i, *padded)
        inner = tuple(slice(p[0], p[0] + n) for n, p in zip(spatial, pads, strict=True))
        x_pad[(slice(None), *inner)] = x
    # Tap t along an axis multiplies inputs d t, d t + s, ..., one per output: one strided
    # view. A 2D tap (a, b) combines a row view and a column view, in the weights' row-major
    # order, so views and weights pair up in one loop.
    per_axis = [
        [slice(t * dilation, t * dilation + stride * (n - 1) + 1, stride) for t in range(k)]
        for k, n in zip(kernel, out_shape, strict=True)
    ]
    views = itertools.product([slice(None)], *per_axis)  # (channels, rows, cols) indices
    c_in, c_out = weights.shape[:2]
    omegas = weights.reshape(c_in, c_out, -1)  # (C_i, C_o, number of taps)
    single = c_in == 1 and c_out == 1  # the common case: multiply-adds, no matrix product
    out = (np.empty if single else np.zeros)((c_out, *out_shape), dtype=x.dtype)
    scratch = np.empty(out_shape, dtype=x.dtype)  # one array for every tap's product
    for tap, view in enumerate(views):
        under_tap = x_pad[view]  # (C_i, *out_shape), a view
        if single and tap == 0:
            np.multiply(under_tap[0], omegas[0, 0, 0], out=out[0])  # the first tap starts the sum
        elif single:
            np.multiply(under_tap[0], omegas[0, 0, tap], out=scratch)
            out[0] += scratch
        else:
            out += np.tensordot(omegas[:, :, tap], under_tap, axes=(0, 0))  # (C_o, *out_shape)
    if bias.any():  # in place: no second output array
        out += bias.reshape(c_out, *(1,) * len(out_shape))
    return out


def _as_array(a, dtype: str) -> np.ndarray:
    if dtype not in DTYPES:
        raise DomainError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    return np.asarray(a, dtype=dtype)


def _check_bias(bias, c_out: int, dtype: str) -> np.ndarray:
    bias = np.zeros(c_out, dtype=dtype) if bias is None else _as_array(bias, dtype)
    if bias.shape != (c_out,):
        raise DomainError(
            f"bias must have one entry per output channel ({c_out}), got {bias.shape}"
        )
    return bias


def _checked_correlate(
    x,
    weights,
    bias,
    stride: int,
    dilation: int,
    padding: Padding,
    dtype: str,
    axes: tuple[str, ...],
    kernel_axes: tuple[str, ...],
) -> np.ndarray:
    """Check a 1D or 2D layer's arrays and settings, then run :func:`_correlate`.

    ``axes`` names the spatial axes of the input (("length",) or ("height", "width")) and
    ``kernel_axes`` those of the kernel, for the error messages.
    """
    x = _as_array(x, dtype)
    weights = _as_array(weights, dtype)
    if x.ndim != 1 + len(axes):
        raise DomainError(
            f"input must have shape (channels, {', '.join(axes)}), got shape {x.shape}"
        )
    if weights.ndim != 2 + len(kernel_axes):
        raise DomainError(
            f"weights must have shape (in channels, out channels, {', '.join(kernel_axes)}), "
            f"got {weights.shape}"
        )
    if weights.shape[0] != x.shape[0]:
        raise DomainError(
            f"weights expect {weights.shape[0]} input channels but the input has {x.shape[0]}"
        )
    for n, k in zip(x.shape[1:], weights.shape[2:], strict=True):
        output_length(n, k, stride, dilation, padding)  # validates every axis
    bias = _check_bias(bias, weights.shape[1], dtype)
    return _correlate(x, weights, bias, stride, dilation, padding)  # (C_o, *spatial_out)


def conv1d(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    dilation: int = 1,
    padding: Padding = "zero",
    dtype: str = "float64",
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
    dtype : {"float64", "float32"}
        Arithmetic precision (float32 is faster, with about 7 significant digits).

    Returns
    -------
    ndarray, shape (C_o, N_out)
        Pre-activations z_{o,i} = beta_o + sum_{c,k} Omega_{c,o,k} x_{c, s i + d k - p}.
    """
    return _checked_correlate(
        x, weights, bias, stride, dilation, padding, dtype, ("length",), ("kernel size",)
    )  # (C_o, N_out)


def conv2d(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    dilation: int = 1,
    padding: Padding = "zero",
    dtype: str = "float64",
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
    dtype : {"float64", "float32"}
        Arithmetic precision; float32 halves the memory traffic and runs about twice as fast.

    Returns
    -------
    ndarray, shape (C_o, H_out, W_out), of ``dtype``
        z_{o,i,j} = beta_o + sum_{c,a,b} Omega_{c,o,a,b} x_{c, s i + d a - p_h, s j + d b - p_w}.
    """
    axes, kernel_axes = ("height", "width"), ("kernel height", "kernel width")
    return _checked_correlate(
        x, weights, bias, stride, dilation, padding, dtype, axes, kernel_axes
    )  # (C_o, H_out, W_out)


def tap_positions(
    n: int, kernel_size: int, stride: int = 1, dilation: int = 1, padding: Padding = "zero"
) -> np.ndarray:
    """Position each kernel tap reads, for every output, padding included.

    Returns
    -------
    ndarray of int, shape (N_out, K)
        ``positions[i, k] = s i + d k - p``; values below 0 or from N on are zero padding.
        For an image the same array, for rows and for columns, places the sliding window.
    """
    n_out = output_length(n, kernel_size, stride, dilation, padding)
    left, _ = pad_amounts(kernel_size, dilation, padding)
    rows = np.arange(n_out)[:, None]  # (N_out, 1)
    taps = np.arange(kernel_size)[None, :]  # (1, K)
    return rows * stride + taps * dilation - left  # (N_out, K)


def output_centres(
    n: int, kernel_size: int, stride: int = 1, dilation: int = 1, padding: Padding = "zero"
) -> np.ndarray:
    """Centre of each output's window, in input positions (where a diagram draws the output).

    Returns
    -------
    ndarray of float, shape (N_out,)
        ``s i + (E - 1) / 2 - p``: the middle of the E = (K - 1) d + 1 positions that output i
        spans, padding positions counted (so it can lie below 0 or from N on).
    """
    n_out = output_length(n, kernel_size, stride, dilation, padding)
    left, _ = pad_amounts(kernel_size, dilation, padding)
    span = effective_kernel_size(kernel_size, dilation)
    return np.arange(n_out) * stride + (span - 1) / 2 - left  # (N_out,)


def tap_sources(
    n: int, kernel_size: int, stride: int = 1, dilation: int = 1, padding: Padding = "zero"
) -> np.ndarray:
    """Which input each kernel tap reads, for every output (the connection diagram).

    Returns
    -------
    ndarray of int, shape (N_out, K)
        ``sources[i, k] = s i + d k - p``, or -1 where the tap falls on zero padding.
    """
    sources = tap_positions(n, kernel_size, stride, dilation, padding)  # (N_out, K)
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
    """Pre-activations z = beta + Omega * x and activations h = a[z], each (C_o, *spatial_out)."""

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
    """A convolutional layer h = a[beta + Omega * x] on signals or images.

    ``x`` of shape (C_i, N) goes through ``conv1d``, of shape (C_i, H, W) through ``conv2d``
    (see them for the weight shapes).
    """
    act = get_activation(activation)
    x = np.asarray(x, dtype=float)
    convolve = conv2d if x.ndim == 3 else conv1d
    z = convolve(x, weights, bias, stride, dilation, padding)  # (C_o, *spatial_out)
    return ConvLayerOutput(preactivations=z, activations=act.value(z))


def random_conv_weights(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    rng: np.random.Generator,
    dims: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """He-initialised weights and small random biases for a 1D or 2D layer.

    Parameters
    ----------
    in_channels, out_channels, kernel_size : int
        C_i, C_o and K.
    rng : numpy.random.Generator
    dims : {1, 2}
        Spatial dimensions: 1 for signals, 2 for images (square K x K kernels).

    Returns
    -------
    weights : ndarray, shape (C_i, C_o, K) or (C_i, C_o, K, K)
        Omega ~ N(0, 2 / fan_in) with fan_in = C_i K^dims.
    biases : ndarray, shape (C_o,)
        beta ~ N(0, 0.1^2).
    """
    _check_positive("input channels", in_channels)
    _check_positive("output channels", out_channels)
    _check_positive("kernel size", kernel_size)
    if dims not in (1, 2):
        raise DomainError(f"dims must be 1 or 2, got {dims}")
    scale = np.sqrt(2.0 / (in_channels * kernel_size**dims))
    weights = rng.normal(0.0, scale, size=(in_channels, out_channels, *(kernel_size,) * dims))
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
    n: int | tuple[int, ...],
    kernel_size: int,
    in_channels: int = 1,
    out_channels: int = 1,
    stride: int = 1,
    dilation: int = 1,
    padding: Padding = "zero",
) -> ParameterCounts:
    """Count the parameters of a convolutional layer and of the equivalent dense layer.

    Parameters
    ----------
    n : int or tuple of int
        Input length N (1D), or (H, W) for an image.
    kernel_size : int
        K; a 2D kernel is K x K.

    Returns
    -------
    ParameterCounts
        Omega in R^{C_i x C_o x K} (1D) or R^{C_i x C_o x K x K} (2D) and beta in R^{C_o};
        a fully connected layer from C_i N inputs to C_o N_out outputs (N = H W for images)
        needs (C_i N)(C_o N_out) weights and C_o N_out biases.
    """
    _check_positive("input channels", in_channels)
    _check_positive("output channels", out_channels)
    sizes = (n,) if np.ndim(n) == 0 else tuple(n)
    n_in = int(np.prod(sizes))
    n_out = int(np.prod([output_length(m, kernel_size, stride, dilation, padding) for m in sizes]))
    return ParameterCounts(
        conv_weights=in_channels * out_channels * kernel_size ** len(sizes),
        conv_biases=out_channels,
        dense_weights=in_channels * n_in * out_channels * n_out,
        dense_biases=out_channels * n_out,
    )

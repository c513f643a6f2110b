"""Convolution against direct Python loops, the dense matrix against conv1d, pooling by hand."""

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.conv import (
    conv1d,
    conv1d_matrix,
    conv2d,
    conv_layer,
    output_centres,
    output_length,
    pad_amounts,
    parameter_counts,
    random_conv_weights,
    tap_sources,
)
from core.pooling import pool1d

STRIDES = (1, 2, 3)
DILATIONS = (1, 2, 3)
KERNELS = (1, 2, 3, 4, 5)
PADDINGS = ("zero", "valid")


def loop_conv1d(x, weights, bias, stride, dilation, padding):
    """Direct loop: read x[c, s*i + d*k - left] (zero outside), independent of the core."""
    c_in, n = x.shape
    _, c_out, k_size = weights.shape
    span = (k_size - 1) * dilation + 1
    left = (span - 1) // 2 if padding == "zero" else 0
    right = (span - 1) - left if padding == "zero" else 0
    n_out = (n + left + right - span) // stride + 1
    out = np.zeros((c_out, n_out))
    for o in range(c_out):
        for i in range(n_out):
            total = bias[o]
            for c in range(c_in):
                for k in range(k_size):
                    j = stride * i + dilation * k - left
                    if 0 <= j < n:
                        total += weights[c, o, k] * x[c, j]
            out[o, i] = total
    return out


def loop_conv2d(x, weights, bias, stride, dilation, padding):
    c_in, h, w = x.shape
    _, c_out, kh, kw = weights.shape

    def pads(k):
        span = (k - 1) * dilation + 1
        left = (span - 1) // 2 if padding == "zero" else 0
        right = (span - 1) - left if padding == "zero" else 0
        return span, left, right

    span_h, top, bottom = pads(kh)
    span_w, left, right = pads(kw)
    h_out = (h + top + bottom - span_h) // stride + 1
    w_out = (w + left + right - span_w) // stride + 1
    out = np.zeros((c_out, h_out, w_out))
    for o, i, j in itertools.product(range(c_out), range(h_out), range(w_out)):
        total = bias[o]
        for c, a, b in itertools.product(range(c_in), range(kh), range(kw)):
            r = stride * i + dilation * a - top
            q = stride * j + dilation * b - left
            if 0 <= r < h and 0 <= q < w:
                total += weights[c, o, a, b] * x[c, r, q]
        out[o, i, j] = total
    return out


@pytest.mark.parametrize(
    ("kernel_size", "stride", "dilation", "padding"),
    list(itertools.product(KERNELS, STRIDES, DILATIONS, PADDINGS)),
)
def test_conv1d_matches_loop_for_every_combination(kernel_size, stride, dilation, padding):
    rng = np.random.default_rng(kernel_size * 100 + stride * 10 + dilation)
    x = rng.standard_normal((2, 17))
    weights = rng.standard_normal((2, 3, kernel_size))
    bias = rng.standard_normal(3)
    got = conv1d(x, weights, bias, stride, dilation, padding)
    want = loop_conv1d(x, weights, bias, stride, dilation, padding)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("kernel_size", "stride", "dilation", "padding"),
    list(itertools.product((1, 2, 3, 5), STRIDES, DILATIONS, PADDINGS)),
)
def test_conv2d_matches_loop_for_every_combination(kernel_size, stride, dilation, padding):
    rng = np.random.default_rng(kernel_size * 100 + stride * 10 + dilation)
    x = rng.standard_normal((2, 13, 14))
    weights = rng.standard_normal((2, 2, kernel_size, kernel_size))
    bias = rng.standard_normal(2)
    got = conv2d(x, weights, bias, stride, dilation, padding)
    want = loop_conv2d(x, weights, bias, stride, dilation, padding)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_conv2d_rectangular_kernel_matches_loop():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 9, 10))
    weights = rng.standard_normal((1, 1, 2, 5))
    bias = np.array([0.5])
    for padding in PADDINGS:
        np.testing.assert_allclose(
            conv2d(x, weights, bias, 1, 1, padding),
            loop_conv2d(x, weights, bias, 1, 1, padding),
            atol=1e-12,
        )


def test_cross_correlation_does_not_flip_the_kernel():
    # Kernel [1, 2, 3] at the centre of a one-hot reads x[i-1], x[i], x[i+1] with weights
    # 1, 2, 3, so the response to a spike at position 3 is 3, 2, 1 at positions 2, 3, 4.
    x = np.zeros((1, 7))
    x[0, 3] = 1.0
    z = conv1d(x, np.array([[[1.0, 2.0, 3.0]]]))
    np.testing.assert_array_equal(z[0], [0, 0, 3, 2, 1, 0, 0])


def test_notes_example_kernel_size_three():
    # z_i = w1 x_{i-1} + w2 x_i + w3 x_{i+1} with zero padding (notes 6.2).
    x = np.array([[1.0, 2.0, 4.0, 8.0]])
    w = np.array([[[1.0, 10.0, 100.0]]])
    np.testing.assert_array_equal(conv1d(x, w)[0], [210.0, 421.0, 842.0, 84.0])


@pytest.mark.parametrize(
    ("n", "k", "s", "d", "padding", "expected"),
    [
        (10, 3, 1, 1, "zero", 10),
        (10, 3, 2, 1, "zero", 5),
        (11, 3, 2, 1, "zero", 6),
        (10, 4, 1, 1, "zero", 10),
        (10, 3, 1, 1, "valid", 8),
        (10, 3, 1, 2, "valid", 6),
        (10, 3, 3, 2, "valid", 2),
        (5, 5, 1, 1, "valid", 1),
    ],
)
def test_output_length_table(n, k, s, d, padding, expected):
    assert output_length(n, k, s, d, padding) == expected


def test_even_effective_size_puts_the_extra_zero_on_the_right():
    assert pad_amounts(4, 1, "zero") == (1, 2)
    assert pad_amounts(2, 3, "zero") == (1, 2)
    assert pad_amounts(3, 2, "zero") == (2, 2)
    assert pad_amounts(5, 3, "valid") == (0, 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: output_length(10, 3, 0), "stride must be at least 1, got 0"),
        (lambda: output_length(10, 3, 1, 0), "dilation must be at least 1, got 0"),
        (lambda: output_length(10, 0), "kernel size must be at least 1, got 0"),
        (lambda: output_length(4, 3, 1, 2, "valid"), "the dilated kernel spans 5 inputs"),
        (lambda: output_length(4, 3, 1, 1, "same"), "padding must be one of zero, valid"),
        (lambda: conv1d(np.ones((2, 5)), np.ones((1, 1, 3))), "expect 1 input channels"),
        (lambda: conv1d(np.ones(5), np.ones((1, 1, 3))), "input must have shape"),
        (lambda: conv1d(np.ones((1, 5)), np.ones((1, 2, 3)), np.ones(3)), "bias must have"),
        (lambda: conv2d(np.ones((1, 5, 5)), np.ones((1, 1, 3))), "weights must have shape"),
        (lambda: pool1d(np.ones(3), 4), "pool size 4 is larger than the signal length 3"),
        (lambda: pool1d(np.ones(3), 2, kind="min"), "pooling must be one of max, average"),
    ],
)
def test_errors_explain_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 30),
    k=st.integers(1, 6),
    s=st.integers(1, 4),
    d=st.integers(1, 4),
    padding=st.sampled_from(PADDINGS),
    seed=st.integers(0, 2**16),
)
@example(n=1, k=1, s=1, d=1, padding="valid", seed=0)
@example(n=4, k=4, s=3, d=1, padding="zero", seed=1)
def test_dense_matrix_times_x_equals_convolution(n, k, s, d, padding, seed):
    if padding == "valid" and n < (k - 1) * d + 1:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    w = rng.standard_normal(k)
    matrix = conv1d_matrix(n, w, s, d, padding)
    np.testing.assert_allclose(matrix @ x, conv1d(x[None], w[None, None], None, s, d, padding)[0])


def test_dense_matrix_has_tied_diagonals_and_mostly_zeros():
    w = np.array([1.0, 2.0, 3.0])
    matrix = conv1d_matrix(8, w)
    assert np.count_nonzero(matrix) == 3 * 8 - 2  # the two corner taps fall on padding
    np.testing.assert_array_equal(np.diag(matrix, -1), np.full(7, 1.0))
    np.testing.assert_array_equal(np.diag(matrix, 0), np.full(8, 2.0))
    np.testing.assert_array_equal(np.diag(matrix, 1), np.full(7, 3.0))


def test_parameter_counts_match_notes():
    # D inputs and D hidden units: D^2 weights (+ D biases) against 3 weights and 1 bias.
    counts = parameter_counts(6, 3)
    assert (counts.conv_weights, counts.conv_biases) == (3, 1)
    assert (counts.dense_weights, counts.dense_biases) == (36, 6)
    assert (counts.conv_total, counts.dense_total) == (4, 42)
    multi = parameter_counts(10, 5, in_channels=3, out_channels=4, stride=2, padding="valid")
    assert multi.conv_total == 3 * 4 * 5 + 4
    assert multi.dense_weights == (3 * 10) * (4 * 3)


def test_parameter_count_equals_free_values_of_weights_and_bias():
    rng = np.random.default_rng(0)
    omega = rng.standard_normal((3, 4, 5))
    beta = rng.standard_normal(4)
    assert parameter_counts(20, 5, 3, 4).conv_total == omega.size + beta.size


@pytest.mark.parametrize(
    ("k", "s", "d", "padding"), list(itertools.product((1, 2, 3), (1, 2), (1, 2), PADDINGS))
)
def test_tap_sources_are_the_inputs_with_nonzero_derivative(k, s, d, padding):
    # Oracle: output i depends on input j iff perturbing x_j changes z_i (all-ones kernel).
    n = 9
    sources = tap_sources(n, k, s, d, padding)
    base = loop_conv1d(np.zeros((1, n)), np.ones((1, 1, k)), np.zeros(1), s, d, padding)[0]
    for j in range(n):
        x = np.zeros((1, n))
        x[0, j] = 1.0
        response = loop_conv1d(x, np.ones((1, 1, k)), np.zeros(1), s, d, padding)[0] - base
        np.testing.assert_array_equal(response, (sources == j).sum(axis=1))
    assert np.all((sources >= -1) & (sources < n))


def test_conv_layer_applies_the_activation_to_the_preactivations():
    x = np.array([[1.0, -2.0, 3.0, -4.0]])
    out = conv_layer(x, np.array([[[1.0]]]), np.array([0.5]), "relu")
    np.testing.assert_array_equal(out.preactivations, [[1.5, -1.5, 3.5, -3.5]])
    np.testing.assert_array_equal(out.activations, [[1.5, 0.0, 3.5, 0.0]])


def test_random_weights_shapes_scale_and_seed():
    w, b = random_conv_weights(4, 3, 5, np.random.default_rng(0))
    assert w.shape == (4, 3, 5) and b.shape == (3,)
    big, _ = random_conv_weights(50, 40, 5, np.random.default_rng(1))
    assert big.std() == pytest.approx(np.sqrt(2 / 250), rel=0.05)
    again, _ = random_conv_weights(4, 3, 5, np.random.default_rng(0))
    np.testing.assert_array_equal(w, again)


@pytest.mark.parametrize(
    ("kernel_size", "stride", "dilation", "padding"),
    list(itertools.product((1, 3, 5), (1, 2), (1, 2), PADDINGS)),
)
def test_float32_equals_float64_within_single_precision(kernel_size, stride, dilation, padding):
    rng = np.random.default_rng(kernel_size)
    x = rng.uniform(size=(3, 40, 37))
    weights = rng.standard_normal((3, 2, kernel_size, kernel_size))
    bias = rng.standard_normal(2)
    double = conv2d(x, weights, bias, stride, dilation, padding)
    single = conv2d(x, weights, bias, stride, dilation, padding, dtype="float32")
    assert single.dtype == np.float32 and double.dtype == np.float64
    # Each output sums 3 K^2 products of size ~1: relative error ~ sqrt(3 K^2) * 6e-8.
    np.testing.assert_allclose(single, double, rtol=1e-5, atol=1e-5 * kernel_size)
    single_1d = conv1d(x[:, 0], weights[:, :, 0], bias, stride, dilation, padding, "float32")
    np.testing.assert_allclose(
        single_1d,
        conv1d(x[:, 0], weights[:, :, 0], bias, stride, dilation, padding),
        rtol=1e-5,
        atol=1e-5,
    )


def test_unknown_dtype_is_refused():
    with pytest.raises(ValueError, match="dtype must be one of float64, float32, got 'int8'"):
        conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), dtype="int8")


@pytest.mark.parametrize(
    ("k", "s", "d", "padding"), [(3, 1, 1, "zero"), (3, 2, 2, "valid"), (2, 3, 1, "zero")]
)
def test_parameter_counts_2d_against_the_dense_matrix(k, s, d, padding):
    # Oracle: the dense layer's weight matrix built column by column from impulse responses
    # has (C_i H W) x (C_o H_out W_out) entries.
    h, w, c_in, c_out = 9, 7, 3, 2
    counts = parameter_counts((h, w), k, c_in, c_out, s, d, padding)
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((c_in, c_out, k, k))
    columns = []
    for index in range(c_in * h * w):
        impulse = np.zeros(c_in * h * w)
        impulse[index] = 1.0
        columns.append(conv2d(impulse.reshape(c_in, h, w), weights, None, s, d, padding).ravel())
    dense = np.stack(columns, axis=1)  # (C_o H_out W_out, C_i H W)
    assert counts.dense_weights == dense.size
    assert counts.dense_biases == dense.shape[0]
    assert counts.conv_weights == weights.size and counts.conv_biases == c_out


def test_random_weights_2d_shape_and_he_scale():
    w, b = random_conv_weights(3, 4, 5, np.random.default_rng(0), dims=2)
    assert w.shape == (3, 4, 5, 5) and b.shape == (4,)
    big, _ = random_conv_weights(30, 40, 3, np.random.default_rng(1), dims=2)
    assert big.std() == pytest.approx(np.sqrt(2 / (30 * 9)), rel=0.05)


@pytest.mark.parametrize(
    ("k", "s", "d", "padding"), list(itertools.product((1, 2, 3, 4), (1, 2), (1, 3), PADDINGS))
)
def test_output_centres_are_the_middle_of_each_window(k, s, d, padding):
    # Oracle: the inputs output i depends on (perturbing them changes it), on a signal long
    # enough that a window away from the borders reads no padding; their first and last.
    n = 40
    centres = output_centres(n, k, s, d, padding)
    assert centres.size == output_length(n, k, s, d, padding)
    for i, centre in enumerate(centres):
        reads = [
            j
            for j in range(n)
            if i in np.flatnonzero((tap_sources(n, k, s, d, padding) == j).any(axis=1))
        ]
        if len(reads) == k:  # the whole window is inside the signal
            assert centre == (reads[0] + reads[-1]) / 2
    if padding == "zero" and ((k - 1) * d) % 2 == 0:
        # "same" padding with an odd span: output i sits over input s i.
        np.testing.assert_array_equal(centres, s * np.arange(centres.size))

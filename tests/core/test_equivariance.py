"""Equivariance and invariance against np.correlate and hand-made shifts."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.equivariance import POOLINGS, compare_shift, compare_shift_image, shift, shift_image


def relu_conv_oracle(x, kernel, bias):
    """Zero ('same') padding conv + ReLU with np.correlate, independent of core.conv."""
    total = len(kernel) - 1
    padded = np.concatenate([np.zeros(total // 2), x, np.zeros(total - total // 2)])
    return np.maximum(np.correlate(padded, kernel, mode="valid") + bias, 0.0)


def test_shift_moves_right_and_fills_zeros():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(shift(x, 1), [0, 1, 2, 3])
    np.testing.assert_array_equal(shift(x, -2), [3, 4, 0, 0])
    np.testing.assert_array_equal(shift(x, 0), x)
    np.testing.assert_array_equal(shift(np.stack([x, -x]), 1), [[0, 1, 2, 3], [0, -1, -2, -3]])


signals = st.lists(st.floats(-3, 3, allow_nan=False), min_size=12, max_size=30)
kernels = st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=5)


@settings(max_examples=80, deadline=None)
@given(x=signals, kernel=kernels, bias=st.floats(-1, 1), s=st.integers(-5, 5))
@example(x=[1.0] * 12, kernel=[1.0, 1.0], bias=0.0, s=3)
def test_conv_is_equivariant_in_the_interior(x, kernel, bias, s):
    x, kernel = np.array(x), np.array(kernel)
    result = compare_shift(x, kernel, bias, "relu", s)
    f_x = relu_conv_oracle(x, kernel, bias)
    f_t_x = relu_conv_oracle(shift(x, s), kernel, bias)
    np.testing.assert_allclose(result.f_x, f_x, atol=1e-12)
    np.testing.assert_allclose(result.f_t_x, f_t_x, atol=1e-12)
    # Interior size: lose K - 1 outputs to the padding and |s| to the zeros shifted in.
    assert result.interior.sum() == max(len(x) - (len(kernel) - 1) - abs(s), 0)
    i = np.flatnonzero(result.interior)
    np.testing.assert_allclose(f_t_x[i], f_x[i - s], atol=1e-12)
    assert result.equivariance_gap <= 1e-12


@settings(max_examples=60, deadline=None)
@given(
    x=signals,
    kernel=kernels,
    pool=st.sampled_from(["max", "average"]),
    size=st.integers(1, 3),
    stride=st.integers(1, 3),
    multiple=st.integers(-2, 2),
)
def test_pooling_is_equivariant_for_shifts_by_whole_strides(
    x, kernel, pool, size, stride, multiple
):
    x = np.array(x)
    s = multiple * stride
    result = compare_shift(x, np.array(kernel), 0.1, "relu", s, pool, size, stride)
    assert result.output_shift == multiple
    i = np.flatnonzero(result.interior)
    np.testing.assert_allclose(result.f_t_x[i], result.f_x[i - multiple], atol=1e-12)


def test_max_pooling_output_is_unchanged_by_a_small_shift():
    # A spike at an even position: shifting by one stays inside the same pooling window.
    x = np.zeros(20)
    x[8] = 1.0
    result = compare_shift(x, np.array([1.0]), 0.0, "linear", 1, "max", 2, 2)
    assert result.output_shift is None and result.t_f_x is None
    assert result.equivariance_gap is None
    assert result.invariance_gap == 0.0
    assert not result.interior.any()


@pytest.mark.parametrize("pooling", ["global_max", "global_average"])
def test_global_pooling_is_invariant_for_a_bump_away_from_the_borders(pooling):
    t = np.arange(40)
    x = np.exp(-0.5 * ((t - 20) / 2.0) ** 2)
    x[np.abs(t - 20) > 8] = 0.0  # exactly zero near the borders
    result = compare_shift(x, np.array([0.5, 1.0, -0.3]), 0.2, "relu", 5, pooling)
    assert result.f_x.shape == (1,)
    assert result.invariance_gap == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(result.t_f_x, result.f_x)


def test_global_average_changes_when_signal_falls_off_the_edge():
    x = np.ones(10)
    result = compare_shift(x, np.array([1.0]), 0.0, "linear", 3, "global_average")
    assert result.f_x[0] == pytest.approx(1.0)
    assert result.f_t_x[0] == pytest.approx(0.7)
    assert result.equivariance_gap == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"s": 10}, "the shift must be smaller than the signal length 10, got 10"),
        ({"pooling": "min"}, "pooling must be one of " + ", ".join(POOLINGS)),
        ({"activation": "cube"}, "unknown activation 'cube'"),
    ],
)
def test_errors_explain_themselves(kwargs, message):
    args = {"s": 1, "pooling": "none", "activation": "relu"} | kwargs
    with pytest.raises(ValueError, match=message):
        compare_shift(np.ones(10), np.ones(3), 0.0, args["activation"], args["s"], args["pooling"])


# ---------------------------------------------------------------------------------------------
# Images: the same properties with a shift of rows and columns


def relu_conv2d_oracle(image, kernel, bias):
    """'Same' zero padding (floor half before) conv + ReLU by a loop over pixels."""
    k = kernel.shape[0]
    before = (k - 1) // 2
    padded = np.pad(image, [(before, k - 1 - before)] * 2)
    h, w = image.shape
    out = np.array(
        [[np.sum(padded[i : i + k, j : j + k] * kernel) for j in range(w)] for i in range(h)]
    )
    return np.maximum(out + bias, 0.0)


def test_shift_image_moves_down_and_right_with_zeros():
    x = np.arange(1.0, 10.0).reshape(3, 3)
    np.testing.assert_array_equal(shift_image(x, 1, 0), [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(shift_image(x, 0, -1), [[2, 3, 0], [5, 6, 0], [8, 9, 0]])
    np.testing.assert_array_equal(shift_image(x, -1, 2), [[0, 0, 4], [0, 0, 7], [0, 0, 0]])


images = st.integers(0, 2**16).map(lambda seed: np.random.default_rng(seed).uniform(size=(10, 11)))
image_kernels = st.integers(1, 3).flatmap(
    lambda k: st.lists(st.floats(-2, 2, allow_nan=False), min_size=k * k, max_size=k * k).map(
        lambda v: np.reshape(v, (k, k))
    )
)


@settings(max_examples=50, deadline=None)
@given(
    image=images,
    kernel=image_kernels,
    bias=st.floats(-1, 1),
    rows=st.integers(-4, 4),
    cols=st.integers(-4, 4),
)
def test_conv2d_is_equivariant_in_the_interior(image, kernel, bias, rows, cols):
    result = compare_shift_image(image, kernel, bias, "relu", rows, cols)
    f_x = relu_conv2d_oracle(image, kernel, bias)
    f_t_x = relu_conv2d_oracle(shift_image(image, rows, cols), kernel, bias)
    np.testing.assert_allclose(result.f_x, f_x, atol=1e-12)
    np.testing.assert_allclose(result.f_t_x, f_t_x, atol=1e-12)
    k = kernel.shape[0]
    # Interior: lose K - 1 rows/columns to the padding and |shift| to the zeros moved in.
    expected = max(10 - (k - 1) - abs(rows), 0) * max(11 - (k - 1) - abs(cols), 0)
    assert result.interior.sum() == expected
    i, j = np.nonzero(result.interior)
    np.testing.assert_allclose(f_t_x[i, j], f_x[i - rows, j - cols], atol=1e-12)
    assert result.output_shift == (rows, cols)
    assert result.equivariance_gap <= 1e-12


@settings(max_examples=40, deadline=None)
@given(
    image=images,
    kernel=image_kernels,
    pool=st.sampled_from(["max", "average"]),
    size=st.integers(1, 3),
    stride=st.integers(1, 3),
    m_rows=st.integers(-1, 1),
    m_cols=st.integers(-1, 1),
)
def test_pooled_image_moves_by_shift_over_stride(image, kernel, pool, size, stride, m_rows, m_cols):
    result = compare_shift_image(
        image, kernel, 0.1, "relu", m_rows * stride, m_cols * stride, pool, size, stride
    )
    assert result.output_shift == (m_rows, m_cols)
    i, j = np.nonzero(result.interior)
    np.testing.assert_allclose(result.f_t_x[i, j], result.f_x[i - m_rows, j - m_cols], atol=1e-12)


@pytest.mark.parametrize("pooling", ["global_max", "global_average"])
@pytest.mark.parametrize(("rows", "cols"), [(3, -2), (-5, 4), (0, 6)])
def test_global_pooling_of_an_image_is_invariant_away_from_the_borders(pooling, rows, cols):
    image = np.zeros((24, 24))
    image[9:14, 8:15] = np.random.default_rng(0).uniform(size=(5, 7))  # far from every border
    kernel = np.array([[1.0, 0.0, -1.0], [2.0, 0.5, -2.0], [1.0, 0.0, -1.0]])
    result = compare_shift_image(image, kernel, 0.0, "relu", rows, cols, pooling)
    assert result.f_x.shape == (1, 1)
    assert result.invariance_gap == pytest.approx(0.0, abs=1e-12)


def test_max_pooling_absorbs_a_one_pixel_shift_inside_its_window():
    image = np.zeros((12, 12))
    image[4, 6] = 1.0  # top-left corner of a 2 x 2 pooling window
    result = compare_shift_image(image, np.ones((1, 1)), 0.0, "linear", 1, 1, "max", 2, 2)
    assert result.output_shift is None and result.t_f_x is None
    assert result.invariance_gap == 0.0


def test_image_errors_explain_themselves():
    with pytest.raises(ValueError, match="the shift must be smaller than the image side 8"):
        compare_shift_image(np.ones((8, 10)), np.ones((3, 3)), 0.0, "relu", 8, 0)
    with pytest.raises(ValueError, match=r"the kernel square \(K, K\)"):
        compare_shift_image(np.ones((8, 10)), np.ones((3, 2)), 0.0, "relu", 1, 0)

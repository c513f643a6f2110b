"""Pooling against brute-force loops over windows."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.pooling import (
    POOL_KIND_CHOICES,
    POOL_KINDS,
    global_pool,
    pool1d,
    pool2d,
    pooled_length,
    window_starts,
)


def reduce(values, kind):
    values = list(values)
    return max(values) if kind == "max" else sum(values) / len(values)


@pytest.mark.parametrize("kind", POOL_KINDS)
@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 1), (3, 2), (1, 1), (4, 3)])
def test_pool1d_matches_loop(kind, size, stride):
    rng = np.random.default_rng(size * 10 + stride)
    x = rng.standard_normal((2, 13))
    n_out = (13 - size) // stride + 1
    want = np.array(
        [[reduce(x[c, i * stride : i * stride + size], kind) for i in range(n_out)] for c in (0, 1)]
    )
    np.testing.assert_allclose(pool1d(x, size, stride, kind), want)


def loop_pool2d(x, size, stride, kind):
    h_out = (x.shape[0] - size) // stride + 1
    w_out = (x.shape[1] - size) // stride + 1
    out = np.zeros((h_out, w_out))
    for i, j in itertools.product(range(h_out), range(w_out)):
        window = [x[stride * i + a, stride * j + b] for a in range(size) for b in range(size)]
        out[i, j] = reduce(window, kind)
    return out


@pytest.mark.parametrize(
    ("kind", "size", "stride"), list(itertools.product(POOL_KINDS, (1, 2, 3, 4), (1, 2, 3)))
)
def test_pool2d_matches_loop(kind, size, stride):
    rng = np.random.default_rng(size * 10 + stride)
    x = rng.standard_normal((11, 9))
    got = pool2d(x, size, stride, kind)
    want = loop_pool2d(x, size, stride, kind)
    assert got.shape == (pooled_length(11, size, stride), pooled_length(9, size, stride))
    # Output (i, j) summarises the window whose first row and column window_starts gives.
    rows, cols = window_starts(11, size, stride), window_starts(9, size, stride)
    for i, j in itertools.product(range(got.shape[0]), range(got.shape[1])):
        window = x[rows[i] : rows[i] + size, cols[j] : cols[j] + size]
        assert got[i, j] == pytest.approx(reduce(window.ravel(), kind))
    np.testing.assert_allclose(got, want, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(2, 12),
    w=st.integers(2, 12),
    size=st.integers(1, 3),
    stride=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_pool2d_of_channels_pools_each_channel(h, w, size, stride, seed):
    x = np.random.default_rng(seed).standard_normal((3, h, w))
    if min(h, w) < size:
        return
    for kind in POOL_KINDS:
        got = pool2d(x, size, stride, kind)
        for c in range(3):
            np.testing.assert_allclose(got[c], loop_pool2d(x[c], size, stride, kind), atol=1e-12)


def test_default_stride_is_the_window():
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(pool2d(x, 2), [[5.0, 7.0], [13.0, 15.0]])
    np.testing.assert_array_equal(pool2d(x, 2, kind="average"), [[2.5, 4.5], [10.5, 12.5]])


def test_global_pool_signals_and_images():
    x = np.array([[1.0, -2.0, 4.0], [0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(global_pool(x, "max"), [4.0, 3.0])
    np.testing.assert_allclose(global_pool(x, "average"), [1.0, 1.0])
    assert global_pool(x, "max", axes=2) == 4.0
    assert global_pool(x, "average", axes=2) == pytest.approx(1.0)


def test_registry_labels():
    assert POOL_KINDS == ("max", "average")
    assert all(choice.label for choice in POOL_KIND_CHOICES.values())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: pool2d(np.ones((3, 5)), 4), r"pool size 4 is larger than the image \(3 x 5\)"),
        (lambda: pool2d(np.ones((4, 4)), 2, 0), "pool stride must be at least 1, got 0"),
        (lambda: pool2d(np.ones((4, 4)), 2, kind="min"), "pooling must be one of max, average"),
        (lambda: pool2d(np.ones(4), 2), "an image must have at least 2 axes"),
        (lambda: pool1d(np.ones(3), 4), "pool size 4 is larger than the signal length 3"),
        (lambda: pooled_length(3, 4), r"pool size 4 is larger than the input \(3\)"),
    ],
)
def test_errors_explain_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()

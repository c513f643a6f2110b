"""Cross-check against PyTorch's convolutions when torch is installed (a bench-only extra).

torch.nn.functional.conv1d/conv2d also compute a cross-correlation; our zero padding is
reproduced with an explicit F.pad (floor half left/top, the rest right/bottom).
"""

import itertools

import numpy as np
import pytest

from core.conv import conv1d, conv2d, pad_amounts
from core.pooling import pool2d

torch = pytest.importorskip("torch")  # installed in CI (the bench extra): these tests run there
F = torch.nn.functional


@pytest.mark.parametrize(
    ("k", "s", "d", "padding"),
    list(itertools.product((1, 2, 3, 4), (1, 2, 3), (1, 2, 3), ("zero", "valid"))),
)
def test_conv1d_matches_torch(k, s, d, padding):
    rng = np.random.default_rng(k * 100 + s * 10 + d)
    x = rng.standard_normal((3, 23))
    w = rng.standard_normal((3, 2, k))
    b = rng.standard_normal(2)
    left, right = pad_amounts(k, d, padding)
    tx = F.pad(torch.from_numpy(x[None]), (left, right))
    tw = torch.from_numpy(np.swapaxes(w, 0, 1).copy())  # torch: (C_o, C_i, K)
    want = F.conv1d(tx, tw, torch.from_numpy(b), stride=s, dilation=d).numpy()[0]
    np.testing.assert_allclose(conv1d(x, w, b, s, d, padding), want, atol=1e-12)


@pytest.mark.parametrize(
    ("k", "s", "d", "padding"),
    list(itertools.product((1, 2, 3, 5), (1, 2), (1, 2), ("zero", "valid"))),
)
def test_conv2d_matches_torch(k, s, d, padding):
    rng = np.random.default_rng(k * 100 + s * 10 + d)
    x = rng.standard_normal((2, 15, 12))
    w = rng.standard_normal((2, 3, k, k))
    b = rng.standard_normal(3)
    top, bottom = pad_amounts(k, d, padding)
    tx = F.pad(torch.from_numpy(x[None]), (top, bottom, top, bottom))
    tw = torch.from_numpy(np.swapaxes(w, 0, 1).copy())  # torch: (C_o, C_i, K, K)
    want = F.conv2d(tx, tw, torch.from_numpy(b), stride=s, dilation=d).numpy()[0]
    np.testing.assert_allclose(conv2d(x, w, b, s, d, padding), want, atol=1e-12)


@pytest.mark.parametrize(("k", "s", "d"), list(itertools.product((1, 3, 5), (1, 2, 3), (1, 3))))
def test_conv2d_float32_matches_torch_float32(k, s, d):
    rng = np.random.default_rng(k + 10 * s + 100 * d)
    x = rng.uniform(size=(3, 31, 29)).astype(np.float32)
    w = rng.standard_normal((3, 4, k, k)).astype(np.float32)
    top, bottom = pad_amounts(k, d, "zero")
    tx = F.pad(torch.from_numpy(x[None]), (top, bottom, top, bottom))
    tw = torch.from_numpy(np.swapaxes(w, 0, 1).copy())
    want = F.conv2d(tx, tw, stride=s, dilation=d).numpy()[0]
    got = conv2d(x, w, None, s, d, "zero", dtype="float32")
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 1), (3, 2), (2, 3)])
def test_pool2d_matches_torch(size, stride):
    x = np.random.default_rng(size * 10 + stride).standard_normal((2, 13, 11))
    tx = torch.from_numpy(x[None])
    np.testing.assert_allclose(
        pool2d(x, size, stride, "max"), F.max_pool2d(tx, size, stride).numpy()[0], atol=1e-12
    )
    np.testing.assert_allclose(
        pool2d(x, size, stride, "average"), F.avg_pool2d(tx, size, stride).numpy()[0], atol=1e-12
    )

"""The 2D data sets, features and CSV reading: shapes, labels, geometry and clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import datasets
from core.errors import DomainError


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(sorted(datasets.DATASETS)),
    st.integers(4, 400),
    st.floats(0, 3),
    st.integers(0, 2**32 - 1),
    st.integers(3, 5),
)
def test_every_set_has_valid_points_and_labels(name, n, noise, seed, classes):
    data = datasets.make_dataset(name, n, noise, np.random.default_rng(seed), classes)
    assert data.x.shape == (n, 2) and data.y.shape == (n,)
    assert np.all(np.abs(data.x) <= datasets.EXTENT)
    if data.task != "regression":
        assert set(np.unique(data.y)) <= set(range(data.classes))
    again = datasets.make_dataset(name, n, noise, np.random.default_rng(seed), classes)
    np.testing.assert_array_equal(data.x, again.x)


def test_noise_free_geometry():
    rng = np.random.default_rng(0)
    xor = datasets.make_dataset("xor", 500, 0.0, rng)
    np.testing.assert_array_equal(xor.y, (np.sign(xor.x[:, 0]) == np.sign(xor.x[:, 1])))
    circle = datasets.make_dataset("circle", 500, 0.0, rng)
    r = np.hypot(*circle.x.T)
    assert np.all(r[circle.y == 1] <= 2) and np.all(r[circle.y == 0] >= 3.5)
    plane = datasets.make_dataset("plane", 100, 0.0, rng)
    np.testing.assert_allclose(plane.y, plane.x.sum(axis=1) / 5)
    rings = datasets.make_dataset("rings", 600, 0.0, rng, classes=4)
    assert rings.classes == 4 and np.bincount(rings.y.astype(int)).tolist() == [150] * 4


def test_split_partitions_the_points():
    data = datasets.make_dataset("spiral", 101, 0.1, np.random.default_rng(1))
    train, test = datasets.split(data, 0.7, np.random.default_rng(2))
    assert train.y.size == 71 and test.y.size == 30
    both = np.vstack([train.x, test.x])
    assert sorted(map(tuple, both)) == sorted(map(tuple, data.x))


def test_features_match_their_formulas():
    x = np.array([[1.0, 2.0], [-3.0, 0.5]])
    f = datasets.features(x, list(datasets.FEATURES))
    expected = [
        [1, -3], [2, 0.5], [1, 9], [4, 0.25], [2, -1.5],
        [np.sin(1), np.sin(-3)], [np.sin(2), np.sin(0.5)],
        [np.sqrt(5), np.sqrt(9.25)], [np.arctan2(2, 1), np.arctan2(0.5, -3)],
    ]  # fmt: skip
    np.testing.assert_allclose(f, expected)
    with pytest.raises(DomainError, match="at least one"):
        datasets.features(x, [])


def test_csv_reading_with_header_and_classes():
    data = datasets.parse_csv("x1,x2,label\n0,0,0\n1,1,1\n\n2,2,2\n-1,3,1\n", "binary")
    assert data.classes == 3 and data.task == "multiclass"
    np.testing.assert_array_equal(data.y, [0, 1, 2, 1])


@pytest.mark.parametrize(
    ("text", "task", "message"),
    [
        ("0,0,0\n1,1\n", "binary", "line 2: expected 3 columns"),
        ("0,0,0\n1,abc,1\n1,1,1\n2,2,0\n", "binary", "line 2: .* is not three numbers"),
        ("0,0,0\n1,nan,1\n1,1,1\n2,2,0\n", "binary", "line 2: numbers must be finite"),
        ("0,0,0\n1,1,0.5\n1,1,1\n2,2,0\n", "binary", "whole numbers"),
        ("0,0,0\n1,1,2\n1,1,2\n2,2,0\n", "binary", "class 1 has no point"),
        ("0,0,0\n9,1,1\n1,1,1\n2,2,0\n", "binary", "line 2: x1 and x2 must lie"),
        ("0,0,0\n1,1,1\n", "regression", "at least 4 rows"),
    ],
)
def test_csv_errors_name_the_line(text, task, message):
    with pytest.raises(DomainError, match=message):
        datasets.parse_csv(text, task)


def test_csv_row_limit():
    text = "\n".join("0,0,0" for _ in range(11))
    with pytest.raises(DomainError, match="at most 10 rows"):
        datasets.parse_csv(text, "regression", max_rows=10)


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_blob_spread_is_0_6_plus_the_noise(noise):
    # The code once said noise was each blob's standard deviation; it is 0.6 + noise.
    data = datasets.make_dataset("gaussians", 5000, noise, np.random.default_rng(4))
    angle = 2 * np.pi * data.y / 2 + np.pi / 4
    centres = 3.5 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    inside = np.all(np.abs(data.x) < datasets.EXTENT, axis=1)  # clipping would shrink the spread
    spread = np.std(data.x[inside] - centres[inside], axis=0)
    np.testing.assert_allclose(spread, 0.6 + noise, rtol=0.05)

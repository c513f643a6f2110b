"""Grid cells, growing coefficient counts, distances and the swiss roll.

Oracles: a dictionary-of-blocks loop for the majority vote, the closed form (1 - k^-D)^N,
math.comb and itertools enumeration for the counts, a double loop for the distances, and the
moments D / 6 and 7 D / 180 of squared distances.
"""

import itertools
import math
from collections import defaultdict

import numpy as np
import pytest

from core.curse import (
    _row_numbers,
    cell_indices,
    distance_panel,
    empty_cell_probability,
    grid_cell_classify,
    grid_cell_sweep,
    growing_degree_counts,
    pairwise_distances,
    project,
    swiss_roll,
    two_class_points,
)


def vote_loop(x_train, y_train, x_test, k):
    """Majority vote per block with a dictionary, one point at a time."""
    votes = defaultdict(list)
    for point, label in zip(x_train, y_train, strict=True):
        votes[tuple(min(int(math.floor(k * v)), k - 1) for v in point)].append(int(label))
    out = []
    for point in x_test:
        labels = votes.get(tuple(min(int(math.floor(k * v)), k - 1) for v in point))
        out.append(-1 if not labels else int(2 * sum(labels) > len(labels)))
    return out, len(votes)


@pytest.mark.parametrize(
    ("d", "k", "n"), [(1, 3, 20), (2, 4, 50), (3, 2, 9), (6, 3, 200), (20, 10, 300), (70, 2, 80)]
)
def test_grid_cell_vote_matches_a_dictionary_loop(d, k, n):
    rng = np.random.default_rng(d * 10 + k)
    x_train = rng.uniform(size=(n, d))
    y_train = rng.integers(0, 2, size=n)
    x_test = np.vstack([rng.uniform(size=(40, d)), np.ones((1, d)), np.zeros((1, d))])
    pred = grid_cell_classify(x_train, y_train, x_test, k)
    expected, occupied = vote_loop(x_train, y_train, x_test, k)
    assert pred.labels.tolist() == expected
    assert pred.occupied_cells == occupied


@pytest.mark.parametrize(("d", "k"), [(1, 2), (5, 4), (20, 10), (70, 2), (3, 1000)])
def test_block_numbers_are_numpy_unique_rows(d, k):
    # Few distinct rows repeated (so equal rows occur) and fresh ones, in one or several keys.
    rng = np.random.default_rng(d + k)
    distinct = rng.integers(0, k, size=(6, d))
    cells = np.vstack([distinct[rng.integers(0, 6, size=40)], rng.integers(0, k, size=(30, d))])
    expected = np.unique(cells, axis=0, return_inverse=True)[1].ravel()
    assert _row_numbers(cells, k).tolist() == expected.tolist()


def test_ties_go_to_class_zero_and_the_top_face_is_in_the_last_block():
    x = np.array([[0.1], [0.2], [1.0]])
    pred = grid_cell_classify(x, np.array([0, 1, 1]), np.array([[0.15], [0.99], [0.6]]), 2)
    assert pred.labels.tolist() == [0, 1, 1]
    assert cell_indices(np.array([[1.0, 0.0, 0.5]]), 4).tolist() == [[3, 0, 2]]
    with pytest.raises(ValueError, match="every coordinate must lie in"):
        cell_indices(np.array([[1.5]]), 2)


def test_empty_fraction_follows_the_closed_form():
    assert empty_cell_probability(2, 3, 5) == pytest.approx((1 - 1 / 9) ** 5)
    sweep = grid_cell_sweep(8, 3, 500, 4000, np.random.default_rng(0))
    np.testing.assert_allclose(sweep.expected_empty, (1 - 3.0**-sweep.n_inputs) ** 500)
    # Binomial noise of 4000 test points (and of which blocks the 500 points hit): 0.03.
    np.testing.assert_allclose(sweep.empty_fraction, sweep.expected_empty, atol=0.03)
    np.testing.assert_allclose(sweep.total_cells, 3.0 ** np.arange(1, 9))
    assert sweep.accuracy[-1] < 0.6 < 0.8 < sweep.accuracy[1]


def test_classes_depend_on_the_first_two_coordinates_only():
    x, y = two_class_points(200, 5, np.random.default_rng(1))
    assert y.tolist() == [int(a + b > 1) for a, b in x[:, :2]]
    x1, y1 = two_class_points(50, 1, np.random.default_rng(1))
    assert y1.tolist() == [int(a > 0.5) for a in x1[:, 0]]


def test_covered_accuracy_is_nan_when_no_block_has_data():
    sweep = grid_cell_sweep(14, 10, 1, 5, np.random.default_rng(0))
    assert np.isnan(sweep.accuracy_covered[-1]) and sweep.accuracy[-1] == 0.5


def test_growing_degree_counts_match_enumeration_and_the_asymptote():
    counts = growing_degree_counts(30, 3)
    assert counts.growing.tolist() == [math.comb(2 * d, d) for d in range(1, 31)]
    for d in (1, 2, 3, 4):  # monomials of total degree <= D in D variables
        monomials = [a for a in itertools.product(range(d + 1), repeat=d) if sum(a) <= d]
        assert len(monomials) == counts.growing[d - 1]
    assert counts.fixed.tolist() == [math.comb(3 + d, d) for d in range(1, 31)]
    ratio = counts.growing / counts.growing_approximation
    assert np.all(np.diff(ratio) > 0) and 0.99 < ratio[-1] < 1.0  # C(2D, D) -> 4^D / sqrt(pi D)
    # Exponential: each extra dimension multiplies the count by nearly 4; a fixed degree by ~1.
    assert counts.growing[-1] / counts.growing[-2] > 3.8
    assert counts.fixed[-1] / counts.fixed[-2] < 1.11
    with pytest.raises(ValueError, match="must stay exact"):
        growing_degree_counts(31, 3)


def test_pairwise_distances_match_a_double_loop():
    x = np.random.default_rng(2).normal(size=(7, 4))
    loop = [math.dist(x[i], x[j]) for i in range(7) for j in range(i + 1, 7)]
    np.testing.assert_allclose(pairwise_distances(x), loop, rtol=1e-10)


def test_squared_distances_have_mean_d_over_6_and_their_spread_shrinks():
    dims = np.array([1, 10, 100, 1000])
    panel = distance_panel(dims, 400, 40, np.random.default_rng(3))
    np.testing.assert_allclose(panel.predicted_mean_squared, dims / 6)
    np.testing.assert_allclose(panel.predicted_relative_std, np.sqrt(7 * dims / 180) / (dims / 6))
    # mean distance^2 <= mean squared distance = D/6, and close to it in high dimension
    assert np.all(panel.mean**2 <= dims / 6 * 1.02)
    assert panel.mean[-1] == pytest.approx(math.sqrt(1000 / 6), rel=0.01)
    assert np.all(np.diff(panel.relative_contrast) < 0)
    assert np.all(np.diff(panel.std / panel.mean) < 0)
    widths = panel.bin_edges[1:] - panel.bin_edges[:-1]
    assert np.sum(panel.histogram[-1] * widths) == pytest.approx(1.0)


def test_rms_distance_against_a_loop_and_the_prediction_sqrt_d_over_6():
    panel = distance_panel(np.array([1, 2, 50]), 600, 40, np.random.default_rng(5))
    np.testing.assert_allclose(panel.predicted_rms, np.sqrt(np.array([1, 2, 50]) / 6))
    x = np.random.default_rng(5).uniform(size=(600, 1))  # the panel's first sample, D = 1
    loop = [abs(x[i, 0] - x[j, 0]) for i in range(600) for j in range(i + 1, 600)]
    assert panel.rms[0] == pytest.approx(math.sqrt(np.mean(np.square(loop))), rel=1e-12)
    np.testing.assert_allclose(panel.rms, panel.predicted_rms, rtol=0.03)
    # sqrt(D/6) predicts the RMS, not the mean: in low dimension the mean distance is clearly
    # smaller, with closed forms E|x - y| = 1/3 (D = 1) and (2 + sqrt 2 + 5 asinh 1) / 15 (D = 2).
    exact_mean = [1 / 3, (2 + math.sqrt(2) + 5 * math.asinh(1)) / 15]
    np.testing.assert_allclose(panel.mean[:2], exact_mean, rtol=0.03)
    assert np.all(panel.predicted_rms[:2] > 1.1 * np.array(exact_mean))
    assert np.all(panel.mean < panel.rms)  # Jensen
    assert panel.mean[2] == pytest.approx(panel.predicted_rms[2], rel=0.02)


def test_relative_spread_of_squared_distances_matches_the_formula():
    x = np.random.default_rng(4).uniform(size=(600, 50))
    sq = pairwise_distances(x) ** 2
    assert sq.mean() == pytest.approx(50 / 6, rel=0.02)
    assert sq.std() == pytest.approx(math.sqrt(7 * 50 / 180), rel=0.05)


def test_swiss_roll_points_lie_on_the_sheet():
    roll = swiss_roll(300, 1.5, 10.0, 0.0, np.random.default_rng(0))
    x1, x2, x3 = roll.points.T
    np.testing.assert_allclose(np.hypot(x1, x3), roll.t, rtol=1e-12)
    np.testing.assert_allclose(np.arctan2(x3, x1), np.angle(np.exp(1j * roll.t)), atol=1e-9)
    np.testing.assert_allclose(x2, roll.h)
    assert roll.t.min() >= 1.5 * np.pi and roll.t.max() <= 4.5 * np.pi
    noisy = swiss_roll(300, 1.5, 10.0, 0.5, np.random.default_rng(0))
    assert 0.3 < np.std(noisy.points - roll.points) < 0.7
    with pytest.raises(ValueError, match="turns and height must be positive"):
        swiss_roll(10, 0.0, 1.0, 0.0, np.random.default_rng(0))


def test_projection_is_a_rotation_and_looks_along_x2_from_above():
    rng = np.random.default_rng(5)
    p = rng.normal(size=(20, 3))
    for azimuth, elevation in ((0.3, 1.1), (-2.0, -0.4), (1.0, 0.0)):
        view = project(p, azimuth, elevation)
        np.testing.assert_allclose(np.linalg.norm(view, axis=1), np.linalg.norm(p, axis=1))
        np.testing.assert_allclose(pairwise_distances(view), pairwise_distances(p))
    top = project(p, 0.0, np.pi / 2)  # looking down x2: u = x1, v = -x3, depth = x2
    np.testing.assert_allclose(top, np.stack([p[:, 0], -p[:, 2], p[:, 1]], axis=1), atol=1e-12)
    front = project(p, 0.0, 0.0)  # looking along x3: u = x1, v = x2
    np.testing.assert_allclose(front, p, atol=1e-12)

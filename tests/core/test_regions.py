"""2D linear regions: the exact count against closed forms and a brute-force grid."""

from fractions import Fraction
from itertools import product
from math import comb

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.regions import (
    Box,
    activation_codes,
    count_linear_regions_exact,
    count_regions_exact,
    max_linear_regions,
    max_regions_table,
    pattern_counts,
    region_map,
    switching_segments,
)
from core.shallow import forward

UNIT_BOX = Box(-1.0, 1.0, -1.0, 1.0)


def grid_pattern_count(theta, box, n=801):
    """Brute-force oracle: distinct activation patterns on a fine grid.

    The grid is shifted by an irrational fraction of a cell so no point lies exactly on a
    line; it can miss regions thinner than a cell, never invent one.
    """
    shift = (np.sqrt(2) - 1) / n
    x1 = box.x1_min + (box.x1_max - box.x1_min) * (np.arange(n) / n + shift)
    x2 = box.x2_min + (box.x2_max - box.x2_min) * (np.arange(n) / n + shift * np.sqrt(3))
    g1, g2 = np.meshgrid(x1, x2)
    z = theta[:, 0, None, None] + theta[:, 1, None, None] * g1 + theta[:, 2, None, None] * g2
    codes = sum((z[d] > 0).astype(np.int64) << d for d in range(len(theta)))  # (n, n)
    return len(np.unique(codes))


def clip(polygon, a, b, c):
    """Keep the part of a convex polygon where a + b x + c y >= 0 (exact, Sutherland-Hodgman)."""
    out = []
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        v0, v1 = a + b * x0 + c * y0, a + b * x1 + c * y1
        if v0 >= 0:
            out.append((x0, y0))
        if (v0 > 0 > v1) or (v0 < 0 < v1):
            t = v0 / (v0 - v1)
            out.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
    return out


def area(polygon):
    pairs = zip(polygon, polygon[1:] + polygon[:1], strict=True)
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs)) / 2


def cells_by_clipping(theta, box):
    """Independent exact oracle: try every activation pattern and keep those whose cell
    (box cut by the half-planes z_d > 0 or z_d < 0) has positive area, in rational numbers."""
    xs = [Fraction(box.x1_min), Fraction(box.x1_max)]
    ys = [Fraction(box.x2_min), Fraction(box.x2_max)]
    square = [(xs[0], ys[0]), (xs[1], ys[0]), (xs[1], ys[1]), (xs[0], ys[1])]
    rows = [tuple(Fraction(v) for v in row) for row in theta.tolist()]
    count = 0
    for signs in product((1, -1), repeat=len(rows)):
        polygon = square
        for sign, (a, b, c) in zip(signs, rows, strict=True):
            if b == c == 0:  # a constant unit: on everywhere (a > 0) or off everywhere
                polygon = polygon if (a > 0) == (sign > 0) else []
            else:
                polygon = clip(polygon, sign * a, sign * b, sign * c)
            if len(polygon) < 3:
                break
        count += len(polygon) >= 3 and area(polygon) > 0
    return count


def tangent_lines(n_lines, radius=0.05):
    """Lines tangent to a small circle at evenly spread angles: general position, and every
    pairwise crossing lies within radius / sin(pi / (2 D)) of the centre (inside the box)."""
    angles = np.pi * np.arange(n_lines) / n_lines + 0.1
    normals = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (D, 2)
    return np.concatenate([np.full((n_lines, 1), -radius), normals], axis=1)  # (D, 3)


@pytest.mark.parametrize("n_lines", range(1, 17))
def test_general_position_gives_one_plus_d_plus_d_choose_2(n_lines):
    theta = tangent_lines(n_lines, radius=0.9 * np.sin(np.pi / (2 * n_lines)))
    expected = 1 + n_lines + comb(n_lines, 2)
    assert count_regions_exact(theta, UNIT_BOX) == expected == max_linear_regions(2, n_lines)


@pytest.mark.parametrize("n_lines", [1, 2, 3, 5])
def test_general_position_agrees_with_grid(n_lines):
    theta = tangent_lines(n_lines, radius=0.3)
    assert count_regions_exact(theta, UNIT_BOX) == grid_pattern_count(theta, UNIT_BOX)


@pytest.mark.parametrize("seed", range(12))
def test_random_networks_agree_with_grid(seed):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=(int(rng.integers(1, 6)), 3))
    assert count_regions_exact(theta, UNIT_BOX) == grid_pattern_count(theta, UNIT_BOX)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.floats(-2, 2, allow_nan=False, allow_subnormal=False), min_size=3, max_size=12
    ).filter(lambda v: len(v) % 3 == 0)
)
@example([0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0])  # three lines through the origin
@example([1.0, 1.0, 0.0, -1.0, 1.0, 0.0])  # both lines on the box edges
def test_grid_never_sees_more_regions_than_exact_count(values):
    theta = np.array(values).reshape(-1, 3)
    exact = count_regions_exact(theta, UNIT_BOX)
    assert grid_pattern_count(theta, UNIT_BOX, n=201) <= exact <= max_linear_regions(2, len(theta))


@pytest.mark.parametrize(
    ("theta", "expected"),
    [
        # D parallel lines across the box: D + 1 strips.
        ([[-0.5, 1, 0], [0.0, 1, 0], [0.5, 1, 0], [0.9, 1, 0]], 5),
        # D lines through one interior point: 2 D sectors.
        ([[0, 1, 0], [0, 0, 1], [0, 1, 1], [0, 1, -1]], 8),
        # The same line four times (scaled, sign-flipped): one cut, two regions. (Dyadic
        # numbers on purpose: 3 * 0.1 != 0.3 in floating point, a genuinely different line.)
        ([[0.25, 1, 2], [0.5, 2, 4], [-0.25, -1, -2], [-0.75, -3, -6]], 2),
        # Lines that miss the open box: outside, through a corner only, along an edge.
        ([[5, 1, 1], [2, 1, 1], [1, 1, 0], [-1, 0, 1]], 1),
        # Units with flat pre-activations never switch.
        ([[1, 0, 0], [-1, 0, 0]], 1),
        # Three concurrent lines plus one crossing all three at distinct points: 6 + 4.
        ([[0, 1, 0], [0, 0, 1], [0, 1, 1], [-0.5, 1, -1]], 10),
        # Two lines crossing exactly on the box boundary: 3 regions, not 4.
        ([[-1, 1, 1], [-1, 1, -1]], 3),
    ],
)
def test_degenerate_arrangements(theta, expected):
    theta = np.array(theta, dtype=float)
    assert count_regions_exact(theta, UNIT_BOX) == expected
    assert grid_pattern_count(theta, UNIT_BOX) == expected


def test_count_depends_on_the_view():
    theta = tangent_lines(3, radius=0.05)
    assert count_regions_exact(theta, UNIT_BOX) == 7
    # Far from the crossings only the lines pass through: 1 + 3 regions at most.
    assert count_regions_exact(theta, Box(0.5, 1.0, -1.0, 1.0)) <= 4
    assert count_regions_exact(theta, Box(10.0, 11.0, 10.0, 11.0)) == 1


def test_exact_count_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="theta must be a \\(D, 3\\) matrix"):
        count_regions_exact(np.zeros((2, 2)), UNIT_BOX)
    with pytest.raises(ValueError, match="x1_min < x1_max"):
        Box(1.0, 1.0, 0.0, 1.0)


def test_pattern_counts_enumerate_every_on_off_pattern():
    counts = pattern_counts(12)
    for d in range(1, 13):
        assert counts[d - 1] == len(set(product((0, 1), repeat=d)))  # brute force
        assert counts[d - 1] == max_linear_regions(d, d)  # reached when D_i >= D
    assert pattern_counts(62)[-1] == 2**62
    with pytest.raises(ValueError, match="D must be 1 to 62"):
        pattern_counts(63)


@pytest.mark.parametrize("n_hidden", range(1, 12))
def test_max_regions_closed_forms(n_hidden):
    assert max_linear_regions(1, n_hidden) == n_hidden + 1
    assert max_linear_regions(n_hidden, n_hidden) == 2**n_hidden
    assert max_linear_regions(n_hidden + 3, n_hidden) == 2**n_hidden
    assert max_linear_regions(2, n_hidden) == 1 + n_hidden + n_hidden * (n_hidden - 1) // 2


@pytest.mark.parametrize(("n_inputs", "n_hidden"), [(2, 5), (3, 7), (4, 10), (6, 9)])
def test_max_regions_pascal_recurrence(n_inputs, n_hidden):
    # Adding a hyperplane in general position adds the regions of a (D_i - 1)-dim arrangement.
    assert max_linear_regions(n_inputs, n_hidden) == max_linear_regions(
        n_inputs, n_hidden - 1
    ) + max_linear_regions(n_inputs - 1, n_hidden - 1)


def test_max_regions_notes_example_and_table():
    assert max_linear_regions(2, 3) == 7
    table = max_regions_table(3, 4)
    assert table.tolist() == [[2, 3, 4, 5], [2, 4, 7, 11], [2, 4, 8, 15]]
    with pytest.raises(ValueError, match="D must be at least 1, got 0"):
        max_linear_regions(2, 0)


def test_activation_codes_match_a_loop():
    rng = np.random.default_rng(7)
    theta, x = rng.normal(size=(6, 3)), rng.normal(size=(4, 5, 2))
    codes = activation_codes(theta, x)
    assert codes.shape == (4, 5)
    for i in range(4):
        for j in range(5):
            z = [
                theta[d, 0] + theta[d, 1] * x[i, j, 0] + theta[d, 2] * x[i, j, 1] for d in range(6)
            ]
            assert codes[i, j] == sum(2**d for d in range(6) if z[d] > 0)


def test_switching_segments_lie_on_the_line_and_the_box():
    rng = np.random.default_rng(11)
    theta = rng.normal(size=(20, 3))
    segments, visible = switching_segments(theta, UNIT_BOX)
    for d in np.flatnonzero(visible):
        for x1, x2 in (segments[d, :2], segments[d, 2:]):
            assert abs(theta[d, 0] + theta[d, 1] * x1 + theta[d, 2] * x2) < 1e-9
            on_edge = min(abs(abs(x1) - 1), abs(abs(x2) - 1))
            assert on_edge < 1e-9 and abs(x1) <= 1 + 1e-9 and abs(x2) <= 1 + 1e-9
    crosses = [count_regions_exact(theta[d : d + 1], UNIT_BOX) == 2 for d in range(20)]
    assert visible.tolist() == crosses


def test_region_map_patterns_gradients_and_count():
    rng = np.random.default_rng(5)
    theta, phi = rng.normal(size=(5, 3)), rng.normal(size=(1, 6))
    result = region_map(theta, phi, "relu", UNIT_BOX, 120)
    assert result.outputs.shape == result.region_index.shape == (120, 120)
    assert result.exact_count == count_regions_exact(theta, UNIT_BOX)
    assert len(result.patterns) <= result.exact_count <= result.bound == 16
    assert result.pixel_counts.sum() == 120 * 120
    # Every grid point's pattern is the pattern of its region.
    g1, g2 = np.meshgrid(result.x1, result.x2)
    z = theta[:, 0, None, None] + theta[:, 1, None, None] * g1 + theta[:, 2, None, None] * g2
    np.testing.assert_array_equal(result.patterns[result.region_index], np.moveaxis(z > 0, 0, -1))
    # Gradients against central differences at each region's centroid (regions are convex).
    h = 1e-6
    for (c1, c2), grad in zip(result.centroids, result.gradients, strict=True):
        pts = np.array([[c1 + h, c2], [c1 - h, c2], [c1, c2 + h], [c1, c2 - h]])
        zz = theta[:, 0] + pts @ theta[:, 1:].T
        y = phi[0, 0] + np.maximum(zz, 0) @ phi[0, 1:]
        np.testing.assert_allclose(
            [(y[0] - y[1]) / (2 * h), (y[2] - y[3]) / (2 * h)], grad, rtol=1e-5, atol=1e-6
        )


def test_region_map_for_smooth_and_identity_activations():
    theta, phi = tangent_lines(3, 0.2), np.ones((1, 4))
    smooth = region_map(theta, phi, "tanh", UNIT_BOX, 10)
    assert smooth.exact_count is None and smooth.patterns is None
    assert smooth.segment_visible.all()
    identity = region_map(theta, phi, "linear", UNIT_BOX, 10)
    assert identity.exact_count == 1 and len(identity.patterns) == 1
    np.testing.assert_allclose(identity.gradients[0], theta[:, 1:].sum(axis=0))


def test_nearly_coincident_lines_stay_distinct():
    # 3 * 0.1 is 0.30000000000000004 in floating point: the second line is shifted by ~1e-17,
    # a sliver no grid can see, but the exact count must report it.
    theta = np.array([[0.1, 1.0, 2.0], [-0.3, -3.0, -6.0]])
    assert count_regions_exact(theta, UNIT_BOX) == 3
    assert grid_pattern_count(theta, UNIT_BOX) == 2


def test_region_map_unit_panels_are_the_preactivation_planes():
    theta, phi = np.array([[0.5, 1.0, -2.0], [-0.25, 0.0, 3.0]]), np.ones((1, 3))
    result = region_map(theta, phi, "relu", Box(-1.0, 3.0, 0.0, 2.0), 8, panel_size=5)
    assert result.panel_preactivations.shape == (2, 5, 5)
    for d in range(2):
        for row, x2 in enumerate(result.panel_x2):
            for col, x1 in enumerate(result.panel_x1):
                z = theta[d, 0] + theta[d, 1] * x1 + theta[d, 2] * x2
                assert result.panel_preactivations[d, row, col] == pytest.approx(z)
                assert result.panel_activations[d, row, col] == pytest.approx(max(z, 0.0))


@pytest.mark.parametrize(("n_inputs", "n_hidden"), [(1, 1), (2, 7), (3, 30), (7, 12), (40, 45)])
def test_max_regions_matches_the_binomial_sum(n_inputs, n_hidden):
    expected = sum(comb(n_hidden, j) for j in range(min(n_inputs, n_hidden) + 1))
    assert max_linear_regions(n_inputs, n_hidden) == expected


def test_max_regions_is_fast_for_big_networks():
    # Exact big integers, computed by the recurrence (not one binomial at a time).
    assert max_linear_regions(5000, 10_000) > 2**9000


small_ints = st.integers(-3, 3).map(float)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(small_ints, small_ints, small_ints), min_size=1, max_size=5))
@example([(0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (0.0, 1.0, 1.0)])  # concurrent at the centre
@example([(1.0, 1.0, 1.0), (-1.0, 1.0, -1.0)])  # lines through corners
@example([(1.0, 1.0, 0.0), (2.0, 2.0, 0.0), (-1.0, -1.0, 0.0)])  # an edge, repeated
def test_exact_count_matches_clipping_every_pattern(rows):
    # Small integers make parallel, repeated, concurrent and corner-touching lines common.
    theta = np.array(rows)
    assert count_regions_exact(theta, UNIT_BOX) == cells_by_clipping(theta, UNIT_BOX)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(small_ints, small_ints, small_ints), min_size=1, max_size=4),
    st.tuples(st.integers(-3, 0), st.integers(1, 3), st.integers(-3, 0), st.integers(1, 3)),
)
def test_exact_count_matches_clipping_in_other_views(rows, edges):
    box = Box(*(float(e) / 2 for e in edges))
    theta = np.array(rows)
    assert count_regions_exact(theta, box) == cells_by_clipping(theta, box)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "heaviside", "linear", "gelu"])
def test_region_map_output_matches_the_forward_pass(activation):
    rng = np.random.default_rng(2)
    theta, phi = rng.normal(size=(7, 3)), rng.normal(size=(1, 8))
    result = region_map(theta, phi, activation, Box(-1.5, 1.0, -0.5, 2.0), 37)
    g1, g2 = np.meshgrid(result.x1, result.x2)
    points = np.stack([g1.ravel(), g2.ravel()], axis=1)  # (37 * 37, 2)
    expected = forward(points, theta, phi, activation).outputs[:, 0].reshape(37, 37)
    np.testing.assert_allclose(result.outputs, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("theta", "phi", "patterns", "regions"),
    [
        # Unit 2's line with phi_2 = 0 changes nothing: 4 patterns, 2 regions (x1 = 0 only).
        ([[0, 1, 0], [0, 0, 1]], [0, 1, 0], 4, 2),
        # Two units on one line with opposite output weights cancel: y = 0 everywhere.
        ([[0, 1, 0], [0, 1, 0]], [0, 1, -1], 2, 1),
        # relu(x1) - relu(-x1) = x1: opposite orientations that cancel: one plane.
        ([[0, 1, 0], [0, -1, 0]], [0, 1, -1], 2, 1),
        # relu(x1) + relu(-x1) = |x1| bends: two regions.
        ([[0, 1, 0], [0, -1, 0]], [0, 1, 1], 2, 2),
    ],
)
def test_linear_regions_count_only_lines_that_change_the_output(theta, phi, patterns, regions):
    theta, phi = np.array(theta, dtype=float), np.array([phi], dtype=float)
    assert count_regions_exact(theta, UNIT_BOX) == patterns
    assert count_linear_regions_exact(theta, phi, "relu", UNIT_BOX) == regions
    m = region_map(theta, phi, "relu", UNIT_BOX, 40)  # no grid point on a line
    assert (m.pattern_count, m.exact_count) == (patterns, regions)
    assert len(m.patterns) == regions  # the grid sees every region here


def test_heaviside_map_on_a_line_takes_the_step_value_at_zero():
    # The grid has points on the line x1 = 0, where the step is 1 (the book's convention).
    theta, phi = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), np.array([[0.0, 1.0, 2.0]])
    m = region_map(theta, phi, "heaviside", UNIT_BOX, 41)
    g1, g2 = np.meshgrid(m.x1, m.x2)
    expected = forward(np.stack([g1.ravel(), g2.ravel()], axis=1), theta, phi, "heaviside")
    np.testing.assert_array_equal(m.outputs, expected.outputs[:, 0].reshape(g1.shape))
    assert m.exact_count == m.pattern_count == 4

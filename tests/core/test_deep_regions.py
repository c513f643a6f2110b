"""Exact pieces and regions of deep networks against brute force and constructed cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.deep import random_network, sawtooth_network
from core.deep_regions import (
    activation_sides,
    cells_2d,
    locate,
    pattern_codes,
    pieces_1d,
)
from core.errors import DomainError
from core.network import forward, network_from_lists, shallow_network
from core.regions import Box, count_linear_regions_exact, count_regions_exact

PIECEWISE = ["relu", "leaky_relu", "heaviside", "linear"]


def dense_patterns_1d(net, x_min, x_max, n=200_001):
    """Brute force: every hidden unit's side of zero on a dense, irrationally shifted grid."""
    x = x_min + (x_max - x_min) * (np.arange(n) + np.sqrt(2) - 1) / n
    fwd = forward(net, x[None, :])
    on = np.concatenate([f > 0 for f in fwd.f[:-1]])  # (units, n)
    changes = np.any(on[:, 1:] != on[:, :-1], axis=0)
    return x, fwd.output[0], changes


def test_activation_sides_match_the_activations():
    relu = activation_sides("relu")
    assert (relu.pos_slope, relu.pos_offset, relu.neg_slope, relu.neg_offset) == (1, 0, 0, 0)
    step = activation_sides("heaviside")
    assert (step.pos_slope, step.pos_offset, step.neg_offset) == (0, 1, 0)
    assert activation_sides("linear").switches is False
    assert activation_sides("tanh") is None


@pytest.mark.parametrize("seed", range(12))
def test_pieces_match_dense_activation_patterns(seed):
    rng = np.random.default_rng(seed)
    widths = [1, *rng.integers(2, 6, size=rng.integers(1, 4)).tolist(), 1]
    net = random_network(widths, ["relu", "leaky_relu"][seed % 2], "he", rng, bias_scale=1.0)
    p = pieces_1d(net, -2.0, 2.0)
    x, _, changes = dense_patterns_1d(net, -2.0, 2.0)
    # Every pattern change seen on the grid lies at an exact joint (within one grid step)...
    step = x[1] - x[0]
    seen = x[:-1][changes]
    assert np.all(np.min(np.abs(seen[:, None] - p.edges[None, 1:-1]), axis=1) <= step)
    # ...and every exact joint wider apart than the grid is seen.
    if p.n_pieces > 1 and np.min(np.diff(p.edges)) > 4 * step:
        assert changes.sum() == p.n_pieces - 1


@pytest.mark.parametrize("seed", range(12))
def test_piece_lines_reproduce_the_forward_pass(seed):
    rng = np.random.default_rng(100 + seed)
    widths = [1, *rng.integers(2, 8, size=rng.integers(1, 5)).tolist(), 2]
    act = PIECEWISE[seed % 4]
    net = random_network(widths, act, "glorot", rng, bias_scale=1.0)
    p = pieces_1d(net, -3.0, 3.0)
    x = rng.uniform(-3, 3, 500)
    piece = np.searchsorted(p.edges, x, side="right") - 1
    lines = p.intercepts[piece] + p.slopes[piece] * x[:, None]  # (500, 2)
    np.testing.assert_allclose(lines, forward(net, x[None, :]).output.T, rtol=1e-9, atol=1e-9)


def maximal_runs(p):
    """The definition: consecutive pieces are one region when the same line continues."""
    runs = 1
    for i in range(p.n_pieces - 1):
        x = p.edges[i + 1]
        same_slope = np.allclose(p.slopes[i], p.slopes[i + 1], rtol=1e-7, atol=1e-9)
        left = p.intercepts[i] + p.slopes[i] * x
        right = p.intercepts[i + 1] + p.slopes[i + 1] * x
        runs += not (same_slope and np.allclose(left, right, rtol=1e-7, atol=1e-9))
    return runs


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0]), min_size=22, max_size=22),
    st.sampled_from(PIECEWISE),
)
def test_regions_are_maximal_runs_of_one_line(values, activation):
    # [1, 3, 3, 1] with weights from a small set: zero output weights and repeated joints
    # are common, so joints that do not bend are exercised.
    v = np.array(values)
    net = network_from_lists(
        [v[0:3], v[3:6], v[6:7]],
        [v[7:10, None], v[10:19].reshape(3, 3), v[19:22][None, :]],
        activation,
    )
    p = pieces_1d(net, -1.3, 1.7)
    assert p.n_regions == maximal_runs(p)
    assert p.n_regions <= p.n_pieces
    # Brute force on samples: slopes by finite differences change only at region edges.
    x, y, _ = dense_patterns_1d(net, -1.3, 1.7, 30_001)
    if activation != "heaviside":
        slope = np.diff(y) / np.diff(x)
        kinks = x[1:-1][np.abs(np.diff(slope)) > 1e-6]
        edges = p.region_edges[1:-1]
        for k in kinks:
            assert np.min(np.abs(edges - k)) <= 2 * (x[1] - x[0])


def test_zero_output_weight_unit_does_not_split_a_region():
    # Units at x = -0.5, 0, 0.5; the middle one has output weight 0.
    net = network_from_lists(
        [[0.5, 0.0, -0.5], [0.0]], [[[1.0], [1.0], [1.0]], [[1.0, 0.0, -2.0]]], "relu"
    )
    p = pieces_1d(net, -1.0, 1.0)
    assert (p.n_pieces, p.n_regions) == (4, 3)
    assert p.bends.tolist() == [True, False, True]
    np.testing.assert_allclose(p.joint_x, [-0.5, 0.0, 0.5])


def test_identical_adjacent_slopes_through_two_layers_make_one_region():
    # Layer 2 unit copies layer 1 exactly once it is active: h2 = relu(h1) = h1, so its joint
    # at h1 = 0 coincides with layer 1's and adds nothing; a second layer-2 unit with output
    # weight 0 switches at x = 0.25 without bending the output.
    net = network_from_lists(
        [[0.0], [0.0, -0.25], [0.0]],
        [[[1.0]], [[1.0], [1.0]], [[1.0, 0.0]]],
        "relu",
    )
    p = pieces_1d(net, -1.0, 1.0)
    assert (p.n_pieces, p.n_regions) == (3, 2)
    assert p.layer_pieces == (2, 3) and p.layer_regions == (2, 3)


@pytest.mark.parametrize(("width", "depth"), [(2, 1), (2, 4), (2, 10), (3, 3), (4, 4), (5, 2)])
def test_sawtooth_has_width_to_the_depth_regions(width, depth):
    p = pieces_1d(sawtooth_network(width, depth), 0.0, 1.0)
    assert p.n_pieces == p.n_regions == width**depth
    assert p.layer_pieces == tuple(width**k for k in range(1, depth + 1))
    # Every tooth has slope +-width^depth and spans [0, 1].
    np.testing.assert_allclose(np.abs(p.slopes[:, 0]), width**depth, rtol=1e-9)


def test_smooth_and_wrong_inputs_are_refused():
    net = random_network([1, 3, 1], "tanh", "he", np.random.default_rng(0))
    with pytest.raises(DomainError, match="piecewise-linear"):
        pieces_1d(net, 0, 1)
    net2 = random_network([2, 3, 1], "relu", "he", np.random.default_rng(0))
    with pytest.raises(DomainError, match="one input"):
        pieces_1d(net2, 0, 1)
    with pytest.raises(DomainError, match="two inputs"):
        cells_2d(random_network([1, 3, 1], "relu", "he", np.random.default_rng(0)), (0, 1, 0, 1))
    with pytest.raises(DomainError, match="x_min < x_max"):
        pieces_1d(random_network([1, 3, 1], "relu", "he", np.random.default_rng(0)), 1, 1)


# ----------------------------------------------------------------------------- two inputs


def dense_patterns_2d(net, box, n=500):
    shift = (np.sqrt(2) - 1) / n
    x1 = box[0] + (box[1] - box[0]) * (np.arange(n) / n + shift)
    x2 = box[2] + (box[3] - box[2]) * (np.arange(n) / n + shift * np.sqrt(3))
    g1, g2 = np.meshgrid(x1, x2)
    points = np.stack([g1.ravel(), g2.ravel()])
    return points, pattern_codes(net, points)


@pytest.mark.parametrize("seed", range(8))
def test_cells_match_dense_activation_patterns(seed):
    rng = np.random.default_rng(seed)
    widths = [2, *rng.integers(2, 5, size=rng.integers(1, 4)).tolist(), 1]
    net = random_network(widths, "relu", "he", rng, bias_scale=0.7)
    box = (-1.0, 1.0, -1.0, 1.0)
    cells = cells_2d(net, box)
    points, codes = dense_patterns_2d(net, box)
    seen = np.unique(codes)
    assert set(seen) <= set(cells.codes.tolist())  # the grid never invents a pattern
    # Cells the grid misses are thinner than it: their area is below a few grid cells.
    v, n = cells.vertices, cells.n_vertices
    x, y = v[..., 0], v[..., 1]
    nxt = np.where(np.arange(v.shape[1]) + 1 < n[:, None], np.arange(v.shape[1]) + 1, 0)
    area = 0.5 * np.abs(
        np.sum(
            np.where(
                np.arange(v.shape[1]) < n[:, None],
                x * np.take_along_axis(y, nxt, 1) - np.take_along_axis(x, nxt, 1) * y,
                0,
            ),
            axis=1,
        )
    )
    np.testing.assert_allclose(area.sum(), 4.0, rtol=1e-9)  # the cells tile the view
    missed = ~np.isin(cells.codes, seen)
    assert np.all(area[missed] < 20 * (2 / 500) ** 2)
    # Every point is found in the cell of its pattern, and the cell's plane is the output.
    cell = locate(cells, net, points)
    assert np.all(cell >= 0)
    c = cells.coefficients[cell, 0]  # (I, 3)
    plane = c[:, 0] + c[:, 1] * points[0] + c[:, 2] * points[1]
    np.testing.assert_allclose(plane, forward(net, points).output[0], rtol=1e-9, atol=1e-9)
    assert len(np.unique(cells.codes)) == len(cells.codes)  # one cell per pattern


@pytest.mark.parametrize("seed", range(40))
def test_shallow_cells_and_regions_match_the_exact_line_arrangement(seed):
    # Two independent exact methods: integer line arrangement (core.regions) and polygon
    # cutting (core.deep_regions). Small integer weights make coincident, parallel and
    # concurrent lines and zero output weights common.
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 8))
    theta = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0], size=(d, 3))
    phi = rng.choice([-1.0, 0.0, 1.0], size=(1, d + 1))
    activation = ["relu", "leaky_relu", "heaviside"][seed % 3]
    cells = cells_2d(shallow_network(theta, phi, activation), (-1.0, 1.0, -1.0, 1.0))
    box = Box(-1.0, 1.0, -1.0, 1.0)
    assert len(cells.n_vertices) == count_regions_exact(theta, box)
    assert cells.n_regions == count_linear_regions_exact(theta, phi, activation, box)


def test_strip_sawtooth_in_two_dimensions():
    # The sawtooth along x1 only: vertical strips, width^depth of them in (0, 1) x (0, 1).
    saw = sawtooth_network(3, 3)
    omega0 = np.concatenate([saw.omegas[0], np.zeros((3, 1))], axis=1)  # ignores x2
    net = network_from_lists(saw.betas, [omega0, *saw.omegas[1:]], "relu")
    cells = cells_2d(net, (0.0, 1.0, 0.0, 1.0))
    assert len(cells.n_vertices) == cells.n_regions == 27
    assert cells.layer_cells == (3, 9, 27)
    assert len(cells.boundaries) == 26  # one vertical edge between neighbouring strips


def test_zero_weight_unit_in_a_deep_network_splits_no_region():
    # Two layers; layer 2's unit 1 has output weight 0, so its bent line leaves the output alone.
    rng = np.random.default_rng(5)
    net = random_network([2, 4, 3, 1], "relu", "he", rng, bias_scale=0.5)
    omegas = list(net.omegas)
    cut = omegas[-1].copy()
    cut[0, 0] = 0.0
    zeroed = network_from_lists(net.betas, [*omegas[:-1], cut], "relu")
    cells = cells_2d(zeroed, (-2, 2, -2, 2))
    h_cells = cells.layer_cells[-1]
    assert len(cells.n_vertices) == h_cells
    # Regions equal those of the network without that unit at all.
    smaller = network_from_lists(
        [net.betas[0], net.betas[1][1:], net.betas[2]],
        [omegas[0], omegas[1][1:], cut[:, 1:]],
        "relu",
    )
    assert cells.n_regions == cells_2d(smaller, (-2, 2, -2, 2)).n_regions


def test_linear_network_is_one_region():
    net = random_network([2, 5, 3, 1], "linear", "he", np.random.default_rng(1))
    cells = cells_2d(net, (-1, 1, -1, 1))
    assert len(cells.n_vertices) == cells.n_regions == 1
    assert cells.layer_cells == (1, 1)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 64), st.integers(1, 50), st.integers(0, 2**32 - 1))
def test_pack_rows_sets_bit_d_for_unit_d(units, rows, seed):
    from core.deep_regions import pack_rows

    active = np.random.default_rng(seed).random((rows, units)) < 0.5
    expected = [sum(1 << d for d in range(units) if row[d]) for row in active.tolist()]
    got = pack_rows(active)
    assert [int(v) & (2**64 - 1) for v in got] == [e & (2**64 - 1) for e in expected]
    # The same from a strided view (columns of a bigger matrix).
    wide = np.concatenate([active, ~active], axis=1)[:, :units]
    np.testing.assert_array_equal(pack_rows(wide), got)


def test_plane_view_output_is_the_forward_pass():
    from core.deep import plane_view

    net = random_network([2, 6, 5, 1], "leaky_relu", "he", np.random.default_rng(3), bias_scale=0.6)
    v = plane_view(net, (-1.5, 1.5, -1.0, 2.0), 37)
    g1, g2 = np.meshgrid(v.x1, v.x2)
    expected = forward(net, np.stack([g1.ravel(), g2.ravel()])).output[0].reshape(g1.shape)
    np.testing.assert_allclose(v.output, expected, rtol=1e-9, atol=1e-9)
    assert v.region_index.min() >= 0 and v.region_index.max() == v.cells.n_regions - 1


def test_count_without_the_layers_is_the_same_count():
    net = random_network([1, 8, 8, 8, 1], "relu", "he", np.random.default_rng(9), bias_scale=1.0)
    full, lean = pieces_1d(net, -2, 2), pieces_1d(net, -2, 2, per_layer=False)
    assert (lean.n_pieces, lean.n_regions) == (full.n_pieces, full.n_regions)
    np.testing.assert_array_equal(lean.edges, full.edges)
    assert lean.layer_pieces == full.layer_pieces and lean.layer_regions == ()
    assert len(full.layer_regions) == 3


def test_a_tiny_but_real_change_of_slope_splits_a_region():
    # y = relu(x) + 1e-10 relu(x - 0.5) bends by one part in 10^10 at x = 0.5: a real joint.
    net = network_from_lists([[0.0, -0.5], [0.0]], [[[1.0], [1.0]], [[1.0, 1e-10]]], "relu")
    assert pieces_1d(net, 0.1, 1.0).n_regions == 2
    # The same weights that cancel exactly (1e-10 - 1e-10) do not.
    cancel = network_from_lists(
        [[0.0, -0.5, -0.5], [0.0]], [[[1.0], [1.0], [1.0]], [[1.0, 1e-10, -1e-10]]], "relu"
    )
    assert pieces_1d(cancel, 0.1, 1.0).n_regions == 1


def test_heaviside_pattern_at_zero_is_the_step_value():
    net = network_from_lists([[0.0], [0.0]], [[[1.0, 0.0]], [[1.0]]], "heaviside")
    cells = cells_2d(net, (-1.0, 1.0, -1.0, 1.0))
    points = np.array([[0.0, -0.5, 0.5], [0.3, 0.3, 0.3]])  # x1 = 0 lies on the switch
    cell = locate(cells, net, points)
    plane = cells.coefficients[cell, 0, 0]  # constant pieces
    np.testing.assert_array_equal(plane, forward(net, points).output[0])  # 1, 0, 1

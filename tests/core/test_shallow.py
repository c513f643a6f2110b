"""Shallow networks: forward pass against a scalar loop, slopes against finite differences."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.activations import ACTIVATION_NAMES, get_activation
from core.deep_regions import REL_TOL
from core.shallow import (
    BOOK_PHI,
    BOOK_THETA,
    SWITCHING_ACTIVATIONS,
    activation_curves,
    flow_1d,
    forward,
    joints_1d,
    linear_regions_1d,
    parameter_count,
    pieces_and_regions_1d,
    preactivations,
)

PIECEWISE = [n for n in ACTIVATION_NAMES if get_activation(n).piecewise_linear]
SMOOTH = [n for n in ACTIVATION_NAMES if not get_activation(n).piecewise_linear]


def scalar_network(x, theta, phi, activation):
    """Brute-force oracle: one point, one unit, one output at a time in plain Python."""
    a = get_activation(activation).value
    ys = []
    for o in range(len(phi)):
        y = phi[o][0]
        for d in range(len(theta)):
            z = theta[d][0] + sum(theta[d][i + 1] * x[i] for i in range(len(x)))
            y += phi[o][d + 1] * float(a(np.array([z]))[0])
        ys.append(y)
    return ys


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize(("n_inputs", "n_hidden", "n_outputs"), [(1, 3, 1), (1, 5, 2), (2, 4, 1)])
def test_forward_matches_scalar_loop(activation, n_inputs, n_hidden, n_outputs):
    rng = np.random.default_rng(n_inputs * 100 + n_hidden * 10 + n_outputs)
    theta = rng.normal(size=(n_hidden, n_inputs + 1))
    phi = rng.normal(size=(n_outputs, n_hidden + 1))
    x = rng.uniform(-2, 2, size=(7, n_inputs))
    out = forward(x, theta, phi, activation)
    expected = [scalar_network(row, theta.tolist(), phi.tolist(), activation) for row in x]
    np.testing.assert_allclose(out.outputs, expected, rtol=1e-12, atol=1e-12)
    # The intermediate quantities add up to the output.
    np.testing.assert_allclose(
        out.outputs, phi[:, 0] + out.weighted_activations.sum(axis=2), rtol=1e-12
    )
    np.testing.assert_allclose(out.preactivations[0], theta[:, 0] + theta[:, 1:] @ x[0])


def test_book_example_by_hand():
    # x = 0: z = (0.3, -1, -0.5), h = (0.3, 0, 0), y = -0.3 + 2 * 0.3 = 0.3.
    out = forward(np.array([[0.0]]), BOOK_THETA, BOOK_PHI, "relu")
    np.testing.assert_allclose(out.preactivations, [[0.3, -1.0, -0.5]])
    np.testing.assert_allclose(out.activations, [[0.3, 0.0, 0.0]])
    np.testing.assert_allclose(out.weighted_activations, [[[0.6, 0.0, 0.0]]])
    np.testing.assert_allclose(out.outputs, [[0.3]])
    units, positions = joints_1d(BOOK_THETA)
    np.testing.assert_array_equal(units, [0, 1, 2])
    np.testing.assert_allclose(positions, [0.3, 0.5, 0.5 / 0.65])


def test_book_example_regions_by_hand():
    pieces, regions = pieces_and_regions_1d(BOOK_THETA, BOOK_PHI, "relu", 0.0, 1.0)
    assert len(pieces) == len(regions) == 4  # every joint bends the output here
    edges = [regions[0].x_start] + [r.x_end for r in regions]
    assert edges == pytest.approx([0, 0.3, 0.5, 0.5 / 0.65, 1])
    # Slopes: -phi_1, 0, 2 phi_2 ... written out: unit 1 alone, none, unit 2, units 2 and 3.
    assert [float(r.slopes[0]) for r in regions] == pytest.approx(
        [2.0 * -1.0, 0.0, -1.0 * 2.0, -1.0 * 2.0 + 7.0 * 0.65]
    )
    assert [p.active.tolist() for p in pieces] == [
        [True, False, False],
        [False, False, False],
        [False, True, False],
        [False, True, True],
    ]


def test_joints_skip_flat_units_and_sort():
    theta = np.array([[1.0, 0.0], [2.0, -1.0], [-1.0, 4.0]])
    units, positions = joints_1d(theta)
    np.testing.assert_array_equal(units, [2, 1])
    np.testing.assert_allclose(positions, [0.25, 2.0])
    z = theta[units, 0] + theta[units, 1] * positions
    np.testing.assert_allclose(z, 0.0, atol=1e-15)


params_1d = st.lists(
    st.floats(-3, 3, allow_nan=False, allow_subnormal=False), min_size=14, max_size=14
)


@settings(max_examples=60, deadline=None)
@given(params_1d, st.sampled_from(PIECEWISE))
@example([0.0] * 14, "relu")
@example([0.5, 1.0, 0.5, 1.0, -0.2, 2.0, 0.1, 0.0, 1, 1, 1, 1, 1, 1], "leaky_relu")
# A bend of 5e-10 in one output's slope (unit 4's weight is 1e-9): still two regions.
@example([1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1e-09, 0.0, 0.0, 1.0, 0.0, 0.0], "relu")
# A unit whose pre-activation is 0 everywhere: the Heaviside step is on there (H(0) = 1).
@example([0.5, 1.0, 0.0, 0.0, 0.0, 0.5, -1.0, 1.0, 1, 1, 1, 1, 1, 1], "heaviside")
def test_region_slopes_match_finite_differences(values, activation):
    theta = np.array(values[:8]).reshape(4, 2)  # (D, 2)
    phi = np.array(values[8:]).reshape(1, 6)[:, :5]  # (1, D + 1)
    phi = np.concatenate([phi, phi[:, ::-1]])  # two outputs sharing the hidden layer
    pieces, regions = pieces_and_regions_1d(theta, phi, activation, -2.0, 2.0)
    assert regions[0].x_start == -2.0 and regions[-1].x_end == 2.0
    for left, right in zip(regions, regions[1:], strict=False):
        assert left.x_end == right.x_start
        assert left.last_piece + 1 == right.first_piece
        # Maximal: two neighbouring regions are two different lines (to the tolerance the
        # count itself uses: a slope change of 1e-10 is a real bend).
        assert not (
            np.allclose(left.slopes, right.slopes, rtol=REL_TOL, atol=0)
            and np.allclose(left.intercepts, right.intercepts, rtol=REL_TOL, atol=0)
        )
    for r in pieces:
        width = r.x_end - r.x_start
        if width < 1e-6:
            continue
        lo, hi = r.x_start + 0.25 * width, r.x_end - 0.25 * width
        y = forward(np.array([[lo], [hi]]), theta, phi, activation).outputs  # (2, D_o)
        np.testing.assert_allclose((y[1] - y[0]) / (hi - lo), r.slopes, rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(r.intercepts + r.slopes * lo, y[0], rtol=1e-7, atol=1e-7)
        mid = 0.5 * (r.x_start + r.x_end)
        if activation in SWITCHING_ACTIVATIONS:
            z = theta[:, 0] + theta[:, 1] * mid
            # The step is on at z = 0 (H(0) = 1, as in the book); ReLU's are off there.
            expected = list(z >= 0) if activation == "heaviside" else list(z > 0)
            assert r.active.tolist() == expected


@settings(max_examples=40, deadline=None)
@given(params_1d)
def test_relu_network_is_continuous_across_joints(values):
    theta = np.array(values[:8]).reshape(4, 2)
    phi = np.array(values[8:13]).reshape(1, 5)
    regions = linear_regions_1d(theta, phi, "relu", -2.0, 2.0)
    for left, right in zip(regions, regions[1:], strict=False):
        x = left.x_end
        np.testing.assert_allclose(
            left.intercepts + left.slopes * x, right.intercepts + right.slopes * x, atol=1e-9
        )


def test_region_count_is_one_plus_distinct_joints():
    theta = np.array([[-0.5, 1.0], [1.0, -2.0], [0.2, 1.0], [5.0, 1.0]])  # joints .5, .5, -.2, -5
    phi = np.ones((1, 5))
    regions = linear_regions_1d(theta, phi, "relu", -1.0, 1.0)
    assert len(regions) == 3  # the coincident joints at 0.5 count once; -5 is outside


def test_heaviside_regions_are_flat_and_identity_has_one_region():
    heaviside = linear_regions_1d(BOOK_THETA, BOOK_PHI, "heaviside", 0.0, 1.0)
    assert len(heaviside) == 4
    assert all(float(r.slopes[0]) == 0.0 for r in heaviside)
    (line,) = linear_regions_1d(BOOK_THETA, BOOK_PHI, "linear", 0.0, 1.0)
    expected = BOOK_PHI[0, 1:] @ BOOK_THETA[:, 1]
    assert float(line.slopes[0]) == pytest.approx(expected)


@pytest.mark.parametrize("activation", SMOOTH)
def test_smooth_activations_have_no_linear_regions(activation):
    with pytest.raises(ValueError, match="is not piecewise linear"):
        linear_regions_1d(BOOK_THETA, BOOK_PHI, activation, 0.0, 1.0)
    flow = flow_1d(BOOK_THETA, BOOK_PHI, activation, 0.0, 1.0, 5)
    assert flow.linear_regions is None
    assert "not defined" in flow.note


def test_flow_samples_include_the_joints():
    flow = flow_1d(BOOK_THETA, BOOK_PHI, "relu", 0.0, 1.0, 12)  # samples k / 11
    assert np.all(np.diff(flow.x) > 0)
    for joint in flow.joint_positions:
        assert joint in flow.x
    assert len(flow.x) == 12 + 3
    assert flow.forward.outputs.shape == (15, 1)
    np.testing.assert_allclose(flow.joint_positions, [0.3, 0.5, 0.5 / 0.65])


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_flow_outputs_at_the_joints_are_the_outputs_at_those_samples(activation):
    phi = np.vstack([BOOK_PHI, [[0.5, -1.0, 2.0, 0.25]]])  # two outputs
    flow = flow_1d(BOOK_THETA, phi, activation, 0.0, 1.0, 12)
    assert flow.joint_outputs.shape == (3, 2)
    at = [int(np.flatnonzero(flow.x == x)[0]) for x in flow.joint_positions]
    np.testing.assert_array_equal(flow.joint_outputs, flow.forward.outputs[at])


def test_flow_drops_joints_outside_the_view():
    flow = flow_1d(BOOK_THETA, BOOK_PHI, "relu", 0.4, 0.6, 3)
    np.testing.assert_array_equal(flow.joint_units, [1])


@pytest.mark.parametrize(
    ("n_inputs", "n_hidden", "n_outputs", "expected"),
    [(2, 3, 1, 13), (1, 3, 1, 10), (1, 3, 2, 14), (5, 6, 4, 64)],
)
def test_parameter_count(n_inputs, n_hidden, n_outputs, expected):
    theta = np.zeros((n_hidden, n_inputs + 1))
    phi = np.zeros((n_outputs, n_hidden + 1))
    assert parameter_count(n_inputs, n_hidden, n_outputs) == expected == theta.size + phi.size


def test_parameter_count_rejects_empty_layers():
    with pytest.raises(ValueError, match="D must be at least 1, got 0"):
        parameter_count(2, 0, 1)


@pytest.mark.parametrize(
    ("theta", "phi", "message"),
    [
        (np.zeros((3, 2)), np.zeros((1, 3)), "phi must have D \\+ 1 = 4 columns"),
        (np.zeros(3), np.zeros((1, 4)), "theta must be a \\(D, D_i \\+ 1\\) matrix"),
        (np.full((3, 2), np.nan), np.zeros((1, 4)), "every parameter must be a finite"),
    ],
)
def test_bad_shapes_are_explained(theta, phi, message):
    with pytest.raises(ValueError, match=message):
        forward(np.zeros((1, 1)), theta, phi, "relu")


def test_flow_needs_one_input_and_an_interval():
    with pytest.raises(ValueError, match="theta needs 2 columns"):
        flow_1d(np.zeros((3, 3)), np.zeros((1, 4)), "relu", 0, 1, 10)
    with pytest.raises(ValueError, match="min < max"):
        flow_1d(BOOK_THETA, BOOK_PHI, "relu", 1, 1, 10)


def test_preactivations_match_matrix_product():
    rng = np.random.default_rng(3)
    x, theta = rng.normal(size=(9, 3)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(preactivations(x, theta), theta[:, 0] + x @ theta[:, 1:].T)


def test_activation_curves_cover_every_activation():
    curves = activation_curves(-3.0, 3.0, 61)
    assert [c.name for c in curves] == list(ACTIVATION_NAMES)
    z = np.linspace(-3, 3, 61)
    for c in curves:
        act = get_activation(c.name)
        np.testing.assert_array_equal(c.value, act.value(z))
        np.testing.assert_array_equal(c.derivative, act.derivative(z))
    relu = curves[0]
    assert relu.value[-1] == 3.0 and math.isclose(relu.derivative[-1], 1.0)


def slope_runs_oracle(theta, phi, activation, x_min, x_max):
    """Brute force of the definition: slopes and values by finite differences on every piece
    between the sorted joints, then count maximal runs of one line."""
    _, positions = joints_1d(theta)
    cuts = np.unique(positions[(positions > x_min) & (positions < x_max)])
    edges = np.concatenate([[x_min], cuts, [x_max]])
    lines = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        a, b = lo + 0.3 * (hi - lo), lo + 0.7 * (hi - lo)
        ya, yb = forward(np.array([[a], [b]]), theta, phi, activation).outputs
        slope = (yb - ya) / (b - a)
        lines.append((slope, ya - slope * a))
    runs = 1
    for (s0, c0), (s1, c1) in zip(lines, lines[1:], strict=False):
        same = np.allclose(s0, s1, rtol=1e-6, atol=1e-6) and np.allclose(c0, c1, atol=1e-6)
        runs += not same
    return runs


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]), min_size=13, max_size=13),
    st.sampled_from(["relu", "leaky_relu", "heaviside", "linear"]),
)
def test_region_count_is_the_number_of_maximal_runs_of_one_line(values, activation):
    # Small integers and halves make zero output weights, repeated joints and cancelling
    # slope changes common, so the definition's corner cases are hit often.
    theta = np.array(values[:8]).reshape(4, 2)
    phi = np.array(values[8:]).reshape(1, 5)
    pieces, regions = pieces_and_regions_1d(theta, phi, activation, -1.7, 1.9)
    assert len(regions) == slope_runs_oracle(theta, phi, activation, -1.7, 1.9)
    assert len(regions) <= len(pieces)


def test_zero_output_weight_unit_does_not_split_a_region():
    phi = BOOK_PHI.copy()
    phi[0, 2] = 0.0  # unit 2's joint at x = 0.5 no longer bends the output
    flow = flow_1d(BOOK_THETA, phi, "relu", 0.0, 1.0, 11)
    assert len(flow.pieces) == 4 and len(flow.linear_regions) == 3
    assert flow.joint_bends.tolist() == [True, False, True]
    assert "4 activation patterns but 3 linear regions" in flow.note


def test_identical_adjacent_slopes_make_one_region():
    # Units 1 and 2 switch at x = 0 and x = 1 with slope changes +1 and ... then the slopes of
    # [0, 1] and [1, 2] are equal because unit 3 cancels unit 2 at the same joint.
    theta = np.array([[0.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]])
    phi = np.array([[0.0, 1.0, 2.0, -2.0]])
    pieces, regions = pieces_and_regions_1d(theta, phi, "relu", -1.0, 2.0)
    assert len(pieces) == 3 and len(regions) == 2
    assert regions[1].x_start == 0.0 and regions[1].x_end == 2.0


def test_an_elu_network_is_linear_where_every_preactivation_is_positive():
    """ELU is the identity for z > 0: on x in [0.5, 1] every unit below is active, the output's
    second differences vanish there, and the note says so instead of "bends everywhere"."""
    theta = np.array([[0.0, 1.0], [-0.2, 1.0], [0.3, -0.5]])  # z > 0 for x in (0.2, 0.6)
    phi = np.array([[0.1, 1.0, -2.0, 0.7]])
    x = np.linspace(0.25, 0.55, 31)
    y = flow_1d(theta, phi, "elu", 0.25, 0.55, 31).forward.outputs[:, 0]
    assert np.all(theta[:, 0] + np.outer(x, theta[:, 1]) > 0)
    np.testing.assert_allclose(np.diff(y, 2), 0.0, atol=1e-12)
    # Where a pre-activation is negative the output is curved.
    x_neg = np.linspace(-1.0, -0.5, 31)
    y_neg = flow_1d(theta, phi, "elu", -1.0, -0.5, 31).forward.outputs[:, 0]
    assert x_neg.size == y_neg.size and np.max(np.abs(np.diff(y_neg, 2))) > 1e-4
    note = flow_1d(theta, phi, "elu", 0.0, 1.0, 5).note
    assert "identity for z > 0" in note and "everywhere" not in note

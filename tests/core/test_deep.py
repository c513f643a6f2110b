"""Composition, the generic MLP, linear collapse and region bounds."""

from math import comb, log10

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import deep, deep_bounds
from core.deep_regions import pieces_1d
from core.errors import DomainError
from core.network import forward, network_from_lists, parameter_count, shallow_network


def test_folding_defaults_copy_network_2_three_times():
    c = deep.compose(
        deep.FOLD_THETA1, deep.FOLD_PHI1, deep.FOLD_THETA2, deep.FOLD_PHI2, "relu", -1.0, 1.0
    )
    assert (c.pieces1.n_regions, c.pieces2.n_regions, c.pieces.n_regions) == (3, 4, 12)
    assert c.y_min == pytest.approx(-1.0) and c.y_max == pytest.approx(1.0)
    sources = [j.source for j in c.joints]
    assert sources.count("network 1") == 2 and sources.count("network 2") == 9


params = st.lists(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]), min_size=14, max_size=14)


@settings(max_examples=80, deadline=None)
@given(params, params, st.sampled_from(["relu", "leaky_relu"]))
def test_composition_joints_follow_the_rule_and_the_deep_network(v1, v2, activation):
    theta1, phi1 = np.array(v1[:8]).reshape(4, 2), np.array([v1[8:13]])
    theta2, phi2 = np.array(v2[:8]).reshape(4, 2), np.array([v2[8:13]])
    c = deep.compose(theta1, phi1, theta2, phi2, activation, -1.5, 2.0)
    # The rule (network 1's joints + crossings of network 2's joints) gives the same places as
    # the exact analysis of the two-hidden-layer network.
    by_rule = np.unique(np.round([j.x for j in c.joints], 9))
    exact = np.unique(np.round(c.pieces.joint_x, 9))
    np.testing.assert_allclose(by_rule, exact, atol=1e-9)
    # The deep network computes the composition.
    x = np.linspace(-1.5, 2.0, 101)[None, :]
    composed = forward(c.net2, forward(c.net1, x).output).output
    np.testing.assert_allclose(forward(c.deep, x).output, composed, rtol=1e-12, atol=1e-12)
    assert c.pieces.n_regions <= c.pieces.n_pieces


def test_composition_matrices_are_the_books_substitution():
    net1 = shallow_network(deep.FOLD_THETA1, deep.FOLD_PHI1, "relu")
    net2 = shallow_network(deep.FOLD_THETA2, deep.FOLD_PHI2, "relu")
    d = deep.compose_networks(net1, net2)
    assert d.widths == (1, 3, 3, 1)
    # psi_{d0} = theta'_d0 + theta'_d1 phi_0, psi_{dj} = theta'_d1 phi_j (book eq. 4.5-4.6)
    for i in range(3):
        t0, t1 = deep.FOLD_THETA2[i]
        assert d.betas[1][i] == pytest.approx(t0 + t1 * deep.FOLD_PHI1[0, 0])
        np.testing.assert_allclose(d.omegas[1][i], t1 * deep.FOLD_PHI1[0, 1:])
    with pytest.raises(DomainError, match="network 2 must be shallow"):
        deep.compose_networks(net1, d)


def test_composition_view_samples_include_every_joint():
    v = deep.composition_view(
        deep.FOLD_THETA1, deep.FOLD_PHI1, deep.FOLD_THETA2, deep.FOLD_PHI2, "relu", -1, 1, 11
    )
    assert set(np.round([j.x for j in v.composition.joints], 12)) <= set(np.round(v.x, 12))
    np.testing.assert_allclose(v.composed, v.direct, atol=1e-12)
    assert len(v.y_grid) == len(v.y2) == 11


def line_of_pieces(p, x):
    """The exact pieces' output at x (k,), an oracle apart from the forward pass: the line of
    the piece that holds each x (a continuous network: either side of a joint agrees)."""
    piece = np.clip(np.searchsorted(p.edges, x, side="right") - 1, 0, len(p.slopes) - 1)
    return p.intercepts[piece, 0] + p.slopes[piece, 0] * x


@settings(max_examples=60, deadline=None)
@given(params, params, st.sampled_from(["relu", "leaky_relu"]))
def test_composition_view_outputs_at_the_joints(v1, v2, activation):
    theta1, phi1 = np.array(v1[:8]).reshape(4, 2), np.array([v1[8:13]])
    theta2, phi2 = np.array(v2[:8]).reshape(4, 2), np.array([v2[8:13]])
    v = deep.composition_view(theta1, phi1, theta2, phi2, activation, -1.5, 2.0, 5)
    c = v.composition
    x = np.array([j.x for j in c.joints])
    np.testing.assert_allclose(v.joint_y, forward(c.net1, x[None, :]).output[0], atol=1e-12)
    np.testing.assert_allclose(v.joint_y, line_of_pieces(c.pieces1, x), atol=1e-9)
    # the composition at its joints, by the one deep network and by its exact pieces
    np.testing.assert_allclose(v.joint_composed, forward(c.deep, x[None, :]).output[0], atol=1e-9)
    np.testing.assert_allclose(v.joint_composed, line_of_pieces(c.pieces, x), atol=1e-8)
    crossing = np.array([j.source == "network 2" for j in c.joints], dtype=bool)
    levels = np.array([j.level for j in c.joints])
    np.testing.assert_allclose(v.joint_y[crossing], levels[crossing], atol=1e-9)  # y = level
    np.testing.assert_array_equal(v.joints2, np.unique(c.pieces2.joint_x))
    np.testing.assert_allclose(v.joints2_output, line_of_pieces(c.pieces2, v.joints2), atol=1e-9)


def test_smooth_composition_is_refused():
    with pytest.raises(DomainError, match="smooth"):
        deep.compose(
            deep.FOLD_THETA1, deep.FOLD_PHI1, deep.FOLD_THETA2, deep.FOLD_PHI2, "tanh", -1, 1
        )


def test_curves_keep_every_layer_and_the_joints():
    net = deep.random_network([1, 5, 4, 1], "relu", "he", np.random.default_rng(2))
    c = deep.curves_1d(net, -2, 2, 50)
    assert len(c.forward.h) == 2 and c.forward.h[0].shape == (5, len(c.x))
    assert set(c.pieces.edges) <= set(c.x)
    smooth = deep.curves_1d(
        deep.random_network([1, 3, 1], "tanh", "he", np.random.default_rng(0)), 0, 1, 5
    )
    assert smooth.pieces is None and smooth.joint_outputs is None


@pytest.mark.parametrize("n_points", [2, 50])  # joints left out of the samples, or put in
def test_curves_give_the_output_at_each_joint(n_points):
    net = deep.random_network([1, 6, 6, 1], "relu", "he", np.random.default_rng(4))
    c = deep.curves_1d(net, -2, 2, n_points)
    x = c.pieces.joint_x
    assert c.joint_outputs.shape == x.shape and x.size > 3
    np.testing.assert_allclose(c.joint_outputs, forward(net, x[None, :]).output[0], atol=1e-12)
    np.testing.assert_allclose(c.joint_outputs, line_of_pieces(c.pieces, x), atol=1e-9)


def test_random_network_is_seeded_and_sized():
    a = deep.random_network([2, 4, 1], "relu", "he", np.random.default_rng(7), bias_scale=0.3)
    b = deep.random_network([2, 4, 1], "relu", "he", np.random.default_rng(7), bias_scale=0.3)
    np.testing.assert_array_equal(a.omegas[0], b.omegas[0])
    np.testing.assert_array_equal(a.betas[0], b.betas[0])
    assert np.any(a.betas[0] != 0)
    with pytest.raises(DomainError, match="at most 64 hidden units"):
        deep.check_size(deep.random_network([1, 65, 1], "relu", "he", np.random.default_rng(0)))
    with pytest.raises(DomainError, match="at most 10 hidden layers"):
        deep.check_size(
            deep.random_network([1] + [2] * 11 + [1], "relu", "he", np.random.default_rng(0))
        )


def test_edit_network_changes_one_entry():
    net = deep.random_network([1, 3, 1], "relu", "he", np.random.default_rng(0))
    edited = deep.edit_network(net, [(0, 1, 0, 9.0), (1, 0, -1, -4.0)])
    assert edited.omegas[0][1, 0] == 9.0 and edited.betas[1][0] == -4.0
    assert net.omegas[0][1, 0] != 9.0  # the original is untouched
    with pytest.raises(DomainError, match="layer 1: Omega_1 has no column 3"):
        deep.edit_network(net, [(1, 0, 3, 1.0)])
    with pytest.raises(DomainError, match="layer 2: no row 0"):
        deep.edit_network(net, [(2, 0, 0, 1.0)])


@pytest.mark.parametrize("seed", range(5))
def test_linear_network_collapses_to_one_low_rank_matrix(seed):
    rng = np.random.default_rng(seed)
    widths = [4, 6, 2, 5, 3]  # narrowest hidden layer: 2
    net = deep.random_network(widths, "linear", "glorot", rng)
    c = deep.collapse_linear(net, np.linspace(-1, 1, 3), np.linspace(-1, 1, 3), [0.5], [1.0])
    assert c.weight.shape == (3, 4) and c.narrowest == 2
    assert c.rank == 2 <= c.narrowest
    x = rng.normal(size=(4, 10))
    np.testing.assert_allclose(c.weight @ x + c.bias[:, None], forward(net, x).output, atol=1e-12)
    assert c.max_difference < 1e-12
    with pytest.raises(DomainError, match="identity activation"):
        deep.collapse_linear(deep.random_network(widths, "relu", "he", rng))


def test_sawtooth_shape():
    net = deep.sawtooth_network(4, 3)
    assert net.widths == (1, 4, 4, 4, 1)
    with pytest.raises(DomainError):
        deep.sawtooth_network(0, 2)


# ----------------------------------------------------------------------------- bounds


@pytest.mark.parametrize(("n_inputs", "n_hidden"), [(1, 1), (1, 7), (2, 3), (3, 10), (5, 3)])
def test_zaslavsky_is_the_binomial_sum(n_inputs, n_hidden):
    expected = sum(comb(n_hidden, j) for j in range(n_inputs + 1))
    assert deep_bounds.zaslavsky(n_inputs, n_hidden) == expected
    assert deep_bounds.zaslavsky(2, 3) == 7  # the notes' example


def test_book_bound_for_one_input_is_d_plus_one_to_the_k_and_meets_the_upper_bound():
    for width, depth in [(1, 1), (3, 4), (5, 10), (64, 30)]:
        lower = deep_bounds.deep_lower_bound(1, width, depth)
        assert lower == (width + 1) ** depth == deep_bounds.deep_upper_bound(1, width, depth)
    # Problem 4.11 of the book (corrected): D_i = 1, K = 10 layers of D = 5: 6^10 regions.
    assert deep_bounds.deep_lower_bound(1, 5, 10) == 6**10


def test_book_bound_for_several_inputs_is_serras_formula():
    # D = 4, D_i = 2, K = 3: (4/2 + 1)^(2 * 2) * (1 + 4 + 6) = 81 * 11.
    assert deep_bounds.deep_lower_bound(2, 4, 3) == 81 * 11
    assert deep_bounds.deep_upper_bound(2, 4, 3) == 11**3
    assert deep_bounds.deep_lower_bound(2, 4, 3) <= deep_bounds.deep_upper_bound(2, 4, 3)
    # One layer: both are Zaslavsky's sum.
    assert deep_bounds.deep_lower_bound(3, 6, 1) == deep_bounds.zaslavsky(3, 6)


def test_huge_counts_are_exact_integers_with_their_log10():
    rows = deep_bounds.bounds_table(1, 64, 40)
    last = rows[-1]
    assert last.deep_lower == 65**40 and isinstance(last.deep_lower, int)
    assert last.deep_lower > 10**72
    assert last.sawtooth == 64**40
    assert deep_bounds.log10_int(last.deep_lower) == pytest.approx(40 * log10(65), rel=1e-12)
    assert deep_bounds.log10_int(10**400) == pytest.approx(400, rel=1e-14)
    assert last.deep_parameters == parameter_count([1] + [64] * 40 + [1])
    assert last.shallow_same_units == 64 * 40 + 1


def test_deep_against_shallow_counts_stay_under_their_bounds():
    r = deep_bounds.deep_vs_shallow(3, 4, [0, 1, 2])
    for row, k in enumerate(r.depths):
        assert np.all(r.deep[row] <= 4**k)  # (D + 1)^K
        assert np.all(r.shallow_units[row] <= 3 * k + 1)
        assert np.all(r.shallow_params[row] <= r.shallow_params_units[row] + 1)
        p_deep = parameter_count([1] + [3] * int(k) + [1])
        assert abs(3 * r.shallow_params_units[row] + 1 - p_deep) <= 2
    assert r.sawtooth_counted == [3, 9, 27, 81]
    # Recomputing one entry by hand gives the same count.
    net = deep.random_network([1, 3, 3, 1], "relu", "he", np.random.default_rng(1), bias_scale=0.5)
    assert r.deep[1, 1] == pieces_1d(net, -2.0, 2.0).n_regions
    # The means over the seeds, by a plain loop.
    for mean, counts in (
        (r.deep_mean, r.deep),
        (r.shallow_units_mean, r.shallow_units),
        (r.shallow_params_mean, r.shallow_params),
    ):
        assert mean.tolist() == pytest.approx([sum(int(v) for v in row) / 3 for row in counts])


def test_bounds_refuse_nonsense():
    with pytest.raises(DomainError):
        deep_bounds.zaslavsky(0, 3)
    with pytest.raises(DomainError):
        deep_bounds.log10_int(0)
    with pytest.raises(DomainError):
        deep_bounds.deep_vs_shallow(2, 2, [])


def test_network_from_lists_names_the_layer():
    with pytest.raises(DomainError, match="layer 1"):
        network_from_lists([[0.0, 0.0], [0.0]], [[[1.0], [1.0]], [[1.0, 1.0, 1.0]]], "relu")


def test_composition_joints_say_whether_they_bend():
    c = deep.compose(
        deep.FOLD_THETA1, deep.FOLD_PHI1, deep.FOLD_THETA2, deep.FOLD_PHI2, "relu", -1.0, 1.0
    )
    assert all(j.bends for j in c.joints)  # 11 joints, 12 regions
    phi2 = deep.FOLD_PHI2.copy()
    phi2[0, 2] = 0.0  # network 2's unit at y = 0 no longer bends: its 3 crossings are silent
    c = deep.compose(deep.FOLD_THETA1, deep.FOLD_PHI1, deep.FOLD_THETA2, phi2, "relu", -1.0, 1.0)
    silent = [j for j in c.joints if not j.bends]
    assert [(j.source, j.unit) for j in silent] == [("network 2", 1)] * 3
    assert c.pieces.n_regions == c.pieces.n_pieces - 3

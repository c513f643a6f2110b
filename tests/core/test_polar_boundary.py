"""The p = 1/2 boundary of a linear classifier traced in both planes.

Oracles: the classifier's own probability (standardised weights, computed independently of the
raw weights the curves use) is 1/2 at every traced point; a brute-force scan of a fine grid finds
every sign change of p - 1/2 next to a traced point; the line's ends lie on the view's edge.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.coordinates import from_polar, to_polar
from core.errors import DomainError
from core.polar import (
    PolarConfig,
    fit_logistic_regression,
    make_rings,
    predict_probability,
    run_polar,
)
from core.polar_boundary import boundary_curves, clip_line, split_pieces, views

weight = st.floats(min_value=-5, max_value=5, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


def _p_half(w, points, plane, space):
    """w_0 + w . f at points of `plane`, f the classifier's own features (0 on the boundary)."""
    if plane != space:
        points = to_polar(points) if space == "polar" else from_polar(points)
    return w[0] + points @ w[1:]


def _inside(points, box, tol=1e-9):
    return np.all((points >= box[:, 0] - tol) & (points <= box[:, 1] + tol))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("space", ["cartesian", "polar"])
def test_every_traced_point_has_probability_one_half(seed, space):
    rng = np.random.default_rng(seed)
    data = make_rings(50, 1.0, 2.0, 0.4, rng)
    fit = fit_logistic_regression(data.x, data.labels, space, 1e-3)
    curves = boundary_curves(fit.raw_weights(), space, 2.5)
    box = views(2.5)
    pieces_xy = list(curves.xy)
    pieces_polar = [from_polar(c) for c in curves.polar]
    assert pieces_xy or pieces_polar
    for c in curves.xy:
        assert _inside(c, box["cartesian"])
    for c in curves.polar:
        assert _inside(c, box["polar"])
    for points in pieces_xy + pieces_polar:
        np.testing.assert_allclose(predict_probability(fit, points), 0.5, atol=1e-9)


def test_the_line_ends_on_the_edge_of_its_view():
    box = views(3.0)["cartesian"]
    line = clip_line(np.array([0.5, 1.0, -2.0]), box, 50)  # x1 - 2 x2 + 0.5 = 0
    assert line.shape == (50, 2)
    for end in (line[0], line[-1]):
        on_edge = np.isclose(end[:, None], box).any()
        assert on_edge
    np.testing.assert_allclose(0.5 + line @ np.array([1.0, -2.0]), 0, atol=1e-12)
    # Evenly spaced along the line.
    steps = np.linalg.norm(np.diff(line, axis=0), axis=1)
    np.testing.assert_allclose(steps, steps[0])


def test_no_boundary_without_slopes_or_outside_the_view():
    box = views(1.0)["cartesian"]
    assert clip_line(np.array([1.0, 0.0, 0.0]), box, 10).shape == (0, 2)
    assert clip_line(np.array([-5.0, 1.0, 0.0]), box, 10).shape == (0, 2)  # x1 = 5, off the view
    curves = boundary_curves(np.array([1.0, 0.0, 0.0]), "polar", 1.0)
    assert curves.xy == () and curves.polar == ()


@settings(max_examples=60, deadline=None)
@given(weight, weight, weight, st.sampled_from(["cartesian", "polar"]))
def test_a_grid_scan_finds_no_boundary_the_curves_missed(w0, w1, w2, space):
    """Brute force: wherever p - 1/2 changes sign between neighbouring cells of a fine grid in
    either view, a traced point lies within a few cells' width."""
    w = np.array([w0, w1, w2])
    extent = 2.0
    curves = boundary_curves(w, space, extent, n=2000)
    for plane, pieces in (("cartesian", curves.xy), ("polar", curves.polar)):
        box = views(extent)[plane]
        a = np.linspace(*box[0], 81)
        b = np.linspace(*box[1], 81)
        ga, gb = np.meshgrid(a, b)
        grid = np.stack([ga.ravel(), gb.ravel()], axis=1)
        sign = np.sign(_p_half(w, grid, plane, space)).reshape(ga.shape)
        if plane == "cartesian" and space == "polar":
            # theta jumps from pi to -pi across the negative x1 axis: p jumps there too, which is
            # a seam, not a boundary. Rows are x2: ignore the pairs that straddle that half-axis.
            theta = to_polar(grid)[:, 1].reshape(ga.shape)
            seam = np.abs(theta[1:] - theta[:-1]) > np.pi
            vertical = sign[1:] * sign[:-1]
            vertical[seam] = 1
        else:
            vertical = sign[1:] * sign[:-1]
        crossings = np.concatenate(
            [
                ((grid.reshape(*ga.shape, 2)[:, 1:] + grid.reshape(*ga.shape, 2)[:, :-1]) / 2)[
                    sign[:, 1:] * sign[:, :-1] < 0
                ],
                ((grid.reshape(*ga.shape, 2)[1:] + grid.reshape(*ga.shape, 2)[:-1]) / 2)[
                    vertical < 0
                ],
            ]
        )
        if len(crossings) == 0:
            continue
        assert pieces, f"{plane}: the grid crosses the boundary but no curve was traced"
        cell = (box[:, 1] - box[:, 0]) / 80  # one cell in each coordinate
        nearest = np.min(
            [_distance_to_polyline(crossings / cell, c / cell) for c in pieces], axis=0
        )
        assert np.all(nearest < 2), f"{plane}: a crossing {nearest.max():.1f} cells from any curve"


def _distance_to_polyline(points, polyline):
    """Euclidean distance from each point (P, 2) to the nearest segment of a polyline (M, 2)."""
    a, b = polyline[:-1], polyline[1:]  # segments (M - 1, 2)
    ab = b - a
    t = np.einsum("pmk,mk->pm", points[:, None, :] - a[None], ab) / np.maximum(
        np.einsum("mk,mk->m", ab, ab), 1e-300
    )
    closest = a[None] + np.clip(t, 0, 1)[..., None] * ab[None]
    return np.min(np.linalg.norm(points[:, None, :] - closest, axis=2), axis=1)


def test_a_piece_is_cut_where_theta_wraps_around():
    # The vertical line x1 = -1 crosses the negative x1 axis, where theta jumps from pi to -pi.
    curves = boundary_curves(np.array([1.0, 1.0, 0.0]), "cartesian", 2.0)
    assert len(curves.polar) == 2
    for piece in curves.polar:
        assert np.all(np.abs(np.diff(piece[:, 1])) < 0.5)  # no jump inside a piece


def test_split_pieces_keeps_runs_inside_the_box():
    box = np.array([[0.0, 1.0], [0.0, 1.0]])
    points = np.array(
        [[0.1, 0.1], [0.2, 0.2], [2.0, 2.0], [0.3, 0.3], [0.4, 0.4], [0.5, 0.5], [3, 3]]
    )
    pieces = split_pieces(points, box, wrap=None)
    assert [p.tolist() for p in pieces] == [points[:2].tolist(), points[3:6].tolist()]


def test_run_polar_traces_both_classifiers_and_rejects_unknown_spaces():
    result = run_polar(PolarConfig(grid_size=10), np.random.default_rng(0))
    assert set(result.curves) == {"cartesian", "polar"}
    # The rings are separable in r: the (r, theta) classifier's boundary is one spiral arc.
    assert len(result.curves["polar"].xy) == 1
    with pytest.raises(DomainError, match="feature space"):
        boundary_curves(np.ones(3), "spherical", 1.0)

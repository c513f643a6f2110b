"""The decision boundary p = 1/2 of a linear classifier, traced in both planes of the polar lab.

A logistic-regression classifier on features f = (f_1, f_2) says p(y = 1) = 1/2 exactly where

    w_0 + w_1 f_1 + w_2 f_2 = 0,

a straight line in its own feature plane. Mapped into the other plane it bends:

- the (x1, x2) classifier's line, seen in (r, theta), is r = -w_0 / (w_1 cos theta + w_2 sin theta),
  with a jump where the line crosses the negative x1 axis (theta wraps from pi to -pi);
- the (r, theta) classifier's line r = a + b theta, seen in (x1, x2), is an arc of an
  Archimedean spiral (see ``core.polar.spiral_boundary``).

``boundary_curves`` samples the line inside the view of its own plane and maps the samples into
the other plane, cut into pieces wherever the curve leaves the view or wraps around. The page
draws these exact curves instead of contouring the sampled probability map.

Reference: course notes ch. 3 (polar coordinates); Prince, *Understanding Deep Learning*,
ch. 5.4 (the logistic sigmoid is 1/2 where its argument is 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.coordinates import from_polar, to_polar
from core.errors import DomainError

BOUNDARY_SAMPLES = 400  # points along the line in its own plane


@dataclass(frozen=True)
class BoundaryCurves:
    """The boundary in both planes, each a tuple of pieces.

    Attributes
    ----------
    xy : tuple of ndarray, each shape (M, 2)
        Pieces in the (x1, x2) plane: columns x1, x2.
    polar : tuple of ndarray, each shape (M, 2)
        Pieces in the (r, theta) plane: columns r, theta.
    """

    xy: tuple[np.ndarray, ...]
    polar: tuple[np.ndarray, ...]


def views(extent: float) -> dict[str, np.ndarray]:
    """The rectangle each plane shows, as [[lo_1, hi_1], [lo_2, hi_2]].

    (x1, x2): the square [-extent, extent]^2; (r, theta): [0, extent] x [-pi, pi].
    """
    return {
        "cartesian": np.array([[-extent, extent], [-extent, extent]]),
        "polar": np.array([[0.0, extent], [-np.pi, np.pi]]),
    }


def clip_line(raw_weights: np.ndarray, box: np.ndarray, n: int) -> np.ndarray:
    """n points evenly spaced along w_0 + w_1 f_1 + w_2 f_2 = 0 inside `box`, shape (n, 2).

    The line is p(t) = p_0 + t d with p_0 = -w_0 (w_1, w_2) / |(w_1, w_2)|^2 (its point nearest
    the origin) and d = (-w_2, w_1) / |(w_1, w_2)|; each side of the box bounds t (Liang-Barsky).
    No points (shape (0, 2)) when w_1 = w_2 = 0 or the line misses the box.
    """
    w0, w1, w2 = (float(v) for v in raw_weights)
    normal = np.array([w1, w2])
    norm = float(np.hypot(w1, w2))
    if norm == 0.0:
        return np.empty((0, 2))
    p0 = -w0 * normal / norm**2
    d = np.array([-w2, w1]) / norm
    t_lo, t_hi = -np.inf, np.inf
    for j in range(2):
        lo, hi = box[j]
        if d[j] == 0.0:
            if not lo <= p0[j] <= hi:
                return np.empty((0, 2))
            continue
        a, b = sorted(((lo - p0[j]) / d[j], (hi - p0[j]) / d[j]))
        t_lo, t_hi = max(t_lo, a), min(t_hi, b)
    if not t_lo < t_hi:
        return np.empty((0, 2))
    t = np.linspace(t_lo, t_hi, n)
    return p0 + t[:, None] * d


def split_pieces(points: np.ndarray, box: np.ndarray, wrap: float | None) -> tuple[np.ndarray, ...]:
    """Cut a polyline into the runs of points inside `box`, also cutting where the second
    coordinate jumps by more than `wrap` (theta wrapping from pi to -pi). Runs of one point go."""
    if len(points) == 0:
        return ()
    inside = np.all((points >= box[:, 0]) & (points <= box[:, 1]), axis=1)
    cut = np.zeros(len(points), dtype=bool)  # cut[i]: a new piece starts at point i
    cut[1:] = inside[1:] & ~inside[:-1]
    if wrap is not None:
        cut[1:] |= np.abs(np.diff(points[:, 1])) > wrap
    pieces = []
    for run in np.split(np.arange(len(points)), np.flatnonzero(cut)):
        run = run[inside[run]]
        if len(run) > 1:
            pieces.append(points[run])
    return tuple(pieces)


def boundary_curves(
    raw_weights: np.ndarray, space: str, extent: float, n: int = BOUNDARY_SAMPLES
) -> BoundaryCurves:
    """Where the classifier on `space` ("cartesian" or "polar") says p = 1/2, in both planes.

    Parameters
    ----------
    raw_weights : ndarray, shape (3,)
        (w_0, w_1, w_2) on the unscaled features of `space`.
    space : str
    extent : float
        Half-width of the (x1, x2) view and largest r of the (r, theta) view.
    n : int
        Samples along the line in its own plane.
    """
    box = views(extent)
    if space not in box:
        raise DomainError(f"unknown feature space {space!r}; choose cartesian or polar")
    w = np.asarray(raw_weights, dtype=float)
    if space == "cartesian":
        # The (r, theta) view is the disc r <= extent, inside the square: one clip serves both.
        own = clip_line(w, box["cartesian"], n)
        xy = split_pieces(own, box["cartesian"], wrap=None)
        polar = split_pieces(to_polar(own), box["polar"], wrap=np.pi)
    else:
        # The square's corners lie out to r = sqrt(2) extent: trace the line that far.
        reach = np.array([[0.0, np.sqrt(2.0) * extent], [-np.pi, np.pi]])
        own = clip_line(w, reach, n)
        polar = split_pieces(own, box["polar"], wrap=None)
        xy = split_pieces(from_polar(own), box["cartesian"], wrap=None)
    return BoundaryCurves(xy=xy, polar=polar)

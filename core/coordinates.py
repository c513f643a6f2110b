"""Polar coordinates of the plane: (x1, x2) <-> (r, theta).

    r = sqrt(x1^2 + x2^2),    theta = atan2(x2, x1)  in (-pi, pi],
    x1 = r cos theta,         x2 = r sin theta.

Reference: course notes ch. 3 (polar coordinates as a hand-made feature).
"""

from __future__ import annotations

import numpy as np

from core.errors import DomainError


def to_polar(x: np.ndarray) -> np.ndarray:
    """(x1, x2) -> (r, theta) with r = sqrt(x1^2 + x2^2), theta = atan2(x2, x1).

    ``np.arctan2`` picks the right quadrant (the notes' arctan(x2 / x1) only covers half
    the plane). Shapes: (N, 2) -> (N, 2).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise DomainError(f"points must have shape (N, 2), got {x.shape}")
    return np.stack([np.hypot(x[:, 0], x[:, 1]), np.arctan2(x[:, 1], x[:, 0])], axis=1)


def from_polar(p: np.ndarray) -> np.ndarray:
    """(r, theta) -> (r cos theta, r sin theta).  Shapes: (N, 2) -> (N, 2)."""
    p = np.asarray(p, dtype=float)
    return np.stack([p[:, 0] * np.cos(p[:, 1]), p[:, 0] * np.sin(p[:, 1])], axis=1)

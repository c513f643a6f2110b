"""Polar coordinates as a hand-made feature: concentric rings and logistic regression.

Two classes lie on concentric rings in the plane (x1, x2). No straight line separates them,
so a linear classifier on (x1, x2) is no better than a coin. After the transform

    r = sqrt(x1^2 + x2^2),    theta = atan2(x2, x1)  (in (-pi, pi]),

the classes differ only in r, and a line in the (r, theta) plane separates them: the same
linear classifier on (r, theta) succeeds. Its boundary w_0 + w_1 r + w_2 theta = 0 is
r = a + b theta with a = -w_0 / w_1, b = -w_2 / w_1; mapped back to the plane it is an arc of
an Archimedean spiral, not a circle: its ends r = a - b pi and r = a + b pi meet the negative
x1 axis (theta = +-pi) with a seam of width 2 pi |b|; it is close to a circle only for small b.

The classifier is logistic regression, p(y = 1 | f) = sig(w_0 + w_1 f_1 + w_2 f_2), fitted by
Newton's method (iteratively reweighted least squares) on standardised features with a small
L2 penalty on w_1, w_2. While the rings do not overlap in r they are separable in (r, theta),
and there the unpenalised likelihood keeps growing as the weights grow: without the penalty the
best weights would be infinitely large. Once noise makes the rings overlap in r, the
unpenalised optimum is finite and the penalty only shrinks it a little.

Reference: course notes ch. 3 (polar coordinates); Prince, *Understanding Deep Learning*,
ch. 5.4 (binary classification, logistic sigmoid).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation
from core.coordinates import from_polar, to_polar
from core.errors import DomainError
from core.polar_boundary import BoundaryCurves, boundary_curves

FEATURE_SPACES: tuple[str, ...] = ("cartesian", "polar")
NEWTON_TOLERANCE = 1e-10  # stop when the Newton step is shorter than this
_SIGMOID = get_activation("sigmoid")


# ---------------------------------------------------------------------------- data
@dataclass(frozen=True)
class RingData:
    """Two-class points on concentric rings.

    Attributes
    ----------
    x : ndarray, shape (2 N, 2)
        Points (x1, x2); the first N are class 0 (inner ring), the next N class 1.
    labels : ndarray of int, shape (2 N,)
    """

    x: np.ndarray
    labels: np.ndarray


def make_rings(
    n_per_class: int,
    inner_radius: float,
    outer_radius: float,
    noise: float,
    rng: np.random.Generator,
) -> RingData:
    """Sample points at angle ~ U(-pi, pi) and radius = ring radius + noise * N(0, 1).

    Radii are folded to |radius| so noise never flips a point through the origin.
    """
    if n_per_class < 1:
        raise DomainError(f"each class needs at least 1 point, got {n_per_class}")
    if not 0 <= inner_radius < outer_radius:
        raise DomainError(
            "the radii must satisfy 0 <= inner < outer, "
            f"got inner {inner_radius} and outer {outer_radius}"
        )
    if noise < 0:
        raise DomainError(f"the noise level must be at least 0, got {noise}")
    ring = np.repeat([inner_radius, outer_radius], n_per_class)  # (2N,)
    radius = np.abs(ring + noise * rng.standard_normal(2 * n_per_class))
    angle = rng.uniform(-np.pi, np.pi, size=2 * n_per_class)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)  # (2N, 2)
    labels = np.repeat([0, 1], n_per_class)
    return RingData(x, labels)


def features(x: np.ndarray, space: str) -> np.ndarray:
    """The classifier's inputs: the points themselves or their polar coordinates."""
    if space == "cartesian":
        return np.asarray(x, dtype=float)
    if space == "polar":
        return to_polar(x)
    raise DomainError(f"unknown feature space {space!r}; choose one of {', '.join(FEATURE_SPACES)}")


# ---------------------------------------------------------------------------- logistic regression
def _design(f: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((f.shape[0], 1)), f])  # (N, 3)


def logistic_loss(
    w: np.ndarray, f: np.ndarray, labels: np.ndarray, l2: float
) -> tuple[float, np.ndarray, np.ndarray]:
    r"""Penalised mean binary cross-entropy, its gradient and its Hessian.

    With X = [1, f], p_i = sig(w^T x_i) and the bias w_0 not penalised:

    .. math::
        L = -\frac{1}{N}\sum_i [y_i \log p_i + (1 - y_i)\log(1 - p_i)]
            + \frac{\lambda}{2}(w_1^2 + w_2^2),\\
        \nabla L = \frac{1}{N} X^\top (p - y) + \lambda (0, w_1, w_2),\quad
        H = \frac{1}{N} X^\top \mathrm{diag}(p(1 - p)) X + \lambda\,\mathrm{diag}(0, 1, 1).

    Parameters
    ----------
    w : ndarray, shape (3,)
    f : ndarray, shape (N, 2)
    labels : ndarray, shape (N,)
    l2 : float

    Returns
    -------
    loss : float
    gradient : ndarray, shape (3,)
    hessian : ndarray, shape (3, 3)
    """
    design = _design(f)
    z = design @ w  # (N,)
    p = _SIGMOID.value(z)
    # log sig(z) = -softplus(-z), log(1 - sig(z)) = -softplus(z): no log(0).
    nll = np.mean(labels * np.logaddexp(0.0, -z) + (1 - labels) * np.logaddexp(0.0, z))
    penalty = np.array([0.0, 1.0, 1.0])
    loss = float(nll + 0.5 * l2 * np.sum(penalty * w**2))
    gradient = design.T @ (p - labels) / labels.size + l2 * penalty * w
    hessian = (design * (p * (1 - p))[:, None]).T @ design / labels.size + l2 * np.diag(penalty)
    return loss, gradient, hessian


@dataclass(frozen=True)
class LogisticFit:
    """Logistic regression fitted on standardised features u = (f - mean) / scale.

    Attributes
    ----------
    space : str
        ``"cartesian"`` or ``"polar"``.
    weights : ndarray, shape (3,)
        (w_0, w_1, w_2) acting on standardised features.
    mean, scale : ndarray, shape (2,)
    loss : float
        Final penalised loss.
    n_iterations : int
    status : str
        ``"converged"``, ``"max_iterations"`` or ``"diverged"``.
    """

    space: str
    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    loss: float
    n_iterations: int
    status: str

    def raw_weights(self) -> np.ndarray:
        """Weights on the unscaled features: w_0 - sum_j w_j m_j / s_j, then w_j / s_j."""
        slopes = self.weights[1:] / self.scale
        return np.concatenate([[self.weights[0] - slopes @ self.mean], slopes])


def fit_logistic_regression(
    x: np.ndarray, labels: np.ndarray, space: str, l2: float, max_iterations: int = 50
) -> LogisticFit:
    """Newton's method w <- w - H^{-1} grad L from w = 0 on standardised features.

    The penalised loss is strictly convex (for l2 > 0), so Newton's method converges; a
    non-finite loss still stops with status ``"diverged"``.
    """
    if l2 <= 0:
        raise DomainError(f"the L2 penalty must be positive, got {l2}")
    labels = np.asarray(labels, dtype=float)
    f = features(x, space)
    mean = f.mean(axis=0)
    scale = f.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # a constant feature stays as it is
    u = (f - mean) / scale  # (N, 2)
    w = np.zeros(3)
    status = "max_iterations"
    n_iterations = 0
    loss = float("nan")
    while n_iterations < max_iterations:
        n_iterations += 1
        loss, gradient, hessian = logistic_loss(w, u, labels, l2)
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            status = "diverged"
            break
        new_w = w - step
        if not np.all(np.isfinite(new_w)):
            status = "diverged"
            break
        w = new_w
        if np.linalg.norm(step) < NEWTON_TOLERANCE:
            status = "converged"
            break
    if status != "diverged":
        loss = logistic_loss(w, u, labels, l2)[0]
    return LogisticFit(space, w, mean, scale, float(loss), n_iterations, status)


def predict_probability(fit: LogisticFit, x: np.ndarray) -> np.ndarray:
    """p(y = 1 | x) = sig(w^T [1, (f(x) - mean) / scale]).  Shapes: (N, 2) -> (N,)."""
    u = (features(x, fit.space) - fit.mean) / fit.scale
    return _SIGMOID.value(_design(u) @ fit.weights)


def accuracy(fit: LogisticFit, x: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of points whose predicted class (p > 1/2) equals the label."""
    return float(np.mean((predict_probability(fit, x) > 0.5) == (np.asarray(labels) == 1)))


# ---------------------------------------------------------------------------- the boundary
@dataclass(frozen=True)
class SpiralBoundary:
    """The boundary w_0 + w_1 r + w_2 theta = 0 of the (r, theta) classifier as r = a + b theta.

    Attributes
    ----------
    a : float
        Radius at theta = 0: -w_0 / w_1.
    b : float
        Change of radius per radian: -w_2 / w_1 (0 makes a circle).
    seam_gap : float
        2 pi |b|: the jump of r where the arc's ends meet at theta = +-pi.
    """

    a: float
    b: float
    seam_gap: float


def spiral_boundary(raw_weights: np.ndarray) -> SpiralBoundary | None:
    """r = a + b theta from raw weights (w_0, w_1, w_2) on (r, theta); None when w_1 = 0.

    With w_1 = 0 the boundary does not depend on r (a set of rays), so it is not of this form.
    """
    w0, w1, w2 = (float(v) for v in raw_weights)
    if w1 == 0.0:
        return None
    b = -w2 / w1
    return SpiralBoundary(a=-w0 / w1, b=b, seam_gap=2.0 * np.pi * abs(b))


def rings_overlap_in_r(polar: np.ndarray, labels: np.ndarray) -> bool:
    """True when no radius r = const separates the classes: the radial ranges interlock.

    Only then do the unpenalised logistic-regression weights on (r, theta) stay finite.
    """
    r = np.asarray(polar, dtype=float)[:, 0]
    labels = np.asarray(labels)
    r0, r1 = r[labels == 0], r[labels == 1]
    return not (r0.max() < r1.min() or r1.max() < r0.min())


# ---------------------------------------------------------------------------- the experiment
@dataclass(frozen=True)
class PolarConfig:
    """Settings of the polar-coordinates experiment (defaults in comments)."""

    n_per_class: int = 100  # points per ring
    inner_radius: float = 1.0  # radius of class 0
    outer_radius: float = 2.0  # radius of class 1
    noise: float = 0.15  # std of the radial noise
    l2: float = 1e-3  # L2 penalty on the standardised slopes
    grid_size: int = 60  # cells per side of the probability maps


@dataclass(frozen=True)
class PolarResult:
    """Data, both classifiers and their probability maps in both planes.

    Attributes
    ----------
    x : ndarray, shape (2N, 2)
    polar : ndarray, shape (2N, 2)
        (r, theta) of each point.
    labels : ndarray, shape (2N,)
    fits : dict[str, LogisticFit]
        Keyed by feature space.
    accuracies : dict[str, float]
    x1_grid, x2_grid : ndarray, shape (G,)
        Axes of the map in the (x1, x2) plane (a square around the data).
    r_grid, theta_grid : ndarray, shape (G,)
        Axes of the map in the (r, theta) plane (r from 0 to the largest radius).
    prob_xy : dict[str, ndarray], shape (G, G)
        p(y = 1) of each classifier at (x1_grid[j], x2_grid[i]) (row i, column j).
    prob_polar : dict[str, ndarray], shape (G, G)
        p(y = 1) at (r_grid[j], theta_grid[i]).
    boundary : SpiralBoundary or None
        The (r, theta) classifier's boundary as r = a + b theta.
    curves : dict[str, BoundaryCurves]
        Each classifier's boundary p = 1/2 traced in both planes, within the maps' views.
    overlap_in_r : bool
        Whether the rings' radii interlock (no circle separates them).
    """

    x: np.ndarray
    polar: np.ndarray
    labels: np.ndarray
    fits: dict
    accuracies: dict
    x1_grid: np.ndarray
    x2_grid: np.ndarray
    r_grid: np.ndarray
    theta_grid: np.ndarray
    prob_xy: dict
    prob_polar: dict
    boundary: SpiralBoundary | None
    curves: dict[str, BoundaryCurves]
    overlap_in_r: bool


def run_polar(config: PolarConfig, rng: np.random.Generator) -> PolarResult:
    """Sample rings, fit logistic regression on (x1, x2) and on (r, theta), map both."""
    cfg = config
    if cfg.grid_size < 2:
        raise DomainError(f"the map needs at least 2 cells per side, got {cfg.grid_size}")
    data = make_rings(cfg.n_per_class, cfg.inner_radius, cfg.outer_radius, cfg.noise, rng)
    polar = to_polar(data.x)
    fits = {s: fit_logistic_regression(data.x, data.labels, s, cfg.l2) for s in FEATURE_SPACES}

    extent = 1.1 * float(polar[:, 0].max())
    x1_grid = np.linspace(-extent, extent, cfg.grid_size)
    x2_grid = x1_grid.copy()
    gx1, gx2 = np.meshgrid(x1_grid, x2_grid)  # (G, G) each, row = x2
    plane = np.stack([gx1.ravel(), gx2.ravel()], axis=1)  # (G*G, 2)

    r_grid = np.linspace(0.0, extent, cfg.grid_size)
    theta_grid = np.linspace(-np.pi, np.pi, cfg.grid_size)
    gr, gt = np.meshgrid(r_grid, theta_grid)  # (G, G) each, row = theta
    polar_plane = from_polar(np.stack([gr.ravel(), gt.ravel()], axis=1))  # (G*G, 2)

    shape = (cfg.grid_size, cfg.grid_size)
    return PolarResult(
        x=data.x,
        polar=polar,
        labels=data.labels,
        fits=fits,
        accuracies={s: accuracy(fit, data.x, data.labels) for s, fit in fits.items()},
        x1_grid=x1_grid,
        x2_grid=x2_grid,
        r_grid=r_grid,
        theta_grid=theta_grid,
        prob_xy={s: predict_probability(fit, plane).reshape(shape) for s, fit in fits.items()},
        prob_polar={
            s: predict_probability(fit, polar_plane).reshape(shape) for s, fit in fits.items()
        },
        boundary=spiral_boundary(fits["polar"].raw_weights()),
        curves={s: boundary_curves(fit.raw_weights(), s, extent) for s, fit in fits.items()},
        overlap_in_r=rings_overlap_in_r(polar, data.labels),
    )

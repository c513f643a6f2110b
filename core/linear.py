"""Linear regression y = phi_0 + phi_1 x: data, least-squares loss, gradient, descent, exact fit.

Reference: course notes ch. 1.2 ("Family of linear functions"); Prince, *Understanding Deep
Learning*, ch. 2. The loss is the mean squared error

    L[phi] = 1/N sum_i (phi_0 + phi_1 x_i - y_i)^2,

a convex quadratic in phi. Writing the sufficient statistics m_x = mean(x), m_xx = mean(x^2),
m_y = mean(y), m_xy = mean(x y), m_yy = mean(y^2) it becomes

    L[phi] = phi^T A phi - 2 b^T phi + m_yy,  A = [[1, m_x], [m_x, m_xx]],  b = [m_y, m_xy],

so the gradient is 2 (A phi - b), the minimum solves A phi = b (the normal equations), and the
whole loss surface costs O(grid) instead of O(grid * N).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.errors import DomainError

Status = Literal["converged", "max_steps", "diverged"]

# Descent stops as "diverged" when the loss is not finite, exceeds DIVERGENCE_LOSS, or grows to
# DIVERGENCE_FACTOR times its starting value (a stable step never increases a convex quadratic).
DIVERGENCE_LOSS = 1e100
DIVERGENCE_FACTOR = 1e6


@dataclass(frozen=True)
class LinearData:
    """A 1D regression data set: inputs x and targets y, both of shape (N,)."""

    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class QuadraticLoss:
    """The MSE loss of y = phi_0 + phi_1 x written as phi^T A phi - 2 b^T phi + c."""

    A: np.ndarray  # (2, 2), symmetric positive semi-definite
    b: np.ndarray  # (2,)
    c: float


@dataclass(frozen=True)
class DescentResult:
    """A gradient-descent run.

    Attributes
    ----------
    trajectory : ndarray, shape (steps + 1, 2)
        phi after each step, the start first.
    losses : ndarray, shape (steps + 1,)
        L[phi] at each point of the trajectory (all finite).
    status : {"converged", "max_steps", "diverged"}
        Why the run stopped.
    steps : int
        Number of updates that were made.
    """

    trajectory: np.ndarray
    losses: np.ndarray
    status: Status
    steps: int


def make_data(
    n_points: int,
    slope: float,
    intercept: float,
    noise: float,
    rng: np.random.Generator,
    x_min: float = 0.0,
    x_max: float = 2.0,
) -> LinearData:
    """Draw N points x ~ U[x_min, x_max], y = intercept + slope x + noise * eps, eps ~ N(0, 1)."""
    if n_points < 2:
        raise DomainError(f"need at least 2 data points, got {n_points}")
    if noise < 0:
        raise DomainError(f"noise must be non-negative, got {noise}")
    if not x_max > x_min:
        raise DomainError(f"x_max must be greater than x_min, got [{x_min}, {x_max}]")
    x = np.sort(rng.uniform(x_min, x_max, size=n_points))  # (N,)
    y = intercept + slope * x + noise * rng.standard_normal(n_points)  # (N,)
    return LinearData(x=x, y=y)


def check_data(x: np.ndarray, y: np.ndarray) -> LinearData:
    """Validate user data: same length, at least two distinct x values, finite numbers."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise DomainError(f"x and y must be 1D and of equal length, got {x.shape} and {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DomainError("x and y must be finite numbers")
    if np.unique(x).size < 2:
        raise DomainError("need at least two distinct x values to fit a line")
    return LinearData(x=x, y=y)


def predict(phi: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Model output f[x, phi] = phi_0 + phi_1 x, shape of x."""
    return phi[0] + phi[1] * np.asarray(x, dtype=float)


def mse_loss(phi: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    r"""Mean squared error :math:`L = \frac1N \sum_i (\phi_0 + \phi_1 x_i - y_i)^2`."""
    residuals = predict(phi, x) - y  # (N,)
    return float(np.mean(residuals**2))


def mse_gradient(phi: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Gradient :math:`\partial L/\partial\phi_0 = \frac2N\sum_i r_i`,
    :math:`\partial L/\partial\phi_1 = \frac2N\sum_i r_i x_i` with :math:`r_i` the residual."""
    residuals = predict(phi, x) - y  # (N,)
    return np.array([2.0 * np.mean(residuals), 2.0 * np.mean(residuals * x)])


def gradient_vanishes(
    phi: np.ndarray, x: np.ndarray, y: np.ndarray, gradient: np.ndarray, rtol: float = 1e-9
) -> bool:
    """True when grad L at phi is zero up to rounding, so it has no direction to draw.

    The gradient (2/N) sum r_i (1, x_i) is a sum of terms of size 2 mean(|r_i| (1 + |x_i|)); at
    the minimum they cancel and what is left is rounding noise pointing anywhere. It vanishes
    when |grad L| <= rtol times that size (exactly zero data residuals included).
    """
    residuals = predict(phi, x) - y  # (N,)
    scale = 2.0 * float(np.mean(np.abs(residuals) * (1.0 + np.abs(x))))
    return bool(np.hypot(*gradient) <= rtol * scale)


def quadratic_form(x: np.ndarray, y: np.ndarray) -> QuadraticLoss:
    """Sufficient statistics of the MSE loss (see the module docstring)."""
    m_x, m_xx = float(np.mean(x)), float(np.mean(x * x))
    m_y, m_xy, m_yy = float(np.mean(y)), float(np.mean(x * y)), float(np.mean(y * y))
    return QuadraticLoss(A=np.array([[1.0, m_x], [m_x, m_xx]]), b=np.array([m_y, m_xy]), c=m_yy)


def loss_surface(q: QuadraticLoss, phi0: np.ndarray, phi1: np.ndarray) -> np.ndarray:
    """L on the grid phi0 x phi1: returns shape (len(phi1), len(phi0)) (rows follow phi_1)."""
    p0 = np.asarray(phi0, dtype=float)[None, :]  # (1, G0)
    p1 = np.asarray(phi1, dtype=float)[:, None]  # (G1, 1)
    (a00, a01), (_, a11) = q.A
    surface = a00 * p0**2 + 2 * a01 * p0 * p1 + a11 * p1**2 - 2 * (q.b[0] * p0 + q.b[1] * p1) + q.c
    return np.maximum(surface, 0.0)  # (G1, G0); clip rounding below the true minimum 0


def _whitened_offset(q: QuadraticLoss, phi: np.ndarray):
    """Centre phi*, eigen-decomposition A = V diag(l) V^T and u = diag(sqrt l) V^T (phi - phi*).

    In the whitened coordinates u the loss is |u|^2 + L[phi*], so a level set is a circle.
    """
    phi = np.asarray(phi, dtype=float)
    centre = np.linalg.solve(q.A, q.b)
    eigvals, eigvecs = np.linalg.eigh(q.A)  # A = V diag(l) V^T, l > 0
    u = eigvecs.T @ (phi - centre) * np.sqrt(eigvals)  # (2,), |u| = const on the set
    return centre, eigvals, eigvecs, u


def level_line(q: QuadraticLoss, phi: np.ndarray, n_points: int = 181) -> np.ndarray:
    """The level set {phi' : L[phi'] = L[phi]} through phi, an ellipse, as (n_points, 2).

    The ellipse is centred on the minimiser phi* with axes along the eigenvectors of A; it is
    parametrised to start and end at phi itself.
    """
    centre, eigvals, eigvecs, u = _whitened_offset(q, phi)
    radius = float(np.hypot(*u))
    start = math.atan2(u[1], u[0])
    t = start + np.linspace(0.0, 2 * np.pi, n_points)  # (n,)
    whitened = radius * np.stack([np.cos(t), np.sin(t)], axis=1)  # (n, 2)
    return centre + (whitened / np.sqrt(eigvals)) @ eigvecs.T  # (n, 2)


def level_line_tangent(q: QuadraticLoss, phi: np.ndarray) -> np.ndarray:
    """Direction of the level line through phi at phi itself: d/dt of :func:`level_line`'s
    parametrisation at its start, shape (2,). Zero when phi is the minimiser (the set is a point).

    In whitened coordinates the level set is the circle |u| = r; its tangent at u is u rotated by
    90 degrees, (-u_1, u_0), mapped back by V diag(1/sqrt l).
    """
    _, eigvals, eigvecs, u = _whitened_offset(q, phi)
    return eigvecs @ (np.array([-u[1], u[0]]) / np.sqrt(eigvals))  # (2,)


def line_angle_degrees(direction: np.ndarray, line: np.ndarray) -> float | None:
    """Angle in degrees, in [0, 90], between a direction and a line (a line has no sense, so the
    angle to its direction t and to -t is the same). None when either vector is zero."""
    d_norm, l_norm = float(np.hypot(*direction)), float(np.hypot(*line))
    if d_norm == 0.0 or l_norm == 0.0:
        return None
    cosine = min(1.0, abs(float(direction @ line)) / (d_norm * l_norm))
    return math.degrees(math.acos(cosine))


def exact_solution(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Least-squares parameters :math:`\Phi = (X^\top X)^{-1} X^\top y`.

    Solved with an SVD-based least-squares routine rather than by inverting X^T X, which would
    square the condition number.

    Parameters
    ----------
    X : ndarray, shape (N, D)
        Design matrix (for the line, a column of ones and the column x).
    y : ndarray, shape (N,)

    Returns
    -------
    ndarray, shape (D,)
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] != np.shape(y)[0]:
        raise DomainError(f"X must be (N, D) with N = len(y), got {X.shape} and {np.shape(y)}")
    phi, *_ = np.linalg.lstsq(X, y, rcond=None)
    return phi


def design_matrix(x: np.ndarray) -> np.ndarray:
    """[1, x] for the line: shape (N, 2)."""
    x = np.asarray(x, dtype=float)
    return np.stack([np.ones_like(x), x], axis=1)  # (N, 2)


def gradient_descent(
    q: QuadraticLoss,
    phi_start: np.ndarray,
    learning_rate: float,
    tolerance: float,
    max_steps: int,
) -> DescentResult:
    r"""Full-batch gradient descent :math:`\phi \leftarrow \phi - \lambda \nabla_\phi L`.

    Stops when :math:`|L^{new} - L^{old}| < \epsilon` ("converged"), after ``max_steps``
    updates ("max_steps"), or when the loss blows up ("diverged": not finite, above
    ``DIVERGENCE_LOSS`` or ``DIVERGENCE_FACTOR`` times the start; that point is not included).
    """
    if learning_rate <= 0:
        raise DomainError(f"learning rate must be positive, got {learning_rate}")
    if tolerance < 0:
        raise DomainError(f"tolerance must be non-negative, got {tolerance}")
    if max_steps < 0:
        raise DomainError(f"max_steps must be non-negative, got {max_steps}")
    # The loop runs over steps on 2 numbers: plain floats are ~10x faster than tiny arrays.
    (a00, a01), (_, a11) = q.A.tolist()
    b0, b1 = q.b.tolist()
    p0, p1 = (float(v) for v in phi_start)

    def loss(u: float, v: float) -> float:
        return a00 * u * u + 2 * a01 * u * v + a11 * v * v - 2 * (b0 * u + b1 * v) + q.c

    points = [(p0, p1)]
    losses = [loss(p0, p1)]
    status: Status = "max_steps"
    if not (math.isfinite(losses[0]) and losses[0] < DIVERGENCE_LOSS):
        raise DomainError("the start point is too far away: its loss is not a finite number")
    limit = min(DIVERGENCE_LOSS, DIVERGENCE_FACTOR * max(losses[0], 1e-12))
    for _ in range(max_steps):
        g0 = 2 * (a00 * p0 + a01 * p1 - b0)
        g1 = 2 * (a01 * p0 + a11 * p1 - b1)
        p0, p1 = p0 - learning_rate * g0, p1 - learning_rate * g1
        new = loss(p0, p1)
        if not (math.isfinite(new) and new < limit):
            status = "diverged"
            break
        points.append((p0, p1))
        losses.append(new)
        if abs(losses[-1] - losses[-2]) < tolerance:
            status = "converged"
            break
    return DescentResult(
        trajectory=np.array(points),
        losses=np.maximum(np.array(losses), 0.0),
        status=status,
        steps=len(points) - 1,
    )


MAX_TIMING_WORK = 1e9  # sum over the sweep of N D^2 + D^3, times repeats (about a second)


@dataclass(frozen=True)
class ComplexityTiming:
    """Measured cost of the normal equations for growing N and D.

    ``gram_seconds`` times forming X^T X (the O(N D^2) term) and ``solve_seconds`` times solving
    the D x D system (the O(D^3) term); each entry is the median of ``repeats`` runs.
    """

    n_values: np.ndarray  # (K,)
    d_values: np.ndarray  # (K,)
    gram_seconds: np.ndarray  # (K,)
    solve_seconds: np.ndarray  # (K,)
    model_seconds: np.ndarray  # (K,) fitted a * N D^2 + b * D^3
    gram_model_seconds: np.ndarray  # (K,) its first term a * N D^2 (the model of gram_seconds)
    solve_model_seconds: np.ndarray  # (K,) its second term b * D^3 (the model of solve_seconds)
    coef_nd2: float  # a, seconds per N D^2
    coef_d3: float  # b, seconds per D^3


def time_normal_equations(
    n_values: np.ndarray, d_values: np.ndarray, rng: np.random.Generator, repeats: int = 3
) -> ComplexityTiming:
    r"""Time :math:`X^\top X` and the D x D solve for each (N, D) pair; fit the cost model.

    The model :math:`t \approx a\,N D^2 + b\,D^3` is fitted by non-negative least squares on
    the two separately measured parts (a from the Gram times, b from the solve times).
    """
    n_values = np.asarray(n_values, dtype=int)
    d_values = np.asarray(d_values, dtype=int)
    if n_values.shape != d_values.shape or n_values.ndim != 1:
        raise DomainError("n_values and d_values must be 1D and of equal length")
    if np.any(n_values < d_values) or np.any(d_values < 1):
        raise DomainError("each N must be at least D >= 1 so that X^T X can be invertible")
    work = float(np.sum(n_values * d_values.astype(float) ** 2 + d_values.astype(float) ** 3))
    if work * repeats > MAX_TIMING_WORK:
        raise DomainError(
            f"this sweep asks for {work * repeats:.2g} multiply-adds; the limit is "
            f"{MAX_TIMING_WORK:.0e}: use smaller N or D, fewer sizes or fewer repeats"
        )
    if repeats < 1:
        raise DomainError(f"repeats must be at least 1, got {repeats}")
    gram = np.empty(n_values.size)
    solve = np.empty(n_values.size)
    for k, (n, d) in enumerate(zip(n_values.tolist(), d_values.tolist(), strict=True)):
        X = rng.standard_normal((n, d))  # (N, D)
        y = rng.standard_normal(n)  # (N,)
        g_times, s_times = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            gram_matrix = X.T @ X  # (D, D)
            rhs = X.T @ y  # (D,)
            t1 = time.perf_counter()
            np.linalg.solve(gram_matrix, rhs)
            t2 = time.perf_counter()
            g_times.append(t1 - t0)
            s_times.append(t2 - t1)
        gram[k], solve[k] = np.median(g_times), np.median(s_times)
    nd2 = n_values.astype(float) * d_values.astype(float) ** 2
    d3 = d_values.astype(float) ** 3
    coef_nd2 = max(float(nd2 @ gram / (nd2 @ nd2)), 0.0)
    coef_d3 = max(float(d3 @ solve / (d3 @ d3)), 0.0)
    return ComplexityTiming(
        n_values=n_values,
        d_values=d_values,
        gram_seconds=gram,
        solve_seconds=solve,
        model_seconds=coef_nd2 * nd2 + coef_d3 * d3,
        gram_model_seconds=coef_nd2 * nd2,
        solve_model_seconds=coef_d3 * d3,
        coef_nd2=coef_nd2,
        coef_d3=coef_d3,
    )


@dataclass(frozen=True)
class DescentSettings:
    """Settings of a gradient-descent run (see :func:`gradient_descent`)."""

    learning_rate: float = 0.1  # lambda
    tolerance: float = 1e-6  # epsilon of the stopping rule |L_new - L_old| < epsilon
    max_steps: int = 200


@dataclass(frozen=True)
class LinearView:
    """Everything the linear-regression lab draws for one state."""

    data: LinearData
    phi: np.ndarray  # (2,) current parameters
    predictions: np.ndarray  # (N,) phi_0 + phi_1 x_i
    loss: float  # L[phi]
    gradient: np.ndarray  # (2,) grad L at phi
    gradient_vanishes: bool  # grad L is zero up to rounding (at the minimum): no direction
    gradient_norm: float  # |grad L| at phi
    gradient_level_angle: float | None  # degrees between grad L and the level line, or None
    level_line: np.ndarray  # (M, 2) the level set of L through phi
    phi0_grid: np.ndarray  # (G,)
    phi1_grid: np.ndarray  # (G,)
    surface: np.ndarray  # (G, G) L over the grid, rows follow phi_1
    exact: np.ndarray  # (2,) least-squares solution
    exact_loss: float
    descent: DescentResult | None
    line_x: np.ndarray  # (2,) the data's x range padded by 5% on each side, for drawing lines
    line_current: np.ndarray  # (2,) phi_0 + phi_1 x at line_x
    line_exact: np.ndarray  # (2,) the exact fit at line_x
    line_descent: np.ndarray | None  # (2,) the line where descent stopped, at line_x


def explore(
    data: LinearData,
    phi: np.ndarray,
    phi0_range: tuple[float, float],
    phi1_range: tuple[float, float],
    grid_size: int = 80,
    descent: DescentSettings | None = None,
) -> LinearView:
    """Evaluate the model, loss, gradient, loss surface, exact fit and (optionally) descent."""
    data = check_data(data.x, data.y)
    phi = np.asarray(phi, dtype=float)
    for name, (lo, hi) in (("phi_0", phi0_range), ("phi_1", phi1_range)):
        if not hi > lo:
            raise DomainError(f"the {name} view range must have max > min, got [{lo}, {hi}]")
    if grid_size < 2:
        raise DomainError(f"grid_size must be at least 2, got {grid_size}")
    q = quadratic_form(data.x, data.y)
    phi0_grid = np.linspace(*phi0_range, grid_size)
    phi1_grid = np.linspace(*phi1_range, grid_size)
    exact = exact_solution(design_matrix(data.x), data.y)
    run = None
    if descent is not None:
        run = gradient_descent(q, phi, descent.learning_rate, descent.tolerance, descent.max_steps)
    gradient = mse_gradient(phi, data.x, data.y)
    vanishes = gradient_vanishes(phi, data.x, data.y, gradient)
    lo, hi = float(data.x.min()), float(data.x.max())
    pad = 0.05 * (hi - lo or 1.0)
    line_x = np.array([lo - pad, hi + pad])
    return LinearView(
        data=data,
        phi=phi,
        predictions=predict(phi, data.x),
        loss=mse_loss(phi, data.x, data.y),
        gradient=gradient,
        gradient_vanishes=vanishes,
        gradient_norm=float(np.hypot(*gradient)),
        gradient_level_angle=None
        if vanishes
        else line_angle_degrees(gradient, level_line_tangent(q, phi)),
        level_line=level_line(q, phi),
        phi0_grid=phi0_grid,
        phi1_grid=phi1_grid,
        surface=loss_surface(q, phi0_grid, phi1_grid),
        exact=exact,
        exact_loss=mse_loss(exact, data.x, data.y),
        descent=run,
        line_x=line_x,
        line_current=predict(phi, line_x),
        line_exact=predict(exact, line_x),
        line_descent=None if run is None else predict(run.trajectory[-1], line_x),
    )

"""Universal approximation with a shallow network, and fixed polynomial bases.

A shallow network with one input, n hidden units and one output computes

    h_k = a[theta_k0 + theta_k1 x],        y = phi_0 + sum_k phi_k h_k,

with a[.] the ReLU or the logistic sigmoid. Each hidden unit switches at
x = -theta_k0 / theta_k1 (a joint for ReLU, the centre of the rise for the sigmoid). If these
points are fixed (here: spread over the domain) the output is linear in the output weights phi,
which are then found exactly by least squares. Gradient descent on all of (theta, phi) can
afterwards move them, which is where a network differs from a fixed basis. Gradient descent
lowers the training loss at every step (backtracking guarantees it); the error against the
clean target is not guaranteed to fall, since the net can follow the noise.

The error bound of the notes (Barron, 1993) is

    int_{B_r} (f(x) - f_n(x))^2 mu(dx) <= (2 r C_f)^2 / n,   C_f = int |omega| |f^(omega)| d omega,

for sigmoidal units and a target with a finite first Fourier moment C_f (such a target is
continuously differentiable: the step, the sawtooth and |x| do not qualify). The lab draws c/n
as a reference slope only, and fits the measured slope.

The fixed basis used for comparison is polynomials of degree M, fitted in the Legendre basis
(``core.bases``). With joints that increase from the left edge, the least-squares net is found
in the equivalent hat basis (also ``core.bases``); otherwise with ``np.linalg.lstsq`` on the
ReLU features. How the number of coefficients grows with the input dimension is in
``core.dimensionality``.

Reference: course notes ch. 3 (3.1 universal approximation theorem and its c/n bound; fixed
basis functions; curse of dimensionality); Prince, *Understanding Deep Learning*, ch. 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core import network
from core.activations import Activation, get_activation
from core.bases import (
    evaluate_polynomial,
    fit_piecewise_linear,
    fit_polynomial,
    knot_values_to_phi,
    max_stable_degree,
    polynomial_design,
)
from core.errors import DomainError

TARGET_NAMES: tuple[str, ...] = ("sine", "step", "abs", "sawtooth", "gaussian_bump", "points")
HIDDEN_ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid")  # names from core.activations
JOINT_PLACEMENTS: tuple[str, ...] = ("spread", "random")

DOMAIN = (-1.0, 1.0)  # input range of the built-in targets
BUMP_WIDTH = 0.2  # standard deviation of the Gaussian bump target
MIN_SPAN = 1e-3  # narrowest x range of typed points (keeps the fits' arithmetic finite)
N_EVAL = 2000  # midpoint grid used to estimate the integrated squared error
SWEEP_SAMPLES = 1024  # clean training samples used by the error sweep
SWEEP_MAX_DEGREE = 64  # highest polynomial degree in the sweep (stable with 1024 samples)

SIGMOID_RISE = 2.0  # a spread sigmoid unit rises over about 2 spacings: slope 2 n / (x_max - x_min)


def hidden_activation(name: str) -> Activation:
    """The activation of the approximating network's hidden units (ReLU or sigmoid)."""
    if name not in HIDDEN_ACTIVATIONS:
        raise DomainError(
            f"unknown hidden activation {name!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}"
        )
    return get_activation(name)


def unit_slope(activation: str, n_hidden: int, x_min: float, x_max: float) -> float:
    """theta_k1 of the spread units: 1 for ReLU (the slope is taken up by phi); for the sigmoid
    SIGMOID_RISE n / (x_max - x_min), so each unit rises over about two spacings."""
    hidden_activation(activation)
    if activation == "relu":
        return 1.0
    return SIGMOID_RISE * n_hidden / (x_max - x_min)


# ----------------------------------------------------------------------------- targets
def _check_points(points: np.ndarray) -> np.ndarray:
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise DomainError(
            f"points must be a list of (x, y) pairs, got an array of shape {pts.shape}"
        )
    if pts.shape[0] < 2:
        raise DomainError(f"type at least 2 points, got {pts.shape[0]}")
    if not np.all(np.isfinite(pts)):
        raise DomainError("points must be finite numbers")
    pts = pts[np.argsort(pts[:, 0], kind="stable")]
    if np.any(np.diff(pts[:, 0]) <= 0):
        raise DomainError("points must have distinct x values")
    if pts[-1, 0] - pts[0, 0] < MIN_SPAN:
        raise DomainError(f"the points must span at least {MIN_SPAN:g} in x")
    return pts


def target_domain(name: str, points: np.ndarray | None = None) -> tuple[float, float]:
    """Input interval [x_min, x_max] on which target ``name`` is approximated.

    The built-in targets live on [-1, 1]; typed points span from their smallest to their
    largest x.
    """
    if name == "points":
        if points is None:
            raise DomainError("the 'points' target needs a list of points")
        pts = _check_points(points)
        return float(pts[0, 0]), float(pts[-1, 0])
    if name not in TARGET_NAMES:
        raise DomainError(f"unknown target {name!r}; choose one of {', '.join(TARGET_NAMES)}")
    return DOMAIN


def target_function(name: str, x: np.ndarray, points: np.ndarray | None = None) -> np.ndarray:
    """Evaluate a target function f(x) elementwise.

    Parameters
    ----------
    name : str
        ``"sine"`` sin(2 pi x); ``"step"`` 1[x > 0]; ``"abs"`` |x|; ``"sawtooth"``
        2 frac(x + 1) - 1 (two teeth, jumps at x = 0); ``"gaussian_bump"``
        exp(-x^2 / (2 * 0.2^2)); ``"points"`` the piecewise-linear curve through ``points``.
    x : ndarray, shape (I,)
        Inputs.
    points : ndarray, shape (P, 2), optional
        (x, y) pairs for the ``"points"`` target.

    Returns
    -------
    ndarray, shape (I,)
    """
    x = np.asarray(x, dtype=float)
    if name == "sine":
        return np.sin(2.0 * np.pi * x)
    if name == "step":
        return (x > 0).astype(float)
    if name == "abs":
        return np.abs(x)
    if name == "sawtooth":
        return 2.0 * np.mod(x + 1.0, 1.0) - 1.0
    if name == "gaussian_bump":
        return np.exp(-0.5 * (x / BUMP_WIDTH) ** 2)
    if name == "points":
        if points is None:
            raise DomainError("the 'points' target needs a list of points")
        pts = _check_points(points)
        return np.interp(x, pts[:, 0], pts[:, 1])
    raise DomainError(f"unknown target {name!r}; choose one of {', '.join(TARGET_NAMES)}")


# ------------------------------------------------------------------- shallow network
def spread_joints(n_hidden: int, x_min: float, x_max: float) -> np.ndarray:
    """Joints b_k = x_min + k (x_max - x_min) / n for k = 0..n-1.

    The first joint sits on the left edge, so its unit is the linear function x - x_min over
    the whole domain; the others cut the domain into n equal pieces. With these joints the
    net can represent every continuous piecewise-linear function whose kinks are at b_1..b_{n-1}.

    Returns
    -------
    ndarray, shape (n_hidden,)
    """
    if n_hidden < 1:
        raise DomainError(f"the network needs at least 1 hidden unit, got {n_hidden}")
    if not x_max > x_min:
        raise DomainError(f"the domain must have x_max > x_min, got [{x_min}, {x_max}]")
    return x_min + (x_max - x_min) * np.arange(n_hidden) / n_hidden


def random_joints(
    n_hidden: int, x_min: float, x_max: float, rng: np.random.Generator
) -> np.ndarray:
    """Joints drawn uniformly over the domain (sorted), the first one kept on the left edge."""
    joints = spread_joints(n_hidden, x_min, x_max)  # validates the arguments
    joints[1:] = np.sort(rng.uniform(x_min, x_max, size=n_hidden - 1))
    return joints


def joints_to_theta(joints: np.ndarray, slope: float = 1.0) -> np.ndarray:
    """Hidden-layer parameters switching at each b_k: theta_k1 = s, theta_k0 = -s b_k.

    Returns
    -------
    ndarray, shape (n_hidden, 2)
        Columns (theta_k0, theta_k1).
    """
    joints = np.asarray(joints, dtype=float)
    return np.stack([-slope * joints, np.full_like(joints, slope)], axis=1)  # (n_hidden, 2)


def theta_to_joints(theta: np.ndarray) -> np.ndarray:
    """Joint positions -theta_k0 / theta_k1 (NaN for a unit with zero slope: it has no joint)."""
    slope = theta[:, 1]
    safe = np.where(slope == 0, 1.0, slope)
    return np.where(slope == 0, np.nan, -theta[:, 0] / safe)


def as_network(theta: np.ndarray, phi: np.ndarray, activation: str) -> network.Network:
    """The lab's (theta (n, 2), phi (n + 1,)) as a one-hidden-layer ``core.network.Network``."""
    hidden_activation(activation)
    return network.shallow_network(theta, np.asarray(phi, dtype=float)[None, :], activation)


def hidden_units(x: np.ndarray, theta: np.ndarray, activation: str = "relu") -> np.ndarray:
    """Activations h_ik = a[theta_k0 + theta_k1 x_i] from the network engine: (I,) -> (I, n)."""
    net = as_network(theta, np.zeros(theta.shape[0] + 1), activation)
    return network.forward(net, np.asarray(x, dtype=float)[None, :]).h[0].T  # (I, n)


def shallow_net(
    x: np.ndarray, theta: np.ndarray, phi: np.ndarray, activation: str = "relu"
) -> np.ndarray:
    """Network output y_i = phi_0 + sum_k phi_k a[z_ik] (forward pass of ``core.network``).

    Parameters
    ----------
    x : ndarray, shape (I,)
    theta : ndarray, shape (n, 2)
    phi : ndarray, shape (n + 1,)
        phi_0 (bias) followed by the n output weights.
    activation : str
        One of HIDDEN_ACTIVATIONS.

    Returns
    -------
    ndarray, shape (I,)
    """
    net = as_network(theta, phi, activation)
    return network.forward(net, np.asarray(x, dtype=float)[None, :]).output[0]  # (I,)


def fit_output_weights(
    x: np.ndarray, y: np.ndarray, theta: np.ndarray, activation: str = "relu"
) -> np.ndarray:
    """Least-squares output weights for fixed hidden units.

    Minimises sum_i (phi_0 + sum_k phi_k h_ik - y_i)^2 with ``np.linalg.lstsq`` on the design
    matrix [1, H] (minimum-norm solution if H is rank deficient).

    Returns
    -------
    ndarray, shape (n + 1,)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise DomainError(
            f"x and y must be 1-D arrays of equal length, got {x.shape} and {y.shape}"
        )
    design = np.hstack([np.ones((x.size, 1)), hidden_units(x, theta, activation)])  # (I, n + 1)
    phi, *_ = np.linalg.lstsq(design, y, rcond=None)
    return phi


def fit_relu_net(x: np.ndarray, y: np.ndarray, joints: np.ndarray) -> np.ndarray:
    """Least-squares output weights for slope-1 units with the given joints.

    When the joints increase from the smallest input and every piece between them (and the
    largest input) holds a sample, the fit is done in the equivalent hat basis
    (``fit_piecewise_linear``, O(I) work) and converted to phi; otherwise, e.g. for random
    joints that crowd together, by the SVD solver of ``fit_output_weights``. Both give the
    same least-squares net.

    Returns
    -------
    ndarray, shape (n + 1,)
    """
    x = np.asarray(x, dtype=float)
    joints = np.asarray(joints, dtype=float)
    knots = np.append(joints, x.max())  # (n + 1,)
    if joints[0] == x.min() and np.all(np.diff(knots) > 0):
        segment = np.searchsorted(knots, x, side="right") - 1
        if np.unique(np.clip(segment, 0, joints.size - 1)).size == joints.size:
            return knot_values_to_phi(knots, fit_piecewise_linear(x, y, knots))
    return fit_output_weights(x, y, joints_to_theta(joints))


def loss_and_gradient(
    x: np.ndarray, y: np.ndarray, theta: np.ndarray, phi: np.ndarray, activation: str = "relu"
) -> tuple[float, np.ndarray, np.ndarray]:
    r"""Mean squared error and its gradient with respect to theta and phi.

    With residuals r_i = f(x_i) - y_i and L = (1/I) sum_i r_i^2:

    .. math::
        \partial L/\partial\phi_0 = \tfrac{2}{I}\sum_i r_i,\quad
        \partial L/\partial\phi_k = \tfrac{2}{I}\sum_i r_i h_{ik},\quad
        \partial L/\partial\theta_{k0} = \tfrac{2}{I}\sum_i r_i \phi_k a'[z_{ik}],\quad
        \partial L/\partial\theta_{k1} = \tfrac{2}{I}\sum_i r_i \phi_k a'[z_{ik}] x_i.

    Returns
    -------
    loss : float
    grad_theta : ndarray, shape (n, 2)
    grad_phi : ndarray, shape (n + 1,)
    """
    forward = _forward(x, y, theta, phi, activation)
    return forward[0], *_gradient(forward)


_Pass = tuple[float, network.Network, network.Forward, np.ndarray]


def _forward(
    x: np.ndarray, y: np.ndarray, theta: np.ndarray, phi: np.ndarray, activation: str
) -> _Pass:
    """Loss with what the gradient needs: (L, net, its forward pass, residuals r)."""
    net = as_network(theta, phi, activation)
    fwd = network.forward(net, np.asarray(x, dtype=float)[None, :])
    r = fwd.output[0] - y  # (I,)
    return float(np.mean(r**2)), net, fwd, r


def _gradient(forward: _Pass) -> tuple[np.ndarray, np.ndarray]:
    """(grad_theta, grad_phi) by the engine's backward pass, from dL/df = 2 r / I."""
    _, net, fwd, r = forward
    grads = network.backward(net, fwd, (2.0 / r.size) * r[None, :])
    grad_theta = np.stack([grads.dl_dbetas[0], grads.dl_domegas[0][:, 0]], axis=1)  # (n, 2)
    grad_phi = np.concatenate([grads.dl_dbetas[1], grads.dl_domegas[1][0]])  # (n + 1,)
    return grad_theta, grad_phi


@dataclass(frozen=True)
class GradientDescentResult:
    """Outcome of refining all network parameters by gradient descent.

    Attributes
    ----------
    theta : ndarray, shape (n, 2)
    phi : ndarray, shape (n + 1,)
    losses : ndarray, shape (steps_done + 1,)
        Training loss before the first step and after each accepted step: never increasing.
    status : str
        ``"finished"`` (all steps done), ``"converged"`` (no step size down to 1e-12
        lowers the loss: the gradient is numerically zero) or ``"diverged"`` (the loss is
        not finite; theta and phi are then the starting values).
    """

    theta: np.ndarray
    phi: np.ndarray
    losses: np.ndarray
    status: str


MIN_STEP = 1e-12  # smallest step size tried by the backtracking line search


def refine_by_gradient_descent(
    x: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    phi: np.ndarray,
    learning_rate: float,
    n_steps: int,
    activation: str = "relu",
) -> GradientDescentResult:
    r"""Full-batch gradient descent on the mean squared error, over theta and phi.

    Each step moves all parameters along -grad L with a step size found by backtracking
    (Armijo): start from twice the previous step (at most ``learning_rate``) and halve until

    .. math:: L(\text{new}) \le L - \tfrac{1}{2}\, t\, \lVert \nabla L \rVert^2 .

    A fixed step would be simpler, but the loss surface of a ReLU net is badly conditioned
    (large output weights make the joint directions steep): a step that suits phi throws the
    joints out of the domain and kills units. The line search keeps every step downhill, so
    the training loss never rises; the error against the clean target may (the net can follow
    the noise in the samples).

    Pure: returns new arrays.
    """
    hidden_activation(activation)
    if learning_rate <= 0:
        raise DomainError(f"the learning rate must be positive, got {learning_rate}")
    if n_steps < 0:
        raise DomainError(f"the number of steps must be at least 0, got {n_steps}")
    theta = np.array(theta, dtype=float)
    phi = np.array(phi, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        forward = _forward(x, y, theta, phi, activation)
        loss = forward[0]
        if not np.isfinite(loss):
            return GradientDescentResult(theta, phi, np.array([]), "diverged")
        g_theta, g_phi = _gradient(forward)
        losses = [loss]
        status = "finished"
        step = learning_rate
        for _ in range(n_steps):
            g_squared = float(np.sum(g_theta**2) + np.sum(g_phi**2))
            step = min(2.0 * step, learning_rate)
            while step >= MIN_STEP:
                new_theta = theta - step * g_theta
                new_phi = phi - step * g_phi
                forward = _forward(x, y, new_theta, new_phi, activation)  # trial: loss only
                if np.isfinite(forward[0]) and forward[0] <= loss - 0.5 * step * g_squared:
                    break
                step /= 2.0
            else:
                status = "converged"
                break
            theta, phi, loss = new_theta, new_phi, forward[0]
            g_theta, g_phi = _gradient(forward)
            losses.append(loss)
    return GradientDescentResult(theta, phi, np.array(losses), status)


def eval_grid(x_min: float, x_max: float, n: int = N_EVAL) -> np.ndarray:
    """Midpoints of n equal cells: the mean of g over them approximates (1/L) int g dx."""
    return x_min + (x_max - x_min) * (np.arange(n) + 0.5) / n


def integrated_squared_error(f_true: np.ndarray, f_fit: np.ndarray) -> float:
    """Mean of (f - f_n)^2 over a uniform grid: int (f - f_n)^2 mu(dx), mu uniform."""
    return float(np.mean((f_true - f_fit) ** 2))


# ------------------------------------------------------------------- the whole experiment
@dataclass(frozen=True)
class ApproximationConfig:
    """Settings of one approximation experiment (defaults in comments)."""

    target: str = "sine"  # one of TARGET_NAMES
    n_hidden: int = 8  # hidden units n of the shallow net
    activation: str = "relu"  # hidden units: one of HIDDEN_ACTIVATIONS
    joint_placement: str = "spread"  # "spread" (equal spacing) or "random" (uses the rng)
    n_samples: int = 200  # training inputs x_i, equally spaced over the domain
    noise: float = 0.0  # std of Gaussian noise added to the training targets
    gd_steps: int = 0  # gradient-descent refinement steps after least squares (0 = none)
    learning_rate: float = 0.5  # largest gradient-descent step size (backtracking halves it)
    degree: int = 8  # polynomial degree M of the fixed-basis comparison
    sweep_max: int = 128  # the error sweep uses n = 1, 2, 4, ... up to this
    n_plot: int = 400  # points of the plotted curves
    points: tuple[tuple[float, float], ...] = ()  # (x, y) pairs for the "points" target


@dataclass(frozen=True)
class ErrorSweep:
    """Integrated squared error against the number of hidden units / polynomial degree.

    Attributes
    ----------
    n_values : ndarray, shape (S,)
        Hidden units n of the nets (units spread, output weights by least squares).
    network_error : ndarray, shape (S,)
    degrees : ndarray, shape (T,)
        Polynomial degrees M (the n_values up to 64): M + 1 coefficients.
    polynomial_error : ndarray, shape (T,)
    reference : ndarray, shape (S,)
        A reference slope, not a bound: the line c / n through the network error at the
        first n. Barron's bound (2 r C_f)^2 / n needs sigmoidal units and a target with a
        finite Fourier moment C_f; for a target with a jump the measured error lies above
        this line.
    c : float
    network_rate, polynomial_rate : float
        Least-squares slope p of log(error) against log(n) (error ~ n^p).
    fitted : ndarray, shape (S,)
        The fitted power law e^q n^p of the network errors (p = network_rate).
    """

    n_values: np.ndarray
    network_error: np.ndarray
    degrees: np.ndarray
    polynomial_error: np.ndarray
    reference: np.ndarray
    c: float
    network_rate: float
    polynomial_rate: float
    fitted: np.ndarray


@dataclass(frozen=True)
class ApproximationResult:
    """Everything the approximation page draws.

    Attributes
    ----------
    x_min, x_max : float
        Domain.
    x_plot : ndarray, shape (P,)
    target_plot, network_plot, polynomial_plot : ndarray, shape (P,)
        f(x), the network and the polynomial on the plotting grid.
    x_train, y_train : ndarray, shape (I,)
        Training samples (with noise if any).
    joints : ndarray, shape (J,)
        Switching points -theta_k0 / theta_k1 of the final network inside the domain (the
        joints of ReLU units, the centres of sigmoid units).
    joint_outputs : ndarray, shape (J,)
        The network's output at each of those points.
    theta : ndarray, shape (n, 2)
    phi : ndarray, shape (n + 1,)
    network_error, polynomial_error : float
        Integrated squared error against the clean target.
    least_squares_error : float
        Error of the least-squares net before any gradient descent.
    losses : ndarray
        Gradient-descent training losses (empty when no refinement).
    status : str
        ``"least_squares"`` (no refinement) or the gradient-descent status.
    n_parameters : int
        All parameters of the net, 3 n + 1.
    sweep : ErrorSweep
    """

    x_min: float
    x_max: float
    x_plot: np.ndarray
    target_plot: np.ndarray
    network_plot: np.ndarray
    polynomial_plot: np.ndarray
    x_train: np.ndarray
    y_train: np.ndarray
    joints: np.ndarray
    joint_outputs: np.ndarray
    theta: np.ndarray
    phi: np.ndarray
    network_error: float
    polynomial_error: float
    least_squares_error: float
    losses: np.ndarray
    status: str
    n_parameters: int
    sweep: ErrorSweep


def log_log_fit(n: np.ndarray, err: np.ndarray) -> tuple[float, float]:
    """Least-squares line log(err) = q + p log(n): returns (p, q), p = cov(u, v) / var(u).

    Errors at or below 1e-300 (exact fits) have no logarithm and are left out; with fewer
    than two points left the slope is 0 and q the mean log error (or 0).
    """
    keep = err > 1e-300
    if keep.sum() < 2:
        return 0.0, float(np.log(err[keep]).mean()) if keep.any() else 0.0
    u = np.log(n[keep])
    v = np.log(err[keep])
    du = u - u.mean()
    p = float(np.sum(du * (v - v.mean())) / np.sum(du * du))
    return p, float(v.mean() - p * u.mean())


def error_sweep(
    target: str,
    n_values: np.ndarray,
    points: np.ndarray | None = None,
    activation: str = "relu",
) -> ErrorSweep:
    """Least-squares nets (units spread) and polynomials fitted to clean samples.

    For each n the net has n hidden units and the polynomial has degree M = n (only up to
    M = 64, see ``max_stable_degree``); both are fitted to 1024 equally spaced clean samples
    and scored by the integrated squared error on the midpoint grid. ReLU nets are fitted in
    the equivalent hat basis (``fit_piecewise_linear``): same curve, far less work; sigmoid
    nets by ``fit_output_weights``.
    """
    hidden_activation(activation)
    n_values = np.asarray(n_values, dtype=int)
    if n_values.size == 0 or n_values.min() < 1:
        raise DomainError("the sweep needs hidden-unit counts of at least 1")
    if n_values.max() > SWEEP_SAMPLES // 4:
        raise DomainError(f"the sweep goes up to at most {SWEEP_SAMPLES // 4} hidden units")
    x_min, x_max = target_domain(target, points)
    x = np.linspace(x_min, x_max, SWEEP_SAMPLES)
    y = target_function(target, x, points)
    grid = eval_grid(x_min, x_max)
    f_grid = target_function(target, grid, points)
    degrees = n_values[n_values <= SWEEP_MAX_DEGREE]
    net_err = np.empty(n_values.size)
    poly_err = np.empty(degrees.size)
    for j, n in enumerate(n_values):  # a handful of sizes, not a loop over data
        joints = spread_joints(int(n), x_min, x_max)
        if activation == "relu":
            knots = np.append(joints, x_max)  # (n + 1,)
            fitted = np.interp(grid, knots, fit_piecewise_linear(x, y, knots))
        else:
            # Spread sigmoids on 1024 samples keep [1, H] well conditioned (condition number
            # about 20 n at most), so the normal equations are safe and far cheaper than an SVD.
            theta = joints_to_theta(joints, unit_slope(activation, int(n), x_min, x_max))
            design = np.hstack([np.ones((x.size, 1)), hidden_units(x, theta, activation)])
            phi = np.linalg.solve(design.T @ design, design.T @ y)  # (n + 1,)
            fitted = shallow_net(grid, theta, phi, activation)
        net_err[j] = integrated_squared_error(f_grid, fitted)
    if degrees.size:
        # One factorisation for all degrees. On 1024 equally spaced points the Legendre columns
        # are nearly orthogonal (condition number about 11 at degree 64), so the normal
        # equations G w = V^T y lose nothing. With G = L L^T, the leading (M+1) block of L is
        # the Cholesky factor of the leading block of G, and the leading block of L^{-1} is its
        # inverse: w_M = (L_M^{-1})^T L_M^{-1} (V^T y)_M for every M at once.
        top = int(degrees.max())
        design = polynomial_design(x, top, x_min, x_max)  # (I, top + 1)
        l_inverse = np.linalg.inv(np.linalg.cholesky(design.T @ design))  # (top+1, top+1)
        moments = design.T @ y  # (top + 1,)
        grid_design = polynomial_design(grid, top, x_min, x_max)  # (N_EVAL, top + 1)
        for j, m in enumerate(degrees):
            block = l_inverse[: m + 1, : m + 1]
            w = block.T @ (block @ moments[: m + 1])
            poly_err[j] = integrated_squared_error(f_grid, grid_design[:, : m + 1] @ w)
    c = float(net_err[0] * n_values[0])
    rate, intercept = log_log_fit(n_values.astype(float), net_err)
    return ErrorSweep(
        n_values=n_values,
        network_error=net_err,
        degrees=degrees,
        polynomial_error=poly_err,
        reference=c / n_values,
        c=c,
        network_rate=rate,
        polynomial_rate=log_log_fit(degrees.astype(float), poly_err)[0],
        fitted=np.exp(intercept + rate * np.log(n_values)),
    )


def sweep_sizes(sweep_max: int) -> np.ndarray:
    """Hidden-unit counts 1, 2, 4, ... up to and including ``sweep_max``."""
    if sweep_max < 1:
        raise DomainError(f"the sweep must go up to at least 1 hidden unit, got {sweep_max}")
    sizes = 2 ** np.arange(int(math.log2(sweep_max)) + 1)
    if sizes[-1] != sweep_max:
        sizes = np.append(sizes, sweep_max)
    return sizes


def run_approximation(config: ApproximationConfig, rng: np.random.Generator) -> ApproximationResult:
    """Fit the shallow net and the polynomial to one target and sweep the error over n.

    Steps: training inputs equally spaced over the domain, targets f(x_i) plus optional noise;
    joints (sigmoid centres) spread or random; output weights by least squares; optional
    gradient descent on all parameters; polynomial of degree M by least squares; error sweep
    on clean samples.
    """
    cfg = config
    act = cfg.activation
    hidden_activation(act)
    if cfg.n_samples < 2:
        raise DomainError(f"use at least 2 training samples, got {cfg.n_samples}")
    if cfg.degree > max_stable_degree(cfg.n_samples):
        raise DomainError(
            f"degree M = {cfg.degree} needs at least "
            f"{max(math.ceil(cfg.degree**2 / 8), cfg.degree + 1)} equally "
            f"spaced samples, got {cfg.n_samples}: high-degree polynomials fitted to equally "
            "spaced points swing wildly between them; use more samples or a lower degree"
        )
    if cfg.noise < 0:
        raise DomainError(f"the noise level must be at least 0, got {cfg.noise}")
    if cfg.joint_placement not in JOINT_PLACEMENTS:
        raise DomainError(
            f"unknown joint placement {cfg.joint_placement!r}; "
            f"choose one of {', '.join(JOINT_PLACEMENTS)}"
        )
    has_points = cfg.target == "points" and len(cfg.points) > 0
    points = np.asarray(cfg.points, dtype=float) if has_points else None
    x_min, x_max = target_domain(cfg.target, points)

    x_train = np.linspace(x_min, x_max, cfg.n_samples)
    y_train = target_function(cfg.target, x_train, points)
    if cfg.noise > 0:
        y_train = y_train + cfg.noise * rng.standard_normal(cfg.n_samples)

    if cfg.joint_placement == "spread":
        joints = spread_joints(cfg.n_hidden, x_min, x_max)
    else:
        joints = random_joints(cfg.n_hidden, x_min, x_max, rng)
    if act == "relu":
        theta = joints_to_theta(joints)
        phi = fit_relu_net(x_train, y_train, joints)
    else:
        theta = joints_to_theta(joints, unit_slope(act, cfg.n_hidden, x_min, x_max))
        phi = fit_output_weights(x_train, y_train, theta, act)

    grid = eval_grid(x_min, x_max)
    f_grid = target_function(cfg.target, grid, points)
    ls_error = integrated_squared_error(f_grid, shallow_net(grid, theta, phi, act))

    losses = np.array([])
    status = "least_squares"
    if cfg.gd_steps > 0:
        gd = refine_by_gradient_descent(
            x_train, y_train, theta, phi, cfg.learning_rate, cfg.gd_steps, act
        )
        theta, phi, losses, status = gd.theta, gd.phi, gd.losses, gd.status

    coefficients = fit_polynomial(x_train, y_train, cfg.degree, x_min, x_max)

    x_plot = np.linspace(x_min, x_max, cfg.n_plot)
    final_joints = theta_to_joints(theta)
    inside = np.isfinite(final_joints) & (final_joints >= x_min) & (final_joints <= x_max)
    joints_inside = np.sort(final_joints[inside])
    return ApproximationResult(
        x_min=x_min,
        x_max=x_max,
        x_plot=x_plot,
        target_plot=target_function(cfg.target, x_plot, points),
        network_plot=shallow_net(x_plot, theta, phi, act),
        polynomial_plot=evaluate_polynomial(x_plot, coefficients, x_min, x_max),
        x_train=x_train,
        y_train=y_train,
        joints=joints_inside,
        joint_outputs=shallow_net(joints_inside, theta, phi, act),
        theta=theta,
        phi=phi,
        network_error=integrated_squared_error(f_grid, shallow_net(grid, theta, phi, act)),
        polynomial_error=integrated_squared_error(
            f_grid, evaluate_polynomial(grid, coefficients, x_min, x_max)
        ),
        least_squares_error=ls_error,
        losses=losses,
        status=status,
        n_parameters=3 * cfg.n_hidden + 1,
        sweep=_sweep_of(
            cfg.target,
            cfg.sweep_max,
            tuple((float(x), float(y)) for x, y in cfg.points) if has_points else (),
            act,
        ),
    )


@lru_cache(maxsize=64)
def _sweep_of(
    target: str, sweep_max: int, points: tuple[tuple[float, float], ...], activation: str
) -> ErrorSweep:
    """``error_sweep`` over ``sweep_sizes(sweep_max)``, kept for the last few settings.

    The sweep depends on these four settings alone (not on n, M, the noise or the seed), and a
    lab asks for it again on every move of the other controls. Its arrays are read-only, since
    every caller shares them.
    """
    sweep = error_sweep(
        target,
        sweep_sizes(sweep_max),
        np.asarray(points, dtype=float) if points else None,
        activation,
    )
    for value in vars(sweep).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    return sweep

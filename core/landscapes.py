"""Loss landscapes over two parameters: the Gabor model, linear regression and a network slice.

Each landscape is a model f[x, phi] with two free parameters phi = (phi_0, phi_1), a data set
{x_i, y_i} drawn from it with Gaussian noise, and the least-squares loss

    L[phi] = (1 / |B|) sum_{i in B} (f[x_i, phi] - y_i)^2

over a set B of sample indices (all N samples, or one mini-batch). The loss is the mean, not
the sum, so a mini-batch loss and the full loss have the same scale and the mini-batch gradient
is an unbiased estimate of the full gradient.

Reference: course notes ch. 5 (mean squared error) and 5.1 (stochastic gradient descent, the
Gabor model); Prince, *Understanding Deep Learning*, ch. 6 (the Gabor model of figure 6.4 and
notebook 6.2) and ch. 3 (the shallow network whose 2-parameter slice is shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core import linear
from core.activations import get_activation
from core.errors import DomainError

GABOR_SCALE = 0.06  # the factor 0.06 in z = phi_0 + 0.06 phi_1 x (Prince, fig. 6.4)
GABOR_WIDTH = 32.0  # the 32 in exp(-z^2 / 32)
LANDSCAPE_NAMES: tuple[str, ...] = ("gabor", "linear", "network")
# Elements of one (grid rows x samples) block in losses_at: small enough that the dozen
# temporaries of a block stay in the CPU cache (about 3x faster than one big block).
MAX_GRID_CELLS = 65_536

# (x, phi_0, phi_1) -> f, all broadcast together
Predict = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
# (x, phi_0, phi_1) -> (f, df/dphi_0, df/dphi_1)
PredictWithGradient = Callable[
    [np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]
]


@dataclass(frozen=True)
class Landscape:
    """A two-parameter model with its data set.

    Attributes
    ----------
    name : str
        One of ``LANDSCAPE_NAMES``.
    label, formula : str
        Human-readable name and LaTeX of f[x, phi].
    param_names : tuple of str
        LaTeX names of the two free parameters (the map's axes).
    param_range : tuple of (lo, hi) pairs
        Default window of the map for each parameter.
    x, y : ndarray, shape (N,)
        Training inputs and targets.
    true_phi : ndarray, shape (2,)
        Parameters the data were generated from (before noise).
    x_range : (lo, hi)
        Interval the inputs were drawn from (for drawing the model's curve).
    convex : bool
        True when L[phi] is convex in phi (linear regression).
    predict, predict_with_gradient : callable
        ``predict(x, phi_0, phi_1)`` evaluates f with broadcasting;
        ``predict_with_gradient`` also returns df/dphi_0 and df/dphi_1.
    """

    name: str
    label: str
    formula: str
    param_names: tuple[str, str]
    param_range: tuple[tuple[float, float], tuple[float, float]]
    x: np.ndarray
    y: np.ndarray
    true_phi: np.ndarray
    x_range: tuple[float, float]
    convex: bool
    predict: Predict
    predict_with_gradient: PredictWithGradient


# ---------------------------------------------------------------------------- models


def gabor(x: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray) -> np.ndarray:
    r"""Gabor model :math:`f[x,\phi] = \sin(z)\, e^{-z^2/32}`, :math:`z = \phi_0 + 0.06\phi_1 x`.

    Arguments broadcast together; the result has their common shape.
    """
    z = phi_0 + GABOR_SCALE * phi_1 * x
    return np.sin(z) * np.exp(-(z * z) / GABOR_WIDTH)


def gabor_with_gradient(
    x: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gabor model and its parameter derivatives.

    .. math::
        \frac{\partial f}{\partial z} = e^{-z^2/32}\left(\cos z - \frac{z}{16}\sin z\right),\quad
        \frac{\partial f}{\partial \phi_0} = \frac{\partial f}{\partial z},\quad
        \frac{\partial f}{\partial \phi_1} = 0.06\, x\, \frac{\partial f}{\partial z}
    """
    # In-place steps: the optimisers call this once per step on small arrays, where the number
    # of NumPy calls and temporaries, not the arithmetic, sets the cost.
    z = x * (GABOR_SCALE * phi_1)
    z += phi_0
    envelope = np.exp((-1.0 / GABOR_WIDTH) * (z * z))  # e^{-z^2/32}
    sin_z = np.sin(z)
    f = sin_z * envelope
    sin_z *= z
    sin_z *= 2.0 / GABOR_WIDTH  # (z/16) sin z
    df_dz = np.cos(z)
    df_dz -= sin_z
    df_dz *= envelope
    return f, df_dz, df_dz * (GABOR_SCALE * x)


def gabor_batch_sums(
    x: np.ndarray,
    x_scaled: np.ndarray,
    y: np.ndarray,
    phi_0: np.ndarray,
    phi_1_scaled: np.ndarray,
    out: np.ndarray,
) -> np.ndarray:
    r"""Fused Gabor residual and gradient sums for K parameter points on one mini-batch.

    Returns the (3, K) sums :math:`\sum_i r_i^2`, :math:`\sum_i r_i\,\partial f_i/\partial\phi_0`
    and :math:`\sum_i r_i\,\partial f_i/\partial\phi_1`, :math:`r_i = f[x_i,\phi] - y_i`, from
    which the mini-batch loss and gradient follow. The arithmetic is exactly that of
    :func:`gabor_with_gradient` (same operations in the same order, so the same bits), fused
    into about fifteen NumPy calls written into the buffer ``out``: the optimisers call this
    once per step on arrays of a few dozen elements, where the number of calls sets the cost.

    Parameters
    ----------
    x : ndarray, shape (B,)
        Batch inputs.
    x_scaled, y : ndarray, shape (K, B)
        ``GABOR_SCALE * x`` and the targets, repeated for each point (same-shape operands
        avoid NumPy's slower broadcasting path).
    phi_0, phi_1_scaled : ndarray, shape (K, 1)
        phi_0 and ``GABOR_SCALE * phi_1`` of each point.
    out : ndarray, shape (3, K, B)
        Work buffer; on return it holds r, df/dphi_0 and df/dphi_1.

    Returns
    -------
    ndarray, shape (3, K)
    """
    residual, d0, d1 = out
    z = x * phi_1_scaled
    z += phi_0  # (K, B)
    envelope = z * z
    envelope *= -1.0 / GABOR_WIDTH
    np.exp(envelope, out=envelope)  # e^{-z^2/32}
    sin_z = np.sin(z)
    np.multiply(sin_z, envelope, out=residual)
    residual -= y  # r = f - y
    sin_z *= z
    sin_z *= 2.0 / GABOR_WIDTH  # (z/16) sin z
    np.cos(z, out=d0)
    d0 -= sin_z
    d0 *= envelope  # df/dz = df/dphi_0
    np.multiply(d0, x_scaled, out=d1)
    return np.add.reduce(out * residual, 2)


def line(x: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray) -> np.ndarray:
    r"""Linear model :math:`f[x,\phi] = \phi_0 + \phi_1 x` (course notes ch. 1.2), the linear
    lab's own ``core.linear.predict``."""
    return linear.predict((phi_0, phi_1), x)


def line_with_gradient(
    x: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear model with df/dphi_0 = 1 and df/dphi_1 = x."""
    f = phi_0 + phi_1 * x
    return f, np.ones_like(f), np.broadcast_to(x, f.shape)


# Fixed parameters of the 3-unit shallow network y = phi_0 + sum_k phi_k a[theta_k0 + theta_k1 x].
# The slice varies phi_1 (output weight of unit 1) and theta_11 (its slope); the rest stay here.
NETWORK_PHI = np.array([0.3, 1.2, -0.9, 0.7])  # phi_0 .. phi_3
NETWORK_THETA = np.array([[0.1, 1.6], [-0.8, 1.1], [1.0, -1.4]])  # (3, 2): theta_k0, theta_k1


def network_slice(activation: str) -> tuple[Predict, PredictWithGradient]:
    """Return (predict, predict_with_gradient) for the shallow-network slice.

    The free parameters are phi_1 (output weight of hidden unit 1, first map axis) and
    theta_11 (slope of hidden unit 1, second map axis); all other weights are fixed at
    ``NETWORK_PHI`` and ``NETWORK_THETA``.

    .. math::
        f[x] = \\phi_0 + \\phi_1 a[\\theta_{10} + \\theta_{11} x]
               + \\sum_{k=2}^{3} \\phi_k a[\\theta_{k0} + \\theta_{k1} x],\\quad
        \\frac{\\partial f}{\\partial \\phi_1} = a[h],\\quad
        \\frac{\\partial f}{\\partial \\theta_{11}} = \\phi_1 a'[h]\\, x
    """
    act = get_activation(activation)

    def rest(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        fixed = NETWORK_PHI[2:, None] * act.value(
            NETWORK_THETA[1:, :1] + NETWORK_THETA[1:, 1:] * x.ravel()
        )
        return NETWORK_PHI[0] + fixed.sum(axis=0).reshape(x.shape)  # (2, N) -> x.shape

    def predict(x: np.ndarray, phi_1: np.ndarray, theta_11: np.ndarray) -> np.ndarray:
        return phi_1 * act.value(NETWORK_THETA[0, 0] + theta_11 * x) + rest(x)

    def predict_with_gradient(x, phi_1, theta_11):
        h = NETWORK_THETA[0, 0] + theta_11 * x
        a_h = act.value(h)
        f = phi_1 * a_h + rest(x)
        return f, np.broadcast_to(a_h, f.shape), phi_1 * act.derivative(h) * x

    return predict, predict_with_gradient


# ---------------------------------------------------------------------------- data sets


def make_landscape(
    name: str,
    n_samples: int,
    noise: float,
    rng: np.random.Generator,
    activation: str = "tanh",
) -> Landscape:
    """Draw a data set from one of the models and return its landscape.

    Parameters
    ----------
    name : str
        ``"gabor"``, ``"linear"`` or ``"network"``.
    n_samples : int
        Number N of training pairs (at least 1).
    noise : float
        Standard deviation sigma of the Gaussian noise added to the targets (>= 0):
        y_i = f[x_i, phi_true] + sigma epsilon_i.
    rng : numpy.random.Generator
        Source of the inputs x_i and of the noise.
    activation : str
        Activation of the network slice (ignored by the other landscapes).
    """
    if n_samples < 1:
        raise DomainError(f"the data set needs at least 1 sample, got {n_samples}")
    if not noise >= 0:
        raise DomainError(f"noise must be a standard deviation >= 0, got {noise}")
    if name == "gabor":
        true_phi = np.array([-0.2, 13.0])
        x_range = (-15.0, 15.0)
        predict, predict_with_gradient = gabor, gabor_with_gradient
        kwargs = {
            "label": "Gabor model",
            "formula": r"f[x,\phi]=\sin(\phi_0+0.06\phi_1x)\,e^{-(\phi_0+0.06\phi_1x)^2/32}",
            "param_names": (r"\phi_0", r"\phi_1"),
            "param_range": ((-10.0, 10.0), (2.5, 22.5)),
            "convex": False,
        }
    elif name == "linear":
        true_phi = np.array([0.5, 1.2])
        x_range = (0.0, 2.0)
        predict, predict_with_gradient = line, line_with_gradient
        kwargs = {
            "label": "Linear regression",
            "formula": r"f[x,\phi]=\phi_0+\phi_1x",
            "param_names": (r"\phi_0", r"\phi_1"),
            "param_range": ((-2.0, 3.0), (-2.0, 3.0)),
            "convex": True,
        }
    elif name == "network":
        true_phi = np.array([NETWORK_PHI[1], NETWORK_THETA[0, 1]])
        x_range = (-3.0, 3.0)
        predict, predict_with_gradient = network_slice(activation)
        kwargs = {
            "label": f"Shallow network slice ({activation})",
            "formula": r"f[x,\phi]=\phi_0+\sum_{k=1}^{3}\phi_k\,a[\theta_{k0}+\theta_{k1}x]",
            "param_names": (r"\phi_1", r"\theta_{11}"),
            "param_range": ((-3.0, 3.0), (-5.0, 5.0)),
            "convex": False,
        }
    else:
        raise DomainError(f"unknown landscape {name!r}; choose one of {', '.join(LANDSCAPE_NAMES)}")
    if name == "linear":  # the linear lab's data: same generator, same defaults
        data = linear.make_data(n_samples, true_phi[1], true_phi[0], noise, rng, *x_range)
        x, y = data.x, data.y
    else:
        x = rng.uniform(*x_range, size=n_samples)
        y = predict(x, true_phi[0], true_phi[1]) + noise * rng.standard_normal(n_samples)
    return Landscape(
        name=name,
        x=x,
        y=y,
        true_phi=true_phi,
        x_range=x_range,
        predict=predict,
        predict_with_gradient=predict_with_gradient,
        **kwargs,
    )


# ---------------------------------------------------------------------------- losses


def batch_loss_and_gradient(
    landscape: Landscape, x: np.ndarray, y: np.ndarray, phi: np.ndarray
) -> tuple[float, np.ndarray]:
    r"""Mean squared error on the pairs (x, y) and its gradient at phi.

    .. math::
        L_B = \frac{1}{|B|}\sum_{i\in B} r_i^2,\quad r_i = f[x_i,\phi]-y_i,\quad
        \nabla L_B = \frac{2}{|B|}\sum_{i\in B} r_i \nabla_\phi f[x_i,\phi]

    Parameters
    ----------
    x, y : ndarray, shape (B,)
        The samples of the batch (already selected, so a caller can slice a shuffled copy).
    phi : ndarray, shape (2,)

    Returns
    -------
    loss : float
    gradient : ndarray, shape (2,)
    """
    f, d0, d1 = landscape.predict_with_gradient(x, phi[0], phi[1])
    r = f - y
    scale = 2.0 / r.size
    return float(r @ r) / r.size, np.array([scale * (r @ d0), scale * (r @ d1)])


def loss_and_gradient(
    landscape: Landscape, phi: np.ndarray, indices: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Loss and gradient on the samples ``indices`` (all samples when None); see
    :func:`batch_loss_and_gradient`."""
    phi = _check_phi(phi)
    x, y = _subset(landscape, indices)
    return batch_loss_and_gradient(landscape, x, y, phi)


def losses_at(
    landscape: Landscape,
    points: np.ndarray,
    indices: np.ndarray | None = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """Loss at many parameter points at once.

    Parameters
    ----------
    points : ndarray, shape (M, 2)
    indices : ndarray of int, optional
        Samples to average over (all when None).
    dtype : numpy dtype
        Precision of the arithmetic; the result is always float64.

    Returns
    -------
    ndarray, shape (M,)
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)  # (M, 2)
    x, y = _subset(landscape, indices)
    x, y = x.astype(dtype), y.astype(dtype)
    out = np.empty(len(points))
    rows = max(1, MAX_GRID_CELLS // max(1, x.size))
    for start in range(0, len(points), rows):  # cache-sized blocks, not a loop over points
        p = points[start : start + rows].astype(dtype)
        r = landscape.predict(x[None, :], p[:, :1], p[:, 1:]) - y[None, :]  # (m, B)
        out[start : start + rows] = np.mean(r * r, axis=1)
    return out


def loss_surface(
    landscape: Landscape,
    phi_0: np.ndarray,
    phi_1: np.ndarray,
    indices: np.ndarray | None = None,
    dtype: type = np.float32,
) -> np.ndarray:
    """Loss on the grid phi_0 x phi_1, by broadcasting (grid x data).

    The grid is a picture, so by default it is computed in single precision (about 7
    significant digits, several times faster for sin/exp); minima are refined in double.

    Parameters
    ----------
    phi_0 : ndarray, shape (G0,)
        Values of the first parameter (columns of the map).
    phi_1 : ndarray, shape (G1,)
        Values of the second parameter (rows of the map).
    indices : ndarray of int, optional
        Mini-batch to average over (all samples when None).
    dtype : numpy dtype
        Precision of the arithmetic (float32 or float64).

    Returns
    -------
    ndarray, shape (G1, G0)
        ``surface[j, i] = L[(phi_0[i], phi_1[j])]``, the layout a contour plot expects.
    """
    phi_0 = np.asarray(phi_0, dtype=float).ravel()
    phi_1 = np.asarray(phi_1, dtype=float).ravel()
    grid = np.stack(np.meshgrid(phi_0, phi_1), axis=-1).reshape(-1, 2)  # (G1 * G0, 2)
    return losses_at(landscape, grid, indices, dtype).reshape(len(phi_1), len(phi_0))


def grid_axes(landscape: Landscape, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced values over ``landscape.param_range``, ``resolution`` per axis."""
    if resolution < 3:
        raise DomainError(f"the grid needs at least 3 points per axis, got {resolution}")
    (a0, b0), (a1, b1) = landscape.param_range
    return np.linspace(a0, b0, resolution), np.linspace(a1, b1, resolution)


# ---------------------------------------------------------------------------- minima


@dataclass(frozen=True)
class Minima:
    """Local minima of a loss surface, lowest first.

    Attributes
    ----------
    points : ndarray, shape (K, 2)
    losses : ndarray, shape (K,)
        ``losses[0]`` is the global minimum within the window.
    """

    points: np.ndarray
    losses: np.ndarray


def find_minima(
    landscape: Landscape,
    phi_0: np.ndarray,
    phi_1: np.ndarray,
    surface: np.ndarray,
    max_minima: int = 12,
) -> Minima:
    """Find the local minima of a gridded loss and refine them with Levenberg-Marquardt.

    A candidate is an interior grid cell no higher than its 8 neighbours. Each candidate is
    refined on the full loss by damped Gauss-Newton steps (all candidates at once); a refined
    point that leaves the window is dropped and points closer than one grid cell are merged.

    Parameters
    ----------
    phi_0 : ndarray, shape (G0,)
    phi_1 : ndarray, shape (G1,)
    surface : ndarray, shape (G1, G0)
        Output of :func:`loss_surface` on these axes.
    max_minima : int
        At most this many candidates (the lowest) are refined.
    """
    s = np.asarray(surface, dtype=float)
    centre = s[1:-1, 1:-1]
    is_min = np.ones_like(centre, dtype=bool)
    for dj in (-1, 0, 1):
        for di in (-1, 0, 1):
            if dj or di:
                is_min &= centre <= s[1 + dj : s.shape[0] - 1 + dj, 1 + di : s.shape[1] - 1 + di]
    rows, cols = np.nonzero(is_min)
    order = np.argsort(centre[rows, cols])[:max_minima]
    start = np.column_stack([phi_0[cols[order] + 1], phi_1[rows[order] + 1]])  # (K, 2)
    if len(start) == 0:
        return Minima(points=np.zeros((0, 2)), losses=np.zeros(0))
    refined = _levenberg_marquardt(landscape, start)
    losses = losses_at(landscape, refined)
    cell = np.array([phi_0[1] - phi_0[0], phi_1[1] - phi_1[0]])
    lo = np.array([phi_0[0], phi_1[0]]) - cell
    hi = np.array([phi_0[-1], phi_1[-1]]) + cell
    inside = np.all((refined >= lo) & (refined <= hi), axis=1) & np.isfinite(losses)
    kept: list[int] = []
    for k in np.argsort(np.where(inside, losses, np.inf)):  # few candidates: a short loop
        if not inside[k]:
            break
        if all(np.any(np.abs(refined[k] - refined[j]) > cell) for j in kept):
            kept.append(int(k))
    return Minima(points=refined[kept], losses=losses[kept])


def _levenberg_marquardt(
    landscape: Landscape, start: np.ndarray, n_iterations: int = 60
) -> np.ndarray:
    """Refine many starting points (K, 2) on the full least-squares loss at once."""
    phi = start.copy()
    damping = np.full(len(phi), 1e-3)
    x, y = landscape.x, landscape.y
    loss = losses_at(landscape, phi)
    for _ in range(n_iterations):
        f, d0, d1 = landscape.predict_with_gradient(x[None, :], phi[:, :1], phi[:, 1:])  # (K, N)
        r = f - y[None, :]
        jac = np.stack([d0, d1], axis=-1)  # (K, N, 2)
        jtj = np.einsum("kni,knj->kij", jac, jac)  # (K, 2, 2)
        jtr = np.einsum("kni,kn->ki", jac, r)  # (K, 2)
        lhs = jtj + damping[:, None, None] * (
            np.eye(2) * (1.0 + np.trace(jtj, axis1=1, axis2=2))[:, None, None]
        )
        delta = -np.linalg.solve(lhs, jtr[..., None])[..., 0]  # (K, 2)
        trial = phi + delta
        trial_loss = losses_at(landscape, trial)
        better = trial_loss < loss
        phi = np.where(better[:, None], trial, phi)
        loss = np.where(better, trial_loss, loss)
        damping = np.clip(np.where(better, damping / 3.0, damping * 4.0), 1e-12, 1e12)
    return phi


# ---------------------------------------------------------------------------- helpers


def _check_phi(phi: np.ndarray) -> np.ndarray:
    phi = np.asarray(phi, dtype=float)
    if phi.shape != (2,):
        raise DomainError(f"phi must hold exactly 2 parameters, got shape {phi.shape}")
    return phi


def _subset(landscape: Landscape, indices: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if indices is None:
        return landscape.x, landscape.y
    indices = np.asarray(indices, dtype=int)
    if indices.size == 0:
        raise DomainError("a mini-batch needs at least 1 sample, got 0")
    n = landscape.x.size
    if indices.min() < 0 or indices.max() >= n:
        raise DomainError(
            f"sample indices must lie in 0..{n - 1}, got {indices.min()}..{indices.max()}"
        )
    return landscape.x[indices], landscape.y[indices]


@dataclass(frozen=True)
class PointView:
    """What the lab shows for one parameter point: the model's curve, the loss and gradient, and
    (for a mini-batch) the loss the batch sees next to the full loss.

    Attributes
    ----------
    curve_x, curve_f : ndarray, shape (C,)
        The model f[x, phi] on an even grid over the input range.
    full_loss : float
    full_gradient : ndarray, shape (2,)
    batch_loss : float or None
    batch_gradient : ndarray, shape (2,) or None
    batch_surface : ndarray, shape (G1, G0) or None
        Mini-batch loss L_B on the grid (None without a batch).
    """

    curve_x: np.ndarray
    curve_f: np.ndarray
    full_loss: float
    full_gradient: np.ndarray
    batch_loss: float | None
    batch_gradient: np.ndarray | None
    batch_surface: np.ndarray | None


def point_view(
    landscape: Landscape,
    phi: np.ndarray,
    indices: np.ndarray | None,
    phi_0: np.ndarray,
    phi_1: np.ndarray,
    n_curve: int = 200,
) -> PointView:
    """Model curve, loss and gradient at phi; with ``indices`` also the mini-batch's loss surface
    and gradient (the noise of SGD made visible).

    Parameters
    ----------
    phi : ndarray, shape (2,)
    indices : ndarray of int, shape (B,), or None
        The mini-batch.
    phi_0 : ndarray, shape (G0,)
    phi_1 : ndarray, shape (G1,)
    n_curve : int
        Points of the model curve.
    """
    phi = _check_phi(phi)
    if not np.all(np.isfinite(phi)):
        raise DomainError(f"phi must be finite, got {phi.tolist()}")
    lo, hi = landscape.x_range
    pad = 0.05 * (hi - lo)
    curve_x = np.linspace(lo - pad, hi + pad, n_curve)
    curve_f = landscape.predict(curve_x, phi[0], phi[1])
    full_loss, full_gradient = loss_and_gradient(landscape, phi)
    if indices is None:
        return PointView(curve_x, curve_f, full_loss, full_gradient, None, None, None)
    indices = np.asarray(indices, dtype=int)
    batch_loss, batch_gradient = loss_and_gradient(landscape, phi, indices)
    return PointView(
        curve_x=curve_x,
        curve_f=curve_f,
        full_loss=full_loss,
        full_gradient=full_gradient,
        batch_loss=batch_loss,
        batch_gradient=batch_gradient,
        batch_surface=loss_surface(landscape, phi_0, phi_1, indices),
    )


@dataclass(frozen=True)
class LandscapeMap:
    """The loss map of a landscape: grid, full loss on it and its refined minima.

    Attributes
    ----------
    phi_0 : ndarray, shape (G,)
    phi_1 : ndarray, shape (G,)
    surface : ndarray, shape (G, G)
        ``surface[j, i] = L[(phi_0[i], phi_1[j])]``.
    minima : Minima
        Lowest first.
    """

    phi_0: np.ndarray
    phi_1: np.ndarray
    surface: np.ndarray
    minima: Minima


def loss_map(landscape: Landscape, resolution: int) -> LandscapeMap:
    """Grid ``landscape.param_range`` with ``resolution`` points per axis, evaluate the full
    loss there (:func:`loss_surface`) and find its local minima (:func:`find_minima`)."""
    phi_0, phi_1 = grid_axes(landscape, resolution)
    surface = loss_surface(landscape, phi_0, phi_1)
    return LandscapeMap(phi_0, phi_1, surface, find_minima(landscape, phi_0, phi_1, surface))

"""Two-parameter models and their data sets: the Gabor model, linear regression, a network
slice and a saddle.

A landscape is a model f[x, phi] with two free parameters phi = (phi_0, phi_1) together with
training pairs {x_i, y_i}. The pairs are either the caller's own or drawn from the model at
``true_phi`` with Gaussian noise, y_i = f[x_i, phi_true] + sigma epsilon_i. Its loss (the
mean squared error) lives in :mod:`core.landscape_loss`; its minima and saddle points in
:mod:`core.landscape_critical`.

The models (each with its derivatives df/dphi_0 and df/dphi_1, written out):

- ``gabor``: f = sin(z) exp(-z^2/32), z = phi_0 + 0.06 phi_1 x (Prince, fig. 6.4; course
  notes ch. 5.1), non-convex, several valleys;
- ``linear``: f = phi_0 + phi_1 x (course notes ch. 1.2; :mod:`core.linear`), a convex bowl;
- ``network``: the shallow network y = phi_0 + sum_k phi_k a[theta_k0 + theta_k1 x] of
  :mod:`core.network` with every weight fixed but phi_1 and theta_11 (notes ch. 2);
- ``saddle``: f = phi_0 + phi_1 x + (phi_1^2 - 1) x^2 on mirror-symmetric data: two valleys
  and a saddle between them where full-batch gradient descent stops and SGD escapes
  (:func:`saddle_model`; notes ch. 5.1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core import linear
from core.activations import get_activation
from core.errors import DomainError
from core.network import forward, shallow_network

GABOR_SCALE = 0.06  # the factor 0.06 in z = phi_0 + 0.06 phi_1 x (Prince, fig. 6.4)
GABOR_WIDTH = 32.0  # the 32 in exp(-z^2 / 32)

# The landscapes, declared once: name -> label a page shows.
LANDSCAPES: dict[str, str] = {
    "gabor": "Gabor model (non-convex)",
    "linear": "Linear regression (convex)",
    "network": "Shallow-network slice",
    "saddle": "Saddle between two valleys",
}
LANDSCAPE_NAMES: tuple[str, ...] = tuple(LANDSCAPES)
MAX_SAMPLES = 1000  # the caller's own points: at most this many

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
        Parameters the data were generated from (before noise); for the caller's own points
        the model's default parameters.
    x_range : (lo, hi)
        Interval of the inputs (for drawing the model's curve).
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


# ---------------------------------------------------------------------------- Gabor


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

    The operations and their order are those of the optimisers' fused kernel
    (:func:`core.optimizers_fast.gabor_batch_sums`), so both give the same bits.
    """
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


# ---------------------------------------------------------------------------- linear


def line(x: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray) -> np.ndarray:
    r"""Linear model :math:`f[x,\phi] = \phi_0 + \phi_1 x`, the linear lab's own
    ``core.linear.predict``."""
    return linear.predict((phi_0, phi_1), x)


def line_with_gradient(
    x: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear model with df/dphi_0 = 1 and df/dphi_1 = x."""
    f = line(x, phi_0, phi_1)
    return f, np.ones_like(f), np.broadcast_to(x, f.shape)


# ---------------------------------------------------------------------------- network slice

# The 3-unit shallow network y = phi_0 + sum_k phi_k a[theta_k0 + theta_k1 x] (notes ch. 2).
# The slice varies phi_1 (output weight of unit 1) and theta_11 (its slope); the rest stay here.
NETWORK_PHI = np.array([0.3, 1.2, -0.9, 0.7])  # phi_0 .. phi_3
NETWORK_THETA = np.array([[0.1, 1.6], [-0.8, 1.1], [1.0, -1.4]])  # (D, 2): theta_k0, theta_k1


def network_slice(
    activation: str, theta: np.ndarray | None = None, phi: np.ndarray | None = None
) -> tuple[Predict, PredictWithGradient]:
    r"""Return (predict, predict_with_gradient) for a slice through a shallow network.

    The free parameters are phi_1 (output weight of hidden unit 1, first map axis) and
    theta_11 (slope of hidden unit 1, second map axis); all other weights stay at ``theta``
    and ``phi``. Units 2..D are evaluated by the network engine (:func:`core.network.forward`
    on the network with phi_1 = 0); the free unit is written out:

    .. math::
        f[x] = \phi_1 a[\theta_{10} + \theta_{11} x] + \mathrm{rest}[x],\quad
        \frac{\partial f}{\partial \phi_1} = a[h],\quad
        \frac{\partial f}{\partial \theta_{11}} = \phi_1 a'[h]\, x

    Parameters
    ----------
    activation : str
    theta : ndarray, shape (D, 2), optional
        Biases (column 0) and slopes of the D >= 1 hidden units; ``NETWORK_THETA`` if None.
    phi : ndarray, shape (D + 1,), optional
        phi_0 (output bias) and the output weights; ``NETWORK_PHI`` if None.
    """
    theta, phi = network_weights(theta, phi)
    act = get_activation(activation)
    fixed_phi = phi.copy()
    fixed_phi[1] = 0.0  # unit 1 is the slice's own: rest[x] leaves it out
    rest_net = shallow_network(theta, fixed_phi[None, :], activation)
    theta_10 = theta[0, 0]

    def rest(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return forward(rest_net, x.reshape(1, -1)).output.reshape(x.shape)  # (1, N) -> x.shape

    def predict(x: np.ndarray, phi_1: np.ndarray, theta_11: np.ndarray) -> np.ndarray:
        return phi_1 * act.value(theta_10 + theta_11 * x) + rest(x)

    def predict_with_gradient(x, phi_1, theta_11):
        h = theta_10 + theta_11 * x
        a_h = act.value(h)
        f = phi_1 * a_h + rest(x)
        return f, np.broadcast_to(a_h, f.shape), phi_1 * act.derivative(h) * x

    return predict, predict_with_gradient


def network_weights(
    theta: np.ndarray | None, phi: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """The slice's fixed weights, checked: theta (D, 2) and phi (D + 1,), defaults if None."""
    theta = NETWORK_THETA if theta is None else np.asarray(theta, dtype=float)
    phi = NETWORK_PHI if phi is None else np.asarray(phi, dtype=float).ravel()
    if theta.ndim != 2 or theta.shape[1] != 2 or len(theta) < 1:
        raise DomainError(
            f"theta must have one row (theta_k0, theta_k1) per hidden unit, got shape {theta.shape}"
        )
    if phi.shape != (len(theta) + 1,):
        raise DomainError(
            f"phi must hold phi_0 and one weight per hidden unit ({len(theta) + 1} numbers), "
            f"got {phi.size}"
        )
    if not (np.all(np.isfinite(theta)) and np.all(np.isfinite(phi))):
        raise DomainError("the network's weights must be finite numbers")
    return theta, phi


# ---------------------------------------------------------------------------- saddle


def saddle_model(x: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray) -> np.ndarray:
    r"""Saddle model :math:`f[x,\phi] = \phi_0 + \phi_1 x + (\phi_1^2 - 1)\, x^2`.

    Its generated data are mirror pairs (x_i, y_i), (-x_i, y_i) with targets from the even part
    of f, y = phi_0 + (phi_1^2 - 1) x^2 + noise. Since f[-x, (phi_0, -phi_1)] =
    f[x, (phi_0, phi_1)], the full loss is symmetric, L[phi_0, phi_1] = L[phi_0, -phi_1]: two
    mirror-image valleys, and on the line phi_1 = 0 a saddle point where the loss curves
    downward across the line. The full gradient has no component across that line, so full-batch
    gradient descent started on it slides into the saddle and stops there (its gradient is
    zero); a mini-batch that splits the pairs is not symmetric, and its gradient pushes SGD off
    the line into a valley.
    """
    return phi_0 + phi_1 * x + (phi_1 * phi_1 - 1.0) * (x * x)


def saddle_with_gradient(
    x: np.ndarray, phi_0: np.ndarray, phi_1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Saddle model with df/dphi_0 = 1 and df/dphi_1 = x + 2 phi_1 x^2."""
    f = saddle_model(x, phi_0, phi_1)
    return f, np.ones_like(f), x + 2.0 * phi_1 * (x * x)


# ---------------------------------------------------------------------------- building


@dataclass(frozen=True)
class _Kind:
    label: str
    formula: str
    param_names: tuple[str, str]
    param_range: tuple[tuple[float, float], tuple[float, float]]
    true_phi: tuple[float, float]
    x_range: tuple[float, float]
    convex: bool


_KINDS = {
    "gabor": _Kind(
        "Gabor model",
        r"f[x,\phi]=\sin(\phi_0+0.06\phi_1x)\,e^{-(\phi_0+0.06\phi_1x)^2/32}",
        (r"\phi_0", r"\phi_1"),
        ((-10.0, 10.0), (2.5, 22.5)),
        (-0.2, 13.0),
        (-15.0, 15.0),
        False,
    ),
    "linear": _Kind(
        "Linear regression",
        r"f[x,\phi]=\phi_0+\phi_1x",
        (r"\phi_0", r"\phi_1"),
        ((-2.0, 3.0), (-2.0, 3.0)),
        (0.5, 1.2),
        (0.0, 2.0),
        True,
    ),
    "network": _Kind(
        "Shallow network slice",
        r"f[x,\phi]=\phi_0+\sum_{k=1}^{3}\phi_k\,a[\theta_{k0}+\theta_{k1}x]",
        (r"\phi_1", r"\theta_{11}"),
        ((-3.0, 3.0), (-5.0, 5.0)),
        (NETWORK_PHI[1], NETWORK_THETA[0, 1]),
        (-3.0, 3.0),
        False,
    ),
    "saddle": _Kind(
        "Saddle between two valleys",
        r"f[x,\phi]=\phi_0+\phi_1x+(\phi_1^2-1)\,x^2",
        (r"\phi_0", r"\phi_1"),
        ((-1.5, 3.0), (-2.0, 2.0)),
        (0.2, 2.0**0.5),
        (-1.5, 1.5),
        False,
    ),
}


def check_window(window) -> tuple[tuple[float, float], tuple[float, float]]:
    """The map's window as ((lo_0, hi_0), (lo_1, hi_1)), finite with lo < hi, or a DomainError."""
    w = np.asarray(window, dtype=float)
    if w.shape != (2, 2) or not np.all(np.isfinite(w)) or not np.all(w[:, 0] < w[:, 1]):
        raise DomainError(
            f"the map's window needs (lo, hi) with lo < hi for both parameters, got {w.tolist()}"
        )
    return (float(w[0, 0]), float(w[0, 1])), (float(w[1, 0]), float(w[1, 1]))


def landscape_from_points(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    activation: str = "tanh",
    theta: np.ndarray | None = None,
    phi: np.ndarray | None = None,
    true_phi: np.ndarray | None = None,
    window: np.ndarray | None = None,
) -> Landscape:
    """The landscape of model ``name`` on the given training pairs.

    Parameters
    ----------
    name : str
        One of ``LANDSCAPE_NAMES``.
    x, y : ndarray, shape (N,)
        Inputs and targets, 1 <= N <= ``MAX_SAMPLES``, finite.
    activation : str
        Activation of the network slice (ignored by the other landscapes).
    theta, phi : ndarray, optional
        The network slice's fixed weights (see :func:`network_slice`).
    true_phi : ndarray, shape (2,), optional
        Parameters the data came from, when known (default: the model's own defaults).
    window : array-like, shape (2, 2), optional
        The map's window, (lo, hi) for each parameter (default: the model's own).
    """
    if name not in _KINDS:
        raise DomainError(f"unknown landscape {name!r}; choose one of {', '.join(LANDSCAPE_NAMES)}")
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise DomainError(f"x and y must have the same length, got {x.size} and {y.size}")
    if not 1 <= x.size <= MAX_SAMPLES:
        raise DomainError(f"the data set needs 1 to {MAX_SAMPLES} samples, got {x.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DomainError("the data must be finite numbers")
    kind = _KINDS[name]
    label, true = kind.label, np.array(kind.true_phi, dtype=float)
    if name == "gabor":
        predict, predict_with_gradient = gabor, gabor_with_gradient
    elif name == "linear":
        predict, predict_with_gradient = line, line_with_gradient
    elif name == "saddle":
        predict, predict_with_gradient = saddle_model, saddle_with_gradient
    else:
        theta, phi = network_weights(theta, phi)
        predict, predict_with_gradient = network_slice(activation, theta, phi)
        label = f"{label} ({activation})"
        true = np.array([phi[1], theta[0, 1]])
    if true_phi is not None:
        true = np.asarray(true_phi, dtype=float)
    lo, hi = kind.x_range
    if x.size and (x.min() < lo or x.max() > hi):  # own points outside the usual inputs
        lo, hi = min(lo, float(x.min())), max(hi, float(x.max()))
    return Landscape(
        name=name,
        label=label,
        formula=kind.formula,
        param_names=kind.param_names,
        param_range=kind.param_range if window is None else check_window(window),
        x=x,
        y=y,
        true_phi=true,
        x_range=(lo, hi),
        convex=kind.convex,
        predict=predict,
        predict_with_gradient=predict_with_gradient,
    )


def make_landscape(
    name: str,
    n_samples: int,
    noise: float,
    rng: np.random.Generator,
    activation: str = "tanh",
    theta: np.ndarray | None = None,
    phi: np.ndarray | None = None,
    window: np.ndarray | None = None,
) -> Landscape:
    """Draw a data set from one of the models and return its landscape.

    Parameters
    ----------
    name : str
        One of ``LANDSCAPE_NAMES``.
    n_samples : int
        Number N of training pairs (at least 1).
    noise : float
        Standard deviation sigma of the Gaussian noise added to the targets (>= 0):
        y_i = f[x_i, phi_true] + sigma epsilon_i.
    rng : numpy.random.Generator
        Source of the inputs x_i (uniform over the model's input range) and of the noise.
    activation : str
        Activation of the network slice (ignored by the other landscapes).
    theta, phi : ndarray, optional
        The network slice's fixed weights (see :func:`network_slice`).
    window : array-like, shape (2, 2), optional
        The map's window, (lo, hi) for each parameter (default: the model's own).
    """
    if name not in _KINDS:
        raise DomainError(f"unknown landscape {name!r}; choose one of {', '.join(LANDSCAPE_NAMES)}")
    if n_samples < 1:
        raise DomainError(f"the data set needs at least 1 sample, got {n_samples}")
    if not noise >= 0:
        raise DomainError(f"noise must be a standard deviation >= 0, got {noise}")
    kind = _KINDS[name]
    if name == "linear":  # the linear lab's data: same generator, same defaults
        intercept, slope = kind.true_phi
        data = linear.make_data(n_samples, slope, intercept, noise, rng, *kind.x_range)
        return landscape_from_points(name, data.x, data.y, window=window)
    empty = landscape_from_points(name, np.zeros(1), np.zeros(1), activation, theta, phi)
    true = empty.true_phi
    if name == "saddle":  # mirror pairs (x, y), (-x, y) and one sample at 0 when N is odd
        half = rng.uniform(0.0, kind.x_range[1], size=n_samples // 2)
        x = np.concatenate([half, -half, np.zeros(n_samples % 2)])
        even = 0.5 * (empty.predict(x, true[0], true[1]) + empty.predict(-x, true[0], true[1]))
        noise_half = noise * rng.standard_normal(n_samples // 2)
        y = even + np.concatenate(
            [noise_half, noise_half, noise * rng.standard_normal(n_samples % 2)]
        )
        return landscape_from_points(name, x, y, true_phi=true, window=window)
    x = rng.uniform(*kind.x_range, size=n_samples)
    y = empty.predict(x, true[0], true[1]) + noise * rng.standard_normal(n_samples)
    return landscape_from_points(name, x, y, activation, theta, phi, window=window)

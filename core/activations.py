"""Activation functions a[.] with their derivatives, defined together.

Each activation is a pair (value, derivative) so that the flow plots, the gradient
computations and the activation-functions lab all use one source of truth.
Reference: course notes ch. 2.1 (ReLU and the family F); Prince, ch. 3.1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.errors import DomainError

ArrayFn = Callable[[np.ndarray], np.ndarray]

LEAKY_SLOPE = 0.1  # slope of leaky ReLU for z < 0 (alpha)
ELU_ALPHA = 1.0  # saturation value -alpha of ELU for z -> -inf


@dataclass(frozen=True)
class Activation:
    """An activation function a[z] and its derivative a'[z].

    Attributes
    ----------
    name : str
        Identifier used by the API (``"relu"``, ``"tanh"``, ...).
    label : str
        Human-readable name.
    formula : str
        LaTeX formula of a[z].
    value : callable
        ``value(z)`` evaluates a[z] elementwise.
    derivative : callable
        ``derivative(z)`` evaluates da/dz elementwise. At a kink, where no derivative
        exists, the value from the left is used, as the book and the frameworks do:
        ReLU'(0) = 0, leaky ReLU'(0) = 0.1. The Heaviside step is 1 for z >= 0 (the book's
        convention) and its derivative is taken as 0 everywhere, the jump included.
    piecewise_linear : bool
        True when a[.] is piecewise linear, so a network built from it is piecewise
        linear in its input and has well-defined linear regions.
    """

    name: str
    label: str
    formula: str
    value: ArrayFn
    derivative: ArrayFn
    piecewise_linear: bool


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # Numerically stable: never evaluates exp of a large positive number.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def erf(x: np.ndarray) -> np.ndarray:
    """Error function, vectorised (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    x = np.asarray(x, dtype=float)
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return s * (1.0 - poly * np.exp(-a * a))


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + erf(z / np.sqrt(2.0)))


def _normal_pdf(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def _elu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _f(z: np.ndarray) -> np.ndarray:
    return np.asarray(z, dtype=float)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "relu",
            "ReLU",
            r"a[z] = \max(0, z)",
            lambda z: np.maximum(_f(z), 0.0),
            lambda z: (_f(z) > 0).astype(float),
            True,
        ),
        Activation(
            "leaky_relu",
            "Leaky ReLU",
            r"a[z] = \max(0.1 z, z)",
            lambda z: np.where(_f(z) > 0, _f(z), LEAKY_SLOPE * _f(z)),
            lambda z: np.where(_f(z) > 0, 1.0, LEAKY_SLOPE),
            True,
        ),
        Activation(
            "elu",
            "ELU",
            r"a[z] = z \text{ if } z > 0 \text{ else } e^{z} - 1",
            lambda z: _elu(_f(z)),
            lambda z: np.where(_f(z) > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(_f(z), 0.0))),
            False,
        ),
        Activation(
            "softplus",
            "Softplus",
            r"a[z] = \log(1 + e^{z})",
            lambda z: _softplus(_f(z)),
            lambda z: _sigmoid(_f(z)),
            False,
        ),
        Activation(
            "gelu",
            "GELU",
            r"a[z] = z\,\Phi(z)",
            lambda z: _f(z) * _normal_cdf(_f(z)),
            lambda z: _normal_cdf(_f(z)) + _f(z) * _normal_pdf(_f(z)),
            False,
        ),
        Activation(
            "silu",
            "Swish / SiLU",
            r"a[z] = z\,\mathrm{sig}(z)",
            lambda z: _f(z) * _sigmoid(_f(z)),
            lambda z: _sigmoid(_f(z)) * (1.0 + _f(z) * (1.0 - _sigmoid(_f(z)))),
            False,
        ),
        Activation(
            "sigmoid",
            "Logistic sigmoid",
            r"a[z] = \frac{1}{1 + e^{-z}}",
            lambda z: _sigmoid(_f(z)),
            lambda z: _sigmoid(_f(z)) * (1.0 - _sigmoid(_f(z))),
            False,
        ),
        Activation(
            "tanh",
            "tanh",
            r"a[z] = \tanh(z)",
            lambda z: np.tanh(_f(z)),
            lambda z: 1.0 - np.tanh(_f(z)) ** 2,
            False,
        ),
        Activation(
            "heaviside",
            "Heaviside step",
            r"a[z] = \mathbb{1}[z \ge 0]",
            lambda z: (_f(z) >= 0).astype(float),
            lambda z: np.zeros_like(_f(z)),
            True,
        ),
        Activation(
            "linear",
            "Linear (identity)",
            r"a[z] = z",
            lambda z: _f(z).copy(),
            lambda z: np.ones_like(_f(z)),
            True,
        ),
    )
}

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def get_activation(name: str) -> Activation:
    """Look up an activation by name; raise ``DomainError`` listing the valid names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise DomainError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATION_NAMES)}"
        ) from None

"""The book's toy model of backpropagation: a chain of scalar functions.

Prince, *Understanding Deep Learning*, section 7.3 (eq. 7.5-7.12) and its notebook 7.1; course
notes ch. 7.1 (the notes do not work this example through). One input ``x``, one target ``y``,
eight scalar parameters:

.. math::

    f_0 = \\beta_0 + \\omega_0 x,\\; h_1 = \\sin f_0,\\; f_1 = \\beta_1 + \\omega_1 h_1,\\;
    h_2 = \\exp f_1,\\; f_2 = \\beta_2 + \\omega_2 h_2,\\; h_3 = \\cos f_2,\\;
    f_3 = \\beta_3 + \\omega_3 h_3,\\; \\ell = (f_3 - y)^2.

The backward pass multiplies local derivatives from the loss back to the input:
``dl/df_3 = 2 (f_3 - y)``, ``dl/dh_k = omega_k dl/df_k``, ``dl/df_{k-1} = a_k'[f_{k-1}] dl/dh_k``
and then ``dl/dbeta_k = dl/df_k``, ``dl/domega_k = h_k dl/df_k`` with ``h_0 = x``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import DomainError

# The chain's functions h_k = a_k[f_{k-1}] with their derivatives, in order (book eq. 7.7).
CHAIN_FUNCTIONS: tuple[tuple[str, object, object], ...] = (
    ("sin", np.sin, np.cos),
    ("exp", np.exp, np.exp),
    ("cos", np.cos, lambda z: -np.sin(z)),
)

# The book's notebook 7.1 values: beta_0..3, omega_0..3, x, y.
BOOK_CHAIN = {
    "betas": (1.0, 2.0, -3.0, 0.4),
    "omegas": (0.1, -0.4, 2.0, 3.0),
    "x": 2.3,
    "y": 2.0,
}


@dataclass(frozen=True)
class Chain:
    """Forward values, local derivatives and backward products of the toy chain.

    Attributes
    ----------
    f : ndarray, shape (4,)
        ``f_0 .. f_3``.
    h : ndarray, shape (3,)
        ``h_1 .. h_3``.
    loss : float
        ``(f_3 - y)^2``.
    dh_df : ndarray, shape (3,)
        Local derivatives ``dh_k / df_{k-1}`` (``cos f_0``, ``exp f_1``, ``-sin f_2``).
    df_dh : ndarray, shape (3,)
        Local derivatives ``df_k / dh_k = omega_k`` for k = 1..3.
    dl_df : ndarray, shape (4,)
        Backward products ``dl/df_0 .. dl/df_3``.
    dl_dh : ndarray, shape (3,)
        Backward products ``dl/dh_1 .. dl/dh_3``.
    dl_dbetas, dl_domegas : ndarray, shape (4,)
        ``dl/dbeta_k = dl/df_k`` and ``dl/domega_k = h_k dl/df_k`` (``h_0 = x``).
    fd_betas, fd_omegas : ndarray, shape (4,)
        Central finite differences of the loss for the same parameters (the check).
    """

    f: np.ndarray
    h: np.ndarray
    loss: float
    dh_df: np.ndarray
    df_dh: np.ndarray
    dl_df: np.ndarray
    dl_dh: np.ndarray
    dl_dbetas: np.ndarray
    dl_domegas: np.ndarray
    fd_betas: np.ndarray
    fd_omegas: np.ndarray


def _chain_parameters(betas: Sequence[float], omegas: Sequence[float]) -> tuple:
    betas = np.asarray(betas, dtype=float)
    omegas = np.asarray(omegas, dtype=float)
    if betas.shape != (4,) or omegas.shape != (4,):
        raise DomainError(
            f"the chain has four betas and four omegas, got {betas.size} and {omegas.size}"
        )
    return betas, omegas


def chain_forward(betas: Sequence[float], omegas: Sequence[float], x: float) -> np.ndarray:
    """The chain's pre-activations ``f_0 .. f_3`` (shape (4,)) for input ``x``."""
    betas, omegas = _chain_parameters(betas, omegas)
    f = np.empty(4)
    f[0] = betas[0] + omegas[0] * x
    for k, (_, value, _) in enumerate(CHAIN_FUNCTIONS, start=1):
        f[k] = betas[k] + omegas[k] * value(f[k - 1])
    return f


def chain_loss(betas: Sequence[float], omegas: Sequence[float], x: float, y: float) -> float:
    """``l = (f_3 - y)^2`` (book eq. 7.6, no factor 1/2)."""
    return float((chain_forward(betas, omegas, x)[3] - y) ** 2)


def chain_backprop(
    betas: Sequence[float], omegas: Sequence[float], x: float, y: float, fd_step: float = 1e-6
) -> Chain:
    """Forward pass, local derivatives and backward pass of the toy chain (book eq. 7.7-7.12),
    with the central finite differences of step ``fd_step`` for every parameter."""
    betas, omegas = _chain_parameters(betas, omegas)
    f = chain_forward(betas, omegas, x)
    h = np.array([value(f[k]) for k, (_, value, _) in enumerate(CHAIN_FUNCTIONS)])
    dh_df = np.array([deriv(f[k]) for k, (_, _, deriv) in enumerate(CHAIN_FUNCTIONS)])
    df_dh = omegas[1:].copy()
    dl_df = np.empty(4)
    dl_dh = np.empty(3)
    dl_df[3] = 2.0 * (f[3] - y)
    for k in range(3, 0, -1):
        dl_dh[k - 1] = df_dh[k - 1] * dl_df[k]  # dl/dh_k = omega_k dl/df_k
        dl_df[k - 1] = dh_df[k - 1] * dl_dh[k - 1]  # dl/df_{k-1} = a'[f_{k-1}] dl/dh_k
    sources = np.concatenate([[x], h])  # h_0 = x, h_1, h_2, h_3
    fd_betas, fd_omegas = chain_finite_differences(betas, omegas, x, y, fd_step)
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(dl_df))):
        raise DomainError("the chain overflows for these values; use smaller parameters")
    return Chain(
        f=f,
        h=h,
        loss=float((f[3] - y) ** 2),
        dh_df=dh_df,
        df_dh=df_dh,
        dl_df=dl_df,
        dl_dh=dl_dh,
        dl_dbetas=dl_df.copy(),
        dl_domegas=sources * dl_df,
        fd_betas=fd_betas,
        fd_omegas=fd_omegas,
    )


def chain_finite_differences(
    betas: Sequence[float], omegas: Sequence[float], x: float, y: float, step: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences ``(l(p + s) - l(p - s)) / 2s`` for every beta and omega.

    Returns ``(d_betas, d_omegas)``, each of shape (4,).
    """
    betas, omegas = _chain_parameters(betas, omegas)
    if not (np.isfinite(step) and step > 0):
        raise DomainError(f"the finite-difference step must be > 0, got {step}")
    out = np.empty((2, 4))
    for which, base in enumerate((betas, omegas)):
        for k in range(4):
            values = []
            for sign in (1.0, -1.0):
                moved = base.copy()
                moved[k] += sign * step
                pair = (moved, omegas) if which == 0 else (betas, moved)
                values.append(chain_loss(*pair, x, y))
            out[which, k] = (values[0] - values[1]) / (2.0 * step)
    return out[0], out[1]

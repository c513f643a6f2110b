"""Fully connected networks in the book's matrix notation: one engine for every lab.

A network with K hidden layers computes, for an input column x (course notes ch. 4.3;
Prince, *Understanding Deep Learning*, eq. 4.15 and ch. 7.4):

.. math::

    f_0 = \\beta_0 + \\Omega_0 x, \\qquad
    h_k = a_k[f_{k-1}], \\qquad
    f_k = \\beta_k + \\Omega_k h_k \\quad (k = 1, \\dots, K),

and its output is ``f_K``. ``Omega_k`` has shape ``(D_{k+1}, D_k)`` where ``D_0 = D_i`` is the
number of inputs and ``D_{K+1} = D_o`` the number of outputs.

**Batches are columns**, as in the book: ``x`` has shape ``(D_i, I)`` for ``I`` examples, and
every ``f_k`` and ``h_k`` then has one column per example.

The backward pass (notes ch. 7, eq. 7.13-7.16 of the book) starts from ``dl/df_K`` (the loss's
gradient with respect to the output, see :mod:`core.losses`) and runs

.. math::

    \\frac{\\partial l}{\\partial \\beta_k} = \\frac{\\partial l}{\\partial f_k}, \\qquad
    \\frac{\\partial l}{\\partial \\Omega_k} = \\frac{\\partial l}{\\partial f_k} h_k^T, \\qquad
    \\frac{\\partial l}{\\partial f_{k-1}} = a_k'[f_{k-1}] \\odot
        \\Omega_k^T \\frac{\\partial l}{\\partial f_k},

with ``h_0 = x``. Over a batch the parameter gradients are summed over the columns, so they
are the gradients of the summed loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.activations import get_activation
from core.errors import DomainError

# Initialisation schemes (name -> label). Variances follow Prince ch. 7.5 (He) and Glorot &
# Bengio (2010); "uniform" draws every weight from U(-scale, scale).
INIT_SCHEMES: dict[str, str] = {
    "he": "He: N(0, 2 / D_in)",
    "glorot": "Glorot: N(0, 2 / (D_in + D_out))",
    "uniform": "Uniform: U(-scale, scale)",
}


@dataclass(frozen=True)
class Network:
    """The parameters of a fully connected network.

    Attributes
    ----------
    betas : tuple of ndarray
        ``beta_k`` for k = 0..K, each of shape ``(D_{k+1},)``.
    omegas : tuple of ndarray
        ``Omega_k`` for k = 0..K, each of shape ``(D_{k+1}, D_k)``.
    activations : tuple of str
        The activation ``a_k`` of hidden layer k = 1..K (K names).
    """

    betas: tuple[np.ndarray, ...]
    omegas: tuple[np.ndarray, ...]
    activations: tuple[str, ...]

    @property
    def widths(self) -> tuple[int, ...]:
        """``(D_i, D_1, ..., D_K, D_o)``."""
        return (self.omegas[0].shape[1], *(omega.shape[0] for omega in self.omegas))

    @property
    def depth(self) -> int:
        """The number of hidden layers K."""
        return len(self.activations)


@dataclass(frozen=True)
class Forward:
    """Every value a forward pass computes; the backward pass reads them.

    Attributes
    ----------
    x : ndarray, shape (D_i, I)
        The inputs, one column per example (``h_0``).
    f : tuple of ndarray
        Pre-activations ``f_0 .. f_K``; ``f[k]`` has shape ``(D_{k+1}, I)``.
    h : tuple of ndarray
        Activations ``h_1 .. h_K``; ``h[k - 1]`` is ``h_k`` of shape ``(D_k, I)``.
    """

    x: np.ndarray
    f: tuple[np.ndarray, ...]
    h: tuple[np.ndarray, ...]

    @property
    def output(self) -> np.ndarray:
        """The network's output ``f_K``, shape ``(D_o, I)``."""
        return self.f[-1]


@dataclass(frozen=True)
class Gradients:
    """Derivatives of the loss from one backward pass.

    Attributes
    ----------
    dl_df : tuple of ndarray
        ``dl/df_k`` for k = 0..K, same shapes as ``Forward.f`` (one column per example).
    dl_dbetas : tuple of ndarray
        ``dl/dbeta_k``, shapes of ``Network.betas`` (summed over the examples).
    dl_domegas : tuple of ndarray
        ``dl/dOmega_k``, shapes of ``Network.omegas`` (summed over the examples).
    """

    dl_df: tuple[np.ndarray, ...]
    dl_dbetas: tuple[np.ndarray, ...]
    dl_domegas: tuple[np.ndarray, ...]


def network_from_lists(
    betas: Sequence[Sequence[float]],
    omegas: Sequence[Sequence[Sequence[float]]],
    activations: str | Sequence[str],
) -> Network:
    """Build a :class:`Network`, checking that consecutive shapes fit.

    ``activations`` is one name for every hidden layer or a list with one name per layer.
    Raises ``DomainError`` naming the first layer whose shape does not fit.
    """
    if len(omegas) == 0:
        raise DomainError("a network needs at least one weight matrix Omega_0")
    if len(betas) != len(omegas):
        raise DomainError(
            f"a network needs one bias vector per weight matrix: got {len(betas)} betas "
            f"and {len(omegas)} Omegas"
        )
    depth = len(omegas) - 1
    names = (activations,) * depth if isinstance(activations, str) else tuple(activations)
    if len(names) != depth:
        raise DomainError(
            f"a network with {depth} hidden layers needs {depth} activations, got {len(names)}"
        )
    for name in names:
        get_activation(name)
    omega_arrays, beta_arrays = [], []
    for k, (beta, omega) in enumerate(zip(betas, omegas, strict=True)):
        omega = np.array(omega, dtype=float)
        beta = np.array(beta, dtype=float)
        if omega.ndim != 2 or omega.size == 0:
            raise DomainError(f"layer {k}: Omega_{k} must be a non-empty matrix")
        if beta.shape != (omega.shape[0],):
            raise DomainError(
                f"layer {k}: beta_{k} must have {omega.shape[0]} entries (the rows of "
                f"Omega_{k}), got shape {beta.shape}"
            )
        if k > 0 and omega.shape[1] != omega_arrays[-1].shape[0]:
            raise DomainError(
                f"layer {k}: Omega_{k} must have {omega_arrays[-1].shape[0]} columns (the "
                f"rows of Omega_{k - 1}), got {omega.shape[1]}"
            )
        if not (np.all(np.isfinite(omega)) and np.all(np.isfinite(beta))):
            raise DomainError(f"layer {k}: weights and biases must be finite numbers")
        omega_arrays.append(omega)
        beta_arrays.append(beta)
    return Network(tuple(beta_arrays), tuple(omega_arrays), names)


def check_input(net: Network, x: np.ndarray) -> np.ndarray:
    """Return ``x`` as a float ``(D_i, I)`` array, or raise ``DomainError``."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[None, :] if net.widths[0] == 1 else x[:, None]
    if x.ndim != 2 or x.shape[0] != net.widths[0]:
        raise DomainError(
            f"the input must have {net.widths[0]} rows (one per network input, one column per "
            f"example), got shape {x.shape}"
        )
    return x


def forward(net: Network, x: np.ndarray) -> Forward:
    """Run the network on the columns of ``x`` and keep every ``f_k`` and ``h_k``.

    Parameters
    ----------
    net : Network
    x : ndarray, shape (D_i, I)
        One column per example (a 1-D array is taken as I examples of a 1-input network).
    """
    if (
        not (type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 2)
        or x.shape[0] != net.omegas[0].shape[1]
    ):
        x = check_input(net, x)  # the fast path above skips it for a ready (D_i, I) array
    omegas, betas = net.omegas, net.betas
    f_k = omegas[0] @ x  # f_0: (D_1, I)
    f_k += betas[0][:, None]
    f = [f_k]
    h = []
    for k in range(1, len(omegas)):
        h_k = get_activation(net.activations[k - 1]).value(f_k)  # h_k: (D_k, I)
        f_k = omegas[k] @ h_k  # f_k: (D_{k+1}, I)
        f_k += betas[k][:, None]
        h.append(h_k)
        f.append(f_k)
    return Forward(x, tuple(f), tuple(h))


def backward(net: Network, fwd: Forward, dl_doutput: np.ndarray) -> Gradients:
    """Backpropagate ``dl/df_K`` through the stored forward pass.

    Parameters
    ----------
    net : Network
    fwd : Forward
        The forward pass of ``net`` on the same inputs.
    dl_doutput : ndarray, shape (D_o, I)
        Derivative of the loss with respect to each output (one column per example).
    """
    dl_df_k = np.asarray(dl_doutput, dtype=float)
    if dl_df_k.shape != fwd.output.shape:
        raise DomainError(
            f"dl/df_K must have the output's shape {fwd.output.shape}, got {dl_df_k.shape}"
        )
    depth = net.depth
    n_examples = dl_df_k.shape[1]
    dl_df: list[np.ndarray] = [dl_df_k]
    dl_dbetas: list[np.ndarray] = []
    dl_domegas: list[np.ndarray] = []
    for k in range(depth, -1, -1):
        h_k = fwd.x if k == 0 else fwd.h[k - 1]  # (D_k, I)
        # One example: the sum over columns is the column itself (a copy is cheaper).
        dl_dbetas.append(dl_df_k.sum(axis=1) if n_examples > 1 else dl_df_k[:, 0].copy())
        dl_domegas.append(dl_df_k @ h_k.T)  # (D_{k+1}, D_k)
        if k > 0:
            dl_dh_k = net.omegas[k].T @ dl_df_k  # (D_k, I)
            dl_dh_k *= get_activation(net.activations[k - 1]).derivative(fwd.f[k - 1])
            dl_df_k = dl_dh_k  # dl/df_{k-1}
            dl_df.append(dl_df_k)
    return Gradients(tuple(dl_df[::-1]), tuple(dl_dbetas[::-1]), tuple(dl_domegas[::-1]))


def parameter_count(widths: Sequence[int]) -> int:
    """Number of weights and biases: ``sum_k D_{k+1} (D_k + 1)``.

    For a shallow network this is ``D (D_i + 1) + D_o (D + 1)``; for K hidden layers of width
    D it is ``D (D_i + 1) + (K - 1) D (D + 1) + D_o (D + 1)`` (book ch. 4.4).
    """
    widths = [int(w) for w in widths]
    if len(widths) < 2 or min(widths) < 1:
        raise DomainError(f"widths need at least an input and an output width >= 1, got {widths}")
    return sum(d_out * (d_in + 1) for d_in, d_out in zip(widths[:-1], widths[1:], strict=True))


def initialise(
    widths: Sequence[int],
    activations: str | Sequence[str],
    scheme: str,
    rng: np.random.Generator,
    scale: float = 1.0,
) -> Network:
    """Draw a network's weights; biases start at zero.

    ``he``: ``Omega_k ~ N(0, 2 / D_k)`` (keeps the variance of ReLU activations constant,
    book ch. 7.5); ``glorot``: ``N(0, 2 / (D_k + D_{k+1}))``; ``uniform``:
    ``U(-scale, scale)``. For ``he`` and ``glorot`` ``scale`` multiplies the standard deviation.
    """
    if scheme not in INIT_SCHEMES:
        raise DomainError(f"unknown initialisation {scheme!r}; choose one of {list(INIT_SCHEMES)}")
    if not np.isfinite(scale) or scale < 0:
        raise DomainError(f"the initialisation scale must be a finite number >= 0, got {scale}")
    parameter_count(widths)  # validates the widths
    omegas = []
    for d_in, d_out in zip(widths[:-1], widths[1:], strict=True):
        if scheme == "uniform":
            omegas.append(rng.uniform(-scale, scale, size=(d_out, d_in)))
        else:
            variance = 2.0 / d_in if scheme == "he" else 2.0 / (d_in + d_out)
            omegas.append(scale * np.sqrt(variance) * rng.standard_normal((d_out, d_in)))
    betas = [np.zeros(d_out) for d_out in widths[1:]]
    return network_from_lists(betas, omegas, activations)


def shallow_network(theta: np.ndarray, phi: np.ndarray, activation: str) -> Network:
    """The shallow lab's parameters as a one-hidden-layer network.

    ``theta`` is ``(D, D_i + 1)`` with the biases ``theta_d0`` in column 0 and ``phi`` is
    ``(D_o, D + 1)`` with the offsets ``phi_o0`` in column 0 (notes ch. 2), so
    ``beta_0 = theta[:, 0]``, ``Omega_0 = theta[:, 1:]``, ``beta_1 = phi[:, 0]`` and
    ``Omega_1 = phi[:, 1:]``.
    """
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    if theta.ndim != 2 or theta.shape[1] < 2 or phi.ndim != 2 or phi.shape[1] < 2:
        raise DomainError(
            f"theta must be (D, D_i + 1) and phi (D_o, D + 1), got {theta.shape} and {phi.shape}"
        )
    return network_from_lists([theta[:, 0], phi[:, 0]], [theta[:, 1:], phi[:, 1:]], [activation])


def flatten(net: Network) -> np.ndarray:
    """All parameters in one vector: ``beta_0, Omega_0 (row by row), beta_1, Omega_1, ...``."""
    parts = []
    for beta, omega in zip(net.betas, net.omegas, strict=True):
        parts.extend((beta, omega.ravel()))
    return np.concatenate(parts)


def unflatten(
    vector: np.ndarray, widths: Sequence[int], activations: str | Sequence[str]
) -> Network:
    """Inverse of :func:`flatten` for a network of the given widths."""
    vector = np.asarray(vector, dtype=float)
    if vector.shape != (parameter_count(widths),):
        raise DomainError(
            f"a network of widths {list(widths)} has {parameter_count(widths)} parameters, "
            f"got a vector of shape {vector.shape}"
        )
    betas, omegas, start = [], [], 0
    for d_in, d_out in zip(widths[:-1], widths[1:], strict=True):
        betas.append(vector[start : start + d_out])
        start += d_out
        omegas.append(vector[start : start + d_out * d_in].reshape(d_out, d_in))
        start += d_out * d_in
    return network_from_lists(betas, omegas, activations)


def views(vector: np.ndarray, widths: Sequence[int], activations: tuple[str, ...]) -> Network:
    """:func:`unflatten` without its checks, for a training loop's inner step.

    The betas and Omegas are views into ``vector`` (no copy). The caller guarantees what
    :func:`unflatten` would check: ``vector`` has ``parameter_count(widths)`` finite entries
    and ``activations`` one valid name per hidden layer.
    """
    betas, omegas, start = [], [], 0
    for d_in, d_out in zip(widths[:-1], widths[1:], strict=True):
        betas.append(vector[start : start + d_out])
        start += d_out
        omegas.append(vector[start : start + d_out * d_in].reshape(d_out, d_in))
        start += d_out * d_in
    return Network(tuple(betas), tuple(omegas), activations)


def gradient_vector(grads: Gradients) -> np.ndarray:
    """The parameter gradients in the order of :func:`flatten`."""
    parts = []
    for dl_dbeta, dl_domega in zip(grads.dl_dbetas, grads.dl_domegas, strict=True):
        parts.extend((dl_dbeta, dl_domega.ravel()))
    return np.concatenate(parts)

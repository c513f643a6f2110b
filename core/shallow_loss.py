"""A shallow network's loss on given data and its gradient with respect to every parameter.

The shallow network of course notes ch. 2, ``y = phi_0 + sum_d phi_d a[theta_d0 + theta_d^T x]``,
is the one-hidden-layer case of :mod:`core.network` with ``beta_0 = theta[:, 0]``,
``Omega_0 = theta[:, 1:]``, ``beta_1 = phi[:, 0]`` and ``Omega_1 = phi[:, 1:]``. Its loss is
one of :mod:`core.losses` (least squares ``L = sum_i (f[x_i] - y_i)^2``, book eq. 5.11, or a
negative log-likelihood of ch. 5), summed over the examples; the gradient comes from one
backward pass (notes ch. 7, book eq. 7.13-7.16) and is laid out like ``theta`` and ``phi``:

.. math::

    \\frac{\\partial L}{\\partial \\theta_{d0}} = \\frac{\\partial L}{\\partial \\beta_{0,d}},
    \\quad
    \\frac{\\partial L}{\\partial \\theta_{di}} = \\frac{\\partial L}{\\partial \\Omega_{0,di}},
    \\quad
    \\frac{\\partial L}{\\partial \\phi_{o0}} = \\frac{\\partial L}{\\partial \\beta_{1,o}},
    \\quad
    \\frac{\\partial L}{\\partial \\phi_{od}} = \\frac{\\partial L}{\\partial \\Omega_{1,od}}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses, network
from core.errors import DomainError


@dataclass(frozen=True)
class ShallowLoss:
    """A shallow network's loss on ``I`` examples and its gradient.

    Attributes
    ----------
    output : ndarray, shape (D_o, I)
        ``f[x_i]``, one column per example.
    loss : losses.LossResult
        Per-example losses, their sum ``total`` (the book's ``L``) and ``mean``; its
        ``gradient`` is ``dL/df``, shape ``(D_o, I)``.
    dl_dtheta : ndarray, shape (D, D_i + 1)
        ``dL/dtheta`` of the summed loss; column 0 is the derivative for the bias ``theta_d0``.
    dl_dphi : ndarray, shape (D_o, D + 1)
        ``dL/dphi`` of the summed loss; column 0 is the derivative for the offset ``phi_o0``.
    """

    output: np.ndarray
    loss: losses.LossResult
    dl_dtheta: np.ndarray
    dl_dphi: np.ndarray


def loss_and_gradient(
    theta: np.ndarray,
    phi: np.ndarray,
    activation: str,
    x: np.ndarray,
    targets: np.ndarray,
    loss: str = "least_squares",
    sigma: float = 1.0,
) -> ShallowLoss:
    """Evaluate a shallow network's loss on ``(x, targets)`` and its gradient.

    Parameters
    ----------
    theta : ndarray, shape (D, D_i + 1)
        Hidden-layer parameters; column 0 holds the biases ``theta_d0``.
    phi : ndarray, shape (D_o, D + 1)
        Output-layer parameters; column 0 holds the offsets ``phi_o0``.
    activation : str
        Name of the activation ``a[.]`` (see :mod:`core.activations`).
    x : ndarray, shape (D_i, I)
        Inputs, one column per example (a 1-D array is ``I`` inputs of a 1-input network).
    targets : ndarray
        ``(D_o, I)`` for least squares; ``I`` numbers otherwise (0/1 for binary cross-entropy,
        0-based class labels for cross-entropy).
    loss : str
        A key of :data:`core.losses.LOSSES`.
    sigma : float
        Standard deviation of ``gaussian_nll``.

    Returns
    -------
    ShallowLoss

    Raises
    ------
    DomainError
        When the shapes do not fit or the targets do not suit the loss.
    """
    net = network.shallow_network(theta, phi, activation)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked below
        fwd = network.forward(net, x)
        result = losses.evaluate_loss(loss, fwd.output, targets, sigma)
        grads = network.backward(net, fwd, result.gradient)
    dl_dtheta = np.column_stack([grads.dl_dbetas[0], grads.dl_domegas[0]])  # (D, D_i + 1)
    dl_dphi = np.column_stack([grads.dl_dbetas[1], grads.dl_domegas[1]])  # (D_o, D + 1)
    every_number = (result.per_example, result.total, result.gradient, dl_dtheta, dl_dphi)
    if not all(np.all(np.isfinite(a)) for a in every_number):
        raise DomainError(
            "the loss or its gradient is too large to represent as a double: use smaller "
            "parameters or inputs (or a predicted sigma further from 0)"
        )
    return ShallowLoss(fwd.output, result, dl_dtheta, dl_dphi)

"""Loss functions from maximum likelihood, with their gradients; softmax and divergences.

The recipe of course notes ch. 5 (Prince, *Understanding Deep Learning*, ch. 5): choose a
distribution ``Pr(y | theta)`` over the output domain, let the network predict its parameters
``theta = f[x, phi]``, and minimise the negative log-likelihood of the training data

.. math:: L[\\phi] = -\\sum_{i=1}^{I} \\log \\Pr(y_i \\mid f[x_i, \\phi]).

Conventions, stated once:

- Network outputs come in **columns**, one per example, as in :mod:`core.network`:
  ``output`` has shape ``(D_o, I)``.
- Every loss returns a :class:`LossResult` with the per-example losses, their **sum** (the
  book's convention, ``total``) and their **mean** (``mean = total / I``, the frameworks'
  default ``reduction="mean"``). ``gradient`` is ``d total / d output``; divide it by ``I``
  for the gradient of the mean.
- Least squares is ``sum_i (f_i - y_i)^2`` (book eq. 5.11, no factor 1/2).
- Class labels are 0-based integers.
- Logits go through log-sigmoid and log-sum-exp, so logits of +-1000 give finite, exact
  losses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import DomainError

LOG_2PI = float(np.log(2.0 * np.pi))

# Loss name -> (label, the distribution it comes from, the output's link function).
LOSSES: dict[str, tuple[str, str, str]] = {
    "least_squares": ("Least squares", "normal, fixed sigma", "identity"),
    "gaussian_nll": ("Gaussian negative log-likelihood", "normal, given sigma", "identity"),
    "gaussian_nll_predicted": (
        "Gaussian NLL, predicted sigma (heteroscedastic)",
        "normal, sigma^2 = f_2^2",
        "identity",
    ),
    "binary_cross_entropy": ("Binary cross-entropy", "Bernoulli", "sigmoid"),
    "cross_entropy": ("Multiclass cross-entropy", "categorical", "softmax"),
}


@dataclass(frozen=True)
class LossResult:
    """A loss over ``I`` examples.

    Attributes
    ----------
    per_example : ndarray, shape (I,)
        The loss of each example.
    total : float
        Their sum (the book's convention).
    mean : float
        Their mean, ``total / I``.
    gradient : ndarray, shape of the output (D_o, I)
        ``d total / d output``, one column per example.
    """

    per_example: np.ndarray
    total: float
    mean: float
    gradient: np.ndarray


def _result(per_example: np.ndarray, gradient: np.ndarray) -> LossResult:
    total = float(per_example.sum())
    return LossResult(per_example, total, total / per_example.size, gradient)


def _columns(output: np.ndarray, rows: int | None, name: str, finite: bool = True) -> np.ndarray:
    """``output`` as a float (rows, I) array; ``finite=False`` leaves the finiteness check to
    the caller (least squares checks its residual instead, which covers the targets too)."""
    output = np.asarray(output, dtype=float)
    if output.ndim == 1:
        output = output[None, :]
    if output.ndim != 2 or output.shape[1] == 0 or (rows is not None and output.shape[0] != rows):
        want = f"({rows}, I)" if rows is not None else "(D_o, I)"
        raise DomainError(f"{name} must have shape {want} with I >= 1, got {output.shape}")
    if finite and not np.all(np.isfinite(output)):
        raise DomainError(f"{name} must be finite numbers")
    return output


def _targets(y: np.ndarray, n: int) -> np.ndarray:
    y = np.asarray(y, dtype=float).reshape(-1)
    if y.shape != (n,):
        raise DomainError(f"there must be one target per example ({n}), got {y.size}")
    if not np.all(np.isfinite(y)):
        raise DomainError("targets must be finite numbers")
    return y


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^{-z})`` without overflow."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    """``log sig(z) = -log(1 + e^{-z})``, exact for large ``|z|``."""
    return -np.logaddexp(0.0, -np.asarray(z, dtype=float))


def log_softmax(logits: np.ndarray, axis: int = 0) -> np.ndarray:
    """``z_k - log sum_j e^{z_j}`` by log-sum-exp (classes along ``axis``)."""
    z = np.asarray(logits, dtype=float)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(logits: np.ndarray, axis: int = 0) -> np.ndarray:
    """``softmax_k[z] = e^{z_k} / sum_j e^{z_j}`` (book eq. 5.22), classes along ``axis``."""
    return np.exp(log_softmax(logits, axis=axis))


def normal_density(y: np.ndarray, mean: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``Pr(y | mu, sigma^2) = exp(-(y - mu)^2 / 2 sigma^2) / sqrt(2 pi sigma^2)`` (eq. 5.7)."""
    sigma = np.asarray(sigma, dtype=float)
    z = (np.asarray(y, dtype=float) - mean) / sigma
    return np.exp(-0.5 * z * z) / (np.sqrt(2.0 * np.pi) * sigma)


def least_squares(output: np.ndarray, y: np.ndarray) -> LossResult:
    """``l_i = sum_o (f_{oi} - y_{oi})^2``; gradient ``2 (f - y)``.

    ``y`` has the output's shape (a 1-D array for one output).
    """
    output = _columns(output, None, "the output", finite=False)
    y = np.asarray(y, dtype=float)
    if y.size != output.size:
        raise DomainError(f"the targets must have the output's shape {output.shape}")
    residual = output - y.reshape(output.shape)  # (D_o, I)
    # One check covers both: an infinite or NaN output or target makes the residual non-finite.
    if not np.isfinite(residual).all():
        raise DomainError("the output and the targets must be finite numbers")
    per_example = np.einsum("oi,oi->i", residual, residual)  # sum over outputs of squares
    total = float(per_example.sum())
    return LossResult(per_example, total, total / per_example.size, 2.0 * residual)


def _check_sigma(sigma: np.ndarray, n: int) -> np.ndarray:
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), (n,))
    if not np.all(np.isfinite(sigma)) or np.any(sigma <= 0):
        raise DomainError("sigma must be a finite number > 0")
    return sigma


def gaussian_nll(mean: np.ndarray, y: np.ndarray, sigma: float | np.ndarray) -> LossResult:
    """Normal NLL with a given ``sigma`` (a number or one per example), book eq. 5.10.

    ``l_i = (y_i - mu_i)^2 / (2 sigma^2) + log(2 pi sigma^2) / 2``, so with a fixed sigma it is
    the sum of squares divided by ``2 sigma^2`` plus a constant: both have the same minimiser.
    Gradient with respect to ``mu``: ``(mu - y) / sigma^2``.
    """
    mean = _columns(mean, 1, "the predicted mean")
    y = _targets(y, mean.shape[1])
    sigma = _check_sigma(sigma, mean.shape[1])
    residual = mean[0] - y
    per = residual**2 / (2.0 * sigma**2) + 0.5 * (LOG_2PI + 2.0 * np.log(sigma))
    return _result(per, (residual / sigma**2)[None, :])


def gaussian_nll_predicted(output: np.ndarray, y: np.ndarray) -> LossResult:
    """Heteroscedastic regression (book ch. 5.3.2): ``mu = f_1``, ``sigma^2 = f_2^2``.

    ``l_i = (y_i - f_1)^2 / (2 f_2^2) + log(2 pi f_2^2) / 2``. Gradients:
    ``dl/df_1 = (f_1 - y) / f_2^2`` and ``dl/df_2 = 1 / f_2 - (y - f_1)^2 / f_2^3``.
    """
    output = _columns(output, 2, "the output (mean row, sigma row)")
    y = _targets(y, output.shape[1])
    mu, f2 = output
    if np.any(np.abs(f2) < 1e-150):
        raise DomainError("the predicted sigma f_2 must not be 0")
    variance = f2**2
    residual = mu - y
    per = residual**2 / (2.0 * variance) + 0.5 * (LOG_2PI + np.log(variance))
    gradient = np.stack([residual / variance, 1.0 / f2 - residual**2 / (variance * f2)])
    return _result(per, gradient)


def binary_cross_entropy(logits: np.ndarray, y: np.ndarray) -> LossResult:
    """Bernoulli NLL on logits ``z``: ``lambda = sig(z) = Pr(y = 1 | x)`` (book eq. 5.19).

    ``l_i = -[y log lambda + (1 - y) log(1 - lambda)] = softplus(z) - y z``, computed with
    log-sigmoid; gradient ``sig(z) - y``. Targets are 0 or 1 (or probabilities in [0, 1]).
    """
    logits = _columns(logits, 1, "the logits")
    y = _targets(y, logits.shape[1])
    if np.any((y < 0) | (y > 1)):
        raise DomainError("binary targets must lie in [0, 1] (labels 0 and 1)")
    z = logits[0]
    per = -(y * log_sigmoid(z) + (1.0 - y) * log_sigmoid(-z))
    return _result(per, (sigmoid(z) - y)[None, :])


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> LossResult:
    """Categorical NLL on logits ``(K, I)`` with 0-based labels (book eq. 5.24).

    ``l_i = -log softmax_{y_i}[z_i] = log sum_k e^{z_{ki}} - z_{y_i i}``; gradient
    ``softmax[z] - onehot(y)``.
    """
    logits = _columns(logits, None, "the logits")
    classes, n = logits.shape
    labels = np.asarray(labels).reshape(-1)
    if labels.shape != (n,):
        raise DomainError(f"there must be one label per example ({n}), got {labels.size}")
    if not np.all(np.equal(np.mod(labels, 1), 0)) or np.any((labels < 0) | (labels >= classes)):
        raise DomainError(f"labels must be whole numbers from 0 to {classes - 1}")
    labels = labels.astype(int)
    log_p = log_softmax(logits, axis=0)  # (K, I)
    columns = np.arange(n)
    gradient = np.exp(log_p)
    gradient[labels, columns] -= 1.0
    return _result(-log_p[labels, columns], gradient)


def _distribution(p: np.ndarray, name: str) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size < 1 or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise DomainError(f"{name} must be a list of probabilities >= 0")
    if abs(p.sum() - 1.0) > 1e-9:
        raise DomainError(f"the probabilities of {name} must sum to 1, got {p.sum():.12g}")
    return p


def _plogq(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    # 0 log 0 = 0 by continuity.
    with np.errstate(divide="ignore"):
        return np.where(p > 0, p * np.log(np.where(p > 0, q, 1.0)), 0.0)


def entropy(p: np.ndarray) -> float:
    """``H[p] = -sum_k p_k log p_k`` in nats."""
    p = _distribution(p, "p")
    return float(-_plogq(p, p).sum())


def cross_entropy_discrete(p: np.ndarray, q: np.ndarray) -> float:
    """``H[p, q] = -sum_k p_k log q_k`` in nats; infinite where q_k = 0 < p_k (DomainError)."""
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise DomainError(f"p and q need the same number of outcomes, got {p.size} and {q.size}")
    if np.any((q == 0) & (p > 0)):
        raise DomainError(
            "the divergence is infinite: q gives probability 0 to an outcome p allows"
        )
    return float(-_plogq(p, q).sum())


def kl_discrete(p: np.ndarray, q: np.ndarray) -> float:
    """``KL[p || q] = sum_k p_k log(p_k / q_k) = H[p, q] - H[p] >= 0`` in nats."""
    return max(cross_entropy_discrete(p, q) - entropy(p), 0.0)


def kl_discrete_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Where ``KL[p || q]`` comes from: ``p_k log(p_k / q_k)`` per outcome, shape (K,).

    Terms with ``p_k = 0`` are 0; a term with ``q_k = 0 < p_k`` is ``+inf`` (the divergence is
    infinite there). Individual terms may be negative; their sum is ``KL[p || q] >= 0``.
    """
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise DomainError(f"p and q need the same number of outcomes, got {p.size} and {q.size}")
    with np.errstate(divide="ignore"):
        log_ratio = np.log(np.where(p > 0, p, 1.0)) - np.log(np.where(p > 0, q, 1.0))
    return np.where(p > 0, p * log_ratio, 0.0)


def gaussian_entropy(sigma: float) -> float:
    """Differential entropy of ``N(mu, sigma^2)``: ``log(2 pi e sigma^2) / 2`` nats."""
    if not np.isfinite(sigma) or sigma <= 0:
        raise DomainError(f"the standard deviation must be a finite number > 0, got {sigma}")
    return float(0.5 * (LOG_2PI + 1.0) + np.log(sigma))


def kl_gaussians(mu1: float, sigma1: float, mu2: float, sigma2: float) -> float:
    """``KL[N(mu1, sigma1^2) || N(mu2, sigma2^2)]`` in closed form:

    ``log(sigma2 / sigma1) + (sigma1^2 + (mu1 - mu2)^2) / (2 sigma2^2) - 1/2``.
    """
    values = np.array([mu1, sigma1, mu2, sigma2], dtype=float)
    if not np.all(np.isfinite(values)) or sigma1 <= 0 or sigma2 <= 0:
        raise DomainError("the means must be finite and the standard deviations > 0")
    return float(np.log(sigma2 / sigma1) + (sigma1**2 + (mu1 - mu2) ** 2) / (2.0 * sigma2**2) - 0.5)


def evaluate_loss(
    name: str, output: np.ndarray, targets: np.ndarray, sigma: float | np.ndarray = 1.0
) -> LossResult:
    """The loss ``name`` (a key of :data:`LOSSES`) of ``output`` against ``targets``."""
    if name == "least_squares":
        return least_squares(output, targets)
    if name == "gaussian_nll":
        return gaussian_nll(output, targets, sigma)
    if name == "gaussian_nll_predicted":
        return gaussian_nll_predicted(output, targets)
    if name == "binary_cross_entropy":
        return binary_cross_entropy(output, targets)
    if name == "cross_entropy":
        return cross_entropy(output, targets)
    raise DomainError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")

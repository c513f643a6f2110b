"""The recipe for loss functions, one problem at a time: distribution, model, likelihood, fit.

Course notes ch. 5 (Prince, *Understanding Deep Learning*, ch. 5.1-5.5). Choose a distribution
``Pr(y | theta)`` over the outputs, let a model predict its parameters ``theta = f[x, phi]`` and
minimise the negative log-likelihood ``L[phi] = -sum_i log Pr(y_i | f[x_i, phi])``:

- **regression**: normal, ``theta = (mu, sigma^2)``; the model predicts ``mu = f_1`` and, in the
  heteroscedastic option, ``sigma^2 = f_2^2`` (book eq. 5.14); otherwise sigma is one number.
  With a fixed sigma the NLL is ``SS / (2 sigma^2) + I log(2 pi sigma^2) / 2``, an increasing
  affine function of the sum of squares ``SS = sum_i (y_i - mu_i)^2`` (eq. 5.11).
- **binary**: Bernoulli, ``lambda = sig[f] = Pr(y = 1 | x)`` (eq. 5.18-5.19). With a linear or
  ReLU output instead of the sigmoid, lambda leaves [0, 1] and the likelihood is undefined.
- **multiclass**: categorical, ``Pr(y = k | x) = softmax_k[f]`` (eq. 5.22-5.24), classes 0-based.

The model is a line (no hidden layer) or a shallow network, both :class:`core.network.Network`
run by :func:`core.network.forward`; every loss and gradient comes from :mod:`core.losses`.
Inputs and targets are 1-D (one input, one target per example); outputs are columns
``(D_o, I)`` as in the book.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses
from core.activations import get_activation
from core.errors import DomainError
from core.network import (
    Network,
    flatten,
    forward,
    initialise,
    parameter_count,
    unflatten,
)

PROBLEMS: dict[str, str] = {
    "regression": "Regression: normal distribution",
    "binary": "Binary classification: Bernoulli distribution",
    "multiclass": "Multiclass classification: categorical distribution",
}
MODELS: dict[str, str] = {
    "line": "A line f = φ₀ + φ₁x (one per output)",
    "shallow": "A shallow network (one hidden layer)",
}
# How the binary model's output f becomes lambda = Pr(y = 1 | x). Only the sigmoid always gives
# a probability; the other two show why.
LINKS: dict[str, str] = {
    "sigmoid": "sigmoid: λ = sig[f]",
    "linear": "none: λ = f",
    "relu": "ReLU: λ = max(0, f)",
}
X_RANGE = (-1.0, 1.0)  # built-in data lives on this interval


@dataclass(frozen=True)
class Data:
    """Training pairs: ``x`` (I,) inputs and ``y`` (I,) targets (class labels 0-based)."""

    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class ModelSpec:
    """Which distribution, and which model predicts its parameters.

    Attributes
    ----------
    problem : str
        A key of :data:`PROBLEMS`.
    model : str
        ``"line"`` or ``"shallow"``.
    hidden_units : int
        D, the width of the shallow network's hidden layer.
    activation : str
        The shallow network's activation (a name of :mod:`core.activations`).
    heteroscedastic : bool
        Regression only: the model also predicts sigma (a second output).
    n_classes : int
        Multiclass only: K.
    link : str
        Binary only: a key of :data:`LINKS`.
    """

    problem: str = "regression"
    model: str = "line"
    hidden_units: int = 3
    activation: str = "relu"
    heteroscedastic: bool = False
    n_classes: int = 3
    link: str = "sigmoid"

    def __post_init__(self):
        for value, names, what in (
            (self.problem, PROBLEMS, "problem"),
            (self.model, MODELS, "model"),
            (self.link, LINKS, "link"),
        ):
            if value not in names:
                raise DomainError(f"unknown {what} {value!r}; choose one of {', '.join(names)}")
        get_activation(self.activation)
        if self.hidden_units < 1:
            raise DomainError(
                f"a shallow network needs at least 1 hidden unit, got {self.hidden_units}"
            )
        if self.n_classes < 2:
            raise DomainError(
                f"a categorical distribution needs K >= 2 classes, got {self.n_classes}"
            )

    @property
    def outputs(self) -> int:
        """D_o: 1 (mean or logit), 2 (mean and sigma) or K (logits)."""
        if self.problem == "regression":
            return 2 if self.heteroscedastic else 1
        return 1 if self.problem == "binary" else self.n_classes

    @property
    def widths(self) -> tuple[int, ...]:
        if self.model == "line":
            return (1, self.outputs)
        return (1, self.hidden_units, self.outputs)

    @property
    def activations(self) -> tuple[str, ...]:
        return () if self.model == "line" else (self.activation,)

    @property
    def loss(self) -> str:
        """The key of :data:`core.losses.LOSSES` this problem minimises."""
        if self.problem == "regression":
            return "gaussian_nll_predicted" if self.heteroscedastic else "gaussian_nll"
        return "binary_cross_entropy" if self.problem == "binary" else "cross_entropy"


def output_roles(spec: ModelSpec) -> list[str]:
    """What each output row predicts, e.g. ``["mean μ", "σ"]`` or ``["logit z₀", ...]``."""
    if spec.problem == "regression":
        return ["mean μ", "σ"] if spec.heteroscedastic else ["mean μ"]
    if spec.problem == "binary":
        return ["λ" if spec.link != "sigmoid" else "logit"]
    return [f"logit z{_sub(k)}" for k in range(spec.n_classes)]


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def parameter_labels(spec: ModelSpec) -> list[str]:
    """A name for each parameter, in the order of :func:`core.network.flatten`.

    A line's output o is ``phi_0 + phi_1 x``; a shallow network has ``theta_d0, theta_d1``
    (hidden unit d = 1..D) and ``phi_0 .. phi_D`` per output (notes ch. 2).
    """
    roles = output_roles(spec)
    tag = (lambda o: "") if len(roles) == 1 else (lambda o: f" ({roles[o]})")
    if spec.model == "line":
        return [f"φ₀{tag(o)}" for o in range(len(roles))] + [
            f"φ₁{tag(o)}" for o in range(len(roles))
        ]
    units = range(1, spec.hidden_units + 1)
    hidden = [f"θ{_sub(d)}₀" for d in units] + [f"θ{_sub(d)}₁" for d in units]
    out = [f"φ₀{tag(o)}" for o in range(len(roles))]
    out += [f"φ{_sub(d)}{tag(o)}" for o in range(len(roles)) for d in units]
    return hidden + out


def make_data(
    problem: str,
    n_points: int,
    rng: np.random.Generator,
    noise: float = 0.3,
    noise_growth: float = 0.0,
    n_classes: int = 3,
) -> Data:
    """Built-in training data on ``x`` in [-1, 1], drawn from the problem's own distribution.

    regression: ``y = 0.4 + 0.9 x + 0.35 sin(4x) + sigma(x) eps`` with
    ``sigma(x) = noise (1 + noise_growth (x + 1))`` (noise that grows with x when
    ``noise_growth > 0``); binary: ``y ~ Bernoulli(sig[x / noise])``; multiclass: class k is
    centred at ``c_k`` (K centres evenly spread over [-1, 1]) and
    ``Pr(y = k | x) = softmax_k[-(x - c_k)^2 / (2 s^2)]`` with ``s = noise * 2 / (K - 1)``.
    """
    if problem not in PROBLEMS:
        raise DomainError(f"unknown problem {problem!r}; choose one of {', '.join(PROBLEMS)}")
    if n_points < 2:
        raise DomainError(f"the data need at least 2 points, got {n_points}")
    if noise <= 0 and problem != "regression":
        raise DomainError("classes need noise > 0 (it sets how much they overlap)")
    x = np.sort(rng.uniform(*X_RANGE, size=n_points))  # (I,)
    if problem == "regression":
        sigma = noise * (1.0 + noise_growth * (x - X_RANGE[0]))
        y = 0.4 + 0.9 * x + 0.35 * np.sin(4.0 * x) + sigma * rng.standard_normal(n_points)
    elif problem == "binary":
        y = (rng.uniform(size=n_points) < losses.sigmoid(x / noise)).astype(float)
    else:
        centres = np.linspace(*X_RANGE, n_classes)  # (K,)
        spread = noise * (X_RANGE[1] - X_RANGE[0]) / (n_classes - 1)
        logits = -((x[None, :] - centres[:, None]) ** 2) / (2.0 * spread**2)  # (K, I)
        cumulative = np.cumsum(losses.softmax(logits, axis=0), axis=0)  # (K, I)
        y = (rng.uniform(size=n_points)[None, :] > cumulative).sum(axis=0).astype(float)
        y = np.minimum(y, n_classes - 1)  # guards the rounding of the last cumulative sum
    return Data(x, y)


def check_data(spec: ModelSpec, x: np.ndarray, y: np.ndarray) -> Data:
    """The caller's own ``(x, y)`` pairs, checked against the problem's label layout."""
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    if x.size < 1 or x.shape != y.shape:
        raise DomainError(f"give one target per input, got {x.size} inputs and {y.size} targets")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DomainError("inputs and targets must be finite numbers")
    if spec.problem == "binary" and np.any((y != 0) & (y != 1)):
        raise DomainError("binary targets must be the labels 0 and 1")
    if spec.problem == "multiclass" and (
        np.any(y != np.round(y)) or np.any((y < 0) | (y >= spec.n_classes))
    ):
        raise DomainError(f"class labels must be whole numbers from 0 to {spec.n_classes - 1}")
    return Data(x, y)


def default_parameters(spec: ModelSpec, rng: np.random.Generator) -> np.ndarray:
    """A sensible start, in the order of :func:`core.network.flatten`.

    A line starts from a fixed guess; a shallow network from He-initialised weights with hidden
    biases spread over [-1, 1] (so its joints fall among the data). A predicted sigma starts
    at 0.5, never at 0.
    """
    roles = spec.outputs
    if spec.model == "line":
        if spec.problem == "multiclass":
            betas, slopes = np.zeros(roles), 2.0 * np.linspace(-1.0, 1.0, roles)
        elif spec.problem == "binary":
            betas, slopes = np.array([0.3 if spec.link == "sigmoid" else 0.5]), np.array([1.0])
        else:
            betas, slopes = np.array([0.0, 0.5])[:roles], np.array([0.5, 0.0])[:roles]
        return np.concatenate([betas, slopes])
    net = initialise(spec.widths, spec.activations, "he", rng)
    beta_0 = rng.uniform(-1.0, 1.0, size=spec.hidden_units)
    beta_1 = np.array([0.0, 0.5])[:roles] if spec.problem == "regression" else net.betas[1]
    return flatten(Network((beta_0, beta_1), net.omegas, net.activations))


def network_of(spec: ModelSpec, parameters: np.ndarray) -> Network:
    """The model with these parameters (a flat vector, see :func:`parameter_labels`)."""
    parameters = np.asarray(parameters, dtype=float).reshape(-1)
    count = parameter_count(spec.widths)
    if parameters.size != count:
        raise DomainError(
            f"this model has {count} parameters ({', '.join(parameter_labels(spec))}), "
            f"got {parameters.size}"
        )
    return unflatten(parameters, spec.widths, spec.activations)


@dataclass(frozen=True)
class Pointwise:
    """A likelihood evaluated at every example.

    Attributes
    ----------
    likelihood : ndarray, shape (I,)
        ``Pr(y_i | theta_i)`` (a density for regression); may underflow to 0.
    nll : ndarray, shape (I,)
        ``-log Pr(y_i | theta_i)``, computed stably (not as the log of ``likelihood``).
    total : float
        The NLL summed over the examples (the book's loss).
    mean : float
        ``total / I``.
    gradient : ndarray, shape (D_o, I)
        ``d total / d output``: one column per example, rows as the outputs.
    theta : ndarray, shape (D_o, I)
        The distribution's parameters at each example: ``(mu, sigma)`` rows for the normal,
        ``lambda`` for the Bernoulli, the K class probabilities for the categorical.
    """

    likelihood: np.ndarray
    nll: np.ndarray
    total: float
    mean: float
    gradient: np.ndarray
    theta: np.ndarray


def _pointwise(result: losses.LossResult, theta: np.ndarray) -> Pointwise:
    nll = result.per_example
    return Pointwise(np.exp(-nll), nll, result.total, result.mean, result.gradient, theta)


def normal(y: np.ndarray, mean: np.ndarray, sigma: np.ndarray | float) -> Pointwise:
    """Normal density and NLL of each ``y_i`` under ``N(mean_i, sigma_i^2)`` (eq. 5.7, 5.10).

    ``sigma`` is a number or one per example. The gradient has two rows: ``d total / d mean``
    ``= (mean - y) / sigma^2`` and ``d total / d sigma = 1/sigma - (y - mean)^2 / sigma^3`` (the
    heteroscedastic model's second output when it predicts sigma directly).
    """
    mean = np.asarray(mean, dtype=float).reshape(-1)
    sigma = np.asarray(sigma, dtype=float)
    if sigma.size not in (1, mean.size):
        raise DomainError(f"give one sigma or one per example ({mean.size}), got {sigma.size}")
    sigma = np.broadcast_to(sigma.reshape(-1) if sigma.size > 1 else sigma, mean.shape)
    if not np.all(np.isfinite(sigma)) or np.any(sigma <= 0):
        raise DomainError("sigma must be a finite number > 0")
    theta = np.vstack([mean, sigma])  # (2, I)
    return _pointwise(losses.gaussian_nll_predicted(theta, y), theta)


def bernoulli(y: np.ndarray, logits: np.ndarray) -> Pointwise:
    """Bernoulli likelihood ``lambda^y (1 - lambda)^(1-y)`` with ``lambda = sig[z]``, and BCE.

    Gradient ``d total / d z = sig[z] - y`` (one row).
    """
    logits = np.reshape(np.asarray(logits, dtype=float), (1, -1))
    return _pointwise(losses.binary_cross_entropy(logits, y), losses.sigmoid(logits))


def categorical(labels: np.ndarray, logits: np.ndarray) -> Pointwise:
    """Categorical likelihood ``softmax_{y_i}[z_i]`` and cross-entropy; logits ``(K, I)``.

    Labels are 0-based. Gradient ``d total / d z = softmax[z] - onehot(y)``, shape (K, I).
    """
    result = losses.cross_entropy(logits, labels)
    return _pointwise(result, losses.softmax(logits, axis=0))


@dataclass(frozen=True)
class LinkCheck:
    """A binary model whose output is not passed through a sigmoid.

    ``lam`` (I,) is the model's lambda at each point; ``valid`` (I,) says where the likelihood
    is a probability > 0 (``0 <= lambda <= 1`` and not 0 for the observed label); ``nll`` is
    ``nan`` elsewhere.
    """

    lam: np.ndarray
    valid: np.ndarray
    likelihood: np.ndarray
    nll: np.ndarray


def raw_bernoulli(y: np.ndarray, lam: np.ndarray) -> LinkCheck:
    """``lambda^y (1 - lambda)^(1-y)`` where lambda is whatever the model outputs."""
    lam = np.asarray(lam, dtype=float).reshape(-1)
    inside = (lam >= 0) & (lam <= 1)
    likelihood = np.where(y == 1, lam, 1.0 - lam)
    valid = inside & (likelihood > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        nll = np.where(valid, -np.log(np.where(valid, likelihood, 1.0)), np.nan)
    return LinkCheck(lam, valid, np.where(inside, likelihood, np.nan), nll)


@dataclass(frozen=True)
class Prediction:
    """The distribution's parameters theta predicted at some inputs.

    ``output`` (D_o, N) is the model's raw output; ``mean`` and ``sigma`` (N,) for regression;
    ``lam`` (N,) for binary (lambda = Pr(y = 1 | x)); ``probabilities`` (K, N) for multiclass.
    Fields that do not apply are None.
    """

    output: np.ndarray
    mean: np.ndarray | None = None
    sigma: np.ndarray | None = None
    lam: np.ndarray | None = None
    probabilities: np.ndarray | None = None


def predict(spec: ModelSpec, net: Network, x: np.ndarray, sigma: float = 1.0) -> Prediction:
    """theta = f[x, phi] at the inputs ``x`` (N,); ``sigma`` is used when not predicted."""
    output = forward(net, np.asarray(x, dtype=float)[None, :]).output  # (D_o, N)
    if spec.problem == "regression":
        spread = np.abs(output[1]) if spec.heteroscedastic else np.full(output.shape[1], sigma)
        return Prediction(output, mean=output[0], sigma=spread)
    if spec.problem == "binary":
        if spec.link == "sigmoid":
            lam = losses.sigmoid(output[0])
        else:
            lam = get_activation(spec.link).value(output[0])
        return Prediction(output, lam=lam)
    return Prediction(output, probabilities=losses.softmax(output, axis=0))


def evaluate(
    spec: ModelSpec, data: Data, net: Network, sigma: float = 1.0
) -> Pointwise | LinkCheck:
    """Per-example likelihood and NLL of the data under the model: the problem's loss.

    The gradient is with respect to the model's output (for a predicted sigma, ``f_2``).
    """
    pred = predict(spec, net, data.x, sigma)
    if spec.problem == "binary" and spec.link != "sigmoid":
        return raw_bernoulli(data.y, pred.lam)
    if spec.problem == "regression":
        result = losses.evaluate_loss(spec.loss, pred.output, data.y, sigma)
        return _pointwise(result, np.vstack([pred.mean, pred.sigma]))
    if spec.problem == "binary":
        return bernoulli(data.y, pred.output)
    return categorical(data.y, pred.output)


@dataclass(frozen=True)
class AffineRelation:
    """With a fixed sigma: ``NLL = slope * SS + intercept`` (book eq. 5.10-5.11).

    ``slope = 1 / (2 sigma^2)``, ``intercept = I log(2 pi sigma^2) / 2``; ``nll_from_ss`` is the
    right-hand side evaluated on the sum of squares, to compare with the NLL itself.
    """

    sum_of_squares: float
    slope: float
    intercept: float
    nll_from_ss: float


def affine_relation(data: Data, mean: np.ndarray, sigma: float) -> AffineRelation:
    """The NLL as an affine function of the sum of squares, for these predicted means."""
    ss = losses.least_squares(np.reshape(mean, (1, -1)), data.y).total
    slope = 1.0 / (2.0 * sigma**2)
    intercept = 0.5 * data.x.size * (losses.LOG_2PI + 2.0 * np.log(sigma))
    return AffineRelation(ss, slope, intercept, slope * ss + intercept)


@dataclass(frozen=True)
class ClosedForm:
    """The maximum-likelihood solution where it has a closed form (a line, fixed sigma).

    ``parameters`` (P,) are the least-squares line ``(phi_0, phi_1)``; ``sigma`` is the MLE of
    sigma at that line, the root-mean-square residual; ``nll`` the NLL there (the smallest over
    line and sigma); ``nll_at_sigma`` the NLL of that line with the sigma the caller fixed (the
    smallest over lines for that sigma, where a fit with that sigma should arrive).
    """

    parameters: np.ndarray
    sigma: float
    nll: float
    nll_at_sigma: float


def closed_form(spec: ModelSpec, data: Data, sigma: float = 1.0) -> ClosedForm | None:
    """The MLE of a line with a normal, fixed-sigma likelihood; None for every other model."""
    if spec.problem != "regression" or spec.heteroscedastic or spec.model != "line":
        return None
    if np.ptp(data.x) == 0:
        return None  # every x the same: the slope is not determined
    design = np.column_stack([np.ones_like(data.x), data.x])  # (I, 2)
    phi = np.linalg.lstsq(design, data.y, rcond=None)[0]
    best = rms_residual(data.y, design @ phi)
    if best == 0:
        return None  # the line passes through every point: the likelihood is unbounded
    nll = losses.gaussian_nll(design @ phi, data.y, best).total
    return ClosedForm(phi, best, nll, losses.gaussian_nll(design @ phi, data.y, sigma).total)


def rms_residual(y: np.ndarray, mean: np.ndarray) -> float:
    """``sqrt(mean_i (y_i - mu_i)^2)``: the sigma that maximises the likelihood for these means.

    Setting ``d NLL / d sigma = I / sigma - SS / sigma^3`` to zero gives ``sigma^2 = SS / I``.
    """
    return float(np.sqrt(np.mean((np.asarray(y) - np.asarray(mean)) ** 2)))

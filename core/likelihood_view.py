"""Everything the loss-functions lab draws for one problem, model and set of parameters.

Course notes ch. 5 (Prince ch. 5.1-5.5): the predicted distribution over the data, each point's
likelihood, the NLL (with its affine relation to the sum of squares when sigma is fixed), the
closed-form maximum-likelihood solution where there is one, and an optimiser's fit. The
pieces live in :mod:`core.likelihood`; this module only assembles them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import likelihood as lk
from core import likelihood_fit as lf
from core.errors import DomainError
from core.losses import normal_density
from core.network import backward, forward, gradient_vector
from core.optimizers import OptimizerConfig


@dataclass(frozen=True)
class FitSettings:
    """An optimiser on the mean NLL (see :func:`core.likelihood.fit`)."""

    optimizer: str = "gd"  # one of core.likelihood.FIT_OPTIMIZERS
    learning_rate: float = 0.1  # alpha, on the mean NLL
    max_steps: int = 200
    tolerance: float = 1e-6  # converged: |gradient| and the last step below this
    beta: float = 0.9  # momentum, Nesterov, Adam's first moment


@dataclass(frozen=True)
class ProblemView:
    """One state of the lab.

    Attributes
    ----------
    data : Data
        The training pairs (I of them).
    parameters : ndarray, shape (P,)
        phi, in the order of :func:`core.likelihood.parameter_labels`.
    labels : list of str
        The name of each parameter.
    grid : ndarray, shape (G,)
        Inputs where the predicted distribution is drawn.
    curve : Prediction
        theta on the grid; ``points`` the same at the data.
    likelihood, nll : ndarray, shape (I,)
        Per point; ``nan`` where undefined (a lambda outside [0, 1]).
    valid : ndarray of bool, shape (I,)
    total, mean : float or None
        The NLL summed, and averaged, over the points; None when undefined somewhere.
    gradient : ndarray, shape (P,) or None
        ``d total / d phi`` (summed NLL), None when the NLL is undefined.
    gradient_norm : float or None
        Its Euclidean length ``|d total / d phi|``, None with it.
    density_y : ndarray, shape (Y,) or None; density : ndarray, shape (Y, G) or None
        Regression: ``Pr(y | mu(x), sigma(x))`` on a grid, ``density[row y][column x]``.
    affine : AffineRelation or None
        Fixed-sigma regression: NLL against the sum of squares.
    sigma_mle : float or None
        Fixed-sigma regression: the RMS residual of the current means (the best sigma for them).
    closed : ClosedForm or None; closed_curve : ndarray, shape (G,) or None
    fit : Fit or None; fit_curve : Prediction or None
    message : str
        What the numbers mean when something is undefined; empty otherwise.
    """

    spec: lk.ModelSpec
    data: lk.Data
    parameters: np.ndarray
    labels: list[str]
    grid: np.ndarray
    curve: lk.Prediction
    points: lk.Prediction
    likelihood: np.ndarray
    nll: np.ndarray
    valid: np.ndarray
    total: float | None
    mean: float | None
    gradient: np.ndarray | None
    gradient_norm: float | None
    density_y: np.ndarray | None
    density: np.ndarray | None
    affine: lk.AffineRelation | None
    sigma_mle: float | None
    closed: lk.ClosedForm | None
    closed_curve: np.ndarray | None
    fit: lf.Fit | None
    fit_curve: lk.Prediction | None
    message: str


def _grid(x: np.ndarray, size: int) -> np.ndarray:
    lo, hi = min(x.min(), lk.X_RANGE[0]), max(x.max(), lk.X_RANGE[1])
    pad = 0.05 * (hi - lo)
    return np.linspace(lo - pad, hi + pad, size)


def _density(data: lk.Data, curve: lk.Prediction, rows: int) -> tuple[np.ndarray, np.ndarray]:
    lo = min(data.y.min(), (curve.mean - 2.5 * curve.sigma).min())
    hi = max(data.y.max(), (curve.mean + 2.5 * curve.sigma).max())
    pad = 0.05 * (hi - lo) + 1e-9
    y = np.linspace(lo - pad, hi + pad, rows)  # (Y,)
    sigma = np.maximum(curve.sigma, 1e-300)  # a predicted sigma of exactly 0 draws as a spike
    return y, normal_density(y[:, None], curve.mean[None, :], sigma[None, :])  # (Y, G)


def explore(
    spec: lk.ModelSpec,
    data: lk.Data,
    parameters: np.ndarray | None,
    rng: np.random.Generator,
    sigma: float = 1.0,
    grid_size: int = 200,
    density_rows: int = 80,
    fit: FitSettings | None = None,
) -> ProblemView:
    """Evaluate the model on the data and on a grid; fit when ``fit`` is given.

    ``parameters`` None means :func:`core.likelihood.default_parameters` (drawn from ``rng``).
    """
    if not (np.isfinite(sigma) and sigma > 0):
        raise DomainError(f"sigma must be a finite number > 0, got {sigma}")
    if parameters is None:
        parameters = lk.default_parameters(spec, rng)
    net = lk.network_of(spec, parameters)
    grid = _grid(data.x, grid_size)
    curve = lk.predict(spec, net, grid, sigma)
    points = lk.predict(spec, net, data.x, sigma)
    result = lk.evaluate(spec, data, net, sigma)
    message = ""
    if isinstance(result, lk.LinkCheck):
        valid, total, gradient = result.valid, None, None
        bad = int((~valid).sum())
        if bad:
            message = (
                f"{bad} of {valid.size} points have λ outside [0, 1] or give their label "
                "probability 0: there the NLL is undefined"
            )
        else:
            total = float(result.nll.sum())
    else:
        valid, total = np.ones(data.x.size, dtype=bool), result.total
        fwd = forward(net, data.x[None, :])
        gradient = gradient_vector(backward(net, fwd, result.gradient))
    density_y = density = affine = sigma_mle = closed_curve = fit_run = fit_curve = None
    if spec.problem == "regression":
        density_y, density = _density(data, curve, density_rows)
        if not spec.heteroscedastic:
            affine = lk.affine_relation(data, points.mean, sigma)
            sigma_mle = lk.rms_residual(data.y, points.mean)
    closed = lk.closed_form(spec, data, sigma)
    if closed is not None:
        closed_curve = closed.parameters[0] + closed.parameters[1] * grid
    if fit is not None and not (spec.problem == "binary" and spec.link != "sigmoid"):
        config = OptimizerConfig(fit.optimizer, fit.learning_rate, beta=fit.beta)
        fit_run = lf.fit(spec, data, parameters, sigma, config, fit.max_steps, fit.tolerance)
        fit_curve = lk.predict(spec, lk.network_of(spec, fit_run.parameters), grid, sigma)
    return ProblemView(
        spec=spec,
        data=data,
        parameters=np.asarray(parameters, dtype=float),
        labels=lk.parameter_labels(spec),
        grid=grid,
        curve=curve,
        points=points,
        likelihood=result.likelihood,
        nll=result.nll,
        valid=valid,
        total=total,
        mean=None if total is None else total / data.x.size,
        gradient=gradient,
        gradient_norm=None if gradient is None else float(np.hypot.reduce(gradient)),
        density_y=density_y,
        density=density,
        affine=affine,
        sigma_mle=sigma_mle,
        closed=closed,
        closed_curve=closed_curve,
        fit=fit_run,
        fit_curve=fit_curve,
        message=message,
    )

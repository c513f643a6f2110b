"""Loss functions lab (course notes ch. 5): likelihoods, NLL, softmax, entropy and KL divergence.

Conventions of every endpoint: a **total** is the SUM over the examples (the book's loss) and a
**mean** is that sum divided by the number of examples; gradients are of the total with respect
to the model's output (``d total / d output``); class labels are 0-based; losses are in nats.
"""

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter
from pydantic import Field, model_validator

from core import likelihood as lk
from core import likelihood_fit as lf
from core import likelihood_info as li
from core import likelihood_view as lv
from core.activations import ACTIVATION_NAMES
from server.schemas import ErrorResponse, Model, Seed

router = APIRouter(
    prefix="/api/v1/losses",
    tags=["loss functions"],
    responses={422: {"model": ErrorResponse, "description": "Invalid request"}},
)

ProblemName = Literal[tuple(lk.PROBLEMS)]  # type: ignore[valid-type]
ModelName = Literal[tuple(lk.MODELS)]  # type: ignore[valid-type]
LinkName = Literal[tuple(lk.LINKS)]  # type: ignore[valid-type]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
FitOptimizer = Literal[lf.FIT_OPTIMIZERS]  # type: ignore[valid-type]
Status = Literal["converged", "max_steps", "diverged"]
Coord = Annotated[float, Field(ge=-1e6, le=1e6)]
Param = Annotated[float, Field(ge=-1000, le=1000)]
Logit = Annotated[float, Field(ge=-1e4, le=1e4)]
Weight = Annotated[float, Field(ge=0, le=1e6)]
Sigma = Annotated[float, Field(gt=0, le=1e4)]
MaybeFloat = float | None


def _values(a) -> list:
    """An array as a JSON list; NaN and infinities (undefined values) become null."""
    a = np.asarray(a, dtype=float)
    finite = np.isfinite(a)
    if finite.all():
        return a.tolist()  # Python floats, every bit kept (the density map: 7500 at each step)
    if a.ndim == 0:
        return None
    out = a.astype(object)
    out[~finite] = None
    return out.tolist()


def _number(v) -> MaybeFloat:
    return float(v) if v is not None and np.isfinite(v) else None


# --- the problem view -------------------------------------------------------------------------


class LossViewRequest(Model):
    """One state of the lab: problem, data, model, parameters and the optional fit."""

    problem: ProblemName = Field("regression", description="Which distribution Pr(y | theta).")
    model: ModelName = Field("line", description="What predicts theta: a line or a shallow net.")
    hidden_units: int = Field(3, ge=1, le=8, description="Hidden units D of the shallow network.")
    activation: ActivationName = Field("relu", description="The shallow network's activation.")
    heteroscedastic: bool = Field(
        False, description="Regression: the model also predicts sigma (sigma^2 = f_2^2)."
    )
    n_classes: int = Field(3, ge=2, le=6, description="Multiclass: the number of classes K.")
    link: LinkName = Field(
        "sigmoid", description="Binary: how lambda is made from the output (sigmoid, none, ReLU)."
    )
    seed: Seed = 0
    n_points: int = Field(30, ge=2, le=300, description="Number of generated points I.")
    noise: float = Field(
        0.3,
        ge=0,
        le=3,
        description="Generated data: the noise std s at x = -1 (regression) or the class overlap.",
    )
    noise_growth: float = Field(
        0,
        ge=0,
        le=5,
        description="Generated regression data: the std at x is s (1 + noise_growth (x + 1)), "
        "so it grows by noise_growth * s per unit of x.",
    )
    x: list[Coord] | None = Field(
        None, min_length=1, max_length=500, description="Your own inputs x_i (with y)."
    )
    y: list[Coord] | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="Your own targets y_i: numbers, labels 0/1 (binary), or 0..K-1 (multiclass).",
    )
    parameters: list[Param] | None = Field(
        None,
        max_length=200,
        description="phi in the order of parameter_labels; null for the default start.",
    )
    sigma: float = Field(
        0.5, ge=1e-3, le=100, description="Regression with a fixed sigma: the normal's std."
    )
    grid_size: int = Field(200, ge=10, le=400, description="Inputs where curves are drawn.")
    density_rows: int = Field(80, ge=10, le=200, description="Rows of the regression density map.")
    fit: bool = Field(False, description="Run an optimiser on the NLL from the parameters.")
    optimizer: FitOptimizer = Field(
        "gd", description="The fit's update rule (full batch; names of the optimizers registry)."
    )
    learning_rate: float = Field(0.1, gt=0, le=10, description="alpha, on the mean NLL L / I.")
    beta: float = Field(
        0.9, ge=0, lt=1, description="beta: momentum and Nesterov, Adam's first moment."
    )
    max_steps: int = Field(200, ge=0, le=2000, description="The fit's step limit.")
    tolerance: float = Field(
        1e-6, ge=0, le=1, description="Converged: |gradient| and the last step below this."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"problem": "regression", "parameters": [0.2, 0.8], "sigma": 0.4, "fit": True},
                {"problem": "binary", "model": "shallow", "fit": True, "optimizer": "adam"},
                {"problem": "binary", "x": [-1, -0.5, 0, 0.5, 1], "y": [0, 0, 1, 1, 1]},
                {"problem": "multiclass", "model": "shallow", "n_classes": 3, "seed": 2},
            ]
        }
    }

    @model_validator(mode="after")
    def _own_data(self):
        if (self.x is None) != (self.y is None):
            raise ValueError("give both x and y for your own data, or neither")
        if self.x is not None and len(self.x) != len(self.y):
            raise ValueError("x and y need the same length")
        return self


class PredictionOut(Model):
    output: list[list[float]] = Field(
        description="The model's raw output f, output[row o][column n] (rows: output_roles)."
    )
    mean: list[float] | None = Field(description="Regression: the predicted mean mu per input.")
    sigma: list[float] | None = Field(description="Regression: the std sigma per input.")
    lam: list[float] | None = Field(
        description="Binary: lambda = Pr(y = 1 | x) per input (outside [0, 1] without sigmoid)."
    )
    probabilities: list[list[float]] | None = Field(
        description="Multiclass: softmax probabilities, probabilities[class k][column n]."
    )


def _prediction(p: lk.Prediction) -> PredictionOut:
    return PredictionOut(
        output=_values(p.output),
        mean=None if p.mean is None else _values(p.mean),
        sigma=None if p.sigma is None else _values(p.sigma),
        lam=None if p.lam is None else _values(p.lam),
        probabilities=None if p.probabilities is None else _values(p.probabilities),
    )


class AffineOut(Model):
    sum_of_squares: float = Field(description="SS = sum_i (y_i - mu_i)^2.")
    slope: float = Field(description="1 / (2 sigma^2).")
    intercept: float = Field(description="I log(2 pi sigma^2) / 2.")
    nll_from_ss: float = Field(description="slope * SS + intercept, to compare with nll_total.")


class ClosedFormOut(Model):
    parameters: list[float] = Field(description="The least-squares line (phi_0, phi_1): the MLE.")
    sigma: float = Field(description="MLE of sigma at that line: the RMS residual.")
    nll: float = Field(description="The NLL (sum) at the MLE with that sigma: the smallest.")
    nll_at_sigma: float = Field(
        description="The NLL of the MLE line with the request's fixed sigma (the fit's target)."
    )
    curve: list[float] = Field(description="The MLE line at the grid inputs.")


class FitOut(Model):
    parameters: list[float] = Field(description="phi where the optimiser stopped.")
    losses: list[float] = Field(description="NLL (sum over points) at the start and each step.")
    status: Status = Field(description="Why it stopped.")
    steps: int = Field(description="Number of updates made.")
    message: str = Field(description="Why it stopped, in words.")
    curve: PredictionOut = Field(description="The fitted model's theta at the grid inputs.")


class LossViewResponse(Model):
    loss: str = Field(description="The loss minimised (a name of the losses registry).")
    x: list[float] = Field(description="Inputs x_i, I of them.")
    y: list[float] = Field(description="Targets y_i (class labels 0-based).")
    parameters: list[float] = Field(description="phi used (the default start when none given).")
    parameter_labels: list[str] = Field(description="The name of each parameter, same order.")
    output_roles: list[str] = Field(description="What each output row predicts.")
    grid: list[float] = Field(description="Inputs where the curves are evaluated.")
    curve: PredictionOut = Field(description="theta = f[x, phi] at the grid inputs.")
    points: PredictionOut = Field(description="theta at the data inputs x_i.")
    likelihood: list[MaybeFloat] = Field(
        description="Pr(y_i | theta_i) per point (a density for regression); null if undefined."
    )
    nll: list[MaybeFloat] = Field(
        description="-log Pr(y_i | theta_i) per point; null if undefined."
    )
    valid: list[bool] = Field(description="Whether each point's likelihood is a probability > 0.")
    nll_total: MaybeFloat = Field(description="The NLL summed over the points (the loss L[phi]).")
    nll_mean: MaybeFloat = Field(description="nll_total / I.")
    log_likelihood: MaybeFloat = Field(description="log prod_i Pr(y_i | theta_i) = -nll_total.")
    gradient: list[float] | None = Field(description="dL/dphi of the summed NLL, same order.")
    gradient_norm: MaybeFloat = Field(
        description="|dL/dphi|, the Euclidean length of gradient (loss units per unit of phi); "
        "null when there is no gradient."
    )
    density_y: list[float] | None = Field(description="Regression: rows of the density map.")
    density: list[list[float]] | None = Field(
        description="Regression: Pr(y | x) with density[row y][column grid x]."
    )
    affine: AffineOut | None = Field(description="Fixed-sigma regression: NLL = a SS + b.")
    sigma_mle: MaybeFloat = Field(
        description="Fixed-sigma regression: the best sigma for the current means (RMS residual)."
    )
    closed_form: ClosedFormOut | None = Field(
        description="The maximum-likelihood solution where it has a closed form (a line)."
    )
    fit: FitOut | None = Field(description="The optimiser's run, when asked for.")
    fit_optimizers: list[str] = Field(
        description="The optimisers the fit accepts (names of the optimizers registry)."
    )
    message: str = Field(description="Why some numbers are undefined; empty when all are.")


@router.post("/view", response_model=LossViewResponse, summary="Everything the lab draws")
def view(req: LossViewRequest) -> LossViewResponse:
    """The predicted distribution over the data, each point's likelihood and NLL, the NLL
    against the sum of squares, the closed-form MLE and, when asked, an optimiser's fit (GD,
    momentum, Nesterov or Adam)."""
    spec = lk.ModelSpec(
        req.problem,
        req.model,
        req.hidden_units,
        req.activation,
        req.heteroscedastic,
        req.n_classes,
        req.link,
    )
    rng = np.random.default_rng(req.seed)
    if req.x is not None:
        data = lk.check_data(spec, req.x, req.y)
    else:
        data = lk.make_data(
            req.problem, req.n_points, rng, req.noise, req.noise_growth, req.n_classes
        )
    v = lv.explore(
        spec,
        data,
        None if req.parameters is None else np.array(req.parameters),
        rng,
        req.sigma,
        req.grid_size,
        req.density_rows,
        lv.FitSettings(req.optimizer, req.learning_rate, req.max_steps, req.tolerance, req.beta)
        if req.fit
        else None,
    )
    return LossViewResponse(
        loss=spec.loss,
        x=_values(v.data.x),
        y=_values(v.data.y),
        parameters=_values(v.parameters),
        parameter_labels=v.labels,
        output_roles=lk.output_roles(spec),
        grid=_values(v.grid),
        curve=_prediction(v.curve),
        points=_prediction(v.points),
        likelihood=_values(v.likelihood),
        nll=_values(v.nll),
        valid=v.valid.tolist(),
        nll_total=_number(v.total),
        nll_mean=_number(v.mean),
        log_likelihood=None if v.total is None else -v.total,
        gradient=None if v.gradient is None else _values(v.gradient),
        gradient_norm=_number(v.gradient_norm),
        density_y=None if v.density_y is None else _values(v.density_y),
        density=None if v.density is None else _values(v.density),
        affine=None if v.affine is None else AffineOut(**vars(v.affine)),
        sigma_mle=_number(v.sigma_mle),
        closed_form=None
        if v.closed is None
        else ClosedFormOut(
            parameters=_values(v.closed.parameters),
            sigma=v.closed.sigma,
            nll=v.closed.nll,
            nll_at_sigma=v.closed.nll_at_sigma,
            curve=_values(v.closed_curve),
        ),
        fit=None
        if v.fit is None
        else FitOut(
            parameters=_values(v.fit.parameters),
            losses=_values(v.fit.losses),
            status=v.fit.status,
            steps=v.fit.steps,
            message=v.fit.message,
            curve=_prediction(v.fit_curve),
        ),
        message=v.message,
        fit_optimizers=list(lf.FIT_OPTIMIZERS),
    )


# --- the information view ---------------------------------------------------------------------


class SoftmaxRequest(Model):
    logits: list[Logit] = Field(
        [2.0, 1.0, 0.1], min_length=2, max_length=12, description="Logits z_k, one per class."
    )
    shift: float = Field(0, ge=-1e4, le=1e4, description="A constant c added to every logit.")
    temperature: float = Field(1, ge=0.01, le=100, description="T: softmax of z / T.")

    model_config = {"json_schema_extra": {"examples": [{"logits": [1000, -1000, 0], "shift": 5}]}}


class SoftmaxResponse(Model):
    probabilities: list[float] = Field(description="softmax_k[z / T], one per class (sum 1).")
    shifted: list[float] = Field(description="softmax_k[(z + c) / T]: the same numbers.")
    max_difference: float = Field(description="max_k |probabilities - shifted| (rounding only).")
    exponentials: list[float] = Field(
        description="exp((z_k - max z) / T): the numerators as computed (never overflow)."
    )
    log_sum_exp: float = Field(description="log sum_k exp(z_k / T), computed stably.")
    entropy: float = Field(description="Entropy of the probabilities in nats.")
    temperatures: list[float] = Field(description="Temperatures of the sweep (log-spaced).")
    sweep: list[list[float]] = Field(
        description="Probabilities over the sweep: sweep[class k][temperature index]."
    )


@router.post("/softmax", response_model=SoftmaxResponse, summary="Softmax explorer")
def softmax(req: SoftmaxRequest) -> SoftmaxResponse:
    """Softmax with a constant shift (which changes nothing) and a temperature."""
    s = li.explore_softmax(np.array(req.logits), req.shift, req.temperature)
    return SoftmaxResponse(
        probabilities=_values(s.probabilities),
        shifted=_values(s.shifted),
        max_difference=s.max_difference,
        exponentials=_values(s.exponentials),
        log_sum_exp=s.log_sum_exp,
        entropy=s.entropy,
        temperatures=_values(s.temperatures),
        sweep=_values(s.sweep),
    )


class DiscreteRequest(Model):
    p: list[Weight] = Field(
        [0.5, 0.3, 0.2], min_length=1, max_length=50, description="Probabilities p_k."
    )
    q: list[Weight] = Field(
        [0.1, 0.6, 0.3], min_length=1, max_length=50, description="Probabilities q_k (as many)."
    )
    normalise: bool = Field(
        False, description="Scale p and q to sum to 1 (otherwise they must already)."
    )

    model_config = {
        "json_schema_extra": {"examples": [{"p": [1, 1, 0], "q": [1, 2, 1], "normalise": True}]}
    }


class DiscreteResponse(Model):
    p: list[float] = Field(description="p_k used (normalised if asked).")
    q: list[float] = Field(description="q_k used.")
    entropy_p: float = Field(description="H[p] = -sum p_k log p_k, nats.")
    entropy_q: float = Field(description="H[q], nats.")
    cross_entropy_pq: MaybeFloat = Field(
        description="H[p, q] = -sum p_k log q_k = H[p] + KL[p||q]; null when infinite."
    )
    cross_entropy_qp: MaybeFloat = Field(description="H[q, p]; null when infinite.")
    kl_pq: MaybeFloat = Field(description="KL[p || q] >= 0; null when infinite (q_k = 0 < p_k).")
    kl_qp: MaybeFloat = Field(description="KL[q || p]; null when infinite (p_k = 0 < q_k).")
    terms_pq: list[MaybeFloat] = Field(
        description="p_k log(p_k / q_k) per outcome (they sum to KL[p||q]); null if infinite."
    )
    terms_qp: list[MaybeFloat] = Field(description="q_k log(q_k / p_k) per outcome.")


@router.post("/discrete", response_model=DiscreteResponse, summary="Entropy, cross-entropy, KL")
def discrete(req: DiscreteRequest) -> DiscreteResponse:
    """Entropy, cross-entropy and KL divergence (both directions) of two discrete
    distributions."""
    c = li.compare_discrete(np.array(req.p), np.array(req.q), req.normalise)
    return DiscreteResponse(
        p=_values(c.p),
        q=_values(c.q),
        entropy_p=c.entropy_p,
        entropy_q=c.entropy_q,
        cross_entropy_pq=_number(c.cross_pq),
        cross_entropy_qp=_number(c.cross_qp),
        kl_pq=_number(c.kl_pq),
        kl_qp=_number(c.kl_qp),
        terms_pq=_values(c.terms_pq),
        terms_qp=_values(c.terms_qp),
    )


class GaussiansRequest(Model):
    mu1: float = Field(0, ge=-100, le=100, description="Mean of p.")
    sigma1: float = Field(1, ge=0.01, le=100, description="Standard deviation of p.")
    mu2: float = Field(1, ge=-100, le=100, description="Mean of q.")
    sigma2: float = Field(2, ge=0.01, le=100, description="Standard deviation of q.")
    grid_size: int = Field(301, ge=11, le=2001, description="Points of the drawn curves.")

    model_config = {"json_schema_extra": {"examples": [{"mu1": 0, "sigma1": 0.5, "mu2": 2}]}}


class GaussiansResponse(Model):
    kl_pq: float = Field(description="KL[p || q] in closed form, nats.")
    kl_qp: float = Field(description="KL[q || p] in closed form, nats.")
    entropy_p: float = Field(description="H[p] = log(2 pi e sigma1^2) / 2.")
    entropy_q: float = Field(description="H[q].")
    cross_entropy_pq: float = Field(description="H[p, q] = H[p] + KL[p || q].")
    cross_entropy_qp: float = Field(description="H[q, p] = H[q] + KL[q || p].")
    integral_pq: float = Field(description="KL[p || q] by numerical integration (a check).")
    integral_qp: float = Field(description="KL[q || p] by numerical integration.")
    y: list[float] = Field(description="Where the curves are evaluated.")
    density_p: list[float] = Field(description="p(y).")
    density_q: list[float] = Field(description="q(y).")
    integrand_pq: list[float] = Field(
        description="p(y) log(p(y) / q(y)); its integral is KL[p||q]."
    )
    integrand_qp: list[float] = Field(description="q(y) log(q(y) / p(y)).")


@router.post("/gaussians", response_model=GaussiansResponse, summary="KL of two Gaussians")
def gaussians(req: GaussiansRequest) -> GaussiansResponse:
    """KL divergence between two normal distributions in both directions, with the curves."""
    c = li.compare_gaussians(req.mu1, req.sigma1, req.mu2, req.sigma2, req.grid_size)
    return GaussiansResponse(
        kl_pq=c.kl_pq,
        kl_qp=c.kl_qp,
        entropy_p=c.entropy_p,
        entropy_q=c.entropy_q,
        cross_entropy_pq=c.cross_pq,
        cross_entropy_qp=c.cross_qp,
        integral_pq=c.integral_pq,
        integral_qp=c.integral_qp,
        y=_values(c.y),
        density_p=_values(c.density_p),
        density_q=_values(c.density_q),
        integrand_pq=_values(c.integrand_pq),
        integrand_qp=_values(c.integrand_qp),
    )


class EmpiricalRequest(Model):
    seed: Seed = 0
    n_points: int = Field(40, ge=2, le=2000, description="Size I of the generated sample.")
    true_mu: float = Field(1, ge=-10, le=10, description="Mean of the generating normal.")
    true_sigma: float = Field(0.7, ge=0.05, le=10, description="Std of the generating normal.")
    sample: list[Coord] | None = Field(
        None, min_length=2, max_length=5000, description="Your own sample y_i (replaces it)."
    )
    mu_min: float = Field(-1, ge=-1e4, le=1e4, description="Left edge of the mu axis.")
    mu_max: float = Field(3, ge=-1e4, le=1e4, description="Right edge of the mu axis.")
    sigma_min: float = Field(0.2, ge=1e-3, le=1e4, description="Bottom of the sigma axis.")
    sigma_max: float = Field(2, ge=1e-3, le=1e4, description="Top of the sigma axis.")
    grid_size: int = Field(60, ge=5, le=200, description="Grid points per axis.")
    bins: int = Field(12, ge=1, le=200, description="Histogram bins of the finite KL.")

    model_config = {
        "json_schema_extra": {"examples": [{"sample": [0.1, 0.9, 1.3, 2.2, 1.0], "bins": 4}]}
    }


class MuSigma(Model):
    mu: float = Field(description="Mean of the normal.")
    sigma: float = Field(description="Standard deviation of the normal.")


def _mu_sigma(pair: tuple[float, float]) -> MuSigma:
    return MuSigma(mu=pair[0], sigma=pair[1])


class EmpiricalResponse(Model):
    sample: list[float] = Field(description="The sample y_i.")
    mu: list[float] = Field(description="Grid of mu (columns of the surfaces).")
    sigma: list[float] = Field(description="Grid of sigma (rows of the surfaces).")
    nll: list[list[float]] = Field(
        description="NLL = -sum_i log N(y_i | mu, sigma^2), nll[row sigma][column mu]."
    )
    cross_entropy: list[list[float]] = Field(
        description="H[p_emp, q] = NLL / I: KL from the empirical deltas minus its infinite "
        "constant (-H[p_emp]); same layout."
    )
    kl_histogram: list[list[float]] = Field(
        description="KL[p_hist || N(mu, sigma^2)] with the histogram as the empirical "
        "distribution (finite); same layout."
    )
    edges: list[float] = Field(description="Histogram bin edges (B + 1).")
    weights: list[float] = Field(description="Fraction of the sample in each bin (B).")
    entropy_histogram: float = Field(description="H[p_hist], differential entropy in nats.")
    mle: MuSigma = Field(description="The MLE: the sample mean and RMS deviation (over I).")
    histogram_minimiser: MuSigma = Field(
        description="Where KL[p_hist || q] is smallest: histogram mean, sqrt(variance + h^2/12)."
    )
    grid_nll_minimiser: MuSigma = Field(description="The grid point with the smallest NLL.")
    grid_kl_minimiser: MuSigma = Field(description="The grid point with the smallest KL.")


@router.post(
    "/empirical", response_model=EmpiricalResponse, summary="NLL and KL from the data agree"
)
def empirical(req: EmpiricalRequest) -> EmpiricalResponse:
    """The NLL of a sample under N(mu, sigma^2) and KL[empirical || N(mu, sigma^2)] over a
    grid of (mu, sigma): they have the same minimiser (exactly for the cross-entropy form)."""
    if req.sample is not None:
        sample = np.array(req.sample)
    else:
        rng = np.random.default_rng(req.seed)
        sample = req.true_mu + req.true_sigma * rng.standard_normal(req.n_points)
    e = li.empirical_vs_model(
        sample, (req.mu_min, req.mu_max), (req.sigma_min, req.sigma_max), req.grid_size, req.bins
    )
    return EmpiricalResponse(
        sample=_values(e.sample),
        mu=_values(e.mu),
        sigma=_values(e.sigma),
        nll=_values(e.nll),
        cross_entropy=_values(e.cross_entropy),
        kl_histogram=_values(e.kl_histogram),
        edges=_values(e.edges),
        weights=_values(e.weights),
        entropy_histogram=e.entropy_histogram,
        mle=_mu_sigma(e.mle),
        histogram_minimiser=_mu_sigma(e.histogram_minimiser),
        grid_nll_minimiser=_mu_sigma(e.grid_nll_minimiser),
        grid_kl_minimiser=_mu_sigma(e.grid_kl_minimiser),
    )


# --- losses on the caller's own outputs ---------------------------------------------------------


class PointwiseOut(Model):
    likelihood: list[float] = Field(description="Pr(y_i | theta_i) per example (may be 0).")
    nll: list[float] = Field(description="-log Pr(y_i | theta_i) per example (the loss l_i).")
    total: float = Field(description="Sum of nll over the examples (the book's loss).")
    mean: float = Field(description="total / I (the frameworks' reduction='mean').")


class NormalRequest(Model):
    y: list[Coord] = Field([0.5, 1.0, 2.0], min_length=1, max_length=10_000, description="y_i.")
    mean: list[Coord] = Field(
        [0.0, 1.0, 1.5], min_length=1, max_length=10_000, description="Predicted means mu_i."
    )
    sigma: Sigma | list[Sigma] = Field(1, description="sigma: one number or one per example.")

    model_config = {
        "json_schema_extra": {"examples": [{"y": [0, 1], "mean": [0.5, 0.5], "sigma": [1, 2]}]}
    }


class NormalResponse(PointwiseOut):
    gradient_mean: list[float] = Field(description="d total / d mu_i = (mu_i - y_i) / sigma_i^2.")
    gradient_sigma: list[float] = Field(
        description="d total / d sigma_i = 1/sigma_i - (y_i - mu_i)^2 / sigma_i^3."
    )


@router.post("/normal", response_model=NormalResponse, summary="Normal density and NLL")
def normal(req: NormalRequest) -> NormalResponse:
    """The normal density of each target and its negative log (the Gaussian NLL, eq. 5.10)."""
    r = lk.normal(np.array(req.y), np.array(req.mean), np.array(req.sigma))
    return NormalResponse(
        likelihood=_values(r.likelihood),
        nll=_values(r.nll),
        total=r.total,
        mean=r.mean,
        gradient_mean=_values(r.gradient[0]),
        gradient_sigma=_values(r.gradient[1]),
    )


class BernoulliRequest(Model):
    y: list[Annotated[int, Field(ge=0, le=1)]] = Field(
        [1, 0, 1], min_length=1, max_length=10_000, description="Labels y_i, 0 or 1."
    )
    logits: list[Logit] = Field(
        [2.0, -1.0, -0.5], min_length=1, max_length=10_000, description="Model outputs z_i."
    )

    model_config = {"json_schema_extra": {"examples": [{"y": [1, 0], "logits": [1000, 1000]}]}}


class BernoulliResponse(PointwiseOut):
    lam: list[float] = Field(description="lambda_i = sig(z_i) = Pr(y = 1 | x_i).")
    gradient: list[float] = Field(description="d total / d z_i = sig(z_i) - y_i.")


@router.post("/bernoulli", response_model=BernoulliResponse, summary="Bernoulli likelihood, BCE")
def bernoulli(req: BernoulliRequest) -> BernoulliResponse:
    """Bernoulli likelihood lambda^y (1 - lambda)^(1 - y) with lambda = sig(z), and the binary
    cross-entropy, computed with log-sigmoid (exact for logits of +-1000)."""
    r = lk.bernoulli(np.array(req.y, dtype=float), np.array(req.logits))
    return BernoulliResponse(
        likelihood=_values(r.likelihood),
        nll=_values(r.nll),
        total=r.total,
        mean=r.mean,
        lam=_values(r.theta[0]),
        gradient=_values(r.gradient[0]),
    )


class CategoricalRequest(Model):
    logits: list[Annotated[list[Logit], Field(min_length=2, max_length=100)]] = Field(
        [[2.0, 1.0, 0.1], [0.0, 0.0, 3.0]],
        min_length=1,
        max_length=2000,
        description="Logits, one row per example: logits[i][k] for class k (K >= 2 columns).",
    )
    labels: list[Annotated[int, Field(ge=0, le=99)]] = Field(
        [0, 2], min_length=1, max_length=2000, description="Class of each example, 0-based."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [{"logits": [[1000, -1000, 0], [-1000, 1000, 0]], "labels": [1, 1]}]
        }
    }

    @model_validator(mode="after")
    def _rectangular(self):
        if len({len(row) for row in self.logits}) != 1:
            raise ValueError("every row of logits needs the same number of classes K")
        return self


class CategoricalResponse(PointwiseOut):
    probabilities: list[list[float]] = Field(
        description="softmax of each row: probabilities[i][k] = Pr(y = k | x_i)."
    )
    gradient: list[list[float]] = Field(
        description="d total / d logits[i][k] = probabilities[i][k] - [k == label_i]."
    )


@router.post(
    "/categorical", response_model=CategoricalResponse, summary="Categorical likelihood, CE"
)
def categorical(req: CategoricalRequest) -> CategoricalResponse:
    """Categorical likelihood softmax_{y_i}[z_i] and the cross-entropy (log-sum-exp)."""
    logits = np.array(req.logits).T  # (K, I): classes in rows, examples in columns
    r = lk.categorical(np.array(req.labels), logits)
    return CategoricalResponse(
        likelihood=_values(r.likelihood),
        nll=_values(r.nll),
        total=r.total,
        mean=r.mean,
        probabilities=_values(r.theta.T),
        gradient=_values(r.gradient.T),
    )

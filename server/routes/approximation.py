"""Universal approximation lab: shallow ReLU or sigmoid fits, polynomial bases, counts, radial
density."""

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter
from pydantic import ConfigDict, Field, model_validator

from core import approximation as approx
from core import basis_comparison, dimensionality
from server.limits import light_when
from server.schemas import INVALID_REQUEST, Model, Seed, check_budget

router = APIRouter(
    prefix="/api/v1/approximation",
    tags=["universal approximation"],
    responses=INVALID_REQUEST,
)

Coord = Annotated[float, Field(ge=-1000, le=1000)]
# Work of the gradient-descent refinement: steps x samples x hidden units stays below this
# (well under a second on one core; see bench/results_approximation.md).
GD_BUDGET = 4_000_000

# Gaussian coordinates drawn by the radial panel: samples x sum of the dimensions.
RADIAL_BUDGET = 2_000_000


class ApproximationRequest(Model):
    """The lab's state: target, network, refinement, polynomial and sweep settings."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"target": "step", "n_hidden": 8, "activation": "sigmoid", "sweep_max": 64},
                {"target": "points", "points": [[-1, 0], [0, 1], [1, 0]], "n_hidden": 4},
            ]
        }
    )

    seed: Seed = 0
    target: Literal["sine", "step", "abs", "sawtooth", "gaussian_bump", "points"] = Field(
        "sine", description="Function to approximate; 'points' is the curve through your points."
    )
    points: list[tuple[Coord, Coord]] | None = Field(
        None,
        min_length=2,
        max_length=50,
        description="Your (x, y) pairs for the 'points' target (distinct x values).",
    )
    n_hidden: int = Field(8, ge=1, le=128, description="Hidden units n of the network.")
    activation: Literal[approx.HIDDEN_ACTIVATIONS] = Field(  # type: ignore[valid-type]
        "relu",
        description="Hidden units: 'relu' (joints) or 'sigmoid' (the units of the theorem); "
        "a sigmoid unit's slope is 2n / (x_max - x_min) before any gradient descent.",
    )
    joint_placement: Literal["spread", "random"] = Field(
        "spread", description="Joints equally spaced over the domain, or drawn from the seed."
    )
    n_samples: int = Field(
        200, ge=2, le=1000, description="Training inputs, equally spaced over the domain."
    )
    noise: float = Field(0.0, ge=0, le=2, description="Std of Gaussian noise on the targets.")
    gd_steps: int = Field(
        0, ge=0, le=1000, description="Gradient-descent steps after least squares (0 = none)."
    )
    learning_rate: float = Field(
        0.5, gt=0, le=10, description="Largest step size; backtracking halves it as needed."
    )
    degree: int = Field(8, ge=0, le=64, description="Degree M of the comparison polynomial.")
    sweep_max: int = Field(
        128, ge=1, le=256, description="The error sweep uses n = 1, 2, 4, ... up to this."
    )

    @model_validator(mode="after")
    def _budget(self):
        check_budget(
            self.gd_steps * self.n_samples * self.n_hidden,
            GD_BUDGET,
            "gradient descent would take too long",
            "steps x samples x hidden units",
            "use fewer steps, samples or units",
        )
        return self


class Curves(Model):
    x: list[float] = Field(description="Plotting grid over the domain.")
    target: list[float] = Field(description="Target f(x).")
    network: list[float] = Field(description="Shallow network f_n(x) on the grid.")
    polynomial: list[float] = Field(description="Least-squares polynomial of degree M.")


class Sweep(Model):
    n: list[int] = Field(description="Hidden units n (units spread, least squares).")
    network_error: list[float] = Field(
        description="Integrated squared error of each network, one per n."
    )
    degrees: list[int] = Field(description="Polynomial degrees M (the n up to 64).")
    polynomial_error: list[float] = Field(description="Integrated squared error per degree.")
    reference: list[float] = Field(
        description="Reference slope c / n drawn through the first network error, one per n. "
        "Not a bound: Barron's bound (2 r C_f)^2 / n holds for sigmoidal units and a target "
        "with a finite Fourier moment C_f (continuously differentiable), and a target with "
        "a jump lies above this line."
    )
    c: float = Field(description="Constant c of the reference line.")
    network_rate: float = Field(
        description="Measured slope p: least-squares fit of log error against log n "
        "(error ~ n^p; exact fits below 1e-300 left out)."
    )
    fitted: list[float] = Field(description="The fitted power law e^q n^p at each n.")
    polynomial_rate: float = Field(description="Same measured slope for the polynomials.")


class ApproximationResponse(Model):
    domain: tuple[float, float] = Field(description="Input interval [x_min, x_max].")
    curves: Curves
    x_train: list[float] = Field(description="Training inputs.")
    y_train: list[float] = Field(description="Training targets (with noise if any).")
    joints: list[float] = Field(
        description="Switching points -theta_k0/theta_k1 inside the domain (ReLU joints, "
        "sigmoid centres)."
    )
    joint_outputs: list[float] = Field(description="Network output f_n at each of the joints.")
    theta: list[tuple[float, float]] = Field(description="(theta_k0, theta_k1) of each unit.")
    phi: list[float] = Field(description="Output bias phi_0 then weights phi_1..phi_n.")
    network_error: float = Field(
        description="Integrated squared error of the final network against the clean target."
    )
    least_squares_error: float = Field(
        description="Its error before gradient descent. Descent lowers the training loss at "
        "every step; this error against the clean target can rise (the net follows the noise)."
    )
    polynomial_error: float = Field(description="Integrated squared error of the polynomial.")
    losses: list[float] = Field(
        description="Training mean squared error before the first step and after each step: "
        "never increasing."
    )
    status: Literal["least_squares", "finished", "converged", "diverged"] = Field(
        description="How the network was obtained."
    )
    n_parameters: int = Field(description="All network parameters, 3n + 1.")
    sweep: Sweep


@light_when("/api/v1/approximation/fit")
def fit_without_descent(body: dict) -> bool:
    """Whether the fit asked for runs no gradient descent: least squares on at most 1000
    samples and 128 units (~25 ms; the error sweep, ~70 ms at most, is kept for its settings),
    a slider move computed as a light request."""
    return body.get("gd_steps", 0) == 0


@router.post("/fit", response_model=ApproximationResponse, summary="Fit a net and a polynomial")
def fit(req: ApproximationRequest) -> ApproximationResponse:
    """Least-squares shallow net (optionally refined by gradient descent), a polynomial of
    degree M, and the error of both against the number of hidden units / the degree."""
    config = approx.ApproximationConfig(
        target=req.target,
        n_hidden=req.n_hidden,
        activation=req.activation,
        joint_placement=req.joint_placement,
        n_samples=req.n_samples,
        noise=req.noise,
        gd_steps=req.gd_steps,
        learning_rate=req.learning_rate,
        degree=req.degree,
        sweep_max=req.sweep_max,
        points=tuple(req.points or ()),
    )
    r = approx.run_approximation(config, np.random.default_rng(req.seed))
    s = r.sweep
    return ApproximationResponse(
        domain=(r.x_min, r.x_max),
        curves=Curves(
            x=r.x_plot.tolist(),
            target=r.target_plot.tolist(),
            network=r.network_plot.tolist(),
            polynomial=r.polynomial_plot.tolist(),
        ),
        x_train=r.x_train.tolist(),
        y_train=r.y_train.tolist(),
        joints=r.joints.tolist(),
        joint_outputs=r.joint_outputs.tolist(),
        theta=[tuple(row) for row in r.theta.tolist()],
        phi=r.phi.tolist(),
        network_error=r.network_error,
        least_squares_error=r.least_squares_error,
        polynomial_error=r.polynomial_error,
        losses=r.losses.tolist(),
        status=r.status,
        n_parameters=r.n_parameters,
        sweep=Sweep(
            n=s.n_values.tolist(),
            network_error=s.network_error.tolist(),
            degrees=s.degrees.tolist(),
            polynomial_error=s.polynomial_error.tolist(),
            reference=s.reference.tolist(),
            c=s.c,
            network_rate=s.network_rate,
            fitted=s.fitted.tolist(),
            polynomial_rate=s.polynomial_rate,
        ),
    )


class CountsRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"max_inputs": 20, "degree": 3, "n_hidden": 100}]}
    )

    max_inputs: int = Field(20, ge=1, le=100, description="Largest input dimension D.")
    degree: int = Field(3, ge=0, le=10, description="Polynomial degree M.")
    n_hidden: int = Field(100, ge=1, le=100_000, description="Hidden units n of the net.")


class CountsResponse(Model):
    n_inputs: list[int] = Field(description="D = 1..max_inputs.")
    polynomial: list[int] = Field(description="Coefficients C(M + D, D) of a full polynomial.")
    network: list[int] = Field(description="Parameters (D + 2) n + 1 of a shallow net.")


@router.post("/counts", response_model=CountsResponse, summary="Coefficients against dimension")
def counts(req: CountsRequest) -> CountsResponse:
    """How many numbers a degree-M polynomial and an n-unit shallow net need in D dimensions."""
    c = dimensionality.coefficient_counts(req.max_inputs, req.degree, req.n_hidden)
    return CountsResponse(
        n_inputs=c.n_inputs.tolist(), polynomial=c.polynomial.tolist(), network=c.network.tolist()
    )


class RadialRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"seed": 0, "dims": [1, 10, 100], "sigma": 1.0}]}
    )

    seed: Seed = 0
    dims: list[Annotated[int, Field(ge=1, le=250)]] = Field(
        [1, 2, 10, 50, 200],
        min_length=1,
        max_length=8,
        description="Dimensions D to show.",
    )
    sigma: float = Field(1.0, ge=0.1, le=10, description="Standard deviation of each coordinate.")
    n_samples: int = Field(
        2000, ge=1, le=5000, description="Gaussian points drawn per D for the histograms."
    )
    n_bins: int = Field(60, ge=5, le=200, description="Histogram bins over [0, r_max].")

    @model_validator(mode="after")
    def _budget(self):
        check_budget(
            self.n_samples * sum(self.dims),
            RADIAL_BUDGET,
            "too many random numbers",
            "samples x sum of D",
            "use fewer samples or smaller dimensions",
        )
        return self


class RadialResponse(Model):
    dims: list[int] = Field(description="Dimensions D.")
    r: list[float] = Field(description="Radii at which p(r) is given.")
    density: list[list[float]] = Field(description="p(r) for each D: density[k][j].")
    modes: list[float] = Field(description="Peak of p(r): sigma sqrt(D - 1).")
    bin_edges: list[float] = Field(description="Common histogram bin edges.")
    histogram: list[list[float]] = Field(description="Sampled density of |x| for each D.")


@router.post("/radial", response_model=RadialResponse, summary="Radial density of a Gaussian")
def radial(req: RadialRequest) -> RadialResponse:
    """p(r) of |x| for x ~ N(0, sigma^2 I_D), with histograms of sampled norms to check it."""
    p = dimensionality.radial_panel(
        np.array(req.dims), req.sigma, req.n_samples, req.n_bins, np.random.default_rng(req.seed)
    )
    return RadialResponse(
        dims=p.n_inputs.tolist(),
        r=p.r.tolist(),
        density=p.density.tolist(),
        modes=p.modes.tolist(),
        bin_edges=p.bin_edges.tolist(),
        histogram=p.histogram.tolist(),
    )


# Work of one comparison: training steps x samples x the hidden units of all sizes.
COMPARE_BUDGET = 6_000_000


class CompareRequest(Model):
    """A hat-function grid against trained shallow networks on one target in d dimensions."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"seed": 0, "n_inputs": 2, "target": "bump", "activation": "sigmoid"}]
        }
    )

    seed: Seed = 0
    n_inputs: Literal[1, 2, 3] = Field(2, description="Input dimension d.")
    target: Literal[basis_comparison.TARGETS_ND] = Field(  # type: ignore[valid-type]
        "bump",
        description="'bump' exp(-|x|^2 / 0.5), 'ridge' sin(pi (x_1 + ... + x_d) / sqrt d), "
        "on [-1, 1]^d.",
    )
    activation: Literal[basis_comparison.UNIT_ACTIVATIONS] = Field(  # type: ignore[valid-type]
        "sigmoid", description="Hidden units of the trained networks."
    )
    max_parameters: int = Field(
        4096, ge=8, le=20_000, description="Largest grid: k^d coefficients at most this many."
    )
    max_hidden: int = Field(
        32, ge=1, le=64, description="Networks with h = 1, 2, 4, ... up to this many units."
    )
    n_train: int = Field(500, ge=10, le=2000, description="Random training samples.")
    n_test: int = Field(2000, ge=100, le=5000, description="Random test points (shared).")
    n_steps: int = Field(150, ge=0, le=500, description="Adam steps for each network.")

    @model_validator(mode="after")
    def _budget(self):
        check_budget(
            (self.n_steps + 1) * self.n_train * 2 * self.max_hidden,
            COMPARE_BUDGET,
            "training would take too long",
            "steps x samples x units",
            "use fewer steps, samples or units",
        )
        return self


class CompareResponse(Model):
    n_inputs: int = Field(description="Input dimension d.")
    grid_parameters: list[int] = Field(description="Coefficients k^d of each hat grid.")
    grid_error: list[float] = Field(
        description="Mean squared test error of each grid (coefficients = target values at "
        "the grid points)."
    )
    network_parameters: list[int] = Field(description="Parameters (d + 2) h + 1 of each net.")
    hidden_units: list[int] = Field(description="Hidden units h of each net.")
    network_error: list[float] = Field(description="Mean squared test error of each net.")
    grid_rate: float = Field(description="Measured slope of log grid error against log n.")
    network_rate: float = Field(description="Measured slope of log net error against log n.")
    fixed_reference: list[float] = Field(
        description="(1/n)^(2/d) through the first grid error, at each grid's n."
    )
    barron_reference: list[float] = Field(
        description="c / n through the first network error, at each network's n (a slope to "
        "compare with, not a bound)."
    )
    grid_predicted_rate: float = Field(
        description="-4 / d: the slope (log error per log n) that a hat grid's squared error "
        "h^4 = n^(-4/d) predicts, to compare with grid_rate."
    )
    fixed_reference_rate: float = Field(
        description="-2 / d: the slope of fixed_reference, the (1/n)^(2/d) order."
    )


@router.post("/compare", response_model=CompareResponse, summary="Fixed basis vs network in d D")
def compare(req: CompareRequest) -> CompareResponse:
    """Test error against the number of parameters n for a grid of hat functions and for
    trained shallow networks, in d = 1, 2 or 3 dimensions, beside the (1/n)^(2/d) and c/n
    slopes."""
    c = basis_comparison.compare_bases(
        req.n_inputs,
        req.target,
        req.max_parameters,
        req.max_hidden,
        req.activation,
        req.n_train,
        req.n_test,
        req.n_steps,
        np.random.default_rng(req.seed),
    )
    return CompareResponse(
        n_inputs=c.n_inputs,
        grid_parameters=c.grid_parameters.tolist(),
        grid_error=c.grid_error.tolist(),
        network_parameters=c.network_parameters.tolist(),
        hidden_units=c.hidden_units.tolist(),
        network_error=c.network_error.tolist(),
        grid_rate=c.grid_rate,
        network_rate=c.network_rate,
        fixed_reference=c.fixed_reference.tolist(),
        barron_reference=c.barron_reference.tolist(),
        grid_predicted_rate=c.grid_predicted_rate,
        fixed_reference_rate=c.fixed_reference_rate,
    )

"""Training lab: gradient descent, line searches, SGD, momentum and Adam on convex and
non-convex landscapes, with their minima and saddle points.

Conventions: the loss is the MEAN squared error over the samples used (multiply by |B| for the
book's sum); momentum uses the averaging form m <- beta m + (1 - beta) g, phi <- phi - alpha m
(the form m <- beta m + g takes the same steps with alpha (1 - beta)); indices are 0-based.
"""

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter
from pydantic import Field

from core import landscape_critical, landscape_loss, landscape_models, optimizers
from core.activations import ACTIVATION_NAMES
from core.errors import DomainError
from server.schemas import INVALID_REQUEST, Model, Seed

router = APIRouter(
    prefix="/api/v1/training",
    tags=["training"],
    responses=INVALID_REQUEST,
)

MAX_OWN_POINTS = 200  # the caller's own data: at most this many pairs
MAX_INDEX = MAX_OWN_POINTS - 1
Param = Annotated[float, Field(ge=-1000, le=1000)]
Value = Annotated[float, Field(ge=-1e6, le=1e6)]
# Two numbers, as a list of length 2: with tuples (JSON-Schema prefixItems) in these answers the
# schema fuzzing's response check stopped with "Invalid Schema Object" instead of testing.
Pair = Annotated[list[float], Field(min_length=2, max_length=2)]
ParamPair = Annotated[list[Param], Field(min_length=2, max_length=2)]
Index = Annotated[int, Field(ge=0, le=MAX_INDEX)]
LandscapeName = Literal[landscape_models.LANDSCAPE_NAMES]  # type: ignore[valid-type]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[optimizers.OPTIMIZER_NAMES]  # type: ignore[valid-type]
ScheduleName = Literal[optimizers.SCHEDULE_NAMES]  # type: ignore[valid-type]
Status = Literal["converged", "max_steps", "diverged"]

OWN_POINTS_EXAMPLE = {
    "landscape": "linear",
    "x": [0.0, 0.5, 1.0, 1.5, 2.0],
    "y": [0.4, 1.2, 1.7, 2.3, 2.9],
    "resolution": 40,
    "window": [[-1, 2], [-1, 3]],
}


class LandscapeSpec(Model):
    """Which landscape and which data: generated (seeded) or the caller's own points."""

    model_config = {"json_schema_extra": {"examples": [{"landscape": "gabor"}, OWN_POINTS_EXAMPLE]}}

    landscape: LandscapeName = Field(
        "gabor",
        description="Model: 'gabor' (non-convex), 'linear' (convex), 'network' (slice of a "
        "shallow network), 'saddle' (two valleys and a saddle).",
    )
    n_samples: int = Field(40, ge=2, le=100, description="Number of generated pairs N.")
    noise: float = Field(0.2, ge=0, le=2, description="Std sigma of the noise added to y.")
    seed: Seed = 0
    activation: ActivationName = Field(
        "tanh", description="Activation of the network slice (ignored by the other landscapes)."
    )
    resolution: int = Field(80, ge=10, le=150, description="Grid points per axis of the map.")
    x: list[Value] | None = Field(
        None,
        min_length=1,
        max_length=MAX_OWN_POINTS,
        description="Your own inputs x_i (with y; replaces n_samples, noise and seed).",
    )
    y: list[Value] | None = Field(
        None, min_length=1, max_length=MAX_OWN_POINTS, description="Your own targets y_i."
    )
    network_theta: list[ParamPair] | None = Field(
        None,
        min_length=1,
        max_length=8,
        description="Network slice: (theta_k0, theta_k1) of each hidden unit k = 1..D, "
        "rows in unit order (theta_11 is the map's second axis; its value here is ignored).",
    )
    window: list[ParamPair] | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="The map's window: (lo, hi) of the first parameter, then of the second "
        "(default: the model's own window).",
    )
    network_phi: list[Param] | None = Field(
        None,
        min_length=2,
        max_length=9,
        description="Network slice: phi_0, phi_1, ..., phi_D (phi_1 is the map's first axis).",
    )

    def make_landscape(self) -> landscape_models.Landscape:
        """The landscape with its data (seeded, so the same fields give the same data)."""
        theta = None if self.network_theta is None else np.array(self.network_theta)
        window = None if self.window is None else np.array(self.window)
        phi = None if self.network_phi is None else np.array(self.network_phi)
        if (self.x is None) != (self.y is None):
            raise DomainError("give both x and y for your own points, or neither")
        if self.x is not None:
            return landscape_models.landscape_from_points(
                self.landscape,
                np.array(self.x),
                np.array(self.y),
                self.activation,
                theta,
                phi,
                window=window,
            )
        rng = np.random.default_rng(self.seed)
        return landscape_models.make_landscape(
            self.landscape, self.n_samples, self.noise, rng, self.activation, theta, phi, window
        )


class LossGrid(Model):
    phi0: list[float] = Field(description="Grid along the first parameter (columns), shape (G,).")
    phi1: list[float] = Field(description="Grid along the second parameter (rows), shape (G,).")
    loss: list[list[float]] = Field(
        description="Mean squared error L on the grid, loss[row][column] = L(phi0[column], "
        "phi1[row]), shape (G, G); single precision values."
    )


class Minimum(Model):
    phi: Pair = Field(description="Where the minimum is: (first, second parameter).")
    loss: float = Field(description="L at the minimum.")


class Saddle(Model):
    phi: Pair = Field(description="Where the saddle point is: (first, second parameter).")
    loss: float = Field(description="L at the saddle point.")
    eigenvalues: Pair = Field(
        description="Eigenvalues of the Hessian of L there, ascending: one negative (the loss "
        "curves downward along its eigenvector), one positive."
    )


class LandscapeResponse(Model):
    label: str = Field(description="Name of the model.")
    formula: str = Field(description="LaTeX of f[x, phi].")
    param_names: list[str] = Field(
        min_length=2, max_length=2, description="LaTeX names of the two free parameters."
    )
    param_range: list[Pair] = Field(
        min_length=2, max_length=2, description="The window of the map: (lo, hi) per parameter."
    )
    convex: bool = Field(description="True when the loss is convex (one valley).")
    x: list[float] = Field(description="Inputs x_i, shape (N,).")
    y: list[float] = Field(description="Targets y_i, shape (N,).")
    true_phi: Pair = Field(description="Parameters the data came from (or the model's default).")
    surface: LossGrid = Field(description="The loss on the map's grid.")
    minima: list[Minimum] = Field(description="Local minima in the window, global one first.")
    saddles: list[Saddle] = Field(
        description="Saddle points in the window (gradient zero, Hessian eigenvalues of mixed "
        "sign), lowest first."
    )


def _minima(minima: landscape_critical.Minima) -> list[Minimum]:
    return [
        Minimum(phi=p, loss=loss)
        for p, loss in zip(minima.points.tolist(), minima.losses.tolist(), strict=True)
    ]


@router.post("/landscape", response_model=LandscapeResponse, summary="Data and loss map")
def landscape(req: LandscapeSpec) -> LandscapeResponse:
    """The data set, the full loss L[phi] on a grid, its local minima (refined by
    Levenberg-Marquardt, lowest first) and its saddle points (refined by Newton's method,
    classified by the Hessian's eigenvalues)."""
    land = req.make_landscape()
    view = landscape_critical.loss_map(land, req.resolution)
    s = view.saddles
    return LandscapeResponse(
        label=land.label,
        formula=land.formula,
        param_names=list(land.param_names),
        param_range=[list(r) for r in land.param_range],
        convex=land.convex,
        x=land.x.tolist(),
        y=land.y.tolist(),
        true_phi=land.true_phi.tolist(),
        surface=LossGrid(
            phi0=view.phi_0.tolist(), phi1=view.phi_1.tolist(), loss=view.surface.tolist()
        ),
        minima=_minima(view.minima),
        saddles=[
            Saddle(phi=p, loss=loss, eigenvalues=e)
            for p, loss, e in zip(
                s.points.tolist(), s.losses.tolist(), s.eigenvalues.tolist(), strict=True
            )
        ],
    )


class PointRequest(LandscapeSpec):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"landscape": "gabor", "phi0": 1.0, "phi1": 5.0, "batch": [0, 3, 7]},
                {**OWN_POINTS_EXAMPLE, "phi0": 0.0, "phi1": 1.0, "batch": [1, 4]},
            ]
        }
    }

    phi0: Param = Field(description="First parameter of the point.")
    phi1: Param = Field(description="Second parameter of the point.")
    batch: list[Index] | None = Field(
        None,
        min_length=1,
        max_length=MAX_OWN_POINTS,
        description="0-based sample indices of a mini-batch; when given, its loss map and "
        "gradient too.",
    )


class PointResponse(Model):
    curve_x: list[float] = Field(description="Inputs where the model curve is drawn, (C,).")
    curve_f: list[float] = Field(description="f[x, phi] at curve_x, (C,).")
    loss: float = Field(description="Full loss L[phi] (mean over all samples).")
    gradient: Pair = Field(description="Full gradient of L at phi: (dL/dphi0, dL/dphi1).")
    gradient_norm: float = Field(description="Length |grad L| of the full gradient.")
    batch_loss: float | None = Field(description="Mini-batch loss L_B[phi] (null: no batch).")
    batch_gradient: Pair | None = Field(description="Gradient of L_B at phi (null: no batch).")
    batch_surface: list[list[float]] | None = Field(
        description="L_B on the same grid as the landscape's map, [row][column]."
    )
    angle: float | None = Field(
        description="Angle between the full and the mini-batch gradient in degrees; null "
        "without a batch or where either gradient vanishes (norm below 1e-8)."
    )
    gradient_vanishes: bool = Field(
        description="Whether the full gradient vanishes (norm below 1e-8): it has no direction."
    )
    batch_gradient_vanishes: bool | None = Field(
        description="Whether the mini-batch gradient vanishes (norm below 1e-8); null without "
        "a batch."
    )


@router.post("/point", response_model=PointResponse, summary="Model, loss and batch at a point")
def point(req: PointRequest) -> PointResponse:
    """The model's curve over the data at phi, the loss and its gradient; with a mini-batch also
    the loss surface that batch sees, its gradient and the angle between the two gradients."""
    land = req.make_landscape()
    phi_0, phi_1 = landscape_loss.grid_axes(land, req.resolution)
    batch = None if req.batch is None else np.array(req.batch)
    v = landscape_loss.point_view(land, np.array([req.phi0, req.phi1]), batch, phi_0, phi_1)
    return PointResponse(
        curve_x=v.curve_x.tolist(),
        curve_f=v.curve_f.tolist(),
        loss=v.full_loss,
        gradient=v.full_gradient.tolist(),
        gradient_norm=v.full_gradient_norm,
        batch_loss=v.batch_loss,
        batch_gradient=None if v.batch_gradient is None else v.batch_gradient.tolist(),
        batch_surface=None if v.batch_surface is None else v.batch_surface.tolist(),
        angle=v.angle,
        gradient_vanishes=v.full_gradient_vanishes,
        batch_gradient_vanishes=v.batch_gradient_vanishes,
    )


class ScheduleSpec(Model):
    kind: ScheduleName = Field(
        "constant",
        description="alpha_t = alpha_0 s(t), t in steps: constant s = 1; step "
        "s = gamma^floor(t/T); exponential s = gamma^(t/T); inverse_time s = 1/(1 + t/T).",
    )
    gamma: float = Field(0.5, gt=0, le=1, description="Decay factor gamma per period.")
    period: int = Field(100, ge=1, le=10_000, description="Steps per decay period T.")


class OptimizerSpec(Model):
    kind: OptimizerName = Field(
        "gd",
        description="Which optimiser: "
        + ", ".join(f"'{k}' ({v})" for k, v in optimizers.OPTIMIZERS.items()),
    )
    learning_rate: float = Field(
        0.5, gt=0, le=100, description="alpha_0 (line searches: first trial step)."
    )
    batch_size: int | None = Field(
        None, ge=1, le=MAX_OWN_POINTS, description="Mini-batch size |B| (null: full batch)."
    )
    beta: float = Field(
        0.9,
        ge=0,
        lt=1,
        description="Momentum coefficient beta, averaging convention: "
        "m <- beta m + (1 - beta) g, phi <- phi - alpha m (also Adam's first moment).",
    )
    gamma: float = Field(0.99, ge=0, lt=1, description="Adam's second-moment coefficient gamma.")
    epsilon: float = Field(1e-8, gt=0, le=1, description="Adam's epsilon.")
    schedule: ScheduleSpec = Field(default_factory=ScheduleSpec)
    batches: list[Annotated[list[Index], Field(min_length=1, max_length=MAX_OWN_POINTS)]] | None = (
        Field(
            None,
            min_length=1,
            max_length=1000,
            description="Your own order of mini-batches instead of the seeded shuffling: one "
            "list of 0-based sample indices per step, repeated when the run is longer; one pass "
            "is an epoch. Ignored by the full-batch optimisers.",
        )
    )

    def config(self) -> optimizers.OptimizerConfig:
        return optimizers.OptimizerConfig(
            kind=self.kind,
            learning_rate=self.learning_rate,
            batch_size=self.batch_size,
            beta=self.beta,
            gamma=self.gamma,
            epsilon=self.epsilon,
            schedule=optimizers.Schedule(
                self.schedule.kind, self.schedule.gamma, self.schedule.period
            ),
            batches=None if self.batches is None else tuple(tuple(b) for b in self.batches),
        )


class Path(Model):
    phi0: list[float] = Field(description="First parameter after each step, the start first.")
    phi1: list[float] = Field(description="Second parameter after each step, the start first.")


class RunResponse(Model):
    kind: OptimizerName = Field(description="Which optimiser.")
    label: str = Field(description="Name for legends.")
    trajectory: Path = Field(description="phi_0 (the start) to phi_S, S + 1 points.")
    losses: list[float] = Field(description="Full loss at every point of the trajectory, (S+1,).")
    batch_losses: list[float] = Field(
        description="Mini-batch loss where each step took its gradient, (S,)."
    )
    learning_rates: list[float] = Field(description="Step size alpha_t used at each step, (S,).")
    epoch_ends: list[int] = Field(description="Steps taken when each epoch ended.")
    epoch_losses: list[float] = Field(description="Full loss at the end of each epoch.")
    batch_indices: list[list[int]] | None = Field(
        description="0-based samples of each step's mini-batch, (S, |B|) (null for full-batch "
        "runs and runs not shown in detail)."
    )
    status: Status = Field(description="Why it stopped.")
    message: str = Field(description="Why it stopped, in words.")
    steps: int = Field(description="Number of updates made, S.")
    outside: list[int] = Field(
        description="0-based indices of the trajectory points outside the map's window."
    )
    ended_in: int | None = Field(
        None, description="Index of the nearest minimum to the end point (several-starts mode)."
    )
    ended_at: Literal["minimum", "saddle", "maximum", "flat"] | None = Field(
        None,
        description="For a run that converged: the kind of point it stopped at, from the signs "
        "of the Hessian's eigenvalues there (a zero gradient at a saddle is not a minimum); "
        "null otherwise.",
    )
    gradients: list[Pair] | None = Field(
        None, description="g_t used by each step, (S, 2) (with record only)."
    )
    moments: list[Pair] | None = Field(
        None, description="m_{t+1} after each step, (S, 2) (momentum, Nesterov, Adam; record)."
    )
    second_moments: list[Pair] | None = Field(
        None, description="v_{t+1} after each step, (S, 2) (Adam; with record only)."
    )


def _run_response(
    spec: OptimizerSpec,
    run: optimizers.Run,
    land: landscape_models.Landscape,
    with_batches: bool = True,
    ended_in: int | None = None,
) -> RunResponse:
    n = land.x.size
    mini = spec.kind not in optimizers.FULL_BATCH and (
        spec.batches is not None or (spec.batch_size or n) < n
    )
    size = "own order" if spec.batches is not None else f"|B|={spec.batch_size}"
    return RunResponse(
        kind=spec.kind,
        label=optimizers.OPTIMIZERS[spec.kind] + (f" ({size})" if mini else ""),
        trajectory=Path(phi0=run.trajectory[:, 0].tolist(), phi1=run.trajectory[:, 1].tolist()),
        losses=run.losses.tolist(),
        batch_losses=run.batch_losses.tolist(),
        learning_rates=run.learning_rates.tolist(),
        epoch_ends=run.epoch_ends.tolist(),
        epoch_losses=run.epoch_losses.tolist(),
        batch_indices=[b.tolist() for b in run.batch_indices] if mini and with_batches else None,
        status=run.status,
        message=run.message,
        steps=len(run.trajectory) - 1,
        outside=landscape_loss.outside_window(run.trajectory, land.param_range).tolist(),
        ended_in=ended_in,
        ended_at=str(landscape_critical.kind_at(land, run.trajectory[-1])[0])
        if run.status == "converged"
        else None,
        gradients=None if run.gradients is None else run.gradients.tolist(),
        moments=None if run.moments is None else run.moments.tolist(),
        second_moments=None if run.second_moments is None else run.second_moments.tolist(),
    )


class RaceRequest(LandscapeSpec):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "landscape": "gabor",
                    "phi0": 1.0,
                    "phi1": 5.0,
                    "optimizers": [
                        {"kind": "gd", "learning_rate": 3},
                        {"kind": "sgd", "learning_rate": 3, "batch_size": 8},
                    ],
                },
                {
                    **OWN_POINTS_EXAMPLE,
                    "phi0": -1.0,
                    "phi1": -1.0,
                    "max_steps": 5,
                    "record": True,
                    "optimizers": [
                        {"kind": "adam", "learning_rate": 0.1, "batches": [[0, 1], [2, 3, 4]]},
                        {"kind": "exact_line_search", "learning_rate": 0.1},
                    ],
                },
            ]
        }
    }

    phi0: Param = Field(-4.0, description="Start: first parameter.")
    phi1: Param = Field(8.0, description="Start: second parameter.")
    optimizers: list[OptimizerSpec] = Field(
        default_factory=lambda: [OptimizerSpec(kind="gd"), OptimizerSpec(kind="sgd", batch_size=8)],
        min_length=1,
        max_length=7,
        description="The optimisers to race from the same start.",
    )
    max_steps: int = Field(300, ge=1, le=1000, description="Step limit of every run.")
    tolerance: float = Field(
        1e-6, ge=0, le=1, description="Converged when |grad L| and the last step are below it."
    )
    detail: OptimizerName | None = Field(
        "sgd",
        description="The optimiser whose mini-batches are returned (the others' are null).",
    )
    record: bool = Field(
        False, description="Also return each step's gradient and moments (larger answers)."
    )


class RaceResponse(Model):
    runs: list[RunResponse] = Field(description="One run per optimiser, in request order.")


@router.post("/race", response_model=RaceResponse, summary="Several optimisers, one start")
def race(req: RaceRequest) -> RaceResponse:
    """Run each optimiser from (phi0, phi1). Runs with the same batch size see the same
    mini-batches (shuffled with the request's seed, or in your own order), so the race
    compares update rules."""
    land = req.make_landscape()
    runs = optimizers.race(
        land,
        tuple(o.config() for o in req.optimizers),
        np.array([req.phi0, req.phi1]),
        req.max_steps,
        np.random.default_rng(req.seed),
        req.tolerance,
        req.record,
    )
    return RaceResponse(
        runs=[
            _run_response(o, r, land, with_batches=o.kind == req.detail)
            for o, r in zip(req.optimizers, runs, strict=True)
        ]
    )


class StartsRequest(LandscapeSpec):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "landscape": "gabor",
                    "optimizer": {"kind": "gd", "learning_rate": 3},
                    "starts": [[-5, 5], [5, 20], [0, 12]],
                }
            ]
        }
    }

    optimizer: OptimizerSpec = Field(default_factory=OptimizerSpec)
    starts: list[ParamPair] = Field(
        default_factory=lambda: [[-5.0, 5.0], [5.0, 20.0], [0.0, 12.0]],
        min_length=1,
        max_length=26,
        description="Start points (phi0, phi1).",
    )
    max_steps: int = Field(300, ge=1, le=1000, description="Step limit of every run.")
    tolerance: float = Field(1e-6, ge=0, le=1, description="Convergence tolerance.")
    record: bool = Field(
        False, description="Also return each step's gradient and moments (larger answers)."
    )


class StartsResponse(Model):
    runs: list[RunResponse] = Field(description="One run per start, in request order.")
    minima: list[Minimum] = Field(description="Local minima in the window, global one first.")


@router.post("/starts", response_model=StartsResponse, summary="One optimiser, several starts")
def starts(req: StartsRequest) -> StartsResponse:
    """Run one optimiser from every start and say in which valley (nearest minimum) each run
    ended; a run that diverged ended in none. Mini-batches are returned for the first start."""
    land = req.make_landscape()
    phi_0, phi_1 = landscape_loss.grid_axes(land, req.resolution)
    surface = landscape_loss.loss_surface(land, phi_0, phi_1)
    minima = landscape_critical.find_minima(land, phi_0, phi_1, surface)
    runs = optimizers.from_starts(
        land,
        req.optimizer.config(),
        np.array(req.starts),
        req.max_steps,
        np.random.default_rng(req.seed),
        req.tolerance,
        req.record,
    )
    ends = np.array([r.trajectory[-1] for r in runs])
    nearest = (
        optimizers.nearest_minimum(ends, minima.points).tolist()
        if len(minima.points)
        else [None] * len(runs)
    )
    return StartsResponse(
        runs=[
            # Only the first start's mini-batches are sent: the others are drawn as paths.
            _run_response(
                req.optimizer,
                run,
                land,
                with_batches=i == 0,
                ended_in=None if run.status == "diverged" else valley,
            )
            for i, (run, valley) in enumerate(zip(runs, nearest, strict=True))
        ],
        minima=_minima(minima),
    )

"""Training lab: gradient descent, SGD, momentum and Adam on convex and non-convex landscapes."""

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter
from pydantic import Field

from core import landscapes, optimizers
from core.activations import ACTIVATION_NAMES
from server.schemas import ErrorResponse, Model, Seed

router = APIRouter(
    prefix="/api/v1/training",
    tags=["training"],
    responses={422: {"model": ErrorResponse, "description": "Invalid request"}},
)

Param = Annotated[float, Field(ge=-1000, le=1000)]
# Two numbers, as a list of length 2: with tuples (JSON-Schema prefixItems) in these answers the
# schema fuzzing's response check stopped with "Invalid Schema Object" instead of testing.
Pair = Annotated[list[float], Field(min_length=2, max_length=2)]
LandscapeName = Literal["gabor", "linear", "network"]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal["gd", "line_search", "sgd", "momentum", "nesterov", "adam"]
Status = Literal["converged", "max_steps", "diverged"]

LABELS = {
    "gd": "gradient descent",
    "line_search": "GD + line search",
    "sgd": "SGD",
    "momentum": "momentum",
    "nesterov": "Nesterov",
    "adam": "Adam",
}


class LandscapeSpec(Model):
    """Which landscape and which data: the same fields always give the same data."""

    landscape: LandscapeName = Field(
        "gabor", description="Model: 'gabor' (non-convex), 'linear' (convex), 'network' (slice)."
    )
    n_samples: int = Field(40, ge=2, le=100, description="Number of training pairs N.")
    noise: float = Field(0.2, ge=0, le=2, description="Std sigma of the noise added to y.")
    seed: Seed = 0
    activation: ActivationName = Field(
        "tanh", description="Activation of the network slice (ignored by the other landscapes)."
    )
    resolution: int = Field(80, ge=10, le=150, description="Grid points per axis of the map.")

    def make_landscape(self) -> landscapes.Landscape:
        """The landscape with its data (seeded, so the same fields give the same data)."""
        rng = np.random.default_rng(self.seed)
        return landscapes.make_landscape(
            self.landscape, self.n_samples, self.noise, rng, self.activation
        )

    def landscape_and_axes(self) -> tuple[landscapes.Landscape, np.ndarray, np.ndarray]:
        """The landscape and the axes of its map."""
        land = self.make_landscape()
        phi_0, phi_1 = landscapes.grid_axes(land, self.resolution)
        return land, phi_0, phi_1


class Surface(Model):
    phi0: list[float] = Field(description="Grid along the first parameter (columns).")
    phi1: list[float] = Field(description="Grid along the second parameter (rows).")
    loss: list[list[float]] = Field(description="L on the grid, loss[row][column].")


class Minimum(Model):
    phi: Pair = Field(description="Where the minimum is: (first, second parameter).")
    loss: float = Field(description="L at the minimum.")


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
    x: list[float] = Field(description="Inputs x_i.")
    y: list[float] = Field(description="Targets y_i.")
    true_phi: Pair = Field(description="Parameters the data came from.")
    surface: Surface
    minima: list[Minimum] = Field(description="Local minima in the window, global one first.")


@router.post("/landscape", response_model=LandscapeResponse, summary="Data and loss map")
def landscape(req: LandscapeSpec) -> LandscapeResponse:
    """The data set, the full loss L[phi] on a grid, and its local minima (refined by
    Levenberg-Marquardt, lowest first)."""
    land = req.make_landscape()
    view = landscapes.loss_map(land, req.resolution)
    minima = view.minima
    return LandscapeResponse(
        label=land.label,
        formula=land.formula,
        param_names=list(land.param_names),
        param_range=[list(r) for r in land.param_range],
        convex=land.convex,
        x=land.x.tolist(),
        y=land.y.tolist(),
        true_phi=land.true_phi.tolist(),
        surface=Surface(
            phi0=view.phi_0.tolist(), phi1=view.phi_1.tolist(), loss=view.surface.tolist()
        ),
        minima=[
            Minimum(phi=p, loss=loss)
            for p, loss in zip(minima.points.tolist(), minima.losses.tolist(), strict=True)
        ],
    )


class PointRequest(LandscapeSpec):
    phi0: Param = Field(description="First parameter of the point.")
    phi1: Param = Field(description="Second parameter of the point.")
    batch: list[Annotated[int, Field(ge=0, le=99)]] | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Sample indices of a mini-batch; when given, its loss map and gradient too.",
    )


class PointResponse(Model):
    curve_x: list[float] = Field(description="Inputs where the model curve is drawn.")
    curve_f: list[float] = Field(description="f[x, phi] at curve_x.")
    loss: float = Field(description="Full loss L[phi].")
    gradient: Pair = Field(description="Full gradient of L at phi.")
    batch_loss: float | None = Field(description="Mini-batch loss L_B[phi] (null: no batch).")
    batch_gradient: Pair | None = Field(description="Gradient of L_B at phi (null: no batch).")
    batch_surface: list[list[float]] | None = Field(
        description="L_B on the same grid as the landscape's map, [row][column]."
    )


@router.post("/point", response_model=PointResponse, summary="Model, loss and batch at a point")
def point(req: PointRequest) -> PointResponse:
    """The model's curve over the data at phi, the loss and its gradient; with a mini-batch also
    the loss surface that batch sees and its gradient, next to the full ones."""
    land, phi_0, phi_1 = req.landscape_and_axes()
    batch = None if req.batch is None else np.array(req.batch)
    v = landscapes.point_view(land, np.array([req.phi0, req.phi1]), batch, phi_0, phi_1)
    return PointResponse(
        curve_x=v.curve_x.tolist(),
        curve_f=v.curve_f.tolist(),
        loss=v.full_loss,
        gradient=v.full_gradient.tolist(),
        batch_loss=v.batch_loss,
        batch_gradient=None if v.batch_gradient is None else v.batch_gradient.tolist(),
        batch_surface=None if v.batch_surface is None else v.batch_surface.tolist(),
    )


class ScheduleSpec(Model):
    kind: Literal["constant", "step", "exponential", "inverse_time"] = Field(
        "constant", description="alpha_t = alpha_0 s(t); see the page for the formulas."
    )
    gamma: float = Field(0.5, gt=0, le=1, description="Decay factor per period.")
    period: int = Field(100, ge=1, le=10_000, description="Steps per decay period.")


class OptimizerSpec(Model):
    kind: OptimizerName = Field("gd", description="Which optimiser.")
    learning_rate: float = Field(
        0.5, gt=0, le=100, description="alpha_0 (line search: first trial step)."
    )
    batch_size: int | None = Field(
        None, ge=1, le=100, description="Mini-batch size |B| (null: full batch)."
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
        )


class Path(Model):
    phi0: list[float] = Field(description="First parameter after each step, the start first.")
    phi1: list[float] = Field(description="Second parameter after each step, the start first.")


class RunResponse(Model):
    kind: OptimizerName = Field(description="Which optimiser.")
    label: str = Field(description="Name for legends.")
    trajectory: Path
    losses: list[float] = Field(description="Full loss at every point of the trajectory.")
    batch_losses: list[float] = Field(description="Mini-batch loss seen at each step.")
    learning_rates: list[float] = Field(description="Step size alpha_t used at each step.")
    epoch_ends: list[int] = Field(description="Steps taken when each epoch ended.")
    epoch_losses: list[float] = Field(description="Full loss at the end of each epoch.")
    batch_indices: list[list[int]] | None = Field(
        description="Samples of each step's mini-batch (null for full-batch runs)."
    )
    status: Status = Field(description="Why it stopped.")
    message: str = Field(description="Why it stopped, in words.")
    steps: int = Field(description="Number of updates made.")
    ended_in: int | None = Field(
        None, description="Index of the nearest minimum to the end point (several-starts mode)."
    )


def _run_response(
    spec: OptimizerSpec,
    run: optimizers.Run,
    n: int,
    with_batches: bool = True,
    ended_in: int | None = None,
) -> RunResponse:
    mini = spec.kind not in ("gd", "line_search") and (spec.batch_size or n) < n
    return RunResponse(
        kind=spec.kind,
        label=LABELS[spec.kind] + (f" (|B|={spec.batch_size})" if mini else ""),
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
        ended_in=ended_in,
    )


class RaceRequest(LandscapeSpec):
    phi0: Param = Field(-4.0, description="Start: first parameter.")
    phi1: Param = Field(8.0, description="Start: second parameter.")
    optimizers: list[OptimizerSpec] = Field(
        default_factory=lambda: [OptimizerSpec(kind="gd"), OptimizerSpec(kind="sgd", batch_size=8)],
        min_length=1,
        max_length=6,
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


class RaceResponse(Model):
    runs: list[RunResponse] = Field(description="One run per optimiser, in request order.")


@router.post("/race", response_model=RaceResponse, summary="Several optimisers, one start")
def race(req: RaceRequest) -> RaceResponse:
    """Run each optimiser from (phi0, phi1). Runs with the same batch size see the same
    mini-batches (shuffled with the request's seed), so the race compares update rules."""
    land = req.make_landscape()
    runs = optimizers.race(
        land,
        tuple(o.config() for o in req.optimizers),
        np.array([req.phi0, req.phi1]),
        req.max_steps,
        np.random.default_rng(req.seed),
        req.tolerance,
    )
    n = land.x.size
    return RaceResponse(
        runs=[
            _run_response(o, r, n, with_batches=o.kind == req.detail)
            for o, r in zip(req.optimizers, runs, strict=True)
        ]
    )


class StartsRequest(LandscapeSpec):
    optimizer: OptimizerSpec = Field(default_factory=OptimizerSpec)
    starts: list[tuple[Param, Param]] = Field(
        default_factory=lambda: [(-5.0, 5.0), (5.0, 20.0), (0.0, 12.0)],
        min_length=1,
        max_length=26,
        description="Start points (phi0, phi1).",
    )
    max_steps: int = Field(300, ge=1, le=1000, description="Step limit of every run.")
    tolerance: float = Field(1e-6, ge=0, le=1, description="Convergence tolerance.")


class StartsResponse(Model):
    runs: list[RunResponse] = Field(description="One run per start, in request order.")
    minima: list[Minimum] = Field(description="Local minima in the window, global one first.")


@router.post("/starts", response_model=StartsResponse, summary="One optimiser, several starts")
def starts(req: StartsRequest) -> StartsResponse:
    """Run one optimiser from every start and say in which valley (nearest minimum) each run
    ended; a run that diverged ended in none. Mini-batches are returned for the first start."""
    land = req.make_landscape()
    minima = landscapes.loss_map(land, req.resolution).minima
    runs = optimizers.from_starts(
        land,
        req.optimizer.config(),
        np.array(req.starts),
        req.max_steps,
        np.random.default_rng(req.seed),
        req.tolerance,
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
                land.x.size,
                with_batches=i == 0,
                ended_in=None if run.status == "diverged" else valley,
            )
            for i, (run, valley) in enumerate(zip(runs, nearest, strict=True))
        ],
        minima=[
            Minimum(phi=p, loss=loss)
            for p, loss in zip(minima.points.tolist(), minima.losses.tolist(), strict=True)
        ],
    )

"""Linear regression lab: y = phi_0 + phi_1 x, its MSE loss surface, descent and exact fit."""

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter
from pydantic import ConfigDict, Field, model_validator

from core import linear
from server.schemas import ErrorResponse, Model, Seed

router = APIRouter(
    prefix="/api/v1/linear",
    tags=["linear regression"],
    responses={422: {"model": ErrorResponse, "description": "Invalid request"}},
)

Coord = Annotated[float, Field(ge=-1e6, le=1e6)]
Param = Annotated[float, Field(ge=-1000, le=1000)]


class LinearViewRequest(Model):
    """The lab's state: data, current parameters, view of the loss surface, descent settings."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "points": [[0, 0.4], [1, 1.6], [2, 3.1], [3, 3.9]],
                    "phi0": 0.0,
                    "phi1": 0.5,
                    "learning_rate": 0.05,
                    "max_steps": 100,
                }
            ]
        }
    )

    seed: Seed = 0
    n_points: int = Field(20, ge=2, le=500, description="Number of generated points N.")
    slope: float = Field(1.2, ge=-10, le=10, description="True slope of the generated data.")
    intercept: float = Field(
        0.5, ge=-10, le=10, description="True intercept of the generated data."
    )
    noise: float = Field(0.3, ge=0, le=5, description="Std of the Gaussian noise added to y.")
    points: list[tuple[Coord, Coord]] | None = Field(
        None,
        min_length=2,
        max_length=500,
        description="Your own (x, y) pairs; when given they replace the generated data.",
    )
    phi0: Param = Field(-0.5, description="Current intercept phi_0.")
    phi1: Param = Field(-1.0, description="Current slope phi_1.")
    phi0_min: Param = Field(-3, description="Left edge of the loss-surface view (phi_0).")
    phi0_max: Param = Field(3, description="Right edge of the loss-surface view (phi_0).")
    phi1_min: Param = Field(-3, description="Bottom edge of the loss-surface view (phi_1).")
    phi1_max: Param = Field(3, description="Top edge of the loss-surface view (phi_1).")
    grid_size: int = Field(80, ge=10, le=200, description="Loss-surface samples per axis.")
    descent: bool = Field(True, description="Run gradient descent from (phi0, phi1).")
    surface: bool = Field(
        True,
        description="Include the loss surface. It depends only on the data and the view, so a "
        "page moving phi asks for it once and then sends false.",
    )
    learning_rate: float = Field(0.1, gt=0, le=10, description="Learning rate lambda.")
    tolerance: float = Field(
        1e-6, ge=0, le=1, description="Stop when |L_new - L_old| < tolerance (epsilon)."
    )
    max_steps: int = Field(200, ge=0, le=5000, description="Maximum number of descent steps.")

    @model_validator(mode="after")
    def _ranges(self):
        if self.phi0_min >= self.phi0_max or self.phi1_min >= self.phi1_max:
            raise ValueError("each view range needs min < max")
        return self


class Curve(Model):
    phi0: list[float] = Field(description="phi_0 coordinates.")
    phi1: list[float] = Field(description="phi_1 coordinates.")


class Surface(Model):
    phi0: list[float] = Field(description="Grid along phi_0 (columns).")
    phi1: list[float] = Field(description="Grid along phi_1 (rows).")
    loss: list[list[float]] = Field(description="L[phi] on the grid, loss[row][column].")


class Exact(Model):
    phi: tuple[float, float] = Field(description="Least-squares solution (X^T X)^-1 X^T y.")
    loss: float = Field(description="MSE at the exact solution (the smallest possible).")


class Descent(Model):
    trajectory: Curve = Field(description="Parameters after each step, the start first.")
    losses: list[float] = Field(description="L after each step, the start first.")
    status: Literal["converged", "max_steps", "diverged"] = Field(description="Why it stopped.")
    steps: int = Field(description="Number of updates made.")
    message: str = Field(description="Why it stopped, in words.")


class Lines(Model):
    x: tuple[float, float] = Field(
        description="Ends of the drawn lines: the data's x range padded by 5% of its width."
    )
    current: tuple[float, float] = Field(description="phi_0 + phi_1 x at the two ends.")
    exact: tuple[float, float] = Field(description="The exact least-squares line at the ends.")
    descent: tuple[float, float] | None = Field(
        description="The line where descent stopped, at the ends; null without descent."
    )


class LinearViewResponse(Model):
    x: list[float] = Field(description="Inputs x_i.")
    y: list[float] = Field(description="Targets y_i.")
    predictions: list[float] = Field(description="phi_0 + phi_1 x_i for the current phi.")
    phi: tuple[float, float] = Field(description="Current (phi_0, phi_1).")
    loss: float = Field(description="MSE L[phi] = 1/N sum (phi_0 + phi_1 x_i - y_i)^2.")
    gradient: tuple[float, float] = Field(description="(dL/dphi_0, dL/dphi_1) at phi.")
    gradient_vanishes: bool = Field(
        description="True when the gradient is zero up to rounding (at the minimum): it has no "
        "direction, and no angle with the level line."
    )
    gradient_norm: float = Field(
        description="|grad L| = sqrt((dL/dphi_0)^2 + (dL/dphi_1)^2) at phi, in loss units per "
        "unit of phi."
    )
    gradient_level_angle: float | None = Field(
        description="Angle in degrees, in [0, 90], between grad L and the level line's tangent "
        "at phi (90 for this quadratic loss); null when the gradient vanishes."
    )
    level_line: Curve = Field(description="The level line of L through phi (an ellipse).")
    surface: Surface | None = Field(description="The loss surface, unless surface=false.")
    exact: Exact
    descent: Descent | None = Field(description="The descent run, when asked for.")
    lines: Lines = Field(description="The current, exact and descent lines over the data.")


def _message(run: linear.DescentResult, settings: linear.DescentSettings) -> str:
    if run.status == "converged":
        return f"converged after {run.steps} steps: |L_new - L_old| < {settings.tolerance:g}"
    if run.status == "diverged":
        return (
            f"diverged after {run.steps} steps: the loss blew up; learning rate "
            f"{settings.learning_rate:g} is too large for this loss surface"
        )
    return f"stopped at the step limit ({run.steps} steps) before converging"


@router.post("/view", response_model=LinearViewResponse, summary="Everything the lab draws")
def view(req: LinearViewRequest) -> LinearViewResponse:
    """Data, the current line and residuals, the loss surface with the level line and gradient
    at the current point, the exact least-squares fit, and a gradient-descent run."""
    if req.points is not None:
        pts = np.array(req.points, dtype=float)  # (N, 2)
        data = linear.LinearData(x=pts[:, 0], y=pts[:, 1])
    else:
        rng = np.random.default_rng(req.seed)
        data = linear.make_data(req.n_points, req.slope, req.intercept, req.noise, rng)
    settings = linear.DescentSettings(req.learning_rate, req.tolerance, req.max_steps)
    v = linear.explore(
        data,
        np.array([req.phi0, req.phi1]),
        (req.phi0_min, req.phi0_max),
        (req.phi1_min, req.phi1_max),
        req.grid_size if req.surface else 2,
        settings if req.descent else None,
    )
    run = v.descent
    return LinearViewResponse(
        x=v.data.x.tolist(),
        y=v.data.y.tolist(),
        predictions=v.predictions.tolist(),
        phi=tuple(v.phi),
        loss=v.loss,
        gradient=tuple(v.gradient),
        gradient_vanishes=v.gradient_vanishes,
        gradient_norm=v.gradient_norm,
        gradient_level_angle=v.gradient_level_angle,
        level_line=Curve(phi0=v.level_line[:, 0].tolist(), phi1=v.level_line[:, 1].tolist()),
        surface=Surface(
            phi0=v.phi0_grid.tolist(), phi1=v.phi1_grid.tolist(), loss=v.surface.tolist()
        )
        if req.surface
        else None,
        exact=Exact(phi=tuple(v.exact), loss=v.exact_loss),
        descent=None
        if run is None
        else Descent(
            trajectory=Curve(
                phi0=run.trajectory[:, 0].tolist(), phi1=run.trajectory[:, 1].tolist()
            ),
            losses=run.losses.tolist(),
            status=run.status,
            steps=run.steps,
            message=_message(run, settings),
        ),
        lines=Lines(
            x=tuple(v.line_x),
            current=tuple(v.line_current),
            exact=tuple(v.line_exact),
            descent=None if v.line_descent is None else tuple(v.line_descent),
        ),
    )


class ComplexityRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"n_values": [200, 400], "d_values": [20, 20], "repeats": 1}]
        }
    )

    seed: Seed = 0
    n_values: list[Annotated[int, Field(ge=1, le=20_000)]] = Field(
        [500, 1000, 2000, 4000, 8000, 600, 600, 600, 600, 600],
        min_length=1,
        max_length=16,
        description="Numbers of samples N, one per measurement.",
    )
    d_values: list[Annotated[int, Field(ge=1, le=1000)]] = Field(
        [40, 40, 40, 40, 40, 50, 100, 200, 300, 400],
        min_length=1,
        max_length=16,
        description="Numbers of features D, paired with n_values.",
    )
    repeats: int = Field(3, ge=1, le=7, description="Runs per size; the median is kept.")

    @model_validator(mode="after")
    def _paired(self):
        if len(self.n_values) != len(self.d_values):
            raise ValueError("n_values and d_values must have the same length")
        return self


class ComplexityResponse(Model):
    n_values: list[int] = Field(description="N of each measurement.")
    d_values: list[int] = Field(description="D of each measurement.")
    gram_seconds: list[float] = Field(description="Median time to form X^T X and X^T y.")
    solve_seconds: list[float] = Field(description="Median time to solve the D x D system.")
    model_seconds: list[float] = Field(description="Fitted model a N D^2 + b D^3.")
    gram_model_seconds: list[float] = Field(
        description="The model's first term a N D^2 (seconds), one per measurement: the fit of "
        "gram_seconds."
    )
    solve_model_seconds: list[float] = Field(
        description="The model's second term b D^3 (seconds), one per measurement: the fit of "
        "solve_seconds."
    )
    coef_nd2: float = Field(description="a: seconds per N D^2 multiply-add.")
    coef_d3: float = Field(description="b: seconds per D^3.")


@router.post("/complexity", response_model=ComplexityResponse, summary="Time the normal equations")
def complexity(req: ComplexityRequest) -> ComplexityResponse:
    """Measure the O(N D^2) and O(D^3) parts of the exact solution and fit the cost model."""
    t = linear.time_normal_equations(
        np.array(req.n_values), np.array(req.d_values), np.random.default_rng(req.seed), req.repeats
    )
    return ComplexityResponse(
        n_values=t.n_values.tolist(),
        d_values=t.d_values.tolist(),
        gram_seconds=t.gram_seconds.tolist(),
        solve_seconds=t.solve_seconds.tolist(),
        model_seconds=t.model_seconds.tolist(),
        gram_model_seconds=t.gram_model_seconds.tolist(),
        solve_model_seconds=t.solve_model_seconds.tolist(),
        coef_nd2=t.coef_nd2,
        coef_d3=t.coef_d3,
    )

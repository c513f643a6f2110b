"""Polar coordinates lab: ring data, logistic regression on (x1, x2) and on (r, theta)."""

from typing import Literal

import numpy as np
from fastapi import APIRouter
from pydantic import ConfigDict, Field

from core import polar
from server.schemas import INVALID_REQUEST, Model, Seed

router = APIRouter(
    prefix="/api/v1/polar",
    tags=["polar coordinates"],
    responses=INVALID_REQUEST,
)


class PolarRequest(Model):
    """The lab's state: the rings and the classifier settings."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"seed": 0, "noise": 0.6, "l2": 1e-6, "grid_size": 30}]}
    )

    seed: Seed = 0
    n_per_class: int = Field(100, ge=1, le=1000, description="Points on each ring.")
    inner_radius: float = Field(1.0, ge=0, le=10, description="Radius of class 0.")
    outer_radius: float = Field(2.0, ge=0, le=10, description="Radius of class 1 (> inner).")
    noise: float = Field(0.15, ge=0, le=2, description="Std of the radial noise.")
    l2: float = Field(
        1e-3, ge=1e-6, le=10, description="L2 penalty on the slopes (standardised features)."
    )
    grid_size: int = Field(60, ge=10, le=100, description="Cells per side of each map.")


class Curve(Model):
    x: list[float] = Field(
        description="First coordinate of each point: x1, or r in the (r, theta) plane."
    )
    y: list[float] = Field(description="Second coordinate of each point: x2, or theta (radians).")


class Classifier(Model):
    space: Literal["cartesian", "polar"] = Field(description="Features the classifier sees.")
    weights: tuple[float, float, float] = Field(
        description="(w_0, w_1, w_2) on the raw features: (x1, x2) or (r, theta)."
    )
    accuracy: float = Field(description="Fraction of training points classified correctly.")
    loss: float = Field(description="Final penalised cross-entropy (standardised features).")
    iterations: int = Field(description="Newton iterations used.")
    status: Literal["converged", "max_iterations", "diverged"] = Field(
        description="Why it stopped."
    )
    prob_xy: list[list[float]] = Field(
        description="p(class 1) on the (x1, x2) grid: prob_xy[i][j] at (x1[j], x2[i])."
    )
    prob_polar: list[list[float]] = Field(
        description="p(class 1) on the (r, theta) grid: prob_polar[i][j] at (r[j], theta[i])."
    )
    boundary_xy: list[Curve] = Field(
        description="Where p = 1/2, traced in the (x1, x2) map's view: pieces of polyline "
        "(a straight line for the (x1, x2) classifier, a spiral arc for the (r, theta) one). "
        "Empty when the boundary misses the view or both slopes are 0."
    )
    boundary_polar: list[Curve] = Field(
        description="Where p = 1/2, traced in the (r, theta) map's view: pieces of polyline, "
        "cut where the curve leaves the view or theta wraps from pi to -pi."
    )


class Boundary(Model):
    a: float = Field(description="Radius of the (r, theta) boundary at theta = 0: -w_0 / w_1.")
    b: float = Field(description="Its change of radius per radian: -w_2 / w_1 (0: a circle).")
    seam_gap: float = Field(
        description="2 pi |b|: jump of r where the spiral arc's ends meet at theta = +-pi."
    )


class PolarResponse(Model):
    x1: list[float] = Field(description="First coordinate of each point.")
    x2: list[float] = Field(description="Second coordinate of each point.")
    r: list[float] = Field(description="Radius sqrt(x1^2 + x2^2) of each point.")
    theta: list[float] = Field(description="Angle atan2(x2, x1) of each point, in (-pi, pi].")
    labels: list[int] = Field(description="Class of each point (0 inner, 1 outer).")
    x1_grid: list[float] = Field(description="Columns of the (x1, x2) maps.")
    x2_grid: list[float] = Field(description="Rows of the (x1, x2) maps.")
    r_grid: list[float] = Field(description="Columns of the (r, theta) maps.")
    theta_grid: list[float] = Field(description="Rows of the (r, theta) maps.")
    cartesian: Classifier
    polar: Classifier
    boundary: Boundary | None = Field(
        description="The (r, theta) classifier's boundary as r = a + b theta (an Archimedean "
        "spiral arc in the plane); null when w_1 = 0."
    )
    overlap_in_r: bool = Field(
        description="True when the rings' radii interlock, so no circle separates them and the "
        "unpenalised weights are finite; false when they are separable in r."
    )


@router.post("/fit", response_model=PolarResponse, summary="Rings, both classifiers, both maps")
def fit(req: PolarRequest) -> PolarResponse:
    """Sample the rings and fit logistic regression on (x1, x2) and on (r, theta); give each
    classifier's probability map in both planes."""
    config = polar.PolarConfig(
        n_per_class=req.n_per_class,
        inner_radius=req.inner_radius,
        outer_radius=req.outer_radius,
        noise=req.noise,
        l2=req.l2,
        grid_size=req.grid_size,
    )
    r = polar.run_polar(config, np.random.default_rng(req.seed))

    def classifier(space: str) -> Classifier:
        f = r.fits[space]
        return Classifier(
            space=space,
            weights=tuple(f.raw_weights().tolist()),
            accuracy=r.accuracies[space],
            loss=f.loss,
            iterations=f.n_iterations,
            status=f.status,
            prob_xy=r.prob_xy[space].tolist(),
            prob_polar=r.prob_polar[space].tolist(),
            boundary_xy=[Curve(x=c[:, 0].tolist(), y=c[:, 1].tolist()) for c in r.curves[space].xy],
            boundary_polar=[
                Curve(x=c[:, 0].tolist(), y=c[:, 1].tolist()) for c in r.curves[space].polar
            ],
        )

    return PolarResponse(
        x1=r.x[:, 0].tolist(),
        x2=r.x[:, 1].tolist(),
        r=r.polar[:, 0].tolist(),
        theta=r.polar[:, 1].tolist(),
        labels=r.labels.tolist(),
        x1_grid=r.x1_grid.tolist(),
        x2_grid=r.x2_grid.tolist(),
        r_grid=r.r_grid.tolist(),
        theta_grid=r.theta_grid.tolist(),
        cartesian=classifier("cartesian"),
        polar=classifier("polar"),
        boundary=None if r.boundary is None else Boundary(**vars(r.boundary)),
        overlap_in_r=r.overlap_in_r,
    )

"""Curse-of-dimensionality lab: empty grid cells, coefficient counts, distances, a manifold."""

from typing import Annotated

import numpy as np
from fastapi import APIRouter
from pydantic import ConfigDict, Field, model_validator

from core import curse
from server.schemas import INVALID_REQUEST, Model, Seed, check_budget

router = APIRouter(
    prefix="/api/v1/dimensionality",
    tags=["curse of dimensionality"],
    responses=INVALID_REQUEST,
)

# Random coordinates drawn by one grid-cell sweep: (train + test) x sum of D = 1..max.
GRID_BUDGET = 4_000_000
# Pairwise distances computed by one distance panel: pairs x sum of the dimensions.
DISTANCE_BUDGET = 200_000_000


def _finite_or_none(values: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in values]


# ----------------------------------------------------------------------------- grid cells
class GridCellsRequest(Model):
    """Settings of the grid-cell experiment, one fresh data set per dimension."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"seed": 0, "max_inputs": 10, "cells_per_side": 4, "n_train": 1000}]
        }
    )

    seed: Seed = 0
    max_inputs: int = Field(10, ge=1, le=20, description="Dimensions D = 1..max_inputs.")
    cells_per_side: int = Field(
        4, ge=2, le=10, description="k: blocks per side; the cube holds k^D blocks."
    )
    n_train: int = Field(1000, ge=1, le=5000, description="Training points per dimension.")
    n_test: int = Field(1000, ge=1, le=5000, description="Test points per dimension.")

    @model_validator(mode="after")
    def _budget(self):
        check_budget(
            (self.n_train + self.n_test) * self.max_inputs * (self.max_inputs + 1) // 2,
            GRID_BUDGET,
            "too many random numbers",
            "points x sum of D",
            "use fewer points or a smaller largest dimension",
        )
        return self


class GridCellsResponse(Model):
    n_inputs: list[int] = Field(description="D = 1..max_inputs.")
    total_cells: list[float] = Field(description="k^D blocks, one per D (a float: it is huge).")
    occupied_cells: list[int] = Field(description="Blocks holding a training point, per D.")
    empty_fraction: list[float] = Field(
        description="Fraction of test points whose block holds no training point, per D."
    )
    expected_empty: list[float] = Field(
        description="(1 - k^-D)^N: the chance that a uniform test point's block is empty."
    )
    accuracy_covered: list[float | None] = Field(
        description="Accuracy on test points whose block holds training points; null when "
        "no test point does."
    )
    accuracy: list[float] = Field(
        description="Accuracy on all test points, an empty block counting as a coin flip (1/2)."
    )


@router.post("/grid-cells", response_model=GridCellsResponse, summary="Grid cells go empty")
def grid_cells(req: GridCellsRequest) -> GridCellsResponse:
    """A majority-vote classifier on k^D blocks of [0, 1]^D, trained and tested for every D.
    The class of a point is 1[x_1 + x_2 > 1]."""
    s = curse.grid_cell_sweep(
        req.max_inputs, req.cells_per_side, req.n_train, req.n_test, np.random.default_rng(req.seed)
    )
    return GridCellsResponse(
        n_inputs=s.n_inputs.tolist(),
        total_cells=s.total_cells.tolist(),
        occupied_cells=s.occupied_cells.tolist(),
        empty_fraction=s.empty_fraction.tolist(),
        expected_empty=s.expected_empty.tolist(),
        accuracy_covered=_finite_or_none(s.accuracy_covered),
        accuracy=s.accuracy.tolist(),
    )


Coordinate = Annotated[float, Field(ge=0, le=1)]


class ClassifyRequest(Model):
    """Your own training points, labels and query points in [0, 1]^D."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "x_train": [[0.1, 0.2], [0.8, 0.9], [0.7, 0.6]],
                    "y_train": [0, 1, 1],
                    "x_test": [[0.15, 0.1], [0.9, 0.8], [0.1, 0.9]],
                    "cells_per_side": 2,
                }
            ]
        }
    )

    x_train: list[list[Coordinate]] = Field(
        min_length=1, max_length=5000, description="Training points, one row of D numbers each."
    )
    y_train: list[Annotated[int, Field(ge=0, le=1)]] = Field(
        min_length=1, max_length=5000, description="Class 0 or 1 of each training point."
    )
    x_test: list[list[Coordinate]] = Field(
        min_length=1, max_length=5000, description="Points to classify, D numbers each."
    )
    cells_per_side: int = Field(4, ge=1, le=100, description="k: blocks per side.")

    @model_validator(mode="after")
    def _shapes(self):
        widths = {len(row) for row in self.x_train + self.x_test}
        if len(widths) != 1 or 0 in widths or max(widths) > 50:
            raise ValueError("every point must have the same number D of coordinates, 1 to 50")
        if len(self.y_train) != len(self.x_train):
            raise ValueError("give one label per training point")
        return self


class ClassifyResponse(Model):
    labels: list[int] = Field(
        description="Majority class of each query point's block (ties: 0); -1 for an empty block."
    )
    occupied_cells: int = Field(description="Blocks holding at least one training point.")


@router.post("/grid-cells/classify", response_model=ClassifyResponse, summary="Classify by cells")
def classify(req: ClassifyRequest) -> ClassifyResponse:
    """The grid-cell classifier on your own points."""
    p = curse.grid_cell_classify(
        np.array(req.x_train), np.array(req.y_train), np.array(req.x_test), req.cells_per_side
    )
    return ClassifyResponse(labels=p.labels.tolist(), occupied_cells=p.occupied_cells)


# ----------------------------------------------------------------------------- coefficients
class CoefficientsRequest(Model):
    model_config = ConfigDict(json_schema_extra={"examples": [{"max_inputs": 20, "degree": 3}]})

    max_inputs: int = Field(
        20, ge=1, le=curse.MAX_GROWING_DIMENSION, description="Dimensions D = 1..max_inputs."
    )
    degree: int = Field(3, ge=0, le=10, description="The fixed degree M to compare with.")


class CoefficientsResponse(Model):
    n_inputs: list[int] = Field(description="D = 1..max_inputs.")
    fixed: list[int] = Field(description="C(M + D, D): coefficients for the fixed degree M.")
    growing: list[int] = Field(description="C(2D, D): coefficients when the degree is M = D.")
    growing_approximation: list[float] = Field(
        description="4^D / sqrt(pi D), the leading term of C(2D, D)."
    )


@router.post("/coefficients", response_model=CoefficientsResponse, summary="Degree growing with D")
def coefficients(req: CoefficientsRequest) -> CoefficientsResponse:
    """Coefficients of a full polynomial in D inputs, for a fixed degree and for degree D."""
    c = curse.growing_degree_counts(req.max_inputs, req.degree)
    return CoefficientsResponse(
        n_inputs=c.n_inputs.tolist(),
        fixed=c.fixed.tolist(),
        growing=c.growing.tolist(),
        growing_approximation=c.growing_approximation.tolist(),
    )


# ----------------------------------------------------------------------------- distances
class DistancesRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"seed": 0, "dims": [1, 2, 10, 100, 1000]}]}
    )

    seed: Seed = 0
    dims: list[Annotated[int, Field(ge=1, le=5000)]] = Field(
        [1, 2, 10, 100, 1000], min_length=1, max_length=8, description="Dimensions D to show."
    )
    n_points: int = Field(300, ge=2, le=600, description="Uniform points drawn in [0, 1]^D.")
    n_bins: int = Field(40, ge=5, le=200, description="Histogram bins over [0, 2].")

    @model_validator(mode="after")
    def _budget(self):
        check_budget(
            self.n_points * self.n_points * sum(self.dims),
            DISTANCE_BUDGET,
            "too much work",
            "points^2 x sum of D",
            "use fewer points or smaller dimensions",
        )
        return self


class DistancesResponse(Model):
    dims: list[int] = Field(description="Dimensions D.")
    mean: list[float] = Field(description="Mean distance between two of the points, per D.")
    std: list[float] = Field(description="Standard deviation of the distances, per D.")
    minimum: list[float] = Field(description="Nearest pair's distance, per D.")
    maximum: list[float] = Field(description="Farthest pair's distance, per D.")
    relative_contrast: list[float] = Field(
        description="(maximum - minimum) / minimum per D: it falls towards 0 as D grows."
    )
    rms: list[float] = Field(
        description="Root mean square distance sqrt(mean of distance^2) of the points, per D."
    )
    predicted_mean_squared: list[float] = Field(
        description="D / 6: the mean squared distance of two uniform points in [0, 1]^D."
    )
    predicted_rms: list[float] = Field(
        description="sqrt(D / 6): the root mean square distance of two uniform points in "
        "[0, 1]^D, per D (in the units of the cube's side). The mean distance is smaller "
        "(1/3 against 0.408 for D = 1); the two agree as D grows."
    )
    predicted_relative_std: list[float] = Field(
        description="sqrt(7 D / 180) / (D / 6): spread of the squared distance over its mean."
    )
    bin_edges: list[float] = Field(description="Histogram edges for distance / mean distance.")
    histogram: list[list[float]] = Field(
        description="Density of distance / mean distance: histogram[k][b] for dims[k], bin b."
    )


@router.post("/distances", response_model=DistancesResponse, summary="Distances concentrate")
def distances(req: DistancesRequest) -> DistancesResponse:
    """All pairwise distances of uniform random points in [0, 1]^D, for each D."""
    p = curse.distance_panel(
        np.array(req.dims), req.n_points, req.n_bins, np.random.default_rng(req.seed)
    )
    return DistancesResponse(
        dims=p.n_inputs.tolist(),
        mean=p.mean.tolist(),
        std=p.std.tolist(),
        minimum=p.minimum.tolist(),
        maximum=p.maximum.tolist(),
        relative_contrast=p.relative_contrast.tolist(),
        rms=p.rms.tolist(),
        predicted_mean_squared=p.predicted_mean_squared.tolist(),
        predicted_rms=p.predicted_rms.tolist(),
        predicted_relative_std=p.predicted_relative_std.tolist(),
        bin_edges=p.bin_edges.tolist(),
        histogram=p.histogram.tolist(),
    )


# ----------------------------------------------------------------------------- manifold
class ManifoldRequest(Model):
    model_config = ConfigDict(json_schema_extra={"examples": [{"seed": 0, "n_points": 800}]})

    seed: Seed = 0
    n_points: int = Field(800, ge=1, le=3000, description="Points on the sheet.")
    turns: float = Field(1.5, gt=0, le=3, description="How many times the sheet is rolled.")
    height: float = Field(10.0, gt=0, le=30, description="Width of the sheet across the roll.")
    noise: float = Field(0.0, ge=0, le=2, description="Std of Gaussian noise on each coordinate.")
    azimuth: float = Field(
        30.0, ge=-180, le=180, description="Camera turn about the roll's axis x2, in degrees."
    )
    elevation: float = Field(
        65.0, ge=-90, le=90, description="Camera height above the (x1, x3) plane, in degrees."
    )


class ManifoldResponse(Model):
    points: list[list[float]] = Field(
        description="One row [x1, x2, x3] = [t cos t, h, t sin t] (plus noise) per point."
    )
    t: list[float] = Field(description="Position along the roll of each point (radians).")
    h: list[float] = Field(description="Height across the sheet of each point.")
    view: list[list[float]] = Field(
        description="The points seen from the camera: one row [u, v, depth] per point, u to "
        "the right, v up, depth towards the viewer (a rotation: lengths are kept)."
    )


@router.post("/manifold", response_model=ManifoldResponse, summary="Points on a 2D sheet in 3D")
def manifold(req: ManifoldRequest) -> ManifoldResponse:
    """A swiss roll: 3 coordinates per point, but two numbers (t, h) say where it is."""
    roll = curse.swiss_roll(
        req.n_points, req.turns, req.height, req.noise, np.random.default_rng(req.seed)
    )
    view = curse.project(roll.points, np.radians(req.azimuth), np.radians(req.elevation))
    return ManifoldResponse(
        points=roll.points.tolist(), t=roll.t.tolist(), h=roll.h.tolist(), view=view.tolist()
    )

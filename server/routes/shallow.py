"""Shallow networks labs: the 1D flow, the activation functions and 2D linear regions."""

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Response
from pydantic import ConfigDict, Field, model_validator

from core import losses, regions, shallow, shallow_loss
from core.activations import ACTIVATION_NAMES
from server.limits import light_when
from server.schemas import ErrorResponse, Model, json_answer

router = APIRouter(
    prefix="/api/v1/shallow",
    tags=["shallow networks"],
    responses={422: {"model": ErrorResponse, "description": "Invalid request"}},
)

ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
Param = Annotated[float, Field(ge=-100, le=100)]
Coord = Annotated[float, Field(ge=-100, le=100)]
MAX_UNITS = 32


def _check_phi(theta: list, phi: list[list[float]]) -> None:
    for o, row in enumerate(phi):
        if len(row) != len(theta) + 1:
            raise ValueError(
                f"phi row {o} needs D + 1 = {len(theta) + 1} numbers (phi_0 and one weight per "
                f"hidden unit), got {len(row)}"
            )


# ----------------------------------------------------------------------------- 1D flow


class FlowRequest(Model):
    """A 1-input shallow network and the interval to draw it on."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "activation": "relu",
                    "theta": [[0.3, -1.0], [-1.0, 2.0], [-0.5, 0.65]],
                    "phi": [[-0.3, 2.0, -1.0, 7.0]],
                    "x_min": 0,
                    "x_max": 1,
                    "n_points": 11,
                }
            ]
        }
    )

    activation: ActivationName = Field("relu", description="Activation function a[.].")
    theta: list[tuple[Param, Param]] = Field(
        default_factory=lambda: shallow.BOOK_THETA.tolist(),
        min_length=1,
        max_length=MAX_UNITS,
        description="(theta_d0, theta_d1) for each hidden unit d; default: the book's example.",
    )
    phi: list[Annotated[list[Param], Field(min_length=2, max_length=MAX_UNITS + 1)]] = Field(
        default_factory=lambda: shallow.BOOK_PHI.tolist(),
        min_length=1,
        max_length=4,
        description="One row per output: (phi_0, phi_1, ..., phi_D).",
    )
    x: list[Coord] | None = Field(
        None,
        min_length=1,
        max_length=2000,
        description="Your own inputs x, in any order; when given, every per-sample answer is "
        "at exactly these x (no joints added) and n_points is not used. Joints and linear "
        "regions still cover [x_min, x_max].",
    )
    x_min: Coord = Field(0.0, description="Left end of the interval.")
    x_max: Coord = Field(1.0, description="Right end of the interval.")
    n_points: int = Field(400, ge=2, le=1000, description="Evenly spaced samples of x.")

    @model_validator(mode="after")
    def _shapes(self):
        if self.x_min >= self.x_max:
            raise ValueError("the interval needs x_min < x_max")
        _check_phi(self.theta, self.phi)
        return self


class Joint(Model):
    unit: int = Field(description="Hidden unit d (0-based) whose pre-activation is zero here.")
    x: float = Field(description="Position -theta_d0 / theta_d1.")
    bends: bool = Field(
        description="Whether some output changes slope here; a joint that does not (phi_d = 0, "
        "or changes that cancel) lies inside a linear region."
    )
    y: list[float] = Field(description="The outputs at the joint, one per output (length D_o).")


class Piece1D(Model):
    x_start: float = Field(description="Left end of the piece (a joint or the interval's end).")
    x_end: float = Field(description="Right end of the piece.")
    active: list[bool] = Field(description="Per unit: z_d > 0 inside the piece.")
    slopes: list[float] = Field(description="dy_o/dx per output inside the piece.")
    intercepts: list[float] = Field(description="y_o at x = 0 of the piece's line, per output.")


class Region1D(Model):
    x_start: float = Field(description="Left end of the linear region.")
    x_end: float = Field(description="Right end of the linear region.")
    slopes: list[float] = Field(description="dy_o/dx per output inside the region.")
    intercepts: list[float] = Field(description="y_o at x = 0 of the region's line, per output.")
    pieces: tuple[int, int] = Field(
        description="First and last index (0-based, inclusive) into `pieces` it spans."
    )


class FlowResponse(Model):
    x: list[float] = Field(
        description="Sample points: your own x in your order when given, else n_points evenly "
        "spaced samples with the joints inside the interval added (so kinks are exact), sorted."
    )
    preactivations: list[list[float]] = Field(description="z_d(x), one list per unit.")
    activations: list[list[float]] = Field(description="h_d = a[z_d], one list per unit.")
    weighted_activations: list[list[list[float]]] = Field(
        description="phi_od h_d: [output][unit][sample]."
    )
    outputs: list[list[float]] = Field(description="y_o(x), one list per output.")
    joints: list[Joint] = Field(description="Joints inside the interval, left to right.")
    piecewise_linear: bool = Field(description="Whether linear regions are defined.")
    pieces: list[Piece1D] | None = Field(
        description="Activation patterns: the intervals between consecutive joints, with the "
        "active units; null for smooth activations."
    )
    linear_regions: list[Region1D] | None = Field(
        description="Linear regions: maximal intervals on which every output is one line; "
        "null for smooth activations."
    )
    note: str = Field(description="What the regions mean for this activation.")
    parameter_count: int = Field(description="D (D_i + 1) + D_o (D + 1) for this network.")


# A flow answer of at most this many numbers (~1 MB of JSON, like the largest light answers) is
# a slider move: it is computed as a light request, not queued behind the heavy ones.
LIGHT_FLOW_NUMBERS = 50_000


@light_when("/api/v1/shallow/flow")
def small_flow(body: dict) -> bool:
    """Whether the flow asked for has at most LIGHT_FLOW_NUMBERS numbers: samples x (units x
    (2 + outputs) + outputs), with the defaults for what the body leaves out."""
    samples = len(body["x"]) if body.get("x") is not None else body.get("n_points", 400)
    units = len(body.get("theta", shallow.BOOK_THETA))
    outputs = len(body.get("phi", shallow.BOOK_PHI))
    return samples * (units * (2 + outputs) + outputs) <= LIGHT_FLOW_NUMBERS


@router.post("/flow", response_model=FlowResponse, summary="The flow of a 1-input network")
def flow(req: FlowRequest) -> FlowResponse:
    """Pre-activations, activations, weighted activations and outputs over an interval, the
    joints, and the linear regions with their slopes and active units."""
    theta, phi = np.array(req.theta, dtype=float), np.array(req.phi, dtype=float)
    own_x = None if req.x is None else np.array(req.x, dtype=float)
    f = shallow.flow_1d(theta, phi, req.activation, req.x_min, req.x_max, req.n_points, own_x)
    fwd = f.forward
    return FlowResponse(
        x=f.x.tolist(),
        preactivations=fwd.preactivations.T.tolist(),
        activations=fwd.activations.T.tolist(),
        weighted_activations=np.transpose(fwd.weighted_activations, (1, 2, 0)).tolist(),
        outputs=fwd.outputs.T.tolist(),
        joints=[
            Joint(unit=int(u), x=float(x), bends=bool(b), y=y.tolist())
            for u, x, b, y in zip(
                f.joint_units, f.joint_positions, f.joint_bends, f.joint_outputs, strict=True
            )
        ],
        piecewise_linear=f.linear_regions is not None,
        pieces=None
        if f.pieces is None
        else [
            Piece1D(
                x_start=p.x_start,
                x_end=p.x_end,
                active=p.active.tolist(),
                slopes=p.slopes.tolist(),
                intercepts=p.intercepts.tolist(),
            )
            for p in f.pieces
        ],
        linear_regions=None
        if f.linear_regions is None
        else [
            Region1D(
                x_start=r.x_start,
                x_end=r.x_end,
                slopes=r.slopes.tolist(),
                intercepts=r.intercepts.tolist(),
                pieces=(r.first_piece, r.last_piece),
            )
            for r in f.linear_regions
        ],
        note=f.note,
        parameter_count=shallow.parameter_count(1, len(theta), len(phi)),
    )


# ----------------------------------------------------------------------------- activations


class ActivationsRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"z_min": -2, "z_max": 2, "n_points": 5}]}
    )

    z_min: float = Field(-4.0, ge=-50, le=50, description="Left end of the z range.")
    z_max: float = Field(4.0, ge=-50, le=50, description="Right end of the z range.")
    n_points: int = Field(401, ge=2, le=4001, description="Samples of z.")
    z: list[Annotated[float, Field(ge=-50, le=50)]] | None = Field(
        None,
        min_length=1,
        max_length=4001,
        description="Your own z, in any order; when given they replace the evenly spaced "
        "samples (z_min, z_max and n_points are not used).",
    )

    @model_validator(mode="after")
    def _range(self):
        if self.z_min >= self.z_max:
            raise ValueError("the range needs z_min < z_max")
        return self


class ActivationCurve(Model):
    name: str = Field(description="Identifier used by the other routes.")
    label: str = Field(description="Human-readable name.")
    formula: str = Field(description="LaTeX formula of a[z].")
    piecewise_linear: bool = Field(
        description="Whether networks built from it have linear regions."
    )
    value: list[float] = Field(description="a[z] at each z.")
    derivative: list[float] = Field(description="a'[z] at each z.")


class ActivationsResponse(Model):
    z: list[float] = Field(description="Sample points: your own z in your order, or the grid.")
    curves: list[ActivationCurve] = Field(description="Every activation, value and derivative.")


@router.post(
    "/activations", response_model=ActivationsResponse, summary="Every activation and derivative"
)
def activations(req: ActivationsRequest) -> ActivationsResponse:
    """Each activation function a[z] with its derivative a'[z], sampled on the same z."""
    own_z = None if req.z is None else np.array(req.z, dtype=float)
    curves = shallow.activation_curves(req.z_min, req.z_max, req.n_points, own_z)
    return ActivationsResponse(
        z=req.z if req.z is not None else np.linspace(req.z_min, req.z_max, req.n_points).tolist(),
        curves=[
            ActivationCurve(
                name=c.name,
                label=c.label,
                formula=c.formula,
                piecewise_linear=c.piecewise_linear,
                value=c.value.tolist(),
                derivative=c.derivative.tolist(),
            )
            for c in curves
        ],
    )


# ----------------------------------------------------------------------------- 2D regions


class RegionsRequest(Model):
    """A 2-input, 1-output shallow network and the rectangle to map."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "activation": "relu",
                    "theta": [[-0.3, 0.0, 1.0], [-0.3, -0.87, -0.5], [0.3, -0.87, 0.5]],
                    "phi": [0.2, 1.0, -0.8, 0.9],
                    "grid_size": 40,
                    "panel_size": 11,
                }
            ]
        }
    )

    activation: ActivationName = Field("relu", description="Activation function a[.].")
    theta: list[tuple[Param, Param, Param]] = Field(
        default_factory=lambda: [[-0.3, 0.0, 1.0], [-0.3, -0.87, -0.5], [0.3, -0.87, 0.5]],
        min_length=1,
        max_length=MAX_UNITS,
        description="(theta_d0, theta_d1, theta_d2) for each hidden unit d.",
    )
    phi: list[Param] = Field(
        default_factory=lambda: [0.2, 1.0, -0.8, 0.9],
        min_length=2,
        max_length=MAX_UNITS + 1,
        description="(phi_0, phi_1, ..., phi_D) of the single output.",
    )
    x1_min: Coord = Field(-1.0, description="Left edge of the view.")
    x1_max: Coord = Field(1.0, description="Right edge of the view.")
    x2_min: Coord = Field(-1.0, description="Bottom edge of the view.")
    x2_max: Coord = Field(1.0, description="Top edge of the view.")
    grid_size: int = Field(160, ge=2, le=300, description="Output-map samples per axis.")
    panel_size: int = Field(
        31, ge=2, le=81, description="Samples per axis of each unit's small panels."
    )
    digits: int | None = Field(
        None,
        ge=1,
        le=17,
        description="Round the maps (output, unit panels) to this many significant digits of "
        "their largest |value|, for a smaller answer (a map whose largest |value| is below "
        "10^(digits - 301) stays as it is); default: full double precision.",
    )

    @model_validator(mode="after")
    def _shapes(self):
        if self.x1_min >= self.x1_max or self.x2_min >= self.x2_max:
            raise ValueError("the view needs x1_min < x1_max and x2_min < x2_max")
        _check_phi(self.theta, [self.phi])
        return self


class Segment(Model):
    unit: int = Field(description="Hidden unit d (0-based).")
    x1: tuple[float, float] = Field(description="x1 of the two ends of z_d = 0 inside the view.")
    x2: tuple[float, float] = Field(description="x2 of the two ends.")


class Region2D(Model):
    active: list[bool | None] = Field(
        description="Per unit: true if z_d > 0 on the whole region, false if on none of it, "
        "null if the unit's line crosses it (a line that does not change the output lies "
        "inside a region)."
    )
    pixels: int = Field(description="Grid points inside the region.")
    centroid: tuple[float, float] = Field(description="Mean (x1, x2) of its grid points.")
    gradient: tuple[float, float] = Field(description="(dy/dx1, dy/dx2) inside the region.")


class UnitPanels(Model):
    x1: list[float] = Field(description="Coarse grid along x1.")
    x2: list[float] = Field(description="Coarse grid along x2.")
    preactivations: list[list[list[float]]] = Field(
        description="z_d[row][column] per unit: full precision, or rounded as `digits` asks."
    )
    activations: list[list[list[float]]] = Field(
        description="h_d[row][column] per unit: full precision, or rounded as `digits` asks."
    )


class RegionsResponse(Model):
    x1: list[float] = Field(description="Grid along x1 (columns).")
    x2: list[float] = Field(description="Grid along x2 (rows).")
    output: list[list[float]] = Field(
        description="y[row][column]: full precision, or rounded as `digits` asks."
    )
    piecewise_linear: bool = Field(description="Whether linear regions are defined.")
    region_index: list[list[int]] | None = Field(
        description="Index into `regions` of each grid point; null for smooth activations."
    )
    regions: list[Region2D] | None = Field(description="Regions seen on the grid.")
    exact_count: int | None = Field(
        description="Exact number of linear regions (maximal connected sets where the output is "
        "one plane) inside the open view; null when undefined."
    )
    pattern_count: int | None = Field(
        description="Exact number of activation patterns (cells cut by every unit's line) "
        "inside the open view; >= exact_count, the quantity the bound counts."
    )
    grid_count: int | None = Field(
        description="Linear regions seen on the grid (tiny ones can hide)."
    )
    bound: int = Field(
        description="sum_{j=0}^{2} C(D, j): the most activation patterns (so regions) D units "
        "can make in 2D."
    )
    segments: list[Segment] = Field(description="Where each unit switches on, inside the view.")
    units: UnitPanels = Field(description="Pre-activation and activation planes per unit.")
    parameter_count: int = Field(description="D (D_i + 1) + D_o (D + 1) with D_i = 2, D_o = 1.")
    note: str = Field(description="What the regions mean for this activation.")


def _rounded(values: np.ndarray, digits: int | None) -> list:
    """The map as nested lists, rounded to ``digits`` significant digits of its largest entry
    when ``digits`` is given (short numbers make the answer about half as large).

    A map whose largest entry is below ``10**(digits - 301)`` is sent as it is: rounding it
    would need a power of ten beyond the largest double.
    """
    scale = float(np.max(np.abs(values), initial=0.0))
    if digits is None or scale == 0.0:
        return values.tolist()
    decimals = digits - 1 - int(np.floor(np.log10(scale)))
    if decimals > 300:  # 10**decimals would overflow (NaN): numbers this tiny stay as they are
        return values.tolist()
    return np.round(values, decimals).tolist()


def _note(activation: str, exact: int | None, patterns: int | None, grid: int | None) -> str:
    if exact is None:
        return shallow.smooth_activation_note(activation) + (
            " The lines show where each unit's pre-activation is zero."
        )
    if activation == "linear":
        return "With the identity activation the network is one plane: a single region."
    notes = []
    if patterns is not None and patterns > exact:
        notes.append(
            f"{patterns} activation patterns but {exact} linear regions: some lines do not "
            "change the output (a unit with phi_d = 0, or units on one line that cancel), so "
            "the patterns on both sides form one region."
        )
    hidden = exact - (grid or 0)
    if hidden > 0:
        notes.append(
            f"{hidden} region(s) are thinner than the grid spacing and do not show on the map; "
            "the exact count still includes them."
        )
    return " ".join(notes) or "Every region inside the view shows on the map."


# A region map of at most this many numbers (the page's default 160 x 160 map with up to 16
# units: ~20 ms and ~1 MB of JSON at most) is a slider move: computed as a light request.
LIGHT_REGION_NUMBERS = 90_000


@light_when("/api/v1/shallow/regions")
def small_region_map(body: dict) -> bool:
    """Whether the map asked for has at most LIGHT_REGION_NUMBERS numbers: grid_size^2 twice
    (output, region index) and panel_size^2 twice per unit, with the defaults for what the body
    leaves out."""
    grid = body.get("grid_size", 160)
    panel = body.get("panel_size", 31)
    units = len(body.get("theta", [None] * 3))
    return 2 * grid * grid + 2 * units * panel * panel <= LIGHT_REGION_NUMBERS


@router.post("/regions", response_model=RegionsResponse, summary="Linear regions of a 2-input net")
def regions_view(req: RegionsRequest) -> Response:
    """The output over the view with each region, its activation pattern and gradient, the
    exact number of regions, the bound, each unit's planes, and the parameter count."""
    theta = np.array(req.theta, dtype=float)  # (D, 3)
    phi = np.array([req.phi], dtype=float)  # (1, D + 1)
    box = regions.Box(req.x1_min, req.x1_max, req.x2_min, req.x2_max)
    m = regions.region_map(theta, phi, req.activation, box, req.grid_size, req.panel_size)
    region_list = None
    if m.patterns is not None:
        region_list = [
            Region2D(
                active=[None if a < 0 else bool(a) for a in p.tolist()],
                pixels=int(n),
                centroid=tuple(c),
                gradient=tuple(g),
            )
            for p, n, c, g in zip(m.patterns, m.pixel_counts, m.centroids, m.gradients, strict=True)
        ]
    grid_count = None if m.patterns is None else len(m.patterns)
    answer = RegionsResponse(
        x1=m.x1.tolist(),
        x2=m.x2.tolist(),
        output=_rounded(m.outputs, req.digits),
        piecewise_linear=m.patterns is not None,
        region_index=None if m.region_index is None else m.region_index.tolist(),
        regions=region_list,
        exact_count=m.exact_count,
        pattern_count=m.pattern_count,
        grid_count=grid_count,
        bound=m.bound,
        segments=[
            Segment(unit=int(d), x1=(s[0], s[2]), x2=(s[1], s[3]))
            for d, s in enumerate(m.segments.tolist())
            if m.segment_visible[d]
        ],
        units=UnitPanels(
            x1=m.panel_x1.tolist(),
            x2=m.panel_x2.tolist(),
            preactivations=_rounded(m.panel_preactivations, req.digits),
            activations=_rounded(m.panel_activations, req.digits),
        ),
        parameter_count=shallow.parameter_count(2, len(theta), 1),
        note=_note(req.activation, m.exact_count, m.pattern_count, grid_count),
    )
    # The map holds ~10^5 numbers: written by pydantic's own JSON writer.
    return json_answer(answer)


# ----------------------------------------------------------------------------- bounds


class BoundsRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"max_inputs": 3, "max_hidden": 5, "n_inputs": 2, "n_hidden": 3, "n_outputs": 1}
            ]
        }
    )

    max_inputs: int = Field(6, ge=1, le=10, description="Table rows: D_i = 1 .. max_inputs.")
    max_hidden: int = Field(20, ge=1, le=50, description="Table columns: D = 1 .. max_hidden.")
    n_inputs: int = Field(2, ge=1, le=10_000, description="D_i of the network to count.")
    n_hidden: int = Field(3, ge=1, le=10_000, description="D of the network to count.")
    n_outputs: int = Field(1, ge=1, le=10_000, description="D_o of the network to count.")


class BoundsResponse(Model):
    n_inputs: list[int] = Field(description="Row labels D_i.")
    n_hidden: list[int] = Field(description="Column labels D.")
    max_regions: list[list[int]] = Field(
        description="max_regions[i][j] = sum_{k=0}^{D_i} C(D, k) for D_i = n_inputs[i]."
    )
    activation_patterns: list[int] = Field(
        description="2^D, the number of on/off patterns of D units, per column D (the bound "
        "for every D_i, reached when D_i >= D)."
    )
    parameter_count: int = Field(description="D (D_i + 1) + D_o (D + 1) for the given sizes.")
    max_regions_for_network: int | None = Field(
        description="Bound for the given D_i and D; null when above 2^53 (not exact in JSON)."
    )


@router.post("/bounds", response_model=BoundsResponse, summary="Region bound and parameter count")
def bounds(req: BoundsRequest) -> BoundsResponse:
    """The table of the largest number of linear regions as D and D_i grow, and the parameter
    count of a D_i - D - D_o network."""
    table = regions.max_regions_table(req.max_inputs, req.max_hidden)
    bound = regions.max_linear_regions(req.n_inputs, req.n_hidden)
    return BoundsResponse(
        n_inputs=list(range(1, req.max_inputs + 1)),
        n_hidden=list(range(1, req.max_hidden + 1)),
        max_regions=table.tolist(),
        activation_patterns=regions.pattern_counts(req.max_hidden).tolist(),
        parameter_count=shallow.parameter_count(req.n_inputs, req.n_hidden, req.n_outputs),
        max_regions_for_network=bound if bound <= 2**53 else None,
    )


# ----------------------------------------------------------------------------- loss and gradient

LossName = Literal[tuple(losses.LOSSES)]  # type: ignore[valid-type]
MAX_INPUTS, MAX_OUTPUTS, MAX_EXAMPLES = 8, 8, 2000
Value = Annotated[float, Field(ge=-1e6, le=1e6)]
Columns = list[Annotated[list[Value], Field(min_length=1, max_length=MAX_EXAMPLES)]]


class ShallowLossRequest(Model):
    """A shallow network, your data and the loss to evaluate (default: the book's 1-3-1
    network on five points, least squares)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "activation": "relu",
                    "theta": [[0.3, -1.0], [-1.0, 2.0], [-0.5, 0.65]],
                    "phi": [[-0.3, 2.0, -1.0, 7.0]],
                    "x": [[0.0, 0.25, 0.5, 0.75, 1.0]],
                    "targets": [[0.2, 0.1, 0.4, 0.6, 1.0]],
                },
                {
                    "activation": "tanh",
                    "theta": [[0.1, 1.0, -0.5], [-0.2, 0.3, 0.8]],
                    "phi": [[0.0, 1.0, -1.0], [0.5, -0.7, 0.2], [0.1, 0.4, 0.9]],
                    "x": [[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]],
                    "targets": [[2, 0, 1]],
                    "loss": "cross_entropy",
                },
            ]
        }
    )

    activation: ActivationName = Field("relu", description="Activation function a[.].")
    theta: list[Annotated[list[Param], Field(min_length=2, max_length=MAX_INPUTS + 1)]] = Field(
        default_factory=lambda: shallow.BOOK_THETA.tolist(),
        min_length=1,
        max_length=MAX_UNITS,
        description="One row per hidden unit d: (theta_d0, theta_d1, ..., theta_dD_i), the bias "
        "first; shape (D, D_i + 1).",
    )
    phi: list[Annotated[list[Param], Field(min_length=2, max_length=MAX_UNITS + 1)]] = Field(
        default_factory=lambda: shallow.BOOK_PHI.tolist(),
        min_length=1,
        max_length=MAX_OUTPUTS,
        description="One row per output o: (phi_o0, phi_o1, ..., phi_oD), the offset first; "
        "shape (D_o, D + 1).",
    )
    x: Columns = Field(
        default_factory=lambda: [[0.0, 0.25, 0.5, 0.75, 1.0]],
        min_length=1,
        max_length=MAX_INPUTS,
        description="Inputs, D_i rows x I columns: x[i][n] is input i of example n.",
    )
    targets: Columns = Field(
        default_factory=lambda: [[0.2, 0.1, 0.4, 0.6, 1.0]],
        min_length=1,
        max_length=MAX_OUTPUTS,
        description="Targets: D_o rows x I for least squares; one row of I values otherwise "
        "(0/1 for binary cross-entropy, 0-based class labels for cross-entropy; "
        "gaussian_nll_predicted reads output 0 as the mean and output 1 as sigma).",
    )
    loss: LossName = Field(
        "least_squares",
        description="The loss, summed over the examples: "
        + "; ".join(f"{name} = {label}" for name, (label, _, _) in losses.LOSSES.items())
        + ".",
    )
    sigma: float = Field(1.0, gt=0, le=100, description="sigma of gaussian_nll.")

    @model_validator(mode="after")
    def _shapes(self):
        n_inputs = len(self.theta[0]) - 1
        for d, row in enumerate(self.theta):
            if len(row) != n_inputs + 1:
                raise ValueError(
                    f"theta row {d} has {len(row)} numbers but row 0 has {n_inputs + 1}"
                )
        _check_phi(self.theta, self.phi)
        if len(self.x) != n_inputs:
            raise ValueError(
                f"x needs D_i = {n_inputs} rows (one per input, as theta's columns say), "
                f"got {len(self.x)}"
            )
        for name, rows in (("x", self.x), ("targets", self.targets)):
            for i, row in enumerate(rows):
                if len(row) != len(self.x[0]):
                    raise ValueError(
                        f"{name} row {i} has {len(row)} values but there are "
                        f"{len(self.x[0])} examples (columns of x)"
                    )
        return self


class LossValue(Model):
    total: float = Field(description="L = sum_i l_i, the book's convention.")
    mean: float = Field(description="L / I.")
    per_example: list[float] = Field(description="l_i, one per example (column of x).")


class ShallowLossResponse(Model):
    output: list[list[float]] = Field(
        description="f[x_n]: D_o rows x I columns, output[o][n] is output o of example n."
    )
    loss: LossValue = Field(description="The loss: sum, mean and each example's share.")
    dl_doutput: list[list[float]] = Field(
        description="dL/df for the summed loss, D_o rows x I columns like `output`."
    )
    dl_dtheta: list[list[float]] = Field(
        description="dL/dtheta of the summed loss in theta's layout, (D, D_i + 1): "
        "dl_dtheta[d][0] for the bias theta_d0, dl_dtheta[d][i] for theta_di. Divide by I "
        "for the mean's gradient."
    )
    dl_dphi: list[list[float]] = Field(
        description="dL/dphi of the summed loss in phi's layout, (D_o, D + 1): dl_dphi[o][0] "
        "for the offset phi_o0, dl_dphi[o][d] for phi_od. Divide by I for the mean's gradient."
    )
    parameter_count: int = Field(description="D (D_i + 1) + D_o (D + 1).")


@router.post(
    "/loss", response_model=ShallowLossResponse, summary="Loss and gradient on your own data"
)
def loss_and_gradient(req: ShallowLossRequest) -> ShallowLossResponse:
    """Run your shallow network on your inputs, evaluate the loss against your targets and
    backpropagate: the loss (sum and mean) and its derivative with respect to every theta
    and phi, in the same layout as the parameters."""
    theta, phi = np.array(req.theta, dtype=float), np.array(req.phi, dtype=float)
    r = shallow_loss.loss_and_gradient(
        theta,
        phi,
        req.activation,
        np.array(req.x, dtype=float),
        np.array(req.targets, dtype=float),
        req.loss,
        req.sigma,
    )
    return ShallowLossResponse(
        output=r.output.tolist(),
        loss=LossValue(
            total=r.loss.total, mean=r.loss.mean, per_example=r.loss.per_example.tolist()
        ),
        dl_doutput=r.loss.gradient.tolist(),
        dl_dtheta=r.dl_dtheta.tolist(),
        dl_dphi=r.dl_dphi.tolist(),
        parameter_count=shallow.parameter_count(theta.shape[1] - 1, len(theta), len(phi)),
    )

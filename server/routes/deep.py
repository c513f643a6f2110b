"""Deep networks lab: composing shallow networks, the generic MLP, and counting regions."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Response
from pydantic import Field, model_validator

from core import deep, deep_bounds
from core.activations import ACTIVATION_NAMES, ACTIVATIONS
from core.errors import DomainError
from core.network import INIT_SCHEMES, Network, network_from_lists, parameter_count
from server.schemas import ErrorResponse, Model, Seed, json_answer

router = APIRouter(
    prefix="/api/v1/deep",
    tags=["deep networks"],
    responses={422: {"model": ErrorResponse, "description": "Invalid request"}},
)

ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
PiecewiseName = Literal[tuple(n for n, a in ACTIVATIONS.items() if a.piecewise_linear)]  # type: ignore[valid-type]
SchemeName = Literal[tuple(INIT_SCHEMES)]  # type: ignore[valid-type]
Param = Annotated[float, Field(ge=-100, le=100)]
Coord = Annotated[float, Field(ge=-100, le=100)]
MAX_SHALLOW_UNITS = 16
MAX_LAYER_NUMBERS = 400_000  # f_k and h_k of every hidden unit at every sample


def _array(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


# ----------------------------------------------------------------------------- composition


class ComposeRequest(Model):
    """Two shallow networks (1 input, 1 output each); network 2 takes network 1's output."""

    activation: PiecewiseName = Field("relu", description="Activation of both networks.")
    theta1: list[tuple[Param, Param]] = Field(
        default_factory=lambda: deep.FOLD_THETA1.tolist(),
        min_length=1,
        max_length=MAX_SHALLOW_UNITS,
        description="Network 1: (theta_d0, theta_d1) per hidden unit d.",
    )
    phi1: list[Param] = Field(
        default_factory=lambda: deep.FOLD_PHI1[0].tolist(),
        min_length=2,
        max_length=MAX_SHALLOW_UNITS + 1,
        description="Network 1: (phi_0, phi_1, ..., phi_D).",
    )
    theta2: list[tuple[Param, Param]] = Field(
        default_factory=lambda: deep.FOLD_THETA2.tolist(),
        min_length=1,
        max_length=MAX_SHALLOW_UNITS,
        description="Network 2: (theta'_d0, theta'_d1) per hidden unit d.",
    )
    phi2: list[Param] = Field(
        default_factory=lambda: deep.FOLD_PHI2[0].tolist(),
        min_length=2,
        max_length=MAX_SHALLOW_UNITS + 1,
        description="Network 2: (phi'_0, phi'_1, ..., phi'_D').",
    )
    x_min: Coord = Field(-1.0, description="Left end of the input interval.")
    x_max: Coord = Field(1.0, description="Right end of the input interval.")
    n_points: int = Field(301, ge=2, le=2000, description="Evenly spaced samples per curve.")

    model_config = {"json_schema_extra": {"examples": [{"x_min": -1, "x_max": 1}]}}

    @model_validator(mode="after")
    def _shapes(self):
        if self.x_min >= self.x_max:
            raise ValueError("the interval needs x_min < x_max")
        for name, theta, phi in (
            ("phi1", self.theta1, self.phi1),
            ("phi2", self.theta2, self.phi2),
        ):
            if len(phi) != len(theta) + 1:
                raise ValueError(
                    f"{name} needs D + 1 = {len(theta) + 1} numbers (phi_0 and one weight per "
                    f"hidden unit), got {len(phi)}"
                )
        return self


class CompositionJoint(Model):
    x: float = Field(description="Position of the joint on the input axis.")
    source: Literal["network 1", "network 2"] = Field(
        description="'network 1': a joint of network 1; 'network 2': y(x) crosses a joint of "
        "network 2 here."
    )
    unit: int = Field(description="Hidden unit (0-based) of that network whose joint it is.")
    level: float | None = Field(
        description="For 'network 2': the value y = -theta'_d0 / theta'_d1 crossed; else null."
    )
    bends: bool = Field(description="Whether the composition changes slope here.")
    y: float = Field(description="Network 1's output y(x) at the joint.")
    output: float = Field(description="The composition's output y'(x) at the joint.")


class Region(Model):
    x_start: float = Field(description="Left end of the linear region.")
    x_end: float = Field(description="Right end.")
    slope: float = Field(description="dy/dx inside the region.")
    intercept: float = Field(description="Value at x = 0 of the region's line.")


class Counts(Model):
    joints: int = Field(description="Places inside the interval where a unit switches.")
    pieces: int = Field(description="Activation patterns: intervals between those places.")
    regions: int = Field(
        description="Linear regions: maximal intervals on which the function is one line "
        "(a joint with no change of slope does not split a region)."
    )


class MatrixForm(Model):
    widths: list[int] = Field(description="(D_i, D_1, ..., D_K, D_o).")
    betas: list[list[float]] = Field(description="beta_k for k = 0..K, each of length D_{k+1}.")
    omegas: list[list[list[float]]] = Field(
        description="Omega_k for k = 0..K, each D_{k+1} rows x D_k columns."
    )
    activations: list[str] = Field(description="Activation of each hidden layer 1..K.")
    parameter_count: int = Field(description="sum_k D_{k+1} (D_k + 1).")


def _matrix_form(net: Network) -> MatrixForm:
    return MatrixForm(
        widths=list(net.widths),
        betas=[b.tolist() for b in net.betas],
        omegas=[o.tolist() for o in net.omegas],
        activations=list(net.activations),
        parameter_count=parameter_count(net.widths),
    )


def _counts(p) -> Counts:
    return Counts(joints=len(np.unique(p.joint_x)), pieces=p.n_pieces, regions=p.n_regions)


def _regions(p) -> list[Region]:
    starts = np.concatenate([[0], np.flatnonzero(p.bends) + 1])
    return [
        Region(
            x_start=float(p.region_edges[i]),
            x_end=float(p.region_edges[i + 1]),
            slope=float(p.slopes[a, 0]),
            intercept=float(p.intercepts[a, 0]),
        )
        for i, a in enumerate(starts)
    ]


class ComposeResponse(Model):
    x: list[float] = Field(description="Input samples (every joint of the composition included).")
    y: list[float] = Field(description="Network 1's output y(x) at each sample.")
    composed: list[float] = Field(description="y'(x) = network 2 (network 1 (x)) at each sample.")
    deep_output: list[float] = Field(
        description="The two-hidden-layer network of `deep` at each sample (equals `composed`)."
    )
    max_difference: float = Field(description="max |composed - deep_output| over the samples.")
    y_grid: list[float] = Field(description="Samples of network 2's input y over [y_min, y_max].")
    y2: list[float] = Field(description="Network 2's output y'(y) at each y_grid sample.")
    y_min: float = Field(description="Smallest y network 1 reaches on the interval.")
    y_max: float = Field(description="Largest y network 1 reaches on the interval.")
    joints1: list[float] = Field(description="Joints of network 1 inside the interval (x).")
    joints2: list[float] = Field(description="Joints of network 2 inside [y_min, y_max] (y).")
    joints2_output: list[float] = Field(
        description="Network 2's output y'(y) at each of joints2, same order."
    )
    joints: list[CompositionJoint] = Field(description="Joints of the composition, by x.")
    counts1: Counts = Field(description="Network 1 on [x_min, x_max].")
    counts2: Counts = Field(description="Network 2 on [y_min, y_max] (the part it can use).")
    counts: Counts = Field(description="The composition on [x_min, x_max].")
    regions1: list[Region] = Field(description="Network 1's linear regions.")
    regions2: list[Region] = Field(description="Network 2's linear regions on [y_min, y_max].")
    regions: list[Region] = Field(description="The composition's linear regions.")
    deep: MatrixForm = Field(description="The composition as one network with 2 hidden layers.")


@router.post("/compose", response_model=ComposeResponse, summary="Compose two shallow networks")
def compose(req: ComposeRequest) -> ComposeResponse:
    """Network 1, network 2 and their composition with every joint explained, the region counts
    of each, and the same function as one network with two hidden layers."""
    v = deep.composition_view(
        _array(req.theta1),
        _array([req.phi1]),
        _array(req.theta2),
        _array([req.phi2]),
        req.activation,
        req.x_min,
        req.x_max,
        req.n_points,
    )
    c = v.composition
    return ComposeResponse(
        x=v.x.tolist(),
        y=v.y.tolist(),
        composed=v.composed.tolist(),
        deep_output=v.direct.tolist(),
        max_difference=float(np.max(np.abs(v.composed - v.direct))),
        y_grid=v.y_grid.tolist(),
        y2=v.y2.tolist(),
        y_min=c.y_min,
        y_max=c.y_max,
        joints1=np.unique(c.pieces1.joint_x).tolist(),
        joints2=v.joints2.tolist(),
        joints2_output=v.joints2_output.tolist(),
        joints=[
            CompositionJoint(
                x=j.x,
                source=j.source,
                unit=j.unit,
                level=None if j.source == "network 1" else j.level,
                bends=j.bends,
                y=y,
                output=output,
            )
            for j, y, output in zip(
                c.joints, v.joint_y.tolist(), v.joint_composed.tolist(), strict=True
            )
        ],
        counts1=_counts(c.pieces1),
        counts2=_counts(c.pieces2),
        counts=_counts(c.pieces),
        regions1=_regions(c.pieces1),
        regions2=_regions(c.pieces2),
        regions=_regions(c.pieces),
        deep=_matrix_form(c.deep),
    )


# ----------------------------------------------------------------------------- generic MLP


class Edit(Model):
    layer: int = Field(ge=0, le=deep.MAX_LAYERS, description="k of beta_k / Omega_k (0-based).")
    row: int = Field(ge=0, le=deep.MAX_WIDTH, description="Row (0-based): unit of layer k + 1.")
    column: int = Field(
        ge=-1,
        le=deep.MAX_WIDTH,
        description="Column of Omega_k (0-based), or -1 for the bias beta_k[row].",
    )
    value: Param = Field(description="The new value.")


class NetworkSpec(Model):
    """A network: drawn from a seed, or given as weights and biases, then optionally edited."""

    hidden: list[Annotated[int, Field(ge=1, le=deep.MAX_WIDTH)]] = Field(
        default_factory=lambda: [6, 6, 6],
        min_length=1,
        max_length=deep.MAX_LAYERS,
        description="Widths D_1..D_K of the hidden layers (ignored when `omegas` is given).",
    )
    activations: list[ActivationName] = Field(
        default_factory=lambda: ["relu"],
        min_length=1,
        max_length=deep.MAX_LAYERS,
        description="One activation for every layer, or one per hidden layer.",
    )
    init: SchemeName = Field("he", description="Initialisation scheme of the weights.")
    scale: float = Field(1.0, ge=0, le=10, description="Scale of the initialisation.")
    bias_scale: float = Field(0.5, ge=0, le=10, description="Biases ~ N(0, bias_scale^2).")
    seed: Seed = 0
    betas: list[list[Param]] | None = Field(
        None,
        max_length=deep.MAX_LAYERS + 1,
        description="Your own beta_0..beta_K (with `omegas`); null: drawn from the seed.",
    )
    omegas: list[list[list[Param]]] | None = Field(
        None,
        max_length=deep.MAX_LAYERS + 1,
        description="Your own Omega_0..Omega_K, Omega_k with D_{k+1} rows of D_k numbers.",
    )
    edits: list[Edit] = Field(
        default_factory=list, max_length=64, description="Single entries changed after drawing."
    )


def build_network(spec: NetworkSpec, n_inputs: int) -> Network:
    """The network a spec describes; DomainError (422) naming the layer when shapes clash."""
    if (spec.betas is None) != (spec.omegas is None):
        raise DomainError("give both betas and omegas, or neither")
    if spec.omegas is not None:
        depth = len(spec.omegas) - 1
        acts = spec.activations if len(spec.activations) > 1 else spec.activations * depth
        net = network_from_lists(spec.betas, spec.omegas, acts)
        if net.widths[0] != n_inputs:
            raise DomainError(
                f"layer 0: Omega_0 must have {n_inputs} column(s) (one per input), "
                f"got {net.widths[0]}"
            )
    else:
        depth = len(spec.hidden)
        acts = spec.activations if len(spec.activations) > 1 else spec.activations * depth
        if len(acts) != depth:
            raise DomainError(
                f"{depth} hidden layers need one activation or {depth}, got {len(acts)}"
            )
        net = deep.random_network(
            [n_inputs, *spec.hidden, 1],
            list(acts),
            spec.init,
            np.random.default_rng(spec.seed),
            spec.scale,
            spec.bias_scale,
        )
    if net.widths[-1] != 1:
        raise DomainError(
            f"layer {net.depth}: the network has one output, so Omega_{net.depth} "
            f"needs 1 row, got {net.widths[-1]}"
        )
    deep.check_size(net)
    return deep.edit_network(net, [(e.layer, e.row, e.column, e.value) for e in spec.edits])


class LinearCollapse(Model):
    weight: list[list[float]] = Field(description="W* = Omega_K ... Omega_0 (D_o rows x D_i).")
    bias: list[float] = Field(description="b*, so that y = W* x + b*.")
    rank: int = Field(description="Numerical rank of W*.")
    narrowest: int = Field(description="Smallest width among D_i, D_1..D_K, D_o: rank <= it.")
    max_difference: float = Field(
        description="max |W* x + b* - network(x)| over the samples: the two are one function."
    )


def _collapse(net: Network, *axes: np.ndarray) -> LinearCollapse | None:
    if any(a != "linear" for a in net.activations):
        return None
    c = deep.collapse_linear(net, *axes)
    return LinearCollapse(
        weight=c.weight.tolist(),
        bias=c.bias.tolist(),
        rank=c.rank,
        narrowest=c.narrowest,
        max_difference=c.max_difference,
    )


class LineRequest(Model):
    """A 1-input, 1-output MLP and the interval to draw it on."""

    network: NetworkSpec = Field(default_factory=NetworkSpec, description="The network.")
    x_min: Coord = Field(-2.0, description="Left end of the interval.")
    x_max: Coord = Field(2.0, description="Right end of the interval.")
    n_points: int = Field(
        201, ge=2, le=1000, description="Evenly spaced samples (up to as many joints are added)."
    )
    include_layers: bool = Field(
        True,
        description=f"Return every f_k and h_k when they hold at most {MAX_LAYER_NUMBERS} numbers "
        "(hidden units x samples x 2); null beyond: ask for fewer points.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"network": {"hidden": [4, 4], "activations": ["relu"], "seed": 1}},
                {
                    "network": {
                        "betas": [[0.0, -0.5], [0.0]],
                        "omegas": [[[1.0], [1.0]], [[1.0, -2.0]]],
                        "activations": ["relu"],
                    },
                    "x_min": -1,
                    "x_max": 1,
                },
            ]
        }
    }

    @model_validator(mode="after")
    def _interval(self):
        if self.x_min >= self.x_max:
            raise ValueError("the interval needs x_min < x_max")
        return self


class Joint1D(Model):
    x: float = Field(description="Where the unit's pre-activation changes sign.")
    layer: int = Field(description="Hidden layer k (1-based, as h_k) of the unit.")
    unit: int = Field(description="Unit (0-based) within the layer.")
    bends: bool = Field(description="Whether the output changes slope (or jumps) here.")
    y: float = Field(description="The network's output y(x) at the joint.")


class LayerCount(Model):
    layer: int = Field(description="Hidden layer k (1-based).")
    pieces: int = Field(description="Activation patterns of layers 1..k in view.")
    regions: int = Field(description="Linear regions of the map x -> h_k in view.")


class LineResponse(Model):
    x: list[float] = Field(description="Samples (joints included when there are few).")
    output: list[float] = Field(description="y(x) at each sample.")
    f: list[list[list[float]]] | None = Field(
        description="Pre-activations f_0..f_{K-1} of the hidden layers: [k][unit][sample]; null "
        "unless include_layers (and not too many numbers)."
    )
    h: list[list[list[float]]] | None = Field(
        description="Activations h_1..h_K: [k - 1][unit][sample]; null unless include_layers "
        "(and not too many numbers)."
    )
    piecewise_linear: bool = Field(description="Whether every activation is piecewise linear.")
    joints: list[Joint1D] | None = Field(description="Every joint in view (null if smooth).")
    counts: Counts | None = Field(description="Joints, pieces and regions of the output.")
    layers: list[LayerCount] | None = Field(description="Counts after each hidden layer.")
    regions: list[Region] | None = Field(description="The output's linear regions.")
    network: MatrixForm = Field(description="The network's beta_k and Omega_k.")
    linear: LinearCollapse | None = Field(
        description="With the identity activation everywhere: the one matrix it equals."
    )


@router.post("/line", response_model=LineResponse, summary="A 1-input MLP, exactly")
def line(req: LineRequest) -> Response:
    """Output, every f_k and h_k, the exact joints, pieces and linear regions (after each
    layer too), and the matrix form of a 1-input network."""
    net = build_network(req.network, 1)
    curves = deep.curves_1d(net, req.x_min, req.x_max, req.n_points)
    p = curves.pieces
    fwd = curves.forward
    bends = set() if p is None else set(p.region_edges.tolist())
    units = sum(net.widths[1:-1])
    layers = req.include_layers and 2 * units * len(curves.x) <= MAX_LAYER_NUMBERS
    answer = LineResponse(
        x=curves.x.tolist(),
        output=fwd.output[0].tolist(),
        f=[f.tolist() for f in fwd.f[:-1]] if layers else None,
        h=[h.tolist() for h in fwd.h] if layers else None,
        piecewise_linear=p is not None,
        joints=None
        if p is None
        else [
            Joint1D(x=float(x), layer=int(k), unit=int(u), bends=float(x) in bends, y=float(y))
            for x, k, u, y in zip(
                p.joint_x, p.joint_layer, p.joint_unit, curves.joint_outputs, strict=True
            )
        ],
        counts=None if p is None else _counts(p),
        layers=None
        if p is None
        else [
            LayerCount(layer=k + 1, pieces=a, regions=b)
            for k, (a, b) in enumerate(zip(p.layer_pieces, p.layer_regions, strict=True))
        ],
        regions=None if p is None else _regions(p),
        network=_matrix_form(net),
        linear=_collapse(net, curves.x),
    )
    return json_answer(answer)


class PlaneRequest(Model):
    """A 2-input, 1-output MLP and the rectangle to map."""

    network: NetworkSpec = Field(default_factory=NetworkSpec, description="The network.")
    x1_min: Coord = Field(-2.0, description="Left edge of the view.")
    x1_max: Coord = Field(2.0, description="Right edge.")
    x2_min: Coord = Field(-2.0, description="Bottom edge.")
    x2_max: Coord = Field(2.0, description="Top edge.")
    grid_size: int = Field(120, ge=2, le=250, description="Map samples per axis.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"network": {"hidden": [8, 8], "seed": 3}, "grid_size": 60},
                {
                    "network": {
                        "betas": [[0.0, 0.0], [0.0]],
                        "omegas": [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
                        "activations": ["relu"],
                    },
                    "grid_size": 20,
                },
            ]
        }
    }

    @model_validator(mode="after")
    def _view(self):
        if self.x1_min >= self.x1_max or self.x2_min >= self.x2_max:
            raise ValueError("the view needs x1_min < x1_max and x2_min < x2_max")
        return self


class Segment(Model):
    x1: tuple[float, float] = Field(description="x1 of the segment's two ends.")
    x2: tuple[float, float] = Field(description="x2 of the two ends.")


class LayerMap(Model):
    layer: int = Field(description="Hidden layer k (1-based).")
    pieces: int = Field(description="Activation patterns of layers 1..k in view (exact).")
    regions: int = Field(description="Linear regions of x -> h_k in view (exact).")
    boundaries: list[Segment] = Field(description="Edges between those regions.")


class PlaneResponse(Model):
    x1: list[float] = Field(description="Grid along x1 (columns).")
    x2: list[float] = Field(description="Grid along x2 (rows).")
    output: list[list[float]] = Field(description="y[row][column].")
    piecewise_linear: bool = Field(description="Whether every activation is piecewise linear.")
    region_index: list[list[int]] | None = Field(
        description="Linear region (0-based) of each grid point [row][column]; -1 if a point "
        "lies exactly on a boundary it could not be placed by."
    )
    pieces: int | None = Field(description="Exact number of activation patterns in view.")
    regions: int | None = Field(description="Exact number of linear regions in view.")
    grid_regions: int | None = Field(description="Linear regions seen on the grid.")
    boundaries: list[Segment] | None = Field(description="Edges between linear regions.")
    layers: list[LayerMap] | None = Field(description="The same after each hidden layer.")
    network: MatrixForm = Field(description="The network's beta_k and Omega_k.")
    linear: LinearCollapse | None = Field(
        description="With the identity activation everywhere: the one matrix it equals."
    )


def _segments(segs: np.ndarray) -> list[Segment]:
    return [Segment(x1=(s[0], s[2]), x2=(s[1], s[3])) for s in segs.tolist()]


@router.post("/plane", response_model=PlaneResponse, summary="A 2-input MLP, exactly")
def plane(req: PlaneRequest) -> Response:
    """The output map, the exact linear regions with their boundaries and count (after each
    layer too), and the matrix form of a 2-input network."""
    net = build_network(req.network, 2)
    box = (req.x1_min, req.x1_max, req.x2_min, req.x2_max)
    v = deep.plane_view(net, box, req.grid_size)
    cells = v.cells
    shape = dict.fromkeys(
        ("region_index", "pieces", "regions", "grid_regions", "boundaries", "layers")
    )
    if cells is not None:
        index = v.region_index
        shape = {
            "region_index": index.tolist(),
            "pieces": len(cells.n_vertices),
            "regions": cells.n_regions,
            "grid_regions": len(np.unique(index[index >= 0])),
            "boundaries": _segments(cells.boundaries),
            "layers": [
                LayerMap(layer=k + 1, pieces=a, regions=b, boundaries=_segments(s))
                for k, (a, b, s) in enumerate(
                    zip(cells.layer_cells, cells.layer_regions, cells.layer_boundaries, strict=True)
                )
            ],
        }
    answer = PlaneResponse(
        x1=v.x1.tolist(),
        x2=v.x2.tolist(),
        output=v.output.tolist(),
        piecewise_linear=cells is not None,
        network=_matrix_form(net),
        linear=_collapse(net, v.x1, v.x2),
        **shape,
    )
    return json_answer(answer)


# ----------------------------------------------------------------------------- deep vs shallow


MAX_DIGITS = 4000  # Python refuses to print longer integers by default, and nobody reads them


class BigCount(Model):
    value: int | None = Field(
        description=f"The exact count, an integer of any size up to {MAX_DIGITS} decimal digits "
        "(null beyond: use log10)."
    )
    log10: float = Field(description="log10 of the count (always given), for plotting.")


def _big(value: int) -> BigCount:
    log = deep_bounds.log10_int(value)
    return BigCount(value=value if log < MAX_DIGITS - 1 else None, log10=log)


class BoundsRequest(Model):
    n_inputs: int = Field(1, ge=1, le=100, description="D_i.")
    width: int = Field(8, ge=1, le=10_000, description="D: hidden units per layer.")
    max_depth: int = Field(10, ge=1, le=200, description="Depths K = 1..max_depth.")

    model_config = {
        "json_schema_extra": {"examples": [{"n_inputs": 2, "width": 64, "max_depth": 20}]}
    }


class BoundsRow(Model):
    depth: int = Field(description="K hidden layers.")
    hidden_units: int = Field(description="K D.")
    deep_parameters: int = Field(description="Parameters of [D_i, D x K, 1].")
    shallow_same_units: BigCount = Field(
        description="Zaslavsky: sum_{j<=D_i} C(K D, j), most regions of ONE layer of K D units."
    )
    deep_lower: BigCount = Field(
        description="The book's eq. 4.17 (Serra et al. 2018): (floor(D/D_i) + 1)^{D_i (K-1)} "
        "sum_{j<=D_i} C(D, j); some network of this shape has at least this many regions."
    )
    deep_upper: BigCount = Field(
        description="Montufar (2017): (sum_{j<=min(D_i, D)} C(D, j))^K; no network of this "
        "shape has more."
    )
    sawtooth: BigCount = Field(description="D^K: regions of the constructed sawtooth network.")


class BoundsResponse(Model):
    rows: list[BoundsRow] = Field(description="One row per depth K = 1..max_depth.")


@router.post("/bounds", response_model=BoundsResponse, summary="Region bounds, exact integers")
def bounds(req: BoundsRequest) -> BoundsResponse:
    """Shallow (Zaslavsky) and deep (the book's eq. 4.17, Montufar's upper bound, the sawtooth)
    region counts for K layers of D units, as exact integers with their log10."""
    rows = deep_bounds.bounds_table(req.n_inputs, req.width, req.max_depth)
    return BoundsResponse(
        rows=[
            BoundsRow(
                depth=r.depth,
                hidden_units=r.depth * req.width,
                deep_parameters=r.deep_parameters,
                shallow_same_units=_big(r.shallow_same_units),
                deep_lower=_big(r.deep_lower),
                deep_upper=_big(r.deep_upper),
                sawtooth=_big(r.sawtooth),
            )
            for r in rows
        ]
    )


class CompareRequest(Model):
    width: int = Field(4, ge=1, le=12, description="D: units per layer of the deep networks.")
    max_depth: int = Field(6, ge=1, le=8, description="Depths K = 1..max_depth.")
    n_seeds: int = Field(5, ge=1, le=6, description="Random networks per depth.")
    seed: Seed = 0
    init: SchemeName = Field("he", description="Initialisation of the weights.")
    bias_scale: float = Field(0.5, ge=0, le=10, description="Biases ~ N(0, bias_scale^2).")
    x_min: Coord = Field(-2.0, description="Left end of the counting interval.")
    x_max: Coord = Field(2.0, description="Right end.")

    model_config = {"json_schema_extra": {"examples": [{"width": 3, "max_depth": 4}]}}

    @model_validator(mode="after")
    def _interval(self):
        if self.x_min >= self.x_max:
            raise ValueError("the interval needs x_min < x_max")
        return self


class CompareResponse(Model):
    depths: list[int] = Field(description="K = 1..max_depth.")
    seeds: list[int] = Field(description="The seeds used (columns of the count tables).")
    deep: list[list[int]] = Field(description="Regions of [1, D x K, 1]: [depth][seed].")
    shallow_same_units: list[list[int]] = Field(
        description="Regions of [1, K D, 1] (same hidden units): [depth][seed]."
    )
    shallow_same_parameters_units: list[int] = Field(
        description="Width D_s of the shallow network with about the deep one's parameters."
    )
    shallow_same_parameters: list[list[int]] = Field(
        description="Regions of [1, D_s, 1]: [depth][seed]."
    )
    sawtooth_counted: list[int | None] = Field(
        description="Regions of the sawtooth network counted exactly (null above 2^16)."
    )
    deep_mean: list[float] = Field(description="Mean of `deep` over the seeds, per depth.")
    shallow_same_units_mean: list[float] = Field(
        description="Mean of `shallow_same_units` over the seeds, per depth."
    )
    shallow_same_parameters_mean: list[float] = Field(
        description="Mean of `shallow_same_parameters` over the seeds, per depth."
    )
    bounds: list[BoundsRow] = Field(description="The bounds for D_i = 1, per depth.")


@router.post("/compare", response_model=CompareResponse, summary="Deep against shallow")
def compare(req: CompareRequest) -> CompareResponse:
    """Exact region counts of random deep and shallow ReLU networks (same units, same
    parameters) over several seeds, the sawtooth counted, and the bounds, per depth."""
    seeds = [req.seed + i for i in range(req.n_seeds)]
    r = deep_bounds.deep_vs_shallow(
        req.width, req.max_depth, seeds, req.init, req.bias_scale, req.x_min, req.x_max
    )
    table = bounds(BoundsRequest(n_inputs=1, width=req.width, max_depth=req.max_depth))
    return CompareResponse(
        depths=r.depths.tolist(),
        seeds=seeds,
        deep=r.deep.tolist(),
        shallow_same_units=r.shallow_units.tolist(),
        shallow_same_parameters_units=r.shallow_params_units.tolist(),
        shallow_same_parameters=r.shallow_params.tolist(),
        sawtooth_counted=r.sawtooth_counted,
        deep_mean=r.deep_mean.tolist(),
        shallow_same_units_mean=r.shallow_units_mean.tolist(),
        shallow_same_parameters_mean=r.shallow_params_mean.tolist(),
        bounds=table.rows,
    )

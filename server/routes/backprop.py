"""Backpropagation lab: the toy chain, the network inspector, the cost and gradient sizes.

Layouts: a vector is a list; a matrix is a list of rows. Batches are columns, as in the book:
``x`` and every ``f_k``, ``h_k``, ``dl/df_k`` is ``[unit][example]``. Indices are 0-based.
"""

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter
from pydantic import Field, model_validator

from core import backprop, backprop_chain, backprop_cost, losses, network
from core.activations import ACTIVATION_NAMES
from server.schemas import ErrorResponse, Model, Seed

router = APIRouter(
    prefix="/api/v1/backprop",
    tags=["backpropagation"],
    responses={422: {"model": ErrorResponse, "description": "Invalid request"}},
)

ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
LossName = Literal[tuple(losses.LOSSES)]  # type: ignore[valid-type]
SchemeName = Literal[tuple(network.INIT_SCHEMES)]  # type: ignore[valid-type]
MAX_DEPTH, MAX_WIDTH, MAX_EXAMPLES = 8, 16, 8
Param = Annotated[float, Field(ge=-100, le=100)]
Value = Annotated[float, Field(ge=-1000, le=1000)]
ChainParam = Annotated[float, Field(ge=-10, le=10)]
Width = Annotated[int, Field(ge=1, le=MAX_WIDTH)]
Vector = list[float]
Matrix = list[list[float]]
Columns = list[Annotated[list[Value], Field(min_length=1, max_length=MAX_EXAMPLES)]]


def _rectangular(name: str, rows: list[list]) -> None:
    for i, row in enumerate(rows):
        if len(row) != len(rows[0]):
            raise ValueError(f"{name}: row {i} has {len(row)} numbers but row 0 has {len(rows[0])}")


# ----------------------------------------------------------------------------- the chain


class ChainRequest(Model):
    """The toy chain's parameters, input and target (default: the book's notebook 7.1)."""

    betas: list[ChainParam] = Field(
        default_factory=lambda: list(backprop_chain.BOOK_CHAIN["betas"]),
        min_length=4,
        max_length=4,
        description="beta_0 .. beta_3.",
    )
    omegas: list[ChainParam] = Field(
        default_factory=lambda: list(backprop_chain.BOOK_CHAIN["omegas"]),
        min_length=4,
        max_length=4,
        description="omega_0 .. omega_3.",
    )
    x: ChainParam = Field(backprop_chain.BOOK_CHAIN["x"], description="The input x.")
    y: ChainParam = Field(backprop_chain.BOOK_CHAIN["y"], description="The target y.")
    fd_step: float = Field(1e-6, ge=1e-10, le=0.1, description="Step s of the central differences.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"betas": [1, 2, -3, 0.4], "omegas": [0.1, -0.4, 2, 3], "x": 2.3, "y": 2},
                {"betas": [0, 0, 0, 0], "omegas": [1, 1, 1, 1], "x": 0.5, "y": 1},
            ]
        }
    }


class ChainResponse(Model):
    f: Vector = Field(description="Pre-activations f_0 .. f_3 (4 numbers).")
    h: Vector = Field(description="h_1 = sin f_0, h_2 = exp f_1, h_3 = cos f_2 (3 numbers).")
    loss: float = Field(description="l = (f_3 - y)^2.")
    dh_df: Vector = Field(
        description="Local derivatives dh_k/df_{k-1} for k = 1..3: cos f_0, exp f_1, -sin f_2."
    )
    df_dh: Vector = Field(description="Local derivatives df_k/dh_k = omega_k for k = 1..3.")
    dl_df: Vector = Field(description="Backward products dl/df_0 .. dl/df_3.")
    dl_dh: Vector = Field(description="Backward products dl/dh_1 .. dl/dh_3.")
    dl_dbetas: Vector = Field(description="dl/dbeta_k = dl/df_k, k = 0..3.")
    dl_domegas: Vector = Field(description="dl/domega_k = h_k dl/df_k with h_0 = x, k = 0..3.")
    fd_betas: Vector = Field(description="Central finite differences of l for each beta_k.")
    fd_omegas: Vector = Field(description="Central finite differences of l for each omega_k.")
    errors_betas: Vector = Field(
        description="|backprop - fd| / (|backprop| + |fd|) per beta_k (0 when both are 0)."
    )
    errors_omegas: Vector = Field(description="The same relative error per omega_k.")


@router.post("/chain", response_model=ChainResponse, summary="The toy chain, forward and back")
def chain(req: ChainRequest) -> ChainResponse:
    """Forward values, local derivatives and backward products of
    f = beta_3 + omega_3 cos[beta_2 + omega_2 exp[beta_1 + omega_1 sin[beta_0 + omega_0 x]]]
    with l = (f - y)^2, and the finite-difference check of every parameter."""
    c = backprop_chain.chain_backprop(req.betas, req.omegas, req.x, req.y, req.fd_step)
    return ChainResponse(
        f=c.f.tolist(),
        h=c.h.tolist(),
        loss=c.loss,
        dh_df=c.dh_df.tolist(),
        df_dh=c.df_dh.tolist(),
        dl_df=c.dl_df.tolist(),
        dl_dh=c.dl_dh.tolist(),
        dl_dbetas=c.dl_dbetas.tolist(),
        dl_domegas=c.dl_domegas.tolist(),
        fd_betas=c.fd_betas.tolist(),
        fd_omegas=c.fd_omegas.tolist(),
        errors_betas=[
            backprop.relative_error(a, b) for a, b in zip(c.dl_dbetas, c.fd_betas, strict=True)
        ],
        errors_omegas=[
            backprop.relative_error(a, b) for a, b in zip(c.dl_domegas, c.fd_omegas, strict=True)
        ],
    )


# ----------------------------------------------------------------------------- the inspector


class EditModel(Model):
    kind: Literal["beta", "omega"] = Field(description="Which parameter: beta_k or Omega_k.")
    layer: int = Field(ge=0, le=MAX_DEPTH, description="k (0-based).")
    row: int = Field(ge=0, le=MAX_WIDTH - 1, description="Row (the unit of layer k + 1).")
    column: int = Field(
        0, ge=0, le=MAX_WIDTH - 1, description="Column of Omega_k (ignored for beta_k)."
    )
    value: Param = Field(description="The new value.")


class NetworkRequest(Model):
    """A network (the caller's weights, or drawn from the seed), inputs and targets."""

    seed: Seed = 0
    d_in: Width = Field(2, description="D_i, inputs (ignored when omegas are given).")
    hidden: list[Width] = Field(
        default_factory=lambda: [4, 4, 4],
        min_length=1,
        max_length=MAX_DEPTH,
        description="D_1 .. D_K, hidden widths (ignored when omegas are given).",
    )
    d_out: Width = Field(1, description="D_o, outputs (ignored when omegas are given).")
    activations: list[ActivationName] = Field(
        default_factory=lambda: ["relu"],
        min_length=1,
        max_length=MAX_DEPTH,
        description="One activation for every hidden layer, or one per hidden layer.",
    )
    init: SchemeName = Field("he", description="Initialisation of the drawn weights.")
    scale: float = Field(1.0, ge=0, le=10, description="Multiplies the drawn weights' spread.")
    bias_std: float = Field(
        0.1, ge=0, le=10, description="Standard deviation of the drawn biases (0: all zero)."
    )
    betas: list[list[Param]] | None = Field(
        None, max_length=MAX_DEPTH + 1, description="Your own beta_0 .. beta_K (with omegas)."
    )
    omegas: list[list[list[Param]]] | None = Field(
        None,
        max_length=MAX_DEPTH + 1,
        description="Your own Omega_0 .. Omega_K, each a list of rows (D_{k+1} x D_k).",
    )
    edits: list[EditModel] = Field(
        default_factory=list, max_length=64, description="Single parameters to set afterwards."
    )
    x: Columns | None = Field(
        None,
        min_length=1,
        max_length=MAX_WIDTH,
        description="Inputs, D_i rows x I columns (one column per example); default: drawn.",
    )
    targets: Columns | None = Field(
        None,
        min_length=1,
        max_length=MAX_WIDTH,
        description="Targets: D_o rows x I for least squares; one row of I values otherwise "
        "(0/1 for binary cross-entropy, 0-based class labels for cross-entropy); default: drawn.",
    )
    n_examples: int = Field(
        1, ge=1, le=MAX_EXAMPLES, description="I, examples drawn when x is not given."
    )
    loss: LossName = Field("least_squares", description="The loss (summed over examples).")
    sigma: float = Field(1.0, gt=0, le=100, description="sigma of gaussian_nll.")
    fd_step: float = Field(1e-6, ge=1e-10, le=0.1, description="Step of the central differences.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"seed": 1, "hidden": [4, 4, 4], "activations": ["relu"], "n_examples": 2},
                {
                    "betas": [[0.1, -0.2], [0.3]],
                    "omegas": [[[1.0], [-1.0]], [[0.5, 2.0]]],
                    "activations": ["relu"],
                    "x": [[0.5, -1.0]],
                    "targets": [[1.0, 0.0]],
                },
                {
                    "seed": 3,
                    "d_in": 2,
                    "hidden": [5, 5],
                    "d_out": 3,
                    "activations": ["tanh", "relu"],
                    "loss": "cross_entropy",
                    "x": [[0.2, -0.4, 1.0], [1.5, 0.3, -0.7]],
                    "targets": [[0, 2, 1]],
                    "edits": [{"kind": "omega", "layer": 1, "row": 0, "column": 2, "value": 3.0}],
                },
            ]
        }
    }

    @model_validator(mode="after")
    def _shapes(self):
        for k, omega in enumerate(self.omegas or []):
            _rectangular(f"layer {k}: Omega_{k}", omega)
        if self.x is not None:
            _rectangular("x", self.x)
        if self.targets is not None:
            _rectangular("targets", self.targets)
        return self


class StepModel(Model):
    phase: Literal["forward", "loss", "backward"] = Field(description="Which pass.")
    layer: int = Field(description="The layer index k the step belongs to.")
    formula: str = Field(description="What the step computes (LaTeX).")
    reads: list[str] = Field(
        description="Quantities read: x, y, beta_k, Omega_k, f_k, h_k, dl/df_k, dl/dh_k."
    )
    writes: list[str] = Field(
        description="Quantities written: f_k, h_k, l, dl/df_k, dl/dh_k, dl/dbeta_k, dl/dOmega_k."
    )
    multiplications: int = Field(description="Scalar multiplications per example.")
    multiplications_so_far: int = Field(
        description="Multiplications per example of this step and every step before it."
    )


class CostModel(Model):
    parameters: int = Field(description="P = sum_k D_{k+1} (D_k + 1).")
    forward: int = Field(description="Multiplications of the forward pass, all examples.")
    backward: int = Field(description="Multiplications of the backward pass, all examples.")
    finite_differences: int = Field(
        description="Multiplications of naive central differences (2 P forward passes)."
    )


class LossModel(Model):
    total: float = Field(description="The loss summed over the examples (the book's L).")
    mean: float = Field(description="total / I.")
    per_example: Vector = Field(description="l_i, one per example.")


class NetworkResponse(Model):
    widths: list[int] = Field(description="(D_i, D_1, ..., D_K, D_o).")
    activations: list[str] = Field(description="a_k of hidden layer k = 1..K.")
    betas: list[Vector] = Field(description="beta_0 .. beta_K used (edits applied).")
    omegas: list[Matrix] = Field(description="Omega_0 .. Omega_K used, [k][row][column].")
    x: Matrix = Field(description="Inputs, D_i rows x I columns.")
    targets: Matrix = Field(description="Targets as the loss takes them (rows x I).")
    f: list[Matrix] = Field(description="Pre-activations f_0 .. f_K, [k][unit][example].")
    h: list[Matrix] = Field(description="Activations h_1 .. h_K, [k - 1][unit][example].")
    loss: LossModel
    masks: list[Matrix] = Field(
        description="a'[f_{k-1}] for k = 1..K, [k - 1][unit][example] (ReLU: I[f_{k-1} > 0])."
    )
    dl_df: list[Matrix] = Field(description="dl/df_0 .. dl/df_K, [k][unit][example].")
    dl_dh: list[Matrix] = Field(
        description="dl/dh_k = Omega_k^T dl/df_k for k = 1..K, [k - 1][unit][example]."
    )
    dl_dbetas: list[Vector] = Field(description="dl/dbeta_k, summed over examples, k = 0..K.")
    dl_domegas: list[Matrix] = Field(
        description="dl/dOmega_k = sum_i dl/df_k h_k^T, [k][row][column]."
    )
    fd_betas: list[Vector] = Field(description="Central differences for every beta_k entry.")
    fd_omegas: list[Matrix] = Field(description="Central differences for every Omega_k entry.")
    layer_errors: Vector = Field(
        description="Per layer k: ||g - g_fd|| / (||g|| + ||g_fd||) over beta_k and Omega_k."
    )
    steps: list[StepModel] = Field(description="The forward then backward walk.")
    cost: CostModel


def _matrices(arrays) -> list[Matrix]:
    return [np.asarray(a).tolist() for a in arrays]


@router.post("/network", response_model=NetworkResponse, summary="Inspect a network's backprop")
def inspect_network(req: NetworkRequest) -> NetworkResponse:
    """Forward pass (every f_k, h_k), loss, backward pass (every dl/df_k, dl/dh_k, mask,
    dl/dbeta_k, dl/dOmega_k), the finite-difference check per layer, the step walk and the
    multiplication counts. A shape that does not fit gets a 422 naming the layer."""
    config = backprop.InspectorConfig(
        widths=(req.d_in, *req.hidden, req.d_out),
        activations=req.activations[0] if len(req.activations) == 1 else tuple(req.activations),
        scheme=req.init,
        scale=req.scale,
        bias_std=req.bias_std,
        betas=None if req.betas is None else tuple(req.betas),
        omegas=None if req.omegas is None else tuple(req.omegas),
        edits=tuple(backprop.Edit(**e.model_dump()) for e in req.edits),
        x=None if req.x is None else np.array(req.x, dtype=float),
        targets=None if req.targets is None else np.array(req.targets, dtype=float),
        n_examples=req.n_examples,
        loss=req.loss,
        sigma=req.sigma,
        fd_step=req.fd_step,
    )
    r = backprop.run_inspector(config, np.random.default_rng(req.seed))
    widths = r.net.widths
    n = r.forward.x.shape[1]
    return NetworkResponse(
        widths=list(widths),
        activations=list(r.net.activations),
        betas=_matrices(r.net.betas),
        omegas=_matrices(r.net.omegas),
        x=r.forward.x.tolist(),
        targets=np.atleast_2d(r.targets).tolist(),
        f=_matrices(r.forward.f),
        h=_matrices(r.forward.h),
        loss=LossModel(
            total=r.loss.total, mean=r.loss.mean, per_example=r.loss.per_example.tolist()
        ),
        masks=_matrices(r.masks),
        dl_df=_matrices(r.gradients.dl_df),
        dl_dh=_matrices(r.dl_dh),
        dl_dbetas=_matrices(r.gradients.dl_dbetas),
        dl_domegas=_matrices(r.gradients.dl_domegas),
        fd_betas=_matrices(r.fd_betas),
        fd_omegas=_matrices(r.fd_omegas),
        layer_errors=r.layer_errors.tolist(),
        steps=[StepModel(**vars(s)) for s in backprop.steps(widths)],
        cost=CostModel(
            parameters=network.parameter_count(widths),
            forward=n * backprop_cost.forward_multiplications(widths),
            backward=n * backprop_cost.backward_multiplications(widths),
            finite_differences=n * backprop_cost.finite_difference_multiplications(widths),
        ),
    )


# ----------------------------------------------------------------------------- the cost


class CostRequest(Model):
    """Networks of growing depth: D_i inputs, K hidden layers of `width` units, D_o outputs."""

    d_in: int = Field(2, ge=1, le=1000, description="D_i.")
    d_out: int = Field(1, ge=1, le=1000, description="D_o.")
    width: int = Field(4, ge=1, le=1000, description="Width D of every hidden layer.")
    max_depth: int = Field(8, ge=1, le=100, description="Depths K = 1 .. max_depth.")
    n_examples: int = Field(1, ge=1, le=10_000, description="I: every count is per batch.")

    model_config = {
        "json_schema_extra": {
            "examples": [{"d_in": 2, "d_out": 1, "width": 4, "max_depth": 8, "n_examples": 1}]
        }
    }


class CostResponse(Model):
    depths: list[int] = Field(description="K, one per network.")
    parameters: list[int] = Field(description="P of each network.")
    forward: list[int] = Field(description="Multiplications of one forward pass (I examples).")
    backprop: list[int] = Field(
        description="Multiplications of forward + backward pass, which give every derivative."
    )
    finite_differences: list[int] = Field(
        description="Multiplications of naive central differences: 2 P forward passes."
    )


@router.post("/cost", response_model=CostResponse, summary="Backprop against finite differences")
def cost(req: CostRequest) -> CostResponse:
    """Scalar multiplications counted exactly from the widths (activations and loss evaluated
    but not counted): F = sum_k D_{k+1} D_k forward; backward F + (F - D_1 D_0) + sum D_k;
    finite differences 2 P F."""
    c = backprop_cost.cost_curve(req.d_in, req.d_out, req.width, range(1, req.max_depth + 1))
    n = req.n_examples
    return CostResponse(
        depths=c.sizes.tolist(),
        parameters=c.parameters.tolist(),
        forward=(n * c.forward).tolist(),
        backprop=(n * c.backprop).tolist(),
        finite_differences=(n * c.finite_differences).tolist(),
    )


# ----------------------------------------------------------------------------- gradient sizes


class GradientSizesRequest(Model):
    """Deep networks of one width at initialisation: how big are the gradients per layer?"""

    seed: Seed = 0
    depth: int = Field(20, ge=1, le=40, description="K hidden layers.")
    width: int = Field(32, ge=1, le=48, description="Units per layer (and inputs, outputs).")
    activations: list[ActivationName] = Field(
        default_factory=lambda: ["relu", "tanh", "sigmoid"],
        min_length=1,
        max_length=3,
        description="Activations to compare.",
    )
    scales: list[Annotated[float, Field(gt=0, le=4)]] = Field(
        default_factory=lambda: [0.5, 1.0, 2.0],
        min_length=1,
        max_length=4,
        description="Multipliers of the initialisation's standard deviation.",
    )
    init: SchemeName = Field("he", description="Initialisation scheme.")
    n_seeds: int = Field(5, ge=1, le=8, description="Networks averaged per curve.")
    n_examples: int = Field(16, ge=1, le=32, description="Standard normal inputs per network.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"depth": 20, "width": 32, "activations": ["relu"], "scales": [0.5, 1, 2]},
                {"depth": 10, "width": 16, "activations": ["relu", "tanh"], "scales": [1]},
            ]
        }
    }


class SizeSeries(Model):
    activation: str = Field(description="The activation of every hidden layer.")
    scale: float = Field(description="Multiplier of the initialisation's standard deviation.")
    preactivations: Vector = Field(description="RMS of the entries of f_k, k = 0..K.")
    dl_df: Vector = Field(description="RMS of the entries of dl/df_k, k = 0..K.")
    dl_domegas: Vector = Field(description="RMS of the entries of dl/dOmega_k, k = 0..K.")
    growth_per_layer: float | None = Field(
        description="Factor by which the RMS of dl/df_k grows per layer toward the input "
        "(geometric fit over layers 1..K-1); null when a gradient is exactly 0. ReLU under He "
        "initialisation times c: about c."
    )


class GradientSizesResponse(Model):
    layers: list[int] = Field(description="k = 0..K (the x axis of every series).")
    series: list[SizeSeries] = Field(
        description="One per (activation, scale), activations outer; mean squares averaged "
        "over the seeds, then square-rooted."
    )


@router.post(
    "/gradient-sizes",
    response_model=GradientSizesResponse,
    summary="Vanishing and exploding gradients over depth",
)
def gradient_sizes(req: GradientSizesRequest) -> GradientSizesResponse:
    """Per-layer sizes of f_k, dl/df_k and dl/dOmega_k at initialisation, least-squares loss
    against standard normal targets. Under He initialisation a ReLU network keeps dl/df_k level;
    each factor of `scale` multiplies it by `scale` per layer."""
    series = backprop_cost.gradient_sizes(
        req.depth,
        req.width,
        req.activations,
        req.scales,
        req.init,
        req.n_seeds,
        req.n_examples,
        np.random.default_rng(req.seed),
    )
    return GradientSizesResponse(
        layers=list(range(req.depth + 1)),
        series=[
            SizeSeries(
                activation=s.activation,
                scale=s.scale,
                preactivations=s.preactivations.tolist(),
                dl_df=s.dl_df.tolist(),
                dl_domegas=s.dl_domegas.tolist(),
                growth_per_layer=s.growth_per_layer,
            )
            for s in series
        ],
    )

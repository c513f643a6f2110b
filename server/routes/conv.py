"""Convolution lab: image kernels, 1D convolution, channels, receptive fields, equivariance.

One router for the lab; the image routes live in ``conv_images`` and are included here.
"""

import numpy as np
from fastapi import APIRouter
from pydantic import Field

from core import conv, equivariance, images, pooling, receptive, signals
from server.routes import conv_images
from server.routes.conv_shared import (
    CONVENTIONS,
    MAX_SIDE,
    MIN_SIDE,
    PADDING_DESCRIPTION,
    ActivationName,
    PaddingName,
    PoolingName,
    Sample,
    SignalName,
    Weight,
    choices,
)
from server.schemas import INVALID_REQUEST, Model, Seed

router = APIRouter(
    prefix="/api/v1/conv",
    tags=["convolution"],
    responses=INVALID_REQUEST,
)
router.include_router(conv_images.router)


# ---------------------------------------------------------------------------------------------
# 1D convolution (notes 6.2)


class SignalInput(Model):
    """An input signal: a preset, or your own values."""

    signal: SignalName = Field("step", description="Preset input signal.")
    length: int = Field(24, ge=4, le=128, description="Length N of the preset signal.")
    seed: Seed = 0
    values: list[Sample] | None = Field(
        None, min_length=4, max_length=128, description="Your own x; replaces the preset."
    )

    def signal_array(self) -> np.ndarray:
        if self.values is not None:
            return np.array(self.values, dtype=float)
        return signals.preset_signal(self.signal, self.length, np.random.default_rng(self.seed))


class Conv1dRequest(SignalInput):
    """A single-channel convolutional layer h = a[beta + w * x]."""

    kernel: list[Weight] = Field(
        [-1.0, 0.0, 1.0], min_length=1, max_length=15, description="Kernel weights w_1..w_K."
    )
    stride: int = Field(1, ge=1, le=8, description="Stride s.")
    dilation: int = Field(1, ge=1, le=8, description="Dilation d.")
    padding: PaddingName = Field("zero", description=PADDING_DESCRIPTION)
    bias: float = Field(0.0, ge=-100, le=100, description="Bias beta.")
    activation: ActivationName = Field("linear", description="Activation a[.].")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"values": [1, 2, 4, 8], "kernel": [1, 10, 100], "bias": 0.5},
                {
                    "signal": "square",
                    "length": 32,
                    "kernel": [1, -1],
                    "stride": 2,
                    "dilation": 3,
                    "padding": "valid",
                    "activation": "relu",
                },
            ]
        }
    }


class Conv1dResponse(Model):
    x: list[float] = Field(description="Input signal x, N values (index 0 first).")
    preactivations: list[float] = Field(
        description="z, N_out values: z_i = beta + sum_k w_k x_{s i + d k - p} (x = 0 outside)."
    )
    activations: list[float] = Field(description="h_i = a[z_i], N_out values.")
    sources: list[list[int]] = Field(
        description="N_out rows of K: the 0-based input index read by tap k of output i "
        "(-1: zero padding)."
    )
    matrix: list[list[float]] = Field(
        description="Equivalent dense weights, N_out rows of N columns: z = beta + matrix @ x."
    )
    conv_parameters: int = Field(description="Parameters of the convolution: K weights + 1 bias.")
    dense_parameters: int = Field(
        description="Parameters of a fully connected layer N -> N_out: "
        "N N_out weights + N_out biases."
    )
    padding_left: int = Field(description="Zeros added on the left, p (positions).")
    padding_right: int = Field(description="Zeros added on the right (positions).")
    kernel_span: int = Field(
        description="E = (K - 1) d + 1: input positions one output's window spans."
    )
    tap_positions: list[list[int]] = Field(
        description="N_out rows of K: the 0-based position read by tap k of output i, padding "
        "included (s i + d k - p; below 0 or from N on: a zero of the padding)."
    )
    output_centres: list[float] = Field(
        description="N_out values: the middle of output i's window in input positions, "
        "s i + (E - 1) / 2 - p (where a diagram draws the output)."
    )


@router.post(
    "/conv1d",
    response_model=Conv1dResponse,
    summary="One 1D convolutional layer",
    description="Output, the connection diagram, and the same layer as a dense weight matrix, "
    "for a preset signal or your own values.\n" + CONVENTIONS,
)
def conv1d_view(req: Conv1dRequest) -> Conv1dResponse:
    x = req.signal_array()
    kernel = np.array(req.kernel)
    layer = conv.conv_layer(
        x[None], kernel[None, None], np.array([req.bias]), req.activation,
        req.stride, req.dilation, req.padding,
    )  # fmt: skip
    counts = conv.parameter_counts(x.size, kernel.size, 1, 1, req.stride, req.dilation, req.padding)
    shape = (x.size, kernel.size, req.stride, req.dilation, req.padding)
    left, right = conv.pad_amounts(kernel.size, req.dilation, req.padding)
    return Conv1dResponse(
        x=x.tolist(),
        preactivations=layer.preactivations[0].tolist(),
        activations=layer.activations[0].tolist(),
        sources=conv.tap_sources(
            x.size, kernel.size, req.stride, req.dilation, req.padding
        ).tolist(),
        matrix=conv.conv1d_matrix(x.size, kernel, req.stride, req.dilation, req.padding).tolist(),
        conv_parameters=counts.conv_total,
        dense_parameters=counts.dense_total,
        padding_left=left,
        padding_right=right,
        kernel_span=conv.effective_kernel_size(kernel.size, req.dilation),
        tap_positions=conv.tap_positions(*shape).tolist(),
        output_centres=conv.output_centres(*shape).tolist(),
    )


class ChannelsRequest(Model):
    """A layer with C_i input and C_o output channels, weights drawn from the seed."""

    signal: SignalName = Field("sine", description="Preset of the first input channel.")
    length: int = Field(32, ge=4, le=128, description="Length N of each channel.")
    seed: Seed = 0
    in_channels: int = Field(2, ge=1, le=4, description="Input channels C_i.")
    out_channels: int = Field(3, ge=1, le=6, description="Output channels C_o.")
    kernel_size: int = Field(3, ge=1, le=9, description="Kernel size K.")
    stride: int = Field(1, ge=1, le=4, description="Stride s.")
    dilation: int = Field(1, ge=1, le=4, description="Dilation d.")
    padding: PaddingName = Field("zero", description=PADDING_DESCRIPTION)
    activation: ActivationName = Field("relu", description="Activation a[.].")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "signal": "step",
                    "length": 16,
                    "in_channels": 3,
                    "out_channels": 2,
                    "kernel_size": 5,
                    "seed": 7,
                }
            ]
        }
    }


class ChannelsResponse(Model):
    inputs: list[list[float]] = Field(description="Input channels x, C_i rows of N values.")
    weights: list[list[list[float]]] = Field(
        description="Omega, shape C_i x C_o x K: weights[c][o] is the kernel from input "
        "channel c to output channel o."
    )
    biases: list[float] = Field(description="beta, one per output channel (C_o values).")
    preactivations: list[list[float]] = Field(
        description="Pre-activations z, C_o rows of N_out values."
    )
    activations: list[list[float]] = Field(
        description="Feature maps h = a[z], C_o rows of N_out values."
    )
    conv_parameters: int = Field(description="C_i C_o K weights + C_o biases.")
    conv_weights: int = Field(description="Entries of Omega: C_i C_o K.")
    dense_parameters: int = Field(
        description="A fully connected layer from C_i N to C_o N_out units, with biases."
    )


@router.post("/channels", response_model=ChannelsResponse, summary="Multi-channel layer")
def channels(req: ChannelsRequest) -> ChannelsResponse:
    """Every input channel, the weights Omega and biases beta, and every feature map."""
    rng = np.random.default_rng(req.seed)
    x = signals.channel_signals(req.signal, req.in_channels, req.length, rng)
    weights, biases = conv.random_conv_weights(
        req.in_channels, req.out_channels, req.kernel_size, rng
    )
    layer = conv.conv_layer(
        x, weights, biases, req.activation, req.stride, req.dilation, req.padding
    )
    counts = conv.parameter_counts(
        req.length, req.kernel_size, req.in_channels, req.out_channels,
        req.stride, req.dilation, req.padding,
    )  # fmt: skip
    return ChannelsResponse(
        inputs=x.tolist(),
        weights=weights.tolist(),
        biases=biases.tolist(),
        preactivations=layer.preactivations.tolist(),
        activations=layer.activations.tolist(),
        conv_parameters=counts.conv_total,
        dense_parameters=counts.dense_total,
        conv_weights=counts.conv_weights,
    )


class LayerSpec(Model):
    kernel_size: int = Field(3, ge=1, le=9, description="Kernel size K_l.")
    stride: int = Field(1, ge=1, le=4, description="Stride s_l.")
    dilation: int = Field(1, ge=1, le=8, description="Dilation d_l.")


class ReceptiveRequest(Model):
    """A stack of 1D conv layers and one output unit to trace back."""

    layers: list[LayerSpec] = Field(
        default_factory=lambda: [LayerSpec(), LayerSpec(), LayerSpec()],
        min_length=1,
        max_length=8,
        description="The layers, first to last.",
    )
    length: int = Field(32, ge=4, le=256, description="Input length N.")
    padding: PaddingName = Field("zero", description=PADDING_DESCRIPTION)
    unit: int = Field(16, ge=0, le=255, description="Index of the unit in the last layer.")
    clamp_unit: bool = Field(
        False,
        description="When true, a unit beyond the last layer is replaced by its last unit "
        "(the answer's `unit` says which was used); when false it is an error.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "layers": [
                        {"kernel_size": 3},
                        {"kernel_size": 3, "stride": 2},
                        {"kernel_size": 3, "dilation": 2},
                    ],
                    "length": 32,
                    "unit": 4,
                },
                {"length": 16, "unit": 40, "clamp_unit": True},
            ]
        }
    }


class ReceptiveResponse(Model):
    sizes: list[int] = Field(
        description="Receptive-field size r_l of each layer (L values, input positions)."
    )
    jumps: list[int] = Field(
        description="Input distance j_l between neighbouring units of each layer (L values)."
    )
    lengths: list[int] = Field(description="Units in the input and in each layer (L + 1 values).")
    paths: list[list[int]] = Field(
        description="L + 1 rows (input first, last layer last), one entry per unit: the number "
        "of paths from that unit to the chosen unit (non-zero: the unit feeds it)."
    )
    positions: list[int] = Field(
        description="0-based input positions that feed the chosen unit, ascending."
    )
    unit: int = Field(description="The unit of the last layer traced back (0-based).")
    centres: list[list[float]] = Field(
        description="L + 1 rows (input first), one entry per unit: the centre of its receptive "
        "field in input positions (where a diagram draws the unit)."
    )
    links: list[list[list[int]]] = Field(
        description="L rows, one per layer l = 1..L, of pairs [j, i] (0-based): unit i of "
        "layer l lies on a path to the chosen unit and reads unit j of layer l - 1 (reads on "
        "padding left out)."
    )


@router.post("/receptive", response_model=ReceptiveResponse, summary="Receptive fields")
def receptive_field(req: ReceptiveRequest) -> ReceptiveResponse:
    """Receptive-field size of every layer and the inputs that feed one output unit."""
    layers = [receptive.ConvLayer(x.kernel_size, x.stride, x.dilation) for x in req.layers]
    table = receptive.receptive_field_table(layers, req.length, req.padding)
    unit = min(req.unit, int(table.lengths[-1]) - 1) if req.clamp_unit else req.unit
    paths = receptive.layer_paths(layers, req.length, unit, req.padding)
    links = receptive.dependency_links(layers, req.length, unit, req.padding)
    return ReceptiveResponse(
        sizes=table.sizes.tolist(),
        jumps=table.jumps.tolist(),
        lengths=table.lengths.tolist(),
        paths=[p.tolist() for p in paths],
        positions=np.flatnonzero(paths[0]).tolist(),
        unit=unit,
        centres=[c.tolist() for c in receptive.unit_centres(layers, req.length, req.padding)],
        links=[pairs.tolist() for pairs in links],
    )


class EquivarianceRequest(SignalInput):
    """Shift the input and compare f[t[x]] with t[f[x]] and f[x]."""

    signal: SignalName = Field("bump", description="Preset input signal.")
    length: int = Field(48, ge=4, le=128, description="Length N of the preset signal.")
    kernel: list[Weight] = Field(
        [1.0, 0.0, -1.0], min_length=1, max_length=15, description="Kernel weights."
    )
    bias: float = Field(0.0, ge=-100, le=100, description="Bias beta.")
    activation: ActivationName = Field("relu", description="Activation a[.].")
    shift: int = Field(3, ge=-64, le=64, description="Shift s of the input (positive: right).")
    pooling: PoolingName = Field("none", description="Pooling after the convolution.")
    pool_size: int = Field(2, ge=1, le=8, description="Pooling window P.")
    pool_stride: int = Field(2, ge=1, le=8, description="Pooling stride S.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "signal": "bump",
                    "length": 48,
                    "kernel": [1, 0, -1],
                    "shift": 4,
                    "pooling": "max",
                    "pool_size": 2,
                    "pool_stride": 2,
                },
                {"values": [0, 0, 1, 2, 0, 0], "kernel": [1], "activation": "linear", "shift": 1},
            ]
        }
    }


class EquivarianceResponse(Model):
    x: list[float] = Field(description="Input x, N values.")
    t_x: list[float] = Field(
        description="Shifted input t[x], N values: t[x]_j = x_{j - shift}, zeros shifted in."
    )
    f_x: list[float] = Field(
        description="f[x], N_out values (1 for global pooling): conv (zero padding, stride 1) "
        "+ activation + pooling."
    )
    f_t_x: list[float] = Field(description="f[t[x]], same length as f_x.")
    t_f_x: list[float] | None = Field(
        description="t[f[x]], the output shifted by output_shift; null when undefined."
    )
    output_shift: int | None = Field(
        description="Shift of the output, s / S after pooling with stride S; null if S does not "
        "divide s."
    )
    interior: list[bool] = Field(
        description="One flag per output: its inputs avoid the padding and the zeros shifted "
        "in, for x and t[x]; there f[t[x]] = t[f[x]] exactly."
    )
    equivariance_gap: float | None = Field(description="max |f[t[x]] - t[f[x]]| in the interior.")
    invariance_gap: float = Field(description="max |f[t[x]] - f[x]| over all outputs.")


@router.post(
    "/equivariance", response_model=EquivarianceResponse, summary="Equivariance and invariance"
)
def equivariance_view(req: EquivarianceRequest) -> EquivarianceResponse:
    """f[t[x]], t[f[x]] and f[x] for a conv layer, optionally followed by pooling."""
    x = req.signal_array()
    cmp = equivariance.compare_shift(
        x, np.array(req.kernel), req.bias, req.activation, req.shift,
        req.pooling, req.pool_size, req.pool_stride,
    )  # fmt: skip
    return EquivarianceResponse(
        x=x.tolist(),
        t_x=equivariance.shift(x, req.shift).tolist(),
        f_x=cmp.f_x.tolist(),
        f_t_x=cmp.f_t_x.tolist(),
        t_f_x=None if cmp.t_f_x is None else cmp.t_f_x.tolist(),
        output_shift=cmp.output_shift,
        interior=cmp.interior.tolist(),
        equivariance_gap=cmp.equivariance_gap,
        invariance_gap=cmp.invariance_gap,
    )


# ---------------------------------------------------------------------------------------------
# Names and limits for the pages


class ChoiceItem(Model):
    name: str = Field(description="Value the API accepts.")
    label: str = Field(description="What a page shows.")
    description: str = Field(description="What it is, in words.")


class ConvOptionsResponse(Model):
    images: list[ChoiceItem] = Field(description="Built-in grey images (the `image` field).")
    colour_images: list[ChoiceItem] = Field(description="Built-in colour images (channels2d).")
    kernels: list[ChoiceItem] = Field(description="Image kernels (the `kernel` field).")
    single_kernels: list[ChoiceItem] = Field(
        description="Library kernels that are a single convolution (equivariance2d's `kernel`)."
    )
    signals: list[ChoiceItem] = Field(description="Preset 1D signals (the `signal` field).")
    paddings: list[ChoiceItem] = Field(description="Padding modes (the `padding` field).")
    pool_kinds: list[ChoiceItem] = Field(description="Pooling kinds (pool2d's `kind`).")
    poolings: list[ChoiceItem] = Field(
        description="What follows the convolution in the equivariance routes (`pooling`)."
    )
    image_side: list[int] = Field(
        description="[smallest, largest] side in pixels of an image sent as `pixels`."
    )


@router.get(
    "/options",
    response_model=ConvOptionsResponse,
    summary="Names and limits of the convolution lab",
    description="Every list of names the convolution routes accept, with the label a page "
    "shows, and the size limits of an image you send.",
)
def options() -> ConvOptionsResponse:
    return ConvOptionsResponse(
        images=choices(images.IMAGES),
        colour_images=choices(images.COLOUR_IMAGES),
        kernels=choices(images.KERNEL_CHOICES),
        single_kernels=[
            item
            for item in choices(images.KERNEL_CHOICES)
            if item["name"] in images.SINGLE_KERNEL_NAMES
        ],
        signals=choices(signals.SIGNALS),
        paddings=choices(conv.PADDING_MODES),
        pool_kinds=choices(pooling.POOL_KIND_CHOICES),
        poolings=choices(equivariance.POOLING_CHOICES),
        image_side=[MIN_SIDE, MAX_SIDE],
    )

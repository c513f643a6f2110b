"""Convolution lab: image kernels, 1D convolution, channels, receptive fields, equivariance."""

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import Field, model_validator
from starlette.concurrency import run_in_threadpool

from core import conv, equivariance, images, receptive, signals
from core.activations import ACTIVATION_NAMES
from core.errors import DomainError
from server.image_upload import MAX_UPLOAD_BYTES, decode_image
from server.schemas import ErrorResponse, Model, Seed

router = APIRouter(
    prefix="/api/v1/conv",
    tags=["convolution"],
    responses={422: {"model": ErrorResponse, "description": "Invalid request"}},
)

ImageName = Literal["checkerboard", "shapes", "strokes", "noise"]
KernelName = Literal[
    "identity",
    "box_blur",
    "gaussian_blur",
    "sharpen",
    "sobel_x",
    "sobel_y",
    "gradient_magnitude",
    "laplacian",
    "emboss",
    "custom",
]
PaddingName = Literal["zero", "valid"]
SignalName = Literal["step", "spike", "bump", "square", "sine", "ramp", "noise"]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
PoolingName = Literal["none", "max", "average", "global_max", "global_average"]

Weight = Annotated[float, Field(ge=-100, le=100)]
Sample = Annotated[float, Field(ge=-1000, le=1000)]

PADDING_DESCRIPTION = (
    "'zero': pad (K-1)d zeros, floor half on the left, the rest on the right ('same' size at "
    "stride 1); 'valid': no padding."
)


def _rounded(a: np.ndarray, decimals: int = 5) -> list:
    """Round for transport: pictures do not need 17 digits, and the answer stays small."""
    return np.round(a, decimals).tolist()


# ---------------------------------------------------------------------------------------------
# Image kernels (notes 6.1)


class ImageKernelRequest(Model):
    """Which built-in image, which kernel, which padding."""

    image: ImageName = Field("shapes", description="Built-in image.")
    size: int = Field(128, ge=16, le=256, description="Side of the built-in image in pixels.")
    seed: Seed = 0
    kernel: KernelName = Field("sobel_x", description="Kernel from the library, or 'custom'.")
    padding: PaddingName = Field("zero", description=PADDING_DESCRIPTION)
    custom: list[list[Weight]] | None = Field(
        None,
        min_length=3,
        max_length=5,
        description="Weights of the custom kernel, 3x3 or 5x5 rows (kernel='custom' only).",
    )

    @model_validator(mode="after")
    def _custom_needed(self):
        if self.kernel == "custom" and self.custom is None:
            raise ValueError("kernel 'custom' needs the 'custom' weights (3x3 or 5x5)")
        if self.custom is not None and any(len(row) != len(self.custom) for row in self.custom):
            raise ValueError("the custom kernel must be square: 3 rows of 3 or 5 rows of 5")
        return self


class ImageKernelResponse(Model):
    image: list[list[float]] = Field(description="Grey input image, rows of pixels in [0, 1].")
    kernels: list[list[list[float]]] = Field(
        description="Kernel(s) applied: one K x K matrix, or Sobel x and y for the magnitude."
    )
    output: list[list[float]] = Field(
        description="Output image: sum of kernel times patch at each position (or the magnitude)."
    )
    padding: list[int] = Field(
        min_length=2,
        max_length=2,
        description="Zeros added above and to the left (top, left): output pixel (i, j) sees "
        "input rows i - top .. i - top + K - 1.",
    )
    label: str = Field(description="Name of the kernel in words.")
    description: str = Field(description="What the kernel does.")


def _filtered(image: np.ndarray, kernel: str, padding: str, custom) -> ImageKernelResponse:
    result = images.filter_image(
        image, kernel, padding, None if custom is None else np.array(custom, dtype=float)
    )
    size = result.kernels[0].shape[0]
    top, _ = conv.pad_amounts(size, 1, padding)
    info = images.KERNELS.get(kernel)
    return ImageKernelResponse(
        image=_rounded(image, 4),
        kernels=[k.tolist() for k in result.kernels],
        output=_rounded(result.output, 4),
        padding=[top, top],
        label=info.label if info else f"Custom {size}x{size}",
        description=info.description if info else "your own weights",
    )


@router.post("/image", response_model=ImageKernelResponse, summary="Apply a kernel to an image")
def image_kernel(req: ImageKernelRequest) -> ImageKernelResponse:
    """A built-in image, the kernel, and the output image (cross-correlation)."""
    image = images.builtin_image(req.image, req.size, np.random.default_rng(req.seed))
    return _filtered(image, req.kernel, req.padding, req.custom)


def _parse_custom(text: str | None) -> list[list[float]] | None:
    if text is None or not text.strip():
        return None
    try:
        values = [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise DomainError("custom must be 9 or 25 comma-separated numbers") from None
    side = {9: 3, 25: 5}.get(len(values))
    if side is None:
        raise DomainError(f"custom must be 9 or 25 comma-separated numbers, got {len(values)}")
    if not all(np.isfinite(values)) or max(abs(v) for v in values) > 100:
        raise DomainError("custom weights must be finite numbers between -100 and 100")
    return [values[r * side : (r + 1) * side] for r in range(side)]


MULTIPART_SLACK = 64 * 1024  # room for the form fields and multipart boundaries


class SizeLimitedRoute(APIRoute):
    """Refuse a body whose declared Content-Length is over the upload limit before parsing it:
    otherwise the whole file would be spooled to disk first, however large."""

    def get_route_handler(self):
        handle = super().get_route_handler()

        async def limited(request: Request):
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + MULTIPART_SLACK:
                message = (
                    f"the upload is {int(declared) // 1024} KiB; at most "
                    f"{MAX_UPLOAD_BYTES // 1024} KiB is accepted"
                )
                return JSONResponse(
                    status_code=422,
                    content={"detail": [{"type": "value_error", "loc": ["body"], "msg": message}]},
                )
            return await handle(request)

        return limited


upload_router = APIRouter(route_class=SizeLimitedRoute)


@upload_router.post(
    "/image/upload",
    response_model=ImageKernelResponse,
    summary="Apply a kernel to your own image",
)
async def image_upload(
    file: Annotated[
        UploadFile,
        File(
            description=f"PNG or JPEG, grey or RGB, at most {MAX_UPLOAD_BYTES // 1024 // 1024} "
            "MiB; converted to grey and downscaled to fit 512 x 512."
        ),
    ],
    kernel: Annotated[KernelName, Form(description="Kernel from the library, or 'custom'.")] = (
        "sobel_x"
    ),
    padding: Annotated[PaddingName, Form(description=PADDING_DESCRIPTION)] = "zero",
    custom: Annotated[
        str | None,
        Form(
            max_length=600,
            description="Custom kernel: 9 or 25 comma-separated numbers, row by row.",
        ),
    ] = None,
) -> ImageKernelResponse:
    """Your image (converted to grey), the kernel, and the output image."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)  # one byte more tells us it is too big
    weights = _parse_custom(custom)
    if kernel == "custom" and weights is None:
        raise DomainError("kernel 'custom' needs the 'custom' weights (9 or 25 numbers)")
    # Decoding and filtering take up to ~0.5 s of CPU: in a worker thread, not on the event loop.
    return await run_in_threadpool(_upload_view, data, kernel, padding, weights)


def _upload_view(data: bytes, kernel: str, padding: str, weights) -> ImageKernelResponse:
    return _filtered(decode_image(data), kernel, padding, weights)


router.include_router(upload_router)


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


class Conv1dResponse(Model):
    x: list[float] = Field(description="Input signal x (length N).")
    preactivations: list[float] = Field(description="z_i = beta + sum_k w_k x_{s i + d k - p}.")
    activations: list[float] = Field(description="h_i = a[z_i].")
    sources: list[list[int]] = Field(
        description="For each output i, the input index read by each tap k (-1: zero padding)."
    )
    matrix: list[list[float]] = Field(
        description="Equivalent dense weights (N_out x N): z = beta + matrix @ x."
    )
    conv_parameters: int = Field(description="Parameters of the convolution: K weights + 1 bias.")
    dense_parameters: int = Field(
        description="Parameters of a fully connected layer N -> N_out: "
        "N N_out weights + N_out biases."
    )
    padding_left: int = Field(description="Zeros added on the left, p.")


@router.post("/conv1d", response_model=Conv1dResponse, summary="One 1D convolutional layer")
def conv1d_view(req: Conv1dRequest) -> Conv1dResponse:
    """Output, the connection diagram, and the same layer as a dense weight matrix."""
    x = req.signal_array()
    kernel = np.array(req.kernel)
    layer = conv.conv_layer(
        x[None], kernel[None, None], np.array([req.bias]), req.activation,
        req.stride, req.dilation, req.padding,
    )  # fmt: skip
    counts = conv.parameter_counts(x.size, kernel.size, 1, 1, req.stride, req.dilation, req.padding)
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
        padding_left=conv.pad_amounts(kernel.size, req.dilation, req.padding)[0],
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


class ChannelsResponse(Model):
    inputs: list[list[float]] = Field(description="Input channels x, C_i rows of length N.")
    weights: list[list[list[float]]] = Field(description="Omega, shape C_i x C_o x K.")
    biases: list[float] = Field(description="beta, one per output channel.")
    preactivations: list[list[float]] = Field(description="Pre-activations, C_o x N_out.")
    activations: list[list[float]] = Field(description="Feature maps h = a[z], C_o x N_out.")
    conv_parameters: int = Field(description="C_i C_o K weights + C_o biases.")
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


class ReceptiveResponse(Model):
    sizes: list[int] = Field(description="Receptive-field size r_l of each layer.")
    jumps: list[int] = Field(description="Input distance j_l between neighbouring units.")
    lengths: list[int] = Field(description="Units in the input and in each layer.")
    paths: list[list[int]] = Field(
        description="For the input and each layer, the number of paths from each unit to the "
        "chosen unit (non-zero: the unit feeds it)."
    )
    positions: list[int] = Field(description="Input positions that feed the chosen unit.")


@router.post("/receptive", response_model=ReceptiveResponse, summary="Receptive fields")
def receptive_field(req: ReceptiveRequest) -> ReceptiveResponse:
    """Receptive-field size of every layer and the inputs that feed one output unit."""
    layers = [receptive.ConvLayer(x.kernel_size, x.stride, x.dilation) for x in req.layers]
    table = receptive.receptive_field_table(layers, req.length, req.padding)
    paths = receptive.layer_paths(layers, req.length, req.unit, req.padding)
    return ReceptiveResponse(
        sizes=table.sizes.tolist(),
        jumps=table.jumps.tolist(),
        lengths=table.lengths.tolist(),
        paths=[p.tolist() for p in paths],
        positions=np.flatnonzero(paths[0]).tolist(),
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


class EquivarianceResponse(Model):
    x: list[float] = Field(description="Input x.")
    t_x: list[float] = Field(description="Shifted input t[x] (zeros shifted in).")
    f_x: list[float] = Field(description="f[x].")
    f_t_x: list[float] = Field(description="f[t[x]].")
    t_f_x: list[float] | None = Field(
        description="t[f[x]], the output shifted by output_shift; null when undefined."
    )
    output_shift: int | None = Field(
        description="Shift of the output, s / S after pooling with stride S; null if S does not "
        "divide s."
    )
    interior: list[bool] = Field(description="Outputs away from the borders (exact equality).")
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

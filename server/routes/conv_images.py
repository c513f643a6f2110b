"""Convolution lab, images (notes 6.1 and ch. 6 in 2D): kernels with stride, dilation and
padding, pooling, shift equivariance and invariance, colour channels."""

from typing import Annotated

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import Field, model_validator
from starlette.concurrency import run_in_threadpool

from core import conv, equivariance, images, pooling
from core.errors import DomainError
from server.image_upload import MAX_UPLOAD_BYTES, decode_image
from server.limits import light_when
from server.routes.conv_shared import (
    CONVENTIONS,
    DECIMALS_DESCRIPTION,
    MAX_SIDE,
    MIN_SIDE,
    PADDING_DESCRIPTION,
    ActivationName,
    ColourImageName,
    DtypeName,
    ImageName,
    KernelName,
    PaddingName,
    Pixel,
    PoolingName,
    PoolKindName,
    Weight,
    values,
)
from server.schemas import Model, Seed, json_answer

router = APIRouter()

Rows = list[Annotated[list[Pixel], Field(min_length=MIN_SIDE, max_length=MAX_SIDE)]]
Decimals = Annotated[int | None, Field(None, ge=0, le=15, description=DECIMALS_DESCRIPTION)]


class ImageSource(Model):
    """A built-in grey image, or your own float image as a list of rows."""

    image: ImageName = Field(
        "shapes", description="Built-in image (ignored when `pixels` is given)."
    )
    size: int = Field(128, ge=16, le=MAX_SIDE, description="Side of the built-in image in pixels.")
    seed: Seed = 0
    pixels: Rows | None = Field(
        None,
        min_length=MIN_SIDE,
        max_length=MAX_SIDE,
        description=f"Your own image: H rows of W floats ({MIN_SIDE} to {MAX_SIDE} each, any "
        "finite value in [-1000, 1000], not only [0, 1]); replaces the built-in image.",
    )

    @model_validator(mode="after")
    def _rectangular(self):
        if self.pixels is not None and len({len(row) for row in self.pixels}) != 1:
            raise ValueError("pixels must be a rectangle: every row the same length")
        return self

    def image_array(self) -> np.ndarray:
        """(H, W) float image."""
        if self.pixels is not None:
            return np.array(self.pixels, dtype=float)
        return images.builtin_image(self.image, self.size, np.random.default_rng(self.seed))


class KernelChoice(Model):
    kernel: KernelName = Field("sobel_x", description="Kernel from the library, or 'custom'.")
    custom: list[list[Weight]] | None = Field(
        None,
        min_length=3,
        max_length=5,
        description="Weights of the custom kernel, 3 rows of 3 or 5 rows of 5 (kernel='custom').",
    )

    @model_validator(mode="after")
    def _custom_needed(self):
        if self.kernel == "custom" and self.custom is None:
            raise ValueError("kernel 'custom' needs the 'custom' weights (3x3 or 5x5)")
        if self.custom is not None and any(len(row) != len(self.custom) for row in self.custom):
            raise ValueError("the custom kernel must be square: 3 rows of 3 or 5 rows of 5")
        return self

    def custom_array(self) -> np.ndarray | None:
        return None if self.custom is None else np.array(self.custom, dtype=float)


# ---------------------------------------------------------------------------------------------
# Image kernels


class ImageKernelRequest(ImageSource, KernelChoice):
    """An image (built-in or your own floats), a kernel, and the layer's geometry."""

    padding: PaddingName = Field("zero", description=PADDING_DESCRIPTION)
    stride: int = Field(1, ge=1, le=8, description="Stride s along rows and columns.")
    dilation: int = Field(1, ge=1, le=8, description="Dilation d along rows and columns.")
    dtype: DtypeName = Field(
        "float64", description="Arithmetic precision: float32 is faster, about 7 digits."
    )
    decimals: Decimals = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"image": "shapes", "size": 64, "kernel": "sobel_x", "stride": 2},
                {
                    "pixels": [[0, 0, 0, 0, 1, 1, 1, 1]] * 8,
                    "kernel": "custom",
                    "custom": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
                    "padding": "valid",
                    "dilation": 2,
                },
            ]
        }
    }


class ImageKernelResponse(Model):
    image: list[list[float]] = Field(
        description="Input image x, H rows of W values (built-in images lie in [0, 1])."
    )
    kernels: list[list[list[float]]] = Field(
        description="Kernel(s) applied, each K rows of K weights: one, or Sobel x and y for the "
        "gradient magnitude."
    )
    output: list[list[float]] = Field(
        description="Output z, H_out rows of W_out values: sum of kernel times patch at each "
        "position (or the gradient magnitude). Unitless, like the image."
    )
    padding: list[int] = Field(
        min_length=2,
        max_length=2,
        description="Zeros added above and to the left, [top, left] (pixels).",
    )
    pads: list[list[int]] = Field(
        description="Zeros added [[top, bottom], [left, right]] (pixels)."
    )
    stride: int = Field(description="Stride s (pixels between neighbouring windows).")
    dilation: int = Field(description="Dilation d (pixels between neighbouring taps).")
    span: int = Field(description="E = (K - 1) d + 1: pixels one dilated kernel spans per axis.")
    input_shape: list[int] = Field(description="[H, W] of the input, in pixels.")
    output_shape: list[int] = Field(
        description="[H_out, W_out] = floor((H + p_top + p_bottom - E) / s) + 1 and likewise, "
        "with E = (K - 1) d + 1."
    )
    rows_read: list[list[int]] = Field(
        description="H_out rows of K input row indices: tap a of output row i reads row "
        "s i + d a - p_top (0-based; < 0 or >= H means zero padding). Places the sliding window."
    )
    cols_read: list[list[int]] = Field(
        description="W_out rows of K input column indices, like rows_read for columns."
    )
    label: str = Field(description="Name of the kernel in words.")
    description: str = Field(description="What the kernel does.")


def _filtered(
    image: np.ndarray,
    kernel: str,
    padding: str,
    custom: np.ndarray | None,
    stride: int = 1,
    dilation: int = 1,
    dtype: str = "float64",
    decimals: int | None = None,
) -> ImageKernelResponse:
    result = images.filter_image(image, kernel, padding, custom, stride, dilation, dtype)
    size = result.kernels[0].shape[0]
    pads = list(result.pads)
    info = images.KERNELS.get(kernel)
    return ImageKernelResponse(
        image=values(image, decimals),
        kernels=[k.tolist() for k in result.kernels],
        output=values(result.output, decimals),
        padding=[pads[0], pads[0]],
        pads=[pads, pads],
        stride=stride,
        dilation=dilation,
        span=result.span,
        input_shape=list(image.shape),
        output_shape=list(result.output.shape),
        rows_read=result.rows_read.tolist(),
        cols_read=result.cols_read.tolist(),
        label=info.label if info else f"Custom {size}x{size}",
        description=info.description if info else "your own weights",
    )


# A built-in image of at most this side (two images of 160 x 160 numbers, at most ~1 MB of JSON,
# like the largest light answers) is a slider move: computed as a light request, not queued
# behind heavy work in a heavy process of lower priority.
LIGHT_IMAGE_SIDE = 160


@light_when("/api/v1/conv/image")
def small_image(body: dict) -> bool:
    """Whether the request asks for a built-in image (no `pixels`) of side at most
    LIGHT_IMAGE_SIDE, with the default side when the body leaves it out."""
    size = body.get("size", 128)
    return body.get("pixels") is None and type(size) is int and size <= LIGHT_IMAGE_SIDE


@router.post(
    "/image",
    response_model=ImageKernelResponse,
    summary="Apply a kernel to an image (stride, dilation, padding)",
    description="A built-in image or your own float image (a list of rows), one kernel, and the "
    "output image, at full precision unless `decimals` is given.\n" + CONVENTIONS,
)
def image_kernel(req: ImageKernelRequest) -> Response:
    answer = _filtered(
        req.image_array(), req.kernel, req.padding, req.custom_array(),
        req.stride, req.dilation, req.dtype, req.decimals,
    )  # fmt: skip
    # Two images of up to 256 x 256 numbers: pydantic's own JSON writer is several times faster
    # than the default path (validate the answer again, then json.dumps); it is still validated
    # once, when it is built.
    return json_answer(answer)


def _parse_custom(text: str | None) -> np.ndarray | None:
    if text is None or not text.strip():
        return None
    try:
        numbers = [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise DomainError("custom must be 9 or 25 comma-separated numbers") from None
    side = {9: 3, 25: 5}.get(len(numbers))
    if side is None:
        raise DomainError(f"custom must be 9 or 25 comma-separated numbers, got {len(numbers)}")
    if not all(np.isfinite(numbers)) or max(abs(v) for v in numbers) > 100:
        raise DomainError("custom weights must be finite numbers between -100 and 100")
    return np.array(numbers).reshape(side, side)


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
    summary="Apply a kernel to your own image file",
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
    stride: Annotated[int, Form(ge=1, le=8, description="Stride s.")] = 1,
    dilation: Annotated[int, Form(ge=1, le=8, description="Dilation d.")] = 1,
    decimals: Annotated[int | None, Form(ge=0, le=15, description=DECIMALS_DESCRIPTION)] = None,
) -> Response:
    """Your image (converted to grey), the kernel, and the output image (see `/image` for the
    conventions)."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)  # one byte more tells us it is too big
    weights = _parse_custom(custom)
    if kernel == "custom" and weights is None:
        raise DomainError("kernel 'custom' needs the 'custom' weights (9 or 25 numbers)")
    # Decoding and filtering take up to ~0.5 s of CPU: in a worker thread, not on the event loop.
    return await run_in_threadpool(
        _upload_view, data, kernel, padding, weights, stride, dilation, decimals
    )


def _upload_view(data, kernel, padding, weights, stride, dilation, decimals) -> Response:
    image = decode_image(data)
    answer = _filtered(image, kernel, padding, weights, stride, dilation, "float64", decimals)
    return json_answer(answer)


router.include_router(upload_router)


# ---------------------------------------------------------------------------------------------
# Pooling


class Pool2dRequest(ImageSource):
    """Max or average pooling of an image with P x P windows every S pixels."""

    size: int = Field(64, ge=16, le=MAX_SIDE, description="Side of the built-in image in pixels.")
    kind: PoolKindName = Field("max", description="Pooling kind.")
    pool_size: int = Field(2, ge=1, le=16, description="Window P (P x P pixels).")
    pool_stride: int | None = Field(
        None, ge=1, le=16, description="Stride S between windows (null: S = P, side by side)."
    )
    decimals: Decimals = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"image": "checkerboard", "size": 32, "kind": "max", "pool_size": 2},
                {
                    "pixels": [[float(i * j) for j in range(8)] for i in range(8)],
                    "kind": "average",
                    "pool_size": 3,
                    "pool_stride": 2,
                },
            ]
        }
    }


class Pool2dResponse(Model):
    image: list[list[float]] = Field(description="Input image, H rows of W values.")
    output: list[list[float]] = Field(
        description="Pooled image, H_out rows of W_out values: out[i][j] is the max or mean of "
        "rows S i .. S i + P - 1 and columns S j .. S j + P - 1 of the input."
    )
    output_shape: list[int] = Field(
        description="[H_out, W_out] = [floor((H - P) / S) + 1, floor((W - P) / S) + 1]."
    )
    pool_stride: int = Field(description="Stride S used (pixels).")
    window_rows: list[int] = Field(
        description="H_out values: the first input row of each window, S i (0-based)."
    )
    window_cols: list[int] = Field(
        description="W_out values: the first input column of each window, S j (0-based)."
    )
    parameters: int = Field(description="Learned parameters of a pooling layer: always 0.")


@router.post("/pool2d", response_model=Pool2dResponse, summary="Max or average pooling of an image")
def pool_image(req: Pool2dRequest) -> Pool2dResponse:
    """Each P x P window (no padding) summarised by its maximum or its mean."""
    image = req.image_array()
    stride = req.pool_stride or req.pool_size
    out = pooling.pool2d(image, req.pool_size, stride, req.kind)
    return Pool2dResponse(
        image=values(image, req.decimals),
        output=values(out, req.decimals),
        output_shape=list(out.shape),
        pool_stride=stride,
        window_rows=pooling.window_starts(image.shape[0], req.pool_size, stride).tolist(),
        window_cols=pooling.window_starts(image.shape[1], req.pool_size, stride).tolist(),
        parameters=0,
    )


# ---------------------------------------------------------------------------------------------
# Shift equivariance and invariance


class Equivariance2dRequest(ImageSource, KernelChoice):
    """Shift the image and compare f[t[x]] with t[f[x]] and with f[x]."""

    size: int = Field(48, ge=16, le=128, description="Side of the built-in image in pixels.")
    bias: float = Field(0.0, ge=-100, le=100, description="Bias beta.")
    activation: ActivationName = Field("relu", description="Activation a[.].")
    shift_rows: int = Field(4, ge=-64, le=64, description="Shift down by this many rows.")
    shift_cols: int = Field(6, ge=-64, le=64, description="Shift right by this many columns.")
    pooling: PoolingName = Field("none", description="Pooling after the convolution.")
    pool_size: int = Field(2, ge=1, le=8, description="Pooling window P (P x P).")
    pool_stride: int = Field(2, ge=1, le=8, description="Pooling stride S.")
    decimals: Decimals = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "image": "shapes",
                    "size": 32,
                    "kernel": "laplacian",
                    "shift_rows": 2,
                    "shift_cols": 4,
                    "pooling": "max",
                    "pool_size": 2,
                    "pool_stride": 2,
                },
                {
                    "image": "shapes",
                    "size": 32,
                    "kernel": "box_blur",
                    "shift_rows": 3,
                    "shift_cols": -5,
                    "pooling": "global_max",
                },
            ]
        }
    }


class Equivariance2dResponse(Model):
    x: list[list[float]] = Field(description="Input image x, H rows of W values.")
    t_x: list[list[float]] = Field(
        description="Shifted image t[x], H x W: x moved down by shift_rows and right by "
        "shift_cols, zeros moved in."
    )
    kernel: list[list[float]] = Field(description="The K x K kernel, rows of weights.")
    f_x: list[list[float]] = Field(
        description="f[x], H_out x W_out (1 x 1 for global pooling): conv (zero padding, "
        "stride 1) + activation + pooling."
    )
    f_t_x: list[list[float]] = Field(description="f[t[x]], same shape as f_x.")
    t_f_x: list[list[float]] | None = Field(
        description="t[f[x]]: f[x] shifted by output_shift; null when the pooling stride does "
        "not divide the shift."
    )
    output_shift: list[int] | None = Field(
        description="[rows, cols] the output moves: the input shift divided by the pooling "
        "stride; null when that is not a whole number."
    )
    interior: list[list[bool]] = Field(
        description="H_out x W_out: outputs whose inputs avoid the padding and the zeros moved "
        "in, for x and t[x]; there f[t[x]] = t[f[x]] exactly."
    )
    equivariance_gap: float | None = Field(
        description="max |f[t[x]] - t[f[x]]| over the interior (over the single output for "
        "global pooling); null when t[f[x]] is undefined."
    )
    invariance_gap: float = Field(description="max |f[t[x]] - f[x]| over all outputs.")


@router.post(
    "/equivariance2d",
    response_model=Equivariance2dResponse,
    summary="Equivariance and invariance of an image under a shift",
)
def equivariance_image(req: Equivariance2dRequest) -> Equivariance2dResponse:
    """f[t[x]], t[f[x]] and f[x] for a 2D conv layer, optionally followed by pooling."""
    image = req.image_array()
    kernel = images.single_kernel(req.kernel, req.custom_array())
    cmp = equivariance.compare_shift_image(
        image, kernel, req.bias, req.activation, req.shift_rows, req.shift_cols,
        req.pooling, req.pool_size, req.pool_stride,
    )  # fmt: skip
    d = req.decimals
    return Equivariance2dResponse(
        x=values(image, d),
        t_x=values(equivariance.shift_image(image, req.shift_rows, req.shift_cols), d),
        kernel=kernel.tolist(),
        f_x=values(cmp.f_x, d),
        f_t_x=values(cmp.f_t_x, d),
        t_f_x=None if cmp.t_f_x is None else values(cmp.t_f_x, d),
        output_shift=None if cmp.output_shift is None else list(cmp.output_shift),
        interior=cmp.interior.tolist(),
        equivariance_gap=cmp.equivariance_gap,
        invariance_gap=cmp.invariance_gap,
    )


# ---------------------------------------------------------------------------------------------
# Colour images: C_i = 3 input channels


KernelRow = Annotated[list[Weight], Field(min_length=1, max_length=7)]
KernelStack = Annotated[
    list[
        Annotated[
            list[Annotated[list[KernelRow], Field(min_length=1, max_length=7)]],
            Field(min_length=1, max_length=4),
        ]
    ],
    Field(min_length=1, max_length=3),
]


class Channels2dRequest(Model):
    """A colour image (C_i = 3) through a layer with a C_i x C_o x K x K kernel."""

    image: ColourImageName = Field("colour_shapes", description="Built-in colour image.")
    size: int = Field(64, ge=16, le=128, description="Side of the built-in image in pixels.")
    seed: Seed = 0
    channels: list[Rows] | None = Field(
        None,
        min_length=1,
        max_length=3,
        description="Your own image, channels first: C_i (1 to 3) images of H rows of W "
        "values; replaces the built-in image.",
    )
    out_channels: int = Field(2, ge=1, le=4, description="Output channels C_o.")
    kernel_size: int = Field(3, ge=1, le=7, description="Kernel size K (K x K).")
    weights: KernelStack | None = Field(
        None,
        description="Your own Omega, shape C_i x C_o x K x K (nested lists); null: He-random "
        "weights from the seed.",
    )
    biases: list[Weight] | None = Field(
        None, max_length=4, description="Your own beta, C_o values; null: from the seed."
    )
    stride: int = Field(1, ge=1, le=4, description="Stride s.")
    dilation: int = Field(1, ge=1, le=4, description="Dilation d.")
    padding: PaddingName = Field("zero", description=PADDING_DESCRIPTION)
    activation: ActivationName = Field("relu", description="Activation a[.].")
    decimals: Decimals = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"image": "colour_shapes", "size": 32, "out_channels": 2, "kernel_size": 3},
                {
                    "channels": [[[1, 0, 0, 0, 0, 0, 0, 0]] * 8, [[0, 0, 0, 0, 0, 0, 0, 1]] * 8],
                    "out_channels": 1,
                    "kernel_size": 1,
                    "weights": [[[[1.0]]], [[[-1.0]]]],
                    "biases": [0.5],
                    "activation": "linear",
                },
            ]
        }
    }

    @model_validator(mode="after")
    def _shapes(self):
        if self.channels is not None:
            shapes = {(len(c), len(row)) for c in self.channels for row in c}
            if len(shapes) != 1:
                raise ValueError("every channel must have the same H rows of W values")
        if self.weights is not None:
            shape = np.shape(self.weights)
            c_in = 3 if self.channels is None else len(self.channels)
            want = (c_in, self.out_channels, self.kernel_size, self.kernel_size)
            if shape != want:
                raise ValueError(f"weights must have shape C_i x C_o x K x K = {want}, got {shape}")
        if self.biases is not None and len(self.biases) != self.out_channels:
            raise ValueError(f"biases must have one value per output channel ({self.out_channels})")
        return self


class Channels2dResponse(Model):
    inputs: list[list[list[float]]] = Field(
        description="Input x, channels first: C_i images of H rows of W values (red, green, "
        "blue for the built-in images)."
    )
    weights: list[list[list[list[float]]]] = Field(
        description="Omega, shape C_i x C_o x K x K: weights[c][o] is the K x K kernel from "
        "input channel c to output channel o."
    )
    biases: list[float] = Field(description="beta, one per output channel (C_o values).")
    preactivations: list[list[list[float]]] = Field(
        description="z, C_o x H_out x W_out: z[o] = beta[o] + sum over c of weights[c][o] "
        "cross-correlated with x[c]."
    )
    activations: list[list[list[float]]] = Field(description="h = a[z], C_o x H_out x W_out.")
    conv_weights: int = Field(description="C_i C_o K^2 weights.")
    conv_biases: int = Field(description="C_o biases.")
    conv_parameters: int = Field(description="C_i C_o K^2 + C_o parameters of the layer.")
    dense_parameters: int = Field(
        description="Parameters of a fully connected layer from the C_i H W inputs to the "
        "C_o H_out W_out outputs: (C_i H W)(C_o H_out W_out) weights + C_o H_out W_out biases."
    )


@router.post(
    "/channels2d",
    response_model=Channels2dResponse,
    summary="Colour image through a C_i x C_o x K x K layer",
)
def channels_image(req: Channels2dRequest) -> Channels2dResponse:
    """Every input channel, Omega and beta, every output feature map, and the parameter count."""
    rng = np.random.default_rng(req.seed)
    if req.channels is not None:
        x = np.array(req.channels, dtype=float)  # (C_i, H, W)
    else:
        x = images.colour_image(req.image, req.size, rng)  # (3, H, W)
    weights, biases = conv.random_conv_weights(
        x.shape[0], req.out_channels, req.kernel_size, rng, dims=2
    )
    if req.weights is not None:
        weights = np.array(req.weights, dtype=float)
    if req.biases is not None:
        biases = np.array(req.biases, dtype=float)
    layer = conv.conv_layer(
        x, weights, biases, req.activation, req.stride, req.dilation, req.padding
    )
    counts = conv.parameter_counts(
        x.shape[1:], req.kernel_size, x.shape[0], req.out_channels,
        req.stride, req.dilation, req.padding,
    )  # fmt: skip
    d = req.decimals
    return Channels2dResponse(
        inputs=values(x, d),
        weights=weights.tolist(),
        biases=biases.tolist(),
        preactivations=values(layer.preactivations, d),
        activations=values(layer.activations, d),
        conv_weights=counts.conv_weights,
        conv_biases=counts.conv_biases,
        conv_parameters=counts.conv_total,
        dense_parameters=counts.dense_total,
    )

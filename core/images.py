"""Built-in test images and a library of classic image kernels.

Course notes ch. 6.1 ("Image kernels"): a small matrix of weights slides over the image and
each output pixel is the sum of the kernel times the patch under it (a cross-correlation,
see ``core.conv``). Grey images have shape (H, W), colour images (3, H, W) with the red,
green and blue channels first (the C_i = 3 input channels of a convolution); values lie in
[0, 1] and are generated from pixel coordinates (and an explicit ``numpy.random.Generator``
for the noise images).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.choices import Choice, names, registry
from core.conv import Padding, conv2d, effective_kernel_size, pad_amounts, tap_positions
from core.errors import DomainError

IMAGES: dict[str, Choice] = registry(
    [
        Choice("shapes", "shapes", "a disc, a square and a triangle on a dark background"),
        Choice("checkerboard", "checkerboard", "8 x 8 black and white squares"),
        Choice("strokes", "gradient with strokes", "the letters DL drawn on a smooth ramp"),
        Choice("noise", "noise (seeded)", "independent uniform grey levels"),
    ]
)
IMAGE_NAMES: tuple[str, ...] = names(IMAGES)
COLOUR_IMAGES: dict[str, Choice] = registry(
    [
        Choice("colour_shapes", "coloured shapes", "a red disc, a green square, a blue triangle"),
        Choice("colour_bars", "colour bars", "vertical bars of red, green, blue and their mixes"),
        Choice("colour_noise", "colour noise (seeded)", "independent uniform levels per channel"),
    ]
)
COLOUR_IMAGE_NAMES: tuple[str, ...] = names(COLOUR_IMAGES)
SIZE_RANGE = (8, 512)  # smallest and largest side of a built-in image, in pixels

# ITU-R BT.601 luma weights: how much red, green and blue contribute to perceived brightness.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def _coordinates(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [0, 1]: (rows, cols), each of shape (size, size)."""
    centres = (np.arange(size) + 0.5) / size  # (size,)
    return np.meshgrid(centres, centres, indexing="ij")  # (size, size) each


def checkerboard(size: int, squares: int = 8) -> np.ndarray:
    """Alternating black and white squares, ``squares`` per side: shape (size, size)."""
    rows, cols = _coordinates(size)
    return ((np.floor(rows * squares) + np.floor(cols * squares)) % 2).astype(float)


def shapes(size: int) -> np.ndarray:
    """A bright disc, a grey square and a white triangle on a dark background."""
    y, x = _coordinates(size)
    image = np.full((size, size), 0.1)
    image[(y - 0.3) ** 2 + (x - 0.3) ** 2 < 0.18**2] = 0.9
    image[(np.abs(y - 0.3) < 0.15) & (np.abs(x - 0.72) < 0.15)] = 0.6
    # Triangle with apex (0.55, 0.5) and base y = 0.9 between x = 0.2 and x = 0.8.
    inside = (y > 0.55) & (y < 0.9) & (np.abs(x - 0.5) < (y - 0.55) * (0.3 / 0.35))
    image[inside] = 1.0
    return image


# Strokes of the letters "DL" as line segments ((y0, x0), (y1, x1)) in unit coordinates.
_STROKES = np.array(
    [
        [[0.3, 0.15], [0.7, 0.15]],
        [[0.3, 0.15], [0.38, 0.35]],
        [[0.38, 0.35], [0.62, 0.35]],
        [[0.62, 0.35], [0.7, 0.15]],
        [[0.3, 0.55], [0.7, 0.55]],
        [[0.7, 0.55], [0.7, 0.85]],
    ]
)


def strokes(size: int, width: float = 0.025) -> np.ndarray:
    """A smooth diagonal gradient with dark pen strokes (the letters "DL") drawn on it."""
    y, x = _coordinates(size)
    image = 0.25 + 0.6 * (x + y) / 2.0  # (size, size), smooth ramp
    points = np.stack([y, x], axis=-1)[:, :, None, :]  # (size, size, 1, 2)
    start, end = _STROKES[:, 0], _STROKES[:, 1]  # (n_strokes, 2) each
    direction = end - start  # (n_strokes, 2)
    # Distance from each pixel to each segment: project onto the segment, clip to its ends.
    t = np.sum((points - start) * direction, axis=-1) / np.sum(direction**2, axis=-1)
    nearest = start + np.clip(t, 0.0, 1.0)[..., None] * direction  # (size, size, n_strokes, 2)
    distance = np.linalg.norm(points - nearest, axis=-1).min(axis=-1)  # (size, size)
    ink = np.clip(1.5 - distance / width, 0.0, 1.0)  # soft edge one pixel or so wide
    return image * (1.0 - 0.9 * ink)


def noise(size: int, rng: np.random.Generator) -> np.ndarray:
    """Independent uniform grey levels in [0, 1]."""
    return rng.uniform(0.0, 1.0, size=(size, size))


def _check_size(size: int) -> None:
    low, high = SIZE_RANGE
    if not low <= size <= high:
        raise DomainError(f"image size must be between {low} and {high} pixels, got {size}")


def builtin_image(name: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """One of the built-in images by name: shape (size, size), values in [0, 1]."""
    _check_size(size)
    if name == "checkerboard":
        return checkerboard(size)
    if name == "shapes":
        return shapes(size)
    if name == "strokes":
        return strokes(size)
    if name == "noise":
        return noise(size, rng)
    raise DomainError(f"unknown image {name!r}; choose one of {', '.join(IMAGE_NAMES)}")


def colour_image(name: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """A built-in colour image, channels first: shape (3, size, size), values in [0, 1].

    ``"colour_shapes"`` puts each shape in its own channel (red disc, green square, blue
    triangle), so a kernel that reads one channel sees one shape; ``"colour_bars"`` has eight
    vertical bars whose colours are every on/off mix of red, green and blue.
    """
    _check_size(size)
    y, x = _coordinates(size)
    if name == "colour_shapes":
        red = (y - 0.3) ** 2 + (x - 0.3) ** 2 < 0.18**2
        green = (np.abs(y - 0.3) < 0.15) & (np.abs(x - 0.72) < 0.15)
        blue = (y > 0.55) & (y < 0.9) & (np.abs(x - 0.5) < (y - 0.55) * (0.3 / 0.35))
        return 0.05 + 0.9 * np.stack([red, green, blue]).astype(float)  # (3, size, size)
    if name == "colour_bars":
        bar = np.floor(x * 8).astype(int)  # (size, size): bar index 0..7
        bits = np.array([4, 2, 1])[:, None, None]  # red, green, blue bit of the bar index
        return ((bar[None] & bits) > 0).astype(float)  # (3, size, size)
    if name == "colour_noise":
        return rng.uniform(0.0, 1.0, size=(3, size, size))
    raise DomainError(
        f"unknown colour image {name!r}; choose one of {', '.join(COLOUR_IMAGE_NAMES)}"
    )


def to_grey(image: np.ndarray) -> np.ndarray:
    """Grey levels of an (H, W) or (H, W, 3) image: luma 0.299 R + 0.587 G + 0.114 B."""
    image = np.asarray(image, dtype=float)
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 3:
        return image @ LUMA_WEIGHTS  # (H, W)
    raise DomainError(f"an image must have shape (H, W) or (H, W, 3), got {image.shape}")


def _gaussian(size: int, sigma: float) -> np.ndarray:
    offsets = np.arange(size) - (size - 1) / 2
    profile = np.exp(-(offsets**2) / (2 * sigma**2))
    kernel = np.outer(profile, profile)  # (size, size), separable
    return kernel / kernel.sum()


@dataclass(frozen=True)
class ImageKernel:
    """A named kernel: its weights and what it does.

    ``weights`` is a tuple of one (K, K) array, or two (Sobel x, Sobel y) for the gradient
    magnitude, which is the non-linear combination sqrt(G_x^2 + G_y^2).
    """

    name: str
    label: str
    description: str
    weights: tuple[np.ndarray, ...]


_SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
_LAPLACIAN = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
_IDENTITY = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])

KERNELS: dict[str, ImageKernel] = {
    k.name: k
    for k in [
        ImageKernel("identity", "Identity", "copies the image", (_IDENTITY,)),
        ImageKernel("box_blur", "Box blur", "average of the 3x3 patch", (np.full((3, 3), 1 / 9),)),
        ImageKernel(
            "gaussian_blur",
            "Gaussian blur",
            "weighted average, 5x5, sigma = 1 pixel",
            (_gaussian(5, 1.0),),
        ),
        ImageKernel(
            "sharpen", "Sharpen", "identity minus the Laplacian", (_IDENTITY - _LAPLACIAN,)
        ),
        ImageKernel("sobel_x", "Sobel x", "horizontal change (vertical edges)", (_SOBEL_X,)),
        ImageKernel("sobel_y", "Sobel y", "vertical change (horizontal edges)", (_SOBEL_X.T,)),
        ImageKernel(
            "gradient_magnitude",
            "Gradient magnitude",
            "sqrt(Gx^2 + Gy^2) from the two Sobel kernels (not a single convolution)",
            (_SOBEL_X, _SOBEL_X.T),
        ),
        ImageKernel("laplacian", "Laplacian", "second difference: edges and spots", (_LAPLACIAN,)),
        ImageKernel(
            "emboss",
            "Emboss",
            "difference along the diagonal plus the image: a relief effect",
            (np.array([[-2.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, 2.0]]),),
        ),
    ]
}
KERNEL_CHOICES: dict[str, Choice] = registry(
    [
        *(Choice(k.name, k.label, k.description) for k in KERNELS.values()),
        Choice("custom", "Custom", "your own 3x3 or 5x5 weights"),
    ]
)
KERNEL_NAMES: tuple[str, ...] = names(KERNEL_CHOICES)
# Library kernels that are one convolution (the gradient magnitude combines two).
SINGLE_KERNEL_NAMES: tuple[str, ...] = tuple(
    k.name for k in KERNELS.values() if len(k.weights) == 1
)


def kernel_weights(kernel_name: str, custom: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """The kernel(s) of a library name, or the custom weights, as a tuple of (K, K) arrays.

    Raises
    ------
    DomainError
        Unknown name, missing custom weights, or custom weights that are not 3x3 or 5x5.
    """
    if kernel_name == "custom":
        if custom is None:
            raise DomainError("a custom kernel needs its weights")
        custom = np.asarray(custom, dtype=float)
        if custom.shape not in ((3, 3), (5, 5)):
            raise DomainError(f"a custom kernel must be 3x3 or 5x5, got {custom.shape}")
        return (custom,)
    if kernel_name in KERNELS:
        return KERNELS[kernel_name].weights
    raise DomainError(f"unknown kernel {kernel_name!r}; choose one of {', '.join(KERNEL_NAMES)}")


def single_kernel(kernel_name: str, custom: np.ndarray | None = None) -> np.ndarray:
    """The (K, K) weights of a kernel that is one convolution (not the gradient magnitude)."""
    kernels = kernel_weights(kernel_name, custom)
    if len(kernels) != 1:
        raise DomainError(
            f"{KERNELS[kernel_name].label} combines two convolutions non-linearly; "
            "choose a single kernel"
        )
    return kernels[0]


@dataclass(frozen=True)
class FilteredImage:
    """Result of applying an image kernel.

    Attributes
    ----------
    output : ndarray, shape (H_out, W_out)
    kernels : tuple of ndarray, each (K, K)
        The kernel(s) applied (two for the gradient magnitude).
    pads : tuple of int
        Zeros added (before, after) along each axis; the same for rows and columns.
    span : int
        E = (K - 1) d + 1, the pixels one dilated kernel covers along an axis.
    rows_read, cols_read : ndarray of int, shapes (H_out, K) and (W_out, K)
        Input row (column) each kernel tap reads for every output row (column):
        s i + d a - p; outside 0..H-1 (0..W-1) it is zero padding.
    """

    output: np.ndarray
    kernels: tuple[np.ndarray, ...]
    pads: tuple[int, int]
    span: int
    rows_read: np.ndarray
    cols_read: np.ndarray


def filter_image(
    image: np.ndarray,
    kernel_name: str,
    padding: Padding = "zero",
    custom: np.ndarray | None = None,
    stride: int = 1,
    dilation: int = 1,
    dtype: str = "float64",
) -> FilteredImage:
    """Apply a library kernel (or a custom one) to a grey image.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel_name : str
        A key of ``KERNELS`` or ``"custom"``.
    padding : {"zero", "valid"}
    custom : ndarray, shape (K, K), optional
        Weights for ``"custom"`` (K = 3 or 5).
    stride, dilation : int
        Stride s and dilation d, the same along rows and columns.
    dtype : {"float64", "float32"}
        Arithmetic precision of the convolution (the output is float64 either way).

    Returns
    -------
    FilteredImage
        ``output[i, j] = sum_{a,b} w[a, b] image[s i + d a - p, s j + d b - p]``
        (cross-correlation), or sqrt(G_x^2 + G_y^2) for the gradient magnitude.
    """
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise DomainError(f"the image must be grey, shape (H, W), got {image.shape}")
    kernels = kernel_weights(kernel_name, custom)
    stacked = np.stack(kernels)[None]  # (1, n_kernels, K, K): one input channel
    responses = conv2d(image[None], stacked, None, stride, dilation, padding, dtype)
    responses = responses.astype(float)  # (n_kernels, H_out, W_out)
    if kernel_name == "gradient_magnitude":
        output = np.hypot(responses[0], responses[1])
    else:
        output = responses[0]
    size = kernels[0].shape[0]
    rows_read, cols_read = (tap_positions(n, size, stride, dilation, padding) for n in image.shape)
    return FilteredImage(
        output=output,
        kernels=kernels,
        pads=pad_amounts(size, dilation, padding),
        span=effective_kernel_size(size, dilation),
        rows_read=rows_read,
        cols_read=cols_read,
    )

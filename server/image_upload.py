"""Decode an uploaded PNG or JPEG into a grey image array (bytes -> array, nothing else).

Kept out of ``core`` because it parses a file format; it does no I/O beyond reading the
bytes it is given. Every way an upload can be unusable raises ``DomainError`` with a message
the student understands, which the API maps to 422.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError
from core.images import to_grey

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # 5 MiB of compressed file
MAX_SOURCE_PIXELS = 16_000_000  # checked from the header, before any pixel is decoded
MAX_SIDE = 512  # larger images are downscaled to fit in MAX_SIDE x MAX_SIDE
MIN_SIDE = 8
FORMATS = ("PNG", "JPEG")
GREY_MODES = ("1", "L")


def decode_image(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> np.ndarray:
    """Decode PNG/JPEG bytes to grey levels in [0, 1], at most 512 x 512.

    Parameters
    ----------
    data : bytes
        The uploaded file.
    max_bytes : int
        Largest accepted file size.

    Returns
    -------
    ndarray, shape (H, W)
        Luma 0.299 R + 0.587 G + 0.114 B (or the grey level), downscaled with Lanczos
        filtering (aspect ratio kept) so that max(H, W) <= 512. The EXIF orientation is
        applied; transparent pixels are laid over white; 16-bit grey keeps its precision;
        CMYK and other colour spaces are converted to RGB first.

    Raises
    ------
    ValueError
        Empty or too large a file, not a PNG/JPEG, a corrupt file, an image with too many
        pixels (a "decompression bomb"), or a tiny image.
    """
    if not data:
        raise DomainError("the uploaded file is empty")
    if len(data) > max_bytes:
        raise DomainError(
            f"the file is {-(-len(data) // 1024)} KiB; at most {max_bytes // 1024} KiB is accepted"
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past 2x its limit raises) on huge images; our own check
            # below is stricter, so the warning is noise here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError:
        raise DomainError(
            f"the image has far too many pixels; at most {MAX_SOURCE_PIXELS:,} are accepted"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise DomainError("the file is not a PNG or JPEG image Pillow can read") from None
    width, height = image.size
    if width * height > MAX_SOURCE_PIXELS:
        raise DomainError(
            f"the image has {width} x {height} pixels; at most {MAX_SOURCE_PIXELS:,} "
            "pixels are accepted"
        )
    if min(width, height) < MIN_SIDE:
        raise DomainError(f"the image is {width} x {height}; it must be at least 8 x 8 pixels")
    try:
        image.draft(None, (MAX_SIDE, MAX_SIDE))  # JPEG only: decode at a reduced scale
        image = ImageOps.exif_transpose(image)  # a phone photo is shown the way it was taken
        image = _to_grey_or_rgb(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError("the image data is corrupt or truncated") from None
    if image.mode == "F":  # 16-bit grey, already scaled to [0, 1]
        return np.clip(np.asarray(image, dtype=float), 0.0, 1.0)
    pixels = np.asarray(image, dtype=float) / 255.0  # (H, W) or (H, W, 3)
    return np.clip(to_grey(pixels), 0.0, 1.0)


def _to_grey_or_rgb(image: Image.Image) -> Image.Image:
    """Convert any pixel mode Pillow reads from a PNG or JPEG to L, RGB or F (16-bit grey
    scaled to [0, 1]). Transparent pixels are laid over white, as a page shows them; CMYK and
    other colour spaces are converted to RGB."""
    mode = image.mode
    if mode in GREY_MODES + ("RGB",):
        return image.convert("L") if mode == "1" else image
    if mode.startswith("I"):  # 16-bit (I;16, I;16B) or 32-bit integer grey
        levels = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or levels.max(initial=0) > 255 else 255.0
        return Image.fromarray((levels / top).astype(np.float32), mode="F")
    if mode == "P" and "transparency" not in image.info:
        return image.convert("RGB")
    if mode in ("RGBA", "LA", "PA", "P", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")  # CMYK, YCbCr, LAB, HSV...

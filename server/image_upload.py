"""Decode an uploaded PNG or JPEG into a grey image array (bytes -> array, nothing else).

Kept out of ``core`` because it parses a file format; it does no I/O beyond reading the
bytes it is given. Every way an upload can be unusable raises ``DomainError`` with a message
the student understands, which the API maps to 422.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from core.errors import DomainError
from core.images import to_grey

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # 5 MiB of compressed file
MAX_SOURCE_PIXELS = 16_000_000  # checked from the header, before any pixel is decoded
MAX_SIDE = 512  # larger images are downscaled to fit in MAX_SIDE x MAX_SIDE
MIN_SIDE = 8
FORMATS = ("PNG", "JPEG")
GREY_MODES = ("1", "L")
COLOUR_MODES = ("RGB", "P")


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
        filtering (aspect ratio kept) so that max(H, W) <= 512.

    Raises
    ------
    ValueError
        Empty or too large a file, not a PNG/JPEG, a corrupt file, an image with too many
        pixels (a "decompression bomb"), an unsupported pixel mode, or a tiny image.
    """
    if not data:
        raise DomainError("the uploaded file is empty")
    if len(data) > max_bytes:
        raise DomainError(
            f"the file is {len(data) / 1024:.0f} KiB; at most {max_bytes / 1024:.0f} KiB "
            "is accepted"
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
    mode = image.mode
    if mode == "P" and "transparency" in image.info:
        mode = "P with transparency"
    if mode not in GREY_MODES + COLOUR_MODES:
        raise DomainError(
            f"images in mode {mode} are not supported; upload a grey or RGB image "
            "(without transparency)"
        )
    try:
        image.draft("RGB" if mode in COLOUR_MODES else "L", (MAX_SIDE, MAX_SIDE))  # JPEG only
        image = image.convert("RGB" if mode in COLOUR_MODES else "L")
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError("the image data is corrupt or truncated") from None
    pixels = np.asarray(image, dtype=float) / 255.0  # (H, W) or (H, W, 3)
    return np.clip(to_grey(pixels), 0.0, 1.0)

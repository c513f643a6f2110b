"""Image files made in memory, for the upload tests."""

import io

from PIL import Image


def encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    """The bytes of ``image`` saved as a file of format ``fmt`` (PNG, JPEG, GIF, BMP...)."""
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()

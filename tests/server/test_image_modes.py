"""Uploads in every pixel mode a PNG or JPEG can carry are converted, not refused; the EXIF
orientation is applied. Oracles: the same picture made by hand with NumPy."""

import io

import numpy as np
import pytest
from PIL import Image

from server.image_upload import decode_image


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def test_rgba_is_laid_over_white():
    pixels = np.zeros((20, 30, 4), dtype=np.uint8)
    pixels[:, :15] = (0, 0, 0, 255)  # opaque black on the left
    pixels[:, 15:] = (0, 0, 0, 0)  # fully transparent on the right: white as shown on a page
    grey = decode_image(encode(Image.fromarray(pixels, mode="RGBA")))
    assert grey.shape == (20, 30)
    np.testing.assert_allclose(grey[:, :15], 0.0)
    np.testing.assert_allclose(grey[:, 15:], 1.0)


def test_half_transparent_grey_with_alpha_blends_with_white():
    pixels = np.zeros((16, 16, 2), dtype=np.uint8)
    pixels[..., 0] = 0
    pixels[..., 1] = 128  # LA: black at alpha 128/255
    grey = decode_image(encode(Image.fromarray(pixels, mode="LA")))
    np.testing.assert_allclose(grey, 1 - 128 / 255, atol=2 / 255)


def test_palette_with_transparency_is_accepted():
    image = Image.new("P", (16, 16), 0)
    image.putpalette([255, 0, 0] + [0, 0, 0] * 255)
    grey = decode_image(encode(image, transparency=0))
    np.testing.assert_allclose(grey, 1.0)  # the only colour is the transparent one


def test_sixteen_bit_grey_keeps_its_precision():
    levels = np.linspace(0, 65535, 32 * 32).reshape(32, 32).astype(np.uint16)
    image = Image.fromarray(levels)  # mode I;16
    assert image.mode.startswith("I;16")
    grey = decode_image(encode(image))
    np.testing.assert_allclose(grey, levels / 65535.0, atol=1e-6)
    assert len(np.unique(grey)) > 256  # more levels than 8 bits hold


def test_cmyk_jpeg_is_converted_to_rgb():
    cmyk = Image.new("CMYK", (24, 24), (0, 0, 0, 0))  # no ink: white
    grey = decode_image(encode(cmyk, "JPEG", quality=95))
    assert grey.shape == (24, 24)
    np.testing.assert_allclose(grey, 1.0, atol=0.03)


@pytest.mark.parametrize(
    "orientation, expected_shape, dark_corner",
    [
        (1, (20, 40), (0, 0)),
        (6, (40, 20), (0, -1)),  # rotate 90 degrees clockwise to show
        (8, (40, 20), (-1, 0)),  # 90 degrees counter-clockwise
        (3, (20, 40), (-1, -1)),  # 180 degrees
    ],
)
def test_exif_orientation_is_applied(orientation, expected_shape, dark_corner):
    # Stored 40 wide x 20 high, white with a black 5 x 5 block in the top-left corner.
    pixels = np.full((20, 40), 255, dtype=np.uint8)
    pixels[:5, :5] = 0
    exif = Image.Exif()
    exif[0x0112] = orientation
    grey = decode_image(encode(Image.fromarray(pixels, mode="L"), exif=exif.tobytes()))
    assert grey.shape == expected_shape
    assert grey[dark_corner] < 0.1
    assert grey.mean() > 0.9


def test_a_screenshot_with_alpha_goes_through_the_api(client):
    pixels = np.full((32, 48, 4), 255, dtype=np.uint8)
    pixels[..., 3] = 200
    r = client.post(
        "/api/v1/conv/image/upload",
        files={"file": ("shot.png", encode(Image.fromarray(pixels, mode="RGBA")), "image/png")},
        data={"kernel": "identity"},
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["image"]) == 32 and len(r.json()["image"][0]) == 48

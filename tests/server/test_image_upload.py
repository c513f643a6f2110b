"""Decoding uploads: images made with Pillow, grey levels checked against the luma formula."""

import numpy as np
import pytest
from PIL import Image

from server.image_upload import MAX_SIDE, decode_image
from tests.server.image_files import encode


def test_rgb_png_becomes_luma():
    pixels = np.zeros((10, 12, 3), dtype=np.uint8)
    pixels[:, :6] = (255, 0, 0)
    pixels[:, 6:] = (0, 0, 255)
    grey = decode_image(encode(Image.fromarray(pixels)))
    assert grey.shape == (10, 12)
    np.testing.assert_allclose(grey[:, :6], 0.299)
    np.testing.assert_allclose(grey[:, 6:], 0.114)


def test_grey_png_keeps_levels():
    pixels = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
    grey = decode_image(encode(Image.fromarray(pixels, mode="L")))
    np.testing.assert_allclose(grey, pixels / 255.0)


@pytest.mark.parametrize(
    ("size", "expected"), [((1000, 600), (307, 512)), ((300, 900), (512, 171))]
)
def test_large_images_are_downscaled_keeping_aspect(size, expected):
    grey = decode_image(encode(Image.new("RGB", size, (40, 80, 120)), "JPEG"))
    assert grey.shape == expected
    assert max(grey.shape) == MAX_SIDE


def test_palette_png_without_transparency_is_accepted():
    image = Image.new("RGB", (16, 16), (0, 255, 0)).convert("P")
    np.testing.assert_allclose(decode_image(encode(image)), 0.587, atol=1e-3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the uploaded file is empty"),
        (b"not an image at all", "not a PNG or JPEG image"),
        (encode(Image.new("RGB", (20, 20)), "GIF"), "not a PNG or JPEG image"),
        (encode(Image.new("RGB", (20, 20)), "BMP"), "not a PNG or JPEG image"),
        (encode(Image.new("RGB", (4, 20))), "must be at least 8 x 8 pixels"),
        (encode(Image.new("L", (5000, 4000))), "has 5000 x 4000 pixels; at most 16,000,000"),
    ],
)
def test_unusable_uploads_raise_clear_errors(data, message):
    with pytest.raises(ValueError, match=message):
        decode_image(data)


def test_truncated_image_data_is_reported():
    noisy = np.random.default_rng(0).integers(0, 255, (100, 100, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noisy))
    with pytest.raises(ValueError, match="corrupt or truncated"):
        decode_image(data[: len(data) // 2])


def test_size_limit_is_checked_before_decoding():
    with pytest.raises(ValueError, match="at most 2 KiB is accepted"):
        decode_image(bytes(3000), max_bytes=2048)


def test_decompression_bomb_is_refused_from_the_header():
    # 20000 x 20000 is past Pillow's own bomb limit: refused without allocating 400 MB.
    bomb = encode(Image.new("1", (20000, 20000)))
    with pytest.raises(ValueError, match="far too many pixels"):
        decode_image(bomb)

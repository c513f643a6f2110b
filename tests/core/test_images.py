"""Built-in images and the kernel library against closed forms on simple images."""

import numpy as np
import pytest

from core.images import (
    COLOUR_IMAGE_NAMES,
    IMAGE_NAMES,
    IMAGES,
    KERNEL_CHOICES,
    KERNEL_NAMES,
    KERNELS,
    builtin_image,
    checkerboard,
    colour_image,
    filter_image,
    shapes,
    to_grey,
)


@pytest.mark.parametrize("name", IMAGE_NAMES)
def test_builtin_images_are_grey_in_unit_range_and_reproducible(name):
    a = builtin_image(name, 64, np.random.default_rng(3))
    b = builtin_image(name, 64, np.random.default_rng(3))
    assert a.shape == (64, 64)
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert a.std() > 0.05  # not blank
    np.testing.assert_array_equal(a, b)


def test_noise_depends_on_seed():
    a = builtin_image("noise", 16, np.random.default_rng(0))
    b = builtin_image("noise", 16, np.random.default_rng(1))
    assert not np.array_equal(a, b)


def test_checkerboard_squares():
    board = checkerboard(16, squares=4)  # 4-pixel squares
    assert board[0, 0] == 0.0 and board[0, 4] == 1.0 and board[4, 0] == 1.0 and board[4, 4] == 0.0
    assert board[:4, :4].std() == 0.0


def test_shapes_disc_centre_and_background():
    image = shapes(100)
    assert image[30, 30] == 0.9  # centre of the disc at (0.3, 0.3)
    assert image[2, 98] == 0.1  # background corner
    assert image[85, 50] == 1.0  # inside the triangle near its base


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: builtin_image("cat", 32, np.random.default_rng(0)), "unknown image 'cat'"),
        (lambda: builtin_image("noise", 4, np.random.default_rng(0)), "between 8 and 512"),
        (lambda: filter_image(np.ones((8, 8)), "blurry"), "unknown kernel 'blurry'"),
        (lambda: filter_image(np.ones((8, 8)), "custom"), "needs its weights"),
        (lambda: filter_image(np.ones((8, 8)), "custom", custom=np.ones((4, 4))), "3x3 or 5x5"),
        (lambda: filter_image(np.ones((8, 8, 3)), "identity"), "must be grey"),
        (lambda: to_grey(np.ones((4, 4, 4))), r"shape \(H, W\) or \(H, W, 3\)"),
        (lambda: colour_image("mauve", 32, np.random.default_rng(0)), "unknown colour image"),
        (lambda: colour_image("colour_bars", 600, np.random.default_rng(0)), "between 8 and 512"),
    ],
)
def test_errors_explain_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_to_grey_uses_luma_weights():
    rgb = np.zeros((1, 3, 3))
    rgb[0, 0, 0] = rgb[0, 1, 1] = rgb[0, 2, 2] = 1.0
    np.testing.assert_allclose(to_grey(rgb)[0], [0.299, 0.587, 0.114])
    np.testing.assert_allclose(to_grey(np.ones((2, 2, 3))), np.ones((2, 2)))


RAMP_SLOPE = 0.01
rows, cols = np.meshgrid(np.arange(20.0), np.arange(20.0), indexing="ij")
RAMP_X = RAMP_SLOPE * cols  # increases to the right
INTERIOR = (slice(2, -2), slice(2, -2))


def test_identity_returns_the_image():
    rng = np.random.default_rng(0)
    image = rng.uniform(size=(10, 12))
    np.testing.assert_allclose(filter_image(image, "identity").output, image)


@pytest.mark.parametrize("name", ["box_blur", "gaussian_blur"])
def test_blurs_keep_constants_and_ramps(name):
    # Symmetric weights summing to 1 reproduce any linear function away from the border.
    out = filter_image(RAMP_X + 0.3, name).output
    np.testing.assert_allclose(out[INTERIOR], (RAMP_X + 0.3)[INTERIOR], atol=1e-12)


def test_gaussian_weights_closed_form():
    w = KERNELS["gaussian_blur"].weights[0]
    offsets = np.arange(-2, 3)
    expected = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / 2.0)
    np.testing.assert_allclose(w, expected / expected.sum())


def test_sobel_on_a_ramp():
    # Sobel x on x -> a*x: (1 + 2 + 1) * 2a = 8a inside; Sobel y sees no vertical change.
    out_x = filter_image(RAMP_X, "sobel_x").output
    out_y = filter_image(RAMP_X, "sobel_y").output
    np.testing.assert_allclose(out_x[INTERIOR], 8 * RAMP_SLOPE)
    np.testing.assert_allclose(out_y[INTERIOR], 0.0, atol=1e-12)


def test_gradient_magnitude_of_a_diagonal_ramp():
    image = 0.01 * cols + 0.02 * rows
    out = filter_image(image, "gradient_magnitude").output
    np.testing.assert_allclose(out[INTERIOR], 8 * np.hypot(0.01, 0.02))


def test_laplacian_of_a_quadratic_is_constant():
    image = 0.001 * (rows**2 + cols**2)
    out = filter_image(image, "laplacian").output
    np.testing.assert_allclose(out[INTERIOR], 0.004)  # 2 * 0.001 per axis


def test_sharpen_is_identity_minus_laplacian():
    rng = np.random.default_rng(1)
    image = rng.uniform(size=(9, 9))
    sharp = filter_image(image, "sharpen").output
    lap = filter_image(image, "laplacian").output
    np.testing.assert_allclose(sharp, image - lap, atol=1e-12)


def test_emboss_and_custom_agree_with_a_hand_computed_patch():
    rng = np.random.default_rng(2)
    image = rng.uniform(size=(7, 7))
    w = KERNELS["emboss"].weights[0]
    out = filter_image(image, "emboss").output
    assert out[3, 4] == pytest.approx(np.sum(w * image[2:5, 3:6]))
    custom = rng.standard_normal((5, 5))
    valid = filter_image(image, "custom", "valid", custom).output
    assert valid.shape == (3, 3)
    assert valid[1, 2] == pytest.approx(np.sum(custom * image[1:6, 2:7]))


@pytest.mark.parametrize("name", COLOUR_IMAGE_NAMES)
def test_colour_images_have_three_channels_in_unit_range(name):
    a = colour_image(name, 48, np.random.default_rng(2))
    assert a.shape == (3, 48, 48)
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert all(a[c].std() > 0.05 for c in range(3))  # every channel has something in it
    np.testing.assert_array_equal(a, colour_image(name, 48, np.random.default_rng(2)))


def test_colour_shapes_put_each_shape_in_its_own_channel():
    image = colour_image("colour_shapes", 100, np.random.default_rng(0))
    np.testing.assert_allclose(image[:, 30, 30], [0.95, 0.05, 0.05])  # red disc
    np.testing.assert_allclose(image[:, 30, 72], [0.05, 0.95, 0.05])  # green square
    np.testing.assert_allclose(image[:, 85, 50], [0.05, 0.05, 0.95])  # blue triangle


def test_colour_bars_are_every_mix_of_red_green_blue():
    image = colour_image("colour_bars", 64, np.random.default_rng(0))
    bars = {tuple(image[:, 0, 8 * b + 4]) for b in range(8)}  # one pixel per bar
    assert bars == {(r, g, b) for r in (0.0, 1.0) for g in (0.0, 1.0) for b in (0.0, 1.0)}


@pytest.mark.parametrize(
    ("stride", "dilation", "padding"), [(2, 1, "zero"), (1, 2, "valid"), (3, 2, "zero")]
)
def test_filter_image_with_stride_and_dilation_matches_a_loop(stride, dilation, padding):
    image = np.random.default_rng(0).uniform(size=(13, 11))
    w = KERNELS["sobel_x"].weights[0]
    span = 2 * dilation + 1
    top = (span - 1) // 2 if padding == "zero" else 0
    total = span - 1 if padding == "zero" else 0
    padded = np.pad(image, [(top, total - top)] * 2)
    rows = (padded.shape[0] - span) // stride + 1
    cols = (padded.shape[1] - span) // stride + 1
    want = np.array(
        [
            [
                sum(
                    w[a, b] * padded[stride * i + dilation * a, stride * j + dilation * b]
                    for a in range(3)
                    for b in range(3)
                )
                for j in range(cols)
            ]
            for i in range(rows)
        ]
    )
    result = filter_image(image, "sobel_x", padding, None, stride, dilation)
    np.testing.assert_allclose(result.output, want, atol=1e-12)
    # The window geometry: tap a of output row i reads padded row s i + d a, i.e. input row
    # s i + d a - top.
    assert result.pads == (top, total - top) and result.span == span
    np.testing.assert_array_equal(
        result.rows_read, stride * np.arange(rows)[:, None] + dilation * np.arange(3) - top
    )
    np.testing.assert_array_equal(
        result.cols_read, stride * np.arange(cols)[:, None] + dilation * np.arange(3) - top
    )
    single = filter_image(image, "sobel_x", padding, None, stride, dilation, "float32").output
    np.testing.assert_allclose(single, want, atol=1e-5)


def test_registries_name_every_image_and_kernel_with_a_label():
    assert IMAGE_NAMES == tuple(IMAGES)
    assert set(KERNEL_NAMES) == {*KERNELS, "custom"}
    assert all(choice.label for choice in (*IMAGES.values(), *KERNEL_CHOICES.values()))
    for name in IMAGE_NAMES:  # every registered image can be built
        assert builtin_image(name, 16, np.random.default_rng(0)).shape == (16, 16)

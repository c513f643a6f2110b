"""Convolution API: whole bodies for small cases, core agreement for images, 422 bodies."""

import numpy as np
import pytest
from PIL import Image

from core import images
from tests.server.image_files import encode


def test_conv1d_whole_body(client):
    r = client.post(
        "/api/v1/conv/conv1d",
        json={"values": [1, 2, 4, 8], "kernel": [1, 10, 100], "bias": 0.5, "activation": "relu"},
    )
    assert r.status_code == 200
    assert r.json() == {
        "x": [1.0, 2.0, 4.0, 8.0],
        "preactivations": [210.5, 421.5, 842.5, 84.5],
        "activations": [210.5, 421.5, 842.5, 84.5],
        "sources": [[-1, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, -1]],
        "matrix": [
            [10.0, 100.0, 0.0, 0.0],
            [1.0, 10.0, 100.0, 0.0],
            [0.0, 1.0, 10.0, 100.0],
            [0.0, 0.0, 1.0, 10.0],
        ],
        "conv_parameters": 4,
        "dense_parameters": 20,
        "padding_left": 1,
        "padding_right": 1,
        "kernel_span": 3,
        "tap_positions": [[-1, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4]],
        "output_centres": [0.0, 1.0, 2.0, 3.0],
    }


def test_conv1d_stride_dilation_valid(client):
    r = client.post(
        "/api/v1/conv/conv1d",
        json={
            "values": [0, 1, 2, 3, 4, 5, 6, 7],
            "kernel": [1, -1],
            "stride": 2,
            "dilation": 3,
            "padding": "valid",
        },
    )
    body = r.json()
    assert body["preactivations"] == [-3.0, -3.0, -3.0]  # x_{2i} - x_{2i+3}
    assert body["sources"] == [[0, 3], [2, 5], [4, 7]]
    assert body["padding_left"] == 0 and body["padding_right"] == 0
    assert body["kernel_span"] == 4  # (2 - 1) * 3 + 1
    assert body["tap_positions"] == body["sources"]  # valid padding: no tap on a zero
    assert body["output_centres"] == [1.5, 3.5, 5.5]  # between x_{2i} and x_{2i+3}


def test_conv1d_even_span_pads_more_on_the_right(client):
    body = client.post(
        "/api/v1/conv/conv1d", json={"values": [1, 2, 3, 4, 5], "kernel": [1, 1, 1, 1]}
    ).json()
    assert (body["padding_left"], body["padding_right"]) == (1, 2)
    assert body["tap_positions"][0] == [-1, 0, 1, 2] and body["tap_positions"][-1] == [3, 4, 5, 6]
    assert body["sources"][-1] == [3, 4, -1, -1]
    assert body["output_centres"] == [0.5, 1.5, 2.5, 3.5, 4.5]


def test_channels_shapes_and_counts(client):
    r = client.post(
        "/api/v1/conv/channels",
        json={"in_channels": 3, "out_channels": 2, "kernel_size": 5, "length": 20},
    )
    body = r.json()
    assert r.status_code == 200
    assert np.array(body["inputs"]).shape == (3, 20)
    assert np.array(body["weights"]).shape == (3, 2, 5)
    assert np.array(body["activations"]).shape == (2, 20)
    assert body["conv_parameters"] == 3 * 2 * 5 + 2
    assert body["conv_weights"] == 3 * 2 * 5
    assert body["dense_parameters"] == 60 * 40 + 40
    assert np.min(body["activations"]) >= 0  # relu


def test_receptive_whole_body(client):
    r = client.post(
        "/api/v1/conv/receptive",
        json={"layers": [{"kernel_size": 3}, {"kernel_size": 3}], "length": 8, "unit": 4},
    )
    assert r.json() == {
        "sizes": [3, 5],
        "jumps": [1, 1],
        "lengths": [8, 8, 8],
        "paths": [
            [0, 0, 1, 2, 3, 2, 1, 0],
            [0, 0, 0, 1, 1, 1, 0, 0],
            [0, 0, 0, 0, 1, 0, 0, 0],
        ],
        "positions": [2, 3, 4, 5, 6],
        "unit": 4,
        "centres": [[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]] * 3,
        "links": [
            [[2, 3], [3, 3], [4, 3], [3, 4], [4, 4], [5, 4], [4, 5], [5, 5], [6, 5]],
            [[3, 4], [4, 4], [5, 4]],
        ],
    }


def test_receptive_centres_with_stride_and_a_clamped_unit(client):
    body = client.post(
        "/api/v1/conv/receptive",
        json={
            "layers": [{"kernel_size": 3, "stride": 2}, {"kernel_size": 2}],
            "length": 8,
            "unit": 9,
            "clamp_unit": True,
        },
    ).json()
    assert body["lengths"] == [8, 4, 4]
    assert body["unit"] == 3  # the last unit of the last layer
    # Layer 1: unit i spans 2i - 1 .. 2i + 1 (one zero on the left); layer 2 (K = 2, no zero
    # on the left) spans layer-1 units i, i + 1: inputs 2i - 1 .. 2i + 3.
    assert body["centres"][1] == [0.0, 2.0, 4.0, 6.0]
    assert body["centres"][2] == [1.0, 3.0, 5.0, 7.0]
    assert body["links"][1] == [[3, 3]]  # its second tap lands on the right padding
    assert body["links"][0] == [[5, 3], [6, 3], [7, 3]]
    unclamped = client.post(
        "/api/v1/conv/receptive", json={"layers": [{"kernel_size": 3}], "length": 8, "unit": 9}
    )
    assert unclamped.status_code == 422


def test_equivariance_whole_body(client):
    r = client.post(
        "/api/v1/conv/equivariance",
        json={
            "values": [0, 0, 1, 2, 0, 0],
            "kernel": [1.0],
            "activation": "linear",
            "shift": 1,
        },
    )
    assert r.json() == {
        "x": [0.0, 0.0, 1.0, 2.0, 0.0, 0.0],
        "t_x": [0.0, 0.0, 0.0, 1.0, 2.0, 0.0],
        "f_x": [0.0, 0.0, 1.0, 2.0, 0.0, 0.0],
        "f_t_x": [0.0, 0.0, 0.0, 1.0, 2.0, 0.0],
        "t_f_x": [0.0, 0.0, 0.0, 1.0, 2.0, 0.0],
        "output_shift": 1,
        "interior": [False, True, True, True, True, True],
        "equivariance_gap": 0.0,
        "invariance_gap": 2.0,
    }


def test_equivariance_with_undefined_output_shift_sends_null(client):
    r = client.post(
        "/api/v1/conv/equivariance",
        json={"shift": 3, "pooling": "max", "pool_size": 2, "pool_stride": 2},
    )
    body = r.json()
    assert body["t_f_x"] is None and body["output_shift"] is None
    assert body["equivariance_gap"] is None


def test_image_kernel_matches_core(client):
    r = client.post(
        "/api/v1/conv/image",
        json={"image": "checkerboard", "size": 16, "kernel": "laplacian", "padding": "valid"},
    )
    body = r.json()
    assert r.status_code == 200
    image = images.builtin_image("checkerboard", 16, np.random.default_rng(0))
    expected = images.filter_image(image, "laplacian", "valid").output
    np.testing.assert_allclose(body["image"], image)
    np.testing.assert_allclose(body["output"], expected, atol=1e-4)
    assert body["kernels"] == [[[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]]
    assert body["padding"] == [0, 0]
    assert body["label"] == "Laplacian"


def test_custom_kernel_and_gradient_magnitude(client):
    custom = [[0, 0, 0], [0, 2, 0], [0, 0, 0]]
    r = client.post("/api/v1/conv/image", json={"size": 16, "kernel": "custom", "custom": custom})
    body = r.json()
    np.testing.assert_allclose(body["output"], 2 * np.array(body["image"]), atol=1e-4)
    assert body["label"] == "Custom 3x3"
    r = client.post("/api/v1/conv/image", json={"size": 16, "kernel": "gradient_magnitude"})
    assert len(r.json()["kernels"]) == 2


def test_upload_rgb_png(client):
    pixels = np.zeros((40, 30, 3), dtype=np.uint8)
    pixels[:, 15:] = (255, 255, 255)
    r = client.post(
        "/api/v1/conv/image/upload",
        files={"file": ("edge.png", encode(Image.fromarray(pixels)), "image/png")},
        data={"kernel": "sobel_x", "padding": "valid"},
    )
    assert r.status_code == 200
    body = r.json()
    assert np.array(body["image"]).shape == (40, 30)
    output = np.array(body["output"])
    assert output.shape == (38, 28)
    np.testing.assert_allclose(output[:, 13:15], 4.0)  # 1 + 2 + 1 across the edge
    assert output[:, :13].max() == 0.0


def test_upload_with_custom_kernel(client):
    data = encode(Image.new("L", (10, 10), 255))
    r = client.post(
        "/api/v1/conv/image/upload",
        files={"file": ("white.png", data, "image/png")},
        data={"kernel": "custom", "custom": "0,0,0,0,-1,0,0,0,0", "padding": "valid"},
    )
    np.testing.assert_allclose(r.json()["output"], -np.ones((8, 8)))


def error(msg: str, loc=("body",), kind="value_error") -> dict:
    return {"detail": [{"type": kind, "loc": list(loc), "msg": msg}]}


@pytest.mark.parametrize(
    ("files", "data", "expected"),
    [
        (
            {"file": ("a.png", b"hello", "image/png")},
            {},
            error("the file is not a PNG or JPEG image Pillow can read"),
        ),
        (
            {"file": ("a.png", encode(Image.new("L", (20, 20))), "image/png")},
            {"kernel": "custom", "custom": "1,2,3"},
            error("custom must be 9 or 25 comma-separated numbers, got 3"),
        ),
        (
            {"file": ("a.png", encode(Image.new("L", (20, 20))), "image/png")},
            {"kernel": "custom"},
            error("kernel 'custom' needs the 'custom' weights (9 or 25 numbers)"),
        ),
        (
            {"file": ("a.png", b"\0" * (5 * 1024 * 1024 + 1), "image/png")},
            {},
            error("the file is 5121 KiB; at most 5120 KiB is accepted"),
        ),
    ],
)
def test_bad_uploads_are_422(client, files, data, expected):
    r = client.post("/api/v1/conv/image/upload", files=files, data=data)
    assert r.status_code == 422
    assert r.json() == expected


def test_upload_without_a_file_is_422(client):
    r = client.post("/api/v1/conv/image/upload", data={"kernel": "sobel_x"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "file"]


@pytest.mark.parametrize(
    ("path", "payload", "expected"),
    [
        (
            "/api/v1/conv/conv1d",
            {"values": [1, 2, 3, 4], "kernel": [1, 1, 1], "dilation": 2, "padding": "valid"},
            error(
                "the dilated kernel spans 5 inputs but the input has only 4 "
                "(kernel size 3, dilation 2, padding valid)"
            ),
        ),
        (
            "/api/v1/conv/conv1d",
            {"stride": 0},
            error(
                "Input should be greater than or equal to 1",
                ("body", "stride"),
                "greater_than_equal",
            ),
        ),
        (
            "/api/v1/conv/receptive",
            {"length": 10, "unit": 10},
            error("unit must be between 0 and 9, got 10"),
        ),
        (
            "/api/v1/conv/receptive",
            {"layers": [{"kernel_size": 9}, {"kernel_size": 9}], "length": 10, "padding": "valid"},
            error(
                "layer 2: the dilated kernel spans 9 inputs but the input has only 2 "
                "(kernel size 9, dilation 1, padding valid)"
            ),
        ),
        (
            "/api/v1/conv/equivariance",
            {"length": 10, "shift": 10},
            error("the shift must be smaller than the signal length 10, got 10"),
        ),
        (
            "/api/v1/conv/image",
            {"kernel": "custom"},
            error("Value error, kernel 'custom' needs the 'custom' weights (3x3 or 5x5)"),
        ),
        (
            "/api/v1/conv/image",
            {"kernel": "custom", "custom": [[1, 2, 3], [1, 2, 3], [1, 2]]},
            error("Value error, the custom kernel must be square: 3 rows of 3 or 5 rows of 5"),
        ),
        (
            "/api/v1/conv/image",
            {"kernel": "custom", "custom": [[1] * 4] * 4},
            error("a custom kernel must be 3x3 or 5x5, got (4, 4)"),
        ),
    ],
)
def test_invalid_requests_are_422_with_a_message(client, path, payload, expected):
    r = client.post(path, json=payload)
    assert r.status_code == 422
    assert r.json() == expected


def test_oversized_upload_is_refused_before_parsing(client):
    body = b"\0" * (5 * 1024 * 1024 + 200 * 1024)
    r = client.post("/api/v1/conv/image/upload", files={"file": ("big.png", body, "image/png")})
    assert r.status_code == 413
    assert r.json()["detail"][0]["type"] == "too_large"


def test_upload_route_is_documented_under_the_lab(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/conv/image/upload"]["post"]
    assert operation["tags"] == ["convolution"]
    assert "422" in operation["responses"]

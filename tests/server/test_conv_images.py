"""Image routes of the convolution lab with the caller's own inputs, against loops and core."""

import itertools
import json

import numpy as np
import pytest

from core import images
from server.limits import is_light
from server.main import create_app


def loop_correlate(x, w, stride, dilation, padding):
    """Direct loop over output pixels (zero outside the image), independent of core."""
    k = w.shape[0]
    span = (k - 1) * dilation + 1
    before = (span - 1) // 2 if padding == "zero" else 0
    after = span - 1 - before if padding == "zero" else 0
    h, wd = x.shape
    rows = (h + before + after - span) // stride + 1
    cols = (wd + before + after - span) // stride + 1
    out = np.zeros((rows, cols))
    for i, j in itertools.product(range(rows), range(cols)):
        for a, b in itertools.product(range(k), range(k)):
            r, c = stride * i + dilation * a - before, stride * j + dilation * b - before
            if 0 <= r < h and 0 <= c < wd:
                out[i, j] += w[a, b] * x[r, c]
    return out


@pytest.mark.parametrize(
    ("stride", "dilation", "padding"),
    list(itertools.product((1, 2, 3), (1, 2), ("zero", "valid"))),
)
def test_own_float_image_with_stride_dilation_padding(client, stride, dilation, padding):
    rng = np.random.default_rng(stride * 10 + dilation)
    pixels = rng.normal(0.0, 5.0, size=(12, 10))  # floats well outside [0, 1]
    kernel = rng.standard_normal((3, 3))
    r = client.post(
        "/api/v1/conv/image",
        json={
            "pixels": pixels.tolist(),
            "kernel": "custom",
            "custom": kernel.tolist(),
            "stride": stride,
            "dilation": dilation,
            "padding": padding,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    want = loop_correlate(pixels, kernel, stride, dilation, padding)
    np.testing.assert_allclose(body["output"], want, rtol=1e-13, atol=1e-12)
    assert body["output_shape"] == list(want.shape)
    assert body["input_shape"] == [12, 10]
    # The window geometry places every tap: tap a of output row i reads s i + d a - p_top.
    top = body["pads"][0][0]
    rows_read = np.array(body["rows_read"])
    assert rows_read.shape == (want.shape[0], 3)
    assert rows_read[1, 2] == stride + 2 * dilation - top


def test_numbers_are_full_precision_unless_rounding_is_asked(client):
    pixels = [[1 / 3 + i + j / 7 for j in range(8)] for i in range(8)]
    body = client.post("/api/v1/conv/image", json={"pixels": pixels, "kernel": "identity"}).json()
    assert body["image"] == pixels  # every digit survives the round trip
    assert body["output"] == pixels
    rounded = client.post(
        "/api/v1/conv/image", json={"pixels": pixels, "kernel": "identity", "decimals": 2}
    ).json()
    assert rounded["output"][0][0] == 0.33


def test_float32_option_agrees_with_float64(client):
    request = {"image": "strokes", "size": 64, "kernel": "gaussian_blur", "stride": 2}
    double = client.post("/api/v1/conv/image", json=request).json()
    single = client.post("/api/v1/conv/image", json=request | {"dtype": "float32"}).json()
    np.testing.assert_allclose(single["output"], double["output"], atol=1e-6)


def test_pool2d_own_image_against_brute_force(client):
    pixels = np.random.default_rng(0).normal(size=(9, 11))
    for kind, size, stride in [("max", 2, None), ("average", 3, 2), ("max", 3, 1)]:
        r = client.post(
            "/api/v1/conv/pool2d",
            json={
                "pixels": pixels.tolist(),
                "kind": kind,
                "pool_size": size,
                "pool_stride": stride,
            },
        )
        assert r.status_code == 200, r.text
        body = r.json()
        s = stride or size
        reduce = np.max if kind == "max" else np.mean
        rows, cols = (9 - size) // s + 1, (11 - size) // s + 1
        want = [
            [reduce(pixels[s * i : s * i + size, s * j : s * j + size]) for j in range(cols)]
            for i in range(rows)
        ]
        np.testing.assert_allclose(body["output"], want, atol=1e-12)
        assert body["output_shape"] == [rows, cols] and body["pool_stride"] == s
        assert body["parameters"] == 0


def test_equivariance2d_own_image(client):
    pixels = np.zeros((16, 16))
    pixels[6:9, 5:8] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    r = client.post(
        "/api/v1/conv/equivariance2d",
        json={
            "pixels": pixels.tolist(),
            "kernel": "custom",
            "custom": [[0, 0, 0], [0, 2, 0], [0, 0, 0]],
            "activation": "linear",
            "shift_rows": 2,
            "shift_cols": -3,
        },
    )
    body = r.json()
    assert r.status_code == 200, r.text
    moved = np.zeros((16, 16))
    moved[8:11, 2:5] = pixels[6:9, 5:8]
    np.testing.assert_array_equal(body["t_x"], moved)
    np.testing.assert_array_equal(body["f_t_x"], 2 * moved)
    np.testing.assert_array_equal(body["t_f_x"], 2 * moved)
    assert body["output_shift"] == [2, -3]
    assert body["equivariance_gap"] == 0.0
    assert body["invariance_gap"] == 18.0


def test_equivariance2d_global_pooling_is_invariant(client):
    body = client.post(
        "/api/v1/conv/equivariance2d",
        json={
            "image": "shapes",
            "size": 48,
            "kernel": "box_blur",
            "shift_rows": 1,
            "shift_cols": 1,
            "pooling": "global_max",
        },
    ).json()
    assert np.shape(body["f_x"]) == (1, 1)
    assert body["invariance_gap"] == pytest.approx(0.0, abs=1e-12)


def test_channels2d_own_channels_and_weights(client):
    red = np.random.default_rng(1).uniform(size=(8, 9))
    blue = np.random.default_rng(2).uniform(size=(8, 9))
    weights = np.random.default_rng(3).standard_normal((2, 3, 3, 3))
    r = client.post(
        "/api/v1/conv/channels2d",
        json={
            "channels": [red.tolist(), blue.tolist()],
            "out_channels": 3,
            "kernel_size": 3,
            "weights": weights.tolist(),
            "biases": [0.1, -0.2, 0.3],
            "activation": "linear",
            "padding": "valid",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    for o, bias in enumerate([0.1, -0.2, 0.3]):
        want = bias + sum(
            loop_correlate(x, weights[c, o], 1, 1, "valid") for c, x in enumerate([red, blue])
        )
        np.testing.assert_allclose(body["preactivations"][o], want, atol=1e-12)
    assert body["conv_weights"] == 2 * 3 * 9 and body["conv_biases"] == 3
    assert body["conv_parameters"] == 57
    assert body["dense_parameters"] == (2 * 72) * (3 * 6 * 7) + 3 * 6 * 7


def test_channels2d_colour_image_default(client):
    body = client.post("/api/v1/conv/channels2d", json={"size": 32, "out_channels": 4}).json()
    assert np.shape(body["inputs"]) == (3, 32, 32)
    assert np.shape(body["weights"]) == (3, 4, 3, 3)
    assert np.shape(body["activations"]) == (4, 32, 32)
    assert body["conv_parameters"] == 3 * 4 * 9 + 4
    expected = images.colour_image("colour_shapes", 32, np.random.default_rng(0))
    np.testing.assert_array_equal(body["inputs"], expected)


def test_options_come_from_the_core_registries(client):
    body = client.get("/api/v1/conv/options").json()
    assert [c["name"] for c in body["kernels"]] == list(images.KERNEL_NAMES)
    assert [c["name"] for c in body["images"]] == list(images.IMAGE_NAMES)
    assert [c["name"] for c in body["paddings"]] == ["zero", "valid"]
    assert [c["name"] for c in body["pool_kinds"]] == ["max", "average"]
    assert all(
        c["label"]
        for group in body.values()
        if isinstance(group, list) and group and isinstance(group[0], dict)
        for c in group
    )


def error(msg, loc=("body",), kind="value_error"):
    return {"type": kind, "loc": list(loc), "msg": msg}


@pytest.mark.parametrize(
    ("path", "payload", "message"),
    [
        (
            "/api/v1/conv/image",
            {"pixels": [[0.0] * 8] * 7 + [[0.0] * 9]},
            "Value error, pixels must be a rectangle: every row the same length",
        ),
        (
            "/api/v1/conv/image",
            {"image": "shapes", "size": 16, "kernel": "sobel_x", "dilation": 8, "padding": "valid"},
            "the dilated kernel spans 17 inputs but the input has only 16 (kernel size 3, "
            "dilation 8, padding valid)",
        ),
        (
            "/api/v1/conv/equivariance2d",
            {"kernel": "gradient_magnitude"},
            "Gradient magnitude combines two convolutions non-linearly; choose a single kernel",
        ),
        (
            "/api/v1/conv/pool2d",
            {"pixels": [[0.0] * 8] * 8, "pool_size": 9},
            "pool size 9 is larger than the image (8 x 8)",
        ),
        (
            "/api/v1/conv/channels2d",
            {"weights": [[[[1.0]]]]},
            "Value error, weights must have shape C_i x C_o x K x K = (3, 2, 3, 3), "
            "got (1, 1, 1, 1)",
        ),
    ],
)
def test_invalid_image_requests_are_422(client, path, payload, message):
    r = client.post(path, json=payload)
    assert r.status_code == 422
    assert [d["msg"] for d in r.json()["detail"]] == [message]


def conv_operations():
    schema = create_app().openapi()
    for path, item in schema["paths"].items():
        if path.startswith("/api/v1/conv/") and "post" in item:
            content = item["post"].get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield path, content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


def test_every_conv_request_model_has_examples_that_work(client):
    schema = create_app().openapi()
    operations = list(conv_operations())
    assert len(operations) >= 8
    for path, model in operations:
        examples = schema["components"]["schemas"][model].get("examples")
        assert examples, f"{model} has no example"
        for example in examples:
            r = client.post(path, json=example)
            assert r.status_code == 200, (path, example, r.text)


def test_every_conv_response_field_is_described():
    schema = create_app().openapi()
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/conv/"):
            continue
        for op in item.values():
            ref = op["responses"]["200"]["content"]["application/json"]["schema"].get("$ref")
            model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
            for name, field in model["properties"].items():
                assert field.get("description"), f"{path}: {name} has no description"


def test_conventions_are_in_the_route_docs():
    schema = create_app().openapi()
    text = schema["paths"]["/api/v1/conv/image"]["post"]["description"]
    for words in ("Cross-correlation", "Stride", "Dilation", 'padding="same"'):
        assert words in text


@pytest.mark.parametrize(
    ("body", "light"),
    [
        (b"{}", True),  # the default built-in image, 128 x 128
        (b'{"image": "shapes", "size": 144, "kernel": "box_blur", "dilation": 8}', True),
        (b'{"size": 160}', True),
        (b'{"size": 176}', False),
        (b'{"size": 256, "image": "noise"}', False),
        (b'{"size": "many"}', False),
        (b'{"size": 1e300}', False),
        (b'{"size": 64.0}', False),  # not an integer: validated in the heavy lane
        (json.dumps({"pixels": [[0.5] * 16] * 16}).encode(), False),
        (b"[1, 2]", False),
        (b"{not json", False),
    ],
)
def test_which_image_requests_are_light(body, light):
    # Guarantee: a slider move on a built-in image of moderate size is computed as a light
    # request; your own pixels, large images and bodies the predicate cannot judge are heavy.
    assert is_light("/api/v1/conv/image", body) is light

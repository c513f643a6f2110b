"""Shallow-network API: whole bodies for small cases, limits and error bodies."""

import json

import numpy as np
import pytest

from core.activations import ACTIVATION_NAMES
from server.limits import is_light


def test_flow_small_case_whole_body(client):
    # One ReLU unit z = -1 + 2x with phi = (0.5, 3): joint at x = 0.5.
    r = client.post(
        "/api/v1/shallow/flow",
        json={"theta": [[-1, 2]], "phi": [[0.5, 3]], "x_min": 0, "x_max": 1, "n_points": 3},
    )
    assert r.status_code == 200
    assert r.json() == {
        "x": [0.0, 0.5, 1.0],
        "preactivations": [[-1.0, 0.0, 1.0]],
        "activations": [[0.0, 0.0, 1.0]],
        "weighted_activations": [[[0.0, 0.0, 3.0]]],
        "outputs": [[0.5, 0.5, 3.5]],
        "joints": [{"unit": 0, "x": 0.5, "bends": True, "y": [0.5]}],  # y = 0.5 + 3 relu(0)
        "piecewise_linear": True,
        "pieces": [
            {"x_start": 0.0, "x_end": 0.5, "active": [False], "slopes": [0.0], "intercepts": [0.5]},
            {"x_start": 0.5, "x_end": 1.0, "active": [True], "slopes": [6.0], "intercepts": [-2.5]},
        ],
        "linear_regions": [
            {"x_start": 0.0, "x_end": 0.5, "slopes": [0.0], "intercepts": [0.5], "pieces": [0, 0]},
            {"x_start": 0.5, "x_end": 1.0, "slopes": [6.0], "intercepts": [-2.5], "pieces": [1, 1]},
        ],
        "note": "An inactive ReLU unit (z_d <= 0) contributes nothing to the output in that "
        "region.",
        "parameter_count": 4,
    }


def test_flow_default_is_the_book_example_with_two_outputs(client):
    r = client.post(
        "/api/v1/shallow/flow",
        json={"phi": [[-0.3, 2, -1, 7], [0.5, -1.5, 1, -3]], "n_points": 50},
    )
    body = r.json()
    assert r.status_code == 200
    assert [j["unit"] for j in body["joints"]] == [0, 1, 2]
    assert [j["x"] for j in body["joints"]] == pytest.approx([0.3, 0.5, 0.5 / 0.65])
    assert len(body["outputs"]) == 2 and len(body["weighted_activations"]) == 2
    slopes = [r["slopes"] for r in body["linear_regions"]]
    np.testing.assert_allclose(slopes, [[-2, 1.5], [0, 0], [-2, 2], [2.55, 0.05]], atol=1e-12)
    assert body["parameter_count"] == 3 * 2 + 2 * 4


@pytest.mark.parametrize("activation", ["softplus", "gelu", "tanh"])
def test_flow_smooth_activation_says_regions_are_undefined(client, activation):
    body = client.post("/api/v1/shallow/flow", json={"activation": activation}).json()
    assert body["piecewise_linear"] is False
    assert body["linear_regions"] is None
    assert "not defined" in body["note"] and body["pieces"] is None
    assert len(body["joints"]) == 3


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (
            {"phi": [[1, 2]]},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "Value error, phi row 0 needs D + 1 = 4 numbers (phi_0 and one weight "
                    "per hidden unit), got 2",
                }
            ],
        ),
        (
            {"x_min": 1, "x_max": 1},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "Value error, the interval needs x_min < x_max",
                }
            ],
        ),
        (
            {"activation": "swish"},
            [
                {
                    "type": "literal_error",
                    "loc": ["body", "activation"],
                    "msg": "Input should be "
                    + ", ".join(f"'{n}'" for n in ACTIVATION_NAMES[:-1])
                    + f" or '{ACTIVATION_NAMES[-1]}'",
                }
            ],
        ),
        (
            {"n_points": 1},
            [
                {
                    "type": "greater_than_equal",
                    "loc": ["body", "n_points"],
                    "msg": "Input should be greater than or equal to 2",
                }
            ],
        ),
    ],
)
def test_flow_errors(client, payload, detail):
    r = client.post("/api/v1/shallow/flow", json=payload)
    assert r.status_code == 422
    assert r.json() == {"detail": detail}


def test_flow_rejects_too_many_units(client):
    r = client.post("/api/v1/shallow/flow", json={"theta": [[0, 1]] * 33, "phi": [[0] * 34]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "theta"]


def test_activations_whole_body_on_three_points(client):
    r = client.post("/api/v1/shallow/activations", json={"z_min": -1, "z_max": 1, "n_points": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["z"] == [-1.0, 0.0, 1.0]
    assert [c["name"] for c in body["curves"]] == list(ACTIVATION_NAMES)
    relu = body["curves"][0]
    assert relu == {
        "name": "relu",
        "label": "ReLU",
        "formula": r"a[z] = \max(0, z)",
        "piecewise_linear": True,
        "value": [0.0, 0.0, 1.0],
        "derivative": [0.0, 0.0, 1.0],
    }
    tanh = next(c for c in body["curves"] if c["name"] == "tanh")
    assert tanh["value"] == pytest.approx([np.tanh(-1), 0, np.tanh(1)])
    assert tanh["derivative"] == pytest.approx([1 - np.tanh(1) ** 2, 1, 1 - np.tanh(1) ** 2])


def test_activations_range_error(client):
    r = client.post("/api/v1/shallow/activations", json={"z_min": 2, "z_max": 1})
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body"],
                "msg": "Value error, the range needs z_min < z_max",
            }
        ]
    }


def test_regions_default_is_the_notes_example(client):
    r = client.post("/api/v1/shallow/regions", json={"grid_size": 60, "panel_size": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["exact_count"] == body["grid_count"] == body["bound"] == 7
    assert body["parameter_count"] == 13
    assert len(body["regions"]) == 7
    assert len(body["output"]) == len(body["region_index"]) == 60
    assert {s["unit"] for s in body["segments"]} == {0, 1, 2}
    assert len(body["units"]["preactivations"]) == 3
    assert np.array(body["units"]["activations"]).shape == (3, 5, 5)
    assert body["note"] == "Every region inside the view shows on the map."
    # The region with every unit off has the gradient of a constant: (0, 0).
    off = [g for g in body["regions"] if not any(g["active"])]
    assert off[0]["gradient"] == [0.0, 0.0]


def test_regions_small_case_whole_body(client):
    # One unit z = x1 on [-1, 1]^2 seen on a 2 x 2 grid: y = relu(x1).
    r = client.post(
        "/api/v1/shallow/regions",
        json={"theta": [[0, 1, 0]], "phi": [0, 1], "grid_size": 2, "panel_size": 2},
    )
    assert r.status_code == 200
    assert r.json() == {
        "x1": [-1.0, 1.0],
        "x2": [-1.0, 1.0],
        "output": [[0.0, 1.0], [0.0, 1.0]],
        "piecewise_linear": True,
        "region_index": [[0, 1], [0, 1]],
        "regions": [
            {"active": [False], "pixels": 2, "centroid": [-1.0, 0.0], "gradient": [0.0, 0.0]},
            {"active": [True], "pixels": 2, "centroid": [1.0, 0.0], "gradient": [1.0, 0.0]},
        ],
        "exact_count": 2,
        "pattern_count": 2,
        "grid_count": 2,
        "bound": 2,
        "segments": [{"unit": 0, "x1": [0.0, 0.0], "x2": [-1.0, 1.0]}],
        "units": {
            "x1": [-1.0, 1.0],
            "x2": [-1.0, 1.0],
            "preactivations": [[[-1.0, 1.0], [-1.0, 1.0]]],
            "activations": [[[0.0, 1.0], [0.0, 1.0]]],
        },
        "parameter_count": 5,
        "note": "Every region inside the view shows on the map.",
    }


def test_flow_joint_with_zero_output_weight_splits_no_region(client):
    body = client.post(
        "/api/v1/shallow/flow", json={"phi": [[-0.3, 2, 0, 7]], "n_points": 5}
    ).json()
    assert [j["bends"] for j in body["joints"]] == [True, False, True]
    assert len(body["pieces"]) == 4 and len(body["linear_regions"]) == 3
    assert body["linear_regions"][1]["pieces"] == [1, 2]
    assert "4 activation patterns but 3 linear regions" in body["note"]


def test_regions_unit_with_zero_output_weight_splits_no_region(client):
    # The notes' 2-3-1 example with phi_1 = 0: unit 1's line no longer bends the output.
    body = client.post(
        "/api/v1/shallow/regions", json={"phi": [0.2, 0, -0.8, 0.9], "grid_size": 60}
    ).json()
    assert body["pattern_count"] == 7 and body["bound"] == 7
    assert body["exact_count"] == body["grid_count"] == 4  # the two other lines cross once
    assert all(r["active"][0] is None for r in body["regions"] if r["pixels"] > 200)
    assert body["note"].startswith("7 activation patterns but 4 linear regions")


def test_regions_reports_regions_hidden_from_the_grid(client):
    # Two lines 0.01 apart: the middle strip is thinner than the 10-point grid spacing.
    r = client.post(
        "/api/v1/shallow/regions",
        json={
            "theta": [[0.0, 1, 0], [-0.01, 1, 0]],
            "phi": [0, 1, 1],
            "grid_size": 10,
            "panel_size": 5,
        },
    )
    body = r.json()
    assert body["exact_count"] == 3 and body["grid_count"] == 2
    assert body["note"].startswith("1 region(s) are thinner than the grid spacing")


def test_regions_smooth_activation(client):
    body = client.post(
        "/api/v1/shallow/regions", json={"activation": "sigmoid", "grid_size": 10}
    ).json()
    assert body["piecewise_linear"] is False
    assert body["exact_count"] is None and body["regions"] is None
    assert body["pattern_count"] is None
    assert body["region_index"] is None and body["grid_count"] is None
    assert "not defined" in body["note"] and body["pattern_count"] is None
    assert len(body["segments"]) == 3


def test_regions_errors(client):
    r = client.post("/api/v1/shallow/regions", json={"phi": [0, 1]})
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body"],
                "msg": "Value error, phi row 0 needs D + 1 = 4 numbers (phi_0 and one weight "
                "per hidden unit), got 2",
            }
        ]
    }
    r = client.post("/api/v1/shallow/regions", json={"x2_min": 1, "x2_max": 0})
    assert r.json()["detail"][0]["msg"] == (
        "Value error, the view needs x1_min < x1_max and x2_min < x2_max"
    )
    r = client.post("/api/v1/shallow/regions", json={"grid_size": 301})
    assert r.json()["detail"][0]["loc"] == ["body", "grid_size"]


def test_bounds_whole_body(client):
    r = client.post(
        "/api/v1/shallow/bounds",
        json={"max_inputs": 2, "max_hidden": 4, "n_inputs": 2, "n_hidden": 3, "n_outputs": 1},
    )
    assert r.status_code == 200
    assert r.json() == {
        "n_inputs": [1, 2],
        "n_hidden": [1, 2, 3, 4],
        "max_regions": [[2, 3, 4, 5], [2, 4, 7, 11]],
        "activation_patterns": [2, 4, 8, 16],
        "parameter_count": 13,
        "max_regions_for_network": 7,
    }


def test_bounds_too_large_for_json_is_null(client):
    body = client.post(
        "/api/v1/shallow/bounds", json={"n_inputs": 100, "n_hidden": 100, "n_outputs": 10}
    ).json()
    assert body["max_regions_for_network"] is None
    assert body["parameter_count"] == 100 * 101 + 10 * 101


@pytest.mark.parametrize(
    ("body", "light"),
    [
        ({}, True),  # the defaults: 160 x 160 map, 3 units
        ({"grid_size": 120, "theta": [[0, 1, 0]] * 16, "panel_size": 31}, True),  # the page, D = 16
        ({"grid_size": 160, "theta": [[0, 1, 0]] * 16}, True),
        ({"grid_size": 300}, False),
        ({"grid_size": 160, "theta": [[0, 1, 0]] * 32, "panel_size": 81}, False),
        ({"grid_size": "many"}, False),
        ({"theta": 3}, False),
    ],
)
def test_which_region_maps_are_light(body, light):
    # Guarantee: a region map of a slider's size skips the heavy queue; a large one (or a body
    # the predicate cannot judge) does not.
    assert is_light("/api/v1/shallow/regions", json.dumps(body).encode()) is light

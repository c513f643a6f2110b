"""Deep-networks API: small cases in full, the caller's own weights, 422s naming the layer."""

from math import comb, log10

import numpy as np
import pytest

from core import deep
from core.network import forward, shallow_network

API = "/api/v1/deep"


def test_every_openapi_example_of_the_lab_answers_200(client):
    schema = client.get("/openapi.json").json()
    posted = 0
    for path, item in schema["paths"].items():
        if not path.startswith(API):
            continue
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        ref = body["$ref"].split("/")[-1]
        for example in schema["components"]["schemas"][ref].get("examples", [{}]):
            r = client.post(path, json=example)
            assert r.status_code == 200, (path, example, r.text)
            posted += 1
    assert posted >= 6


def test_compose_default_is_the_folding_example(client):
    body = client.post(f"{API}/compose", json={}).json()
    assert body["counts1"] == {"joints": 2, "pieces": 3, "regions": 3}
    assert body["counts2"] == {"joints": 3, "pieces": 4, "regions": 4}
    assert body["counts"] == {"joints": 11, "pieces": 12, "regions": 12}
    assert body["max_difference"] < 1e-12
    assert body["deep"]["widths"] == [1, 3, 3, 1]
    assert body["deep"]["parameter_count"] == 6 + 12 + 4
    sources = [j["source"] for j in body["joints"]]
    assert sources.count("network 1") == 2 and sources.count("network 2") == 9
    assert all(j["level"] is None for j in body["joints"] if j["source"] == "network 1")
    # Every joint is a sample, so the drawn kinks are exact; the outputs there are the curves'.
    assert {j["x"] for j in body["joints"]} <= set(body["x"])
    at = {x: i for i, x in enumerate(body["x"])}
    for j in body["joints"]:
        assert j["y"] == pytest.approx(body["y"][at[j["x"]]], abs=1e-12)
        assert j["output"] == pytest.approx(body["composed"][at[j["x"]]], abs=1e-12)
    # network 2's joints are not samples of y_grid; the outputs there are its exact kinks
    net2 = shallow_network(deep.FOLD_THETA2, deep.FOLD_PHI2, "relu")
    joints2 = np.array(body["joints2"])
    expected = forward(net2, joints2[None, :]).output[0]
    np.testing.assert_allclose(body["joints2_output"], expected, atol=1e-12)


def test_compose_small_case_by_hand(client):
    # Network 1: y = relu(x) on [-1, 1]; network 2: y' = relu(y - 0.5). Joints at 0 and 0.5;
    # the joint at x = 0 does not bend y' (y < 0.5 there, network 2 is flat).
    r = client.post(
        f"{API}/compose",
        json={
            "theta1": [[0, 1]],
            "phi1": [0, 1],
            "theta2": [[-0.5, 1]],
            "phi2": [0, 1],
            "n_points": 5,
        },
    )
    body = r.json()
    assert r.status_code == 200
    assert body["x"] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert body["composed"] == [0.0, 0.0, 0.0, 0.0, 0.5]
    assert body["joints"] == [
        {
            "x": 0.0,
            "source": "network 1",
            "unit": 0,
            "level": None,
            "bends": False,
            "y": 0.0,
            "output": 0.0,
        },
        {
            "x": 0.5,
            "source": "network 2",
            "unit": 0,
            "level": 0.5,
            "bends": True,
            "y": 0.5,
            "output": 0.0,
        },
    ]
    assert body["joints2"] == [0.5] and body["joints2_output"] == [0.0]
    assert body["counts"] == {"joints": 2, "pieces": 3, "regions": 2}
    assert body["regions"] == [
        {"x_start": -1.0, "x_end": 0.5, "slope": 0.0, "intercept": 0.0},
        {"x_start": 0.5, "x_end": 1.0, "slope": 1.0, "intercept": -0.5},
    ]
    assert body["deep"]["omegas"] == [[[1.0]], [[1.0]], [[1.0]]]
    assert body["deep"]["betas"] == [[0.0], [-0.5], [0.0]]


def test_line_with_the_callers_weights(client):
    # h = relu(x), relu(x - 0.5); y = h1 - 2 h2: slopes 0, 1, -1 on [-1, 1].
    r = client.post(
        f"{API}/line",
        json={
            "network": {
                "betas": [[0.0, -0.5], [0.0]],
                "omegas": [[[1.0], [1.0]], [[1.0, -2.0]]],
            },
            "x_min": -1,
            "x_max": 1,
            "n_points": 5,
        },
    )
    body = r.json()
    assert r.status_code == 200
    assert body["x"] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert body["output"] == [0.0, 0.0, 0.0, 0.5, 0.0]
    assert body["f"] == [[[-1.0, -0.5, 0.0, 0.5, 1.0], [-1.5, -1.0, -0.5, 0.0, 0.5]]]
    assert body["h"] == [[[0.0, 0.0, 0.0, 0.5, 1.0], [0.0, 0.0, 0.0, 0.0, 0.5]]]
    assert body["joints"] == [
        {"x": 0.0, "layer": 1, "unit": 0, "bends": True, "y": 0.0},
        {"x": 0.5, "layer": 1, "unit": 1, "bends": True, "y": 0.5},
    ]
    assert body["counts"] == {"joints": 2, "pieces": 3, "regions": 3}
    assert [r["slope"] for r in body["regions"]] == [0.0, 1.0, -1.0]
    assert body["layers"] == [{"layer": 1, "pieces": 3, "regions": 3}]
    assert body["network"]["parameter_count"] == 7
    assert body["linear"] is None


def test_line_seeded_network_is_reproducible_and_edits_apply(client):
    spec = {"hidden": [5, 5], "seed": 4}
    a = client.post(f"{API}/line", json={"network": spec, "include_layers": False}).json()
    b = client.post(f"{API}/line", json={"network": spec, "include_layers": False}).json()
    assert a == b and a["f"] is None and a["h"] is None
    at = {x: i for i, x in enumerate(a["x"])}  # few joints: every one is a sample
    assert a["joints"]
    for j in a["joints"]:
        assert j["y"] == pytest.approx(a["output"][at[j["x"]]], abs=1e-12)
    edited = {**spec, "edits": [{"layer": 2, "row": 0, "column": -1, "value": 7.5}]}
    c = client.post(f"{API}/line", json={"network": edited, "include_layers": False}).json()
    assert c["network"]["betas"][2] == [7.5]
    np.testing.assert_allclose(
        np.array(c["output"]) - np.array(a["output"]), 7.5 - a["network"]["betas"][2][0]
    )


def test_linear_network_collapses(client):
    spec = {"hidden": [3, 1, 4], "activations": ["linear"], "seed": 2}
    body = client.post(f"{API}/plane", json={"network": spec, "grid_size": 5}).json()
    assert body["linear"]["rank"] == 1 and body["linear"]["narrowest"] == 1
    assert body["linear"]["max_difference"] < 1e-12
    assert body["regions"] == body["pieces"] == 1


def test_plane_counts_and_boundaries(client):
    # y = relu(x1) + relu(x2): the two axes split the view into 4 regions.
    r = client.post(
        f"{API}/plane",
        json={
            "network": {
                "betas": [[0.0, 0.0], [0.0]],
                "omegas": [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
            },
            "x1_min": -1,
            "x1_max": 1,
            "x2_min": -1,
            "x2_max": 1,
            "grid_size": 4,
        },
    )
    body = r.json()
    assert r.status_code == 200
    assert body["regions"] == body["pieces"] == body["grid_regions"] == 4
    assert len(body["boundaries"]) == 4  # each axis half between two regions
    assert body["layers"][0]["regions"] == 4
    assert sorted({k for row in body["region_index"] for k in row}) == [0, 1, 2, 3]


def test_plane_smooth_activation_has_no_regions(client):
    body = client.post(
        f"{API}/plane", json={"network": {"activations": ["gelu"]}, "grid_size": 3}
    ).json()
    assert body["piecewise_linear"] is False
    assert body["regions"] is None and body["boundaries"] is None


def test_bounds_are_exact_integers_beyond_double_precision(client):
    body = client.post(f"{API}/bounds", json={"width": 64, "max_depth": 30}).json()
    last = body["rows"][-1]
    assert last["deep_lower"]["value"] == 65**30  # exact, ~10^54
    assert last["deep_upper"]["value"] == 65**30
    assert last["sawtooth"]["value"] == 64**30
    assert last["shallow_same_units"]["value"] == 64 * 30 + 1
    assert last["deep_lower"]["log10"] == pytest.approx(30 * np.log10(65))
    two = client.post(f"{API}/bounds", json={"n_inputs": 2, "width": 4, "max_depth": 3}).json()
    assert two["rows"][2]["deep_lower"]["value"] == 81 * 11


def test_compare_small(client):
    body = client.post(f"{API}/compare", json={"width": 2, "max_depth": 3, "n_seeds": 2}).json()
    assert body["depths"] == [1, 2, 3] and body["seeds"] == [0, 1]
    assert body["sawtooth_counted"] == [2, 4, 8]
    assert np.array(body["deep"]).shape == (3, 2)
    for row, k in zip(body["deep"], body["depths"], strict=True):
        assert max(row) <= 3**k
    for key in ("deep", "shallow_same_units", "shallow_same_parameters"):
        assert body[f"{key}_mean"] == pytest.approx([sum(r) / 2 for r in body[key]], rel=1e-15)


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (
            {"network": {"betas": [[0.0, 0.0], [0.0]], "omegas": [[[1.0], [1.0]], [[1.0]]]}},
            "layer 1: Omega_1 must have 2 columns",
        ),
        (
            {"network": {"betas": [[0.0], [0.0]], "omegas": [[[1.0, 2.0]], [[1.0]]]}},
            "layer 0: Omega_0 must have 1 column",
        ),
        (
            {"network": {"betas": [[0.0], [0.0, 1.0]], "omegas": [[[1.0]], [[1.0], [2.0]]]}},
            "layer 1: the network has one output",
        ),
        ({"network": {"betas": [[0.0]]}}, "give both betas and omegas"),
        ({"network": {"hidden": [3, 3], "activations": ["relu"] * 3}}, "one activation or 2"),
        (
            {"network": {"edits": [{"layer": 1, "row": 0, "column": 9, "value": 1}]}},
            "layer 1: Omega_1 has no column 9",
        ),
        ({"x_min": 1, "x_max": 0}, "x_min < x_max"),
    ],
)
def test_line_errors_name_the_layer(client, payload, detail):
    r = client.post(f"{API}/line", json=payload)
    assert r.status_code == 422
    assert detail in r.text


def test_compose_errors(client):
    r = client.post(f"{API}/compose", json={"theta1": [[0, 1]], "phi1": [0, 1, 2]})
    assert r.status_code == 422 and "phi1 needs D + 1 = 2 numbers" in r.text
    r = client.post(f"{API}/compose", json={"activation": "tanh"})
    assert r.status_code == 422


def test_bounds_beyond_four_thousand_digits_give_log10_only(client):
    body = client.post(
        f"{API}/bounds", json={"n_inputs": 100, "width": 10_000, "max_depth": 200}
    ).json()
    last = body["rows"][-1]
    assert last["deep_lower"]["value"] is None
    zaslavsky = sum(comb(10_000, j) for j in range(101))  # about 10^241: exact in Python
    expected = 100 * 199 * log10(101) + log10(zaslavsky)
    assert last["deep_lower"]["log10"] == pytest.approx(expected, rel=1e-12)
    assert body["rows"][0]["sawtooth"]["value"] == 10_000


def test_layer_curves_are_left_out_when_too_many(client):
    body = client.post(
        f"{API}/line", json={"network": {"hidden": [64] * 10}, "n_points": 1000}
    ).json()
    assert body["f"] is None and body["h"] is None
    assert body["counts"]["regions"] >= 1
    small = client.post(f"{API}/line", json={"network": {"hidden": [64] * 10}, "n_points": 100})
    assert len(small.json()["h"]) == 10

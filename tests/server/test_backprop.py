"""Backpropagation API: bodies against core, every example, and 422s that name the layer."""

import numpy as np
import pytest

from core import backprop, backprop_chain, backprop_cost, network

API = "/api/v1/backprop"


def test_chain_default_is_the_book_example(client):
    body = client.post(f"{API}/chain", json={}).json()
    chain = backprop_chain.chain_backprop(**backprop_chain.BOOK_CHAIN)
    assert body["f"] == chain.f.tolist()
    assert body["loss"] == chain.loss
    assert body["dl_dbetas"] == chain.dl_dbetas.tolist()
    assert body["dl_domegas"] == chain.dl_domegas.tolist()
    assert set(body) == {
        "f", "h", "loss", "dh_df", "df_dh", "dl_df", "dl_dh", "dl_dbetas", "dl_domegas",
        "fd_betas", "fd_omegas", "errors_betas", "errors_omegas",
    }  # fmt: skip
    np.testing.assert_allclose(body["fd_betas"], body["dl_dbetas"], rtol=1e-7)
    assert max(body["errors_betas"] + body["errors_omegas"]) < 1e-8


def test_chain_rejects_three_betas(client):
    r = client.post(f"{API}/chain", json={"betas": [1, 2, 3]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "betas"]


def test_network_default_shapes_and_check(client):
    body = client.post(f"{API}/network", json={"seed": 4, "n_examples": 3}).json()
    widths = body["widths"]
    assert widths == [2, 4, 4, 4, 1]
    depth = len(widths) - 2
    assert [np.shape(f) for f in body["f"]] == [(w, 3) for w in widths[1:]]
    assert [np.shape(h) for h in body["h"]] == [(w, 3) for w in widths[1:-1]]
    assert [np.shape(m) for m in body["masks"]] == [(w, 3) for w in widths[1:-1]]
    assert [np.shape(o) for o in body["dl_domegas"]] == [
        (b, a) for a, b in zip(widths[:-1], widths[1:], strict=True)
    ]
    for k in range(depth):
        np.testing.assert_array_equal(body["masks"][k], (np.array(body["f"][k]) > 0) * 1.0)
    assert max(body["layer_errors"]) < 1e-6
    assert body["cost"] == {
        "parameters": network.parameter_count(widths),
        "forward": 3 * backprop_cost.forward_multiplications(widths),
        "backward": 3 * backprop_cost.backward_multiplications(widths),
        "finite_differences": 3 * backprop_cost.finite_difference_multiplications(widths),
    }
    assert body["steps"][0]["writes"] == ["f_0"]
    assert body["steps"][-1]["writes"] == ["dl/dbeta_0", "dl/dOmega_0"]
    # The same seed gives the same network.
    again = client.post(f"{API}/network", json={"seed": 4, "n_examples": 3}).json()
    assert again == body


def test_network_with_own_weights_matches_core(client):
    req = {
        "betas": [[0.1, -0.2], [0.3]],
        "omegas": [[[1.0], [-1.0]], [[0.5, 2.0]]],
        "activations": ["relu"],
        "x": [[0.5, -1.0]],
        "targets": [[1.0, 0.0]],
    }
    body = client.post(f"{API}/network", json=req).json()
    net = network.network_from_lists(req["betas"], req["omegas"], "relu")
    r = backprop.inspect(net, np.array(req["x"]), np.array(req["targets"]))
    assert body["f"] == [f.tolist() for f in r.forward.f]
    assert body["dl_domegas"] == [g.tolist() for g in r.gradients.dl_domegas]
    assert body["loss"]["total"] == r.loss.total
    # f_0 = (0.6, -0.7), (-0.9, 0.8): unit 0 is on for example 0 only.
    assert body["masks"] == [[[1.0, 0.0], [0.0, 1.0]]]


def test_edit_changes_one_weight_and_what_follows_it(client):
    base = client.post(f"{API}/network", json={"seed": 2}).json()
    on = [j for j, row in enumerate(base["h"][0]) if row[0] > 0]  # units of h_1 that are on
    edit = {"kind": "omega", "layer": 1, "row": 2, "column": on[0], "value": 5.0}
    body = client.post(f"{API}/network", json={"seed": 2, "edits": [edit]}).json()
    assert body["omegas"][1][2][on[0]] == 5.0
    changed = np.array(body["omegas"][1]) != np.array(base["omegas"][1])
    assert changed.sum() == 1
    assert body["x"] == base["x"] and body["f"][0] == base["f"][0]  # upstream: untouched
    assert body["f"][1][2] != base["f"][1][2]  # the unit it feeds moves
    assert [r for i, r in enumerate(body["f"][1]) if i != 2] == [
        r for i, r in enumerate(base["f"][1]) if i != 2
    ]
    assert max(body["layer_errors"]) < 1e-6


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"betas": [[0.0, 0.0], [0.0]], "omegas": [[[1.0], [1.0]], [[1.0, 2.0, 3.0]]]}, "layer 1"),
        ({"betas": [[0.0], [0.0, 1.0]], "omegas": [[[1.0]], [[1.0]]]}, "layer 1: beta_1"),
        ({"betas": [[0.0, 0.0], [0.0]], "omegas": [[[1.0], [1.0, 2.0]], [[1.0, 2.0]]]}, "layer 0"),
        ({"betas": [[0.0]], "omegas": None}, "both betas and omegas"),
        ({"x": [[1.0], [2.0], [3.0]]}, "2 rows"),
        ({"edits": [{"kind": "omega", "layer": 1, "row": 9, "column": 0, "value": 1}]}, "layer 1"),
        ({"edits": [{"kind": "beta", "layer": 5, "row": 0, "value": 1}]}, "layer 5"),
        ({"activations": ["relu", "tanh"]}, "3 activations"),
        ({"loss": "cross_entropy", "targets": [[0.5]]}, "labels"),
        ({"loss": "gaussian_nll_predicted"}, "(2, I)"),
    ],
)
def test_network_422_names_what_does_not_fit(client, request_body, message):
    r = client.post(f"{API}/network", json=request_body)
    assert r.status_code == 422, r.text
    assert message in r.text


def test_cost_matches_core(client):
    body = client.post(f"{API}/cost", json={"d_in": 3, "d_out": 2, "width": 5, "max_depth": 4})
    body = body.json()
    assert body["depths"] == [1, 2, 3, 4]
    for k, depth in enumerate(body["depths"]):
        widths = [3, *[5] * depth, 2]
        assert body["forward"][k] == backprop_cost.forward_multiplications(widths)
        assert body["backprop"][k] == body["forward"][k] + backprop_cost.backward_multiplications(
            widths
        )
        assert body["finite_differences"][k] == 2 * body["parameters"][k] * body["forward"][k]


def test_gradient_sizes_series(client):
    req = {"depth": 6, "width": 8, "activations": ["relu", "tanh"], "scales": [0.5, 2]}
    body = client.post(f"{API}/gradient-sizes", json=req).json()
    assert body["layers"] == list(range(7))
    assert [(s["activation"], s["scale"]) for s in body["series"]] == [
        ("relu", 0.5),
        ("relu", 2.0),
        ("tanh", 0.5),
        ("tanh", 2.0),
    ]
    assert all(len(s["dl_df"]) == 7 for s in body["series"])
    relu_small, relu_big = body["series"][:2]
    # Toward the input the small scale vanishes and the large one explodes.
    assert relu_small["dl_df"][0] < relu_small["dl_df"][-1] < relu_big["dl_df"][-1]
    assert relu_big["dl_df"][0] > relu_big["dl_df"][-1]


def test_every_openapi_example_works(client):
    schema = client.get("/openapi.json").json()
    posted = 0
    for path, item in schema["paths"].items():
        if not path.startswith(API):
            continue
        ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        model = schema["components"]["schemas"][ref.split("/")[-1]]
        assert model.get("examples"), path
        for example in model["examples"]:
            r = client.post(path, json=example)
            assert r.status_code == 200, (path, example, r.text)
            posted += 1
    assert posted >= 7


def test_meta_lists_the_backprop_page(client):
    labs = {lab["id"]: lab for lab in client.get("/api/v1/meta").json()["labs"]}
    assert labs["backprop"]["page"] == "backprop.html"

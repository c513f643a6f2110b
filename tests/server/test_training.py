"""Training API: whole bodies checked against core, limits and error bodies."""

import numpy as np
import pytest

from core import landscape_critical, landscape_loss, landscape_models, optimizers

API = "/api/v1/training"


def build(name="gabor", n=40, noise=0.2, seed=0, activation="tanh"):
    return landscape_models.make_landscape(name, n, noise, np.random.default_rng(seed), activation)


def test_landscape_default_body_matches_core(client):
    r = client.post(f"{API}/landscape", json={})
    assert r.status_code == 200
    body = r.json()
    land = build()
    phi_0, phi_1 = landscape_loss.grid_axes(land, 80)
    surface = landscape_loss.loss_surface(land, phi_0, phi_1)
    minima = landscape_critical.find_minima(land, phi_0, phi_1, surface)
    saddles = landscape_critical.find_saddles(land, phi_0, phi_1, surface)
    assert body == {
        "label": "Gabor model",
        "formula": land.formula,
        "param_names": ["\\phi_0", "\\phi_1"],
        "param_range": [[-10.0, 10.0], [2.5, 22.5]],
        "convex": False,
        "x": land.x.tolist(),
        "y": land.y.tolist(),
        "true_phi": [-0.2, 13.0],
        "surface": {"phi0": phi_0.tolist(), "phi1": phi_1.tolist(), "loss": surface.tolist()},
        "minima": [
            {"phi": p, "loss": loss}
            for p, loss in zip(minima.points.tolist(), minima.losses.tolist(), strict=True)
        ],
        "saddles": [
            {"phi": p, "loss": loss, "eigenvalues": e}
            for p, loss, e in zip(
                saddles.points.tolist(),
                saddles.losses.tolist(),
                saddles.eigenvalues.tolist(),
                strict=True,
            )
        ],
    }
    assert len(body["minima"]) >= 3
    assert len(body["saddles"]) >= 1  # between the valleys


@pytest.mark.parametrize(("name", "convex"), [("linear", True), ("network", False)])
def test_other_landscapes(client, name, convex):
    body = client.post(f"{API}/landscape", json={"landscape": name, "resolution": 30}).json()
    assert body["convex"] is convex
    assert len(body["surface"]["loss"]) == 30 and len(body["surface"]["loss"][0]) == 30
    assert len(body["minima"]) == (1 if convex else 2)


def test_point_with_and_without_a_batch(client):
    req = {"phi0": 1.0, "phi1": 10.0, "resolution": 12}
    body = client.post(f"{API}/point", json=req).json()
    land = build()
    loss, grad = landscape_loss.loss_and_gradient(land, np.array([1.0, 10.0]))
    assert body["loss"] == pytest.approx(loss)
    assert body["gradient"] == pytest.approx(grad.tolist())
    assert body["gradient_norm"] == pytest.approx(float(np.hypot(*grad)))
    assert body["batch_loss"] is None and body["batch_surface"] is None
    assert body["gradient_vanishes"] is False and body["batch_gradient_vanishes"] is None
    assert len(body["curve_x"]) == len(body["curve_f"]) == 200
    with_batch = client.post(f"{API}/point", json={**req, "batch": [0, 5, 7]}).json()
    b_loss, b_grad = landscape_loss.loss_and_gradient(
        land, np.array([1.0, 10.0]), np.array([0, 5, 7])
    )
    assert with_batch["batch_loss"] == pytest.approx(b_loss)
    assert with_batch["batch_gradient"] == pytest.approx(b_grad.tolist())
    assert len(with_batch["batch_surface"]) == 12
    assert with_batch["batch_gradient_vanishes"] is (bool(np.hypot(*b_grad) < 1e-8))


def test_race_runs_match_core(client):
    req = {
        "phi0": 1.0,
        "phi1": 5.0,
        "max_steps": 50,
        "optimizers": [
            {"kind": "gd", "learning_rate": 3},
            {"kind": "sgd", "learning_rate": 3, "batch_size": 8},
            {"kind": "adam", "learning_rate": 0.3, "batch_size": 8, "schedule": {"kind": "step"}},
        ],
    }
    r = client.post(f"{API}/race", json=req)
    assert r.status_code == 200
    runs = r.json()["runs"]
    configs = (
        optimizers.OptimizerConfig("gd", 3.0),
        optimizers.OptimizerConfig("sgd", 3.0, batch_size=8),
        optimizers.OptimizerConfig("adam", 0.3, batch_size=8, schedule=optimizers.Schedule("step")),
    )
    expected = optimizers.race(build(), configs, np.array([1.0, 5.0]), 50, np.random.default_rng(0))
    for body, run in zip(runs, expected, strict=True):
        assert body["trajectory"]["phi0"] == run.trajectory[:, 0].tolist()
        assert body["losses"] == run.losses.tolist()
        assert body["status"] == run.status
        assert body["steps"] == len(run.trajectory) - 1
    assert runs[0]["batch_indices"] is None  # full batch: nothing to show
    assert runs[1]["batch_indices"] == [b.tolist() for b in expected[1].batch_indices]
    assert runs[2]["batch_indices"] is None  # only the detailed optimiser's batches are sent
    assert runs[1]["label"] == "SGD (|B|=8)"
    assert runs[1]["epoch_ends"] == [5, 10, 15, 20, 25, 30, 35, 40, 45, 50]
    assert runs[2]["learning_rates"] == [0.3] * 50


def test_race_divergence_has_only_finite_numbers(client):
    req = {
        "landscape": "linear",
        "max_steps": 1000,
        "optimizers": [
            {"kind": "gd", "learning_rate": 50},
            {"kind": "momentum", "learning_rate": 80},
        ],
    }
    r = client.post(f"{API}/race", json=req)
    assert r.status_code == 200  # the JSON encoder would fail on NaN or inf
    for run in r.json()["runs"]:
        assert run["status"] == "diverged"
        assert run["message"].startswith("the parameters left")
        assert all(np.isfinite(run["losses"]))


def test_starts_say_which_valley(client):
    req = {
        "optimizer": {"kind": "gd", "learning_rate": 3},
        "starts": [[1.0, 5.0], [3.0, 18.0], [-4.0, 8.0]],
        "max_steps": 400,
    }
    body = client.post(f"{API}/starts", json=req).json()
    minima = np.array([m["phi"] for m in body["minima"]])
    for run in body["runs"]:
        end = np.array([run["trajectory"]["phi0"][-1], run["trajectory"]["phi1"][-1]])
        assert run["ended_in"] == int(np.argmin(np.linalg.norm(minima - end, axis=1)))
        assert run["batch_indices"] is None  # full batch
    assert body["runs"][1]["ended_in"] == 0  # (3, 18) rolls into the global valley
    req["optimizer"] = {"kind": "sgd", "batch_size": 8}
    runs = client.post(f"{API}/starts", json=req).json()["runs"]
    assert len(runs[0]["batch_indices"]) == runs[0]["steps"]  # the first start's batches
    assert [r["batch_indices"] for r in runs[1:]] == [None, None]


@pytest.mark.parametrize(
    ("path", "payload", "detail"),
    [
        (
            "point",
            {"phi0": 0, "phi1": 0, "n_samples": 10, "batch": [3, 12]},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "sample indices must lie in 0..9, got 3..12",
                }
            ],
        ),
        (
            "landscape",
            {"n_samples": 1},
            [
                {
                    "type": "greater_than_equal",
                    "loc": ["body", "n_samples"],
                    "msg": "Input should be greater than or equal to 2",
                }
            ],
        ),
        (
            "race",
            {"optimizers": []},
            [
                {
                    "type": "too_short",
                    "loc": ["body", "optimizers"],
                    "msg": "List should have at least 1 item after validation, not 0",
                }
            ],
        ),
        (
            "race",
            {"optimizers": [{"kind": "rmsprop"}]},
            [
                {
                    "type": "literal_error",
                    "loc": ["body", "optimizers", 0, "kind"],
                    "msg": "Input should be 'gd', 'line_search', 'sgd', 'momentum', "
                    "'nesterov', 'adam' or 'exact_line_search'",
                }
            ],
        ),
        (
            "race",
            {"optimizers": [{"kind": "momentum", "beta": 1.0}]},
            [
                {
                    "type": "less_than",
                    "loc": ["body", "optimizers", 0, "beta"],
                    "msg": "Input should be less than 1",
                }
            ],
        ),
        (
            "starts",
            {"starts": []},
            [
                {
                    "type": "too_short",
                    "loc": ["body", "starts"],
                    "msg": "List should have at least 1 item after validation, not 0",
                }
            ],
        ),
    ],
)
def test_errors_are_clear_422s(client, path, payload, detail):
    r = client.post(f"{API}/{path}", json=payload)
    assert r.status_code == 422
    assert r.json() == {"detail": detail}


def test_nan_is_refused(client):
    r = client.post(
        f"{API}/point",
        content=b'{"phi0": NaN, "phi1": 0}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422


# ---------------------------------------------------------------------------- own inputs

X_OWN = [0.0, 0.5, 1.0, 1.5, 2.0]
Y_OWN = [0.4, 1.2, 1.7, 2.3, 2.9]


def test_own_points_on_the_linear_landscape_give_least_squares(client):
    body = client.post(
        f"{API}/landscape", json={"landscape": "linear", "x": X_OWN, "y": Y_OWN}
    ).json()
    assert body["x"] == X_OWN and body["y"] == Y_OWN
    exact = np.polyfit(X_OWN, Y_OWN, 1)[::-1]  # intercept, slope: an independent solver
    np.testing.assert_allclose(body["minima"][0]["phi"], exact, atol=1e-6)


def test_own_points_and_own_batch_order_reproduce_sgd_by_hand(client):
    order = [[0, 1], [2, 3, 4], [4]]
    body = client.post(
        f"{API}/race",
        json={
            "landscape": "linear",
            "x": X_OWN,
            "y": Y_OWN,
            "phi0": 0.0,
            "phi1": 0.0,
            "max_steps": 7,
            "tolerance": 0,
            "detail": "momentum",
            "record": True,
            "optimizers": [
                {"kind": "momentum", "learning_rate": 0.1, "beta": 0.5, "batches": order}
            ],
        },
    ).json()
    run = body["runs"][0]
    x, y = np.array(X_OWN), np.array(Y_OWN)
    phi, m = np.zeros(2), np.zeros(2)
    for t in range(7):
        idx = order[t % 3]
        assert run["batch_indices"][t] == idx
        r = phi[0] + phi[1] * x[idx] - y[idx]
        g = np.array([2 * r.mean(), 2 * (r * x[idx]).mean()])
        m = 0.5 * m + 0.5 * g
        phi = phi - 0.1 * m
        np.testing.assert_allclose(run["gradients"][t], g, rtol=1e-12)
        np.testing.assert_allclose(run["moments"][t], m, rtol=1e-12)
        np.testing.assert_allclose(
            [run["trajectory"]["phi0"][t + 1], run["trajectory"]["phi1"][t + 1]], phi, rtol=1e-12
        )
    assert run["second_moments"] is None
    assert run["epoch_ends"] == [3, 6]


def test_default_answers_stay_small(client):
    run = client.post(f"{API}/race", json={}).json()["runs"][0]
    assert run["gradients"] is None and run["moments"] is None


def test_own_network_weights_change_the_slice(client):
    theta = [[0.0, 2.0], [0.5, -1.0]]
    phi = [0.1, 1.0, 0.5]
    body = client.post(
        f"{API}/point",
        json={
            "landscape": "network",
            "network_theta": theta,
            "network_phi": phi,
            "x": [-1.0, 0.0, 1.0],
            "y": [0.0, 0.2, 0.4],
            "phi0": 0.7,
            "phi1": 1.5,
        },
    ).json()
    xs = np.array(body["curve_x"])
    # phi_1 and theta_11 come from the point, the rest from the request, written out.
    f = 0.1 + 0.7 * np.tanh(0.0 + 1.5 * xs) + 0.5 * np.tanh(0.5 - 1.0 * xs)
    np.testing.assert_allclose(body["curve_f"], f, atol=1e-12)


def test_half_own_points_is_a_clear_422(client):
    r = client.post(f"{API}/landscape", json={"x": [1.0, 2.0]})
    assert r.status_code == 422
    assert "both x and y" in r.json()["detail"][0]["msg"]


def test_saddle_landscape_has_a_saddle_between_two_valleys(client):
    body = client.post(f"{API}/landscape", json={"landscape": "saddle"}).json()
    assert len(body["minima"]) == 2
    assert len(body["saddles"]) == 1
    low, high = body["saddles"][0]["eigenvalues"]
    assert low < 0 < high


def test_angle_is_null_where_the_gradient_vanishes(client):
    # Two points, the line through both: the full gradient is zero at the exact fit.
    body = client.post(
        f"{API}/point",
        json={
            "landscape": "linear",
            "x": [0.0, 1.0],
            "y": [1.0, 3.0],
            "phi0": 1.0,
            "phi1": 2.0,
            "batch": [0],
        },
    ).json()
    assert body["gradient"] == [0.0, 0.0] and body["gradient_norm"] == 0.0
    assert body["angle"] is None
    assert body["gradient_vanishes"] is True and body["batch_gradient_vanishes"] is True


@pytest.mark.parametrize("path", ["landscape", "point", "race", "starts"])
def test_every_openapi_example_works(client, path):
    schema = client.get("/openapi.json").json()
    ref = schema["paths"][f"{API}/{path}"]["post"]["requestBody"]["content"]["application/json"]
    name = ref["schema"]["$ref"].split("/")[-1]
    examples = schema["components"]["schemas"][name]["examples"]
    assert examples
    for example in examples:
        r = client.post(f"{API}/{path}", json=example)
        assert r.status_code == 200, (example, r.text)


def test_every_response_field_has_a_description(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in (
        "LandscapeResponse",
        "PointResponse",
        "RaceResponse",
        "StartsResponse",
        "RunResponse",
        "LossGrid",
        "Minimum",
        "Saddle",
        "Path",
    ):
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field}"


def test_a_run_stopped_at_the_saddle_says_so(client):
    body = client.post(
        f"{API}/race",
        json={
            "landscape": "saddle",
            "phi0": -1.0,
            "phi1": 0.0,
            "optimizers": [
                {"kind": "gd", "learning_rate": 0.05},
                {"kind": "gd", "learning_rate": 0.05},
            ],
            "max_steps": 300,
        },
    ).json()
    assert body["runs"][0]["status"] == "converged"
    assert body["runs"][0]["ended_at"] == "saddle"
    off = client.post(
        f"{API}/race",
        json={
            "landscape": "saddle",
            "phi0": -1.0,
            "phi1": 0.5,
            "max_steps": 1000,
            "optimizers": [{"kind": "gd", "learning_rate": 0.05}],
        },
    ).json()["runs"][0]
    assert off["status"] == "converged" and off["ended_at"] == "minimum"


def test_own_window_moves_the_map(client):
    body = client.post(
        f"{API}/landscape",
        json={
            "landscape": "linear",
            "x": [0, 1, 2],
            "y": [10, 30, 50],
            "window": [[5, 15], [15, 25]],
            "resolution": 30,
        },
    ).json()
    assert body["param_range"] == [[5, 15], [15, 25]]
    assert body["surface"]["phi0"][0] == 5 and body["surface"]["phi1"][-1] == 25
    np.testing.assert_allclose(body["minima"][0]["phi"], [10, 20], atol=1e-6)  # y = 10 + 20 x
    bad = client.post(f"{API}/landscape", json={"window": [[1, 0], [0, 1]]})
    assert bad.status_code == 422 and "lo < hi" in bad.json()["detail"][0]["msg"]

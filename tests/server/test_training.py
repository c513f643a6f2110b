"""Training API: whole bodies checked against core, limits and error bodies."""

import numpy as np
import pytest

from core import landscapes, optimizers

API = "/api/v1/training"


def build(name="gabor", n=40, noise=0.2, seed=0, activation="tanh"):
    return landscapes.make_landscape(name, n, noise, np.random.default_rng(seed), activation)


def test_landscape_default_body_matches_core(client):
    r = client.post(f"{API}/landscape", json={})
    assert r.status_code == 200
    body = r.json()
    land = build()
    phi_0, phi_1 = landscapes.grid_axes(land, 80)
    surface = landscapes.loss_surface(land, phi_0, phi_1)
    minima = landscapes.find_minima(land, phi_0, phi_1, surface)
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
    }
    assert len(body["minima"]) >= 3


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
    loss, grad = landscapes.loss_and_gradient(land, np.array([1.0, 10.0]))
    assert body["loss"] == pytest.approx(loss)
    assert body["gradient"] == pytest.approx(grad.tolist())
    assert body["batch_loss"] is None and body["batch_surface"] is None
    assert len(body["curve_x"]) == len(body["curve_f"]) == 200
    with_batch = client.post(f"{API}/point", json={**req, "batch": [0, 5, 7]}).json()
    b_loss, b_grad = landscapes.loss_and_gradient(land, np.array([1.0, 10.0]), np.array([0, 5, 7]))
    assert with_batch["batch_loss"] == pytest.approx(b_loss)
    assert with_batch["batch_gradient"] == pytest.approx(b_grad.tolist())
    assert len(with_batch["batch_surface"]) == 12


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
                    "'nesterov' or 'adam'",
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

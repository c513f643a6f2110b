"""Trainer API: fit, resume, stream, data and CSV, against the core and with clear 422s."""

import json

import numpy as np
import pytest

from core import datasets, network
from core import trainer as core_trainer

SMALL = {
    "data": {"dataset": "xor", "n_points": 100, "noise": 0.0},
    "network": {"hidden": [5], "activations": ["tanh"], "learning_rate": 0.05},
    "stop": {"epochs": 12},
    "grid": 10,
    "thumbnail": 5,
}


def test_fit_matches_the_core_run(client):
    body = client.post("/api/v1/trainer/fit", json=SMALL).json()
    assert body["status"] == "finished" and len(body["history"]) == 12
    assert body["widths"] == [2, 5, 1] and body["parameter_count"] == network.parameter_count(
        [2, 5, 1]
    )
    full = datasets.make_dataset("xor", 100, 0.0, np.random.default_rng(0))
    train, test = datasets.split(full, 0.5, np.random.default_rng(0))
    # The data generator and the split share one generator, as the route does.
    rng = np.random.default_rng(0)
    train, test = datasets.split(datasets.make_dataset("xor", 100, 0.0, rng), 0.5, rng)
    config = core_trainer.TrainerConfig(hidden=(5,), activations=("tanh",), learning_rate=0.05)
    state = core_trainer.initial_state(config, train, 0)
    *_, last = core_trainer.train(config, train, test, state, 0, 12)
    assert body["state"]["parameters"] == last.state.parameters.tolist()
    assert body["history"][-1]["train_loss"] == last.train.loss
    assert body["history"][-1]["test_accuracy"] == last.test.accuracy
    assert len(body["picture"]["output"]) == 10 and len(body["picture"]["neurons"][0]) == 5
    assert (
        body["layers"][0]["omega"]
        == np.array(body["state"]["parameters"][5:15]).reshape(5, 2).tolist()
    )


def test_resume_is_bit_for_bit(client):
    whole = client.post("/api/v1/trainer/fit", json=SMALL).json()
    half = client.post("/api/v1/trainer/fit", json={**SMALL, "stop": {"epochs": 6}}).json()
    rest = client.post(
        "/api/v1/trainer/fit", json={**SMALL, "stop": {"epochs": 6}, "state": half["state"]}
    ).json()
    assert rest["state"] == whole["state"]
    assert [h["epoch"] for h in rest["history"]] == list(range(7, 13))


def test_stop_rules(client):
    body = client.post(
        "/api/v1/trainer/fit", json={**SMALL, "stop": {"epochs": 500, "loss_below": 0.3}}
    ).json()
    assert body["status"] == "loss_below" and body["history"][-1]["train_loss"] < 0.3
    assert all(h["train_loss"] >= 0.3 for h in body["history"][:-1])
    body = client.post(
        "/api/v1/trainer/fit",
        json={
            **SMALL,
            "network": {**SMALL["network"], "learning_rate": 1e-6},
            "stop": {"epochs": 300, "patience": 3},
        },
    ).json()
    assert body["status"] in ("no_improvement", "finished")


def test_diverging_run_reports_and_stays_finite(client):
    request = {
        **SMALL,
        "data": {"dataset": "plane", "n_points": 100},
        "network": {
            "hidden": [4],
            "activations": ["relu"],
            "optimizer": "sgd",
            "learning_rate": 10,
        },
        "stop": {"epochs": 100},
    }
    response = client.post("/api/v1/trainer/fit", json=request)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "diverged" and len(body["history"]) < 100
    json.dumps(body, allow_nan=False)


def test_stream_sends_every_epoch_once_and_ends_like_fit(client):
    fit = client.post("/api/v1/trainer/fit", json=SMALL).json()
    with client.stream("POST", "/api/v1/trainer/stream", json=SMALL) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1][6:]))
        for block in text.strip().split("\n\n")
    ]
    assert events[0][0] == "start" and events[0][1]["widths"] == [2, 5, 1]
    snapshots = [e for name, e in events if name == "snapshot"]
    epochs = [h["epoch"] for s in snapshots for h in s["history"]]
    assert epochs == list(range(1, 13))
    assert snapshots[-1]["done"] and snapshots[-1]["status"] == "finished"
    assert snapshots[-1]["state"] == fit["state"]


def test_data_and_csv(client):
    body = client.post(
        "/api/v1/trainer/data", json={"data": {"dataset": "rings", "classes": 4, "n_points": 40}}
    ).json()
    assert body["task"] == "multiclass" and body["classes"] == 4
    assert len(body["train"]) + len(body["test"]) == 40
    body = client.post(
        "/api/v1/trainer/csv", json={"text": "a,b,c\n0,0,0\n1,1,1\n2,2,0\n3,3,1\n"}
    ).json()
    assert body == {
        "task": "binary",
        "classes": 2,
        "points": [[0, 0, 0], [1, 1, 1], [2, 2, 0], [3, 3, 1]],
    }


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"text": "0,0,0\n1,x,1\n2,2,0\n3,3,1\n"}, "line 2"),
        ({"text": "0,0,0\n1,1,1\n"}, "at least 4 rows"),
        ({"text": "0,0,0\n1,nan,1\n2,2,0\n3,3,1\n"}, "line 2: numbers must be finite"),
    ],
)
def test_bad_csv_gets_a_clear_422(client, request_body, message):
    response = client.post("/api/v1/trainer/csv", json=request_body)
    assert response.status_code == 422 and message in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        (
            {"network": {"hidden": [4, 4], "activations": ["relu"]}},
            "one activation per hidden layer",
        ),
        ({"network": {"hidden": [40]}}, "less than or equal to 32"),
        (
            {
                "stop": {"epochs": 2000},
                "data": {"n_points": 2000},
                "network": {"hidden": [32] * 8, "activations": ["relu"] * 8},
            },
            "too large",
        ),
        (
            {"state": {"parameters": [0.0], "m": [0.0], "v": [0.0], "step": 0, "epoch": 0}},
            "must hold",
        ),
    ],
)
def test_bad_requests_get_clear_422s(client, patch, where):
    response = client.post("/api/v1/trainer/fit", json={**SMALL, **patch})
    assert response.status_code == 422
    assert where in json.dumps(response.json())


def test_fit_reports_linear_regions_only_where_they_exist(client):
    relu = {**SMALL, "network": {"hidden": [4], "activations": ["relu"]}, "stop": {"epochs": 2}}
    body = client.post("/api/v1/trainer/fit", json=relu).json()
    assert body["regions"] >= 1 and body["regions_note"] == "exact count in the view"
    body = client.post("/api/v1/trainer/fit", json=SMALL).json()
    assert body["regions"] is None and "smooth" in body["regions_note"]

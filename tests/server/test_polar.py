"""Polar-coordinates API: bodies against core, limits and error bodies."""

import numpy as np
import pytest

from core import polar


def test_default_fit_matches_core(client):
    r = client.post("/api/v1/polar/fit", json={})
    assert r.status_code == 200
    body = r.json()
    expected = polar.run_polar(polar.PolarConfig(), np.random.default_rng(0))
    np.testing.assert_allclose(body["x1"], expected.x[:, 0])
    np.testing.assert_allclose(body["theta"], expected.polar[:, 1])
    assert body["labels"] == [0] * 100 + [1] * 100
    assert body["polar"]["accuracy"] == 1.0
    assert body["cartesian"]["accuracy"] < 0.65
    np.testing.assert_allclose(body["polar"]["weights"], expected.fits["polar"].raw_weights())
    np.testing.assert_allclose(body["cartesian"]["prob_xy"], expected.prob_xy["cartesian"])
    assert len(body["polar"]["prob_polar"]) == 60 and len(body["polar"]["prob_polar"][0]) == 60
    assert body["polar"]["status"] == body["cartesian"]["status"] == "converged"
    assert set(body) == {
        "x1",
        "x2",
        "r",
        "theta",
        "labels",
        "x1_grid",
        "x2_grid",
        "r_grid",
        "theta_grid",
        "cartesian",
        "polar",
        "boundary",
        "overlap_in_r",
    }
    w0, w1, w2 = body["polar"]["weights"]
    assert body["boundary"]["a"] == pytest.approx(-w0 / w1)
    assert body["boundary"]["b"] == pytest.approx(-w2 / w1)
    assert body["boundary"]["seam_gap"] == pytest.approx(2 * np.pi * abs(w2 / w1))
    assert body["overlap_in_r"] is False
    assert client.post("/api/v1/polar/fit", json={"noise": 0.6}).json()["overlap_in_r"] is True
    assert set(body["polar"]) == {
        "space",
        "weights",
        "accuracy",
        "loss",
        "iterations",
        "status",
        "prob_xy",
        "prob_polar",
        "boundary_xy",
        "boundary_polar",
    }
    # The (x1, x2) classifier's boundary: one straight piece in its own view, the same
    # samples in the (r, theta) view (cut where theta wraps); both as the core traces them.
    curves = expected.curves["cartesian"]
    assert len(body["cartesian"]["boundary_xy"]) == len(curves.xy) == 1
    np.testing.assert_allclose(body["cartesian"]["boundary_xy"][0]["x"], curves.xy[0][:, 0])
    assert [len(c["y"]) for c in body["cartesian"]["boundary_polar"]] == [
        len(c) for c in curves.polar
    ]


def test_same_seed_same_answer_other_seed_other_data(client):
    a = client.post("/api/v1/polar/fit", json={"seed": 4, "grid_size": 10}).json()
    b = client.post("/api/v1/polar/fit", json={"seed": 4, "grid_size": 10}).json()
    c = client.post("/api/v1/polar/fit", json={"seed": 5, "grid_size": 10}).json()
    assert a == b
    assert a["x1"] != c["x1"]


def test_a_single_point_per_ring_still_answers(client):
    r = client.post("/api/v1/polar/fit", json={"n_per_class": 1, "inner_radius": 0, "noise": 0})
    assert r.status_code == 200
    assert r.json()["polar"]["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (
            {"inner_radius": 3, "outer_radius": 2},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "the radii must satisfy 0 <= inner < outer, got inner 3.0 and outer 2.0",
                }
            ],
        ),
        (
            {"grid_size": 500},
            [
                {
                    "type": "less_than_equal",
                    "loc": ["body", "grid_size"],
                    "msg": "Input should be less than or equal to 100",
                }
            ],
        ),
    ],
)
def test_bad_requests_get_clear_422s(client, payload, detail):
    r = client.post("/api/v1/polar/fit", json=payload)
    assert r.status_code == 422
    assert r.json() == {"detail": detail}

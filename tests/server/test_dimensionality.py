"""Curse-of-dimensionality API: bodies against core, your own points, limits and 422s."""

import math

import numpy as np
import pytest

from core import curse


def test_grid_cells_match_core(client):
    body = client.post("/api/v1/dimensionality/grid-cells", json={"max_inputs": 6}).json()
    expected = curse.grid_cell_sweep(6, 4, 1000, 1000, np.random.default_rng(0))
    assert body["n_inputs"] == [1, 2, 3, 4, 5, 6]
    assert body["total_cells"] == [4.0**d for d in range(1, 7)]
    np.testing.assert_allclose(body["empty_fraction"], expected.empty_fraction)
    np.testing.assert_allclose(body["expected_empty"], (1 - 4.0 ** -np.arange(1, 7)) ** 1000)
    assert body["occupied_cells"] == expected.occupied_cells.tolist()


def test_covered_accuracy_is_null_when_every_block_is_empty(client):
    body = client.post(
        "/api/v1/dimensionality/grid-cells",
        json={"max_inputs": 14, "cells_per_side": 10, "n_train": 1, "n_test": 5},
    ).json()
    assert body["accuracy_covered"][-1] is None and body["accuracy"][-1] == 0.5


def test_classify_your_own_points(client):
    body = client.post(
        "/api/v1/dimensionality/grid-cells/classify",
        json={
            "x_train": [[0.1, 0.2], [0.8, 0.9], [0.7, 0.6], [0.6, 0.9]],
            "y_train": [0, 1, 1, 0],
            "x_test": [[0.15, 0.1], [0.9, 0.8], [0.1, 0.9]],
            "cells_per_side": 2,
        },
    ).json()
    # Block (1, 1) holds labels 1, 1, 0: majority 1; block (0, 1) is empty.
    assert body == {"labels": [0, 1, -1], "occupied_cells": 2}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"x_train": [[0.1]], "y_train": [0, 1], "x_test": [[0.2]]}, "one label per training"),
        ({"x_train": [[0.1]], "y_train": [0], "x_test": [[0.2, 0.3]]}, "same number D"),
    ],
)
def test_classify_explains_mismatched_shapes(client, payload, message):
    r = client.post("/api/v1/dimensionality/grid-cells/classify", json=payload)
    assert r.status_code == 422 and message in r.text


def test_coefficients_are_exact_binomials(client):
    body = client.post(
        "/api/v1/dimensionality/coefficients", json={"max_inputs": 30, "degree": 2}
    ).json()
    assert body["growing"] == [math.comb(2 * d, d) for d in range(1, 31)]
    assert body["fixed"] == [math.comb(2 + d, d) for d in range(1, 31)]
    r = client.post("/api/v1/dimensionality/coefficients", json={"max_inputs": 31})
    assert r.status_code == 422


def test_distances_match_core_and_the_budget_is_enforced(client):
    body = client.post("/api/v1/dimensionality/distances", json={"dims": [2, 200]}).json()
    expected = curse.distance_panel(np.array([2, 200]), 300, 40, np.random.default_rng(0))
    np.testing.assert_allclose(body["mean"], expected.mean)
    np.testing.assert_allclose(body["relative_contrast"], expected.relative_contrast)
    assert body["predicted_mean_squared"] == [2 / 6, 200 / 6]
    assert body["predicted_rms"] == [math.sqrt(2 / 6), math.sqrt(200 / 6)]
    np.testing.assert_allclose(body["rms"], expected.rms)
    r = client.post("/api/v1/dimensionality/distances", json={"dims": [5000] * 8, "n_points": 600})
    assert r.status_code == 422 and "too much work" in r.text


def test_manifold_points_lie_on_the_roll(client):
    body = client.post("/api/v1/dimensionality/manifold", json={"n_points": 50}).json()
    pts = np.array(body["points"])
    np.testing.assert_allclose(np.hypot(pts[:, 0], pts[:, 2]), body["t"])
    np.testing.assert_allclose(pts[:, 1], body["h"])
    view = np.array(body["view"])
    np.testing.assert_allclose(np.linalg.norm(view, axis=1), np.linalg.norm(pts, axis=1))
    top = client.post(
        "/api/v1/dimensionality/manifold", json={"n_points": 50, "azimuth": 0, "elevation": 90}
    ).json()
    np.testing.assert_allclose(np.array(top["view"])[:, 0], pts[:, 0], atol=1e-12)

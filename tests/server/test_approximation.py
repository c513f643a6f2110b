"""Universal-approximation API: bodies against core, limits and error bodies."""

import math

import numpy as np
import pytest

from core import approximation as approx
from core import dimensionality
from server.limits import is_light


def test_default_fit_matches_core(client):
    r = client.post("/api/v1/approximation/fit", json={})
    assert r.status_code == 200
    body = r.json()
    expected = approx.run_approximation(approx.ApproximationConfig(), np.random.default_rng(0))
    assert body["domain"] == [-1.0, 1.0]
    np.testing.assert_allclose(body["curves"]["network"], expected.network_plot)
    np.testing.assert_allclose(body["curves"]["polynomial"], expected.polynomial_plot)
    np.testing.assert_allclose(body["joints"], expected.joints)
    phi0, *weights = body["phi"]
    loop = [
        phi0
        + sum(w * max(0.0, t0 + t1 * x) for w, (t0, t1) in zip(weights, body["theta"], strict=True))
        for x in body["joints"]
    ]
    np.testing.assert_allclose(body["joint_outputs"], loop, atol=1e-12)
    assert body["network_error"] == pytest.approx(expected.network_error)
    assert body["status"] == "least_squares" and body["losses"] == []
    assert body["n_parameters"] == 25
    assert len(body["theta"]) == 8 and len(body["phi"]) == 9
    assert body["sweep"]["n"] == [1, 2, 4, 8, 16, 32, 64, 128]
    assert body["sweep"]["degrees"] == [1, 2, 4, 8, 16, 32, 64]
    assert set(body) == {
        "domain",
        "curves",
        "x_train",
        "y_train",
        "joints",
        "joint_outputs",
        "theta",
        "phi",
        "network_error",
        "least_squares_error",
        "polynomial_error",
        "losses",
        "status",
        "n_parameters",
        "sweep",
    }


def test_typed_points_are_reproduced_exactly(client):
    points = [[-2, 0], [-1, 1], [0, -1], [1, 2], [2, 0]]
    r = client.post(
        "/api/v1/approximation/fit",
        json={"target": "points", "points": points, "n_hidden": 4, "sweep_max": 8},
    )
    body = r.json()
    assert r.status_code == 200
    assert body["domain"] == [-2.0, 2.0]
    assert body["network_error"] < 1e-25
    assert body["joints"] == pytest.approx([-2, -1, 0, 1])


def test_refinement_reports_its_losses(client):
    r = client.post(
        "/api/v1/approximation/fit",
        json={"target": "step", "n_hidden": 6, "gd_steps": 100, "sweep_max": 8},
    )
    body = r.json()
    assert body["status"] == "finished"
    assert len(body["losses"]) == 101
    assert body["network_error"] < body["least_squares_error"]


def test_seed_changes_noise_and_random_joints(client):
    payload = {"noise": 0.2, "joint_placement": "random", "sweep_max": 4}
    a = client.post("/api/v1/approximation/fit", json={**payload, "seed": 1}).json()
    b = client.post("/api/v1/approximation/fit", json={**payload, "seed": 1}).json()
    c = client.post("/api/v1/approximation/fit", json={**payload, "seed": 2}).json()
    assert a == b
    assert a["y_train"] != c["y_train"] and a["joints"] != c["joints"]


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (
            {"target": "points"},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "the 'points' target needs a list of points",
                }
            ],
        ),
        (
            {"target": "points", "points": [[0, 1], [0, 2]]},
            [{"type": "value_error", "loc": ["body"], "msg": "points must have distinct x values"}],
        ),
        (
            {"degree": 41, "n_samples": 200},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "degree M = 41 needs at least 211 equally spaced samples, got 200: "
                    "high-degree polynomials fitted to equally spaced points swing wildly "
                    "between them; use more samples or a lower degree",
                }
            ],
        ),
        (
            {"n_hidden": 0},
            [
                {
                    "type": "greater_than_equal",
                    "loc": ["body", "n_hidden"],
                    "msg": "Input should be greater than or equal to 1",
                }
            ],
        ),
        (
            {"gd_steps": 1000, "n_samples": 1000, "n_hidden": 100},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "Value error, gradient descent would take too long: steps x samples x "
                    "hidden units = 100,000,000 exceeds 4,000,000; use fewer steps, samples or "
                    "units",
                }
            ],
        ),
    ],
)
def test_bad_requests_get_clear_422s(client, payload, detail):
    r = client.post("/api/v1/approximation/fit", json=payload)
    assert r.status_code == 422
    assert r.json() == {"detail": detail}


def test_counts_match_binomials(client):
    r = client.post(
        "/api/v1/approximation/counts", json={"max_inputs": 4, "degree": 2, "n_hidden": 10}
    )
    assert r.status_code == 200
    assert r.json() == {
        "n_inputs": [1, 2, 3, 4],
        "polynomial": [math.comb(2 + d, d) for d in range(1, 5)],
        "network": [31, 41, 51, 61],
    }


def test_largest_count_stays_exact(client):
    body = client.post(
        "/api/v1/approximation/counts", json={"max_inputs": 100, "degree": 10, "n_hidden": 1}
    ).json()
    assert body["polynomial"][-1] == math.comb(110, 10)


def test_radial_panel_matches_core_and_its_formula(client):
    r = client.post(
        "/api/v1/approximation/radial",
        json={"dims": [2, 20], "sigma": 0.5, "n_samples": 500, "n_bins": 10, "seed": 3},
    )
    assert r.status_code == 200
    body = r.json()
    panel = dimensionality.radial_panel(np.array([2, 20]), 0.5, 500, 10, np.random.default_rng(3))
    np.testing.assert_allclose(body["histogram"], panel.histogram)
    np.testing.assert_allclose(
        body["density"][0], dimensionality.radial_density(np.array(body["r"]), 2, 0.5)
    )
    assert body["modes"] == pytest.approx([0.5, 0.5 * math.sqrt(19)])
    assert len(body["bin_edges"]) == 11


def test_radial_rejects_too_many_dimensions(client):
    r = client.post("/api/v1/approximation/radial", json={"dims": [1] * 9})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "dims"]


def test_radial_refuses_too_many_random_numbers(client):
    r = client.post("/api/v1/approximation/radial", json={"dims": [250] * 8, "n_samples": 5000})
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body"],
                "msg": "Value error, too many random numbers: samples x sum of D = 10,000,000 "
                "exceeds 2,000,000; use fewer samples or smaller dimensions",
            }
        ]
    }


def test_sigmoid_units_and_the_measured_slope(client):
    body = client.post(
        "/api/v1/approximation/fit", json={"activation": "sigmoid", "sweep_max": 32}
    ).json()
    config = approx.ApproximationConfig(activation="sigmoid", sweep_max=32)
    expected = approx.run_approximation(config, np.random.default_rng(0))
    np.testing.assert_allclose(body["curves"]["network"], expected.network_plot)
    sweep = body["sweep"]
    assert set(sweep) == {
        "n",
        "network_error",
        "degrees",
        "polynomial_error",
        "reference",
        "c",
        "network_rate",
        "fitted",
        "polynomial_rate",
    }
    p, q = np.polyfit(np.log(sweep["n"]), np.log(sweep["network_error"]), 1)
    assert sweep["network_rate"] == pytest.approx(p)
    np.testing.assert_allclose(sweep["fitted"], np.exp(q) * np.array(sweep["n"]) ** p)


def test_the_reference_line_is_documented_as_a_slope_not_a_bound(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Sweep"]["properties"]
    text = schema["reference"]["description"]
    assert text.startswith("Reference slope c / n") and "Not a bound" in text
    assert "finite Fourier moment" in text


def test_compare_matches_core_and_respects_its_budget(client):
    from core import basis_comparison

    payload = {"n_inputs": 3, "max_hidden": 4, "n_steps": 20, "n_train": 100, "n_test": 200}
    body = client.post("/api/v1/approximation/compare", json=payload).json()
    expected = basis_comparison.compare_bases(
        3, "bump", 4096, 4, "sigmoid", 100, 200, 20, np.random.default_rng(0)
    )
    np.testing.assert_allclose(body["grid_error"], expected.grid_error)
    np.testing.assert_allclose(body["network_error"], expected.network_error)
    assert body["network_parameters"] == [6, 11, 21]
    assert body["grid_parameters"][0] == 8 and body["grid_parameters"][-1] <= 4096
    assert body["grid_predicted_rate"] == -4 / 3 and body["fixed_reference_rate"] == -2 / 3
    r = client.post(
        "/api/v1/approximation/compare", json={"max_hidden": 64, "n_steps": 500, "n_train": 2000}
    )
    assert r.status_code == 422 and "training would take too long" in r.text


@pytest.mark.parametrize(
    ("body", "light"),
    [
        (b"{}", True),
        (b'{"n_hidden": 128, "n_samples": 1000, "activation": "sigmoid"}', True),
        (b'{"gd_steps": 0, "n_hidden": 32}', True),
        (b'{"gd_steps": 1}', False),
        (b'{"gd_steps": "0"}', False),
        (b"[0]", False),
    ],
)
def test_only_fits_without_gradient_descent_are_light(body, light):
    # Guarantee: a least-squares fit (a slider move) skips the heavy queue; a fit refined by
    # gradient descent, or a body the predicate cannot judge, waits in it.
    assert is_light("/api/v1/approximation/fit", body) is light

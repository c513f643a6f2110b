"""Linear-regression API: whole bodies, limits and error bodies."""

import numpy as np
import pytest

from core import linear


def test_default_view_matches_core(client):
    r = client.post("/api/v1/linear/view", json={})
    assert r.status_code == 200
    body = r.json()
    data = linear.make_data(20, 1.2, 0.5, 0.3, np.random.default_rng(0))
    np.testing.assert_allclose(body["x"], data.x)
    np.testing.assert_allclose(body["y"], data.y)
    phi = np.array([-0.5, -1.0])
    assert body["phi"] == [-0.5, -1.0]
    assert body["loss"] == pytest.approx(linear.mse_loss(phi, data.x, data.y))
    np.testing.assert_allclose(body["gradient"], linear.mse_gradient(phi, data.x, data.y))
    assert len(body["surface"]["loss"]) == 80 and len(body["surface"]["loss"][0]) == 80
    assert body["descent"]["status"] == "converged"
    assert body["descent"]["message"].startswith("converged after")
    assert set(body) == {
        "x",
        "y",
        "predictions",
        "phi",
        "loss",
        "gradient",
        "gradient_vanishes",
        "gradient_norm",
        "gradient_level_angle",
        "level_line",
        "surface",
        "exact",
        "descent",
        "lines",
    }
    lo, hi = min(body["x"]), max(body["x"])
    ends = [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)]
    assert body["lines"]["x"] == pytest.approx(ends, rel=1e-15)
    assert body["lines"]["current"] == pytest.approx([-0.5 - e for e in ends], rel=1e-12)
    e0, e1 = body["exact"]["phi"]
    d0, d1 = (body["descent"]["trajectory"][key][-1] for key in ("phi0", "phi1"))
    assert body["lines"]["exact"] == pytest.approx([e0 + e1 * e for e in ends], rel=1e-12)
    assert body["lines"]["descent"] == pytest.approx([d0 + d1 * e for e in ends], rel=1e-12)
    assert body["gradient_vanishes"] is False
    assert body["gradient_norm"] == pytest.approx(np.hypot(*body["gradient"]), rel=1e-15)
    # the level line's central difference at phi (its first and last points are phi itself)
    ll = body["level_line"]
    chord = np.array([ll["phi0"][1] - ll["phi0"][-2], ll["phi1"][1] - ll["phi1"][-2]])
    g = np.array(body["gradient"])
    cosine = abs(g @ chord) / (np.linalg.norm(g) * np.linalg.norm(chord))
    assert body["gradient_level_angle"] == pytest.approx(np.degrees(np.arccos(cosine)), abs=1e-6)
    assert body["gradient_level_angle"] == pytest.approx(90, abs=1e-9)


def test_moving_point_without_the_surface_and_a_vanishing_gradient(client):
    full = client.post("/api/v1/linear/view", json={}).json()
    exact = full["exact"]["phi"]
    r = client.post(
        "/api/v1/linear/view", json={"surface": False, "phi0": exact[0], "phi1": exact[1]}
    )
    body = r.json()
    assert body["surface"] is None
    assert body["exact"] == full["exact"] and body["x"] == full["x"]
    # at the exact minimum the gradient is rounding noise: the lab draws no arrow and no angle
    assert body["gradient_vanishes"] is True
    assert np.hypot(*body["gradient"]) < 1e-12
    assert body["gradient_norm"] < 1e-12
    assert body["gradient_level_angle"] is None


def test_exact_solution_for_points_on_a_line(client):
    r = client.post(
        "/api/v1/linear/view",
        json={"points": [[0, 1], [1, 3], [2, 5]], "descent": False, "grid_size": 10},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["exact"]["phi"] == pytest.approx([1.0, 2.0])
    assert body["exact"]["loss"] == pytest.approx(0.0, abs=1e-20)
    assert body["descent"] is None


def test_divergence_is_reported_with_finite_numbers(client):
    r = client.post("/api/v1/linear/view", json={"learning_rate": 5, "max_steps": 5000})
    body = r.json()
    assert r.status_code == 200
    assert body["descent"]["status"] == "diverged"
    assert "too large" in body["descent"]["message"]
    assert all(np.isfinite(body["descent"]["losses"]))


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (
            {"points": [[1, 2], [1, 3]]},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "need at least two distinct x values to fit a line",
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
        (
            {"learning_rate": 0},
            [
                {
                    "type": "greater_than",
                    "loc": ["body", "learning_rate"],
                    "msg": "Input should be greater than 0",
                }
            ],
        ),
        (
            {"phi0_min": 3, "phi0_max": 3},
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "Value error, each view range needs min < max",
                }
            ],
        ),
        (
            {"colour": "red"},
            [
                {
                    "type": "extra_forbidden",
                    "loc": ["body", "colour"],
                    "msg": "Extra inputs are not permitted",
                }
            ],
        ),
        (
            {"points": [[0, 0]] * 501},
            [
                {
                    "type": "too_long",
                    "loc": ["body", "points"],
                    "msg": "List should have at most 500 items after validation, not 501",
                }
            ],
        ),
    ],
)
def test_bad_requests_get_clear_422(client, payload, detail):
    r = client.post("/api/v1/linear/view", json=payload)
    assert r.status_code == 422
    assert r.json() == {"detail": detail}


def test_nan_in_json_is_a_422_not_a_500(client):
    r = client.post(
        "/api/v1/linear/view",
        content=b'{"phi0": NaN}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "type": "finite_number",
                "loc": ["body", "phi0"],
                "msg": "Input should be a finite number",
            }
        ]
    }


def test_complexity_measures_and_bounds_work(client):
    r = client.post(
        "/api/v1/linear/complexity",
        json={"n_values": [200, 400], "d_values": [10, 20], "repeats": 1},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["n_values"] == [200, 400] and body["d_values"] == [10, 20]
    assert all(t > 0 for t in body["gram_seconds"])
    a, b = body["coef_nd2"], body["coef_d3"]
    assert body["gram_model_seconds"] == pytest.approx([a * 200 * 10**2, a * 400 * 20**2])
    assert body["solve_model_seconds"] == pytest.approx([b * 10**3, b * 20**3])
    r = client.post(
        "/api/v1/linear/complexity", json={"n_values": [20000] * 16, "d_values": [1000] * 16}
    )
    assert r.status_code == 422
    assert "the limit is" in r.json()["detail"][0]["msg"]
    r = client.post("/api/v1/linear/complexity", json={"n_values": [100], "d_values": [10, 20]})
    assert r.status_code == 422


def test_health_docs_and_offline_assets(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "DL Playground API"
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert len(js.content) > 1_000_000
    page = client.get("/linear.html").text
    assert "https://" not in page and "http://" not in page
    assert client.get("/").status_code == 200

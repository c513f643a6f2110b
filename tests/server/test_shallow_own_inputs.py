"""The shallow network's API on the caller's own inputs, compared with independent computations:
outputs at own x and z, the loss and its gradient (plain loops, central differences through the
API itself), and region maps at full precision unless rounding is asked for."""

import math

import numpy as np
import pytest

THETA = [[0.3, -1.0], [-1.0, 2.0], [-0.5, 0.65]]  # the book's 1-3-1 network
PHI = [[-0.3, 2.0, -1.0, 7.0]]


def relu(z):
    return max(z, 0.0)


def book_network(x):
    """The book's network at one x, one unit at a time."""
    return PHI[0][0] + sum(
        p * relu(t0 + t1 * x) for (t0, t1), p in zip(THETA, PHI[0][1:], strict=True)
    )


# ----------------------------------------------------------------------------- own x and z


def test_flow_at_own_x_keeps_their_order(client):
    xs = [0.9, -2.0, 0.3, 5.5, 0.3]
    r = client.post("/api/v1/shallow/flow", json={"theta": THETA, "phi": PHI, "x": xs})
    assert r.status_code == 200
    body = r.json()
    assert body["x"] == xs
    assert body["outputs"][0] == pytest.approx([book_network(x) for x in xs], abs=1e-14)
    assert body["preactivations"][1] == pytest.approx([-1.0 + 2.0 * x for x in xs], abs=1e-15)
    # Joints and linear regions still describe [x_min, x_max] = [0, 1].
    assert [j["x"] for j in body["joints"]] == pytest.approx([0.3, 0.5, 0.5 / 0.65])
    assert body["linear_regions"][0]["x_start"] == 0.0
    assert body["linear_regions"][-1]["x_end"] == 1.0


def test_activations_at_own_z(client):
    r = client.post("/api/v1/shallow/activations", json={"z": [3.0, -2.0, 0.0]})
    assert r.status_code == 200
    body = r.json()
    assert body["z"] == [3.0, -2.0, 0.0]
    curves = {c["name"]: c for c in body["curves"]}
    assert curves["relu"]["value"] == [3.0, 0.0, 0.0]
    assert curves["relu"]["derivative"] == [1.0, 0.0, 0.0]
    assert curves["tanh"]["value"] == pytest.approx([math.tanh(z) for z in (3.0, -2.0, 0.0)])
    assert curves["sigmoid"]["derivative"][1] == pytest.approx(
        math.exp(-2) / (1 + math.exp(-2)) ** 2
    )


@pytest.mark.parametrize(
    ("path", "payload", "loc"),
    [
        ("flow", {"x": []}, ["body", "x"]),
        ("flow", {"x": [0.5, 101]}, ["body", "x", 1]),
        ("activations", {"z": [60]}, ["body", "z", 0]),
    ],
)
def test_own_samples_out_of_bounds_are_422(client, path, payload, loc):
    r = client.post(f"/api/v1/shallow/{path}", json=payload)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == loc


# ----------------------------------------------------------------------------- loss and gradient


def post_loss(client, **payload):
    r = client.post("/api/v1/shallow/loss", json=payload)
    assert r.status_code == 200, r.text
    return r.json()


def test_least_squares_loss_and_gradient_against_a_loop(client):
    xs, ys = [-0.5, 0.1, 0.4, 0.6, 1.2], [0.0, 0.5, 0.2, 0.9, 1.5]
    body = post_loss(client, theta=THETA, phi=PHI, x=[xs], targets=[ys])
    residuals = [book_network(x) - y for x, y in zip(xs, ys, strict=True)]
    assert body["output"] == [pytest.approx([book_network(x) for x in xs], abs=1e-14)]
    assert body["loss"]["per_example"] == pytest.approx([r * r for r in residuals], abs=1e-14)
    assert body["loss"]["total"] == pytest.approx(sum(r * r for r in residuals), rel=1e-14)
    assert body["loss"]["mean"] == pytest.approx(sum(r * r for r in residuals) / 5, rel=1e-14)
    assert body["dl_doutput"] == [pytest.approx([2 * r for r in residuals], abs=1e-14)]
    # The chain rule, written out for each example and unit.
    d_theta = [[0.0, 0.0] for _ in THETA]
    d_phi = [0.0] * 4
    for x, r in zip(xs, residuals, strict=True):
        d_phi[0] += 2 * r
        for d, (t0, t1) in enumerate(THETA):
            z = t0 + t1 * x
            d_phi[d + 1] += 2 * r * relu(z)
            back = 2 * r * PHI[0][d + 1] * (1.0 if z > 0 else 0.0)
            d_theta[d][0] += back
            d_theta[d][1] += back * x
    assert body["dl_dphi"] == [pytest.approx(d_phi, abs=1e-13)]
    assert body["dl_dtheta"] == [pytest.approx(row, abs=1e-13) for row in d_theta]
    assert body["parameter_count"] == 10


def _numeric_gradient(client, payload, step=1e-6):
    """Central differences of the summed loss, each one through the API itself."""
    grads = {}
    for name in ("theta", "phi"):
        rows = payload[name]
        grads[name] = [[0.0] * len(row) for row in rows]
        for i, row in enumerate(rows):
            for j in range(len(row)):
                totals = []
                for sign in (1, -1):
                    moved = [list(r) for r in rows]
                    moved[i][j] += sign * step
                    totals.append(post_loss(client, **{**payload, name: moved})["loss"]["total"])
                grads[name][i][j] = (totals[0] - totals[1]) / (2 * step)
    return grads


@pytest.mark.parametrize(
    "payload",
    [
        {  # two inputs, three classes
            "activation": "tanh",
            "theta": [[0.1, 1.0, -0.5], [-0.2, 0.3, 0.8]],
            "phi": [[0.0, 1.0, -1.0], [0.5, -0.7, 0.2], [0.1, 0.4, 0.9]],
            "x": [[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]],
            "targets": [[2, 0, 1]],
            "loss": "cross_entropy",
        },
        {
            "activation": "softplus",
            "theta": [[0.2, -1.1], [0.4, 0.7]],
            "phi": [[0.1, 1.5, -2.0]],
            "x": [[-1.0, 0.0, 0.7, 1.3]],
            "targets": [[1, 0, 0, 1]],
            "loss": "binary_cross_entropy",
        },
        {
            "activation": "sigmoid",
            "theta": [[0.2, -1.1], [0.4, 0.7]],
            "phi": [[0.1, 1.5, -2.0], [2.0, 0.3, 0.2]],
            "x": [[-1.0, 0.0, 0.7]],
            "targets": [[0.3, -0.2, 1.1]],
            "loss": "gaussian_nll_predicted",
        },
        {
            "activation": "relu",
            "theta": THETA,
            "phi": PHI,
            "x": [[0.1, 0.45, 0.9]],
            "targets": [[0.0, 1.0, 2.0]],
            "loss": "gaussian_nll",
            "sigma": 0.5,
        },
    ],
    ids=["cross_entropy", "binary_cross_entropy", "gaussian_nll_predicted", "gaussian_nll"],
)
def test_every_loss_gradient_matches_central_differences(client, payload):
    body = post_loss(client, **payload)
    numeric = _numeric_gradient(client, payload)
    for name in ("theta", "phi"):
        got = np.array(body[f"dl_d{name}"])
        assert got.shape == np.array(payload[name]).shape
        np.testing.assert_allclose(got, numeric[name], rtol=1e-6, atol=1e-7)


def test_cross_entropy_value_by_hand(client):
    # One unit with phi weights 0: the logits are the offsets (0, log 2, log 3), so the
    # softmax is (1, 2, 3) / 6 and label 2 costs -log(1/2).
    body = post_loss(
        client,
        theta=[[0.0, 1.0]],
        phi=[[0.0, 0.0], [math.log(2), 0.0], [math.log(3), 0.0]],
        x=[[0.7]],
        targets=[[2]],
        loss="cross_entropy",
    )
    assert body["loss"]["total"] == pytest.approx(math.log(2), rel=1e-15)
    assert body["dl_doutput"] == [
        [pytest.approx(1 / 6)],
        [pytest.approx(2 / 6)],
        [pytest.approx(3 / 6 - 1)],
    ]


@pytest.mark.parametrize(
    ("payload", "loc", "message"),
    [
        ({"x": [[0.0], [1.0]], "targets": [[0.0]]}, ["body"], "x needs D_i = 1 rows"),
        ({"x": [[0.0, 1.0]], "targets": [[0.0]]}, ["body"], "targets row 0 has 1 values"),
        ({"phi": [[0.0, 1.0]]}, ["body"], "phi row 0 needs D + 1 = 4"),
        ({"theta": [[0.0, 1.0], [0.0]]}, ["body", "theta", 1], "at least 2"),
        ({"loss": "cross_entropy"}, ["body"], "labels must be whole numbers"),
        ({"loss": "hinge"}, ["body", "loss"], "Input should be"),
        (
            {
                "x": [[0.0]],
                "targets": [[1e6]],
                "phi": [[0, 1, 0, 0], [1e-100, 0, 0, 0]],
                "loss": "gaussian_nll_predicted",
            },
            ["body"],
            "too large to represent",
        ),
    ],
)
def test_loss_requests_that_do_not_fit_are_422(client, payload, loc, message):
    r = client.post("/api/v1/shallow/loss", json=payload)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"][0]
    assert detail["loc"] == loc
    assert message in detail["msg"]


# ----------------------------------------------------------------------------- precision


def _grid_outputs(theta, phi, x1, x2):
    """y on the grid, row = x2 and column = x1, one point at a time."""
    out = []
    for b in x2:
        row = []
        for a in x1:
            y = phi[0]
            for (t0, t1, t2), p in zip(theta, phi[1:], strict=True):
                y += p * relu(t0 + t1 * a + t2 * b)
            row.append(y)
        out.append(row)
    return out


def test_region_map_is_full_precision_unless_digits_are_asked(client):
    theta = [[-0.3, 0.1, 1.0], [-0.3, -0.87, -0.5], [0.3, -0.87, 0.5]]
    phi = [0.2, 1.0 / 3.0, -0.8, 0.9]
    payload = {"theta": theta, "phi": phi, "grid_size": 7, "panel_size": 5}
    full = client.post("/api/v1/shallow/regions", json=payload).json()
    expected = _grid_outputs(theta, phi, full["x1"], full["x2"])
    np.testing.assert_allclose(full["output"], expected, rtol=1e-14, atol=1e-15)
    assert any(len(repr(v)) > 12 for row in full["output"] for v in row)  # not cut to 6 digits

    short = client.post("/api/v1/shallow/regions", json={**payload, "digits": 3}).json()
    scale = np.max(np.abs(expected))
    step = 10.0 ** (math.floor(math.log10(scale)) - 2)  # 3 significant digits of the largest
    np.testing.assert_allclose(short["output"], np.round(np.array(expected) / step) * step)
    assert short["regions"] == full["regions"] and short["exact_count"] == full["exact_count"]
    assert np.max(
        np.abs(np.array(short["units"]["activations"]) - full["units"]["activations"])
    ) < (10.0 ** (math.floor(math.log10(np.max(np.abs(full["units"]["activations"])))) - 2))


@pytest.mark.parametrize("digits", [None, 6, 17])
def test_tiny_outputs_are_answered_not_a_500(client, digits):
    # Issue: phi = 1e-310 made the 6-digit rounding ask for 10^315 (NaN) and a 500.
    payload = {"theta": [[0, 0, 0]], "phi": [1e-310, 1e-310], "grid_size": 3, "panel_size": 2}
    if digits is not None:
        payload["digits"] = digits
    r = client.post("/api/v1/shallow/regions", json=payload)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["output"] == [[1e-310] * 3] * 3


def test_linear_view_on_own_points_is_full_precision(client):
    points = [[0.1, 0.3], [0.7, 1.1], [1.3, 1.0], [2.9, 4.4]]
    start, rate = (0.25, -0.5), 0.07
    r = client.post(
        "/api/v1/linear/view",
        json={
            "points": points,
            "phi0": start[0],
            "phi1": start[1],
            "learning_rate": rate,
            "tolerance": 0,
            "max_steps": 3,
            "surface": False,
        },
    )
    assert r.status_code == 200
    body = r.json()
    x, y = np.array(points).T
    assert body["x"] == x.tolist() and body["y"] == y.tolist()
    predictions = [start[0] + start[1] * xi for xi in x.tolist()]
    assert body["predictions"] == pytest.approx(predictions, rel=1e-15, abs=1e-15)
    residuals = [p - yi for p, yi in zip(predictions, y.tolist(), strict=True)]
    mse = sum(e * e for e in residuals) / 4
    gradient = [
        2 * sum(residuals) / 4,
        2 * sum(e * xi for e, xi in zip(residuals, x, strict=True)) / 4,
    ]
    assert body["loss"] == pytest.approx(mse, rel=1e-14)
    assert body["gradient"] == pytest.approx(gradient, rel=1e-14)
    exact, *_ = np.linalg.lstsq(np.column_stack([np.ones(4), x]), y, rcond=None)
    assert body["exact"]["phi"] == pytest.approx(exact.tolist(), rel=1e-13)
    # Three plain updates phi <- phi - rate * grad, written out.
    phi, path = list(start), [list(start)]
    for _ in range(3):
        e = [phi[0] + phi[1] * xi - yi for xi, yi in zip(x.tolist(), y.tolist(), strict=True)]
        g = [2 * sum(e) / 4, 2 * sum(ei * xi for ei, xi in zip(e, x.tolist(), strict=True)) / 4]
        phi = [phi[0] - rate * g[0], phi[1] - rate * g[1]]
        path.append(phi)
    trajectory = body["descent"]["trajectory"]
    assert trajectory["phi0"] == pytest.approx([p[0] for p in path], rel=1e-13)
    assert trajectory["phi1"] == pytest.approx([p[1] for p in path], rel=1e-13)
    assert body["descent"]["steps"] == 3


def test_the_shallow_layout_maps_onto_the_network_layers(client):
    # theta = [beta_0 | Omega_0] and phi = [beta_1 | Omega_1]: the backprop lab's answer for the
    # same network, written layer by layer, must give the same loss and gradients.
    theta = [[0.2, -1.0, 0.5], [-0.4, 0.3, 1.1]]
    phi = [[0.1, 2.0, -0.7]]
    data = {"x": [[0.5, -1.0, 0.25], [1.0, 0.5, -2.0]], "targets": [[1.0, -0.5, 0.0]]}
    shallow = post_loss(client, theta=theta, phi=phi, activation="tanh", **data)
    r = client.post(
        "/api/v1/backprop/network",
        json={
            "betas": [[row[0] for row in theta], [phi[0][0]]],
            "omegas": [[row[1:] for row in theta], [phi[0][1:]]],
            "activations": ["tanh"],
            **data,
        },
    )
    assert r.status_code == 200, r.text
    layers = r.json()
    assert shallow["loss"]["total"] == pytest.approx(layers["loss"]["total"], rel=1e-14)
    assert shallow["dl_dtheta"] == [
        pytest.approx([b, *w], rel=1e-12)
        for b, w in zip(layers["dl_dbetas"][0], layers["dl_domegas"][0], strict=True)
    ]
    assert shallow["dl_dphi"] == [
        pytest.approx([layers["dl_dbetas"][1][0], *layers["dl_domegas"][1][0]], rel=1e-12)
    ]

"""Loss-functions API: bodies against core, the caller's own data, examples, limits, 422s."""

import numpy as np
import pytest

from core import likelihood as lk
from core import likelihood_fit as lf
from core import likelihood_info as li
from core import likelihood_view as lv
from core import losses
from core.optimizers import OptimizerConfig

API = "/api/v1/losses"


def post(client, path, body):
    r = client.post(f"{API}/{path}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_view_default_body_matches_core(client):
    body = post(client, "view", {})
    spec = lk.ModelSpec()
    rng = np.random.default_rng(0)
    data = lk.make_data("regression", 30, rng, 0.3, 0.0, 3)
    v = lv.explore(spec, data, None, rng, 0.5, 200, 80)
    assert body["loss"] == "gaussian_nll"
    assert body["x"] == data.x.tolist() and body["y"] == data.y.tolist()
    assert body["parameters"] == v.parameters.tolist() == [0.0, 0.5]
    assert body["parameter_labels"] == ["φ₀", "φ₁"]
    assert body["output_roles"] == ["mean μ"]
    assert body["nll"] == v.nll.tolist() and body["likelihood"] == v.likelihood.tolist()
    assert body["nll_total"] == v.total and body["nll_mean"] == v.total / 30
    assert body["log_likelihood"] == -v.total
    assert body["gradient"] == v.gradient.tolist()
    assert body["gradient_norm"] == pytest.approx(np.hypot(*body["gradient"]), rel=1e-15)
    assert body["curve"]["mean"] == v.curve.mean.tolist()
    assert body["curve"]["lam"] is None and body["curve"]["probabilities"] is None
    assert len(body["density"]) == 80 and len(body["density"][0]) == 200
    assert body["density"] == v.density.tolist() and body["density_y"] == v.density_y.tolist()
    assert body["affine"]["nll_from_ss"] == pytest.approx(body["nll_total"], rel=1e-12)
    assert body["sigma_mle"] == v.sigma_mle
    closed = lk.closed_form(spec, data)
    assert body["closed_form"]["parameters"] == closed.parameters.tolist()
    assert body["closed_form"]["sigma"] == closed.sigma
    assert body["fit"] is None and body["message"] == ""
    assert all(body["valid"])


def test_view_fit_and_own_data(client):
    req = {"x": [0, 1, 2, 3], "y": [1, 3, 5, 7.5], "parameters": [0, 0], "fit": True}
    body = post(client, "view", {**req, "learning_rate": 0.05, "max_steps": 2000, "sigma": 1})
    data = lk.Data(np.array([0, 1, 2, 3.0]), np.array([1, 3, 5, 7.5]))
    run = lf.fit(lk.ModelSpec(), data, np.zeros(2), 1.0, OptimizerConfig("gd", 0.05), 2000, 1e-6)
    assert body["fit"]["parameters"] == run.parameters.tolist()
    assert body["fit"]["losses"] == run.losses.tolist()
    assert body["fit"]["status"] == run.status
    assert body["fit"]["parameters"] == pytest.approx(body["closed_form"]["parameters"], abs=1e-3)
    assert body["closed_form"]["parameters"] == pytest.approx([0.9, 2.15])


def test_view_fit_with_adam(client):
    body = post(client, "view", {"problem": "binary", "fit": True, "optimizer": "adam"})
    assert body["fit"]["losses"][-1] < body["fit"]["losses"][0]
    r = client.post(f"{API}/view", json={"fit": True, "optimizer": "sgd"})
    assert r.status_code == 422


def test_view_multiclass_and_heteroscedastic(client):
    body = post(client, "view", {"problem": "multiclass", "n_classes": 4, "model": "shallow"})
    probs = np.array(body["curve"]["probabilities"])
    assert probs.shape == (4, 200)
    np.testing.assert_allclose(probs.sum(axis=0), 1)
    assert set(body["y"]) <= {0, 1, 2, 3} and body["loss"] == "cross_entropy"
    assert body["closed_form"] is None and body["affine"] is None
    het = post(client, "view", {"heteroscedastic": True, "noise_growth": 2})
    assert het["loss"] == "gaussian_nll_predicted"
    assert len(het["parameters"]) == 4 and het["curve"]["sigma"][0] > 0


def test_linear_output_leaves_zero_one_and_the_nll_is_undefined(client):
    body = post(client, "view", {"problem": "binary", "link": "linear", "parameters": [0.5, 1.0]})
    assert min(body["curve"]["lam"]) < 0 and max(body["curve"]["lam"]) > 1
    assert body["nll_total"] is None and body["gradient"] is None
    assert body["gradient_norm"] is None
    assert not all(body["valid"]) and "outside [0, 1]" in body["message"]
    bad = [i for i, ok in enumerate(body["valid"]) if not ok]
    assert all(body["nll"][i] is None for i in bad)
    fitted = post(client, "view", {"problem": "binary", "link": "linear", "fit": True})
    assert fitted["fit"] is None  # no fit without a sigmoid


def test_pointwise_endpoints_on_own_data(client):
    body = post(client, "normal", {"y": [0.0, 2.0], "mean": [1.0, 1.0], "sigma": [1.0, 2.0]})
    r = lk.normal(np.array([0.0, 2.0]), np.array([1.0, 1.0]), np.array([1.0, 2.0]))
    assert body["nll"] == r.nll.tolist() and body["total"] == r.total
    assert body["gradient_mean"] == [1.0, -0.25]
    assert body["likelihood"][0] == pytest.approx(np.exp(-0.5) / np.sqrt(2 * np.pi))
    b = post(client, "bernoulli", {"y": [1, 0, 1, 0], "logits": [1000, 1000, -1000, 0]})
    assert b["nll"] == [0.0, 1000.0, 1000.0, pytest.approx(np.log(2))]
    assert b["gradient"] == [0.0, 1.0, -1.0, 0.5] and b["lam"] == [1.0, 1.0, 0.0, 0.5]
    assert b["mean"] == pytest.approx(b["total"] / 4)
    c = post(client, "categorical", {"logits": [[1000, -1000, 0], [0, 0, 0]], "labels": [1, 2]})
    assert c["nll"] == [2000.0, pytest.approx(np.log(3))]
    assert c["probabilities"][0] == [1.0, 0.0, 0.0]
    assert c["gradient"][0] == [1.0, -1.0, 0.0]
    assert c["gradient"][1] == pytest.approx([1 / 3, 1 / 3, -2 / 3])


def test_information_endpoints_match_core(client):
    s = post(client, "softmax", {"logits": [3, 1, -2], "shift": 100, "temperature": 0.5})
    view = li.explore_softmax(np.array([3.0, 1, -2]), 100, 0.5)
    assert s["probabilities"] == view.probabilities.tolist()
    assert s["max_difference"] < 1e-12
    d = post(client, "discrete", {"p": [1, 1, 0], "q": [1, 2, 1], "normalise": True})
    assert d["kl_pq"] == pytest.approx(losses.kl_discrete([0.5, 0.5, 0], [0.25, 0.5, 0.25]))
    assert d["kl_qp"] is None and d["cross_entropy_qp"] is None  # infinite: p misses outcome 2
    assert d["terms_qp"][2] is None
    g = post(client, "gaussians", {"mu1": 0, "sigma1": 1, "mu2": 1, "sigma2": 2})
    assert g["kl_pq"] == losses.kl_gaussians(0, 1, 1, 2)
    assert g["kl_qp"] == losses.kl_gaussians(1, 2, 0, 1)
    assert g["integral_pq"] == pytest.approx(g["kl_pq"], abs=1e-8)
    e = post(client, "empirical", {"sample": [0.0, 1.0, 2.0, 3.0], "bins": 2, "grid_size": 5})
    assert e["mle"] == {"mu": 1.5, "sigma": pytest.approx(np.sqrt(1.25))}
    np.testing.assert_allclose(np.array(e["cross_entropy"]) * 4, e["nll"], rtol=1e-14)


def test_every_openapi_example_of_the_lab_works(client):
    paths = client.get("/openapi.json").json()["paths"]
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    count = 0
    for path, item in paths.items():
        if not path.startswith(API):
            continue
        ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for example in schemas[ref.split("/")[-1]].get("examples", []):
            assert client.post(path, json=example).status_code == 200, (path, example)
            count += 1
    assert count >= 8


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("view", {"x": [0, 1]}, "both x and y"),
        ("view", {"problem": "binary", "x": [0, 1], "y": [0, 2]}, "0 and 1"),
        ("view", {"parameters": [1, 2, 3]}, "2 parameters"),
        ("view", {"problem": "binary", "noise": 0}, "noise > 0"),
        ("categorical", {"logits": [[1, 2], [1, 2, 3]], "labels": [0, 1]}, "same number"),
        ("categorical", {"logits": [[1, 2]], "labels": [2]}, "from 0 to 1"),
        ("normal", {"y": [1, 2], "mean": [1]}, "one target per example"),
        ("normal", {"y": [1, 2, 3], "mean": [1, 2, 3], "sigma": [1, 2]}, "one sigma or one per"),
        ("discrete", {"p": [0.5, 0.6], "q": [0.5, 0.5]}, "sum to 1"),
        ("empirical", {"sigma_min": 2, "sigma_max": 1}, "min < max"),
    ],
)
def test_requests_that_make_no_sense_get_a_clear_422(client, path, body, message):
    r = client.post(f"{API}/{path}", json=body)
    assert r.status_code == 422
    assert message in r.text

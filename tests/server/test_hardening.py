"""Answers a hostile or careless client gets: tiny numbers, wrong methods, wrong types, big
inputs echoed back. Each test states the guarantee it checks."""

import math
import time

import pytest


def test_tiny_output_weights_do_not_give_a_500(client):
    # Rounding to 6 significant digits of 1e-310 needs 315 decimals: 10**315 overflows and the
    # rounded map was NaN, a 500. The map must come back finite.
    r = client.post("/api/v1/shallow/regions", json={"theta": [[0, 0, 0]], "phi": [1e-310, 1e-310]})
    assert r.status_code == 200
    output = r.json()["output"]
    assert all(math.isfinite(v) for row in output for v in row)
    assert max(abs(v) for row in output for v in row) <= 2e-310


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_a_post_only_route_answers_405_with_allow(client, method):
    r = client.request(method, "/api/v1/linear/view")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert r.json()["detail"][0]["type"] == "method_not_allowed"


def test_the_first_request_does_not_wait_for_the_openapi_schema():
    # The 405/404 table comes from the routes; the schema (about a second to build) is built
    # when a worker starts, beside the event loop, not by the first request.
    from fastapi.testclient import TestClient

    from server.main import create_app

    app = create_app()
    client = TestClient(app)  # no lifespan: nothing builds the schema in the background
    assert client.post("/api/v1/linear/view", json={}).status_code == 200
    assert client.get("/api/v1/linear/view").headers["allow"] == "POST"
    assert app.openapi_schema is None
    with TestClient(app) as started:  # a worker's start builds it; until then it is not ready
        for _ in range(200):
            if app.state.schema_built:
                break
            status = started.get("/readyz").json()["status"]
            # "ok" only once the schema is built (it may finish between the check and the call)
            assert status == "starting" or app.state.schema_built
            time.sleep(0.05)
        assert app.openapi_schema is not None
        assert started.get("/readyz").json()["status"] == "ok"


def test_every_api_route_answers_405_with_the_methods_of_its_schema(client):
    schema = client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/") or "{" in path:
            continue
        methods = {m.upper() for m in operations}
        if "GET" in methods:
            methods.add("HEAD")
        wrong = "PUT" if "PUT" not in methods else "PATCH"
        r = client.request(wrong, path)
        assert r.status_code == 405, path
        assert set(r.headers["allow"].split(", ")) == methods, path


def test_an_unknown_api_path_is_a_json_404(client):
    r = client.post("/api/v1/linear/nothing", json={})
    assert r.status_code == 404
    assert r.json()["detail"][0]["loc"] == []


def test_static_files_refuse_post_with_allow(client):
    r = client.post("/index.html")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("value", ["0.5", True, "1e3", None])
def test_numbers_must_be_numbers(client, value):
    # "0.5" or true for a float field is a 422, not silently converted.
    r = client.post("/api/v1/linear/view", json={"phi0": value})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "phi0"]


def test_integers_in_float_fields_are_still_accepted(client):
    assert client.post("/api/v1/linear/view", json={"phi0": 1, "descent": False}).status_code == 200


@pytest.mark.parametrize("value", ["5", 5.5, False])
def test_integer_fields_take_only_integers(client, value):
    r = client.post("/api/v1/linear/view", json={"n_points": value})
    assert r.status_code == 422


def test_errors_never_echo_a_large_input(client):
    huge_key = "k" * 200_000
    r = client.post("/api/v1/linear/view", json={huge_key: 1, "activation": "x" * 200_000})
    assert r.status_code == 422
    assert len(r.content) < 2_000


def test_a_malformed_multipart_body_is_a_422_list(client):
    r = client.post(
        "/api/v1/conv/image/upload",
        content=b"--xyz\r\ngarbage",
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], list)


def test_a_bug_is_a_short_500_and_a_short_log_line(caplog):
    # An exception whose message holds a megabyte (as a response failing its validation does) is
    # a bug: the client gets
    # a short 500 with the documented body, and the log does not hold the megabytes of input.
    from fastapi.testclient import TestClient

    from server.main import create_app

    app = create_app()

    def broken() -> dict:
        raise ValueError("x" * 1_000_000)

    app.add_api_route("/api/v1/test/broken", broken, methods=["POST"])
    app.router.routes.insert(0, app.router.routes.pop())
    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level("ERROR"):
        r = c.post("/api/v1/test/broken", json={})
    assert r.status_code == 500
    assert r.json()["detail"][0]["type"] == "internal_error"
    assert sum(len(record.getMessage()) for record in caplog.records) < 10_000

"""Headers every answer carries, caching, compression, offline docs, the version."""

import importlib.metadata
import json
import re

from server.headers import content_security_policy, inline_script_hashes


def test_every_answer_has_the_security_headers(client):
    for r in (
        client.get("/index.html"),
        client.post("/api/v1/shallow/bounds", json={}),
        client.post("/api/v1/linear/view", json={"n_points": 1}),  # a 422
        client.get("/docs"),
    ):
        policy = r.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert not re.search(r"https?:", policy)  # no external source at all
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_inline_scripts_and_handlers_are_allowed_by_hash_only():
    html = '<script type="module">go()</script><script src="a.js"></script><form onsubmit="x()">'
    hashes = inline_script_hashes(html)
    assert len(hashes) == 2
    policy = content_security_policy(hashes)
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "'unsafe-eval'" not in policy


def test_caching_vendor_immutable_pages_revalidate_api_never(client):
    assert "immutable" in client.get("/vendor/katex/katex.min.js").headers["cache-control"]
    page = client.get("/linear.html")
    assert page.headers["cache-control"] == "no-cache"
    again = client.get("/linear.html", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304
    assert client.post("/api/v1/shallow/bounds", json={}).headers["cache-control"] == "no-store"


def test_large_answers_are_gzipped_for_clients_that_accept_it(client):
    r = client.post("/api/v1/shallow/regions", json={}, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < len(r.content)  # httpx decoded it
    assert json.loads(r.content)["exact_count"] == 7
    small = client.post("/api/v1/conv/receptive", json={}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    plain = client.post("/api/v1/shallow/regions", json={}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_plotly_is_sent_compressed_and_cached(client):
    r = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < len(r.content) / 2  # the client decoded it
    assert b"plotly.js" in r.content[:200]
    assert "max-age" in r.headers["cache-control"]


def test_api_docs_load_their_files_from_this_server(client):
    page = client.get("/docs").text
    for url in re.findall(r"""(?:src|href)=["']?([^"' >]+)""", page):
        assert url.startswith("/"), url
        assert client.get(url).status_code == 200, url


def test_the_version_is_the_packages(client):
    assert client.get("/openapi.json").json()["info"]["version"] == importlib.metadata.version(
        "dl-playground"
    )


def test_a_client_on_this_machine_gets_plain_answers_unless_asked():
    from fastapi.testclient import TestClient

    from server.main import create_app
    from server.settings import Settings

    body = {"n_points": 500, "grid_size": 200}
    gzip_header = {"Accept-Encoding": "gzip"}
    remote = TestClient(create_app(), client=("192.0.2.7", 50000))
    local = TestClient(create_app(), client=("127.0.0.1", 50000))
    forced = TestClient(create_app(Settings(gzip_loopback=True)), client=("::1", 50000, 0, 0))
    assert (
        remote.post("/api/v1/linear/view", json=body, headers=gzip_header).headers.get(
            "content-encoding"
        )
        == "gzip"
    )
    plain = local.post("/api/v1/linear/view", json=body, headers=gzip_header)
    assert "content-encoding" not in plain.headers and plain.json()["phi"] == [-0.5, -1.0]
    assert (
        forced.post("/api/v1/linear/view", json=body, headers=gzip_header).headers.get(
            "content-encoding"
        )
        == "gzip"
    )

"""plotly.js is served from this server, gzip-compressed once, with an ETag for revalidation."""

import gzip
import re

from server.assets import PLOTLY_BUNDLE


def test_plotly_is_sent_compressed_with_an_etag(client):
    r = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"].startswith("text/javascript")
    assert "max-age" in r.headers["cache-control"]
    # httpx undoes the gzip: the body is the vendored bundle byte for byte
    assert r.content == PLOTLY_BUNDLE.read_bytes()
    assert int(r.headers["content-length"]) < len(r.content) / 2
    assert len(gzip.compress(r.content)) > 0.8 * int(r.headers["content-length"])


def test_plotly_revalidation_is_a_304_and_plain_clients_get_it_raw(client):
    etag = client.get("/vendor/plotly.min.js").headers["etag"]
    again = client.get("/vendor/plotly.min.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    raw = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert raw.content.startswith(b"/**\n* plotly.js (cartesian")


# `type: "..."` values in the page modules that are not trace types
NOT_TRACES = {
    "int",
    "number",
    "bool",
    "enum",
    "text",
    "line",
    "rect",
    "circle",
    "path",
    "log",
    "linear",
    "category",
    "date",
    "-",
}


def test_the_bundle_has_every_trace_type_the_labs_draw():
    """The partial bundle registers each trace type a page asks for."""
    modules = (PLOTLY_BUNDLE.parents[2] / "js").rglob("*.js")
    used = {t for m in modules for t in re.findall(r'type: "([a-z0-9-]+)"', m.read_text())}
    traces = used - NOT_TRACES
    traces |= {"scatter"}  # the default type, never written out
    assert {"heatmap", "contour"} <= traces
    registered = set(
        re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', PLOTLY_BUNDLE.read_text())
    )
    assert traces <= registered, f"missing from the bundle: {traces - registered}"

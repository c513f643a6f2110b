"""Static assets that need more than a file server: plotly.js compressed once, with an ETag.

plotly.js is the largest file a page loads. It is gzipped once when the app is built (not on
every request) and served with a strong ETag and long-lived caching, so a second visit costs a
304 or nothing at all.
"""

import gzip
import hashlib
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response

PLOTLY_BUNDLE = (
    Path(__file__).resolve().parent.parent
    / "static"
    / "vendor"
    / "plotly"
    / "plotly-cartesian.min.js"
)
PLOTLY_URL = "/vendor/plotly.min.js"


class CompressedAsset:
    """A file held in memory, raw and gzipped, with an ETag derived from its content."""

    def __init__(self, path: Path, media_type: str):
        self.raw = path.read_bytes()
        self.gzipped = gzip.compress(self.raw, compresslevel=9, mtime=0)
        self.etag = '"' + hashlib.sha256(self.raw).hexdigest()[:32] + '"'
        self.media_type = media_type

    def response(self, request: Request) -> Response:
        headers = {
            "ETag": self.etag,
            "Cache-Control": "public, max-age=604800",
            "Vary": "Accept-Encoding",
        }
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(self.gzipped, media_type=self.media_type, headers=headers)
        return Response(self.raw, media_type=self.media_type, headers=headers)


def install_assets(app: FastAPI, plotly_bundle: Path = PLOTLY_BUNDLE) -> None:
    """Add the routes for compressed assets (call before mounting the static files)."""
    plotly_js = CompressedAsset(plotly_bundle, "text/javascript")

    @app.get(PLOTLY_URL, include_in_schema=False)
    def plotly(request: Request) -> Response:
        return plotly_js.response(request)

"""Service routes: liveness and readiness checks, offline API docs, plotly.js.

None of them computes anything: they are ``async`` and answer on the event loop at once, so a
health check is never queued behind the class's heavy requests.
"""

from __future__ import annotations

import gzip
import importlib.metadata
from pathlib import Path

import anyio.to_thread
import fastapi_offline
import plotly
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from server.headers import inline_script_hashes

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
SWAGGER_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
SWAGGER_URL = "/vendor/swagger-ui"


def package_version() -> str:
    """The one version number: pyproject's, as installed."""
    try:
        return importlib.metadata.version("dl-playground")
    except importlib.metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def docs_page(app: FastAPI) -> str:
    return get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{SWAGGER_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_URL}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_URL}/favicon.png",
    ).body.decode()


def docs_script_hashes(app: FastAPI) -> list[str]:
    return inline_script_hashes(docs_page(app))


class _GzipOnce:
    """plotly.min.js compressed once (4.6 MB -> 1.4 MB), not on every request."""

    def __init__(self, path: Path):
        self.path = path
        self.data: bytes | None = None

    async def get(self) -> bytes:
        if self.data is None:
            raw = self.path.read_bytes()
            self.data = await anyio.to_thread.run_sync(lambda: gzip.compress(raw, 9, mtime=0))
        return self.data


def install_service_routes(app: FastAPI) -> None:
    @app.head("/healthz", include_in_schema=False)
    @app.get("/healthz", tags=["service"], summary="Liveness check")
    async def healthz() -> dict[str, str]:
        """The process answers: 200 with `{"status": "ok"}` (also to HEAD)."""
        return {"status": "ok"}

    @app.head("/readyz", include_in_schema=False)
    @app.get("/readyz", tags=["service"], summary="Readiness check")
    async def readyz(request: Request) -> JSONResponse:
        """200 while this process can take more work; 503 while its queue of heavy requests is
        full, so that a load balancer sends new students elsewhere."""
        heavy = getattr(request.app.state, "heavy_work", None)
        body = {
            "status": "ok",
            "heavy_running": heavy.running if heavy else 0,
            "heavy_waiting": heavy.waiting if heavy else 0,
        }
        if heavy is not None and heavy.saturated:
            return JSONResponse({**body, "status": "busy"}, status_code=503)
        return JSONResponse(body)

    page = docs_page(app)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        # Swagger UI from this server (fastapi-offline ships its files): no CDN.
        return Response(page, media_type="text/html")

    app.mount(SWAGGER_URL, StaticFiles(directory=SWAGGER_DIR), name="swagger-ui")

    plotly_gz = _GzipOnce(PLOTLY_JS)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    async def plotly_js(request: Request) -> Response:
        # Served from the installed plotly package: the playground needs no internet.
        if "gzip" in request.headers.get("accept-encoding", "") and request.method != "HEAD":
            return Response(
                await plotly_gz.get(),
                media_type="text/javascript",
                headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
            )
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

"""Service routes: liveness and readiness checks, and the API docs served offline.

None of them computes anything: they are ``async`` and answer on the event loop at once, so a
health check is never queued behind the class's heavy requests.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from server.headers import inline_script_hashes
from server.heavy import POOLS

SWAGGER_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
SWAGGER_URL = "/vendor/swagger-ui"

LIMITS_DESCRIPTION = """
Every error has the same body, `{"detail": [{"type", "loc", "msg"}]}`: **413** for a body over
its size limit, **405** (with `Allow`) for a wrong method, **503** (with `Retry-After`) when the
server is too busy or an answer takes longer than its time budget. Numbers must be JSON numbers
(`"1.5"` and `true` are refused). Large answers are gzip-compressed for clients that accept it.
"""


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


def install_service_routes(app: FastAPI) -> None:
    @app.head("/healthz", include_in_schema=False)
    @app.get("/healthz", tags=["service"], summary="Liveness check")
    async def healthz() -> dict[str, str]:
        """The process answers: 200 with `{"status": "ok"}` (also to HEAD)."""
        return {"status": "ok"}

    @app.head("/readyz", include_in_schema=False)
    @app.get("/readyz", tags=["service"], summary="Readiness check")
    async def readyz(request: Request) -> JSONResponse:
        """200 while this process can take more work; 503 while it is still starting (its heavy
        processes and the API schema are being made) or its queue of heavy requests is full, so
        that a load balancer sends new students elsewhere."""
        heavy = getattr(request.app.state, "heavy_work", None)
        body = {
            "status": "ok",
            "heavy_running": heavy.running if heavy else 0,
            "heavy_waiting": heavy.waiting if heavy else 0,
        }
        if not getattr(request.app.state, "schema_built", True) or not POOLS.started:
            return JSONResponse({**body, "status": "starting"}, status_code=503)
        if heavy is not None and heavy.saturated:
            return JSONResponse({**body, "status": "busy"}, status_code=503)
        return JSONResponse(body)

    page = docs_page(app)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        # Swagger UI from this server (fastapi-offline ships its files): no CDN.
        return Response(page, media_type="text/html")

    app.mount(SWAGGER_URL, StaticFiles(directory=SWAGGER_DIR), name="swagger-ui")

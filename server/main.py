"""Assemble the DL Playground web app: API routers, error handlers, static pages, plotly.js."""

import asyncio
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from server import errors
from server.api_docs import DESCRIPTION
from server.assets import install_assets
from server.headers import install_headers
from server.labs import lab_routers
from server.limits import install_limits
from server.routes import meta
from server.routes.trainer import close_training_processes
from server.service import LIMITS_DESCRIPTION, docs_script_hashes, install_service_routes
from server.settings import Settings, get_settings


@asynccontextmanager
async def lifespan(app: FastAPI):
    # The OpenAPI schema (/openapi.json, /docs) takes about a second to build: build it when the
    # worker starts, beside the event loop, so that no request waits for it.
    def build() -> None:
        app.openapi()
        app.state.schema_built = True

    app.state.schema_built = False
    threading.Thread(target=build, name="openapi-schema", daemon=True).start()
    yield
    # Ended during the worker's shutdown: SIGTERM skips the interpreter's end, where the pool
    # would otherwise release its semaphores.
    await asyncio.to_thread(close_training_processes)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=lifespan,
        title="DL Playground API",
        version=meta._version(),
        description=DESCRIPTION + LIMITS_DESCRIPTION,
        docs_url=None,  # served offline by install_service_routes
        redoc_url=None,
    )
    errors.install(app)
    install_limits(app, settings)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"])

    for router in lab_routers():
        app.include_router(router)
    app.include_router(meta.router)

    install_service_routes(app)
    install_assets(app)
    install_headers(app, settings, docs_script_hashes(app))
    app.mount("/", StaticFiles(directory=settings.static_dir, html=True), name="static")
    return app


app = create_app()

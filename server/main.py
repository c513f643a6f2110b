"""Assemble the DL Playground web app: API routers, error handlers, static pages, plotly.js."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from server import errors
from server.headers import install_headers
from server.limits import install_limits
from server.routes import approximation, conv, linear, polar, shallow, training
from server.service import docs_script_hashes, install_service_routes, package_version
from server.settings import Settings, get_settings

DESCRIPTION = """
The numbers behind every figure of DL Playground, an interactive companion to an introductory
deep-learning course (notation of Prince, *Understanding Deep Learning*).

Every lab has its own section. Requests are JSON; every size and range is bounded, and a request
that is out of bounds or makes no sense gets a **422** whose `detail` list says what is wrong.
Numbers in answers are always finite: a run that blows up stops and reports `diverged`.

Every error has the same body, `{"detail": [{"type", "loc", "msg"}]}`: **413** for a body over
its size limit, **405** (with `Allow`) for a wrong method, **503** (with `Retry-After`) when the
server is too busy or an answer takes longer than its time budget. Numbers must be JSON numbers
(`"1.5"` and `true` are refused). Large answers are gzip-compressed for clients that accept it.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="DL Playground API",
        version=package_version(),
        description=DESCRIPTION,
        docs_url=None,  # served offline by install_service_routes
        redoc_url=None,
    )
    errors.install(app)
    install_limits(app, settings)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"])

    for router in (
        linear.router,
        shallow.router,
        approximation.router,
        polar.router,
        training.router,
        conv.router,
    ):
        app.include_router(router)

    install_service_routes(app)
    install_headers(app, settings, docs_script_hashes(app))
    app.mount("/", StaticFiles(directory=settings.static_dir, html=True), name="static")
    return app


app = create_app()

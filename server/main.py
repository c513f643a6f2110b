"""Assemble the DL Playground web app: API routers, error handlers, static pages, plotly.js."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from server import errors
from server.api_docs import DESCRIPTION
from server.assets import install_assets
from server.labs import lab_routers
from server.routes import meta
from server.settings import Settings, get_settings


class StaticGZipMiddleware(GZipMiddleware):
    """Compress pages and scripts (plotly.js shrinks from 4.6 MB to 1.4 MB) but not API answers:
    they are numbers that compress poorly, and compressing them would cost more time than the
    computation behind them."""

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="DL Playground API",
        version=meta._version(),
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
    )
    errors.install(app)
    app.add_middleware(StaticGZipMiddleware, minimum_size=2048)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"])

    for router in lab_routers():
        app.include_router(router)
    app.include_router(meta.router)

    @app.get("/healthz", tags=["service"], summary="Liveness check")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    install_assets(app)
    app.mount("/", StaticFiles(directory=settings.static_dir, html=True), name="static")
    return app


app = create_app()

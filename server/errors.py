"""Map errors to clear answers with one body: ``{"detail": [{"type", "loc", "msg"}]}``.

- request validation and domain errors raised by core: **422**;
- a body the server cannot parse (malformed multipart...): **422** too, not a bare 400;
- an API path that exists with another method: **405** with the right ``Allow`` header;
  an API path that does not exist: **404**; both with the same list body.

No answer echoes the request back: messages and locations are cut to a few hundred characters.
"""

from fastapi import FastAPI, Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import DomainError
from server.limits import send_error

MAX_MSG = 300
MAX_LOC_PART = 80


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item(kind: str, loc, msg: str) -> dict:
    return {
        "type": kind,
        "loc": [p if isinstance(p, int) else _short(str(p), MAX_LOC_PART) for p in loc],
        "msg": _short(msg, MAX_MSG),
    }


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # The offending input is not echoed back: it may hold NaN, which JSON cannot carry, or
    # a megabyte of numbers.
    items = [
        _item(e.get("type", "invalid"), e.get("loc", ()), e.get("msg", "")) for e in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": items[:20]})


async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
    """Core raises DomainError with a message meant for the user; it becomes a 422.

    Only that exception: any other one escaping a route is a bug and stays a 500, so that the
    schema fuzzing sees it."""
    return JSONResponse(
        status_code=422, content={"detail": [_item("value_error", ["body"], str(exc))]}
    )


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's own errors (a body it cannot parse, 404, 405) in the documented shape."""
    status = 422 if exc.status_code == 400 else exc.status_code
    kind = "invalid_body" if exc.status_code == 400 else "http_error"
    loc = ["body"] if exc.status_code == 400 else []
    detail = exc.detail if isinstance(exc.detail, str) else "invalid request"
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405 and "allow" not in {k.lower() for k in headers}:
        headers["Allow"] = "GET, HEAD"  # the static files: pages and scripts
    return JSONResponse(
        status_code=status, content={"detail": [_item(kind, loc, detail)]}, headers=headers
    )


class ApiMethodsMiddleware:
    """For ``/api/`` paths, answer a wrong method with 405 and the methods the path has, and an
    unknown path with 404, before the catch-all static mount can answer for them. The paths
    and their methods are read once from the app's routes (not from the OpenAPI schema, which
    takes about a second to build: the first request would wait for it)."""

    def __init__(self, app, routes_of: FastAPI):
        self.app = app
        self.routes_of = routes_of
        self._methods: dict[str, frozenset[str]] | None = None

    def methods(self) -> dict[str, frozenset[str]]:
        if self._methods is None:
            table: dict[str, frozenset[str]] = {}
            # Every route of the app, those of included routers too (with their prefixes).
            for route in routing.iter_route_contexts(self.routes_of.routes):
                if isinstance(route.original_route, APIRoute) and route.path.startswith("/api/"):
                    names = set(route.methods or ())
                    if "GET" in names:
                        names.add("HEAD")
                    table[route.path] = table.get(route.path, frozenset()) | names
            self._methods = table
        return self._methods

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        allowed = self.methods().get(path)
        if allowed is not None and (scope["method"] in allowed or scope["method"] == "OPTIONS"):
            await self.app(scope, receive, send)  # OPTIONS: a CORS preflight, when configured
        elif allowed is not None:
            methods = ", ".join(sorted(allowed))
            await send_error(
                send,
                405,
                "method_not_allowed",
                f"{scope['method']} is not allowed here; use {methods}",
                headers=[(b"allow", methods.encode())],
                loc=(),
            )
        else:
            await send_error(send, 404, "not_found", "no such API endpoint", loc=())


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_middleware(ApiMethodsMiddleware, routes_of=app)

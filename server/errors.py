"""Map errors to clear 422 answers: request validation and domain errors raised by core."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from core.errors import DomainError


def _item(kind: str, loc, msg: str) -> dict:
    return {"type": kind, "loc": [p if isinstance(p, int) else str(p) for p in loc], "msg": msg}


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # The offending input is not echoed back: it may hold NaN, which JSON cannot carry.
    items = [
        _item(e.get("type", "invalid"), e.get("loc", ()), e.get("msg", "")) for e in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": items})


async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
    """Core raises DomainError with a message meant for the user; it becomes a 422.

    Only that exception: any other one escaping a route is a bug and stays a 500, so that the
    schema fuzzing sees it."""
    return JSONResponse(
        status_code=422, content={"detail": [_item("value_error", ["body"], str(exc))]}
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DomainError, domain_error)

"""Map errors to clear 422 answers: request validation and domain errors raised by core."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError


def _item(kind: str, loc, msg: str) -> dict:
    return {"type": kind, "loc": [p if isinstance(p, int) else str(p) for p in loc], "msg": msg}


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # The offending input is not echoed back: it may hold NaN, which JSON cannot carry.
    items = [
        _item(e.get("type", "invalid"), e.get("loc", ()), e.get("msg", "")) for e in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": items})


async def domain_error(request: Request, exc: ValueError) -> JSONResponse:
    """Core raises ValueError with a message meant for the user; it becomes a 422."""
    if isinstance(exc, ValidationError):  # a model built wrongly in our code is a server bug
        raise exc
    return JSONResponse(
        status_code=422, content={"detail": [_item("value_error", ["body"], str(exc))]}
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ValueError, domain_error)

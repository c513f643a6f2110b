"""Shared pydantic building blocks for request and response models."""

from typing import Annotated

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field


def _strict_numbers(schema):
    """Make every float and int of a core schema strict: "1.5" and true are no numbers. Only
    numbers: a JSON list still fills a tuple field, as in lax mode."""
    if isinstance(schema, dict):
        if schema.get("type") in ("float", "int"):
            schema["strict"] = True
        for value in schema.values():
            _strict_numbers(value)
    elif isinstance(schema, list | tuple):
        for value in schema:
            _strict_numbers(value)
    return schema


class Model(BaseModel):
    """Base of every request/response model: unknown fields, NaN/infinity, and numbers sent as
    strings or booleans are rejected (an integer is still a valid float)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):
        return _strict_numbers(handler(source))


Seed = Annotated[
    int,
    Field(ge=0, le=2**32 - 1, description="Seed of the random generator (same seed, same data)."),
]


def check_budget(work: int, budget: int, problem: str, product: str, advice: str) -> None:
    """Refuse a request whose work is over the route's budget (so no answer takes long).

    Raised inside a model validator, the ValueError becomes a 422 that reads like
    "too much work: points^2 x sum of D = 300,000,000 exceeds 200,000,000; use fewer points".

    Parameters
    ----------
    work, budget : int
        The request's amount of work and the most the route accepts.
    problem, product, advice : str
        What goes wrong, the product of settings that ``work`` counts, and what to lower.
    """
    if work > budget:
        raise ValueError(f"{problem}: {product} = {work:,} exceeds {budget:,}; {advice}")


class ErrorItem(Model):
    type: str = Field(description="Error kind, e.g. 'value_error' or 'greater_than_equal'.")
    loc: list[str | int] = Field(description="Where the error is: ['body', field, ...].")
    msg: str = Field(description="What is wrong, in words.")


class ErrorResponse(Model):
    """Body of every 422 answer."""

    detail: list[ErrorItem] = Field(description="One item per problem found in the request.")


# A router's ``responses``: documents the 422 answer of every route in the OpenAPI schema.
INVALID_REQUEST = {422: {"model": ErrorResponse, "description": "Invalid request"}}


def json_answer(answer: BaseModel) -> Response:
    """A large answer written by pydantic's own JSON writer, skipping FastAPI's second pass over
    it (the model was validated when it was built). The route keeps its ``response_model`` for
    the schema."""
    return Response(answer.model_dump_json(), media_type="application/json")

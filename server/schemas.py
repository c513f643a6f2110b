"""Shared pydantic building blocks for request and response models."""

from typing import Annotated

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


class ErrorItem(Model):
    type: str = Field(description="Error kind, e.g. 'value_error' or 'greater_than_equal'.")
    loc: list[str | int] = Field(description="Where the error is: ['body', field, ...].")
    msg: str = Field(description="What is wrong, in words.")


class ErrorResponse(Model):
    """Body of every 422 answer."""

    detail: list[ErrorItem] = Field(description="One item per problem found in the request.")

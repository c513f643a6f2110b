"""Shared pydantic building blocks for request and response models."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base of every request/response model: unknown fields and NaN/infinity are rejected."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


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

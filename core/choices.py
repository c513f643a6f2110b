"""Named choices (kernels, images, signals, padding modes, pooling kinds), declared once.

A registry is a mapping name -> ``Choice``: the name is what the API accepts, the label what a
page shows. The server derives its ``Literal`` types from ``names(registry)`` and hands the
labels to the pages, so a list of names is written in exactly one place: the core module that
implements the choices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.errors import DomainError


@dataclass(frozen=True)
class Choice:
    """One named option: ``name`` for the API, ``label`` for a page, ``description`` in words."""

    name: str
    label: str
    description: str = ""


def registry(choices: Iterable[Choice]) -> dict[str, Choice]:
    """A name -> Choice mapping in the given order; names must be unique."""
    table: dict[str, Choice] = {}
    for choice in choices:
        if choice.name in table:
            raise ValueError(f"duplicate name {choice.name!r} in a registry")
        table[choice.name] = choice
    return table


def names(table: Mapping[str, Choice]) -> tuple[str, ...]:
    """The names of a registry, in order (what a ``Literal`` is built from)."""
    return tuple(table)


def check_choice(table: Mapping[str, Choice], value: str, what: str) -> None:
    """Raise a ``DomainError`` that lists the valid names when ``value`` is not one of them."""
    if value not in table:
        raise DomainError(f"{what} must be one of {', '.join(table)}, got {value!r}")

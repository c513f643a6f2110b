"""Registries of named choices."""

import pytest

from core.choices import Choice, check_choice, names, registry


def test_registry_keeps_order_and_refuses_duplicates():
    table = registry([Choice("b", "B"), Choice("a", "A")])
    assert names(table) == ("b", "a")
    assert table["a"].label == "A"
    with pytest.raises(ValueError, match="duplicate name 'a'"):
        registry([Choice("a", "A"), Choice("a", "again")])


def test_check_choice_lists_the_valid_names():
    table = registry([Choice("zero", "zero"), Choice("valid", "valid")])
    check_choice(table, "zero", "padding")
    with pytest.raises(ValueError, match="padding must be one of zero, valid, got 'same'"):
        check_choice(table, "same", "padding")

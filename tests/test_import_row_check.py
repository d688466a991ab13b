"""A staged row is refused or accepted by the one-pass check exactly as by the full check: plain
text, floats, None, bytes and 64-bit ints pass; anything else is refused with the same fields."""

from __future__ import annotations

import enum
from decimal import Decimal

import pytest

from engine.kernel.row_check import UnstorableValue, _checked, check_row


class _Rank(enum.IntEnum):
    FIRST = 1


ROWS = [(1, "party", "id-1"), ("id", None, 1.5, b"x"), (2**63 - 1, -(2**63)), (2**63,), (-(2**63) - 1, "a"),
        ("a", True), (_Rank.FIRST,), (Decimal("1.5"),), ("a", [1])]


def _outcome(check, row):
    try:
        check("INSERT INTO t (a) VALUES (?)", row)
    except UnstorableValue as refused:
        return refused.fields
    return None


@pytest.mark.parametrize("row", ROWS, ids=repr)
def test_a_row_is_judged_by_the_one_pass_check_as_by_the_full_check(row):
    assert _outcome(check_row, row) == _outcome(_checked, row)


def test_an_int_beyond_64_bits_and_a_type_sqlite_does_not_store_are_refused():
    assert _outcome(check_row, (2**63,))["problem"] == "integer outside the 64-bit range SQLite stores"
    assert _outcome(check_row, (Decimal(1),))["problem"] == "Decimal is not a type SQLite stores"
    assert _outcome(check_row, (1, "a", 2.5, None, b"")) is None

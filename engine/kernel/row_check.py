"""`check_row`: a row SQLite cannot store is refused (`UnstorableValue`) inside the command that
staged it, so that command fails alone rather than the next group commit."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import cast

from engine.kernel.errors import EngineError

__all__ = ["UnstorableValue", "check_row"]

_BINDABLE = frozenset({str, float, type(None), bytes})
_BINDABLE_INT = _BINDABLE | {int}
_INT64 = (-(2**63), 2**63 - 1)


class UnstorableValue(EngineError):
    """A command produced a row SQLite cannot store (fields: statement, value, problem); the command
    is refused before anything of it is written."""


def check_row(sql: str, row: tuple[object, ...]) -> None:
    """`UnstorableValue` for a value SQLite cannot bind. The rows staged per command are short (2-7
    values): one pass comparing classes costs less than building a set of them; a row with any other
    value (an int subclass, a bool, an unknown type) is checked by `_checked`."""
    for value in row:
        kind = value.__class__
        if kind is str or kind is _NONE or kind is float or kind is bytes or \
                (kind is int and -0x8000000000000000 <= value <= 0x7FFFFFFFFFFFFFFF):  # type: ignore[operator]
            continue
        _checked(sql, row)
        return


_NONE = type(None)


def _checked(sql: str, row: tuple[object, ...]) -> None:
    """The full check (in C when every value is plain)."""
    kinds = set(map(type, row))
    if kinds <= _BINDABLE:
        return
    if kinds <= _BINDABLE_INT:
        try:
            array("q", cast("Iterable[int]", filter(int.__instancecheck__, row)))  # OverflowError beyond 64 bits
            return
        except OverflowError:
            pass
    low, high = _INT64
    for value in row:
        kind = value.__class__
        if kind is int:
            if not low <= cast(int, value) <= high:  # `kind is int` above (mypy does not narrow on it)
                raise UnstorableValue(statement=sql.split("(")[0].strip(), value=value,
                                      problem="integer outside the 64-bit range SQLite stores")
        elif kind not in _BINDABLE:
            raise UnstorableValue(statement=sql.split("(")[0].strip(), value=value,
                                  problem=f"{kind.__name__} is not a type SQLite stores")

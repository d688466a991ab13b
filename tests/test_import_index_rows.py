"""Index rows are converted for SQLite the same way whatever the value's class (each class's
conversion is found once and kept): enums by value, dates as ISO text, decimals as floats."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal

from engine.kernel.index import IndexTable


class _Status(str, enum.Enum):
    DUE = "due"


class _Rank(enum.IntEnum):
    SECOND = 2


class _Text(str):
    pass


def test_an_index_row_stores_enums_by_value_dates_as_text_and_decimals_as_floats():
    row = (_Status.DUE, _Rank.SECOND, date(2024, 1, 2), datetime(2024, 1, 2, tzinfo=UTC), Decimal("1.5"),
           Decimal("-0"), True, None, 3, 1.5, "id-1", _Text("t"))
    for _ in range(2):  # the second time from the kept conversions
        converted = IndexTable.convert(row)
        assert converted == ("due", 2, "2024-01-02", "2024-01-02 00:00:00+00:00", 1.5, -0.0, True, None, 3, 1.5,
                             "id-1", "t")
        assert [type(v) for v in converted] == [str, int, str, str, float, float, bool, type(None), int, float, str,
                                                _Text]

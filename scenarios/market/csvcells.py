"""One cell of a price file: a time (ISO-8601 or unix s/ms/us/ns) or USD per BTC as exact cents.

Each reader returns the value or a one-line problem (str) saying what is wrong and how to write it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from scenarios.market.paths import MAX_CENTS

__all__ = ["cents", "instant"]

_UNIX = re.compile(r"^-?\d+(\.\d+)?$")
_UNITS = ((10**17, 10**9), (10**14, 10**6), (10**11, 1000))  # (at least, per second): ns, us, ms
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EARLIEST_UNIX = 10**9  # 2001-09-09: a smaller number is a spreadsheet serial date or a cut-off time
_ZONE_WORD = re.compile(r"\s+(UTC|GMT)$", re.IGNORECASE)
_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T,].*)?$")  # 03/14/2020, 14.03.2020
_GROUPED = {",": re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$"), ".": re.compile(r"^\d{1,3}(\.\d{3})+(,\d*)?$")}


def instant(raw: str) -> datetime | str:
    """Unix time by magnitude (below 10**11 seconds, then ms, from 10**14 us, from 10**17 ns; before
    10**9 s, 2001-09-09, refused) or ISO-8601 (`Z`, an offset or a trailing ` UTC` converted to UTC;
    none means UTC)."""
    try:
        if _UNIX.match(raw):
            number = Decimal(raw)
            per_second = next((per for least, per in _UNITS if abs(number) >= least), 1)
            seconds = number / per_second
            if seconds < _EARLIEST_UNIX:
                return (f"timestamp {raw!r} is before 2001 as unix time (an Excel serial date?):"
                        " write ISO dates such as 2024-08-01")
            return _EPOCH + timedelta(seconds=int(seconds), microseconds=int(seconds % 1 * 10**6))
        at = datetime.fromisoformat(_ZONE_WORD.sub("+00:00", raw))
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except (ValueError, OverflowError):
        slashed = _SLASHED.match(raw)
        if slashed is not None:
            return _day_first_or_month_first(raw, *map(int, slashed.groups()))
        return f"timestamp is neither ISO-8601 nor unix seconds (or ms, us, ns): {raw!r}"


def _day_first_or_month_first(raw: str, first: int, second: int, year: int) -> str:
    """The problem with a date written with the day and the month first (Investing.com's exports,
    Excel's US or European display): only a number above 12 tells which is the day, so this row's
    reading is named, and none is guessed for the file."""
    problem = f"timestamp {raw!r} is not ISO-8601: write dates as YYYY-MM-DD"
    readings = [(f"{year:04d}-{month:02d}-{day:02d}", order) for day, month, order in
                ((first, second, "day"), (second, first, "month")) if _is_day(year, month, day)]
    if not readings:
        return f"{problem} ({raw!r} is no date either way)"
    if readings[0][0] == readings[-1][0]:
        order = f": the {readings[0][1]} comes first" if len(readings) == 1 else ""
        return f"{problem} (this one is {readings[0][0]}{order})"
    return f"{problem}; whether the day or the month comes first, this row does not tell"


def _is_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def cents(raw: str, decimal_comma: bool) -> int | str:
    """Whole cents, half-even (`64600.005` -> 6460000, `64600.015` -> 6460002), from at least one cent.

    An optional `$`; thousands grouped in threes (`65,000.12`, or `65.000,12` where the decimal mark is a
    comma). In a comma-separated file `.` is the decimal mark and a comma only groups thousands; in a
    `;`-separated file a lone comma is the decimal mark and `1.234` (a dot that may group thousands) is
    refused as ambiguous.
    """
    if raw.strip().lower() in _NO_PRICE:
        said = f"{raw.strip()!r}, as FRED and others mark a day without one" if raw.strip() else "an empty cell"
        return (f"no price on this row ({said}): delete the row (the price moves straight from the row before "
                "it to the row after)")
    text = _plain(raw.removeprefix("$").strip(), decimal_comma)
    if text.startswith("!"):
        return f"price {raw!r} {text[1:]}"
    try:
        dollars = Decimal(text)
        value = int(dollars.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except (InvalidOperation, ValueError, OverflowError):
        return f"price is not a number: {raw!r}"
    if value > MAX_CENTS:  # refused naming the line: the price event refused it unnamed, the run begun
        return f"price is above $10 trillion a BTC, the most a price reaches: {raw!r}"
    return value if value > 0 else f"price must be at least one cent: {raw!r}"


_NO_PRICE = frozenset({"", ".", "-", "nan", "null", "none", "n/a", "na", "#n/a"})  # how exports mark a missing one


def _plain(text: str, decimal_comma: bool) -> str:
    """`text` with `.` as its only mark, or `!` and why it is refused."""
    if "," in text and "." in text:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        if not _GROUPED["." if mark == "," else ","].match(text):
            return "!has both ',' and '.' but does not group thousands in threes (write 65000.12)"
        return text.replace("." if mark == "," else ",", "").replace(",", ".")
    if "," in text:
        if decimal_comma and text.count(",") == 1:
            return text.replace(",", ".")
        if _GROUPED[","].match(text):
            return text.replace(",", "")
        if decimal_comma:
            return "!is not a number (write 65000,12)"
        return ("!has a comma that does not group thousands in threes: in a comma-separated file the "
                "decimal mark is '.' (write 65000.12)")
    if decimal_comma and _GROUPED["."].match(text):
        if text.count(".") == 1:
            return "!is ambiguous in a ';'-separated file: '.' may group thousands (write 1234 or 1,234)"
        return text.replace(".", "")
    return text

"""Recorded BTC prices from an exchange-style CSV export, and their stepwise replay in sim seconds.

Header: a time column (`timestamp`, `date`, `datetime` or `time`, first found in that order) and a
price column (`close`, else `price`), any case; other columns are ignored. Times are ISO-8601 dates
or date-times (a `Z`/offset is converted to UTC; none means UTC) or unix seconds (>= 10**11 reads as
milliseconds), strictly increasing. Prices are USD per BTC as decimals (`67012.34`, `$67,012.34`),
to cents half-even. Blank lines are skipped. Every problem raises `MalformedPriceFile(path, line,
problem)` naming the 1-based line.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path

from scenarios.market.paths import MalformedPriceFile

__all__ = ["CsvReplay", "PRICE_COLUMNS", "TIME_COLUMNS", "read_points"]

class CsvReplay:
    """A recorded series as a path: the last row at or before `start + t` (the first row's before it)."""

    def __init__(self, rows: list[tuple[datetime, int]], start: datetime, source: str, digest: str) -> None:
        self.start, self.source, self.digest = _utc(start), source, digest
        self.first, self.last, self.rows = rows[0][0], rows[-1][0], len(rows)
        self._steps = _steps(rows, self.start)

    @classmethod
    def from_file(cls, path: str | Path, start: datetime) -> CsvReplay:
        return cls.from_text(Path(path).read_text(encoding="utf-8-sig"), start, source=str(path))

    @classmethod
    def from_text(cls, text: str, start: datetime, source: str = "<text>") -> CsvReplay:
        digest = hashlib.sha256(text.encode()).hexdigest()
        return cls(read_points(text, source), start, source, digest)

    def price_at(self, t: int) -> int:
        times, prices = self._steps
        return prices[max(0, bisect.bisect_right(times, t) - 1)]

    def describe(self) -> dict[str, object]:
        return {"kind": "csv-replay", "source": self.source, "sha256": self.digest, "rows": self.rows,
                "first": _iso(self.first), "last": _iso(self.last), "start": _iso(self.start)}


def _steps(rows: list[tuple[datetime, int]], start: datetime) -> tuple[list[int], list[int]]:
    """Offsets in whole sim seconds (rounded up: a row at 00:00:00.5 is in effect from second 1)."""
    times: list[int] = []
    prices: list[int] = []
    for at, cents in rows:
        delta = at - start
        t = delta.days * 86400 + delta.seconds + (1 if delta.microseconds else 0)
        if times and times[-1] == t:  # two rows inside one second: the later one wins
            prices[-1] = cents
            continue
        times.append(t)
        prices.append(cents)
    return times, prices


TIME_COLUMNS = ("timestamp", "date", "datetime", "time")
PRICE_COLUMNS = ("close", "price")
_UNIX = re.compile(r"^-?\d+(\.\d+)?$")


def read_points(text: str, source: str, *, newest_first: bool = False) -> list[tuple[datetime, int]]:
    """(UTC time, cents) rows in time order; with `newest_first`, a file listing rows in strictly
    decreasing time is accepted too (many exchange exports do) and returned reversed."""
    rows = _parse(text, source)
    descending = newest_first and len(rows) > 1 and rows[1][1] < rows[0][1]
    for (_, a, _), (line, b, _) in pairwise(rows):
        if (b >= a) if descending else (b <= a):
            word = "before" if descending else "after"
            raise MalformedPriceFile(path=source, line=line, problem=f"time {_iso(b)} is not {word} {_iso(a)}")
    points = [(at, cents) for _, at, cents in rows]
    return points[::-1] if descending else points


def _parse(text: str, source: str) -> list[tuple[int, datetime, int]]:
    reader = csv.reader(io.StringIO(text))
    columns = _header(next(reader, None), source)
    rows: list[tuple[int, datetime, int]] = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        rows.append((reader.line_num, *_row(record, columns, source, reader.line_num)))
    if not rows:
        raise MalformedPriceFile(path=source, line=reader.line_num + 1, problem="no price rows after the header")
    return rows


def _header(record: list[str] | None, source: str) -> tuple[int, int]:
    if record is None:
        raise MalformedPriceFile(path=source, line=1, problem="file is empty")
    names = [cell.strip().lower() for cell in record]
    found = [next((names.index(n) for n in wanted if n in names), None) for wanted in (TIME_COLUMNS, PRICE_COLUMNS)]
    if None in found:
        lacking = [f"a {kind} column ({', '.join(wanted)})" for kind, wanted, at in
                   (("time", TIME_COLUMNS, found[0]), ("price", PRICE_COLUMNS, found[1])) if at is None]
        raise MalformedPriceFile(path=source, line=1, problem=f"header {names} lacks {' and '.join(lacking)}")
    return found[0], found[1]  # type: ignore[return-value]


def _row(record: list[str], columns: tuple[int, int], source: str, line: int) -> tuple[datetime, int]:
    if len(record) <= max(columns):
        raise MalformedPriceFile(path=source, line=line, problem=f"expected {max(columns) + 1}+ fields")
    raw_at, raw_price = record[columns[0]].strip(), record[columns[1]].strip()
    return _time(raw_at, source, line), _price_cents(raw_price, source, line)


def _time(raw: str, source: str, line: int) -> datetime:
    """Unix seconds (digits; 11+ integer digits, i.e. >= 10**11, read as milliseconds) or ISO-8601."""
    try:
        if _UNIX.match(raw):
            seconds = Decimal(raw) / (1000 if abs(Decimal(raw)) >= 10**11 else 1)
            return _EPOCH + timedelta(seconds=int(seconds), microseconds=int(seconds % 1 * 10**6))
        return _utc(datetime.fromisoformat(raw))
    except (ValueError, OverflowError):
        raise MalformedPriceFile(path=source, line=line,
                                 problem=f"timestamp is neither ISO-8601 nor unix seconds: {raw!r}") from None


def _price_cents(raw: str, source: str, line: int) -> int:
    try:
        dollars = Decimal(raw.removeprefix("$").replace(",", ""))
        cents = int(dollars.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except (InvalidOperation, ValueError):
        raise MalformedPriceFile(path=source, line=line, problem=f"price is not a number: {raw!r}") from None
    if cents <= 0:
        raise MalformedPriceFile(path=source, line=line, problem=f"price must be at least one cent: {raw!r}")
    return cents


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")

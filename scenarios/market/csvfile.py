"""Replay of a recorded BTC price series from CSV (`timestamp,price`), stepwise in sim seconds.

Format: a header naming `timestamp` and `price` (other columns ignored), then one row per line.
`timestamp` is ISO-8601 (a `Z`/offset is converted to UTC; no offset means UTC) and strictly
increasing; `price` is USD per BTC as a decimal (`67012.34`), converted to cents with `Decimal`
rounding half-even. Blank lines are skipped. Every problem raises `MalformedPriceFile(path, line,
problem)` naming the 1-based line.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from scenarios.market.paths import MalformedPriceFile

__all__ = ["CsvReplay"]



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
        return cls(_parse(text, source), start, source, digest)

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


def _parse(text: str, source: str) -> list[tuple[datetime, int]]:
    reader = csv.reader(io.StringIO(text))
    columns = _header(next(reader, None), source)
    rows: list[tuple[datetime, int]] = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        row = _row(record, columns, source, reader.line_num)
        if rows and row[0] <= rows[-1][0]:
            raise MalformedPriceFile(path=source, line=reader.line_num,
                                     problem=f"timestamp {_iso(row[0])} is not after {_iso(rows[-1][0])}")
        rows.append(row)
    if not rows:
        raise MalformedPriceFile(path=source, line=reader.line_num + 1, problem="no price rows after the header")
    return rows


def _header(record: list[str] | None, source: str) -> tuple[int, int]:
    if record is None:
        raise MalformedPriceFile(path=source, line=1, problem="file is empty")
    names = [cell.strip() for cell in record]
    missing = [name for name in ("timestamp", "price") if name not in names]
    if missing:
        raise MalformedPriceFile(path=source, line=1, problem=f"header {names} lacks column(s) {missing}")
    return names.index("timestamp"), names.index("price")


def _row(record: list[str], columns: tuple[int, int], source: str, line: int) -> tuple[datetime, int]:
    if len(record) <= max(columns):
        raise MalformedPriceFile(path=source, line=line, problem=f"expected {max(columns) + 1}+ fields")
    raw_at, raw_price = record[columns[0]].strip(), record[columns[1]].strip()
    try:
        at = _utc(datetime.fromisoformat(raw_at))
    except ValueError:
        raise MalformedPriceFile(path=source, line=line, problem=f"bad ISO-8601 timestamp: {raw_at!r}") from None
    return at, _price_cents(raw_price, source, line)


def _price_cents(raw: str, source: str, line: int) -> int:
    try:
        cents = int(Decimal(raw).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except (InvalidOperation, ValueError):
        raise MalformedPriceFile(path=source, line=line, problem=f"price is not a number: {raw!r}") from None
    if cents <= 0:
        raise MalformedPriceFile(path=source, line=line, problem=f"price must be at least one cent: {raw!r}")
    return cents


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")

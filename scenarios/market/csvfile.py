"""Recorded BTC prices from an exchange-style CSV export, and their stepwise replay in sim seconds.

Header: a time column (`timestamp`, `date`, `datetime`, `time`, `snapped_at`, `open_time`, `unix` or
`observation_date`, first found in that order) and a price column (`PRICE_COLUMNS`, first found in
that order: `close`, `price`, then names that say a USD price or the pair, such as FRED's
`CBBTCUSD`; or `value` when it is the only column beside the time, as Glassnode and Nasdaq Data Link
write a series), any case, spaces as `_`; other columns are ignored. Lines of one cell before the
header (a title, the URL CryptoDataDownload's exports begin with) are skipped. A file without a
header is read only in Binance's kline layout (12 fields, open time then open, high, low, close).
Comma- or tab-separated with `.` decimals, or `;`-separated as the header shows, where a lone comma
is the decimal mark. Times and prices as `scenarios.market.csvcells` reads them, strictly increasing
(or strictly decreasing with `newest_first`). A row with more cells than the header is refused (an
unquoted decimal comma would shift the columns). Blank lines are skipped. Every problem raises
`MalformedPriceFile(path, line, problem)` naming the 1-based line.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from scenarios.market.csvcells import cents as read_cents
from scenarios.market.csvcells import instant
from scenarios.market.paths import MalformedPriceFile

__all__ = ["CsvReplay", "PRICE_COLUMNS", "SERIES_COLUMN", "TIME_COLUMNS", "read_points"]

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


TIME_COLUMNS = ("timestamp", "date", "datetime", "time", "snapped_at", "open_time", "unix", "observation_date")
PRICE_COLUMNS = ("close", "price", "price_usd", "price_(usd)", "close_(usd)", "closing_price_(usd)", "closing_price",
                 "cbbtcusd", "btcusd", "btc_usd")  # CoinDesk's `Closing Price (USD)`, FRED's Coinbase series
SERIES_COLUMN = "value"  # a series export's one column (Glassnode, Nasdaq Data Link): a price beside a time only
_KLINE_FIELDS = 12  # Binance klines: open time, open, high, low, close, volume, close time, ...


def read_points(text: str, source: str, *, newest_first: bool = False) -> list[tuple[datetime, int]]:
    """(UTC time, cents) rows in time order; with `newest_first`, a file listing rows in strictly
    decreasing time is accepted too (many exchange exports do) and returned reversed."""
    rows = _parse(text, source)
    descending = newest_first and len(rows) > 1 and rows[1][1] < rows[0][1]
    for (previous, a, _), (line, b, _) in pairwise(rows):
        if (b >= a) if descending else (b <= a):
            word = "before" if descending else "after"
            again = f", the time of line {previous} (a duplicate row?)" if a == b else ""
            raise MalformedPriceFile(path=source, line=line, problem=f"time {_iso(b)} is not {word} {_iso(a)}{again}")
    points = [(at, cents) for _, at, cents in rows]
    return points[::-1] if descending else points


def _parse(text: str, source: str) -> list[tuple[int, datetime, int]]:
    """Blank lines, before the header too, are no rows (a blank first line was an IndexError). So
    are title lines of one cell before it (no delimiter: no header, no row), such as the URL line
    CryptoDataDownload's exports begin with, when a line with several cells follows them."""
    titles, first, head = 0, "", ""
    for written in io.StringIO(text):  # up to the first line of several cells: not the whole file again
        if written.strip():
            head = head or written
            if any(d in written for d in ",;\t"):
                first = written
                break
            titles += 1
    else:  # no line of several cells: no title skipped, the first line is the header to refuse
        titles, first = 0, head
    delimiter = next((d for d in (";", "\t") if d in first and "," not in first), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        filled = (record for record in reader if _filled(record))
        for _ in range(titles):
            next(filled, None)
        header = next(filled, None)
        line = reader.line_num
        columns, width = _header(header, source, line)
        rows: list[tuple[int, datetime, int]] = []
        if header is not None and width == 0:  # a headerless kline file: its first line is a row
            rows.append((line, *_row(header, columns, _KLINE_FIELDS, delimiter, source, line)))
        for record in reader:
            if _filled(record):
                rows.append((reader.line_num, *_row(record, columns, width, delimiter, source, reader.line_num)))
    except csv.Error as bad:  # a lone carriage return in text given as such (a file's is read as a newline)
        raise MalformedPriceFile(path=source, line=reader.line_num, problem=str(bad)) from None
    if not rows:
        raise MalformedPriceFile(path=source, line=reader.line_num + 1, problem="no price rows after the header")
    return rows


def _filled(record: list[str]) -> bool:
    return any(cell.strip() for cell in record)


def _header(record: list[str] | None, source: str, line: int) -> tuple[tuple[int, int], int]:
    """(time, price) column indexes and the header's width (0: no header, a Binance kline row);
    `line` is the header's number."""
    if record is None:
        raise MalformedPriceFile(path=source, line=1, problem="file is empty")  # or blank lines only
    names = [cell.strip().lower().replace(" ", "_") for cell in record]
    found = [next((names.index(n) for n in wanted if n in names), None) for wanted in (TIME_COLUMNS, PRICE_COLUMNS)]
    if found[1] is None and SERIES_COLUMN in names and len([n for n in names if n]) == 2:
        found[1] = names.index(SERIES_COLUMN)
    if None not in found:
        return (found[0], found[1]), len(names)  # type: ignore[return-value]
    if len(names) == _KLINE_FIELDS and all(isinstance(instant(names[i]), datetime) for i in (0, 6)):
        return (0, 4), 0
    lacking = [f"a {kind} column ({', '.join(wanted)})" for kind, wanted, at in
               (("time", TIME_COLUMNS, found[0]), ("price", (*PRICE_COLUMNS, f"or {SERIES_COLUMN} beside the time "
                                                             "alone"), found[1])) if at is None]
    hint = f"; it looks like data: add a first line naming the columns, e.g. {_suggested_header(len(names))}"
    problem = f"header {names} lacks {' and '.join(lacking)}{hint if isinstance(instant(names[0]), datetime) else ''}"
    raise MalformedPriceFile(path=source, line=line, problem=problem)


def _suggested_header(width: int) -> str:
    """A header line naming as many columns as the data line has: one of five names given to a
    Kraken OHLCVT file's seven fields had it refused again, as a decimal comma in a cell."""
    names = ["timestamp", "open", "high", "low", "close", "volume", "trades"] if width >= 5 else ["timestamp", "close"]
    return ",".join((names + [f"column{n}" for n in range(len(names) + 1, width + 1)])[:width])


def _row(record: list[str], columns: tuple[int, int], width: int, delimiter: str, source: str,
         line: int) -> tuple[datetime, int]:
    if len(record) <= max(columns):
        raise MalformedPriceFile(path=source, line=line, problem=f"expected {max(columns) + 1}+ fields")
    if width and len(record) > width and any(cell.strip() for cell in record[width:]):
        raise MalformedPriceFile(path=source, line=line, problem=(
            f"{len(record)} fields but the header names {width}: a decimal comma in an unquoted cell?"
            f" (write 65000.12, or quote the cell)"))
    at, cents = instant(record[columns[0]].strip()), read_cents(record[columns[1]], delimiter == ";")
    for value in (at, cents):
        if isinstance(value, str):
            raise MalformedPriceFile(path=source, line=line, problem=value)
    return at, cents  # type: ignore[return-value]


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")

"""A price history kept as Parquet (a data lake's table, `frame.to_parquet`), read as the CSV export it
stands for: each cell the exact text of its value (a timestamp as ISO-8601, with its offset if it
has a zone: an instant, even at midnight; else `scenarios.book.sheet.cell_text`: a float's shortest
text, a decimal's digits, a date as its day), the columns named as in the file. pandas' index
columns (`__index_level_N__`) are left out, but for a price series whose unnamed index holds its
times and which names no time column: that index is its `timestamp`. The CSV reader
(`scenarios.market.csvfile`) then reads it: its line N is the table's row N - 1 (`row_of`)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime
from pathlib import Path

from scenarios.book.sheet import cell_text
from scenarios.book.sheet import is_parquet as is_parquet_file
from scenarios.market.csvfile import TIME_COLUMNS

__all__ = ["as_csv", "digest", "is_parquet", "row_of"]

_INDEX = "__index_level_"


def is_parquet(file: str) -> bool:
    """Whether the file (`~` expanded) begins as a Parquet file does (`scenarios.book.sheet.is_parquet`)."""
    return is_parquet_file(Path(file).expanduser())


def digest(file: str) -> str:
    """The sha256 of the file's bytes: what a run on it records, and a resume or a sweep compares."""
    return hashlib.sha256(Path(file).expanduser().read_bytes()).hexdigest()


def as_csv(file: str) -> tuple[str, str]:
    """(the table as CSV text, the sha256 of the file's bytes): `OSError` if Arrow cannot read it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    raw = Path(file).expanduser().read_bytes()
    try:
        table = pq.read_table(pa.BufferReader(raw))
    except pa.ArrowException as bad:
        said = str(bad).splitlines()[0] if str(bad) else type(bad).__name__
        reason = said.split("': ", 1)[-1]  # past "Could not open Parquet input source '<Buffer>': "
        raise OSError(f"not readable as Parquet ({reason})") from None

    named = [name for name in table.column_names if not name.startswith(_INDEX)]
    timed = any(name.strip().lower().replace(" ", "_") in TIME_COLUMNS for name in named)
    columns, header = [], []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if name.startswith(_INDEX):
            if timed or not (pa.types.is_timestamp(column.type) or pa.types.is_date(column.type)):
                continue
            name = "timestamp"  # a series' unnamed DatetimeIndex: its times
        if pa.types.is_float32(column.type) or pa.types.is_float16(column.type):
            column = pc.cast(column, pa.string())  # a float32's shortest text: 812.33, not 812.3300170898438
        columns.append(column.to_pylist())
        header.append(name)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for row in zip(*columns, strict=True):
        writer.writerow([value.isoformat() if isinstance(value, datetime) else cell_text(value) for value in row])
    return text.getvalue(), hashlib.sha256(raw).hexdigest()


def row_of(line: int, problem: str) -> tuple[int, str]:
    """A problem the CSV reader found on `line` of `as_csv`'s text, as the table's row (line 1, the
    header, is row 0: the columns) and its text with the lines it names as rows."""
    return line - 1, re.sub(r"\bline (\d+)", lambda m: f"row {int(m.group(1)) - 1}", problem)

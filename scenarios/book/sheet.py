"""A book file as a sheet: a CSV file's kind and encoding checked, its delimiter and header found, and
each row's cells (stripped, keyed by column) with the line the row starts on; or an Excel workbook's
first sheet, or a Parquet file's columns, each cell as the exact text of its value, with the row's
number.

Any problem of the file as a whole refuses it at once (`BookRefused`, saying how to fix it)."""

from __future__ import annotations

import csv
import difflib
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import attrs

from scenarios.library.params import ScenarioError

__all__ = ["BOOK_SUFFIXES", "BookProblem", "BookRefused", "SheetRow", "cell_text", "directory", "grouped",
           "is_parquet", "is_workbook", "sheet_rows", "unusable"]

BOOK_SUFFIXES = (".csv", ".parquet", ".pq", ".xlsx", ".xlsm")  # `run --from` and `sweep --from`: a book, no journal
PARQUET = b"PAR1"

SAVE_AS = "save the sheet as 'CSV UTF-8 (Comma delimited)'"
_KINDS = ((b"PK\x03\x04", "a ZIP archive that is no readable Excel workbook"),
          (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"), (b"\x1f\x8b", "gzip-compressed"),
          (b"SQLite format 3\x00", "an SQLite database"), (b"\x89PNG", "a PNG image"),
          (b"%PDF", "a PDF document"), (b"\xff\xfe", "UTF-16 text"), (b"\xfe\xff", "UTF-16 text"))
_ADVICE = {  # what to do with a file that is no sheet, where saving it from a spreadsheet is not the way
    "an Excel 97-2003 workbook (.xls)": "save it as an Excel workbook (.xlsx), or as 'CSV UTF-8 (Comma delimited)'",
    "an SQLite database": "a lanasim journal is stressed as it is (lanasim run SCENARIO --from JOURNAL), and "
                          "lanasim export JOURNAL --out book.csv writes its book"}


@attrs.frozen
class BookProblem:
    line: int
    column: str
    problem: str
    unit: str = "line"  # "row" in a workbook (Excel's numbers) or a Parquet book (the first is 1): no lines

    def __str__(self) -> str:
        """`line 3, collateral_btc: negative ('-1.1')` (`row 2, ...` in a workbook or a Parquet book); line 0 is
        the book as a whole (`COLUMN: problem`, or the problem alone for the file itself: `no such file`)."""
        if self.line:
            return f"{self.unit} {self.line}, {self.column}: {self.problem}"
        return self.problem if self.column == "-" else f"{self.column}: {self.problem}"


class BookRefused(ScenarioError):
    """The book was refused whole (fields: path, problems); nothing was written. Its message names
    every problem, those that repeat on many rows once (`grouped`)."""

    def __init__(self, path: str, problems: list[BookProblem]) -> None:
        self.path, self.problems = path, problems
        super().__init__(f"{path}: refused, {len(problems)} problem(s): " + "; ".join(grouped(problems)))


def grouped(problems: list[BookProblem], least: int = 3) -> list[str]:
    """The problems as lines to print, in the order they were found, a problem found on `least` rows
    or more (the same column, the same text) on one line naming all of them as ranges: `lines 2-3237
    (3,236 lines), -: not a lanasim outbox envelope (no field event_type)`. An export of Lana's own
    outbox table printed 3,237 lines of that one problem, which no one reads to the end."""
    groups: dict[tuple[str, str, str], list[BookProblem]] = {}
    for problem in problems:
        groups.setdefault((problem.unit, problem.column, problem.problem), []).append(problem)
    lines = []
    for problem in problems:
        group = groups[(problem.unit, problem.column, problem.problem)]
        numbers = sorted({p.line for p in group if p.line})
        if len(numbers) < least or len(numbers) < len(group):  # few, or the book's own: each as it is
            lines.append(str(problem))
        elif problem is group[0]:
            lines.append(f"{problem.unit}s {_ranges(numbers)} ({len(numbers):,} {problem.unit}s), {problem.column}: "
                         f"{problem.problem}")
    return lines


def _ranges(numbers: list[int]) -> str:
    """`2-5, 9, 12-40` of sorted distinct numbers."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


@attrs.frozen
class SheetRow:
    """A row's non-empty cells by column, the lines it starts and ends on, its decimal mark ('.', or
    ',' in a ';'-separated file) and what is wrong with its shape (cells the header does not name);
    in a workbook or a Parquet book, `line` and `end` are the row's number and `unit` is "row"."""

    line: int
    end: int
    cells: dict[str, str]
    decimal_mark: str
    problems: list[BookProblem]
    unit: str = "line"


def sheet_rows(path: str | Path, required: tuple[str, ...], optional: tuple[str, ...]) -> Iterator[SheetRow]:
    """The rows of a UTF-8 CSV file (a BOM, CRLF and quoted cells as Excel writes them) whose header
    names every `required` column and no other than `optional` ones, matched without regard to case
    or surrounding spaces; blank rows (empty cells only) are skipped. `BookRefused` for a file that
    is no such sheet. A Parquet file (`is_parquet`) is read by `_parquet_rows`, an Excel workbook
    (`is_workbook`) by `_workbook_rows`."""
    if Path(path).is_dir():
        raise BookRefused(str(path), [BookProblem(0, "-", directory(path))])
    if is_parquet(path):
        yield from _parquet_rows(path, required, optional)
        return
    if is_workbook(path):
        yield from _workbook_rows(path, required, optional)
        return
    _check_kind(path)
    with _opened(path, encoding="utf-8-sig", newline="") as handle:
        try:
            delimiter = _delimiter(path, handle.readline())
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter)
            names = [name.strip().lower() for name in next(reader)]
            _check_header(path, names, required, optional)
            named = [(i, name) for i, name in enumerate(names) if name]
            unnamed = [i for i, name in enumerate(names) if not name]
            last = reader.line_num
            for record in reader:
                line, last = last + 1, reader.line_num
                if unnamed or len(record) > len(names):
                    cells = {name: record[i].strip() for i, name in named if i < len(record) and record[i].strip()}
                    stray = any(cell.strip() for cell in record[len(names):]) or \
                        any(record[i].strip() for i in unnamed if i < len(record))
                else:  # every cell under a named column (a book's every row): each stripped once, the book read twice
                    cells, stray = {name: cell for name, cell in zip(names, map(str.strip, record)) if cell}, False
                if not cells and not stray:
                    continue  # a blank line, or a row of empty cells (commas only, as spreadsheets write)
                problems = [BookProblem(line, "-", f"{len(record)} cells, but the header names {len(named)}")] \
                    if stray else []
                yield SheetRow(line, last, cells, "," if delimiter == ";" else ".", problems)
        except csv.Error as bad:
            raise BookRefused(str(path), [BookProblem(reader.line_num, "-", f"not readable as CSV ({bad})")]) \
                from None
        except UnicodeDecodeError:
            raise BookRefused(str(path), [BookProblem(_undecodable_line(path), "-",
                                                      f"not UTF-8 text; {SAVE_AS}")]) from None


def _opened(path: str | Path, mode: str = "r", **options: Any) -> IO[Any]:
    """The book file opened for reading, or `BookRefused` naming it and why it cannot be read (a
    missing file, a directory, no permission): these were a bare OSError from Python."""
    try:
        return Path(path).open(mode, **options)
    except OSError as failed:
        raise BookRefused(str(path), [BookProblem(0, "-", unusable(failed))]) from None
    except ValueError:  # a NUL or a lone surrogate in the name: a bare ValueError from Python's open
        raise BookRefused(str(path), [BookProblem(0, "-", UNNAMEABLE)]) from None


UNNAMEABLE = "no such file (its name holds a NUL character or a lone surrogate, which no file name holds)"


def directory(path: str | Path) -> str:
    """What a directory given as a book is: a directory of Parquet parts (what Dask's, Spark's and
    pandas' partitioned `to_parquet` write under a `.parquet` name) is told how to make them one
    file, whose rows then have one order."""
    if next(Path(path).glob("*.parquet"), None) is not None:
        return (f"a directory of Parquet parts, not a file: write them as one, e.g. "
                f"pandas.read_parquet('{path}').to_parquet('book.parquet')")
    return "a directory, not a file"


def unusable(failed: OSError) -> str:
    """What an OSError opening a file says of it, in a few words."""
    if isinstance(failed, FileNotFoundError):
        return "no such file"
    if isinstance(failed, IsADirectoryError):
        return "a directory, not a file"
    if isinstance(failed, NotADirectoryError):
        return "no such file (a part of its path is no directory)"
    if isinstance(failed, PermissionError):
        return "permission denied"
    return (failed.strerror or str(failed)).lower()


def _check_kind(path: str | Path) -> None:
    with _opened(path, "rb") as handle:
        start = handle.read(16)
    for magic, kind in _KINDS:
        if start.startswith(magic):
            advice = _ADVICE.get(kind, SAVE_AS)
            raise BookRefused(str(path), [BookProblem(1, "-", f"not a UTF-8 text file ({kind}); {advice}")])
    if not start.strip(b"\xef\xbb\xbf \r\n\t"):
        raise BookRefused(str(path), [BookProblem(1, "-", "an empty file: a book's first line names its columns")])


def _delimiter(path: str | Path, first: str) -> str:
    """',' (or ';', which Excel writes where the decimal mark is a comma) as the header line shows."""
    if "," in first or (";" not in first and "\t" not in first):
        return ","
    if ";" in first:
        return ";"
    raise BookRefused(str(path), [BookProblem(1, "-", f"tab-separated: a book is comma-separated; {SAVE_AS}")])


def _check_header(path: str | Path, names: list[str], required: tuple[str, ...], optional: tuple[str, ...],
                  line: int = 1, unit: str = "line") -> None:
    """The header's problems, on `line` (0 for a Parquet book's columns: the file's, not a line's;
    a workbook's header row with `unit` "row")."""
    known = required + optional
    if not set(names) & set(known):
        where = f"the first {unit} is the header (delete any title {unit} above it)" if line else \
            "name its columns as README's 'Your own book' lists them"
        raise BookRefused(str(path), [BookProblem(line, "-", f"names none of a book's columns ({required[0]}, ...): "
                                                             + where, unit)])
    problems = [BookProblem(line, c, "missing column", unit) for c in required if c not in names]
    for i, name in enumerate(names):
        if name and name not in known:
            close = difflib.get_close_matches(name, [k for k in known if k not in names], n=1)
            hint = f"did you mean {close[0]}?" if close else "delete it (README: 'Your own book' lists the columns)"
            problems.append(BookProblem(line, name, f"unknown column; {hint}", unit))
        elif name and name in names[:i]:
            where, first = "cells" if line and unit == "line" else "columns", names.index(name) + 1
            problems.append(BookProblem(line, name, f"column named twice ({where} {first} and {i + 1}); keep one",
                                        unit))
    if problems:
        raise BookRefused(str(path), problems)


def is_parquet(path: str | Path) -> bool:
    """Whether the file begins as a Parquet file does (a file that cannot be read is no Parquet: the
    CSV reader then names its problem)."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(4) == PARQUET
    except (OSError, ValueError):
        return False


def _parquet_rows(path: str | Path, required: tuple[str, ...], optional: tuple[str, ...]) -> Iterator[SheetRow]:
    """The rows of a Parquet book, as `sheet_rows` gives a CSV book's: its columns named as a CSV
    header's (pandas' `__index_level_N__` index columns left out), each cell the exact text of its
    value (`_text`; a float32 column's by Arrow's shortest text of a float32), a null, NaN or empty
    one left out, numbered from 1 (`unit` "row"), read a batch at a time; a value that is no cell (a
    list, a struct, bytes that are no UTF-8 text, true or false) is the row's problem. A file Arrow
    cannot read is refused in one line."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        book = pq.ParquetFile(path)
        columns = [c for c in book.schema_arrow.names if not c.startswith("__index_level_")]
        names = [c.strip().lower() for c in columns]
        _check_header(path, names, required, optional, line=0)
        number = 0
        for batch in book.iter_batches(batch_size=4_096, columns=columns, use_pandas_metadata=False):
            values = []
            for column in batch.columns:
                if pa.types.is_float32(column.type) or pa.types.is_float16(column.type):
                    values.append([None if v is None else _float_text(v) for v in pc.cast(column, pa.string())
                                   .to_pylist()])  # a float32's shortest text: 812.33, not 812.3300170898438
                else:
                    values.append(column.to_pylist())
            for row in zip(*values, strict=True):
                number += 1
                cells: dict[str, str] = {}
                problems: list[BookProblem] = []
                for i, (name, value) in enumerate(zip(names, row, strict=True)):
                    _read_cell(number, i, name, value, cells, problems)
                if cells or problems:
                    yield SheetRow(number, number, cells, ".", problems, unit="row")
    except (pa.ArrowException, OSError) as bad:
        problem = str(bad).splitlines()[0] if str(bad) else type(bad).__name__
        raise BookRefused(str(path), [BookProblem(0, "-", f"not readable as Parquet ({problem})")]) from None


def is_workbook(path: str | Path) -> bool:
    """Whether the file is an Excel workbook (`.xlsx`, `.xlsm`: a ZIP archive holding
    `xl/workbook.xml`); another ZIP archive, or one that cannot be read, is not."""
    try:
        with Path(path).open("rb") as handle:
            if handle.read(4) != b"PK\x03\x04":
                return False
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (OSError, ValueError, zipfile.BadZipFile):
        return False


def _workbook_rows(path: str | Path, required: tuple[str, ...], optional: tuple[str, ...]) -> Iterator[SheetRow]:
    """The rows of an Excel workbook's book sheet (`_book_sheet`: the first whose header names a
    book column), as `sheet_rows` gives a CSV book's: its first row that is not empty is the header,
    each cell the exact text of the value Excel saved (`_text`: not the text a cell displays, which
    may be rounded, so `1.23457E+11` is the number it stands for; a date cell as its day), numbered
    as Excel numbers its rows (`unit` "row"). A formula's value is the one Excel saved with it
    (`_Saved`: read only for a sheet that has formulas); one never saved (a workbook written by a
    program, not saved by Excel) is its cell's problem, as is a value that is no cell (true/false),
    and so are cells the header does not name. A workbook openpyxl cannot read is refused in one
    line."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=False)  # a formula as written: "=B2*1.1"
    except Exception as bad:  # openpyxl raises what its XML and ZIP readers raise: any is an unreadable file
        raise BookRefused(str(path), [BookProblem(0, "-", f"not readable as an Excel workbook ({bad})")]) from None
    sheet = _book_sheet(book, set(required + optional))
    saved = _Saved(path, sheet)
    try:
        if not book.worksheets:
            raise BookRefused(str(path), [BookProblem(0, "-", "a workbook without a sheet")])
        names: list[str] | None = None
        for number, row in enumerate(book.worksheets[sheet].iter_rows(values_only=True), 1):
            if names is None:
                if _empty(row):
                    continue  # empty rows above the header
                names = [str(cell).strip().lower() if cell is not None else "" for cell in row]
                _check_header(path, names, required, optional, line=number, unit="row")
                continue
            cells: dict[str, str] = {}
            problems: list[BookProblem] = []
            for i, value in enumerate(row):
                name = names[i] if i < len(names) else ""
                if isinstance(value, str) and value.startswith("="):
                    formula, value = value, saved.cell(number, i)
                    if value is None:
                        problems.append(BookProblem(number, name or "-", f"a formula whose value was never saved "
                                                    f"({formula[:40]}): open and save the workbook in Excel", "row"))
                        continue
                _read_cell(number, i, name, value, cells, problems)
            if cells or problems:
                yield SheetRow(number, number, cells, ".", problems, unit="row")
        if names is None:
            raise BookRefused(str(path), [BookProblem(0, "-", "an empty sheet: a book's first row names its columns")])
    finally:
        book.close()
        saved.close()


def _read_cell(number: int, index: int, name: str, value: object, cells: dict[str, str],
               problems: list[BookProblem]) -> None:
    """A workbook's or Parquet book's cell on row `number`, column `index` (0-based) under `name`
    ("" for a column the header does not name), into `cells` as its text (`_text`), or into
    `problems`: a value that is no cell, or text where the header names no column."""
    try:
        text = _text(value)
    except ValueError as no_cell:
        problems.append(BookProblem(number, name or "-", str(no_cell), "row"))
        return
    if text and name:
        cells[name] = text
    elif text:
        problems.append(BookProblem(number, "-", f"a cell in column {index + 1}, which the header does not name "
                                                 f"({text[:40]!r})", "row"))


def _book_sheet(book: Any, known: set[str]) -> int:
    """The index of the workbook's first sheet whose first row that is not empty names a book column
    (a cover or notes sheet before the book's is passed over); 0 if none does, which is refused."""
    for index, sheet in enumerate(book.worksheets):
        for row in sheet.iter_rows(values_only=True):
            if not _empty(row):
                if {str(cell).strip().lower() for cell in row if cell is not None} & known:
                    return index
                break
    return 0


def _empty(row: tuple[object, ...]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


class _Saved:
    """The values Excel saved with a workbook's formulas, its book's sheet read a second time (opened
    at the first formula met, then walked forward with the first reading: rows come in order)."""

    def __init__(self, path: str | Path, sheet: int) -> None:
        self.path, self.sheet, self.number = path, sheet, 0
        self.book: Any = None
        self.rows: Iterator[tuple[object, ...]] | None = None
        self.row: tuple[object, ...] = ()

    def cell(self, number: int, column: int) -> object:
        if self.rows is None:
            from openpyxl import load_workbook

            self.book = load_workbook(self.path, read_only=True, data_only=True)
            self.rows = self.book.worksheets[self.sheet].iter_rows(values_only=True)
        while self.number < number:
            self.row, self.number = next(self.rows, ()), self.number + 1
        return self.row[column] if column < len(self.row) else None

    def close(self) -> None:
        if self.book is not None:
            self.book.close()


def _text(value: object) -> str:
    """A Parquet cell's value as a CSV book would hold it, exactly: a decimal's digits (`Decimal`,
    never an exponent, without the zeros its column's scale pads it with), an integer's, a float's
    shortest text (`_float_text`), a date, or a midnight timestamp (naive, or in its own time zone),
    as `YYYY-MM-DD`, another timestamp as ISO-8601 (which the book refuses as no date), text
    stripped (bytes as UTF-8 text). `ValueError` saying what a value that is no cell is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ValueError(f"bytes that are no UTF-8 text ({value[:20]!r})") from None
    if isinstance(value, bool):
        raise ValueError(f"{value}, a true/false value: no book column holds one")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(repr(value))
    if isinstance(value, Decimal):  # without the column's padding: 12, not 12.0, as the book's CSV writes it
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        raise ValueError(f"a {'struct' if isinstance(value, dict) else 'list'} ({str(value)[:40]}), not one value")
    return str(value)


def cell_text(value: object) -> str:
    """`_text`, or for a value that is no cell its `str` (which a reader then refuses as no number,
    no date): for a reader that names a bad cell its own way (a price file)."""
    try:
        return _text(value)
    except ValueError:
        return str(value)


def _float_text(shortest: str) -> str:
    """A float's shortest text (`repr`'s, or Arrow's), as the number was typed: `0.1` is 0.1, a whole
    float without its `.0`, never an exponent (`1e-07` is 0.0000001); NaN, pandas' missing value, is
    an empty cell; infinity stays `inf`, which the book refuses as no number."""
    lowered = shortest.lower()
    if lowered in ("nan", "-nan"):
        return ""
    if "inf" in lowered:
        return shortest
    text = format(Decimal(shortest), "f") if "e" in lowered else shortest
    return text[:-2] if text.endswith(".0") else text


def _undecodable_line(path: str | Path) -> int:
    """The first line of the file that is not UTF-8."""
    with Path(path).open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1

"""The book file: one CSV row per facility, read (validated whole) and written in the same format.

Dollars have at most 2 decimal places and BTC at most 8; both convert exactly to cents and sats, up
to the largest amounts the bank takes; dates are `YYYY-MM-DD`. Optional columns carry the remaining
term fields under their Lana names; an absent column or an empty cell takes `TermValues`' default.
A bad book raises `BookRefused` listing every problem; so does a book file that cannot be read (no
such file, a directory, no permission). An `as_of` that is no date, or rows that are no book rows, are
`InvalidArgument`; a book that cannot be written to its path is `BookNotWritten`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Annotated

import attrs
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from domains.credit.errors import CreditError
from domains.credit.facility.imported import inconsistency
from domains.credit.terms import DisbursalPolicy, InterestInterval, TermValues
from domains.money import MAX_CENTS, MAX_SATS, SATS_PER_BTC
from domains.validators import is_nameable
from engine.bank.importer import Position
from engine.bank.ledger import MAX_TOTAL
from engine.kernel.aside import written_aside
from engine.kernel.errors import InvalidArgument
from engine.kernel.instant import utc_day
from scenarios.book.sheet import (
    UNNAMEABLE,
    BookProblem,
    BookRefused,
    SheetRow,
    is_parquet,
    is_workbook,
    sheet_rows,
    unusable,
)
from scenarios.library.params import ScenarioError

__all__ = ["CHUNK", "COLUMNS", "OPTIONAL", "BookNotWritten", "BookProblem", "BookRefused", "Note", "book_chunks",
           "check_book", "rates_note", "read_book", "write_book"]

CHUNK = 500  # positions imported between two releases of the import's actors

COLUMNS = ("facility_id", "customer_email", "facility_usd", "disbursed_usd", "principal_outstanding_usd",
           "interest_outstanding_usd", "collateral_btc", "annual_rate_pct", "duration_months", "activated_on",
           "initial_cvl_pct", "margin_call_cvl_pct", "liquidation_cvl_pct")
OPTIONAL = ("one_time_fee_rate", "accrual_interval", "accrual_cycle_interval", "interest_due_duration_from_accrual",
            "obligation_overdue_duration_from_due", "obligation_liquidation_duration_from_due",
            "obligation_defaulted_duration_from_due", "disbursal_policy")

def _iso_date(value: object) -> object:
    """A date cell as `YYYY-MM-DD` (a midnight time after it, as spreadsheets write dates, is dropped);
    anything else, a number of seconds too, is no date."""
    if isinstance(value, str):
        match = _ISO_DATE.fullmatch(value)
        if match is None:
            raise PydanticCustomError("iso_date", "not a date")
        return match.group(1)
    return value


_ISO_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]00:00(?::00(?:\.0+)?)?Z?)?")


def _plain_number(value: object) -> object:
    """A number cell as ASCII digits and a '.'; what else Python's `Decimal` reads (`1_000`, other
    scripts' digits) is no number a spreadsheet writes, and an exponent (`1.23457E+11`) is how one
    shows a number it rounded to fit its column."""
    if isinstance(value, str) and _NUMBER.fullmatch(value) is None:
        raise PydanticCustomError("number_exponent" if _EXPONENT.fullmatch(value) else "number_format", "not a number")
    return value


_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_EXPONENT = re.compile(_NUMBER.pattern + r"[eE][+-]?[0-9]+")
Plain = BeforeValidator(_plain_number)  # digits only: no NaN or Infinity gets past it
MAX_USD, MAX_BTC = Decimal(MAX_CENTS) / 100, Decimal(MAX_SATS) / SATS_PER_BTC
Usd = Annotated[Decimal, Field(ge=0, le=MAX_USD, decimal_places=2), Plain]
Pct = Annotated[Decimal, Field(ge=0), Plain]
Days = Annotated[int, Field(ge=0), Plain]


def _percent(value: Decimal) -> Decimal:
    """A CVL cell in percent: under 10 it is a ratio written for a percentage (1.4 for 140 %), which
    would be read as a CVL of 1.4 % and never call a margin or liquidate at any price a crash reaches.
    Lana's terms take any order of initial > margin call > liquidation; no lender sets one under 10 %."""
    if 0 < value < 10:
        raise PydanticCustomError("cvl_ratio", "a ratio, not a percentage")
    return value


CvlPct = Annotated[Decimal, Field(ge=0), Plain, AfterValidator(_percent)]


class _Row(BaseModel):
    """One row as typed values; pydantic reports every bad cell of it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    facility_id: Annotated[str, Field(min_length=1)]
    customer_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    facility_usd: Annotated[Decimal, Field(gt=0, le=MAX_USD, decimal_places=2), Plain]
    disbursed_usd: Usd
    principal_outstanding_usd: Usd
    interest_outstanding_usd: Usd
    collateral_btc: Annotated[Decimal, Field(ge=0, le=MAX_BTC, decimal_places=8), Plain]
    annual_rate_pct: Pct
    duration_months: Annotated[int, Field(gt=0), Plain]
    activated_on: Annotated[date, BeforeValidator(_iso_date)]
    initial_cvl_pct: CvlPct
    margin_call_cvl_pct: CvlPct
    liquidation_cvl_pct: CvlPct
    one_time_fee_rate: Pct | None = None
    accrual_interval: InterestInterval | None = None  # the domain's enums: `TermValues` compares them by identity
    accrual_cycle_interval: InterestInterval | None = None
    interest_due_duration_from_accrual: Days | None = None
    obligation_overdue_duration_from_due: Days | None = None
    obligation_liquidation_duration_from_due: Days | None = None
    obligation_defaulted_duration_from_due: Days | None = None
    disbursal_policy: DisbursalPolicy | None = None


_NUMBERS = ("not a number ({value!r}): write digits with '{mark}' as the decimal mark and no currency sign, "
            "thousands separator or %, e.g. {example}")
_PROBLEMS = {"missing": "missing value", "int_parsing": "not a whole number ({value!r})",
             "int_from_float": "not a whole number ({value!r})", "greater_than_equal": "negative ({value!r})",
             "greater_than": "must be above 0",
             "less_than_equal": "above the largest amount lanasim takes ({largest}); is it in the column's unit?",
             "decimal_max_places": "too many decimals ({value!r}: at most {decimal_places})",
             "enum": "unknown value {value!r} (expected {expected})",
             "string_pattern_mismatch": "not an email address ({value!r})", "string_too_short": "missing value",
             "number_exponent": "in scientific notation ({value!r}), as a spreadsheet shows a number it rounded: "
                                "format the column as a number with all its decimals",
             "cvl_ratio": "{value!r} is read as a CVL of {value} %: the column is in percent, e.g. 140 for a CVL "
                          "of 140 % (1.4 as a ratio)",
             "iso_date": "not a date ({value!r}): write it as YYYY-MM-DD, e.g. 2024-01-15",
             **dict.fromkeys(("date_parsing", "date_from_datetime_parsing"), "no such day ({value!r})"),
             **dict.fromkeys(("number_format", "decimal_parsing", "decimal_type", "finite_number"), _NUMBERS)}


def _problem(error: ErrorDetails, sheet: SheetRow) -> str:
    """A pydantic error as the book's problem, with the cell as the file has it and how to write it."""
    text = _PROBLEMS.get(error["type"])
    if text is None:
        return error["msg"]
    if error["type"] == "iso_date" and str(error["input"]).isdigit():  # 45306: a date cell Excel shows as a number
        text = "not a date ({value!r} is a number; where a sheet shows it as a date, format its column as dates): " \
               "write it as YYYY-MM-DD, e.g. 2024-01-15"
    column = str(error["loc"][0]) if error["loc"] else ""
    mark, value = sheet.decimal_mark, sheet.cells.get(column, error["input"])
    value = value if not isinstance(value, str) or len(value) <= 40 else value[:37] + "..."  # a quote left open
    return text.format(**{**error.get("ctx", {}), "value": value, "mark": mark,
                          "example": "1234,56" if mark == "," else "1234.56",
                          "largest": f"{MAX_BTC} BTC" if column == "collateral_btc" else f"{MAX_USD} USD"})


Note = Callable[[str], None]
"""Told what a book holds that is legal but likely a mistake (`rates_note`), once it is accepted."""


def read_book(path: str | Path, as_of: date, note: Note | None = None) -> list[Position]:
    """Every row as a `Position`, or `BookRefused` with each bad row's line, column and problem;
    `note`, if given, is told of rates that look like fractions (`rates_note`)."""
    positions: list[Position | None] = []
    problems: list[BookProblem] = []
    for position, found in _scan(path, as_of):
        problems += found
        positions.append(position)
    kept = [p for p in positions if p is not None]
    _refuse(path, problems + _totals(sum(p.collateral_sats for p in kept), sum(p.amount + p.interest for p in kept)),
            len(positions))
    _tell_rates(note, [p.facility_id for p in kept if 0 < p.terms.annual_rate < 1])
    return positions  # type: ignore[return-value]


def check_book(path: str | Path, as_of: date, note: Note | None = None) -> int:
    """`read_book`'s checks, keeping no row: `BookRefused`, or how many facilities the book holds."""
    problems: list[BookProblem] = []
    low: list[str] = []
    count = sats = cents = 0
    for position, found in _scan(path, as_of):
        problems += found
        count += 1
        if position is not None:
            sats, cents = sats + position.collateral_sats, cents + position.amount + position.interest
            if 0 < position.terms.annual_rate < 1:
                low.append(position.facility_id)
    _refuse(path, problems + _totals(sats, cents), count)
    _tell_rates(note, low)
    return count


def rates_note(ids: list[str]) -> str:
    """What a user is told of facilities whose `annual_rate_pct` is above 0 and below 1: legal (a
    0.5 % loan exists), but a book written with rates as fractions (0.12 for 12 %) reads so, and its
    interest would be a hundredth of the book's without a word. A CVL so written is refused instead
    (`_percent`): no lender sets one under 10 %."""
    shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3:,} more" if len(ids) > 3 else "")
    return (f"{len(ids):,} {'facility has' if len(ids) == 1 else 'facilities have'} annual_rate_pct above 0 and "
            f"below 1 ({shown}): the column is a percentage, so 0.12 is 0.12 % a year, not 12 %; if the book "
            "writes rates as fractions, multiply them by 100")


def _tell_rates(note: Note | None, ids: list[str]) -> None:
    if note is not None and ids:
        note(rates_note(ids))


def book_chunks(path: str | Path, as_of: date, size: int = CHUNK) -> Iterator[list[Position]]:
    """The positions of a book `check_book` accepted, `size` at a time (a long book is never held
    whole; 500 rather than 2,000 held ~80 MB less at 40,000 facilities for the same CPU); a bad
    row met anyway stops the walk with `BookRefused`."""
    chunk: list[Position] = []
    for position, found in _scan(path, as_of):
        if found or position is None:
            raise BookRefused(str(path), found)
        chunk.append(position)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _book_day(as_of: object) -> date:
    """The day the book stands at: a date, or a datetime's or ISO-8601 text's UTC day; anything else is
    `InvalidInstant` (text) or `InvalidArgument` naming `as_of`, as `Simulation`'s instant arguments."""
    return as_of if type(as_of) is date else utc_day(as_of, "as_of")


def _totals(sats: int, cents: int) -> list[BookProblem]:
    """The book's own problems, from its total collateral and dollars (facilities and interest): more
    than every bitcoin there will ever be, or more than one ledger account's running total holds (the
    import would fail part-way, `LedgerTotalOutOfRange`)."""
    problems = []
    if sats > MAX_SATS:
        problems.append(BookProblem(0, "collateral_btc", f"the book's total, {Decimal(sats) / SATS_PER_BTC} BTC, is "
                                                         f"more than every bitcoin there will ever be ({MAX_BTC})"))
    if cents > MAX_TOTAL:
        usd, most = Decimal(cents) / 100, Decimal(MAX_TOTAL) / 100
        problems.append(BookProblem(0, "facility_usd", f"the book's facilities and interest total {usd} USD, "
                                                       f"more than a ledger account holds ({most})"))
    return problems


def _refuse(path: str | Path, problems: list[BookProblem], count: int) -> None:
    if problems:
        raise BookRefused(str(path), problems)
    if not count:  # on the line after the header; a workbook or Parquet book has no lines: the file's problem
        raise BookRefused(str(path), [BookProblem(0 if is_parquet(path) or is_workbook(path) else 1, "-",
                                                  "no facilities")])


def _scan(path: str | Path, as_of: date) -> Iterator[tuple[Position | None, list[BookProblem]]]:
    """Each row's position (None if it cannot be built) and problems, read as a stream. The
    arguments are checked first: `as_of` "2024-03-10" or None raised TypeError from the first row's
    date comparison, a path of 5 TypeError from `Path`."""
    as_of = _book_day(as_of)
    if not isinstance(path, str | os.PathLike):
        raise InvalidArgument(argument="path", value=path, problem="not a path: the book file's name (str or Path)")
    seen: dict[str, int] = {}
    terms: dict[tuple[str | None, ...], TermValues] = {}  # a book's rows share a few sets of terms
    for row in sheet_rows(path, COLUMNS, OPTIONAL):
        position, found = _position(_decimal_points(row), row, as_of, terms)
        if row.problems:  # an unquoted comma shifts the cells; a Parquet value that is no cell is none
            named = {problem.column for problem in row.problems}
            found, position = row.problems + [f for f in found if f.column not in named], None
        if position is not None and position.facility_id in seen:
            found.append(BookProblem(row.line, "facility_id",
                                     f"duplicate id {position.facility_id!r} (first on {row.unit} "
                                     f"{seen[position.facility_id]}): a facility_id names one facility"))
        if position is not None:
            seen.setdefault(position.facility_id, row.line)
        if found and row.end > row.line:
            found.insert(0, BookProblem(row.line, "-", f"the row runs on to line {row.end}: a quote left open?"))
        if found and row.unit != "line":  # a Parquet book's rows: their numbers are no lines
            found = [attrs.evolve(problem, unit=row.unit) for problem in found]
        yield position, found


_NUMERIC = {"facility_usd", "disbursed_usd", "principal_outstanding_usd", "interest_outstanding_usd", "collateral_btc",
            "annual_rate_pct", "duration_months", "initial_cvl_pct", "margin_call_cvl_pct", "liquidation_cvl_pct",
            "one_time_fee_rate", "interest_due_duration_from_accrual", "obligation_overdue_duration_from_due",
            "obligation_liquidation_duration_from_due", "obligation_defaulted_duration_from_due"}


def _decimal_points(row: SheetRow) -> dict[str, str]:
    """The row's cells with a decimal comma (a ';'-separated file's) written as a point; a point
    there is refused as not a number (it may be a thousands separator: `1.234,56`)."""
    if row.decimal_mark == ".":
        return row.cells
    return {k: v.replace(".", "?").replace(",", ".") if k in _NUMERIC else v for k, v in row.cells.items()}


def _position(cells: dict, sheet: SheetRow, as_of: date,
              known: dict[tuple[str | None, ...], TermValues]) -> tuple[Position | None, list[BookProblem]]:
    """The row's position and problems; `known` holds the terms of rows read before, by their cells
    (the same cells, the same terms: built and validated once, and held once)."""
    line = sheet.line
    key = tuple([cells.get(k) for k in _TERM_CELLS])
    position = _plain_position(cells, known.get(key))
    if position is None:
        try:
            row = _Row(**cells)
        except ValidationError as bad:
            return None, [BookProblem(line, str(e["loc"][0]) if e["loc"] else "-", _problem(e, sheet))
                          for e in bad.errors()]
        terms = known.get(key)
        if terms is None:
            try:
                terms = known[key] = TermValues(
                    annual_rate=row.annual_rate_pct, duration=row.duration_months, initial_cvl=row.initial_cvl_pct,
                    margin_call_cvl=row.margin_call_cvl_pct, liquidation_cvl=row.liquidation_cvl_pct,
                    **{k: getattr(row, k) for k in OPTIONAL if getattr(row, k) is not None})
            except CreditError as refused:
                field = str(refused.fields.get("field", "-"))
                column = _TERM_COLUMNS.get(field, field)
                return None, [BookProblem(line, column, f"unknown terms: {refused.fields.get('problem', refused)}")]
        position = Position(row.facility_id, row.customer_email, int(row.facility_usd * 100),
                            int(row.disbursed_usd * 100), int(row.principal_outstanding_usd * 100),
                            int(row.interest_outstanding_usd * 100), int(row.collateral_btc * 100_000_000), terms,
                            row.activated_on)
    problem = inconsistency(position.amount, position.disbursed, position.principal, position.interest,
                            position.terms, position.activated_on, as_of)
    if problem is not None:
        return position, [BookProblem(line, _column_of(problem), _kind_of(problem) + _as_written(problem, sheet.cells))]
    return position, []


def _as_written(problem: str, cells: dict[str, str]) -> str:
    """The amounts' problem with their cells as the file has them: the domain's message counts cents
    (`disbursed 6000000 cents is above the facility's 5000000`), which no cell of the book says."""
    if problem.startswith("disbursed "):
        return (f"disbursed_usd {cells.get('disbursed_usd')!r} is above facility_usd {cells.get('facility_usd')!r}: "
                "a facility disburses at most its amount")
    if problem.startswith("principal outstanding "):
        return (f"principal_outstanding_usd {cells.get('principal_outstanding_usd')!r} is above disbursed_usd "
                f"{cells.get('disbursed_usd')!r}: what is still owed is at most what was disbursed")
    return problem


def _plain_position(cells: dict[str, str], terms: TermValues | None) -> Position | None:
    """The row's position when every cell but the terms' is in its plainest form (ASCII: an id, an
    email of one '@', digits with at most 2 or 8 decimals in range, a `YYYY-MM-DD` day) and the
    terms' cells are those of a row read before (`terms`, validated then): what `_Row` makes of
    such cells, without building and validating it (about half of reading a row, and a book is
    read twice: checked whole, then imported). None for any other row, which `_Row` reads."""
    if terms is None:
        return None
    try:
        facility_id, email, day = cells["facility_id"], cells["customer_email"], cells["activated_on"]
        amount, disbursed, principal, interest = (_cents(cells[k]) for k in _AMOUNTS)
        sats = _sats(cells["collateral_btc"])
    except KeyError:
        return None  # a missing cell: `_Row` names it
    if not (facility_id.isascii() and _EMAIL.fullmatch(email) and _DAY.fullmatch(day)) \
            or None in (amount, disbursed, principal, interest, sats) or not amount:
        return None
    try:
        activated = date.fromisoformat(day)
    except ValueError:
        return None
    return Position(facility_id, email, amount, disbursed, principal, interest, sats, terms,  # type: ignore[arg-type]
                    activated)


def _cents(text: str) -> int | None:
    """A dollar cell of digits with at most 2 decimals, in cents, if at most `MAX_CENTS`; else None."""
    if text.isdigit() and text.isascii() and len(text) <= 16:  # whole dollars (most cells): a third of a match
        cents = int(text) * 100
        return cents if cents <= MAX_CENTS else None
    found = _DOLLARS.fullmatch(text)
    if found is None:
        return None
    cents = int(found.group(1)) * 100 + int((found.group(2) or "").ljust(2, "0"))
    return cents if cents <= MAX_CENTS else None


def _sats(text: str) -> int | None:
    """A BTC cell of digits with at most 8 decimals, in sats, if at most `MAX_SATS`; else None."""
    found = _BTC.fullmatch(text)
    if found is None:
        return None
    sats = int(found.group(1)) * SATS_PER_BTC + int((found.group(2) or "").ljust(8, "0"))
    return sats if sats <= MAX_SATS else None


_AMOUNTS = ("facility_usd", "disbursed_usd", "principal_outstanding_usd", "interest_outstanding_usd")
_DOLLARS = re.compile(r"([0-9]{1,16})(?:\.([0-9]{1,2}))?")  # ASCII digits only: `[0-9]`, not `\d`
_BTC = re.compile(r"([0-9]{1,9})(?:\.([0-9]{1,8}))?")
_EMAIL = re.compile(r"[!-?A-~]+@[!-?A-~]+")  # printable ASCII, no space, one '@': `_Row`'s pattern agrees
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


_TERM_CELLS = ("annual_rate_pct", "duration_months", "initial_cvl_pct", "margin_call_cvl_pct", "liquidation_cvl_pct",
               *OPTIONAL)
_TERM_COLUMNS = {"annual_rate": "annual_rate_pct", "duration": "duration_months", "initial_cvl": "initial_cvl_pct",
                 "margin_call_cvl": "margin_call_cvl_pct", "liquidation_cvl": "liquidation_cvl_pct"}


def _column_of(problem: str) -> str:
    for word, column in (("disbursed", "disbursed_usd"), ("principal", "principal_outstanding_usd"),
                         ("single_disbursal", "disbursed_usd"), ("activated", "activated_on"),
                         ("interest", "interest_outstanding_usd")):
        if problem.startswith(word):
            return column
    return "-"


def _kind_of(problem: str) -> str:
    if problem.startswith("activated"):
        return "not yet active: "  # the row is fine; --as-of is earlier than it
    return "disbursed above the facility: " if "above the facility" in problem else "inconsistent amounts: "


class BookNotWritten(ScenarioError):
    """A book could not be written to its path (fields: path, problem); a file lanasim did not create
    is never overwritten, and the one it created is removed."""

    def __init__(self, path: str, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}; no book written")


_FIELDS = frozenset(COLUMNS + OPTIONAL)


def write_book(rows: Iterable[Mapping[str, object]], out: IO[str] | str | os.PathLike[str]) -> None:
    """Write rows (dicts keyed by COLUMNS + OPTIONAL, values already formatted) as the book CSV, to a
    text file opened for writing or to a path: a new file (one that exists is `BookNotWritten`, as
    is a path whose directory is missing or not writable), removed again if writing fails; a path
    named `.parquet` or `.pq` gets the book as Parquet (`_parquet_book`). A row that is no dict of
    the book's columns is `InvalidArgument` naming its number (it was an AttributeError or
    ValueError from `csv`); the rows before it are written to a handle given."""
    if isinstance(out, str | os.PathLike):
        _write_new(rows, Path(out))
        return
    if not callable(getattr(out, "write", None)):
        raise InvalidArgument(argument="out", value=out, problem="a text file opened for writing, or a path")
    checked = _book_rows(rows)  # `rows` refused before the header is written
    writer = csv.DictWriter(out, fieldnames=COLUMNS + OPTIONAL, lineterminator="\n")
    writer.writeheader()
    for row in checked:
        writer.writerow(row)


def _write_new(rows: Iterable[Mapping[str, object]], path: Path) -> None:
    """`write_book` to a new file at `path` (UTF-8, what `read_book` reads), written aside and put in
    place whole (`written_aside`): a write that fails or a process killed on the way leaves no book
    cut short under the name (a killed export's was read back by `import` as a smaller book)."""
    exists = lambda: BookNotWritten(str(path), "exists already; choose a new file (lanasim never overwrites it)")
    if path.exists():
        raise exists()
    if not is_nameable(str(path)):  # a bare ValueError from opening it
        raise BookNotWritten(str(path), UNNAMEABLE.replace("no such file", "no file can be made there"))
    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            table = _parquet_book(rows)  # checked before the file is made
            with written_aside(str(path), exists) as partial:
                import pyarrow.parquet as pq

                pq.write_table(table, partial)
            return
        with written_aside(str(path), exists) as partial, open(partial, "w", encoding="utf-8", newline="") as handle:
            write_book(rows, handle)
    except OSError as failed:  # a full disk, or a directory it may not write in: the file and the problem in one line
        problem = unusable(failed) if path.parent.is_dir() else f"no such directory {path.parent}"
        raise BookNotWritten(str(path), problem) from None


PARQUET_SUFFIXES = (".parquet", ".pq")
_TEXT_COLUMNS = ("facility_id", "customer_email", "accrual_interval", "accrual_cycle_interval", "disbursal_policy")
_WHOLE_COLUMNS = ("duration_months", "interest_due_duration_from_accrual", "obligation_overdue_duration_from_due",
                  "obligation_liquidation_duration_from_due", "obligation_defaulted_duration_from_due")


def _parquet_book(rows: Iterable[Mapping[str, object]]):
    """The rows as an Arrow table of the book's columns, typed so that a program reads the values
    exactly: text for ids, emails and the terms' names; `decimal128` for money (2 places for USD, 8
    for BTC) and for rates and CVLs (as many places as the column's longest needs), never a float;
    `int64` for months and days, `date32` for `activated_on`; an empty cell is null. What `import`
    reads back to the same values. A cell that is none of these is `InvalidArgument` naming its row."""
    import pyarrow as pa

    rows = list(_book_rows(rows))
    columns = {}
    for name in COLUMNS + OPTIONAL:
        values = [_typed(name, row.get(name), number) for number, row in enumerate(rows, 1)]
        if name in _TEXT_COLUMNS:
            kind = pa.string()
        elif name in _WHOLE_COLUMNS:
            kind = pa.int64()
        elif name == "activated_on":
            kind = pa.date32()
        else:
            places = 2 if name.endswith("_usd") else 8 if name == "collateral_btc" else \
                max([-v.as_tuple().exponent for v in values if isinstance(v, Decimal)] + [0])  # type: ignore[operator]
            kind = pa.decimal128(38, places)
        columns[name] = pa.array(values, kind)
    return pa.table(columns)


def _typed(name: str, cell: object, number: int) -> object:
    """A row's cell (text, as `export`'s rows hold it) as the value of its Parquet column; None if empty."""
    if cell is None or cell == "":
        return None
    text = str(cell)
    if name in _TEXT_COLUMNS:
        return text
    try:
        if name in _WHOLE_COLUMNS:
            return int(text)
        if name == "activated_on":
            return date.fromisoformat(text)
        value = Decimal(text)
    except (ValueError, ArithmeticError):
        value = None
    places = 2 if name.endswith("_usd") else 8 if name == "collateral_btc" else 18
    if value is None or not value.is_finite() or -value.as_tuple().exponent > places:  # type: ignore[operator]
        raise InvalidArgument(argument="rows", value=cell,
                              problem=f"row {number}, {name}: not a book cell of its column")
    return value


def _book_rows(rows: Iterable[Mapping[str, object]]) -> Iterator[Mapping[str, object]]:
    """The rows (refused at once if they are no rows), each checked as it is reached to be a dict of
    the book's columns (`InvalidArgument` naming its number)."""
    if not isinstance(rows, Iterable) or isinstance(rows, str | bytes | Mapping):
        raise InvalidArgument(argument="rows", value=rows,
                              problem="not rows: a list of dicts keyed by the book's columns")
    return _each_row(rows)


def _each_row(rows: Iterable[Mapping[str, object]]) -> Iterator[Mapping[str, object]]:
    for number, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise InvalidArgument(argument="rows", value=row,
                                  problem=f"row {number} is not a dict keyed by the book's columns")
        unknown = row.keys() - _FIELDS
        if unknown:
            raise InvalidArgument(argument="rows", value=sorted(map(str, unknown)),
                                  problem=f"row {number} has keys that are no book column")
        yield row

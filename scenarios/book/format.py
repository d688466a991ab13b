"""The book file: one CSV row per facility, read (validated whole) and written in the same format.

Dollars have at most 2 decimal places and BTC at most 8; both convert exactly to cents and sats.
Optional columns carry the remaining term fields under their Lana names; an absent column or an
empty cell takes `TermValues`' default. A bad book raises `BookRefused` listing every problem.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import attrs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domains.credit.errors import CreditError
from domains.credit.facility.imported import inconsistency
from domains.credit.terms import TermValues
from engine.bank.importer import Position
from scenarios.library.params import ScenarioError

__all__ = ["CHUNK", "COLUMNS", "OPTIONAL", "BookProblem", "BookRefused", "book_chunks", "check_book", "read_book",
           "write_book"]

CHUNK = 500  # positions imported between two releases of the import's actors

COLUMNS = ("facility_id", "customer_email", "facility_usd", "disbursed_usd", "principal_outstanding_usd",
           "interest_outstanding_usd", "collateral_btc", "annual_rate_pct", "duration_months", "activated_on",
           "initial_cvl_pct", "margin_call_cvl_pct", "liquidation_cvl_pct")
OPTIONAL = ("one_time_fee_rate", "accrual_interval", "accrual_cycle_interval", "interest_due_duration_from_accrual",
            "obligation_overdue_duration_from_due", "obligation_liquidation_duration_from_due",
            "obligation_defaulted_duration_from_due", "disbursal_policy")

Usd = Annotated[Decimal, Field(ge=0, decimal_places=2, allow_inf_nan=False)]
Pct = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=0)]
Interval = Literal["end_of_day", "end_of_month"]


class _Row(BaseModel):
    """One row as typed values; pydantic reports every bad cell of it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    facility_id: Annotated[str, Field(min_length=1)]
    customer_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    facility_usd: Annotated[Decimal, Field(gt=0, decimal_places=2, allow_inf_nan=False)]
    disbursed_usd: Usd
    principal_outstanding_usd: Usd
    interest_outstanding_usd: Usd
    collateral_btc: Annotated[Decimal, Field(ge=0, decimal_places=8, allow_inf_nan=False)]
    annual_rate_pct: Pct
    duration_months: Annotated[int, Field(gt=0)]
    activated_on: date
    initial_cvl_pct: Pct
    margin_call_cvl_pct: Pct
    liquidation_cvl_pct: Pct
    one_time_fee_rate: Pct | None = None
    accrual_interval: Interval | None = None
    accrual_cycle_interval: Interval | None = None
    interest_due_duration_from_accrual: Days | None = None
    obligation_overdue_duration_from_due: Days | None = None
    obligation_liquidation_duration_from_due: Days | None = None
    obligation_defaulted_duration_from_due: Days | None = None
    disbursal_policy: Literal["single_disbursal", "multiple_disbursal"] | None = None


@attrs.frozen
class BookProblem:
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        """`line 3, collateral_btc: negative`; line 0 is the book as a whole (`COLUMN: problem`)."""
        return f"line {self.line}, {self.column}: {self.problem}" if self.line else f"{self.column}: {self.problem}"


class BookRefused(ScenarioError):
    """The book was refused whole (fields: path, problems); nothing was written."""

    def __init__(self, path: str, problems: list[BookProblem]) -> None:
        self.path, self.problems = path, problems
        super().__init__(f"{path}: refused, {len(problems)} problem(s): " + "; ".join(map(str, problems)))


_PROBLEMS = {"missing": "missing value", "decimal_parsing": "not a number", "int_parsing": "not a whole number",
             "int_from_float": "not a whole number", "decimal_type": "not a number", "finite_number": "not a number",
             "greater_than_equal": "negative", "greater_than": "must be above 0",
             "decimal_max_places": "too many decimals", "literal_error": "unknown value",
             "string_pattern_mismatch": "not an email address", "string_too_short": "missing value"}


def read_book(path: str | Path, as_of: date) -> list[Position]:
    """Every row as a `Position`, or `BookRefused` with each bad row's line, column and problem."""
    positions: list[Position | None] = []
    problems: list[BookProblem] = []
    for position, found in _scan(path, as_of):
        problems += found
        positions.append(position)
    _refuse(path, problems, len(positions))
    return positions  # type: ignore[return-value]


def check_book(path: str | Path, as_of: date) -> int:
    """`read_book`'s checks, keeping no row: `BookRefused`, or how many facilities the book holds."""
    problems: list[BookProblem] = []
    count = 0
    for _, found in _scan(path, as_of):
        problems += found
        count += 1
    _refuse(path, problems, count)
    return count


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


def _refuse(path: str | Path, problems: list[BookProblem], count: int) -> None:
    if problems:
        raise BookRefused(str(path), problems)
    if not count:
        raise BookRefused(str(path), [BookProblem(1, "-", "no facilities")])


def _scan(path: str | Path, as_of: date) -> Iterator[tuple[Position | None, list[BookProblem]]]:
    """Each row's position (None if it cannot be built) and problems, read as a stream."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        try:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            problems = [BookProblem(1, c, "missing column") for c in COLUMNS if c not in header]
            problems += [BookProblem(1, c, "unknown column") for c in header if c not in COLUMNS + OPTIONAL]
            if problems:
                raise BookRefused(str(path), problems)
            seen: dict[str, int] = {}
            terms: dict[tuple[str | None, ...], TermValues] = {}  # a book's rows share a few sets of terms
            for record in reader:  # blank lines skipped; empty cells past the header too (a trailing comma)
                if not record:
                    continue
                line = reader.line_num
                cells = {k: v for k, v in dict(zip(header, record)).items() if v}  # a repeated column: its last cell
                position, found = _position(cells, line, as_of, terms)
                if any(cell.strip() for cell in record[len(header):]):  # an unquoted comma shifts the cells
                    found.append(BookProblem(line, "-", f"{len(record)} cells, but the header names {len(header)}"))
                    position = None
                if position is not None and position.facility_id in seen:
                    found.append(BookProblem(line, "facility_id",
                                             f"duplicate id (first on line {seen[position.facility_id]})"))
                if position is not None:
                    seen.setdefault(position.facility_id, line)
                yield position, found
        except UnicodeDecodeError:
            raise BookRefused(str(path), [BookProblem(1, "-", "not a UTF-8 text file")]) from None


def _position(cells: dict, line: int, as_of: date,
              known: dict[tuple[str | None, ...], TermValues]) -> tuple[Position | None, list[BookProblem]]:
    """The row's position and problems; `known` holds the terms of rows read before, by their cells
    (the same cells, the same terms: built and validated once, and held once)."""
    try:
        row = _Row(**cells)
    except ValidationError as bad:
        return None, [BookProblem(line, str(e["loc"][0]) if e["loc"] else "-", _PROBLEMS.get(e["type"], e["msg"]))
                      for e in bad.errors()]
    key = tuple([cells.get(k) for k in _TERM_CELLS])
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
    position = Position(row.facility_id, row.customer_email, int(row.facility_usd * 100), int(row.disbursed_usd * 100),
                        int(row.principal_outstanding_usd * 100), int(row.interest_outstanding_usd * 100),
                        int(row.collateral_btc * 100_000_000), terms, row.activated_on)
    problem = inconsistency(position.amount, position.disbursed, position.principal, position.interest, terms,
                            position.activated_on, as_of)
    if problem is not None:
        return position, [BookProblem(line, _column_of(problem), _kind_of(problem) + problem)]
    return position, []


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
    return "disbursed above the facility: " if "above the facility" in problem else "inconsistent amounts: "


def write_book(rows: Iterable[dict], out) -> None:
    """Write rows (dicts keyed by COLUMNS + OPTIONAL, values already formatted) as the book CSV."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS + OPTIONAL, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)

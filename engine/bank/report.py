"""The reports the bank produces, read from the journal (and the ledger) as of a day, as CSV tables.

A report only reads: entities folded as of the end of the day (`source.load(..., as_of=...)`) and
ledger entries recorded by then (`source.ledger`). It never issues a command.
"""

from __future__ import annotations

import csv
import enum
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Protocol

import attrs

from domains.accounting.period_balances import COLUMNS as PERIOD_COLUMNS
from domains.public_ids import TARGET_TYPES
from domains.report import UnknownReport
from engine.bank.ledger import Ledger
from engine.bank.public_ids import PublicIds
from engine.bank.report_statements import COLUMNS, balance_sheet_rows, profit_and_loss_rows
from engine.kernel.errors import EngineError
from engine.kernel.journal import Journal

__all__ = ["NORMS", "REPORTS", "ReportDefinition", "ReportUnavailable", "Source", "Sources", "Table", "definition",
           "end_of", "write_csv"]

DEPOSIT_ACCOUNT = "deposit-account"


class ReportUnavailable(EngineError):
    """The simulation does not host what the report reads (fields: name, missing)."""


@attrs.frozen
class Table:
    """A report's content: a header row and data rows (ints, strings, enums, dates or None)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@attrs.frozen
class ReportDefinition:
    """A report the bank produces: its name, the norm it answers and how to build it as of a day."""

    name: str
    norm: str
    build: Callable[[Source, date], Table]


class Source(Protocol):
    """What a report reads (`Sources`, or a `Simulation`, which has the same four)."""

    @property
    def journal(self) -> Journal: ...

    @property
    def kinds(self) -> Collection[str]: ...

    @property
    def ledger(self) -> Ledger | None: ...

    def load(self, kind: str, entity_id: str, *, as_of: datetime) -> Any: ...  # the kind's state class


@attrs.frozen
class Sources:
    """What a report reads: the journal's ids, entities as of a time (`load`), the hosted kinds and
    the ledger book (a `Simulation` has the same four)."""

    journal: Journal
    load: Callable[..., Any]
    kinds: frozenset[str]
    ledger: Ledger | None


def end_of(day: date) -> datetime:
    """The last recorded second of `day` (journal times are whole seconds, UTC)."""
    return datetime.combine(day, time(23, 59, 59), UTC)


def _ids(source: Source, kind: str) -> list[str]:
    """Every id of the kind the journal knows, sorted (whether it existed on the day is up to `load`)."""
    ids: list[str] = source.journal.entity_ids(kind)
    return ids


def customer_register(source: Source, day: date) -> Table:
    """Customers that existed at the end of `day`, with their status, level and email then."""
    at, rows = end_of(day), []
    for customer_id in _ids(source, "customer"):
        customer = source.load("customer", customer_id, as_of=at)
        if customer is None:
            continue
        party = source.load("party", customer.party_id, as_of=at)
        rows.append((customer.id, customer.party_id, party.email, customer.customer_type, customer.status,
                     customer.level))
    return Table(("customer_id", "party_id", "email", "customer_type", "status", "kyc_level"), tuple(rows))


def deposit_book(source: Source, day: date) -> Table:
    """One row per deposit account open at the end of `day`: holder, status and the settled balances
    (cents) of its deposit and frozen-deposit ledger accounts then (a freeze moves the money aside)."""
    from domains.accounting.chart import deposit_account, frozen_deposit  # only this report needs the chart

    ledger, at, rows = _ledger(source, "deposit-book"), end_of(day), []
    if DEPOSIT_ACCOUNT not in source.kinds:
        raise ReportUnavailable(name="deposit-book", missing=DEPOSIT_ACCOUNT)
    for account_id in _ids(source, DEPOSIT_ACCOUNT):
        account = source.load(DEPOSIT_ACCOUNT, account_id, as_of=at)
        if account is not None:
            settled, frozen = (ledger.balance(book(account.id), as_of=at) for book in (deposit_account, frozen_deposit))
            rows.append((account.id, account.account_holder_id, account.status, settled, frozen))
    return Table(("account_id", "holder_id", "status", "settled_balance", "frozen_balance"), tuple(rows))


def trial_balance(source: Source, day: date) -> Table:
    """The month to date's trial balance (`Ledger.trial_balance_range` from the 1st of `day`'s month
    to `day`): per account and currency and layer its opening balance at the start of the month, the
    month's debits and credits so far and its closing balance at the end of `day`, by effective date
    (an entry recorded later for a day of the month counts, such as a month's interest posted at the
    next midnight); then one TOTAL row per currency and layer, read as one debit-normal account
    (opening and closing are debits - credits, 0 in a balanced book).

    The month because the month is the period the bank closes (a month closes once it has ended,
    months in order): a run on any day shows the open month's movements against the balances
    carried in from the last month end, which is what is checked before the month is closed; the
    closing balances are the same whatever the period's start."""
    period = _ledger(source, "trial-balance").trial_balance_range(day.replace(day=1), day)
    return Table(PERIOD_COLUMNS, period.rows())


def public_id_register(source: Source, day: date) -> Table:
    """Every public id handed out by the end of `day`: customers, facilities and disbursals, in the
    order Lana's one sequence (from 1000) numbers them (`domains.public_ids`)."""
    at, rows = end_of(day), []
    for number, kind, target_id in PublicIds(source.journal).register():
        if kind in source.kinds and source.load(kind, target_id, as_of=at) is not None:
            rows.append((number, TARGET_TYPES[kind], target_id))
    return Table(("public_id", "target_type", "target_id"), tuple(rows))


def balance_sheet(source: Source, day: date) -> Table:
    """Assets, liabilities and equity by effective date at the end of `day` (`report_statements`)."""
    return Table(COLUMNS, tuple(balance_sheet_rows(_ledger(source, "balance-sheet"), day)))


def profit_and_loss(source: Source, day: date) -> Table:
    """Revenue and expenses from 1 January to the end of `day` (`report_statements`)."""
    return Table(COLUMNS, tuple(profit_and_loss_rows(_ledger(source, "profit-and-loss"), day)))


def _ledger(source: Source, name: str) -> Ledger:
    ledger: Ledger | None = getattr(source, "ledger", None)
    if ledger is None:
        raise ReportUnavailable(name=name, missing="ledger")
    return ledger


def loan_provisions(source: Source, day: date) -> Table:
    """Per facility open at the end of `day`: days past due, NRP-41 state, NCB-022 category and
    rate, balance, collateral and its value at that day's price, net risk and reserve; then TOTAL."""
    from engine.bank.provisions import loan_provisions as build

    return Table(*build(source, end_of(day), lambda missing: ReportUnavailable(name="loan-provisions",
                                                                              missing=missing)))


REPORTS = {d.name: d for d in (
    ReportDefinition("customer-register", "internal", customer_register),
    ReportDefinition("deposit-book", "internal", deposit_book),
    ReportDefinition("loan-provisions", "NCB-022", loan_provisions),
    ReportDefinition("trial-balance", "internal", trial_balance),
    ReportDefinition("public-id-register", "internal", public_id_register),
    ReportDefinition("balance-sheet", "internal", balance_sheet),
    ReportDefinition("profit-and-loss", "internal", profit_and_loss),
)}


NORMS = {name: d.norm for name, d in REPORTS.items()}  # the norm each report answers, by report name


def definition(name: str) -> ReportDefinition:
    """The named report; an unknown name is refused with the names the bank does produce."""
    found = REPORTS.get(name)
    if found is None:
        raise UnknownReport(name=name, known=tuple(REPORTS))
    return found


def write_csv(path: Path, table: Table) -> Path:
    """Write the table as RFC 4180 CSV (`\\n` line ends, enums as their values, None as empty)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([_text(v) for v in row] for row in table.rows)
    return path


def _text(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    return "" if value is None else value

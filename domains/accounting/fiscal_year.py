"""The fiscal year (Lana `core/accounting/src/fiscal_year/entity.rs`): Initialized, MonthClosed,
YearClosed. Months close in order and only once they have ended; the year closes after December,
its closing transaction moving revenue and expenses into retained earnings (`fiscal_close`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import assert_never

import attrs

from domains.accounting.fiscal_close import ClosingBalance, closing_transaction
from domains.accounting.fiscal_errors import FiscalYearError, FiscalYearNotOpen, LastMonthNotClosed, MonthHasNotEnded
from domains.aggregate import Aggregate, EventType, evolve

__all__ = [
    "CloseFiscalMonth", "CloseFiscalYear", "FISCAL_YEAR", "FiscalYear", "FiscalYearClosed", "FiscalYearError",
    "FiscalYearInitialized", "FiscalYearNotOpen", "InitializeFiscalYear", "LastMonthNotClosed", "MonthClosed",
    "MonthHasNotEnded", "fiscal_year_id",
]


@attrs.frozen
class FiscalYearInitialized:
    id: str
    year: str
    opened_as_of: date


@attrs.frozen
class MonthClosed:
    month_closed_as_of: date
    month_closed_at: datetime


@attrs.frozen
class FiscalYearClosed:
    """Lana's `YearClosed{ledger_tx_id, closed_as_of, closed_at}`; `balances` (lanasim) are the profit
    and loss balances the closing transaction moved, read by the caller when asking to close.
    `ledger_tx_id` is None when the year had no profit or loss balance to move: the close posts no
    transaction (no entry may hold 0), so it names none. Lana names one always and posts it with no
    entry (`post_closing_transaction_in_op` with an empty entry list)."""

    ledger_tx_id: str | None
    closed_as_of: date
    closed_at: datetime
    balances: tuple[ClosingBalance, ...] = ()


@attrs.frozen
class InitializeFiscalYear:
    opened_as_of: date


@attrs.frozen
class CloseFiscalMonth:
    pass


@attrs.frozen
class CloseFiscalYear:
    """`balances`: each profit-and-loss account's normal-side balance for the year (USD, settled)."""

    ledger_tx_id: str
    balances: tuple[ClosingBalance, ...] = ()


@attrs.frozen
class FiscalYear:
    id: str
    opened_as_of: date
    month_closed_as_of: date | None = None
    closed_as_of: date | None = None

    @property
    def closes_as_of(self) -> date:
        return date(self.opened_as_of.year, 12, 31)

    @property
    def closed_through(self) -> date:
        """The last day no posting may be dated on (the day before opening while no month is closed)."""
        return self.closed_as_of or self.month_closed_as_of or self.opened_as_of - timedelta(days=1)

    def next_month_to_close(self) -> date | None:
        """The last day of the earliest open month (None once December is closed)."""
        if self.month_closed_as_of == self.closes_as_of:
            return None
        start = self.opened_as_of if self.month_closed_as_of is None else self.month_closed_as_of + timedelta(days=1)
        return _month_end(start)


def fiscal_year_id(year: int) -> str:
    return f"fiscal-year-{year}"


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def apply(state: FiscalYear | None, event: object) -> FiscalYear:
    match event:
        case FiscalYearInitialized():
            return FiscalYear(event.id, event.opened_as_of)
        case MonthClosed():
            return evolve(_open(state), month_closed_as_of=event.month_closed_as_of)
        case FiscalYearClosed():
            return evolve(_open(state), closed_as_of=event.closed_as_of)
        case _:
            assert_never(event)  # type: ignore[arg-type]


def decide(state: FiscalYear | None, command: object, at: datetime) -> tuple[object, ...]:
    match command:
        case InitializeFiscalYear(opened_as_of=opened):
            return () if state is not None else (
                FiscalYearInitialized(fiscal_year_id(opened.year), str(opened.year), opened),)
        case CloseFiscalMonth():
            month = _open(state).next_month_to_close()
            if month is None:
                return ()
            if at.date() <= month:
                raise MonthHasNotEnded(month_closed_as_of=month, today=at.date())
            return (MonthClosed(month, at),)
        case CloseFiscalYear():
            year = _open(state)
            if year.closed_as_of is not None:
                return ()
            if year.next_month_to_close() is not None:
                raise LastMonthNotClosed(fiscal_year=year.id, next_month=year.next_month_to_close())
            posts = closing_transaction(command.ledger_tx_id, command.balances, year.closes_as_of) is not None
            return (FiscalYearClosed(command.ledger_tx_id if posts else None, year.closes_as_of, at, command.balances),)
    raise TypeError(f"not a fiscal-year command: {command!r}")


def post(state: FiscalYear, event: object) -> tuple[object, ...]:
    if isinstance(event, FiscalYearClosed) and event.ledger_tx_id is not None:
        tx = closing_transaction(event.ledger_tx_id, event.balances, event.closed_as_of)
        return () if tx is None else (tx,)
    return ()


def ledger_tx_ids(event: object) -> tuple[str, ...]:
    """The closing transaction a closed year names (`verify` checks it is posted)."""
    if isinstance(event, FiscalYearClosed) and event.ledger_tx_id is not None:
        return (event.ledger_tx_id,)
    return ()


def _open(state: FiscalYear | None) -> FiscalYear:
    if state is None:
        raise FiscalYearNotOpen(fiscal_year=None)
    return state


FISCAL_YEAR = Aggregate(
    kind="fiscal-year",
    events=(EventType(FiscalYearInitialized, "accounting.fiscal-year.initialized"),
            EventType(MonthClosed, "accounting.fiscal-year.month-closed"),
            EventType(FiscalYearClosed, "accounting.fiscal-year.year-closed")),
    apply=apply, decide=decide, commands=(InitializeFiscalYear, CloseFiscalMonth, CloseFiscalYear),
    creates=(InitializeFiscalYear,), state=FiscalYear, post=post, ledger_tx_ids=ledger_tx_ids,
)

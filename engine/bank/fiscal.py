"""`sim.ledger.close_month()` / `close_year()`: Lana's fiscal year over the ledger book.

The first close opens the fiscal year at the simulation's start date (Lana: `init_for_chart`, which
also closes the ledger as of the day before); after a year closes, the next close opens the
following year on 1 January (Lana: `open_next`). After every close the ledger refuses postings dated
on or before the last closed day with `PeriodClosed` (closing transactions excepted).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from domains.accounting.fiscal_close import PROFIT_AND_LOSS, ClosingBalance, section_of
from domains.accounting.fiscal_year import (
    CloseFiscalMonth,
    CloseFiscalYear,
    FiscalYear,
    FiscalYearNotOpen,
    InitializeFiscalYear,
    fiscal_year_id,
)
from engine.bank.fiscal_reads import effective_totals, normal_balances
from engine.bank.ledger import Ledger
from engine.kernel.authz import SYSTEM
from engine.kernel.port import Kernel

__all__ = ["FiscalService"]

KIND = "fiscal-year"


class FiscalService:
    """Closes months and years; keeps the ledger's closed date (`ledger.closed_as_of`) in step,
    also when a journal is reopened."""

    def __init__(self, kernel: Kernel, ledger: Ledger) -> None:
        self.kernel, self.ledger = kernel, ledger
        ledger.fiscal = self
        self._guard()

    def current(self) -> FiscalYear | None:
        """The latest fiscal year (None before the first close)."""
        ids = self.kernel.journal.entity_ids(KIND)
        return cast(FiscalYear, self.kernel.state(KIND, max(ids))) if ids else None

    def close_month(self, *, subject: str = SYSTEM) -> date | None:
        """Close the earliest open month, in order: its last day, or None while the year's December
        is closed but the year is not (close the year first). A month that has not ended raises
        `MonthHasNotEnded`."""
        year = self.current()
        if year is None:
            year = self._open(self.kernel.clock.start.date(), subject)
        elif year.closed_as_of is not None:
            year = self._open(year.closed_as_of + timedelta(days=1), subject)
        month = year.next_month_to_close()
        if month is None:
            return None
        self.kernel.execute(KIND, year.id, CloseFiscalMonth(), subject=subject)
        self._guard()
        return month

    def close_year(self, *, subject: str = SYSTEM) -> date:
        """Close the current fiscal year (`LastMonthNotClosed` before its December is): one
        `CLOSE_FISCAL_YEAR` transaction dated 31 December moves every revenue, cost of revenue and
        expense balance of the year into retained earnings (gain) or retained losses (loss)."""
        year = self.current()
        if year is None:
            raise FiscalYearNotOpen(fiscal_year=None)
        if year.closed_as_of is None:
            balances = self.profit_and_loss(year.opened_as_of, year.closes_as_of)
            command = CloseFiscalYear(f"{year.id}:closing", balances)
            self.kernel.execute(KIND, year.id, command, subject=subject)
            self._guard()
        return year.closes_as_of

    def profit_and_loss(self, since: date, until: date) -> tuple[ClosingBalance, ...]:
        """Every profit-and-loss account's normal-side balance over [since, until] (closings left out)."""
        balances = normal_balances(effective_totals(self.ledger, until, since, closing=False))
        return tuple(ClosingBalance(account, balance) for account, balance in balances.items()
                     if section_of(account) in PROFIT_AND_LOSS and balance)

    def _open(self, opened_as_of: date, subject: str) -> FiscalYear:
        year_id = fiscal_year_id(opened_as_of.year)
        self.kernel.execute(KIND, year_id, InitializeFiscalYear(opened_as_of), subject=subject)
        self._guard()
        return cast(FiscalYear, self.kernel.state(KIND, year_id))

    def _guard(self) -> None:
        if KIND in self.kernel.kinds:
            year = self.current()
            self.ledger.closed_as_of = None if year is None else year.closed_through

"""Typed refusals of the fiscal year (Lana `core/accounting/src/fiscal_year/error.rs`)."""

from __future__ import annotations

from domains.accounting.errors import AccountingError

__all__ = ["FiscalYearError", "FiscalYearNotOpen", "LastMonthNotClosed", "MonthHasNotEnded"]


class FiscalYearError(AccountingError):
    """Base of the fiscal year's refusals."""


class MonthHasNotEnded(FiscalYearError):
    """The next month to close ends on or after today (fields: month_closed_as_of, today)."""


class LastMonthNotClosed(FiscalYearError):
    """The year closes only after its last month has (fields: fiscal_year, next_month)."""


class FiscalYearNotOpen(FiscalYearError):
    """A command reached a fiscal year before it was initialized (field: fiscal_year)."""

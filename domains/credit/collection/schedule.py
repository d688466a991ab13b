"""An obligation's schedule: the overdue, liquidation and defaulted dates that the
terms set from its due date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict

from domains.credit.terms import TermValues

__all__ = ["ObligationDates", "obligation_dates"]


class ObligationDates(TypedDict):
    overdue_date: date | None
    liquidation_date: date | None
    defaulted_date: date | None


def obligation_dates(terms: TermValues, due: date) -> ObligationDates:
    """Overdue / liquidation / defaulted dates from a due date and the terms (None: never)."""
    def after(days: int | None) -> date | None:
        return None if days is None else due + timedelta(days=days)
    return {"overdue_date": after(terms.obligation_overdue_duration_from_due),
            "liquidation_date": after(terms.obligation_liquidation_duration_from_due),
            "defaulted_date": after(terms.obligation_defaulted_duration_from_due)}

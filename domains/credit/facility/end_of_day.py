"""What a facility's day end asks of it: an accrual for a period that has ended (the one that
ends its cycle makes the cycle ready to post), maturity once its date has come, and, once
obligations are current, the posting of a fully accrued cycle with its interest obligation."""

from __future__ import annotations

from datetime import date

from domains.aggregate import Send
from domains.credit.collection.schedule import obligation_dates
from domains.credit.commands import CreateObligation, PostAccruedInterest
from domains.credit.facility.active import Facility
from domains.credit.facility.cycle import next_accrual
from domains.credit.periods import Period
from domains.credit.primitives import FacilityStatus, ObligationType

__all__ = ["accrual_due", "completes_cycle", "due_to_mature", "post_cycle"]

FACILITY = "credit-facility"


def accrual_due(f: Facility, day: date) -> Period | None:
    """The facility's next accrual period if it has ended by `day` (None: nothing to accrue)."""
    period = None if f.cycle is None else next_accrual(f.cycle, f.terms)
    return period if period is not None and period.end <= day else None


def completes_cycle(f: Facility, period: Period) -> bool:
    """Whether accruing `period` completes the facility's current cycle (it then awaits posting)."""
    return f.cycle is not None and period.end == f.cycle.period.end


def due_to_mature(f: Facility, day: date) -> bool:
    """An Active facility matures on the first day end at or after its maturity date."""
    return f.status is FacilityStatus.ACTIVE and f.maturity_date <= day


def post_cycle(f: Facility, obligation_id: str) -> tuple[Send, ...]:
    """The cycle's interest obligation (when anything accrued; due and effective on the cycle's last
    day), then the facility's `PostAccruedInterest` naming it."""
    cycle, sends = f.cycle, []
    if cycle is None:
        raise ValueError(f"facility {f.id} has no accrual cycle to post")
    if cycle.total > 0:
        due = cycle.period.end
        sends.append(Send("obligation", obligation_id, CreateObligation(
            obligation_id, f.id, ObligationType.INTEREST, cycle.total, f"{f.id}-interest-accrual-cycle-{cycle.idx}",
            due, effective=due, **obligation_dates(f.terms, due))))
    sends.append(Send(FACILITY, f.id, PostAccruedInterest(obligation_id)))
    return tuple(sends)

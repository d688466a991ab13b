"""What a day end asks of credit: an accrual for each cycle whose next period has ended (the one
that ends a cycle makes it ready to post), maturity once a facility's date has come, and, once
obligations are current, the posting of each fully accrued cycle: its interest obligation, the
cycle's posting, the facility's conclusion of it and the next cycle's start."""

from __future__ import annotations

from datetime import date

from domains.aggregate import Send
from domains.credit.collection.schedule import obligation_dates
from domains.credit.commands import ConcludeAccrualCycle, CreateObligation, PostAccruedInterest
from domains.credit.facility.accrual_cycle import KIND as CYCLE
from domains.credit.facility.accrual_cycle import InterestAccrualCycle, start_cycle
from domains.credit.facility.active import Facility
from domains.credit.facility.cycle import AccrualCycle, next_cycle, next_period_end, posting_tx_id
from domains.credit.primitives import FacilityStatus, ObligationType

__all__ = ["accrual_due_end", "due_to_mature", "ends_cycle", "post_cycle"]

FACILITY = "credit-facility"


def accrual_due_end(c: InterestAccrualCycle, day: date) -> date | None:
    """The end of the cycle's next accrual period (`c.next_accrual()`) if it has ended by `day`
    (None: nothing to accrue), without building the period: the day end's pass over every cycle in
    progress needs only its end; the accrual's own command builds it."""
    end = None if c.posted else next_period_end(c.period, c.accrued_through, c.terms)
    return end if end is not None and end <= day else None


def ends_cycle(c: InterestAccrualCycle, end: date) -> bool:
    """Whether accruing the period ending on `end` (what `accrual_due_end` gives) completes the
    cycle (it then awaits posting)."""
    return end == c.period.end


def due_to_mature(f: Facility, day: date) -> bool:
    """An Active facility matures on the first day end at or after its maturity date."""
    return f.status is FacilityStatus.ACTIVE and f.maturity_date <= day


def post_cycle(c: InterestAccrualCycle, obligation_id: str) -> tuple[Send, ...]:
    """The cycle's interest obligation (when anything accrued; due and effective on the cycle's last
    day), the cycle's `PostAccruedInterest` naming it, then the facility's conclusion of the cycle
    and the next cycle's creation (none after maturity)."""
    sends, owed = [], obligation_id if c.total > 0 else None
    tx_id = posting_tx_id(c.facility_id, c.idx)
    if owed is not None:
        due = c.period.end
        sends.append(Send("obligation", obligation_id, CreateObligation(
            obligation_id, c.facility_id, ObligationType.INTEREST, c.total, tx_id, due, effective=due,
            **obligation_dates(c.terms, due))))
    sends.append(Send(CYCLE, c.id, PostAccruedInterest(obligation_id)))
    sends.append(Send(FACILITY, c.facility_id, ConcludeAccrualCycle(c.idx, tx_id, owed)))
    following = next_cycle(c.facility_id, c.terms, AccrualCycle(c.id, c.idx, c.period), c.facility_maturity_date)
    if following is not None:
        sends.append(start_cycle(c.facility_id, following, c.facility_maturity_date, c.terms))
    return tuple(sends)

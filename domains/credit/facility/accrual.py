"""A facility's interest accrual (Lana: core/credit/src/credit_facility/interest_accrual_cycle/entity.rs): one accrual
period per command, then the posting
that concludes the cycle and starts the next one (none after maturity)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, assert_never, cast

from domains.aggregate import evolve as replaced
from domains.credit import commands as cmd
from domains.credit.errors import InterestAccrualNotCompletedYet, NoAccrualCycleInProgress
from domains.credit.facility import events as ev
from domains.credit.facility.cycle import AccrualCycle, next_accrual, next_cycle, posting_tx_id
from domains.credit.math import interest_for_period

if TYPE_CHECKING:
    from domains.credit.facility.active import Facility

__all__ = ["accrued", "decide", "evolve"]

AccrualEvent = (ev.InterestAccrualCycleStarted | ev.InterestAccrued | ev.InterestAccrualsPosted
                | ev.InterestAccrualCycleConcluded)


def evolve(f: Facility, event: AccrualEvent) -> Facility:
    match event:
        case ev.InterestAccrualCycleStarted(interest_accrual_id=id_, cycle_idx=idx, period=period):
            return replaced(f, cycle=AccrualCycle(id_, idx, period))
        case ev.InterestAccrued():
            return accrued(f, event)
        case ev.InterestAccrualsPosted(obligation_id=obligation_id):
            return replaced(f, last_posted_obligation_id=obligation_id or f.last_posted_obligation_id)
        case ev.InterestAccrualCycleConcluded():
            return replaced(f, cycle=None)
        case _:
            assert_never(event)


def accrued(f: Facility, event: ev.InterestAccrued) -> Facility:
    """One more accrual period of the cycle in progress, added to its total."""
    cycle = cast(AccrualCycle, f.cycle)
    return replaced(f, cycle=replaced(cycle, accrued_through=event.period.end, total=cycle.total + event.amount))


def decide(f: Facility, command: cmd.AccrueInterest | cmd.PostAccruedInterest) -> tuple[ev.FacilityEvent, ...]:
    match command:
        case cmd.AccrueInterest(day=day, principal_cents=principal):
            return _accrue(f, day, principal)
        case cmd.PostAccruedInterest(obligation_id=obligation_id):
            return _post(f, obligation_id)
        case _:
            assert_never(command)


def _accrue(f: Facility, day: date, principal: int) -> tuple[ev.FacilityEvent, ...]:
    """Exactly one accrual period whose end is on or before `day`; zero amounts are recorded too."""
    period = None if f.cycle is None else next_accrual(f.cycle, f.terms)
    if f.cycle is None or period is None or period.end > day:
        return ()
    amount = interest_for_period(principal, period.days, f.terms.annual_rate)
    return (ev.InterestAccrued(f.cycle.idx, period, amount, period.end),)


def _post(f: Facility, obligation_id: str) -> tuple[ev.FacilityEvent, ...]:
    """Post the fully accrued cycle into `obligation_id` (None recorded when the total is 0)."""
    if obligation_id == f.last_posted_obligation_id:
        return ()
    cycle = _in_progress(f)
    pending = next_accrual(cycle, f.terms)
    if pending is not None or cycle.accrued_through is None:
        raise InterestAccrualNotCompletedYet(facility_id=f.id, cycle_idx=cycle.idx,
                                             next_accrual_end=None if pending is None else pending.end)
    return _posted(f, cycle, cycle.accrued_through, obligation_id if cycle.total > 0 else None)


def _posted(f: Facility, cycle: AccrualCycle, effective: date, owed: str | None) -> tuple[ev.FacilityEvent, ...]:
    """Posted, concluded, and the next cycle started unless it would start after maturity."""
    tx_id, following = posting_tx_id(f.id, cycle.idx), next_cycle(f.id, f.terms, cycle, f.maturity_date)
    started = () if following is None else (
        ev.InterestAccrualCycleStarted(following.id, following.idx, following.period),)
    return (ev.InterestAccrualsPosted(cycle.idx, cycle.period, cycle.total, owed, effective, tx_id),
            ev.InterestAccrualCycleConcluded(cycle.idx, tx_id, owed), *started)


def _in_progress(f: Facility) -> AccrualCycle:
    if f.cycle is None:
        raise NoAccrualCycleInProgress(facility_id=f.id)
    return f.cycle

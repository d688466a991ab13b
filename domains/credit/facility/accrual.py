"""The facility's side of interest accrual (Lana: core/credit/src/credit_facility/entity.rs): it
knows which cycle is in progress; the cycle (its own aggregate, `accrual_cycle`) accrues and posts, then hands the
posting back
here: the facility concludes that cycle and starts the next one (none after maturity)."""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_never

from domains.aggregate import evolve as replaced
from domains.credit import commands as cmd
from domains.credit.facility import events as ev
from domains.credit.facility.cycle import AccrualCycle, next_cycle

if TYPE_CHECKING:
    from domains.credit.facility.active import Facility

__all__ = ["decide", "evolve"]

AccrualEvent = ev.InterestAccrualCycleStarted | ev.InterestAccrualCycleConcluded


def evolve(f: Facility, event: AccrualEvent) -> Facility:
    match event:
        case ev.InterestAccrualCycleStarted(interest_accrual_id=id_, cycle_idx=idx, period=period):
            return replaced(f, cycle=AccrualCycle(id_, idx, period))
        case ev.InterestAccrualCycleConcluded():
            return replaced(f, cycle=None)
        case _:
            assert_never(event)


def decide(f: Facility, command: cmd.ConcludeAccrualCycle) -> tuple[ev.FacilityEvent, ...]:
    """Concluded, and the next cycle started unless it would start after maturity; a cycle that
    is not the one in progress was concluded before (nothing happens)."""
    cycle = f.cycle
    if cycle is None or cycle.idx != command.idx:
        return ()
    following = next_cycle(f.id, f.terms, cycle, f.maturity_date)
    started = () if following is None else (
        ev.InterestAccrualCycleStarted(following.id, following.idx, following.period),)
    return ev.InterestAccrualCycleConcluded(cycle.idx, command.tx_id, command.obligation_id), *started

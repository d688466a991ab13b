"""The interest accrual cycle, its own aggregate as Lana's `InterestAccrualCycle`: it accrues one
period per day end, posts its total once every period is accrued, and holds no more than that."""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

import attrs

from domains.aggregate import Send, evolve
from domains.credit import commands as cmd
from domains.credit.errors import InterestAccrualNotCompletedYet, require
from domains.credit.facility import events as ev
from domains.credit.facility.cycle import AccrualCycle, next_accrual, posting_tx_id
from domains.credit.math import interest_for_period
from domains.credit.periods import Period
from domains.credit.terms import TermValues

__all__ = ["COMMANDS", "KIND", "InterestAccrualCycle", "accruing_from", "apply", "decide", "next_accrual_end",
           "start_cycle"]

KIND = "interest-accrual-cycle"


@attrs.define
class InterestAccrualCycle:
    """Accrued up to `accrued_through` (None: nothing yet), `total` cents; `posted` once its
    `InterestAccrualsPosted` exists (the cycle is then complete). Slotted, not frozen: every
    daily accrual folds a new copy (`apply` never changes a state), and a frozen class's
    `__init__` sets each of the 9 fields through `object.__setattr__`."""

    id: str
    facility_id: str
    idx: int
    period: Period
    facility_maturity_date: date
    terms: TermValues
    accrued_through: date | None = None
    total: int = 0
    posted: bool = False

    def next_accrual(self) -> Period | None:
        """The next accrual period, or None when every period is accrued."""
        return next_accrual(self.period, self.accrued_through, self.terms)


def apply(state: InterestAccrualCycle | None, event: ev.AccrualCycleEvent) -> InterestAccrualCycle:
    match event:
        case ev.InterestAccrued(period=period, amount=amount):  # the daily event: a 9-field copy
            c = require(state, KIND)
            return InterestAccrualCycle(c.id, c.facility_id, c.idx, c.period, c.facility_maturity_date, c.terms,
                                        period.end, c.total + amount)
        case ev.AccrualCycleInitialized():
            return InterestAccrualCycle(event.id, event.facility_id, event.idx, event.period,
                                        event.facility_maturity_date, event.terms)
        case ev.InterestAccrualsPosted():
            return evolve(require(state, KIND), posted=True)
        case _:
            assert_never(event)


def decide(state: InterestAccrualCycle | None, command: object, at: datetime) -> tuple[ev.AccrualCycleEvent, ...]:
    match command:
        case cmd.AccrueInterest(day=day, principal_cents=principal):
            return _accrue(require(state, KIND), day, principal)
        case cmd.StartAccrualCycle(id=id_, facility_id=facility, idx=idx, period=period):
            return () if state is not None else (ev.AccrualCycleInitialized(
                id_, facility, idx, period, command.facility_maturity_date, command.terms),)
        case cmd.PostAccruedInterest(obligation_id=obligation_id):
            return _post(require(state, KIND), obligation_id)
        case cmd.ImportAccrualCycle():
            return () if state is not None else _imported(command)
    raise TypeError(f"{type(command).__name__} is not a command of an accrual cycle")


def _accrue(c: InterestAccrualCycle, day: date, principal: int) -> tuple[ev.AccrualCycleEvent, ...]:
    """Exactly one accrual period whose end is on or before `day`; zero amounts are recorded too."""
    period = None if c.posted else c.next_accrual()
    if period is None or period.end > day:
        return ()
    return (ev.InterestAccrued(c.idx, period, interest_for_period(principal, period.days, c.terms.annual_rate),
                               period.end),)


def _post(c: InterestAccrualCycle, obligation_id: str) -> tuple[ev.AccrualCycleEvent, ...]:
    """Post the fully accrued cycle into `obligation_id` (None recorded when the total is 0)."""
    if c.posted:
        return ()
    pending = c.next_accrual()
    if pending is not None or c.accrued_through is None:
        raise InterestAccrualNotCompletedYet(facility_id=c.facility_id, cycle_idx=c.idx,
                                             next_accrual_end=None if pending is None else pending.end)
    owed = obligation_id if c.total > 0 else None
    return (ev.InterestAccrualsPosted(c.idx, c.period, c.total, owed, c.accrued_through,
                                      posting_tx_id(c.facility_id, c.idx)),)


def _imported(c: cmd.ImportAccrualCycle) -> tuple[ev.AccrualCycleEvent, ...]:
    """Initialized, the days accrued before the import as one accrual, and the posting when an
    obligation is named (its total is what was accrued)."""
    s = c.start
    events: list[ev.AccrualCycleEvent] = [
        ev.AccrualCycleInitialized(s.id, s.facility_id, s.idx, s.period, s.facility_maturity_date, s.terms)]
    if c.accrued is not None:
        events.append(ev.InterestAccrued(s.idx, c.accrued, c.amount, c.accrued.end))
    if c.obligation_id is not None:
        events.append(ev.InterestAccrualsPosted(s.idx, s.period, c.amount, c.obligation_id, s.period.end,
                                                posting_tx_id(s.facility_id, s.idx)))
    return tuple(events)


def accruing_from(c: InterestAccrualCycle) -> date | None:
    """The index column the day end selects by: the cycle's first day until it is posted (None
    after). Unlike Lana's `next_accrual_period_end` it does not move with each daily accrual, so
    a quiet day writes no index row; `accrual_due_end` then picks the end of the period each
    selected cycle owes."""
    return None if c.posted else c.period.start


def next_accrual_end(c: InterestAccrualCycle) -> date | None:
    """The end of the next accrual period; the cycle's end while a fully accrued cycle awaits
    posting; None once posted."""
    if c.posted:
        return None
    period = c.next_accrual()
    return c.period.end if period is None else period.end


def start_cycle(facility_id: str, cycle: AccrualCycle, maturity: date, terms: TermValues) -> Send:
    """The command creating the aggregate of the facility's cycle `cycle`."""
    return Send(KIND, cycle.id, cmd.StartAccrualCycle(cycle.id, facility_id, cycle.idx, cycle.period, maturity, terms))


COMMANDS = (cmd.StartAccrualCycle, cmd.AccrueInterest, cmd.PostAccruedInterest, cmd.ImportAccrualCycle)

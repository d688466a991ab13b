"""Obligation (Lana: core/credit/collection/src/obligation/entity.rs): an amount a facility owes, aging NotYetDue -> Due
-> Overdue ->
Defaulted on its scheduled dates, paid down by payment allocations.

Defaulted is reachable here through the `obligation_defaulted_duration_from_due` term (the engine
passes `defaulted_date`); Lana never sets a defaulted date, so there it is unreachable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from types import MappingProxyType
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.credit import commands as cmd
from domains.credit.collection import events as ev
from domains.credit.errors import AllocationAboveOutstanding, require
from domains.credit.primitives import ObligationStatus, ObligationType

__all__ = ["COMMANDS", "Obligation", "alarm", "apply", "decide", "next_transition"]

KIND = "obligation"
Status = ObligationStatus
_RECORDED = MappingProxyType({ev.DueRecorded: Status.DUE, ev.OverdueRecorded: Status.OVERDUE,
                              ev.DefaultedRecorded: Status.DEFAULTED})
_EVENT: Mapping[ObligationStatus, type[ev.DueRecorded | ev.OverdueRecorded | ev.DefaultedRecorded]] = \
    MappingProxyType({
    Status.DUE: ev.DueRecorded, Status.OVERDUE: ev.OverdueRecorded, Status.DEFAULTED: ev.DefaultedRecorded})


@attrs.frozen
class Obligation:
    id: str
    beneficiary_id: str
    obligation_type: ObligationType
    amount: int
    reference: str
    due_date: date
    overdue_date: date | None
    liquidation_date: date | None
    defaulted_date: date | None
    effective: date
    status: ObligationStatus = Status.NOT_YET_DUE
    outstanding: int = 0
    payment_ids: tuple[str, ...] = ()
    created_at: datetime | None = None  # the sim instant it was created (Lana's `created_at()`)

    @property
    def allocations(self) -> int:
        return len(self.payment_ids)


def apply(state: Obligation | None, event: ev.ObligationEvent) -> Obligation:
    match event:
        case ev.ObligationInitialized():
            return Obligation(event.id, event.beneficiary_id, event.obligation_type, event.amount, event.reference,
                              event.due_date, event.overdue_date, event.liquidation_date, event.defaulted_date,
                              event.effective, outstanding=event.amount, created_at=event.created_at)
        case ev.DueRecorded() | ev.OverdueRecorded() | ev.DefaultedRecorded():
            return evolve(require(state, KIND), status=_RECORDED[type(event)])
        case ev.PaymentAllocated(payment_id=payment_id, amount=amount):
            o = require(state, KIND)
            return evolve(o, outstanding=o.outstanding - amount, payment_ids=(*o.payment_ids, payment_id))
        case ev.ObligationCompleted():
            return evolve(require(state, KIND), status=Status.PAID)
        case _:
            assert_never(event)


def decide(state: Obligation | None, command: object, at: datetime) -> tuple[ev.ObligationEvent, ...]:
    match command:
        case cmd.CreateObligation():
            return () if state is not None else (_initialized(command, at),)
        case cmd.ImportObligation(create=create, as_of=as_of):
            if state is not None:
                return ()
            initialized = _initialized(create, at)
            return (initialized, *_transition(apply(None, initialized), as_of))
        case cmd.TransitionObligation(day=day):
            return _transition(require(state, KIND), day)
        case cmd.AllocatePayment():
            return _allocate(require(state, KIND), command)
    raise TypeError(f"not an obligation command: {command!r}")


def _initialized(c: cmd.CreateObligation, at: datetime) -> ev.ObligationInitialized:
    return ev.ObligationInitialized(c.id, c.beneficiary_id, c.obligation_type, c.amount, c.reference, c.due_date,
                                    c.overdue_date, c.liquidation_date, c.defaulted_date, c.effective, at)


def next_transition(o: Obligation) -> tuple[ObligationStatus, date] | None:
    """The next status and its scheduled date; from Due the earlier of overdue and defaulted
    (overdue first on a tie); None once Defaulted or Paid."""
    if o.status is Status.NOT_YET_DUE:
        return Status.DUE, o.due_date
    candidates: list[tuple[date, int, ObligationStatus]] = []
    if o.status is Status.DUE and o.overdue_date is not None:
        candidates.append((o.overdue_date, 0, Status.OVERDUE))
    if o.status in (Status.DUE, Status.OVERDUE) and o.defaulted_date is not None:
        candidates.append((o.defaulted_date, 1, Status.DEFAULTED))
    if not candidates:
        return None
    when, _, status = min(candidates)
    return status, when


def _transition(o: Obligation, day: date) -> tuple[ev.ObligationEvent, ...]:
    """Every transition due by `day`, in order (a late run jumps several), at scheduled dates."""
    events: list[ev.ObligationEvent] = []
    step = next_transition(o)
    while step is not None and step[1] <= day:
        events.append(_EVENT[step[0]](o.outstanding, step[1]))
        o = evolve(o, status=step[0])
        step = next_transition(o)
    return tuple(events)


def _allocate(o: Obligation, c: cmd.AllocatePayment) -> tuple[ev.ObligationEvent, ...]:
    """Idempotent per payment; `Completed` when nothing is left (prepaying NotYetDue is allowed)."""
    if c.payment_id in o.payment_ids:
        return ()
    if c.amount > o.outstanding:
        raise AllocationAboveOutstanding(obligation_id=o.id, amount=c.amount, outstanding=o.outstanding)
    allocated = ev.PaymentAllocated(c.payment_id, c.allocation_id, c.amount, c.effective)
    return (allocated, ev.ObligationCompleted(c.effective)) if c.amount == o.outstanding else (allocated,)


def alarm(o: Obligation) -> tuple[datetime, cmd.TransitionObligation] | None:
    """Wake at 00:00 UTC of the next transition date with the command that performs it."""
    step = next_transition(o)
    if step is None:
        return None
    return datetime.combine(step[1], time(), UTC), cmd.TransitionObligation(step[1])


COMMANDS = (cmd.CreateObligation, cmd.ImportObligation, cmd.TransitionObligation, cmd.AllocatePayment)

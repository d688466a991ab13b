"""A facility's repayment plan as Lana's admin shows it (`core/credit/src/repayment_plan/`): its
obligations with status and outstanding, then the principal and interest still to come, by due date
with interest before principal. Folded from the facility's public events, oldest first."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import attrs

from domains.credit.math import add_months, interest_for_period, one_time_fee
from domains.credit.periods import Period, first_period, next_period, truncate
from domains.credit.public_terms import terms_from_payload
from domains.credit.terms import TermValues
from domains.wire import from_pascal

__all__ = ["CREATED", "PlanEntry", "RepaymentStatus", "RepaymentType", "repayment_plan", "terms_from_payload"]

# the envelopes that state a facility's terms and amount: its proposal, or its import (which has none)
CREATED = ("core.credit.facility-proposal-created", "lanasim.credit.facility-imported")


class RepaymentType(str, enum.Enum):
    DISBURSAL = "disbursal"
    INTEREST = "interest"


class RepaymentStatus(str, enum.Enum):
    UPCOMING = "upcoming"  # planned: no obligation exists yet
    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    OVERDUE = "overdue"
    DEFAULTED = "defaulted"
    PAID = "paid"


@attrs.frozen
class PlanEntry:
    """One line of the plan (cents; `recorded_at` is the instant the entry's source was recorded)."""

    repayment_type: RepaymentType
    obligation_id: str | None
    status: RepaymentStatus
    initial: int
    outstanding: int
    due_at: date
    overdue_at: date | None
    defaulted_at: date | None
    recorded_at: str
    effective: date


_STATUS = {"core.credit-collection.obligation-due": RepaymentStatus.DUE,
           "core.credit-collection.obligation-overdue": RepaymentStatus.OVERDUE,
           "core.credit-collection.obligation-defaulted": RepaymentStatus.DEFAULTED,
           "core.credit-collection.obligation-completed": RepaymentStatus.PAID}


class _Fold:
    def __init__(self) -> None:
        self.terms: TermValues | None = None
        self.amount, self.activated_at = 0, None
        self.last_interest_end: date | None = None
        self.entries: list[PlanEntry] = []  # existing obligations (and zero-interest postings)

    def take(self, event_type: str, payload: dict[str, Any], recorded_at: str) -> None:
        entity = payload.get("entity", {})
        if event_type in CREATED:
            self.terms, self.amount = terms_from_payload(entity["terms"]), entity["amount"]
        elif event_type == "core.credit.facility-activated":
            self.activated_at = entity["activated_at"]
        elif event_type == "core.credit.accrual-posted":
            end = self.last_interest_end = date.fromisoformat(entity["period"]["end"][:10])  # an instant
            if entity["posting"] is None or entity["posting"]["amount"] == 0:  # nothing owed: shown paid
                self.entries.append(PlanEntry(RepaymentType.INTEREST, None, RepaymentStatus.PAID, 0, 0,
                                              date.fromisoformat(entity["due_at"]), None, None, recorded_at, end))
        elif event_type == "core.credit-collection.obligation-created":
            self._created(entity, recorded_at)
        elif event_type == "core.credit-collection.payment-allocation-created":
            paid = entity["amount"]
            self._update(entity["obligation_id"], lambda e: attrs.evolve(e, outstanding=e.outstanding - paid))
        elif event_type in _STATUS:
            self._update(entity["id"], lambda e: attrs.evolve(e, status=_STATUS[event_type]))

    def _created(self, entity: dict[str, Any], recorded_at: str) -> None:
        if any(e.obligation_id == entity["id"] for e in self.entries):
            return
        kind = RepaymentType(from_pascal(entity["obligation_type"]))  # Lana's "Interest" -> "interest"
        effective = date.fromisoformat(entity["effective"])
        self.entries.append(PlanEntry(kind, entity["id"], RepaymentStatus.NOT_YET_DUE, entity["initial_amount"],
                                      entity["outstanding_amount"], date.fromisoformat(entity["due_at"]),
                                      _day(entity["overdue_at"]), _day(entity["defaulted_at"]), recorded_at, effective))
        if kind is RepaymentType.INTEREST:
            self.last_interest_end = effective

    def _update(self, obligation_id: str, change: Callable[[PlanEntry], PlanEntry]) -> None:
        self.entries = [change(e) if e.obligation_id == obligation_id else e for e in self.entries]


def repayment_plan(envelopes: Iterable[dict[str, Any]], now: datetime) -> tuple[PlanEntry, ...]:
    """The plan from one facility's envelopes (oldest first); `now` stands in for the activation
    instant of a facility not yet active. Sorted by due date, interest before principal (stable)."""
    fold = _Fold()
    for envelope in envelopes:
        fold.take(envelope["event_type"], envelope["payload"], envelope["recorded_at"])
    if fold.terms is None:
        return ()
    activated = datetime.fromisoformat(fold.activated_at) if fold.activated_at else now
    existing = fold.entries if any(e.obligation_id for e in fold.entries) else fold.entries + _planned_principal(
        fold.amount, fold.terms, activated)
    planned = _planned_interest(fold.terms, activated, fold.last_interest_end, existing)
    order = {RepaymentType.INTEREST: 0, RepaymentType.DISBURSAL: 1}
    return tuple(sorted(existing + planned, key=lambda e: (e.due_at, order[e.repayment_type])))


def _planned_principal(amount: int, terms: TermValues, activated: datetime) -> list[PlanEntry]:
    """Before any obligation: what will be disbursed, due at maturity. Lana plans the structuring fee
    *and* the full amount, overstating single-disbursal facilities (whose fee is charged, not
    disbursed) by the fee; here a single disbursal plans its amount, a multiple one its fee (its
    initial disbursal) and the rest of its amount."""
    fee, maturity = one_time_fee(amount, terms.one_time_fee_rate), add_months(activated, terms.duration)
    parts = [amount] if terms.is_single_disbursal or fee == 0 else [fee, amount - fee]
    return [PlanEntry(RepaymentType.DISBURSAL, None, RepaymentStatus.UPCOMING, part, part, maturity, None, None,
                      activated.strftime("%Y-%m-%dT%H:%M:%SZ"), activated.date()) for part in parts if part > 0]


def _planned_interest(terms: TermValues, activated: datetime, last_end: date | None,
                      entries: list[PlanEntry]) -> list[PlanEntry]:
    """One entry per accrual cycle not yet posted, up to maturity, on today's principal outstanding.
    Lana charges each planned cycle at once (`rate x days` rounded up once); the bank charges every
    accrual period rounded up on its own, so here each planned cycle is the sum of its accrual
    periods: the plan equals what will be posted while the principal stays as it is."""
    maturity, interval = add_months(activated, terms.duration), terms.accrual_cycle_interval
    principal = sum(e.outstanding for e in entries if e.repayment_type is RepaymentType.DISBURSAL)
    period = truncate(first_period(interval, activated.date()) if last_end is None else
                      next_period(interval, Period(last_end, last_end)), maturity)
    planned = []
    while period is not None:
        owed = _accrued(principal, period, terms)
        planned.append(PlanEntry(RepaymentType.INTEREST, None, RepaymentStatus.UPCOMING, owed, owed, period.end,
                                 None, None, f"{period.end.isoformat()}T00:00:00Z", period.end))
        period = truncate(next_period(interval, period), maturity)
    return planned


def _accrued(principal: int, cycle: Period, terms: TermValues) -> int:
    total, part = 0, truncate(first_period(terms.accrual_interval, cycle.start), cycle.end)
    while part is not None:
        total += interest_for_period(principal, part.days, terms.annual_rate)
        part = truncate(next_period(terms.accrual_interval, part), cycle.end)
    return total


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)

"""Public (outbox) events of the CreditCollection module: obligations, payments and
allocations, spelled as Lana's serde writes them (`obligation_type` "Disbursal" / "Interest")."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import MappingProxyType

from domains.aggregate import Public
from domains.credit.collection import events as ev
from domains.credit.collection.obligation import Obligation
from domains.credit.collection.payment import Payment, PaymentAllocation
from domains.wire import instant, pascal

__all__ = ["publish_allocation", "publish_obligation", "publish_payment", "recorded_at"]

COLLECTION_MODULE = "CreditCollection"
_OBLIGATION = MappingProxyType({
    ev.ObligationInitialized: "ObligationCreated", ev.DueRecorded: "ObligationDue",
    ev.OverdueRecorded: "ObligationOverdue", ev.DefaultedRecorded: "ObligationDefaulted",
    ev.ObligationCompleted: "ObligationCompleted"})


def publish_obligation(o: Obligation, event: ev.ObligationEvent) -> tuple[Public, ...]:
    """Every variant carries the whole obligation as it stands after the event; its `recorded_at` is
    the obligation's creation instant, as in Lana (`PublicObligation` from the entity's `created_at()`)."""
    name = _OBLIGATION.get(type(event))
    if name is None:
        return ()
    entity = {"id": o.id, "obligation_type": pascal(o.obligation_type), "beneficiary_id": o.beneficiary_id,
              "initial_amount": o.amount, "outstanding_amount": o.outstanding, "due_at": _day(o.due_date),
              "overdue_at": _day(o.overdue_date), "defaulted_at": _day(o.defaulted_date),
              "recorded_at": recorded_at(o.created_at, o.effective), "effective": _day(o.effective)}
    return (Public(COLLECTION_MODULE, name, {"entity": entity}),)


def publish_payment(p: Payment, event: ev.PaymentInitialized) -> tuple[Public, ...]:
    entity = {"id": p.id, "beneficiary_id": p.facility_id, "amount": p.amount,
              "recorded_at": recorded_at(p.created_at, p.effective), "effective": _day(p.effective)}
    return (Public(COLLECTION_MODULE, "PaymentCreated", {"entity": entity}),)


def publish_allocation(a: PaymentAllocation, event: ev.PaymentAllocationInitialized) -> tuple[Public, ...]:
    """Lana's fields, and lanasim's `payment_id` (which payment the part came from) beside them."""
    entity = {"id": a.id, "payment_id": a.payment_id, "obligation_id": a.obligation_id,
              "obligation_type": pascal(a.obligation_type), "beneficiary_id": a.facility_id, "amount": a.amount,
              "recorded_at": recorded_at(a.created_at, a.effective), "effective": _day(a.effective)}
    return (Public(COLLECTION_MODULE, "PaymentAllocationCreated", {"entity": entity}),)


def recorded_at(moment: datetime | None, effective: date) -> str:
    """A payload's `recorded_at`: the sim instant stored with the event, or for an event journaled
    before lanasim stored it (None), 00:00 UTC of its effective day."""
    return str(instant(moment or datetime.combine(effective, time(), UTC)))


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()

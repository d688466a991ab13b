"""Public (outbox) events of the CreditCollection module: obligations, payments and
allocations."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from domains.aggregate import Public
from domains.credit.collection import events as ev
from domains.credit.collection.obligation import Obligation
from domains.credit.collection.payment import Payment, PaymentAllocation

__all__ = ["publish_allocation", "publish_obligation", "publish_payment"]

COLLECTION_MODULE = "CreditCollection"
_OBLIGATION = MappingProxyType({
    ev.ObligationInitialized: "ObligationCreated", ev.DueRecorded: "ObligationDue",
    ev.OverdueRecorded: "ObligationOverdue", ev.DefaultedRecorded: "ObligationDefaulted",
    ev.ObligationCompleted: "ObligationCompleted"})


def publish_obligation(o: Obligation, event: ev.ObligationEvent) -> tuple[Public, ...]:
    name = _OBLIGATION.get(type(event))
    if name is None:
        return ()
    entity = {"id": o.id, "obligation_type": o.obligation_type.value, "beneficiary_id": o.beneficiary_id,
              "initial_amount": o.amount, "outstanding_amount": o.outstanding, "due_at": _day(o.due_date),
              "overdue_at": _day(o.overdue_date), "defaulted_at": _day(o.defaulted_date),
              "effective": _day(o.effective)}
    return (Public(COLLECTION_MODULE, name, {"entity": entity}),)


def publish_payment(p: Payment, event: ev.PaymentInitialized) -> tuple[Public, ...]:
    entity = {"id": p.id, "beneficiary_id": p.facility_id, "amount": p.amount, "effective": _day(p.effective)}
    return (Public(COLLECTION_MODULE, "PaymentCreated", {"entity": entity}),)


def publish_allocation(a: PaymentAllocation, event: ev.PaymentAllocationInitialized) -> tuple[Public, ...]:
    entity = {"id": a.id, "payment_id": a.payment_id, "obligation_id": a.obligation_id,
              "obligation_type": a.obligation_type.value, "beneficiary_id": a.facility_id, "amount": a.amount,
              "effective": _day(a.effective)}
    return (Public(COLLECTION_MODULE, "PaymentAllocationCreated", {"entity": entity}),)


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()

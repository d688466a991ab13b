"""Payment (Lana: core/credit/collection/src/payment/entity.rs) and payment allocation (Lana:
core/credit/collection/src/payment_allocation/entity.rs): single-event records of money received
from a source account and of its parts allocated to obligations."""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

import attrs

from domains.credit import commands as cmd
from domains.credit.collection import events as ev
from domains.credit.primitives import ObligationType

__all__ = ["ALLOCATION_COMMANDS", "COMMANDS", "Payment", "PaymentAllocation", "apply", "apply_allocation", "decide",
           "decide_allocation"]


@attrs.frozen
class Payment:
    id: str
    facility_id: str
    amount: int
    source_account: str
    effective: date
    created_at: datetime | None = None  # the sim instant it was recorded (Lana's `created_at()`)


@attrs.frozen
class PaymentAllocation:
    id: str
    payment_id: str
    obligation_id: str
    obligation_type: ObligationType
    facility_id: str
    amount: int
    receivable_bucket: str
    allocation_idx: int
    effective: date
    created_at: datetime | None = None


def apply(state: Payment | None, event: ev.PaymentInitialized) -> Payment:
    match event:
        case ev.PaymentInitialized():
            return Payment(event.id, event.facility_id, event.amount, event.source_account, event.effective,
                           event.created_at)
        case _:
            assert_never(event)


def decide(state: Payment | None, command: object, at: datetime) -> tuple[ev.PaymentInitialized, ...]:
    """Idempotent on the payment id (Lana's `record_in_op`)."""
    match command:
        case cmd.RecordPayment(id=id_, facility_id=facility_id, amount=amount, source_account=source, effective=day):
            return () if state is not None else (ev.PaymentInitialized(id_, facility_id, amount, source, day, at),)
    raise TypeError(f"not a payment command: {command!r}")


def apply_allocation(state: PaymentAllocation | None, event: ev.PaymentAllocationInitialized) -> PaymentAllocation:
    match event:
        case ev.PaymentAllocationInitialized():
            return PaymentAllocation(event.id, event.payment_id, event.obligation_id, event.obligation_type,
                                     event.facility_id, event.amount, event.receivable_bucket, event.allocation_idx,
                                     event.effective, event.created_at)
        case _:
            assert_never(event)


def decide_allocation(state: PaymentAllocation | None, command: object,
                      at: datetime) -> tuple[ev.PaymentAllocationInitialized, ...]:
    match command:
        case cmd.RecordAllocation() if state is None:
            return (ev.PaymentAllocationInitialized(
                command.id, command.payment_id, command.obligation_id, command.obligation_type, command.facility_id,
                command.amount, command.receivable_bucket, command.allocation_idx, command.effective, at),)
        case cmd.RecordAllocation():
            return ()
    raise TypeError(f"not a payment-allocation command: {command!r}")


COMMANDS = (cmd.RecordPayment,)
ALLOCATION_COMMANDS = (cmd.RecordAllocation,)

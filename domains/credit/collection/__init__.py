"""Collection sub-domain (Lana `core/credit-collection`): obligations and their schedule,
payments, and their allocation to obligations (interest first), with the postings they make."""

from __future__ import annotations

from domains.credit.collection.allocation import Allocatable, allocate
from domains.credit.collection.events import (
    DefaultedRecorded,
    DueRecorded,
    ObligationCompleted,
    ObligationEvent,
    ObligationInitialized,
    OverdueRecorded,
    PaymentAllocated,
    PaymentAllocationInitialized,
    PaymentInitialized,
)
from domains.credit.collection.obligation import Obligation, next_transition
from domains.credit.collection.payment import Payment, PaymentAllocation
from domains.credit.collection.posting import (
    post_allocation,
    post_obligation,
    post_payment,
)
from domains.credit.collection.schedule import ObligationDates, obligation_dates
from domains.credit.commands import (
    AllocatePayment,
    CreateObligation,
    RecordAllocation,
    RecordPayment,
    TransitionObligation,
)
from domains.credit.errors import AllocationAboveOutstanding, PaymentAboveOutstanding

__all__ = [
    "Allocatable", "AllocatePayment", "AllocationAboveOutstanding", "CreateObligation", "DefaultedRecorded",
    "DueRecorded", "Obligation", "ObligationCompleted", "ObligationDates", "ObligationEvent",
    "ObligationInitialized", "OverdueRecorded", "Payment", "PaymentAboveOutstanding", "PaymentAllocated",
    "PaymentAllocation", "PaymentAllocationInitialized", "PaymentInitialized", "RecordAllocation", "RecordPayment",
    "TransitionObligation", "allocate", "next_transition", "obligation_dates", "post_allocation", "post_obligation",
    "post_payment",
]

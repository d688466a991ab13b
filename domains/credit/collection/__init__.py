"""Collection sub-domain (Lana `core/credit-collection`): obligations and their schedule,
payments, and their allocation to obligations (interest first), with the postings they make."""

from __future__ import annotations

from domains.credit.collection.allocation import allocate, allocation_commands
from domains.credit.collection.events import (
    DefaultedRecorded,
    DueRecorded,
    ObligationCompleted,
    ObligationInitialized,
    OverdueRecorded,
    PaymentAllocated,
    PaymentAllocationInitialized,
    PaymentInitialized,
)
from domains.credit.collection.posting import post_allocation, post_obligation, post_payment
from domains.credit.collection.schedule import obligation_dates
from domains.credit.commands import (
    AllocatePayment,
    CreateObligation,
    RecordAllocation,
    RecordPayment,
    TransitionObligation,
)
from domains.credit.errors import AllocationAboveOutstanding

__all__ = [
    "AllocatePayment",
    "AllocationAboveOutstanding",
    "CreateObligation",
    "DefaultedRecorded",
    "DueRecorded",
    "ObligationCompleted",
    "ObligationInitialized",
    "OverdueRecorded",
    "PaymentAllocated",
    "PaymentAllocationInitialized",
    "PaymentInitialized",
    "RecordAllocation",
    "RecordPayment",
    "TransitionObligation",
    "allocate",
    "allocation_commands",
    "obligation_dates",
    "post_allocation",
    "post_obligation",
    "post_payment",
]

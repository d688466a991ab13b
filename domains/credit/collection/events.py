"""Stored events of obligations, payments and payment allocations."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from domains.credit.primitives import ObligationType

__all__ = [
    "DefaultedRecorded", "DueRecorded", "ObligationCompleted", "ObligationEvent", "ObligationInitialized",
    "OverdueRecorded", "PaymentAllocated", "PaymentAllocationInitialized", "PaymentInitialized",
]


@attrs.frozen
class ObligationInitialized:
    """An amount became owed by a facility (its beneficiary) on a schedule; `created_at` is the sim
    instant it was created (None in events journaled before lanasim stored it)."""

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
    created_at: datetime | None = None


@attrs.frozen
class DueRecorded:
    """The obligation fell due; `effective` is the scheduled due date."""

    amount: int
    effective: date


@attrs.frozen
class OverdueRecorded:
    """The obligation became overdue; `effective` is the scheduled overdue date."""

    amount: int
    effective: date


@attrs.frozen
class DefaultedRecorded:
    """The obligation defaulted; `effective` is the scheduled defaulted date."""

    amount: int
    effective: date


@attrs.frozen
class PaymentAllocated:
    """Part of a payment paid this obligation down."""

    payment_id: str
    allocation_id: str
    amount: int
    effective: date


@attrs.frozen
class ObligationCompleted:
    """Nothing is owed any more on the obligation."""

    effective: date


ObligationEvent = (ObligationInitialized | DueRecorded | OverdueRecorded | DefaultedRecorded | PaymentAllocated
                   | ObligationCompleted)


@attrs.frozen
class PaymentInitialized:
    """A payment towards a facility was recorded from a source account; `created_at` as for
    `ObligationInitialized`."""

    id: str
    facility_id: str
    amount: int
    source_account: str
    effective: date
    created_at: datetime | None = None


@attrs.frozen
class PaymentAllocationInitialized:
    """Part of a payment was allocated to one obligation, from its current receivable bucket;
    `created_at` as for `ObligationInitialized`."""

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

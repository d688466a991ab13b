"""Stored events of collateral, disbursals, obligations, payments and payment allocations."""

from __future__ import annotations

from datetime import date

import attrs

from domains.credit.liquidation_events import CollateralUpdatedViaLiquidation, LiquidationCompleted, LiquidationStarted
from domains.credit.primitives import Direction, ObligationType

__all__ = [
    "CollateralEvent", "CollateralInitialized", "CollateralReleased", "CollateralUpdatedViaCustodianSync",
    "CollateralUpdatedViaManualInput", "DefaultedRecorded", "DisbursalApprovalConcluded", "DisbursalCancelled",
    "DisbursalEvent", "DisbursalInitialized", "DisbursalSettled", "DueRecorded", "ObligationCompleted",
    "ObligationEvent", "ObligationInitialized", "OverdueRecorded", "PaymentAllocated",
    "PaymentAllocationInitialized", "PaymentInitialized",
]


@attrs.frozen
class CollateralInitialized:
    """Collateral (0 sats) was opened for a facility, optionally backed by a custody wallet."""

    id: str
    secured_loan_id: str
    custody_wallet_id: str | None


@attrs.frozen
class CollateralUpdatedViaManualInput:
    """An operator set the collateral to a new absolute amount."""

    tx_id: str
    collateral_amount: int
    abs_diff: int
    direction: Direction
    effective: date


@attrs.frozen
class CollateralUpdatedViaCustodianSync:
    """The custody wallet's balance set the collateral to a new absolute amount."""

    tx_id: str
    collateral_amount: int
    abs_diff: int
    direction: Direction
    effective: date


@attrs.frozen
class CollateralReleased:
    """The facility completed: its collateral went back to the borrower and the collateral closed."""

    tx_id: str
    abs_diff: int
    effective: date


CollateralEvent = (CollateralInitialized | CollateralUpdatedViaManualInput | CollateralUpdatedViaCustodianSync
                   | CollateralReleased | CollateralUpdatedViaLiquidation | LiquidationStarted | LiquidationCompleted)


@attrs.frozen
class DisbursalInitialized:
    """A disbursal was requested from a facility (pre-approved: the initial one at activation)."""

    id: str
    facility_id: str
    amount: int
    disbursal_credit_account_id: str
    due_date: date
    overdue_date: date | None
    liquidation_date: date | None
    defaulted_date: date | None
    pre_approved: bool
    effective: date


@attrs.frozen
class DisbursalApprovalConcluded:
    """The disbursal's approval process concluded."""

    approved: bool


@attrs.frozen
class DisbursalSettled:
    """The money reached the customer's account; it is owed as this obligation."""

    tx_id: str
    obligation_id: str
    amount: int
    effective: date


@attrs.frozen
class DisbursalCancelled:
    """The denied disbursal was cancelled."""

    tx_id: str
    effective: date


DisbursalEvent = DisbursalInitialized | DisbursalApprovalConcluded | DisbursalSettled | DisbursalCancelled


@attrs.frozen
class ObligationInitialized:
    """An amount became owed by a facility (its beneficiary) on a schedule."""

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
    """A payment towards a facility was recorded from a source account."""

    id: str
    facility_id: str
    amount: int
    source_account: str
    effective: date


@attrs.frozen
class PaymentAllocationInitialized:
    """Part of a payment was allocated to one obligation, from its current receivable bucket."""

    id: str
    payment_id: str
    obligation_id: str
    obligation_type: ObligationType
    facility_id: str
    amount: int
    receivable_bucket: str
    allocation_idx: int
    effective: date

"""Stored events of disbursals."""

from __future__ import annotations

from datetime import date

import attrs

__all__ = [
    "DisbursalApprovalConcluded", "DisbursalCancelled", "DisbursalEvent", "DisbursalInitialized", "DisbursalSettled",
    "StructuringFeeCharged",
]


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


@attrs.frozen
class StructuringFeeCharged:
    """The facility's one-time (structuring) fee, taken from the customer's deposit account right
    after the initial disbursal credited it: Lana posts activation, initial disbursal, then fee in
    one operation (core/credit/src/ledger/mod.rs `handle_activation_in_op`)."""

    tx_id: str
    amount: int
    effective: date


DisbursalEvent = (DisbursalInitialized | DisbursalApprovalConcluded | DisbursalSettled | DisbursalCancelled
                  | StructuringFeeCharged)

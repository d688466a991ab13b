"""Typed refusals of the credit module (Lana's `core/credit/**/error.rs`), each with its fields."""

from __future__ import annotations

from typing import TypeVar

from domains.aggregate import Refusal

S = TypeVar("S")

__all__ = [
    "AllocationAboveOutstanding",
    "ApprovalProcessNotStarted",
    "BelowMarginLimit",
    "CreditError",
    "CustomerNotEligible",
    "DisbursalAboveFacilityAmount",
    "DisbursalNotConcluded",
    "DisbursalOnInactiveFacility",
    "DisbursalPastMaturityDate",
    "InsufficientCollateral",
    "InterestAccrualNotCompletedYet",
    "InvalidTerms",
    "LiquidationAlreadyCompleted",
    "ManualUpdateError",
    "MissingId",
    "NegativeCollateral",
    "NoAccrualCycleInProgress",
    "NoActiveLiquidation",
    "NoCollateralSentToLiquidation",
    "NoCustodyWallet",
    "NoSuchLiquidationInitiated",
    "NonPositiveAmount",
    "NotInitialized",
    "OnlyOneDisbursalAllowed",
    "OutstandingAmount",
    "PaymentAboveOutstanding",
    "PaymentOnClosedFacility",
    "PriceUnavailable",
    "UpdateOnClosedFacility",
    "require",
]


class CreditError(Refusal):
    """Base of the credit module's refusals."""


class InvalidTerms(CreditError):
    """Terms out of range or thresholds out of order (field, value, problem)."""


class NonPositiveAmount(CreditError):
    """An int amount that must be > 0 was not (field, amount); a non-int is `WrongType`."""


class CustomerNotEligible(CreditError):
    """The customer is frozen or closed (customer_id, status)."""


class ApprovalProcessNotStarted(CreditError):
    """The proposal was never approved by the customer (proposal_id)."""


class BelowMarginLimit(CreditError):
    """The CVL is below the margin-call CVL (cvl, margin_call_cvl)."""


class DisbursalOnInactiveFacility(CreditError):
    """Disbursals need an Active facility (facility_id, status)."""


class OnlyOneDisbursalAllowed(CreditError):
    """A single-disbursal facility disbursed everything at activation (facility_id)."""


class DisbursalPastMaturityDate(CreditError):
    """No disbursal on or after the maturity date (facility_id, maturity_date)."""


class DisbursalAboveFacilityAmount(CreditError):
    """Total disbursed would exceed the facility amount (facility_id, amount, remaining)."""


class PaymentOnClosedFacility(CreditError):
    """The facility is closed (facility_id)."""


class PriceUnavailable(CreditError):
    """No BTC price is known yet, so the facility's CVL cannot be checked (facility_id)."""


class PaymentAboveOutstanding(CreditError):
    """A payment above the posted outstanding (facility_id, amount, outstanding)."""


class OutstandingAmount(CreditError):
    """Completion needs zero outstanding (facility_id, outstanding)."""


class DisbursalNotConcluded(CreditError):
    """Completion waits for each of the facility's disbursals to be concluded, settled or denied
    (facility_id, disbursal_id: the earliest still awaiting its approval or its settlement)."""


class NegativeCollateral(CreditError):
    """Collateral cannot be negative (facility_id, sats)."""


class UpdateOnClosedFacility(CreditError):
    """A closed facility's collateral cannot change (facility_id)."""


class NoSuchLiquidationInitiated(CreditError):
    """That liquidation is not the running one (facility_id, liquidation_id)."""


class NoActiveLiquidation(CreditError):
    """Only the collateral's running liquidation may send sats out (collateral_id, liquidation_id: None if
    the facility never started one)."""


class InsufficientCollateral(CreditError):
    """More sats sent to liquidation than the collateral holds (collateral_id, sats, amount)."""


class LiquidationAlreadyCompleted(CreditError):
    """The liquidation already received its proceeds (liquidation_id, payment_id of those proceeds)."""


class NoCollateralSentToLiquidation(CreditError):
    """Proceeds of a liquidation that sent no collateral out (liquidation_id)."""


class ManualUpdateError(CreditError):
    """Collateral backed by a custody wallet only changes through custodian syncs (collateral_id, custody_wallet_id)."""


class NoCustodyWallet(CreditError):
    """A custodian sync reached collateral without a custody wallet (collateral_id)."""


class MissingId(CreditError):
    """A command lacks an id the decision needs (field)."""


class InterestAccrualNotCompletedYet(CreditError):
    """The in-progress cycle still has periods to accrue (facility_id, cycle_idx, next_accrual_end)."""


class NoAccrualCycleInProgress(CreditError):
    """Every accrual cycle up to maturity was posted (facility_id)."""


class AllocationAboveOutstanding(CreditError):
    """An allocation above what the obligation still owes (obligation_id, amount, outstanding)."""


class NotInitialized(CreditError):
    """A command reached an entity before its first event (kind)."""


def require(state: S | None, kind: str) -> S:
    """The state of an entity that must exist (the engine refuses unknown ids before this)."""
    if state is None:
        raise NotInitialized(kind=kind)
    return state

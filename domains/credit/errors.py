"""Typed refusals of the credit module (Lana's `core/credit/**/error.rs`), each with its fields."""

from __future__ import annotations

from domains.aggregate import Refusal

__all__ = [
    "ApprovalProcessNotStarted", "BelowMarginLimit", "CreditError", "CustomerNotEligible",
    "DisbursalAboveFacilityAmount", "DisbursalOnInactiveFacility", "DisbursalPastMaturityDate", "InvalidTerms",
    "NegativeCollateral", "NoSuchLiquidationInitiated", "NonPositiveAmount", "OnlyOneDisbursalAllowed",
    "OutstandingAmount", "PaymentAboveOutstanding", "PaymentOnClosedFacility", "UpdateOnClosedFacility",
]


class CreditError(Refusal):
    """Base of the credit module's refusals."""


class InvalidTerms(CreditError):
    """Terms out of range or thresholds out of order (field, value, problem)."""


class NonPositiveAmount(CreditError):
    """An amount that must be > 0 was not (field, amount)."""


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


class PaymentAboveOutstanding(CreditError):
    """A payment above the posted outstanding (facility_id, amount, outstanding)."""


class OutstandingAmount(CreditError):
    """Completion needs zero outstanding (facility_id, outstanding)."""


class NegativeCollateral(CreditError):
    """Collateral cannot be negative (facility_id, sats)."""


class UpdateOnClosedFacility(CreditError):
    """A closed facility's collateral cannot change (facility_id)."""


class NoSuchLiquidationInitiated(CreditError):
    """That liquidation is not the running one (facility_id, liquidation_id)."""

"""Stored events of terms templates, proposals, pending facilities and credit facilities."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from domains.credit.collateral.collateralization import CollateralizationState, PendingCollateralizationState
from domains.credit.periods import Period
from domains.credit.primitives import Outstanding, ProposalStatus
from domains.credit.terms import TermValues

__all__ = [
    "AccrualCycleEvent", "AccrualCycleInitialized", "CollateralizationRatioChanged", "CollateralizationStateChanged",
    "FacilityCompleted", "FacilityDisbursalCancelled",
    "FacilityDisbursalRecorded", "FacilityEvent", "FacilityImported", "FacilityInitialized", "FacilityMatured",
    "InterestAccrualCycleConcluded", "InterestAccrualCycleStarted", "InterestAccrualsPosted", "InterestAccrued",
    "PartialLiquidationInitiated", "PendingCollateralizationRatioChanged", "PendingCollateralizationStateChanged",
    "PendingFacilityCompleted", "PendingFacilityEvent", "PendingFacilityInitialized",
    "ProceedsFromPartialLiquidationApplied", "ProposalApprovalProcessConcluded", "ProposalApprovalProcessStarted",
    "ProposalCustomerApprovalConcluded", "ProposalEvent", "ProposalInitialized", "TermValuesUpdated",
    "TermsTemplateCreated", "TermsTemplateEvent",
]


@attrs.frozen
class TermsTemplateCreated:
    """A named terms template was created."""

    id: str
    name: str
    values: TermValues


@attrs.frozen
class TermValuesUpdated:
    """The template's values were replaced (existing facilities keep their copy)."""

    values: TermValues


TermsTemplateEvent = TermsTemplateCreated | TermValuesUpdated


@attrs.frozen
class ProposalInitialized:
    """A credit facility was proposed to a customer, awaiting the customer's approval."""

    id: str
    customer_id: str
    customer_type: str
    disbursal_credit_account_id: str
    amount: int
    terms: TermValues
    status: ProposalStatus
    created_at: datetime
    custody_wallet_id: str | None = None


@attrs.frozen
class ProposalCustomerApprovalConcluded:
    """The customer accepted (pending approval) or declined (customer denied) the proposal."""

    status: ProposalStatus


@attrs.frozen
class ProposalApprovalProcessStarted:
    """The bank's approval process (same id as the proposal) was started."""

    approval_process_id: str
    status: ProposalStatus


@attrs.frozen
class ProposalApprovalProcessConcluded:
    """The bank approved or denied the proposal."""

    approval_process_id: str
    status: ProposalStatus


ProposalEvent = (ProposalInitialized | ProposalCustomerApprovalConcluded | ProposalApprovalProcessStarted
                 | ProposalApprovalProcessConcluded)


@attrs.frozen
class PendingFacilityInitialized:
    """An approved proposal became a facility waiting for enough collateral."""

    id: str
    proposal_id: str
    customer_id: str
    customer_type: str
    collateral_id: str
    disbursal_credit_account_id: str
    amount: int
    terms: TermValues
    created_at: datetime


@attrs.frozen
class PendingCollateralizationRatioChanged:
    """Collateral sats per cent of the facility amount changed."""

    ratio: Decimal


@attrs.frozen
class PendingCollateralizationStateChanged:
    """The pending facility became (under) collateralized at this collateral and price."""

    state: PendingCollateralizationState
    collateral: int
    price: int


@attrs.frozen
class PendingFacilityCompleted:
    """The pending facility was completed: the credit facility is activated."""

    completed_at: datetime


PendingFacilityEvent = (PendingFacilityInitialized | PendingCollateralizationRatioChanged
                        | PendingCollateralizationStateChanged | PendingFacilityCompleted)


@attrs.frozen
class FacilityInitialized:
    """The credit facility was activated; `initial_disbursal_*` is the automatic first disbursal."""

    id: str
    pending_facility_id: str
    customer_id: str
    customer_type: str
    collateral_id: str
    disbursal_credit_account_id: str
    amount: int
    terms: TermValues
    activated_at: datetime
    maturity_date: date
    activation_tx_id: str
    structuring_fee: int
    structuring_fee_tx_id: str | None
    initial_disbursal_id: str | None
    initial_disbursal_amount: int
    collateralization_state: CollateralizationState
    collateral: int
    outstanding: Outstanding
    price: int
    collateralization_ratio: Decimal | None


@attrs.frozen
class InterestAccrualCycleStarted:
    """An interest accrual cycle (a posting period) began."""

    interest_accrual_id: str
    cycle_idx: int
    period: Period


@attrs.frozen
class AccrualCycleInitialized:
    """A facility's interest accrual cycle (its own aggregate) was created over `period`."""

    id: str
    facility_id: str
    idx: int
    period: Period
    facility_maturity_date: date
    terms: TermValues


@attrs.frozen
class InterestAccrued:
    """One accrual period's interest was accrued (zero amounts included)."""

    cycle_idx: int
    period: Period
    amount: int
    accrued_at: date


@attrs.frozen
class InterestAccrualsPosted:
    """The cycle's accruals were posted; an interest obligation exists iff total > 0."""

    cycle_idx: int
    period: Period
    total: int
    obligation_id: str | None
    effective: date
    tx_id: str


@attrs.frozen
class InterestAccrualCycleConcluded:
    """The cycle was concluded after its posting."""

    cycle_idx: int
    tx_id: str
    obligation_id: str | None


@attrs.frozen
class CollateralizationStateChanged:
    """The facility's collateralization state changed; `outstanding` is the payable part."""

    state: CollateralizationState
    collateral: int
    outstanding: Outstanding
    price: int


@attrs.frozen
class CollateralizationRatioChanged:
    """Collateral sats per outstanding cent changed (None: nothing outstanding)."""

    ratio: Decimal | None


@attrs.frozen
class PartialLiquidationInitiated:
    """The facility fell under its liquidation CVL: part of the collateral is to be sold."""

    liquidation_id: str
    trigger_price: int
    initially_expected_to_receive: int
    initially_estimated_to_liquidate: int


@attrs.frozen
class ProceedsFromPartialLiquidationApplied:
    """The running liquidation's proceeds were applied; a new one may start."""

    liquidation_id: str


@attrs.frozen
class FacilityDisbursalRecorded:
    """A disbursal of this amount was initiated against the facility."""

    disbursal_id: str
    amount: int


@attrs.frozen
class FacilityDisbursalCancelled:
    """A denied disbursal's amount went back to the facility's limit."""

    disbursal_id: str
    amount: int


@attrs.frozen
class FacilityImported:
    """The facility was imported as a book stated it on `as_of`: `disbursed` paid out before the
    import, `principal` and posted `interest` still owed then (its `FacilityInitialized` carries the
    rest). Changes no state; published as lanasim's extension envelope, so an outbox consumer can
    rebuild the book (Lana's public facility carries no terms)."""

    as_of: date
    disbursed: int
    principal: int
    interest: int


@attrs.frozen
class FacilityMatured:
    """The facility reached its maturity date."""


@attrs.frozen
class FacilityCompleted:
    """The facility was closed with nothing outstanding."""

    completed_at: datetime


AccrualCycleEvent = AccrualCycleInitialized | InterestAccrued | InterestAccrualsPosted

FacilityEvent = (FacilityInitialized | InterestAccrualCycleStarted
                 | InterestAccrualCycleConcluded | CollateralizationStateChanged | CollateralizationRatioChanged
                 | PartialLiquidationInitiated | ProceedsFromPartialLiquidationApplied | FacilityDisbursalRecorded
                 | FacilityDisbursalCancelled | FacilityMatured | FacilityCompleted | FacilityImported)

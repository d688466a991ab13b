"""Facility sub-domain (Lana `core/credit`): terms templates, proposals, pending and active
facilities, disbursals, interest accrual cycles, and the rules for activation, pending completion,
proposal eligibility, payments on closed facilities and the disbursal gate."""

from __future__ import annotations

from domains.credit.commands import (
    AccrueInterest, ActivateFacility, ApplyLiquidationProceeds, CompleteFacility, CompletePendingFacility,
    ConcludeAccrualCycle, ConcludeApprovalProcess, ConcludeCustomerApproval, ConcludeDisbursalApproval,
    CreatePendingFacility, CreateProposal, CreateTermsTemplate, ImportAccrualCycle, InitiateDisbursal, Mature,
    PostAccruedInterest, RecordDisbursalCancelled, RecordDisbursalInitiated, StartAccrualCycle,
    UpdateCollateralization, UpdatePendingCollateralization, UpdateTermValues,
)
from domains.credit.errors import (
    ApprovalProcessNotStarted, BelowMarginLimit, CustomerNotEligible, DisbursalAboveFacilityAmount,
    DisbursalOnInactiveFacility, DisbursalPastMaturityDate, InterestAccrualNotCompletedYet, NoSuchLiquidationInitiated,
    OnlyOneDisbursalAllowed, OutstandingAmount, PaymentOnClosedFacility,
)
from domains.credit.facility.accrual_cycle import InterestAccrualCycle, accruing_from, next_accrual_end, start_cycle
from domains.credit.facility.activation import activate, activation_amounts
from domains.credit.facility.cycle import next_accrual
from domains.credit.facility.disbursal import conclude_approval
from domains.credit.facility.disbursal_events import (
    DisbursalApprovalConcluded, DisbursalCancelled, DisbursalInitialized, DisbursalSettled,
)
from domains.credit.facility.eligibility import deposit_account_for_proposal, require_eligible, require_open_for_payment
from domains.credit.facility.end_of_day import accrual_due, completes_cycle, due_to_mature, post_cycle
from domains.credit.facility.events import (
    AccrualCycleInitialized, CollateralizationRatioChanged, CollateralizationStateChanged, FacilityCompleted,
    FacilityDisbursalCancelled, FacilityDisbursalRecorded, FacilityInitialized, FacilityMatured,
    InterestAccrualCycleConcluded, InterestAccrualCycleStarted, InterestAccrualsPosted, InterestAccrued,
    PartialLiquidationInitiated, PendingCollateralizationRatioChanged, PendingCollateralizationStateChanged,
    PendingFacilityCompleted, PendingFacilityInitialized, ProceedsFromPartialLiquidationApplied,
    ProposalApprovalProcessConcluded, ProposalApprovalProcessStarted, ProposalCustomerApprovalConcluded,
    ProposalInitialized, TermsTemplateCreated, TermValuesUpdated,
)
from domains.credit.facility.margin import assert_disbursal_allowed
from domains.credit.facility.pending import PendingFacility, complete_when_collateralized, completion_shortfall
from domains.credit.facility.posting import post_accrual_cycle, post_disbursal, post_facility, post_pending_facility
from domains.credit.facility.proposal import open_pending_facility

__all__ = [
    "conclude_approval", "open_pending_facility",
    "AccrualCycleInitialized",
    "AccrueInterest",
    "ActivateFacility",
    "ApplyLiquidationProceeds",
    "ApprovalProcessNotStarted",
    "BelowMarginLimit",
    "CollateralizationRatioChanged",
    "CollateralizationStateChanged",
    "CompleteFacility",
    "CompletePendingFacility",
    "ConcludeAccrualCycle",
    "ConcludeApprovalProcess",
    "ConcludeCustomerApproval",
    "ConcludeDisbursalApproval",
    "CreatePendingFacility",
    "CreateProposal",
    "CreateTermsTemplate",
    "CustomerNotEligible",
    "DisbursalAboveFacilityAmount",
    "DisbursalApprovalConcluded",
    "DisbursalCancelled",
    "DisbursalInitialized",
    "DisbursalOnInactiveFacility",
    "DisbursalPastMaturityDate",
    "DisbursalSettled",
    "FacilityCompleted",
    "FacilityDisbursalCancelled",
    "FacilityDisbursalRecorded",
    "FacilityInitialized",
    "FacilityMatured",
    "ImportAccrualCycle",
    "InitiateDisbursal",
    "InterestAccrualCycle",
    "InterestAccrualCycleConcluded",
    "InterestAccrualCycleStarted",
    "InterestAccrualNotCompletedYet",
    "InterestAccrualsPosted",
    "InterestAccrued",
    "Mature",
    "NoSuchLiquidationInitiated",
    "OnlyOneDisbursalAllowed",
    "OutstandingAmount",
    "PartialLiquidationInitiated",
    "PaymentOnClosedFacility",
    "PendingCollateralizationRatioChanged",
    "PendingCollateralizationStateChanged",
    "PendingFacility",
    "PendingFacilityCompleted",
    "PendingFacilityInitialized",
    "PostAccruedInterest",
    "ProceedsFromPartialLiquidationApplied",
    "ProposalApprovalProcessConcluded",
    "ProposalApprovalProcessStarted",
    "ProposalCustomerApprovalConcluded",
    "ProposalInitialized",
    "RecordDisbursalCancelled",
    "RecordDisbursalInitiated",
    "StartAccrualCycle",
    "TermValuesUpdated",
    "TermsTemplateCreated",
    "UpdateCollateralization",
    "UpdatePendingCollateralization",
    "UpdateTermValues",
    "accrual_due",
    "accruing_from",
    "activate",
    "activation_amounts",
    "assert_disbursal_allowed",
    "complete_when_collateralized",
    "completes_cycle",
    "completion_shortfall",
    "deposit_account_for_proposal",
    "due_to_mature",
    "next_accrual",
    "next_accrual_end",
    "post_cycle",
    "post_accrual_cycle",
    "post_disbursal",
    "post_facility",
    "post_pending_facility",
    "require_eligible",
    "require_open_for_payment",
    "start_cycle",
]

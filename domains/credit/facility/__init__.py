"""Facility sub-domain (Lana `core/credit`): terms templates, proposals, pending and active
facilities, disbursals, interest accrual cycles, and the rules for activation, pending completion,
proposal eligibility, payments on closed facilities and the disbursal gate."""

from __future__ import annotations

from domains.credit.commands import (
    AccrueInterest,
    ActivateFacility,
    ApplyLiquidationProceeds,
    CompleteFacility,
    CompletePendingFacility,
    ConcludeApprovalProcess,
    ConcludeCustomerApproval,
    ConcludeDisbursalApproval,
    CreatePendingFacility,
    CreateProposal,
    CreateTermsTemplate,
    InitiateDisbursal,
    Mature,
    PostAccruedInterest,
    RecordDisbursalCancelled,
    RecordDisbursalInitiated,
    UpdateCollateralization,
    UpdatePendingCollateralization,
    UpdateTermValues,
)
from domains.credit.errors import (
    ApprovalProcessNotStarted,
    BelowMarginLimit,
    CustomerNotEligible,
    DisbursalAboveFacilityAmount,
    DisbursalOnInactiveFacility,
    DisbursalPastMaturityDate,
    InterestAccrualNotCompletedYet,
    NoAccrualCycleInProgress,
    NoSuchLiquidationInitiated,
    OnlyOneDisbursalAllowed,
    OutstandingAmount,
    PaymentOnClosedFacility,
)
from domains.credit.facility.activation import (
    ActivationAmounts,
    activate,
    activation_amounts,
)
from domains.credit.facility.active import Facility, next_accrual_end
from domains.credit.facility.cycle import AccrualCycle, next_accrual
from domains.credit.facility.disbursal import Disbursal
from domains.credit.facility.disbursal_events import (
    DisbursalApprovalConcluded,
    DisbursalCancelled,
    DisbursalEvent,
    DisbursalInitialized,
    DisbursalSettled,
)
from domains.credit.facility.eligibility import (
    deposit_account_for_proposal,
    require_eligible,
    require_open_for_payment,
)
from domains.credit.facility.events import (
    CollateralizationRatioChanged,
    CollateralizationStateChanged,
    FacilityCompleted,
    FacilityDisbursalCancelled,
    FacilityDisbursalRecorded,
    FacilityEvent,
    FacilityInitialized,
    FacilityMatured,
    InterestAccrualCycleConcluded,
    InterestAccrualCycleStarted,
    InterestAccrualsPosted,
    InterestAccrued,
    PartialLiquidationInitiated,
    PendingCollateralizationRatioChanged,
    PendingCollateralizationStateChanged,
    PendingFacilityCompleted,
    PendingFacilityEvent,
    PendingFacilityInitialized,
    ProceedsFromPartialLiquidationApplied,
    ProposalApprovalProcessConcluded,
    ProposalApprovalProcessStarted,
    ProposalCustomerApprovalConcluded,
    ProposalEvent,
    ProposalInitialized,
    TermsTemplateCreated,
    TermsTemplateEvent,
    TermValuesUpdated,
)
from domains.credit.facility.margin import assert_disbursal_allowed, ratio_of
from domains.credit.facility.pending import (
    PendingFacility,
    complete_when_collateralized,
    completion_shortfall,
)
from domains.credit.facility.posting import (
    post_disbursal,
    post_facility,
    post_pending_facility,
)
from domains.credit.facility.proposal import Proposal
from domains.credit.facility.terms_template import TermsTemplate

__all__ = [
    "AccrualCycle", "AccrueInterest", "ActivateFacility", "ActivationAmounts", "ApplyLiquidationProceeds",
    "ApprovalProcessNotStarted", "BelowMarginLimit", "CollateralizationRatioChanged",
    "CollateralizationStateChanged", "CompleteFacility", "CompletePendingFacility", "ConcludeApprovalProcess",
    "ConcludeCustomerApproval", "ConcludeDisbursalApproval", "CreatePendingFacility", "CreateProposal",
    "CreateTermsTemplate", "CustomerNotEligible", "Disbursal", "DisbursalAboveFacilityAmount",
    "DisbursalApprovalConcluded", "DisbursalCancelled", "DisbursalEvent", "DisbursalInitialized",
    "DisbursalOnInactiveFacility", "DisbursalPastMaturityDate", "DisbursalSettled", "Facility", "FacilityCompleted",
    "FacilityDisbursalCancelled", "FacilityDisbursalRecorded", "FacilityEvent", "FacilityInitialized",
    "FacilityMatured", "InitiateDisbursal", "InterestAccrualCycleConcluded", "InterestAccrualCycleStarted",
    "InterestAccrualNotCompletedYet", "InterestAccrualsPosted", "InterestAccrued", "Mature",
    "NoAccrualCycleInProgress", "NoSuchLiquidationInitiated", "OnlyOneDisbursalAllowed", "OutstandingAmount",
    "PartialLiquidationInitiated", "PaymentOnClosedFacility", "PendingCollateralizationRatioChanged",
    "PendingCollateralizationStateChanged", "PendingFacility", "PendingFacilityCompleted", "PendingFacilityEvent",
    "PendingFacilityInitialized", "PostAccruedInterest", "ProceedsFromPartialLiquidationApplied", "Proposal",
    "ProposalApprovalProcessConcluded", "ProposalApprovalProcessStarted", "ProposalCustomerApprovalConcluded",
    "ProposalEvent", "ProposalInitialized", "RecordDisbursalCancelled", "RecordDisbursalInitiated",
    "TermValuesUpdated", "TermsTemplate", "TermsTemplateCreated", "TermsTemplateEvent", "UpdateCollateralization",
    "UpdatePendingCollateralization", "UpdateTermValues", "activate", "activation_amounts",
    "assert_disbursal_allowed", "complete_when_collateralized", "completion_shortfall",
    "deposit_account_for_proposal", "next_accrual", "next_accrual_end", "post_disbursal", "post_facility",
    "post_pending_facility", "ratio_of", "require_eligible", "require_open_for_payment",
]

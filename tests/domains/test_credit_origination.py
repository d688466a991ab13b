"""Credit origination: terms templates, proposals and pending facilities (given events -> when command -> then)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domains.credit import (
    PENDING_CREDIT_FACILITY,
    PROPOSAL,
    TERMS_TEMPLATE,
    NonPositiveAmount,
    ProposalStatus,
    std_terms,
)
from domains.credit.collateral import PendingCollateralizationState
from domains.credit.facility import (
    ApprovalProcessNotStarted,
    BelowMarginLimit,
    CompletePendingFacility,
    ConcludeApprovalProcess,
    ConcludeCustomerApproval,
    CreatePendingFacility,
    CreateProposal,
    CreateTermsTemplate,
    PendingCollateralizationRatioChanged,
    PendingCollateralizationStateChanged,
    PendingFacilityCompleted,
    PendingFacilityInitialized,
    ProposalApprovalProcessConcluded,
    ProposalApprovalProcessStarted,
    ProposalCustomerApprovalConcluded,
    ProposalInitialized,
    TermsTemplateCreated,
    TermValuesUpdated,
    UpdatePendingCollateralization,
    UpdateTermValues,
    post_pending_facility,
)
from tests.domains.support import fold

AT = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
TERMS = std_terms()
BTC = 100_000_000
PRICE = 5_000_000_000  # $50,000 per BTC, in cents
AMOUNT = 100_000_000  # $1,000,000
P = ProposalStatus
PROPOSED = ProposalInitialized("f-1", "c-1", "individual", "d-1", AMOUNT, TERMS, P.PENDING_CUSTOMER_APPROVAL, AT)
CUSTOMER_APPROVED = (ProposalCustomerApprovalConcluded(P.PENDING_APPROVAL),
                     ProposalApprovalProcessStarted("f-1", P.PENDING_APPROVAL))
PENDING = PendingFacilityInitialized("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT, TERMS, AT)
FULLY = PendingCollateralizationState.FULLY_COLLATERALIZED
UNDER = PendingCollateralizationState.UNDER_COLLATERALIZED


state = fold  # the state `spec.apply` builds from the events


def when(spec, history, command, at=AT):
    return spec.decide(state(spec, *history), command, at)


def sats_for_cvl(pct: int) -> int:
    """Collateral worth exactly `pct` % of AMOUNT at PRICE."""
    return AMOUNT * pct // 100 * BTC // PRICE


# -- terms template ---------------------------------------------------------------------------------
def test_a_template_is_created_then_updated_only_when_its_values_differ():
    created = TermsTemplateCreated("t-1", "Lana Bank Terms", TERMS)
    assert when(TERMS_TEMPLATE, (), CreateTermsTemplate("t-1", "Lana Bank Terms", TERMS)) == (created,)
    assert when(TERMS_TEMPLATE, (created,), UpdateTermValues(TERMS)) == ()
    changed = std_terms(annual_rate=Decimal(10))
    assert when(TERMS_TEMPLATE, (created,), UpdateTermValues(changed)) == (TermValuesUpdated(changed),)


def test_the_template_name_is_a_unique_column():
    (column,) = TERMS_TEMPLATE.columns
    assert (column.name, column.unique, column.value(state(TERMS_TEMPLATE, TermsTemplateCreated("t", "n", TERMS)))) \
        == ("name", True, "n")


# -- proposal ---------------------------------------------------------------------------------------
def test_a_proposal_awaits_the_customer_and_records_when_it_was_created():
    command = CreateProposal("f-1", "c-1", "individual", "d-1", AMOUNT, TERMS)
    assert when(PROPOSAL, (), command) == (PROPOSED,)
    assert when(PROPOSAL, (PROPOSED,), command) == ()


def test_a_proposal_of_zero_is_refused_with_its_field():
    with pytest.raises(NonPositiveAmount) as refused:
        CreateProposal("f-1", "c-1", "individual", "d-1", 0, TERMS)
    assert (refused.value.field, refused.value.amount) == ("amount", 0)


def test_customer_approval_starts_the_approval_process_under_the_proposal_id():
    assert when(PROPOSAL, (PROPOSED,), ConcludeCustomerApproval(True)) == CUSTOMER_APPROVED
    assert when(PROPOSAL, (PROPOSED, *CUSTOMER_APPROVED), ConcludeCustomerApproval(True)) == ()


def test_a_customer_denial_ends_the_proposal_without_a_process():
    denied = ProposalCustomerApprovalConcluded(P.CUSTOMER_DENIED)
    assert when(PROPOSAL, (PROPOSED,), ConcludeCustomerApproval(False)) == (denied,)
    with pytest.raises(ApprovalProcessNotStarted) as refused:
        when(PROPOSAL, (PROPOSED, denied), ConcludeApprovalProcess(True))
    assert refused.value.proposal_id == "f-1"


def test_the_bank_approves_once_and_the_conclusion_is_public():
    history = (PROPOSED, *CUSTOMER_APPROVED)
    concluded = ProposalApprovalProcessConcluded("f-1", P.APPROVED)
    assert when(PROPOSAL, history, ConcludeApprovalProcess(True)) == (concluded,)
    assert when(PROPOSAL, (*history, concluded), ConcludeApprovalProcess(False)) == ()
    (public,) = PROPOSAL.publish(state(PROPOSAL, *history, concluded), concluded)
    assert public.name == "FacilityProposalConcluded"
    assert public.payload["entity"] == {"id": "f-1", "status": "Approved", "amount": AMOUNT,
                                        "terms": public.payload["entity"]["terms"], "customer_id": "c-1",
                                        "created_at": "2024-01-15T10:30:00Z"}
    assert public.payload["entity"]["terms"]["annual_rate"] == "12"


def test_a_denied_process_denies_the_proposal():
    history = (PROPOSED, *CUSTOMER_APPROVED)
    assert when(PROPOSAL, history, ConcludeApprovalProcess(False)) == (
        ProposalApprovalProcessConcluded("f-1", P.DENIED),)


# -- pending facility -------------------------------------------------------------------------------
def test_a_pending_facility_posts_the_proposal_on_the_pending_layer():
    command = CreatePendingFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT, TERMS)
    assert when(PENDING_CREDIT_FACILITY, (), command) == (PENDING,)
    (tx,) = post_pending_facility(state(PENDING_CREDIT_FACILITY, PENDING), PENDING)
    assert (tx.template, [(e.account, e.side.value, e.amount, e.layer.value) for e in tx.entries]) == (
        "CREATE_CREDIT_FACILITY_PROPOSAL",
        [("facility-omnibus", "debit", AMOUNT, "pending"), ("facility:f-1", "credit", AMOUNT, "pending")])


def test_collateral_below_margin_call_of_the_full_amount_is_under_collateralized():
    sats = sats_for_cvl(124)
    events = when(PENDING_CREDIT_FACILITY, (PENDING,), UpdatePendingCollateralization(sats, PRICE))
    assert events == (PendingCollateralizationRatioChanged(Decimal(sats) / AMOUNT),
                      PendingCollateralizationStateChanged(UNDER, sats, PRICE))


def test_reaching_margin_call_cvl_exactly_is_fully_collateralized_and_public():
    sats = sats_for_cvl(125)
    history = (PENDING, PendingCollateralizationStateChanged(UNDER, 1, PRICE))
    events = when(PENDING_CREDIT_FACILITY, history, UpdatePendingCollateralization(sats, PRICE))
    assert events[-1] == PendingCollateralizationStateChanged(FULLY, sats, PRICE)
    (public,) = PENDING_CREDIT_FACILITY.publish(state(PENDING_CREDIT_FACILITY, *history, *events), events[-1])
    assert (public.name, public.payload["entity"]["collateralization"]) == (
        "PendingCreditFacilityCollateralizationChanged",
        {"state": "FullyCollateralized", "collateral": sats, "price_at_state_change": PRICE})


def test_the_same_collateral_and_state_again_records_nothing():
    sats = sats_for_cvl(130)
    history = (PENDING, PendingCollateralizationRatioChanged(Decimal(sats) / AMOUNT),
               PendingCollateralizationStateChanged(FULLY, sats, PRICE))
    assert when(PENDING_CREDIT_FACILITY, history, UpdatePendingCollateralization(sats, PRICE)) == ()


def test_the_ratio_column_is_null_until_the_first_update():
    ratio = next(c for c in PENDING_CREDIT_FACILITY.columns if c.name == "collateralization_ratio")
    assert ratio.value(state(PENDING_CREDIT_FACILITY, PENDING)) is None
    assert ratio.value(state(PENDING_CREDIT_FACILITY, PENDING, PendingCollateralizationRatioChanged(Decimal(2)))) == 2


def test_completion_below_margin_call_is_refused_with_the_cvl():
    with pytest.raises(BelowMarginLimit) as refused:
        when(PENDING_CREDIT_FACILITY, (PENDING,), CompletePendingFacility(sats_for_cvl(124), PRICE))
    assert (refused.value.cvl, refused.value.margin_call_cvl) == (Decimal(124), Decimal(125))


def test_completion_at_margin_call_completes_once_and_ignores_later_updates():
    completed = PendingFacilityCompleted(AT)
    assert when(PENDING_CREDIT_FACILITY, (PENDING,), CompletePendingFacility(sats_for_cvl(125), PRICE)) == (completed,)
    done = (PENDING, completed)
    assert when(PENDING_CREDIT_FACILITY, done, CompletePendingFacility(sats_for_cvl(125), PRICE)) == ()
    assert when(PENDING_CREDIT_FACILITY, done, UpdatePendingCollateralization(1, PRICE)) == ()
    assert state(PENDING_CREDIT_FACILITY, *done).status == "completed"

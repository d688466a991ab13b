"""What the facility's process managers send on a verdict (given a state -> when the proposal or
a disbursal is concluded -> then these commands)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domains.credit import DISBURSAL, PROPOSAL, ObligationType, ProposalStatus, std_terms
from domains.credit.collateral import CreateCollateral
from domains.credit.collection import CreateObligation
from domains.credit.facility import (
    ConcludeDisbursalApproval,
    CreatePendingFacility,
    InitiateDisbursal,
    ProposalInitialized,
    RecordDisbursalCancelled,
    conclude_approval,
    open_pending_facility,
)
from tests.domains.support import fold

AT = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
TERMS = std_terms()
DUE, OVERDUE = date(2024, 4, 15), date(2024, 6, 4)


def test_an_approved_proposal_opens_its_collateral_and_its_pending_facility_under_its_id():
    proposal = fold(PROPOSAL, ProposalInitialized("f-1", "c-1", "individual", "d-1", 100_000_00, TERMS,
                                                  ProposalStatus.PENDING_CUSTOMER_APPROVAL, AT, "w-1"))
    collateral, pending = open_pending_facility(proposal, "col-1")
    assert (collateral.kind, collateral.id, collateral.command) == ("collateral", "col-1",
                                                                    CreateCollateral("col-1", "f-1", "w-1"))
    assert (pending.kind, pending.id, pending.command) == ("pending-credit-facility", "f-1", CreatePendingFacility(
        "f-1", "f-1", "c-1", "individual", "col-1", "d-1", 100_000_00, TERMS))


def a_disbursal():
    command = InitiateDisbursal("d-9", "f-1", 5_000_00, "dep-1", DUE, OVERDUE)
    return fold(DISBURSAL, *DISBURSAL.decide(None, command, AT))


def test_an_approved_disbursal_settles_into_a_principal_obligation_due_on_its_due_date():
    settle, obligation = conclude_approval(a_disbursal(), True, date(2024, 2, 1), lambda: "o-1")
    assert settle.command == ConcludeDisbursalApproval(True, "o-1", date(2024, 2, 1))
    assert obligation.command == CreateObligation("o-1", "f-1", ObligationType.DISBURSAL, 5_000_00, "disbursal-d-9",
                                                  DUE, OVERDUE, None, None, date(2024, 2, 1))


def test_a_denied_disbursal_is_cancelled_on_its_facility_and_draws_no_id():
    def no_id() -> str:
        raise AssertionError("a denied disbursal needs no obligation id")
    conclude, cancel = conclude_approval(a_disbursal(), False, date(2024, 2, 1), no_id)
    assert conclude.command == ConcludeDisbursalApproval(False, None, date(2024, 2, 1))
    assert (cancel.kind, cancel.id, cancel.command) == ("credit-facility", "f-1", RecordDisbursalCancelled("d-9"))

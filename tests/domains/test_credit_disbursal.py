"""Disbursals: the pre-approved initial one settles at once; others settle or cancel on approval."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domains.credit import DISBURSAL, MissingId, NonPositiveAmount
from domains.credit.facility import (
    ConcludeDisbursalApproval,
    DisbursalApprovalConcluded,
    DisbursalCancelled,
    DisbursalInitialized,
    DisbursalSettled,
    InitiateDisbursal,
    post_disbursal,
)
from tests.domains.support import fold

AT = datetime(2024, 1, 10, 12, tzinfo=UTC)
DAY, DUE = date(2024, 1, 10), date(2024, 4, 10)
NEW = DisbursalInitialized("disb-1", "f-1", 5_000, "d-1", DUE, date(2024, 5, 30), None, None, False, DAY)


def state(*events):
    return fold(DISBURSAL, *events)


def when(history, command):
    return DISBURSAL.decide(state(*history), command, AT)


def initiate(pre_approved=False, obligation_id=None):
    return InitiateDisbursal("disb-1", "f-1", 5_000, "d-1", DUE, date(2024, 5, 30), None, None, pre_approved,
                             obligation_id)


def templates(history):
    return [tx.template for e in history for tx in post_disbursal(state(*history), e)]


def test_a_disbursal_of_zero_is_refused():
    with pytest.raises(NonPositiveAmount) as refused:
        InitiateDisbursal("disb-1", "f-1", 0, "d-1", DUE)
    assert refused.value.amount == 0


def test_the_initial_disbursal_is_approved_and_settled_at_once():
    events = when((), initiate(pre_approved=True, obligation_id="ob-1"))
    assert events[1:] == (DisbursalApprovalConcluded(True), DisbursalSettled("disb-1", "ob-1", 5_000, DAY))
    assert templates(events) == ["INITIAL_DISBURSAL"]
    assert state(*events).status.value == "confirmed"


def test_a_pre_approved_disbursal_needs_its_obligation_id():
    with pytest.raises(MissingId) as refused:
        when((), initiate(pre_approved=True))
    assert refused.value.field == "obligation_id"


def test_an_ordinary_disbursal_waits_for_approval_then_settles_once():
    assert when((), initiate()) == (NEW,)
    settled = when((NEW,), ConcludeDisbursalApproval(True, "ob-1", date(2024, 1, 11)))
    assert settled == (DisbursalApprovalConcluded(True), DisbursalSettled("disb-1-confirm", "ob-1", 5_000,
                                                                         date(2024, 1, 11)))
    assert when((NEW, *settled), ConcludeDisbursalApproval(True, "ob-2", DAY)) == ()
    assert templates((NEW, *settled)) == ["INITIATE_CREDIT_FACILITY_DISBURSAL", "CONFIRM_DISBURSAL"]


def test_a_denied_disbursal_is_cancelled_and_its_limit_restored():
    denied = when((NEW,), ConcludeDisbursalApproval(False, None, DAY))
    assert denied == (DisbursalApprovalConcluded(False), DisbursalCancelled("disb-1-cancel", DAY))
    assert templates((NEW, *denied)) == ["INITIATE_CREDIT_FACILITY_DISBURSAL", "CANCEL_DISBURSAL"]
    assert state(NEW, *denied).status.value == "denied"


def test_settlement_is_public_with_its_transaction():
    settled = (NEW, DisbursalApprovalConcluded(True), DisbursalSettled("disb-1-confirm", "ob-1", 5_000, DAY))
    names = [p.name for e in settled for p in DISBURSAL.publish(state(*settled), e)]
    (public,) = DISBURSAL.publish(state(*settled), settled[-1])
    assert names == ["DisbursalApprovalConcluded", "DisbursalSettled"]
    assert public.payload["entity"] == {"id": "disb-1", "credit_facility_id": "f-1", "amount": 5_000,
                                        "status": "Confirmed",
                                        "settlement": {"tx_id": "disb-1-confirm", "effective": "2024-01-10"}}

"""Credit facility: activation, maturity, completion (its accrual cycles: test_credit_accrual_cycle)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domains.credit import CREDIT_FACILITY, DISBURSAL, DisbursalPolicy, MissingId, Period, std_terms
from domains.credit.commands import InitiateDisbursal
from domains.credit.facility import (
    ActivateFacility,
    CompleteFacility,
    FacilityCompleted,
    FacilityMatured,
    InterestAccrualCycleStarted,
    Mature,
    OutstandingAmount,
    post_disbursal,
    post_facility,
)
from tests.domains.support import fold

AT = datetime(2023, 12, 15, 9, 0, tzinfo=UTC)
AMOUNT = 1_000_000_000  # $10M
PRICE = 5_000_000_000
DAILY = 328_768  # $10M x 12% / 365, rounded up


def state(*events):
    return fold(CREDIT_FACILITY, *events)


def when(history, command, at=AT):
    return CREDIT_FACILITY.decide(state(*history), command, at)


def activate(terms=None, activated_at=AT, fee_tx="fee-tx", disbursal="disb-1"):
    command = ActivateFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT, terms or std_terms(),
                               230_000_000, PRICE, activated_at, fee_tx, disbursal)
    return CREDIT_FACILITY.decide(None, command, activated_at)


# -- activation -------------------------------------------------------------------------------------
def test_activation_sets_maturity_fee_and_the_first_cycle_truncated_at_month_end():
    initialized, started = activate()
    assert (initialized.maturity_date, initialized.structuring_fee, initialized.structuring_fee_tx_id) == (
        date(2024, 3, 15), 100_000, "fee-tx")
    assert (initialized.initial_disbursal_id, initialized.initial_disbursal_amount) == ("disb-1", AMOUNT)
    assert started == InterestAccrualCycleStarted("f-1-cycle-1", 1, Period(date(2023, 12, 15), date(2023, 12, 31)))


def test_activating_twice_changes_nothing():
    assert when(activate(), ActivateFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT, std_terms(),
                                             1, PRICE, AT, "fee-tx", "disb-1")) == ()


def test_a_fee_without_its_transaction_id_is_refused_by_field():
    with pytest.raises(MissingId) as refused:
        activate(fee_tx=None)
    assert refused.value.field == "structuring_fee_tx_id"


def test_a_multi_disbursal_facility_disburses_only_its_fee_and_none_without_a_fee():
    multi = dict(disbursal_policy=DisbursalPolicy.MULTIPLE)
    (with_fee, _) = activate(std_terms(**multi))
    (no_fee, _) = activate(std_terms(**multi, one_time_fee_rate=Decimal(0)), fee_tx=None, disbursal=None)
    assert (with_fee.initial_disbursal_amount, with_fee.outstanding.disbursed) == (100_000, 0)
    assert (no_fee.initial_disbursal_id, no_fee.structuring_fee_tx_id, no_fee.collateralization_ratio) == (
        None, None, None)


def test_activation_posts_the_facility_then_its_initial_disbursal_charges_the_fee_from_the_deposit_it_credited():
    history = activate()
    assert [t.template for t in post_facility(state(*history), history[0])] == ["ACTIVATE_CREDIT_FACILITY"]
    initial = InitiateDisbursal("disb-1", "f-1", AMOUNT, "d-1", date(2024, 3, 15), pre_approved=True,
                                obligation_id="o-1", effective=AT.date(), structuring_fee=100_000,
                                structuring_fee_tx_id="fee-tx")
    disbursal, postings = None, []
    for event in DISBURSAL.decide(None, initial, AT):
        disbursal = DISBURSAL.apply(disbursal, event)
        postings += post_disbursal(disbursal, event)
    assert [(t.template, t.tx_id) for t in postings] == [  # Lana: activation, initial disbursal, then fee
        ("INITIAL_DISBURSAL", "disb-1"), ("ADD_STRUCTURING_FEE", "fee-tx")]
    assert [(e.account, e.side.value, e.amount) for e in postings[-1].entries] == [
        ("deposit:d-1", "debit", 100_000), ("fee-income:f-1", "credit", 100_000)]


def test_activation_is_public_with_its_collateralization():
    history = activate()
    (public,) = CREDIT_FACILITY.publish(state(*history), history[0])
    entity = public.payload["entity"]
    assert (public.module, public.name, entity["activated_at"], entity["activation_tx_id"]) == (
        "Credit", "FacilityActivated", "2023-12-15T09:00:00Z", "f-1-activation")
    assert entity["collateralization"] == {"state": "FullyCollateralized", "collateral": 230_000_000,
                                           "outstanding": {"disbursed": AMOUNT, "interest": 0},
                                           "price_at_state_change": PRICE}


# -- maturity and completion ------------------------------------------------------------------------
def test_the_facility_matures_once_on_its_maturity_date():
    history = activate()
    assert when(history, Mature(date(2024, 3, 14))) == ()
    assert when(history, Mature(date(2024, 3, 15))) == (FacilityMatured(),)
    assert when((*history, FacilityMatured()), Mature(date(2024, 3, 16))) == ()
    assert state(*history, FacilityMatured()).status.value == "matured"


def test_a_closed_facility_never_matures():
    assert when((*activate(), FacilityCompleted(AT)), Mature(date(2024, 3, 15))) == ()


def test_completion_with_anything_outstanding_is_refused_with_the_amount():
    with pytest.raises(OutstandingAmount) as refused:
        when(activate(), CompleteFacility(1))
    assert (refused.value.facility_id, refused.value.outstanding) == ("f-1", 1)


def test_completion_closes_once_and_is_public_with_its_time():
    done = datetime(2024, 4, 1, tzinfo=UTC)
    history = activate()
    assert when(history, CompleteFacility(0), done) == (FacilityCompleted(done),)
    closed = (*history, FacilityCompleted(done))
    assert when(closed, CompleteFacility(0)) == ()
    (public,) = CREDIT_FACILITY.publish(state(*closed), closed[-1])
    assert (public.name, public.payload["entity"]["completed_at"]) == ("FacilityCompleted", "2024-04-01T00:00:00Z")

"""The credit rules the process managers and the operator API only carry out: activation amounts,
the pending-completion check, the sizing of liquidation proceeds, and the refusals (given -> when -> then)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

import pytest

from domains.accounting import chart
from domains.credit import CREDIT_FACILITY, PENDING_CREDIT_FACILITY, DisbursalPolicy, FacilityStatus, std_terms
from domains.credit.collateral import PendingCollateralizationState, payable, record_proceeds
from domains.credit.collection import CreateObligation, RecordPayment
from domains.credit.facility import (
    ActivateFacility,
    ApplyLiquidationProceeds,
    BelowMarginLimit,
    CompletePendingFacility,
    CustomerNotEligible,
    FacilityInitialized,
    InitiateDisbursal,
    PaymentOnClosedFacility,
    PendingFacility,
    StartAccrualCycle,
    activate,
    activation_amounts,
    complete_when_collateralized,
    completion_shortfall,
    deposit_account_for_proposal,
    require_eligible,
    require_open_for_payment,
)

AT = datetime(2024, 1, 31, 12, 0, tzinfo=UTC)
BTC, PRICE = 100_000_000, 5_000_000  # $50,000 per BTC, in cents
AMOUNT = 100_000_00  # $100,000
SINGLE = std_terms(one_time_fee_rate=Decimal("0.5"))
MULTIPLE = std_terms(one_time_fee_rate=Decimal("0.5"), disbursal_policy=DisbursalPolicy.MULTIPLE)
FULLY = PendingCollateralizationState.FULLY_COLLATERALIZED


def pending(terms=SINGLE, sats: int = 3 * BTC) -> PendingFacility:
    """A pending facility of $100k whose last evaluation saw `sats` (3 BTC at $50k: CVL 150 %)."""
    return PendingFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT, terms, AT, FULLY, sats, PRICE)


def ids():
    numbers = count(1)
    return lambda: f"id-{next(numbers)}"


# -- activation amounts ----------------------------------------------------------------------
def test_a_single_disbursal_facility_pays_out_its_whole_amount_at_activation():
    plan = activation_amounts(AMOUNT, SINGLE, AT)
    assert (plan.fee, plan.initial_disbursal, plan.disbursed) == (500_00, AMOUNT, AMOUNT)


def test_a_multi_disbursal_facility_pays_out_only_its_fee_at_activation():
    plan = activation_amounts(AMOUNT, MULTIPLE, AT)
    assert (plan.fee, plan.initial_disbursal, plan.disbursed) == (500_00, 500_00, 0)


def test_maturity_is_the_activation_day_plus_the_duration_in_months_clamped_to_the_month_end():
    assert activation_amounts(AMOUNT, SINGLE, AT).maturity == date(2024, 4, 30)  # Jan 31 + 3 months


def test_activation_sends_the_facility_its_initial_disbursal_and_that_disbursals_obligation():
    sends = activate(pending(), PRICE, AT, ids())
    assert [type(s.command) for s in sends] == [ActivateFacility, StartAccrualCycle, InitiateDisbursal,
                                                CreateObligation]
    activation, _, disbursal, obligation = (s.command for s in sends)
    assert (activation.initial_disbursal_id, activation.structuring_fee_tx_id) == ("id-1", "id-2")
    assert (disbursal.id, disbursal.amount, disbursal.due_date, disbursal.obligation_id) == \
        ("id-1", AMOUNT, date(2024, 4, 30), "id-3")
    assert (obligation.id, obligation.amount, obligation.reference) == ("id-3", AMOUNT, "disbursal-id-1")


def test_a_multi_disbursal_facility_without_fee_activates_with_its_first_cycle_and_draws_no_id():
    sends = activate(pending(std_terms(one_time_fee_rate=Decimal(0), disbursal_policy=DisbursalPolicy.MULTIPLE)),
                     PRICE, AT, ids())
    assert [type(s.command) for s in sends] == [ActivateFacility, StartAccrualCycle]
    assert (sends[0].command.initial_disbursal_id, sends[0].command.structuring_fee_tx_id) == (None, None)


def test_the_facility_records_the_same_amounts_the_activation_paid_out():
    activation = activate(pending(MULTIPLE), PRICE, AT, ids())[0].command
    initialized = CREDIT_FACILITY.decide(None, activation, AT)[0]
    plan = activation_amounts(AMOUNT, MULTIPLE, AT)
    assert isinstance(initialized, FacilityInitialized)
    assert (initialized.structuring_fee, initialized.initial_disbursal_amount, initialized.maturity_date) == \
        (plan.fee, plan.initial_disbursal, plan.maturity)


# -- pending completion ----------------------------------------------------------------------
def test_a_fully_collateralized_report_completes_the_pending_facility_at_the_current_price():
    sends = complete_when_collateralized(pending(), "fully_collateralized", PRICE)
    assert [(s.kind, s.id, s.command) for s in sends] == \
        [("pending-credit-facility", "f-1", CompletePendingFacility(3 * BTC, PRICE))]


def test_an_under_collateralized_report_completes_nothing():
    assert complete_when_collateralized(pending(), "under_collateralized", PRICE) == ()


def test_a_price_that_fell_below_the_margin_call_since_the_report_is_silently_ignored():
    fallen = PRICE * 80 // 100  # 3 BTC at $40k: CVL 120 % < 125 %
    assert completion_shortfall(pending(), 3 * BTC, fallen) == Decimal(120)
    assert complete_when_collateralized(pending(), "fully_collateralized", fallen) == ()


def test_completing_below_the_margin_call_is_refused_with_the_same_shortfall():
    fallen = PRICE * 80 // 100
    with pytest.raises(BelowMarginLimit) as refused:
        PENDING_CREDIT_FACILITY.decide(pending(), CompletePendingFacility(3 * BTC, fallen), AT)
    assert (refused.value.cvl, refused.value.margin_call_cvl) == (Decimal(120), SINGLE.margin_call_cvl)


# -- liquidation proceeds --------------------------------------------------------------------
@pytest.mark.parametrize("proceeds, owed, uncovered, expected", [
    (30_000_00, 50_000_00, 50_000_00, 30_000_00),  # all of it
    (80_000_00, 50_000_00, 50_000_00, 50_000_00),  # no more than owed
    (80_000_00, 50_000_00, 40_000_00, 40_000_00),  # no more than the uncovered outstanding
    (30_000_00, 0, 0, 0),  # nothing owed: nothing payable
])
def test_proceeds_are_payable_up_to_what_the_facility_owes(proceeds, owed, uncovered, expected):
    assert payable(proceeds, owed, uncovered) == expected


PROCEEDS = {"secured_loan_id": "f-1", "payment_id": "p-1", "liquidation_id": "l-1", "amount": 80_000_00,
            "effective": "2024-03-12"}


def test_proceeds_become_a_payment_from_the_proceeds_account_then_the_facility_applies_them():
    payment, applied = record_proceeds(PROCEEDS, 50_000_00, 50_000_00)
    assert payment.command == RecordPayment("p-1", "f-1", 50_000_00, chart.proceeds_from_liquidation("f-1"),
                                            date(2024, 3, 12))
    assert (applied.kind, applied.id, applied.command) == ("credit-facility", "f-1", ApplyLiquidationProceeds("l-1"))


def test_proceeds_on_a_facility_that_owes_nothing_record_no_payment():
    assert [type(s.command) for s in record_proceeds(PROCEEDS, 0, 0)] == [ApplyLiquidationProceeds]


# -- refusals --------------------------------------------------------------------------------
def test_a_frozen_customer_gets_no_proposal():
    with pytest.raises(CustomerNotEligible) as refused:
        require_eligible("c-1", "frozen")
    assert (refused.value.customer_id, refused.value.status) == ("c-1", "frozen")


def test_an_active_customer_passes_the_eligibility_check():
    assert require_eligible("c-1", "active") is None


def test_the_proposal_is_credited_to_the_customers_first_active_deposit_account():
    assert deposit_account_for_proposal("c-1", [("d-1", "frozen"), ("d-2", "active"), ("d-3", "active")]) == "d-2"


def test_a_customer_without_an_active_deposit_account_gets_no_proposal():
    with pytest.raises(CustomerNotEligible) as refused:
        deposit_account_for_proposal("c-1", [("d-1", "closed")])
    assert refused.value.status == "no active deposit account"


def test_a_closed_facility_takes_no_payment():
    with pytest.raises(PaymentOnClosedFacility) as refused:
        require_open_for_payment("f-1", FacilityStatus.CLOSED)
    assert refused.value.facility_id == "f-1"


@pytest.mark.parametrize("status", [FacilityStatus.ACTIVE, FacilityStatus.MATURED])
def test_active_and_matured_facilities_take_payments(status):
    assert require_open_for_payment("f-1", status) is None

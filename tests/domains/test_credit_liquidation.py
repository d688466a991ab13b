"""Partial liquidation (Lana: core/credit/collateral/src/entity.rs; core/credit/collateral/src/liquidation/entity.rs;
core/credit/collateral/src/liquidation/payment.rs): the liquidation's life, the collateral's part in it,
their postings and public events, and the pure reactions that keep the two in step."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domains.credit import (
    COLLATERAL,
    LIQUIDATION,
    Direction,
    LiquidationStatus,
    NonPositiveAmount,
    complete_collateral_liquidation,
    count_collateral_sent_out,
    start_liquidation,
)
from domains.credit.collateral import (
    CollateralInitialized,
    CollateralSentOut,
    CollateralUpdatedViaLiquidation,
    CollateralUpdatedViaManualInput,
    InsufficientCollateral,
    LiquidationAlreadyCompleted,
    LiquidationCompleted,
    LiquidationInitialized,
    LiquidationStarted,
    NoActiveLiquidation,
    NoCollateralSentToLiquidation,
    ProceedsReceivedAndLiquidationCompleted,
    RecordCollateralSentOut,
    RecordLiquidationCompleted,
    RecordLiquidationStarted,
    RecordProceedsReceived,
    StartLiquidation,
    UpdateCollateralViaLiquidation,
    record_proceeds,
)
from domains.credit.facility import ApplyLiquidationProceeds
from tests.domains.support import fold

AT = datetime(2024, 2, 1, 9, 30, tzinfo=UTC)  # the sim instant a command runs
DAY = date(2024, 2, 1)
OPENED = LiquidationInitialized("liq-1", "f-1", "col-1", 4_500_000, 9_000_000, 200_000_000)
SENT = CollateralSentOut(150_000_000, "col-1-update-2", DAY)
PAID = ProceedsReceivedAndLiquidationCompleted(6_000_000, "pay-1", "liq-1-proceeds", DAY, AT)
POSTED = CollateralInitialized("col-1", "f-1", None)
ADDED = CollateralUpdatedViaManualInput("col-1-update-1", 230_000_000, 230_000_000, Direction.ADD, DAY)
RUNNING = LiquidationStarted("liq-1")


state = fold  # the state `spec.apply` builds from the events


def when(spec, history, command):
    return spec.decide(state(spec, *history), command, AT)


def refusal(spec, history, command, error):
    with pytest.raises(error) as refused:
        when(spec, history, command)
    return refused.value


# -- the liquidation -------------------------------------------------------------------------------
def test_a_started_liquidation_opens_with_its_initial_estimates_once():
    start = StartLiquidation("liq-1", "f-1", "col-1", 4_500_000, 9_000_000, 200_000_000)
    assert when(LIQUIDATION, (), start) == (OPENED,)
    assert when(LIQUIDATION, (OPENED,), start) == ()
    opened = state(LIQUIDATION, OPENED)
    assert (opened.sent_total, opened.status, opened.expected_to_receive) == (0, LiquidationStatus.OPEN, 9_000_000)


def test_collateral_sent_out_accumulates_and_each_collateral_transaction_counts_once():
    again = RecordCollateralSentOut(50_000_000, "col-1-update-3", DAY)
    assert when(LIQUIDATION, (OPENED, SENT), again) == (CollateralSentOut(50_000_000, "col-1-update-3", DAY),)
    assert when(LIQUIDATION, (OPENED, SENT), RecordCollateralSentOut(150_000_000, "col-1-update-2", DAY)) == ()
    later = CollateralSentOut(50_000_000, "col-1-update-3", DAY)
    assert state(LIQUIDATION, OPENED, SENT, later).sent_total == 200_000_000


def test_proceeds_complete_it_once_with_the_payment_they_become():
    assert when(LIQUIDATION, (OPENED, SENT), RecordProceedsReceived(6_000_000, "pay-1", DAY)) == (PAID,)
    done = state(LIQUIDATION, OPENED, SENT, PAID)
    assert (done.status, done.proceeds, done.payment_id) == (LiquidationStatus.COMPLETED, 6_000_000, "pay-1")
    assert when(LIQUIDATION, (OPENED, SENT, PAID), RecordProceedsReceived(6_000_000, "pay-1", DAY)) == ()


def test_second_proceeds_are_refused_naming_the_liquidation_and_the_first_payment():
    refused = refusal(LIQUIDATION, (OPENED, SENT, PAID), RecordProceedsReceived(1, "pay-2", DAY),
                      LiquidationAlreadyCompleted)
    assert (refused.liquidation_id, refused.payment_id) == ("liq-1", "pay-1")


def test_collateral_sent_out_after_completion_is_refused():
    refused = refusal(LIQUIDATION, (OPENED, SENT, PAID), RecordCollateralSentOut(1, "col-1-update-9", DAY),
                      LiquidationAlreadyCompleted)
    assert refused.liquidation_id == "liq-1"


def test_proceeds_before_any_collateral_went_out_are_refused():
    refused = refusal(LIQUIDATION, (OPENED,), RecordProceedsReceived(1, "pay-1", DAY), NoCollateralSentToLiquidation)
    assert refused.liquidation_id == "liq-1"


def test_zero_proceeds_complete_a_liquidation_whose_dust_fetched_nothing_posting_only_its_sats():
    """A desk's sale of dust worth under a cent after slippage: left open, the liquidation blocked
    every later one of its facility to the end of the run."""
    nothing = ProceedsReceivedAndLiquidationCompleted(0, None, "liq-1-proceeds", DAY, AT)
    assert when(LIQUIDATION, (OPENED, SENT), RecordProceedsReceived(0, None, DAY)) == (nothing,)
    assert state(LIQUIDATION, OPENED, SENT, nothing).status is LiquidationStatus.COMPLETED
    (tx,) = LIQUIDATION.post(state(LIQUIDATION, OPENED, SENT, nothing), nothing)
    assert [(e.account, e.side.value, e.amount, e.currency.value) for e in tx.entries] == [
        ("collateral-in-liquidation:col-1", "debit", 150_000_000, "BTC"),
        ("liquidated-collateral:col-1", "credit", 150_000_000, "BTC")]


def test_zero_proceeds_complete_a_liquidation_sized_to_sell_nothing_posting_nothing_and_naming_no_transaction():
    """An initial CVL of 100 % or less sizes a liquidation (0 cents, 0 sats): nothing can be sent out.
    It posts nothing, so it names no ledger transaction (it named `liq-1-proceeds`, which no ledger held)."""
    nothing = ProceedsReceivedAndLiquidationCompleted(0, None, None, DAY, AT)
    assert when(LIQUIDATION, (OPENED,), RecordProceedsReceived(0, None, DAY)) == (nothing,)
    assert state(LIQUIDATION, OPENED, nothing).status is LiquidationStatus.COMPLETED
    assert LIQUIDATION.post(state(LIQUIDATION, OPENED, nothing), nothing) == ()
    assert LIQUIDATION.ledger_tx_ids(nothing) == ()
    journaled_before = attrs.evolve(nothing, ledger_tx_id="liq-1-proceeds")  # still folds, still posts nothing
    assert LIQUIDATION.post(state(LIQUIDATION, OPENED, journaled_before), journaled_before) == ()


@pytest.mark.parametrize(("make", "field"), [
    (lambda: RecordCollateralSentOut(0, "tx", DAY), "amount_sats"),
    (lambda: RecordProceedsReceived(-1, "pay-1", DAY), "amount_cents"),
    (lambda: UpdateCollateralViaLiquidation("liq-1", -5, DAY), "sats"),
])
def test_amounts_sent_must_be_positive_and_proceeds_not_negative(make, field):
    with pytest.raises(NonPositiveAmount) as refused:
        make()
    assert refused.value.field == field


def test_proceeds_post_the_cents_to_the_facility_and_every_sat_sent_to_liquidated():
    (tx,) = LIQUIDATION.post(state(LIQUIDATION, OPENED, SENT, PAID), PAID)
    assert (tx.tx_id, tx.template) == ("liq-1-proceeds", "RECEIVE_PROCEEDS_FROM_LIQUIDATION")
    assert [(e.account, e.side.value, e.amount, e.currency.value) for e in tx.entries] == [
        ("liquidation-proceeds-omnibus", "debit", 6_000_000, "USD"),
        ("proceeds-from-liquidation:f-1", "credit", 6_000_000, "USD"),
        ("collateral-in-liquidation:col-1", "debit", 150_000_000, "BTC"),
        ("liquidated-collateral:col-1", "credit", 150_000_000, "BTC")]
    assert LIQUIDATION.post(state(LIQUIDATION, OPENED, SENT), SENT) == ()


def test_proceeds_are_public_as_received_then_completed():
    received, completed = LIQUIDATION.publish(state(LIQUIDATION, OPENED, SENT, PAID), PAID)
    assert (received.module, received.name, received.payload) == ("CreditCollateral", "LiquidationProceedsReceived", {
        "liquidation_id": "liq-1", "collateral_id": "col-1", "secured_loan_id": "f-1", "amount": 6_000_000,
        "payment_id": "pay-1", "ledger_tx_id": "liq-1-proceeds", "recorded_at": "2024-02-01T09:30:00Z",
        "effective": "2024-02-01"})
    assert (completed.name, completed.payload) == ("LiquidationCompleted",
                                                   {"liquidation_id": "liq-1", "secured_loan_id": "f-1"})
    assert LIQUIDATION.publish(state(LIQUIDATION, OPENED, SENT), SENT) == ()


def test_proceeds_naming_no_payment_complete_it_and_publish_a_null_payment_id():
    """Nothing of them was payable (0 cents, or a facility owing nothing): no payment will be
    recorded, so the event names none (it named one that never existed)."""
    unpaid = ProceedsReceivedAndLiquidationCompleted(6_000_000, None, "liq-1-proceeds", DAY, AT)
    assert when(LIQUIDATION, (OPENED, SENT), RecordProceedsReceived(6_000_000, None, DAY)) == (unpaid,)
    done = state(LIQUIDATION, OPENED, SENT, unpaid)
    assert (done.status, done.proceeds, done.payment_id) == (LiquidationStatus.COMPLETED, 6_000_000, None)
    received, _ = LIQUIDATION.publish(done, unpaid)
    assert received.payload["payment_id"] is None


def test_second_proceeds_naming_no_payment_are_refused_not_taken_for_the_first_again():
    """Two "no payment"s are not the same payment: only a payment id makes proceeds the same again."""
    unpaid = ProceedsReceivedAndLiquidationCompleted(0, None, "liq-1-proceeds", DAY, AT)
    refused = refusal(LIQUIDATION, (OPENED, SENT, unpaid), RecordProceedsReceived(0, None, DAY),
                      LiquidationAlreadyCompleted)
    assert (refused.liquidation_id, refused.payment_id) == ("liq-1", None)


def test_proceeds_naming_no_payment_record_none_though_the_facility_owes():
    """The payment is the one the event names; a payload naming none records none."""
    payload = {"secured_loan_id": "f-1", "payment_id": None, "liquidation_id": "liq-1", "amount": 6_000_000,
               "effective": "2024-02-01"}
    assert [type(s.command) for s in record_proceeds(payload, 50_000_00, 50_000_00)] == [ApplyLiquidationProceeds]
    named = record_proceeds({**payload, "payment_id": "pay-1"}, 50_000_00, 50_000_00)
    assert [(s.kind, s.id) for s in named] == [("payment", "pay-1"), ("credit-facility", "f-1")]


# -- the collateral's part ---------------------------------------------------------------------------
def test_the_collateral_marks_one_running_liquidation_at_a_time():
    assert when(COLLATERAL, (POSTED,), RecordLiquidationStarted("liq-1")) == (RUNNING,)
    assert when(COLLATERAL, (POSTED, RUNNING), RecordLiquidationStarted("liq-2")) == ()
    assert when(COLLATERAL, (POSTED, RUNNING), RecordLiquidationCompleted("liq-2")) == ()
    assert when(COLLATERAL, (POSTED, RUNNING), RecordLiquidationCompleted("liq-1")) == (LiquidationCompleted("liq-1"),)
    assert state(COLLATERAL, POSTED, RUNNING, LiquidationCompleted("liq-1")).active_liquidation_id is None


def test_a_send_to_the_running_liquidation_removes_the_sats_sent():
    sent = when(COLLATERAL, (POSTED, ADDED, RUNNING), UpdateCollateralViaLiquidation("liq-1", 80_000_000, DAY))
    assert sent == (CollateralUpdatedViaLiquidation("col-1-update-2", "liq-1", 150_000_000, 80_000_000,
                                                    Direction.REMOVE, DAY, AT),)
    assert state(COLLATERAL, POSTED, ADDED, RUNNING, *sent).amount == 150_000_000


def test_a_send_without_that_liquidation_running_is_refused():
    for history in ((POSTED, ADDED), (POSTED, ADDED, LiquidationStarted("liq-0"))):
        refused = refusal(COLLATERAL, history, UpdateCollateralViaLiquidation("liq-1", 1, DAY), NoActiveLiquidation)
        assert (refused.collateral_id, refused.liquidation_id) == ("col-1", "liq-1")


def test_sending_more_than_the_collateral_holds_is_refused_with_both_amounts():
    refused = refusal(COLLATERAL, (POSTED, ADDED, RUNNING), UpdateCollateralViaLiquidation("liq-1", 230_000_001, DAY),
                      InsufficientCollateral)
    assert (refused.collateral_id, refused.sats, refused.amount) == ("col-1", 230_000_001, 230_000_000)


def test_a_send_posts_btc_into_liquidation_and_is_public_twice():
    sent = CollateralUpdatedViaLiquidation("col-1-update-2", "liq-1", 150_000_000, 80_000_000, Direction.REMOVE, DAY,
                                           AT)
    after = state(COLLATERAL, POSTED, ADDED, RUNNING, sent)
    (tx,) = COLLATERAL.post(after, sent)
    assert (tx.tx_id, tx.template) == ("col-1-update-2", "SEND_COLLATERAL_TO_LIQUIDATION")
    assert [(e.account, e.side.value, e.currency.value) for e in tx.entries] == [
        ("collateral:col-1", "debit", "BTC"), ("collateral-in-liquidation:col-1", "credit", "BTC")]
    updated, sent_out = COLLATERAL.publish(after, sent)
    assert updated.payload["entity"]["adjustment"] == {"tx_id": "col-1-update-2", "abs_diff": 80_000_000,
                                                       "direction": "Remove"}
    assert (sent_out.name, sent_out.payload) == ("LiquidationCollateralSentOut", {
        "liquidation_id": "liq-1", "secured_loan_id": "f-1", "amount": 80_000_000, "ledger_tx_id": "col-1-update-2",
        "recorded_at": "2024-02-01T09:30:00Z", "effective": "2024-02-01"})


@given(sends=st.lists(st.integers(1, 120_000_000), max_size=6))
def test_collateral_never_goes_negative_and_keeps_what_was_not_sent(sends):
    history, accepted = [POSTED, ADDED, RUNNING], 0
    for sats in sends:
        try:
            history += when(COLLATERAL, history, UpdateCollateralViaLiquidation("liq-1", sats, DAY))
            accepted += sats
        except InsufficientCollateral as refused:
            assert refused.sats > refused.amount
    assert 0 <= state(COLLATERAL, *history).amount == 230_000_000 - accepted


# -- the reactions ---------------------------------------------------------------------------------
def test_an_initiated_liquidation_is_opened_and_marked_on_its_collateral():
    trigger = {"liquidation_id": "liq-1", "trigger_price": 4_500_000, "initially_expected_to_receive": 9_000_000,
               "initially_estimated_to_liquidate": 200_000_000}
    envelope = {"payload": {"entity": {"id": "f-1", "collateral_id": "col-1", "liquidation_trigger": trigger}}}
    opened, marked = start_liquidation(envelope)
    assert (opened.kind, opened.id, opened.command) == (
        "liquidation", "liq-1", StartLiquidation("liq-1", "f-1", "col-1", 4_500_000, 9_000_000, 200_000_000))
    assert (marked.kind, marked.id, marked.command) == ("collateral", "col-1", RecordLiquidationStarted("liq-1"))


def test_a_send_out_is_counted_by_its_liquidation_and_proceeds_end_it_on_the_collateral():
    sent = {"liquidation_id": "liq-1", "amount": 5, "ledger_tx_id": "col-1-update-2", "effective": "2024-02-01"}
    (count,) = count_collateral_sent_out({"payload": sent})
    assert (count.id, count.command) == ("liq-1", RecordCollateralSentOut(5, "col-1-update-2", DAY))
    (end,) = complete_collateral_liquidation({"payload": {"liquidation_id": "liq-1", "collateral_id": "col-1"}})
    assert (end.kind, end.id, end.command) == ("collateral", "col-1", RecordLiquidationCompleted("liq-1"))

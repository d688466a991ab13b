"""Partial liquidation end to end (Lana: core/credit/collateral/src/liquidation/payment.rs) through the operator's API:
a crash initiates one
liquidation, collateral goes to the liquidator, the proceeds become a payment allocated interest
first, and only leaving and re-entering the liquidation threshold starts another."""

from __future__ import annotations

import csv
import threading
from datetime import date
from decimal import Decimal

import pytest

from domains.accounting import PaymentAboveOutstanding, chart
from domains.credit import LiquidationStatus, NonPositiveAmount, liquidation_amounts, std_terms
from domains.credit.collateral import (
    InsufficientCollateral,
    LiquidationAlreadyCompleted,
    NoActiveLiquidation,
    NoCollateralSentToLiquidation,
)
from domains.credit.facility import UpdateCollateralization
from engine import Simulation

BTC, SATS, AMOUNT = 100_000_000, 230_000_000, 100_000_00
PRICE, CRASH = 7_000_000, 4_500_000
INITIATED = "core.credit.partial-liquidation-initiated"
SENT_OUT = "core.credit-collateral.liquidation-collateral-sent-out"
RECEIVED = "core.credit-collateral.liquidation-proceeds-received"
COMPLETED = "core.credit-collateral.liquidation-completed"
ALLOCATED = "core.credit-collection.payment-allocation-created"


@pytest.fixture
def sim():
    with Simulation(seed=11, start="2024-01-01") as simulation:
        yield simulation


def a_facility(sim) -> str:
    """$100k for 12 months on 2.3 BTC at $70k (CVL 161 %), with January's interest posted and owed."""
    sim.price.set(PRICE)
    customer = sim.customer.create_customer("ada@bank.test")
    account = sim.deposit.create_account(customer)
    sim.deposit.record_deposit(account, 50_000_00)
    facility = sim.credit.create_proposal(customer, AMOUNT, std_terms(duration=12))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, SATS)
    sim.advance(days=32)
    return facility


def btc_crashes(sim, facility: str, price: int = CRASH) -> None:
    """The price drops and the operator's update (one sat lower) re-evaluates the facility."""
    sim.price.set(price)
    sim.credit.update_collateral(facility, collateral(sim, facility) - 1)


@pytest.fixture
def liquidating(sim) -> str:
    facility = a_facility(sim)
    btc_crashes(sim, facility)
    return facility


def collateral(sim, facility: str) -> int:
    return sim.credit.facility(facility).collateral_sats


def btc(sim, account: str) -> int:
    return sim.ledger.balance(account, currency="BTC")


def initiated(sim) -> list[dict]:
    return [e["payload"]["entity"] for e in sim.outbox.tail(types=[INITIATED])]


def assert_books_hold(sim, facility: str) -> None:
    """Collateral never negative; remaining + in liquidation + liquidated = all ever posted; balanced."""
    c = sim.state("collateral", sim.state("credit-facility", facility).collateral_id)
    remaining = btc(sim, chart.collateral(c.id))
    assert remaining == c.amount >= 0
    assert remaining + btc(sim, chart.collateral_in_liquidation(c.id)) + btc(sim, chart.liquidated_collateral(c.id)) \
        == btc(sim, chart.COLLATERAL_OMNIBUS)
    assert sim.ledger.is_balanced()


# -- initiation --------------------------------------------------------------------------------
def test_entering_the_threshold_initiates_one_liquidation_sized_to_restore_the_initial_cvl(sim, liquidating):
    (entity,) = initiated(sim)
    trigger, state = entity["liquidation_trigger"], entity["collateralization"]
    owed = sim.credit.books(liquidating).outstanding
    assert (trigger["initially_expected_to_receive"], trigger["initially_estimated_to_liquidate"]) == \
        liquidation_amounts(owed, state["collateral"], CRASH, Decimal(140))
    running = sim.credit.liquidation(liquidating)
    assert (running.id, running.facility_id, running.status, running.trigger_price) == (
        trigger["liquidation_id"], liquidating, LiquidationStatus.OPEN, CRASH)


def test_no_second_liquidation_starts_while_one_is_running(sim, liquidating):
    btc_crashes(sim, liquidating, CRASH - 500_000)
    sim.credit.update_collateral(liquidating, 4 * BTC)
    assert sim.credit.facility(liquidating).collateralization_state == "fully_collateralized"
    sim.credit.update_collateral(liquidating, 2 * BTC)
    assert sim.credit.facility(liquidating).collateralization_state == "under_liquidation_threshold"
    assert len(initiated(sim)) == 1


# -- collateral sent out -----------------------------------------------------------------------
def test_sending_collateral_out_lowers_it_and_moves_the_sats_into_liquidation(sim, liquidating):
    before, collateral_id = collateral(sim, liquidating), sim.credit.liquidation(liquidating).collateral_id
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    sim.credit.send_collateral_to_liquidation(liquidating, BTC // 2)
    assert collateral(sim, liquidating) == before - 3 * BTC // 2
    assert btc(sim, chart.collateral_in_liquidation(collateral_id)) == 3 * BTC // 2
    assert sim.credit.liquidation(liquidating).sent_total == 3 * BTC // 2
    assert [e["payload"]["amount"] for e in sim.outbox.tail(types=[SENT_OUT])] == [BTC, BTC // 2]
    assert_books_hold(sim, liquidating)


# -- proceeds ----------------------------------------------------------------------------------
def test_proceeds_become_a_payment_from_the_proceeds_account_allocated_interest_first(sim, liquidating):
    interest = sim.credit.books(liquidating).interest
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    payment_id = sim.credit.record_liquidation_proceeds(liquidating, 40_000_00)
    payment = sim.state("payment", payment_id)
    assert (payment.amount, payment.source_account) == (40_000_00, chart.proceeds_from_liquidation(liquidating))
    allocations = [e["payload"]["entity"] for e in sim.outbox.tail(types=[ALLOCATED], where={
        "entity.payment_id": payment_id})]
    assert [(a["obligation_type"], a["amount"]) for a in allocations] == [
        ("Interest", interest), ("Disbursal", 40_000_00 - interest)]
    assert sim.credit.books(liquidating).outstanding == AMOUNT + interest - 40_000_00
    assert sim.ledger.balance(chart.proceeds_from_liquidation(liquidating)) == 0
    assert_books_hold(sim, liquidating)


def test_proceeds_are_a_payment_from_elsewhere_not_the_deposit_account_s_activity(sim, liquidating):
    account = sim.state("credit-facility", liquidating).disbursal_credit_account_id
    activated = sim.deposit.account(account).last_activity_on  # the disbursal credited it then
    sim.advance(days=10)
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    sim.credit.record_liquidation_proceeds(liquidating, 40_000_00)
    assert sim.deposit.account(account).last_activity_on == activated == date(2024, 1, 1)


def test_proceeds_end_the_running_liquidation_and_move_the_sats_sent_to_liquidated(sim, liquidating):
    liquidation = sim.credit.liquidation(liquidating)
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    payment_id = sim.credit.record_liquidation_proceeds(liquidating, 40_000_00)
    assert sim.credit.liquidation(liquidating) is None
    assert not sim.state("credit-facility", liquidating).liquidation_running
    (received,) = [e["payload"] for e in sim.outbox.tail(types=[RECEIVED])]
    assert (received["liquidation_id"], received["amount"], received["payment_id"]) == (
        liquidation.id, 40_000_00, payment_id)
    assert [e["payload"]["liquidation_id"] for e in sim.outbox.tail(types=[COMPLETED])] == [liquidation.id]
    assert btc(sim, chart.collateral_in_liquidation(liquidation.collateral_id)) == 0
    assert btc(sim, chart.liquidated_collateral(liquidation.collateral_id)) == BTC


def test_proceeds_above_what_is_owed_pay_it_all_and_the_surplus_stays_in_the_proceeds_account(sim, liquidating):
    owed = sim.credit.books(liquidating).outstanding
    sim.credit.send_collateral_to_liquidation(liquidating, 2 * BTC)
    payment_id = sim.credit.record_liquidation_proceeds(liquidating, owed + 5_000_00)
    assert sim.state("payment", payment_id).amount == owed
    assert sim.credit.books(liquidating).outstanding == 0
    assert sim.ledger.balance(chart.proceeds_from_liquidation(liquidating)) == 5_000_00
    assert_books_hold(sim, liquidating)


def test_proceeds_above_what_is_owed_also_pay_defaulted_obligations_before_leaving_a_surplus(sim):
    """January's interest defaulted 3 days after it fell due: the payment is allocated to it first
    (as Lana allocates any payment), so sizing the payment on the outstanding without it left
    $1,019.28 of principal unpaid while $5,000 of proceeds stayed in the proceeds account."""
    sim.price.set(PRICE)
    customer = sim.customer.create_customer("ada@bank.test")
    sim.deposit.create_account(customer)
    facility = sim.credit.create_proposal(customer, AMOUNT, std_terms(
        duration=12, obligation_overdue_duration_from_due=None, obligation_defaulted_duration_from_due=3))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, SATS)
    sim.advance(days=36)
    books = sim.credit.books(facility)
    assert (books.outstanding, books.defaulted) == (AMOUNT, 1_019_28)
    btc_crashes(sim, facility)
    sim.credit.send_collateral_to_liquidation(facility, 2 * BTC)
    payment_id = sim.credit.record_liquidation_proceeds(facility, AMOUNT + 5_000_00)
    assert sim.state("payment", payment_id).amount == AMOUNT + 1_019_28
    assert sim.credit.books(facility) == (0, 0, 0, 0, 0)
    assert sim.ledger.balance(chart.proceeds_from_liquidation(facility)) == 5_000_00 - 1_019_28
    assert_books_hold(sim, facility)


# -- the payment a proceeds event names ---------------------------------------------------------
PAID = "core.credit-collection.payment-created"


def named_payments(sim) -> list[tuple[str | None, int | None]]:
    """Each proceeds event's `payment_id` and the amount of the payment the journal holds under it
    (None: no payment). A consumer of the outbox looks the payment up by that id."""
    named = [e["payload"]["payment_id"] for e in sim.outbox.tail(types=[RECEIVED])]
    return [(p, sim.state("payment", p).amount if p is not None and sim.journal.exists("payment", p) else None)
            for p in named]


def test_proceeds_above_what_is_owed_name_the_payment_the_journal_holds_of_what_was_owed(sim, liquidating):
    owed = sim.credit.books(liquidating).outstanding
    sim.credit.send_collateral_to_liquidation(liquidating, 2 * BTC)
    payment_id = sim.credit.record_liquidation_proceeds(liquidating, owed + 5_000_00)
    assert named_payments(sim) == [(payment_id, owed)]
    [created] = sim.outbox.tail(types=[PAID], where={"entity.id": payment_id})
    assert created["payload"]["entity"]["amount"] == owed


def test_zero_proceeds_name_no_payment_and_none_is_recorded(sim, liquidating):
    """Dust sold for nothing: the event named a payment id that no payment ever had, so a consumer
    of the outbox looked for it in vain. It names none (null), where Lana names a payment of 0 cents."""
    owed, payments = sim.credit.books(liquidating), len(sim.outbox.tail(types=[PAID]))
    sim.credit.send_collateral_to_liquidation(liquidating, 100)
    assert sim.credit.record_liquidation_proceeds(liquidating, 0) is None
    assert named_payments(sim) == [(None, None)]
    assert len(sim.outbox.tail(types=[PAID])) == payments and sim.credit.books(liquidating) == owed
    assert sim.credit.liquidation(liquidating) is None
    assert not sim.state("credit-facility", liquidating).liquidation_running  # acknowledged all the same


def test_proceeds_for_a_facility_paid_off_during_its_liquidation_name_no_payment_and_stay_surplus(sim, liquidating):
    """The borrower repaid everything while the collateral was being sold: nothing is payable, so the
    proceeds name no payment (they named one never recorded) and all of them stay in the proceeds
    account. Lana's job would record the whole proceeds and fail at each retry (above what is owed)."""
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    sim.credit.record_payment(liquidating, sim.credit.books(liquidating).outstanding)
    assert sim.credit.record_liquidation_proceeds(liquidating, 40_000_00) is None
    assert named_payments(sim) == [(None, None)]
    assert sim.ledger.balance(chart.proceeds_from_liquidation(liquidating)) == 40_000_00
    assert not sim.state("credit-facility", liquidating).liquidation_running
    assert_books_hold(sim, liquidating)


def test_proceeds_that_pay_something_name_the_payment_the_journal_holds(sim, liquidating):
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    payment_id = sim.credit.record_liquidation_proceeds(liquidating, 40_000_00)
    assert payment_id is not None and named_payments(sim) == [(payment_id, 40_000_00)]



def test_on_the_threaded_runtime_a_payment_from_another_thread_cannot_unname_the_proceeds_payment():
    """The proceeds read what the facility owes, name a payment, and their reaction sizes it from a
    second read. Another thread's payment paying the facility off in between (forced here: the
    first read waits for it) left the event naming a payment never recorded. Now the payment waits
    for the proceeds' cascade, and is then refused as above what is owed."""
    with Simulation(seed=11, start="2024-01-01", runtime="threaded") as sim:
        facility = a_facility(sim)
        btc_crashes(sim, facility)
        sim.credit.send_collateral_to_liquidation(facility, BTC)
        flow, owed = sim.credit.liquidation_flow, sim.credit.books(facility).outstanding
        first_read, attempted, refusals = threading.Event(), threading.Event(), []
        read = flow.payable

        def payable_then_waiting(facility_id: str, cents: int) -> int:
            payable = read(facility_id, cents)
            first_read.set()
            attempted.wait(1)  # the other thread's payment, if nothing holds it back
            return payable

        def pay_everything() -> None:
            first_read.wait(10)
            try:
                sim.credit.record_payment(facility, owed)
            except PaymentAboveOutstanding as refusal:
                refusals.append(refusal)
            attempted.set()

        flow.payable = payable_then_waiting
        payer = threading.Thread(target=pay_everything)
        payer.start()
        payment_id = sim.credit.record_liquidation_proceeds(facility, 40_000_00)
        payer.join(10)
        assert payment_id is not None and named_payments(sim) == [(payment_id, 40_000_00)]
        assert len(refusals) == 1  # what it would have paid is above what the proceeds left owed
        assert sim.credit.books(facility).outstanding == owed - 40_000_00


# -- one evaluation per step ---------------------------------------------------------------------
def evaluations_and_reads(sim, monkeypatch, step) -> tuple[int, int]:
    """How many `UpdateCollateralization` commands the bank sends, and how many ledger reads it
    makes, while the operator's `step` runs."""
    sent, reads, tell, ledger = [], [], sim.tell, sim.ledger

    def counting_tell(kind, entity_id, command, **context):
        sent.append(command)
        tell(kind, entity_id, command, **context)

    def counted(read):
        return lambda *args, **kwargs: reads.append(args) or read(*args, **kwargs)

    monkeypatch.setattr(sim, "tell", counting_tell)
    monkeypatch.setattr(ledger, "balance", counted(ledger.balance))
    monkeypatch.setattr(ledger, "balances", counted(ledger.balances))
    step()
    monkeypatch.undo()
    return sum(isinstance(c, UpdateCollateralization) for c in sent), len(reads)


def test_a_crash_that_initiates_a_liquidation_evaluates_collateralization_once_from_one_read(sim, monkeypatch):
    facility = a_facility(sim)
    assert evaluations_and_reads(sim, monkeypatch, lambda: sim.price.set(CRASH)) == (1, 1)
    assert [i["id"] for i in initiated(sim)] == [facility]


def test_sending_collateral_out_evaluates_collateralization_once_from_one_read(sim, liquidating, monkeypatch):
    step = lambda: sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    assert evaluations_and_reads(sim, monkeypatch, step) == (1, 1)


def test_proceeds_paying_interest_and_principal_evaluate_collateralization_once(sim, liquidating, monkeypatch):
    """One read tells whether the proceeds name a payment (something is payable), one sizes it, one
    after its two allocations evaluates the facility."""
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    step = lambda: sim.credit.record_liquidation_proceeds(liquidating, 40_000_00)
    assert evaluations_and_reads(sim, monkeypatch, step) == (1, 3)
    assert len(sim.outbox.tail(types=[ALLOCATED])) == 2
    owed_after = sim.credit.books(liquidating).outstanding
    assert sim.state("credit-facility", liquidating).ratio == Decimal(collateral(sim, liquidating)) / owed_after


def test_a_new_liquidation_starts_only_after_leaving_and_re_entering_the_threshold(sim, liquidating):
    first = sim.credit.liquidation(liquidating).id
    sim.credit.send_collateral_to_liquidation(liquidating, BTC // 10)
    sim.credit.record_liquidation_proceeds(liquidating, 4_000_00)
    btc_crashes(sim, liquidating)
    assert sim.credit.facility(liquidating).collateralization_state == "under_liquidation_threshold"
    assert len(initiated(sim)) == 1
    sim.credit.update_collateral(liquidating, 4 * BTC)
    sim.credit.update_collateral(liquidating, 2 * BTC)
    assert [e["liquidation_trigger"]["liquidation_id"] == first for e in initiated(sim)] == [True, False]
    assert sim.credit.liquidation(liquidating).id == initiated(sim)[1]["liquidation_trigger"]["liquidation_id"]


# -- bad input ---------------------------------------------------------------------------------
def refused(sim, step, error):
    """`step()` is refused with `error` and the journal does not change."""
    digest = sim.journal.digest()
    with pytest.raises(error) as refusal:
        step()
    assert sim.journal.digest() == digest
    return refusal.value


def test_a_negative_send_is_refused_naming_the_field(sim, liquidating):
    error = refused(sim, lambda: sim.credit.send_collateral_to_liquidation(liquidating, -1), NonPositiveAmount)
    assert (error.field, error.amount) == ("sats", -1)


def test_sending_more_than_the_collateral_is_refused_with_both_amounts(sim, liquidating):
    held = collateral(sim, liquidating)
    error = refused(sim, lambda: sim.credit.send_collateral_to_liquidation(liquidating, held + 1),
                    InsufficientCollateral)
    assert (error.sats, error.amount) == (held + 1, held)
    assert_books_hold(sim, liquidating)


def test_proceeds_twice_are_refused_naming_the_first_payment_and_so_are_later_sends(sim, liquidating):
    liquidation_id = sim.credit.liquidation(liquidating).id
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    first = sim.credit.record_liquidation_proceeds(liquidating, 40_000_00)
    error = refused(sim, lambda: sim.credit.record_liquidation_proceeds(liquidating, 1_00),
                    LiquidationAlreadyCompleted)
    assert (error.liquidation_id, error.payment_id) == (liquidation_id, first)
    error = refused(sim, lambda: sim.credit.send_collateral_to_liquidation(liquidating, 1), NoActiveLiquidation)
    assert error.liquidation_id == liquidation_id


def test_proceeds_before_any_collateral_went_out_are_refused(sim, liquidating):
    error = refused(sim, lambda: sim.credit.record_liquidation_proceeds(liquidating, 1_00),
                    NoCollateralSentToLiquidation)
    assert error.liquidation_id == sim.credit.liquidation(liquidating).id


def test_operator_steps_without_any_liquidation_are_refused(sim):
    facility = a_facility(sim)
    error = refused(sim, lambda: sim.credit.send_collateral_to_liquidation(facility, 1), NoActiveLiquidation)
    assert (error.collateral_id, error.liquidation_id) == (sim.state("credit-facility", facility).collateral_id, None)
    assert sim.credit.liquidation(facility) is None


# -- replay and determinism --------------------------------------------------------------------
def a_liquidation_story(seed: int) -> tuple[str, bool]:
    with Simulation(seed=seed, start="2024-01-01") as sim:
        facility = a_facility(sim)
        btc_crashes(sim, facility)
        liquidation = sim.credit.liquidation(facility)
        sim.credit.send_collateral_to_liquidation(facility, BTC)
        sim.credit.record_liquidation_proceeds(facility, 40_000_00)
        replays = all(sim.load(kind, entity, use_snapshot=False) == sim.state(kind, entity) for kind, entity in (
            ("liquidation", liquidation.id), ("collateral", liquidation.collateral_id), ("credit-facility", facility)))
        return sim.journal.digest(), replays


def test_the_story_replays_to_the_live_states_and_the_same_seed_gives_the_same_journal():
    digest, replays = a_liquidation_story(5)
    assert replays
    assert a_liquidation_story(5)[0] == digest


def test_the_balance_sheet_still_balances_once_liquidation_proceeds_pay_the_loan(sim, liquidating):
    """The USD the desk pays in is the bank's cash: the receivables the proceeds pay fall, the cash rises."""
    sim.credit.send_collateral_to_liquidation(liquidating, BTC)
    sim.credit.record_liquidation_proceeds(liquidating, 40_000_00)
    day = sim.now.date().isoformat()
    with open(sim.report.run("balance-sheet", day).paths[0], newline="") as file:
        sheet = {(r["section"], r["account"]): int(r["amount"]) for r in csv.DictReader(file)}
    assert sheet[("assets", chart.LIQUIDATION_PROCEEDS_OMNIBUS)] == 40_000_00
    assert sheet[("check", "assets-minus-liabilities-and-equity")] == 0


def test_terms_with_an_initial_cvl_of_100_start_an_empty_liquidation_instead_of_failing_the_price_update(sim):
    """Terms 100/90/80 (Lana accepts them): the crash used to fail the price sweep with a
    DivisionByZero (a stress run on such a book stopped with `reaction failed`)."""
    sim.price.set(PRICE)
    customer = sim.customer.create_customer("ada@bank.test")
    sim.deposit.create_account(customer)
    facility = sim.credit.create_proposal(customer, AMOUNT, std_terms(
        duration=12, initial_cvl=Decimal(100), margin_call_cvl=Decimal(90), liquidation_cvl=Decimal(80)))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, 160_000_000)
    sim.price.set(PRICE // 2)
    assert sim.credit.facility(facility).collateralization_state == "under_liquidation_threshold"
    (entity,) = initiated(sim)
    trigger = entity["liquidation_trigger"]
    assert (trigger["initially_expected_to_receive"], trigger["initially_estimated_to_liquidate"]) == (0, 0)


def test_the_analysis_counts_a_liquidation_sent_out_in_two_steps_once_with_all_its_sats():
    """1 BTC then 0.5 BTC at $45,000 for $60,000: the summary counted only the last send (0.5 BTC)
    and a slippage of -$37,500, the facility two liquidations and the desk queue -1."""
    from scenarios.analysis import analyse_run

    with Simulation(seed=11, start="2024-01-01") as sim:
        facility = a_facility(sim)
        btc_crashes(sim, facility)
        collateral_id = sim.credit.liquidation(facility).collateral_id
        sim.credit.send_collateral_to_liquidation(facility, BTC)
        sim.credit.send_collateral_to_liquidation(facility, BTC // 2)
        sim.credit.record_liquidation_proceeds(facility, 60_000_00)
        sim.price.set(CRASH + 100_000)
        analysis = analyse_run(sim)
        liquidated = btc(sim, chart.liquidated_collateral(collateral_id))
    summary, (row,) = analysis.summary, analysis.facilities.to_dict("records")
    assert (summary["liquidations_executed"], summary["btc_sold_sats"], summary["proceeds_cents"]) == (
        1, liquidated, 60_000_00) == (1, 3 * BTC // 2, 60_000_00)
    assert summary["slippage_cents"] == 3 * BTC // 2 * CRASH // BTC - 60_000_00 == 7_500_00
    assert (row["liquidations"], row["sats_sold"]) == (1, 3 * BTC // 2)
    assert list(analysis.timeseries["desk_queue"]) == [0, 0, 0]

"""The liquidation desk and the borrowers as specifications: the desk's settings, capacity, delay and
slippage arithmetic; borrowers curing within their window, repaying, paying late or never; margin
calls timed from the moment the facility enters UnderMarginCallThreshold to the moment it leaves."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from domains.credit import std_terms
from engine import Simulation
from engine.kernel.ids import Ids
from scenarios.behaviour.agents import (
    Borrowers,
    InvalidBorrowerBehaviour,
    InvalidDeskSettings,
    LiquidationDesk,
    NeverPay,
    PayLate,
    RepayEarly,
    TopUp,
)

BTC, HOUR = 100_000_000, 3600
PRICE = 1_000_000  # $10,000 per BTC
LOAN = 1_000_000  # $10,000


def open_facility(sim, btc: float, n: int = 0) -> str:
    """A one-year $10,000 facility on standard terms (margin call 125 %, liquidation 105 %)."""
    customer = sim.customer.create_customer(f"b{n}@bank.test")
    sim.deposit.record_deposit(sim.deposit.create_account(customer), 10_00)
    facility = sim.credit.create_proposal(customer, LOAN, std_terms(duration=12))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, round(btc * BTC))
    return facility


def state_of(sim, facility: str) -> str:
    return sim.credit.facility(facility).collateralization_state


@pytest.fixture
def bank():
    with Simulation(seed=3, start="2024-01-01") as sim:
        sim.price.set(PRICE)
        yield sim


# -- the desk's settings ---------------------------------------------------------------------------
@pytest.mark.parametrize("setting, value, problem", [
    ("delay_hours", -1, "must be in [0, inf)"),
    ("capacity_per_hour", 0, "must be in [1, inf)"),
    ("capacity_per_hour", 2.5, "must be a whole number"),
    ("slippage_bps_per_btc", -0.5, "must be in [0, inf)"),
    ("base_slippage_bps", -1, "must be in [0, 10000)"),
    ("base_slippage_bps", 10_000, "must be in [0, 10000)"),  # no price left to sell at
    ("max_slippage_bps", 10_000, "must be in [0, 10000)"),
    ("delay_hours", float("nan"), "must be a finite number"),
    ("capacity_per_hour", True, "must be a finite number"),
])
def test_a_desk_with_an_out_of_range_setting_is_refused(bank, setting, value, problem):
    with pytest.raises(InvalidDeskSettings) as refused:
        LiquidationDesk(bank, **{setting: value})
    assert (refused.value.field, refused.value.problem) == (setting, problem)
    assert refused.value.value is value


def test_a_slippage_cap_below_the_base_is_refused(bank):
    with pytest.raises(InvalidDeskSettings) as refused:
        LiquidationDesk(bank, base_slippage_bps=300, max_slippage_bps=200)
    assert refused.value.field == "max_slippage_bps"


def test_a_refused_desk_registers_no_consumer(bank):
    with pytest.raises(InvalidDeskSettings):
        LiquidationDesk(bank, capacity_per_hour=0)
    LiquidationDesk(bank)  # the name is still free


# -- slippage arithmetic ---------------------------------------------------------------------------
def test_slippage_grows_with_the_btc_sold_from_the_base(bank):
    desk = LiquidationDesk(bank, base_slippage_bps=100, slippage_bps_per_btc=50)
    assert [desk.slippage_bps(sats) for sats in (0, BTC, 2 * BTC, BTC // 2)] == [100, 150, 200, 125]


def test_proceeds_are_the_market_value_less_slippage_rounded_down_to_the_cent(bank):
    desk = LiquidationDesk(bank, base_slippage_bps=100, slippage_bps_per_btc=50)
    assert desk.proceeds(2 * BTC, 500_000) == 980_000  # $10,000 less 2 %
    # 0.12345678 BTC at $3,999.99 = 49,382.588... cents, less 106.172839 bps = 48,858.28... cents
    assert desk.proceeds(12_345_678, 399_999) == 48_858
    assert desk.proceeds(1, 500_000) == 0  # 0.005 cent


def test_slippage_stops_at_its_cap(bank):
    desk = LiquidationDesk(bank, base_slippage_bps=100, slippage_bps_per_btc=1_000, max_slippage_bps=2_500)
    assert desk.slippage_bps(10 * BTC) == 2_500
    assert desk.proceeds(10 * BTC, 100_000) == 750_000


def test_decimal_settings_are_taken_as_written(bank):
    desk = LiquidationDesk(bank, base_slippage_bps=Decimal("0.1"), slippage_bps_per_btc=0.1)
    assert desk.slippage_bps(BTC) == Fraction(1, 5)


# -- the desk at work (through the stack) ----------------------------------------------------------
def test_the_desk_sells_first_come_first_served_after_the_delay_at_most_capacity_an_hour(bank):
    book = [open_facility(bank, 1.3, n) for n in range(7)]  # CVL 130 % each
    desk = LiquidationDesk(bank, delay_hours=2, capacity_per_hour=3)
    bank.price.set(800_000)  # CVL 104 %: all seven start a liquidation now
    bank.advance(hours=5)
    started = bank.outbox.tail(types=["core.credit.partial-liquidation-initiated"])
    queue = [e["payload"]["entity"]["id"] for e in started]
    assert sorted(queue) == sorted(book)
    assert [(e.facility_id, e.started, e.executed) for e in desk.executions] == \
        [(f, 0, 2 * HOUR) for f in queue[:3]] + [(f, 0, 3 * HOUR) for f in queue[3:6]] + [(queue[6], 0, 4 * HOUR)]


def test_the_desk_sells_the_estimate_at_the_market_price_less_slippage(bank):
    facility = open_facility(bank, 1.3)
    desk = LiquidationDesk(bank, base_slippage_bps=50, slippage_bps_per_btc=25)
    bank.price.set(800_000)  # to receive (1.4 x $10,000 - $10,400) / 0.4 = $9,000: 1.125 BTC at $8,000
    bank.advance(hours=3)
    [sale] = desk.executions
    assert (sale.sats_sold, sale.slippage_bps) == (112_500_000, Fraction(78_125, 1_000))  # 50 + 25 x 1.125
    assert (sale.proceeds_cents, sale.slippage_cents) == (892_968, 7_032)  # $9,000 less 0.78125 %, down
    assert bank.credit.facility(facility).collateral_sats == 130_000_000 - 112_500_000
    assert bank.credit.facility(facility).books.outstanding == LOAN - 892_968


def test_the_desk_sells_no_more_than_the_collateral_left(bank):
    facility = open_facility(bank, 1.3)
    desk, borrowers = LiquidationDesk(bank), Borrowers(bank, {})
    bank.price.set(700_000)  # CVL 91 %: the estimate (1.75 BTC) is more than the 1.3 BTC posted
    bank.advance(hours=3)
    assert desk.executions[0].sats_sold == 130_000_000
    assert bank.credit.facility(facility).collateral_sats == 0
    assert state_of(bank, facility) == "no_collateral" and borrowers.margin_calls()[0].ended is None  # still owes


def test_the_desk_sells_dust_that_fetches_nothing_and_the_liquidation_completes(bank):
    """Owing 1 cent on 100 sats (1 cent at $10,000: CVL 100 %), the facility starts a liquidation
    of 1 cent, 100 sats, which 50 bps of slippage make worth 0 cents. The desk used to skip it: it
    stayed running to the end of the run and no later liquidation of the facility could start."""
    facility = open_facility(bank, 1.3)
    desk = LiquidationDesk(bank, base_slippage_bps=50)
    bank.credit.record_payment(facility, LOAN - 1)
    bank.credit.update_collateral(facility, 100)
    assert state_of(bank, facility) == "under_liquidation_threshold"
    bank.advance(hours=3)
    [sale] = desk.executions
    assert (sale.sats_sold, sale.proceeds_cents, sale.slippage_cents) == (100, 0, 1)
    assert bank.credit.liquidation(facility) is None
    assert not bank.state("credit-facility", facility).liquidation_running  # it may start another
    assert bank.credit.facility(facility).collateral_sats == 0
    assert bank.credit.books(facility).outstanding == 1  # nothing paid
    [received] = bank.outbox.tail(types=["core.credit-collateral.liquidation-proceeds-received"])
    assert received["payload"]["payment_id"] is None  # so it names none (it named one never recorded)
    assert bank.ledger.is_balanced()


def test_the_desk_completes_a_liquidation_sized_to_sell_nothing(bank):
    """An initial CVL of 100 % sizes every liquidation (0 cents, 0 sats): the desk used to skip them,
    so a stress run with such terms executed none (20 started, 0 executed, all in flight at the end)."""
    customer = bank.customer.create_customer("b0@bank.test")
    bank.deposit.record_deposit(bank.deposit.create_account(customer), 10_00)
    terms = std_terms(duration=12, initial_cvl=Decimal(100), margin_call_cvl=Decimal(90),
                      liquidation_cvl=Decimal(80))
    facility = bank.credit.create_proposal(customer, LOAN, terms)
    bank.credit.conclude_customer_approval(facility)
    bank.credit.update_collateral(facility, BTC)
    desk = LiquidationDesk(bank)
    bank.price.set(700_000)  # CVL 70 %
    trigger = bank.outbox.tail(types=["core.credit.partial-liquidation-initiated"])[0]["payload"]["entity"]
    assert trigger["liquidation_trigger"]["initially_estimated_to_liquidate"] == 0
    bank.advance(hours=3)
    assert [(e.sats_sold, e.proceeds_cents) for e in desk.executions] == [(0, 0)]
    assert bank.credit.liquidation(facility) is None
    assert bank.credit.facility(facility).collateral_sats == BTC  # nothing went out


def test_the_desk_leaves_a_liquidation_someone_else_completed(bank):
    facility = open_facility(bank, 1.3)
    desk = LiquidationDesk(bank, delay_hours=2)
    bank.price.set(800_000)
    bank.advance(hours=1)
    bank.credit.send_collateral_to_liquidation(facility, 100_000_000)  # an operator by hand
    bank.credit.record_liquidation_proceeds(facility, 790_000)
    bank.advance(hours=2)
    assert desk.executions == [] and bank.credit.liquidation(facility) is None


# -- borrower behaviours ---------------------------------------------------------------------------
@pytest.mark.parametrize("make, field", [
    (lambda: TopUp(1.5), "probability"), (lambda: TopUp(0.5, cure_window_hours=0), "cure_window_hours"),
    (lambda: TopUp(0.5, target_cvl=Decimal(-1)), "target_cvl"), (lambda: RepayEarly(-0.1), "fraction"),
    (lambda: RepayEarly(0.5, after_hours=-1), "after_hours"),
    (lambda: PayLate(-2), "days"), (lambda: TopUp("often"), "probability"),
])
def test_a_behaviour_out_of_range_is_refused(make, field):
    with pytest.raises(InvalidBorrowerBehaviour) as refused:
        make()
    assert refused.value.field == field


def test_a_borrower_who_tops_up_cures_within_the_window(bank):
    facility = open_facility(bank, 1.5)  # CVL 150 %
    borrowers = Borrowers(bank, {facility: TopUp(1.0, cure_window_hours=6, target_cvl=Decimal(150))})
    bank.price.set(800_000)  # CVL 120 %: a margin call
    assert state_of(bank, facility) == "under_margin_call_threshold"
    bank.advance(hours=6)
    [call] = borrowers.margin_calls()
    assert call.ended is not None and call.ended - call.started < 6 * HOUR and call.topped_up_sats > 0
    assert state_of(bank, facility) == "fully_collateralized"
    assert bank.credit.facility(facility).cvl == Decimal(150)


def test_each_margin_call_draws_twice_from_the_borrowers_stream_in_the_order_calls_start(bank):
    book = [open_facility(bank, 1.5, n) for n in range(6)]
    borrowers = Borrowers(bank, {f: TopUp(0.5, cure_window_hours=10) for f in book})
    bank.price.set(800_000)  # all six called at once
    bank.advance(hours=10)
    stream, calls = Ids(3).stream("borrowers"), borrowers.margin_calls()  # the bank's seed, a fresh stream
    draws = [(stream.random() < 0.5, stream.random()) for _ in calls]
    assert [(c.topped_up_sats > 0, c.ended) for c in calls] == \
        [(True, max(1, int(10 * HOUR * when))) if tops_up else (False, None) for tops_up, when in draws]
    assert 0 < sum(tops_up for tops_up, _ in draws) < 6


def test_a_borrower_who_does_not_top_up_stays_called_and_the_time_is_measured(bank):
    facility = open_facility(bank, 1.5)
    borrowers = Borrowers(bank, {facility: TopUp(0.0, cure_window_hours=6)})
    bank.advance(hours=1)
    bank.price.set(800_000)
    bank.advance(hours=10)
    assert borrowers.time_under_margin_call(facility) == 10 * HOUR  # an open call counts to now
    bank.price.set(1_000_000)  # CVL 150 % > 125 + 5: the call ends
    bank.advance(hours=5)
    assert borrowers.time_under_margin_call(facility) == 10 * HOUR
    assert [(c.started, c.ended, c.topped_up_sats) for c in borrowers.margin_calls()] == [(HOUR, 11 * HOUR, 0)]


def test_a_margin_call_lasts_through_liquidation_until_the_facility_leaves_both(bank):
    facility = open_facility(bank, 1.5, n=1)
    borrowers = Borrowers(bank, {facility: NeverPay()})
    bank.price.set(800_000)
    bank.advance(hours=2)
    bank.price.set(600_000)  # CVL 90 %: under liquidation, still the same call
    bank.advance(hours=2)
    bank.price.set(900_000)  # CVL 135 %
    assert [(c.started, c.ended) for c in borrowers.margin_calls()] == [(0, 4 * HOUR)]


def test_a_margin_call_hysteresis_keeps_the_call_open_until_the_buffer_is_passed(bank):
    facility = open_facility(bank, 1.5)
    borrowers = Borrowers(bank, {facility: NeverPay()})
    bank.price.set(800_000)
    bank.advance(hours=1)
    bank.price.set(860_000)  # CVL 129 %: above 125 but not above 130
    bank.advance(hours=1)
    assert borrowers.margin_calls()[0].ended is None
    bank.price.set(880_000)  # CVL 132 %
    assert borrowers.margin_calls()[0].ended == 2 * HOUR


def test_a_borrower_who_repays_early_pays_the_fraction_after_the_delay(bank):
    facility = open_facility(bank, 1.5)
    borrowers = Borrowers(bank, {facility: RepayEarly(0.5, after_hours=24)})
    bank.price.set(800_000)
    bank.advance(hours=23)
    assert bank.credit.facility(facility).books.outstanding == LOAN
    bank.advance(hours=2)
    assert bank.credit.facility(facility).books.outstanding == LOAN // 2
    [call] = borrowers.margin_calls()
    assert (call.repaid_cents, call.ended) == (LOAN // 2, 24 * HOUR)


@pytest.mark.parametrize("behaviour, paid_on", [
    (TopUp(0.5), "2024-02-01T00:00:00Z"), (PayLate(3), "2024-02-04T00:00:00Z"), (NeverPay(), None)])
def test_borrowers_pay_january_interest_as_their_behaviour_says(bank, behaviour, paid_on):
    facility = open_facility(bank, 3.0)
    Borrowers(bank, {facility: behaviour})
    bank.advance(days=35)
    payments = bank.outbox.tail(types=["core.credit-collection.payment-created"])
    assert [p["recorded_at"] for p in payments] == ([paid_on] if paid_on else [])
    due = bank.outbox.tail(types=["core.credit-collection.obligation-due"])[0]["payload"]["entity"]
    assert sum(p["payload"]["entity"]["amount"] for p in payments) == (due["initial_amount"] if paid_on else 0)

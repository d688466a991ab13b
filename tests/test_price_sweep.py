"""Price-driven re-evaluation visits only facilities whose state a price move can change, and
never misses one (checked against a full re-evaluation of every facility)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domains.credit import std_terms
from domains.credit.collateral import CollateralizationState as S
from domains.credit.collateral import price_triggers
from engine import AlreadyApplied, Simulation

BTC = 100_000_000


def open_facilities(sim, btc_amounts, amount=1_000_000_00):
    sim.price.set(7_000_000)
    facilities = []
    for i, btc in enumerate(btc_amounts):
        customer = sim.customer.create_customer(f"c{i}@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 1_000_00)
        facility = sim.credit.create_proposal(customer, amount, std_terms(duration=12))
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, int(btc * BTC))
        facilities.append(facility)
    return facilities


def full_reevaluation_changes_nothing(sim, facilities, price) -> bool:
    flow = sim.credit.flow
    for facility in facilities:
        f = sim.state("credit-facility", facility)
        send = flow.collateralization(facility, sim.state("collateral", f.collateral_id).amount, price)
        if sim.execute(send.kind, send.id, send.command) is not AlreadyApplied:
            return False
    return True


def test_a_price_move_inside_every_band_touches_no_facility():
    with Simulation(seed=1) as sim:
        facilities = open_facilities(sim, [16, 18, 20, 23])
        sim.price.set(7_000_000)
        before = [len(sim.journal.stream("credit-facility", f)) for f in facilities]
        sim.price.set(7_050_000)  # +0.7 %: no threshold is near
        assert [len(sim.journal.stream("credit-facility", f)) for f in facilities] == before


@pytest.mark.parametrize("state, expected", [
    (S.FULLY_COLLATERALIZED, (True, False)),
    (S.UNDER_MARGIN_CALL_THRESHOLD, (True, True)),
    (S.UNDER_LIQUIDATION_THRESHOLD, (False, True)),
])
def test_each_state_has_the_triggers_its_thresholds_imply(state, expected):
    below, above = price_triggers(state, 20 * BTC, Decimal(2), std_terms())  # ratio 2 sats per cent
    assert (below is not None, above is not None) == expected
    if below is not None and above is not None:
        assert below < above


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(btc=st.lists(st.floats(min_value=18, max_value=40), min_size=3, max_size=6),
       prices=st.lists(st.integers(3_000_000, 12_000_000), min_size=1, max_size=6))
def test_the_sweep_never_misses_a_facility_whose_state_should_change(btc, prices):
    with Simulation(seed=2) as sim:
        facilities = open_facilities(sim, btc)
        for price in prices:
            sim.price.set(price)
            assert full_reevaluation_changes_nothing(sim, facilities, price)
        assert sim.ledger.is_balanced()

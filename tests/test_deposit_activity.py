"""A deposit account's activity counts the money movements Lana counts in the account's ledger
history: deposits and their reverts, a withdrawal's initiation, cancel, denial and revert, a
disbursal credited to it and a payment debited from it; not a confirmation (it only leaves the
pending layer), nor a freeze or unfreeze. The last activity is the day the movement was recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domains.credit import std_terms
from domains.deposit import Activity
from engine import Simulation

START = date(2024, 1, 1)
AMOUNT, PRICE, BTC = 100_000_00, 7_000_000, 100_000_000


@pytest.fixture
def sim():
    with Simulation(seed=7, start=START.isoformat()) as simulation:
        simulation.price.set(PRICE)
        yield simulation


def funded(sim, email: str = "ann@example.com") -> tuple[str, str]:
    customer = sim.customer.create_customer(email)
    account = sim.deposit.create_account(customer)
    sim.deposit.record_deposit(account, 10_000_00)
    return customer, account


def activated_facility(sim, customer: str) -> str:
    facility = sim.credit.create_proposal(customer, AMOUNT, std_terms(duration=12))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, 3 * BTC)
    return facility


def last_activity(sim, account: str) -> date:
    return sim.deposit.account(account).last_activity_on


def today(sim) -> date:
    return sim.clock.now.date()


# -- withdrawals ---------------------------------------------------------------------------
def test_a_withdrawal_initiation_counts_as_activity_even_when_it_is_later_cancelled(sim):
    _, account = funded(sim)
    sim.advance(days=300)
    withdrawal = sim.deposit.initiate_withdrawal(account, 3_000)
    initiated = today(sim)
    assert last_activity(sim, account) == initiated
    sim.advance(days=10)
    sim.deposit.cancel_withdrawal(withdrawal)
    assert last_activity(sim, account) == initiated + timedelta(days=10)
    sim.advance(days=100)  # 410 days after the opening deposit
    assert sim.deposit.account(account).activity is Activity.ACTIVE


def test_a_confirmation_is_not_activity_its_initiation_was(sim):
    _, account = funded(sim)
    sim.advance(days=100)
    withdrawal = sim.deposit.initiate_withdrawal(account, 3_000)
    initiated = today(sim)
    sim.advance(days=100)
    sim.deposit.confirm_withdrawal(withdrawal)
    assert last_activity(sim, account) == initiated


def test_a_reverted_withdrawal_counts_on_the_day_of_its_revert(sim):
    _, account = funded(sim)
    withdrawal = sim.deposit.initiate_withdrawal(account, 3_000)
    sim.deposit.confirm_withdrawal(withdrawal)
    sim.advance(days=100)
    sim.deposit.revert_withdrawal(withdrawal)
    assert last_activity(sim, account) == START + timedelta(days=100)


def test_a_denied_withdrawal_counts_on_the_day_of_its_refund(sim):
    sim.access.seed()
    manager = sim.access.create_user("una@bank.test", "bank-manager")
    board = sim.governance.create_committee("board")
    sim.governance.add_member(board, manager)
    sim.governance.set_policy("withdraw", board)
    _, account = funded(sim)
    withdrawal = sim.deposit.initiate_withdrawal(account, 3_000)
    sim.advance(days=100)
    sim.governance.deny(withdrawal, manager, "unusual amount")
    assert last_activity(sim, account) == START + timedelta(days=100)


def test_a_freeze_and_an_unfreeze_are_not_activity(sim):
    customer, account = funded(sim)
    sim.advance(days=200)
    sim.customer.freeze_customer(customer)
    sim.advance(days=10)
    sim.customer.unfreeze_customer(customer)
    assert last_activity(sim, account) == START
    sim.advance(days=160)  # 370 days after the opening deposit
    assert sim.deposit.account(account).activity is Activity.INACTIVE


# -- credit --------------------------------------------------------------------------------
def test_a_disbursal_into_an_account_idle_for_400_days_makes_it_active_again(sim):
    customer, account = funded(sim)
    sim.advance(days=400)
    assert sim.deposit.account(account).activity is Activity.INACTIVE
    activated_facility(sim, customer)
    assert last_activity(sim, account) == today(sim)
    sim.advance(days=1)
    assert sim.deposit.account(account).activity is Activity.ACTIVE


def test_a_payment_from_the_account_keeps_it_from_turning_inactive(sim):
    customer, account = funded(sim)
    facility = activated_facility(sim, customer)
    sim.advance(days=40)  # January's interest is posted, due on Jan 31
    sim.credit.record_payment(facility, 1_000_00)
    paid = today(sim)
    assert last_activity(sim, account) == paid
    sim.advance(days=340)  # 380 days after the opening deposit and the disbursal, 340 after the payment
    assert sim.deposit.account(account).activity is Activity.ACTIVE


def test_a_dated_payment_counts_on_the_day_it_was_recorded_not_the_day_it_is_dated(sim):
    customer, account = funded(sim)
    facility = activated_facility(sim, customer)
    sim.advance(days=40)
    sim.credit.record_payment(facility, 1_000_00, effective=today(sim) - timedelta(days=5))
    assert last_activity(sim, account) == today(sim)

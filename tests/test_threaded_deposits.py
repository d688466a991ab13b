"""A deposit account's balance read for a command, on the threaded runtime, with money moving on
another thread in between. A freeze moves the settled balance it read to the frozen account, a
close checks the balance it read is zero: a withdrawal, deposit or payment between the read and
the command refused the freeze (`OverdraftPrevented`; in a customer's freeze, a failed reaction
with the customer frozen and its account not), left a frozen account holding a settled balance, or
closed an account holding money. The deposit service now holds the bank's `serial` lock over the
read and the command, as the customer, governance and credit services do over theirs: the other
thread's call waits, then meets the account frozen or closed. Found by driving the bank from
several threads at once (3 of 12 trials). Last, a proposal made as its customer is closed."""

from __future__ import annotations

import pytest

from domains.accounting import deposit_account, frozen_deposit
from domains.credit.primitives import DisbursalStatus
from domains.deposit import AccountClosed, AccountFrozen, AccountStatus
from engine import Simulation
from tests.test_credit_bad_input import PRICE, disbursal_committee_of_one, open_facility, while_reading

pytestmark = pytest.mark.timeout(120)
HELD = 1_000_00


@pytest.fixture
def bank():
    """A threaded run, a customer with $1,000 in an account and a facility paying from it, whose
    disbursals wait for a committee of one."""
    with Simulation(seed=8, start="2024-01-01", runtime="threaded") as sim:
        sim.price.set(PRICE)
        sim.member = disbursal_committee_of_one(sim)
        customer = sim.customer.create_customer("held@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, HELD)
        facility = open_facility(sim, customer)
        yield sim, customer, account, facility


def _balances(sim, account: str) -> tuple[int, int]:
    return sim.ledger.balance(deposit_account(account)), sim.ledger.balance(frozen_deposit(account))


def _moves(sim, account: str, facility: str, how: str):
    if how == "approval":  # the disbursal settles into the account
        disbursal = sim.credit.initiate_disbursal(facility, 2_000_00)
        return lambda: sim.governance.approve(disbursal, sim.member)
    return {"withdrawal": lambda: sim.deposit.initiate_withdrawal(account, 300_00),
            "deposit": lambda: sim.deposit.record_deposit(account, 300_00),
            "payment": lambda: sim.credit.record_payment(facility, 5_00)}[how]


@pytest.mark.parametrize("how", ["withdrawal", "deposit", "payment", "approval"])
def test_a_freeze_moves_the_whole_balance_when_money_moves_on_another_thread(bank, how):
    """An approved disbursal's settlement into the frozen account waits for its unfreeze."""
    sim, _, account, facility = bank
    before = sum(_balances(sim, account))
    move = _moves(sim, account, facility, how)
    _, ours, theirs = while_reading(sim.deposit, "_settled", lambda: sim.deposit.freeze_account(account), move)
    assert ours == []
    assert [type(refusal) for refusal in theirs] == ([] if how == "approval" else [AccountFrozen])
    assert sim.deposit.account(account).status is AccountStatus.FROZEN
    assert _balances(sim, account) == (0, before)


def test_a_customers_freeze_freezes_its_account_when_a_withdrawal_runs_on_another_thread(bank):
    """The customer's freeze reaches its account in a reaction, which reads the balance to move."""
    sim, customer, account, facility = bank
    before = sum(_balances(sim, account))
    _, ours, theirs = while_reading(sim.deposit, "_settled", lambda: sim.customer.freeze_customer(customer),
                                    _moves(sim, account, facility, "withdrawal"))
    assert ours == []
    assert [type(refusal) for refusal in theirs] == [AccountFrozen]
    assert sim.deposit.account(account).status is AccountStatus.FROZEN
    assert _balances(sim, account) == (0, before)
    assert sim.journal.conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 0


def test_an_account_is_not_closed_holding_a_deposit_made_on_another_thread(bank):
    sim, _, account, _ = bank
    sim.deposit.confirm_withdrawal(sim.deposit.initiate_withdrawal(account, sim.deposit.balance(account)))
    assert sim.deposit.balance(account) == sim.deposit.pending(account) == 0
    _, ours, theirs = while_reading(sim.deposit, "_settled", lambda: sim.deposit.close_account(account),
                                    _moves(sim, account, "", "deposit"))
    assert ours == []
    assert sim.deposit.account(account).status is AccountStatus.CLOSED
    assert [type(refusal) for refusal in theirs] == [AccountClosed]
    assert _balances(sim, account) == (0, 0)


def test_no_proposal_is_made_for_a_customer_after_its_close_on_another_thread(bank):
    """A proposal reads its customer's status, then is recorded: a close on another thread in
    between was journaled first, and the journal showed a proposal made for a closed customer. Now
    the close waits: the journal's order is the order the check saw. (An account's opening holds
    the same lock over the same read.)"""
    from domains.credit import std_terms

    sim, customer, _, _ = bank
    proposal, ours, theirs = while_reading(
        sim.customer, "customer", lambda: sim.credit.create_proposal(customer, 10_000_00, std_terms(duration=3)),
        lambda: sim.customer.close_customer(customer))
    assert ours == [] and theirs == []
    made = sim.journal.stream("credit-facility-proposal", proposal)[0].seq
    assert made < sim.journal.stream("customer", customer)[-1].seq


def test_a_vote_is_not_counted_for_a_member_removed_on_another_thread_before_it(bank):
    """A vote reads the committee's members, then is recorded: a removal on another thread in
    between was journaled first, and the removed member's approval then settled the disbursal."""
    sim, _, _, facility = bank
    disbursal = sim.credit.initiate_disbursal(facility, 2_000_00)
    committee = sim.governance.process(disbursal).rules.committee_id
    _, ours, theirs = while_reading(sim.governance, "_eligible", lambda: sim.governance.approve(disbursal, sim.member),
                                    lambda: sim.governance.remove_member(committee, sim.member))
    assert ours == [] and theirs == []
    voted = sim.journal.stream("approval-process", disbursal)[-1].seq
    assert voted < sim.journal.stream("committee", committee)[-1].seq


def test_what_waited_on_an_unfrozen_account_is_not_settled_into_it_as_another_thread_freezes_it(bank, monkeypatch):
    """An unfreeze schedules a job sending what waited on the account (an approved disbursal held
    while it was frozen); on the threaded runtime that job may run on another thread. It read the
    account active and settled the disbursal between a new freeze's balance read and its command:
    the frozen account held the disbursal (found by operator threads beside a clock-driving
    thread, 1 trial in 100). The job now holds the bank's lock too, and finds the account frozen."""
    sim, _, account, facility = bank
    resumed: list[str] = []
    monkeypatch.setattr(sim.deposit, "unfrozen", [resumed.append])  # the job, run below on another thread
    sim.deposit.freeze_account(account)
    disbursal = sim.credit.initiate_disbursal(facility, 2_000_00)
    sim.governance.approve(disbursal, sim.member)  # approved, held: the account is frozen
    sim.deposit.unfreeze_account(account)
    assert resumed == [account]
    before = sum(_balances(sim, account))
    _, ours, theirs = while_reading(sim.deposit, "_settled", lambda: sim.deposit.freeze_account(account),
                                    lambda: sim.credit.flow._resume(account))
    assert ours == [] and theirs == []
    assert _balances(sim, account) == (0, before)
    assert sim.state("disbursal", disbursal).status is DisbursalStatus.NEW  # still held, settled at the next unfreeze

"""Deposits and withdrawals through the whole stack: services, actors, governance, the policy
concluding withdrawals, the customer-sync and deposit-sync consumers, and the ledger."""

from __future__ import annotations

import pytest

from domains.deposit import (
    AccountClosed,
    AccountFrozen,
    AccountStatus,
    Activity,
    AlreadyDenied,
    BalanceIsNotZero,
    CustomerNotEligible,
    InsufficientBalance,
    NonPositiveAmount,
    WithdrawalStatus,
)
from domains.governance import ApprovalProcessStatus
from engine import AlreadyApplied, Simulation, UnknownEntity

W = WithdrawalStatus


def open_funded_account(sim, email: str = "ann@example.com", amount: int = 10_000) -> tuple[str, str]:
    customer_id = sim.customer.create_customer(email)
    account_id = sim.deposit.create_account(customer_id)
    sim.deposit.record_deposit(account_id, amount)
    return customer_id, account_id


def board_of_two(sim) -> tuple[str, str, str]:
    """A committee of two bank managers deciding withdrawals; returns (member, member, outsider)."""
    sim.access.seed()
    users = [sim.access.create_user(f"{name}@bank.test", "bank-manager") for name in ("una", "ivo", "out")]
    board = sim.governance.create_committee("board")
    for user in users[:2]:
        sim.governance.add_member(board, user)
    sim.governance.set_policy("withdraw", board)
    return users[0], users[1], users[2]


def event_types(sim) -> list[str]:
    return [e["event_type"] for e in sim.outbox.tail() if not e["event_type"].startswith("core.customer")]


def test_deposit_then_auto_approved_withdrawal_then_confirmation():
    with Simulation(seed=7) as sim:
        _, account = open_funded_account(sim)
        withdrawal = sim.deposit.initiate_withdrawal(account, 3_000)
        assert sim.deposit.withdrawal(withdrawal).status is W.PENDING_CONFIRMATION
        assert (sim.deposit.balance(account), sim.deposit.pending(account)) == (7_000, 3_000)
        sim.deposit.confirm_withdrawal(withdrawal)
        assert (sim.deposit.balance(account), sim.deposit.pending(account)) == (7_000, 0)
        assert event_types(sim) == ["core.deposit.deposit-account-created", "core.deposit.deposit-initialized",
                                    "governance.approval-process-concluded",
                                    "core.deposit.withdrawal-approval-concluded", "core.deposit.withdrawal-confirmed"]
        assert sim.ledger.is_balanced()


def test_a_committee_approves_only_when_every_member_has():
    with Simulation(seed=7) as sim:
        una, ivo, _ = board_of_two(sim)
        _, account = open_funded_account(sim)
        withdrawal = sim.deposit.initiate_withdrawal(account, 4_000)
        sim.governance.approve(withdrawal, una)
        assert sim.deposit.withdrawal(withdrawal).status is W.PENDING_APPROVAL
        sim.governance.approve(withdrawal, ivo)
        assert sim.governance.process(withdrawal).status is ApprovalProcessStatus.APPROVED
        sim.deposit.confirm_withdrawal(withdrawal)
        assert sim.deposit.withdrawal(withdrawal).status is W.CONFIRMED
        assert sim.deposit.balance(account) == 6_000


def test_one_denial_denies_and_refunds():
    with Simulation(seed=7) as sim:
        una, ivo, _ = board_of_two(sim)
        _, account = open_funded_account(sim)
        withdrawal = sim.deposit.initiate_withdrawal(account, 4_000)
        sim.governance.approve(withdrawal, una)
        sim.governance.deny(withdrawal, ivo, "unusual amount")
        assert sim.deposit.withdrawal(withdrawal).status is W.DENIED
        assert (sim.deposit.balance(account), sim.deposit.pending(account)) == (10_000, 0)
        assert sim.ledger.is_balanced()


def test_a_denied_withdrawal_cannot_be_cancelled_into_a_second_refund():
    with Simulation(seed=7) as sim:
        _, ivo, _ = board_of_two(sim)
        _, account = open_funded_account(sim)
        withdrawal = sim.deposit.initiate_withdrawal(account, 4_000)
        sim.governance.deny(withdrawal, ivo, "no")
        digest = sim.journal.digest()
        with pytest.raises(AlreadyDenied) as refused:
            sim.deposit.cancel_withdrawal(withdrawal)
        assert refused.value.withdrawal_id == withdrawal
        assert sim.journal.digest() == digest
        assert sim.ledger.balance(f"deposit:{account}") == 10_000


def test_a_denial_arriving_after_a_cancel_does_not_refund_twice():
    with Simulation(seed=7) as sim:
        _, ivo, _ = board_of_two(sim)
        _, account = open_funded_account(sim)
        withdrawal = sim.deposit.initiate_withdrawal(account, 4_000)
        sim.deposit.cancel_withdrawal(withdrawal)
        sim.governance.deny(withdrawal, ivo, "too late anyway")
        assert sim.governance.process(withdrawal).status is ApprovalProcessStatus.DENIED
        assert sim.deposit.withdrawal(withdrawal).status is W.CANCELLED
        assert sim.ledger.balance(f"deposit:{account}") == 10_000
        assert (sim.deposit.pending(account), sim.ledger.is_balanced()) == (0, True)


def test_freezing_a_customer_freezes_and_unfreezing_restores_its_accounts():
    with Simulation(seed=7) as sim:
        customer, first = open_funded_account(sim)
        second = sim.deposit.create_account(customer)
        sim.customer.freeze_customer(customer)
        assert {sim.deposit.account(a).status for a in (first, second)} == {AccountStatus.FROZEN}
        assert (sim.deposit.balance(first), sim.deposit.frozen_balance(first)) == (0, 10_000)
        sim.customer.unfreeze_customer(customer)
        assert {sim.deposit.account(a).status for a in (first, second)} == {AccountStatus.ACTIVE}
        assert (sim.deposit.balance(first), sim.deposit.frozen_balance(first)) == (10_000, 0)


def test_a_frozen_customer_cannot_open_an_account():
    with Simulation(seed=7) as sim:
        customer = sim.customer.create_customer("ann@example.com")
        sim.customer.freeze_customer(customer)
        with pytest.raises(CustomerNotEligible) as refused:
            sim.deposit.create_account(customer)
        assert (refused.value.customer_id, refused.value.status) == (customer, "frozen")


def test_end_of_day_marks_an_idle_account_inactive_after_a_year_and_activity_revives_it():
    with Simulation(seed=7) as sim:
        _, idle = open_funded_account(sim, "ann@example.com")
        _, busy = open_funded_account(sim, "bob@example.com")
        sim.advance(days=300)
        sim.deposit.record_deposit(busy, 100)
        sim.advance(days=100)
        assert sim.deposit.account(idle).activity is Activity.INACTIVE
        assert sim.deposit.account(busy).activity is Activity.ACTIVE
        sim.deposit.record_deposit(idle, 100)
        sim.advance(days=1)
        assert sim.deposit.account(idle).activity is Activity.ACTIVE


def test_reopening_the_journal_keeps_balances_and_alarms_and_does_not_replay_the_consumers(tmp_path):
    path = str(tmp_path / "bank.sqlite")
    with Simulation(seed=7, journal=path) as sim:
        customer, account = open_funded_account(sim)
        sim.customer.freeze_customer(customer)
    with Simulation(seed=7, journal=path) as again:
        again.settle()
        assert again.deposit.account(account).freezes == 1
        assert again.deposit.frozen_balance(account) == 10_000
        again.customer.unfreeze_customer(customer)
        assert again.deposit.balance(account) == 10_000
        again.advance(days=366)
        assert again.deposit.account(account).activity is Activity.INACTIVE  # its alarm survived


# -- bad input: a typed refusal with the offending values, and nothing journaled -----------------------
@pytest.mark.parametrize("amount", [0, -100])
def test_non_positive_amounts_are_refused_and_journal_nothing(amount):
    with Simulation(seed=7) as sim:
        _, account = open_funded_account(sim)
        digest = sim.journal.digest()
        for operation in (sim.deposit.record_deposit, sim.deposit.initiate_withdrawal):
            with pytest.raises(NonPositiveAmount) as refused:
                operation(account, amount)
            assert refused.value.amount == amount
        assert sim.journal.digest() == digest


def test_an_unknown_account_is_refused_with_its_id():
    with Simulation(seed=7) as sim:
        digest = sim.journal.digest()
        with pytest.raises(UnknownEntity) as refused:
            sim.deposit.record_deposit("no-such-account", 100)
        assert (refused.value.kind, refused.value.id) == ("deposit-account", "no-such-account")
        assert sim.journal.digest() == digest


def test_a_closed_account_takes_no_deposit_and_a_funded_one_does_not_close():
    with Simulation(seed=7) as sim:
        customer, funded = open_funded_account(sim)
        with pytest.raises(BalanceIsNotZero) as not_empty:
            sim.deposit.close_account(funded)
        assert (not_empty.value.account_id, not_empty.value.balance) == (funded, 10_000)
        empty = sim.deposit.create_account(customer)
        sim.deposit.close_account(empty)
        digest = sim.journal.digest()
        with pytest.raises(AccountClosed) as refused:
            sim.deposit.record_deposit(empty, 100)
        assert refused.value.account_id == empty
        assert sim.journal.digest() == digest


def test_commands_on_a_frozen_account_are_refused_with_the_account():
    with Simulation(seed=7) as sim:
        _, account = open_funded_account(sim)
        withdrawal = sim.deposit.initiate_withdrawal(account, 1_000)
        sim.deposit.freeze_account(account)
        digest = sim.journal.digest()
        for attempt in (lambda: sim.deposit.record_deposit(account, 100),
                        lambda: sim.deposit.initiate_withdrawal(account, 100),
                        lambda: sim.deposit.confirm_withdrawal(withdrawal)):
            with pytest.raises(AccountFrozen) as refused:
                attempt()
            assert refused.value.account_id == account
        assert sim.journal.digest() == digest


def test_a_withdrawal_above_the_balance_is_refused_with_both_amounts():
    with Simulation(seed=7) as sim:
        _, account = open_funded_account(sim, amount=500)
        digest = sim.journal.digest()
        with pytest.raises(InsufficientBalance) as refused:
            sim.deposit.initiate_withdrawal(account, 501)
        assert (refused.value.balance, refused.value.amount) == (500, 501)
        assert sim.journal.digest() == digest


def test_votes_by_a_non_member_or_a_second_time_are_ignored_and_journal_nothing():
    with Simulation(seed=7) as sim:
        una, _, outsider = board_of_two(sim)
        _, account = open_funded_account(sim)
        withdrawal = sim.deposit.initiate_withdrawal(account, 1_000)
        sim.governance.approve(withdrawal, una)
        digest = sim.journal.digest()
        assert sim.governance.approve(withdrawal, outsider) is AlreadyApplied  # Lana: Idempotent::AlreadyApplied
        assert sim.governance.deny(withdrawal, una, "changed my mind") is AlreadyApplied
        assert sim.journal.digest() == digest
        assert sim.state("approval-process", withdrawal).status is ApprovalProcessStatus.IN_PROGRESS


def test_a_vote_on_an_auto_approved_withdrawal_is_ignored():
    with Simulation(seed=7) as sim:
        una, _, _ = board_of_two(sim)
        sim.governance.set_policy("withdraw")  # back to AutoApprove
        _, account = open_funded_account(sim)
        withdrawal = sim.deposit.initiate_withdrawal(account, 1_000)
        digest = sim.journal.digest()
        assert sim.governance.deny(withdrawal, una, "too late") is AlreadyApplied
        assert sim.journal.digest() == digest
        assert sim.state("approval-process", withdrawal).status is ApprovalProcessStatus.APPROVED


def test_only_existing_users_join_a_committee():
    with Simulation(seed=7) as sim:
        board = sim.governance.create_committee("board")
        with pytest.raises(UnknownEntity) as refused:
            sim.governance.add_member(board, "nobody")
        assert (refused.value.kind, refused.value.id) == ("user", "nobody")


def a_story(sim) -> tuple[str, str]:
    una, ivo, _ = board_of_two(sim)
    customer, account = open_funded_account(sim)
    withdrawal = sim.deposit.initiate_withdrawal(account, 2_000)
    sim.governance.approve(withdrawal, una)
    sim.governance.deny(withdrawal, ivo, "no")
    sim.customer.freeze_customer(customer)
    sim.advance(days=2)
    return sim.journal.digest(), sim.outbox.digest()


def test_the_same_seed_journals_the_same_story():
    with Simulation(seed=7) as first, Simulation(seed=7) as second:
        assert a_story(first) == a_story(second)

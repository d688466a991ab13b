"""Stateful property: any interleaving of deposits, withdrawals, votes, freezes and reverts keeps the
ledger balanced, never overdraws a deposit account, and keeps every account's ledger balances equal
to the movements its journal records. Refused commands journal nothing."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

from domains.accounting import Currency, Layer
from domains.deposit import (
    DepositAccountFrozen,
    DepositAccountUnfrozen,
    DepositError,
    DepositInitialized,
    DepositReverted,
    WithdrawalCancelled,
    WithdrawalConfirmed,
    WithdrawalDenied,
    WithdrawalInitialized,
    WithdrawalReverted,
)
from domains.governance import GovernanceError
from engine import Simulation

DEPOSITS = st.integers(min_value=1, max_value=20_000)
WITHDRAWALS = st.integers(min_value=1, max_value=6_000)
STEPS = ("approve", "deny", "confirm", "cancel", "revert")
# Signed effect on (settled + frozen, pending) of each event, by the event's own amount or the entity's.
SETTLED_EFFECT = {DepositInitialized: 1, DepositReverted: -1, WithdrawalInitialized: -1, WithdrawalDenied: 1,
                  WithdrawalCancelled: 1, WithdrawalReverted: 1}
PENDING_EFFECT = {WithdrawalInitialized: 1, WithdrawalDenied: -1, WithdrawalCancelled: -1, WithdrawalConfirmed: -1}


class DepositMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")
    deposits = Bundle("deposits")
    withdrawals = Bundle("withdrawals")

    @initialize(target=accounts)
    def open_bank(self):
        self.sim = Simulation(seed=7)
        self.sim.access.seed()
        self.member = self.sim.access.create_user("una@bank.test", "bank-manager")
        self.board = self.sim.governance.create_committee("board")
        self.sim.governance.add_member(self.board, self.member)
        self.sim.governance.set_policy("withdraw", self.board)  # votes first; a rule may switch to auto
        self.customer = self.sim.customer.create_customer("ann@example.com")
        self.opened = [self.sim.deposit.create_account(self.customer) for _ in range(2)]
        for account in self.opened:
            self.sim.deposit.record_deposit(account, 10_000)
        return multiple(*self.opened)

    def teardown(self):
        if hasattr(self, "sim"):
            self.sim.close()

    def attempt(self, operation, *args):
        """Run a service call; a business refusal must leave the journal untouched (a ledger refusal
        or an engine error fails the test: the domain checks should have refused first)."""
        before = self.sim.journal.digest()
        try:
            return operation(*args)
        except (DepositError, GovernanceError):
            assert self.sim.journal.digest() == before
            return None

    @rule(target=deposits, account=accounts, amount=DEPOSITS)
    def deposit(self, account, amount):
        return self.attempt(self.sim.deposit.record_deposit, account, amount)

    @rule(deposit=deposits)
    def revert_deposit(self, deposit):
        if deposit is not None:
            self.attempt(self.sim.deposit.revert_deposit, deposit)

    @rule(target=withdrawals, account=accounts, amount=WITHDRAWALS)
    def withdraw(self, account, amount):
        return self.attempt(self.sim.deposit.initiate_withdrawal, account, amount)

    @rule(withdrawal=withdrawals, steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=3))
    def act_on(self, withdrawal, steps):
        """A few steps of one withdrawal's life in a row, in any order (votes, confirm, cancel, revert)."""
        if withdrawal is None:
            return
        operations = {"confirm": self.sim.deposit.confirm_withdrawal, "cancel": self.sim.deposit.cancel_withdrawal,
                      "revert": self.sim.deposit.revert_withdrawal,
                      "approve": lambda w: self.sim.governance.approve(w, self.member),
                      "deny": lambda w: self.sim.governance.deny(w, self.member, "no")}
        for step in steps:
            self.attempt(operations[step], withdrawal)

    @rule(by_committee=st.booleans())
    def set_withdraw_policy(self, by_committee):
        self.sim.governance.set_policy("withdraw", self.board if by_committee else None)

    @rule(account=accounts, action=st.sampled_from(["freeze", "unfreeze", "freeze customer", "unfreeze customer"]))
    def freeze_or_unfreeze(self, account, action):
        deposit, customer = self.sim.deposit, self.sim.customer
        operations = {"freeze": deposit.freeze_account, "unfreeze": deposit.unfreeze_account,
                      "freeze customer": lambda _: customer.freeze_customer(self.customer),
                      "unfreeze customer": lambda _: customer.unfreeze_customer(self.customer)}
        self.attempt(operations[action], account)

    @invariant()
    def ledger_balances_per_currency_and_layer(self):
        if not hasattr(self, "sim"):
            return
        totals: dict[tuple[Currency, Layer], list[int]] = {}
        for line in self.sim.ledger.trial_balance():
            debit_credit = totals.setdefault((line.currency, line.layer), [0, 0])
            debit_credit[0] += line.debit
            debit_credit[1] += line.credit
        assert all(debit == credit for debit, credit in totals.values())

    @invariant()
    def no_account_is_overdrawn_and_balances_match_the_journal(self):
        for account in getattr(self, "opened", ()):
            settled, frozen, pending = self.journal_movements(account)
            ledger = self.sim.ledger
            assert ledger.balance(f"deposit:{account}") == settled >= 0
            assert ledger.balance(f"frozen-deposit:{account}") == frozen >= 0
            assert ledger.balance(f"deposit:{account}", layer="pending") == pending >= 0

    def journal_movements(self, account: str) -> tuple[int, int, int]:
        """(settled, frozen, pending) summed from the account's, deposits' and withdrawals' events."""
        settled = pending = frozen = 0
        for kind in ("deposit", "withdrawal"):
            for entity_id in self.sim.index(kind).list_by("deposit_account_id", first=10_000,
                                                          where={"deposit_account_id": account}).ids:
                amount = self.sim.state(kind, entity_id).amount
                for _, event in self.sim.journal.events(kind, entity_id):
                    settled += SETTLED_EFFECT.get(type(event), 0) * amount
                    pending += PENDING_EFFECT.get(type(event), 0) * amount
        for _, event in self.sim.journal.events("deposit-account", account):
            if isinstance(event, (DepositAccountFrozen, DepositAccountUnfrozen)):
                moved = event.amount if isinstance(event, DepositAccountFrozen) else -event.amount
                settled, frozen = settled - moved, frozen + moved
        return settled, frozen, pending


DepositMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
TestDepositMachine = DepositMachine.TestCase

"""Deposit service: Lana's deposit API (accounts, deposits, withdrawals through governance) and the
engine-side consumer Lana runs as `customer-sync` jobs (a customer's freeze reaches its accounts).
A frozen account is locked: deposits, withdrawals and payments from it are refused, and the credit
postings to it wait until it is unfrozen; `follow_unfreezes` tells their owner each unfreeze.

Facts an entity cannot see are read here and carried in its commands: the holder's status, the
account's status and its ledger balances. The ledger's overdraft limit stays the hard guarantee.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from domains.accounting import deposit_account, frozen_deposit
from domains.aggregate import Envelope, Policy, Send
from domains.customer import CustomerStatus
from domains.deposit import (
    AccountStatus,
    CancelWithdrawal,
    CloseAccount,
    ConfirmWithdrawal,
    Deposit,
    DepositAccount,
    FreezeAccount,
    InitiateWithdrawal,
    OpenAccount,
    RecordActivity,
    RecordDeposit,
    RevertDeposit,
    RevertWithdrawal,
    UnfreezeAccount,
    Withdrawal,
)
from engine.bank.ledger import Ledger
from engine.bank.service.governance import GovernanceService
from engine.kernel.authz import SYSTEM, System
from engine.kernel.port import Kernel, Outcome

__all__ = ["DepositService"]

CUSTOMER_FROZEN, CUSTOMER_UNFROZEN = "core.customer.customer-frozen", "core.customer.customer-unfrozen"
DEPOSIT_SYNC = System("deposit-sync")  # the principal recording activity, as the activity policy does


class DepositService:
    """The `deposit` attribute of a `Simulation`."""

    def __init__(self, kernel: Kernel, governance: GovernanceService | None, ledger: Ledger,
                 serial: threading.RLock) -> None:
        self.kernel, self.governance, self.ledger = kernel, governance, ledger
        # The bank's operator calls that move an account's money or status hold `serial` (shared
        # with the customer, governance and credit services), cascade included, so on the threaded
        # runtime a balance or status read for a command is still true when the command runs: a
        # payment, withdrawal or disbursal on another thread between a freeze's balance read and
        # its command left the frozen account holding a settled balance, or failed the freeze
        # (OverdraftPrevented; a customer's freeze failed in its reaction, its accounts left open).
        self.serial = serial
        self.unfrozen: list[Callable[[str], None]] = []  # told the id of each account an unfreeze unlocks

    def follow_unfreezes(self, told: Callable[[str], None]) -> None:
        """`told(account_id)` at each unfreeze, as it is decided: in a cascade, before the unfreeze is
        delivered, so `told` defers its work to a job (run once the cascade has settled)."""
        self.unfrozen.append(told)

    def policies(self) -> tuple[Policy, ...]:
        """The engine-side consumer the composition root registers (Lana's `customer-sync`)."""
        return (Policy("customer-deposit-accounts", (CUSTOMER_FROZEN, CUSTOMER_UNFROZEN),
                       self._follow_customer, subject=System("customer-sync")),)

    # -- accounts ----------------------------------------------------------------------
    def create_account(self, customer_id: str, *, subject: str = SYSTEM) -> str:
        """The customer must exist (`UnknownEntity`) and be active (`CustomerNotEligible`)."""
        with self.serial:  # not frozen or closed between this read and the opening (`__init__`)
            customer = self.kernel.state("customer", customer_id)
            account_id = self.kernel.ids.entity()
            command = OpenAccount(account_id, customer_id, customer.status)
            self.kernel.execute("deposit-account", account_id, command, subject=subject)
            return account_id

    def tell_open_account(self, customer_id: str, *, subject: str = SYSTEM) -> str:
        """`create_account` told rather than asked, for a customer told into being before it in the
        same cascade (`tell_create_customer`), who is active as every new customer is."""
        account_id = self.kernel.ids.entity()
        command = OpenAccount(account_id, customer_id, CustomerStatus.ACTIVE)
        self.kernel.tell("deposit-account", account_id, command, subject=subject)
        return account_id

    def freeze_account(self, account_id: str, *, subject: str = SYSTEM) -> Outcome:
        with self.serial:  # the balance moved is the balance (`__init__`)
            command = FreezeAccount(self._settled(self.account(account_id).id))
            return self.kernel.execute("deposit-account", account_id, command, subject=subject)

    def unfreeze_account(self, account_id: str, *, subject: str = SYSTEM) -> Outcome:
        """What waited on the frozen account (`follow_unfreezes`) is done at this instant."""
        self.account(account_id)
        with self.serial:
            outcome = self.kernel.execute("deposit-account", account_id, UnfreezeAccount(), subject=subject)
            if outcome:
                self._unlocked(account_id)
            return outcome

    def close_account(self, account_id: str, *, subject: str = SYSTEM) -> Outcome:
        """Refused while anything is left, settled or pending (`BalanceIsNotZero`), or frozen."""
        self.account(account_id)
        with self.serial:  # nothing arrives between these reads and the close (`__init__`)
            command = CloseAccount(self._settled(account_id), self.pending(account_id))
            return self.kernel.execute("deposit-account", account_id, command, subject=subject)

    # -- deposits ----------------------------------------------------------------------
    def record_deposit(self, account_id: str, amount: int, reference: str | None = None, *,
                       subject: str = SYSTEM) -> str:
        """Record a deposit of `amount` cents (an int: `WrongType` for a float, Decimal, str or
        bool; `NonPositiveAmount` for 0 or less; `AmountOutOfRange` above MAX_CENTS) into the
        account; returns the deposit's id. An unknown account is `UnknownEntity`, a frozen or
        closed one refused (`AccountFrozen`, `AccountClosed`)."""
        with self.serial:  # the account's status is still its status (`__init__`)
            account = self.account(account_id)
            deposit_id = self.kernel.ids.entity()
            command = RecordDeposit(deposit_id, account_id, amount, reference or deposit_id, account.status)
            self.kernel.execute("deposit", deposit_id, command, subject=subject)
            return deposit_id

    def revert_deposit(self, deposit_id: str, *, subject: str = SYSTEM) -> Outcome:
        with self.serial:  # the balance and status read are still true (`__init__`)
            account = self.account(self.kernel.state("deposit", deposit_id).deposit_account_id)
            command = RevertDeposit(account.status, self._settled(account.id))
            return self.kernel.execute("deposit", deposit_id, command, subject=subject)

    # -- withdrawals -------------------------------------------------------------------
    def initiate_withdrawal(self, account_id: str, amount: int, reference: str | None = None, *,
                            subject: str = SYSTEM) -> str:
        """Funds leave the settled balance at once; a `withdraw` approval process (same id) decides.
        Under AutoApprove the withdrawal is pending confirmation when this returns. The withdrawal
        and its process are one operation (one cascade, one group commit), as in Lana."""
        with self.serial:  # the balance and status read are still true (`__init__`)
            account = self.account(account_id)
            withdrawal_id = self.kernel.ids.entity()
            command = InitiateWithdrawal(withdrawal_id, account_id, amount, reference or withdrawal_id, account.status,
                                         self._settled(account_id))
            self._moved(account, self.kernel.execute("withdrawal", withdrawal_id, command, subject=subject))
            assert self.governance is not None, "withdrawals need the governance module hosted"
            self.governance.start_process("withdraw", withdrawal_id, process_id=withdrawal_id)
            return withdrawal_id

    def confirm_withdrawal(self, withdrawal_id: str, *, subject: str = SYSTEM) -> Outcome:
        """Not the account's activity: the funds left its settled balance at the initiation."""
        return self._on_withdrawal(withdrawal_id, ConfirmWithdrawal, subject)

    def cancel_withdrawal(self, withdrawal_id: str, *, subject: str = SYSTEM) -> Outcome:
        return self._on_withdrawal(withdrawal_id, CancelWithdrawal, subject, moves=True)

    def revert_withdrawal(self, withdrawal_id: str, *, subject: str = SYSTEM) -> Outcome:
        return self._on_withdrawal(withdrawal_id, RevertWithdrawal, subject, moves=True)

    # -- reads -------------------------------------------------------------------------
    def account(self, account_id: str) -> DepositAccount:
        """Raises `UnknownEntity(kind="deposit-account")` for an id never created."""
        found: DepositAccount = self.kernel.state("deposit-account", account_id)
        return found

    def balance(self, account_id: str) -> int:
        """The settled balance in cents (zero while frozen: see `frozen_balance`)."""
        return self._settled(self.account(account_id).id)

    def frozen_balance(self, account_id: str) -> int:
        return self.ledger.balance(frozen_deposit(self.account(account_id).id))

    def pending(self, account_id: str) -> int:
        """Withdrawals initiated and not yet confirmed, denied or cancelled (an id that names no
        account is `UnknownEntity`, as `balance` refuses it: it read 0, for None too)."""
        return self.ledger.balance(deposit_account(self.account(account_id).id), layer="pending")

    def deposit(self, deposit_id: str) -> Deposit:
        found: Deposit = self.kernel.state("deposit", deposit_id)
        return found

    def withdrawal(self, withdrawal_id: str) -> Withdrawal:
        found: Withdrawal = self.kernel.state("withdrawal", withdrawal_id)
        return found

    def accounts_of(self, customer_id: str) -> list[str]:
        """The customer's deposit account ids, in id order; an id that names no customer is
        `UnknownEntity` (it answered [], for None too, as for a customer without an account)."""
        self.kernel.state("customer", customer_id)
        return self.kernel.index("deposit-account").ids_where("account_holder_id", [customer_id])

    # -- steps -------------------------------------------------------------------------
    def _settled(self, account_id: str) -> int:
        return self.ledger.balance(deposit_account(account_id))

    def _on_withdrawal(self, withdrawal_id: str, command_type: type, subject: str, *, moves: bool = False) -> Outcome:
        with self.serial:  # the account's status is still its status (`__init__`)
            account = self.account(self.kernel.state("withdrawal", withdrawal_id).deposit_account_id)
            outcome = self.kernel.execute("withdrawal", withdrawal_id, command_type(account.status), subject=subject)
            return self._moved(account, outcome) if moves else outcome

    def _moved(self, account: DepositAccount, outcome: Outcome) -> Outcome:
        """Money moved on the account today: a withdrawal's initiation, cancel or revert, which have no
        public event, each leave a settled entry on the account, which Lana counts as activity (a
        confirmation only leaves its pending layer). A repeated command (`AlreadyApplied`) moved nothing;
        an account already active today is not asked again (`account`: its state before the command)."""
        today = self.kernel.now.date()
        if outcome and account.last_activity_on < today:
            self.kernel.execute("deposit-account", account.id, RecordActivity(today), subject=DEPOSIT_SYNC)
        return outcome

    # -- consumer (Lana's customer-sync job) ----------------------------------------------
    def _follow_customer(self, envelope: Envelope) -> tuple[Send, ...]:
        """A customer's freeze or unfreeze reaches all of its open deposit accounts."""
        customer_id = envelope["payload"]["entity"]["id"]
        freezing = envelope["event_type"] == CUSTOMER_FROZEN
        sends = []
        for account_id in self.accounts_of(customer_id):
            status = self.account(account_id).status
            if status is AccountStatus.CLOSED:
                continue
            command = FreezeAccount(self._settled(account_id)) if freezing else UnfreezeAccount()
            sends.append(Send("deposit-account", account_id, command))
            if not freezing and status is AccountStatus.FROZEN:
                self._unlocked(account_id)
        return tuple(sends)

    def _unlocked(self, account_id: str) -> None:
        for told in self.unfrozen:
            told(account_id)


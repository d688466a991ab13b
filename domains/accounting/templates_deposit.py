"""Deposit module templates (Lana: core/credit/src/ledger/templates, `core/deposit/src/ledger/templates`): all USD.

`account_id` is the deposit account's entity id; its ledger accounts are `deposit:<id>` and
`frozen-deposit:<id>`. Amounts are int cents > 0 (`NonPositiveAmount` / `NotMinorUnits` otherwise).
"""

from __future__ import annotations

from datetime import date

from domains.accounting.chart import DEPOSIT_OMNIBUS, deposit_account, frozen_deposit
from domains.accounting.primitives import Layer, LedgerTransaction, entry_pair
from domains.accounting.template import positive, transaction

__all__ = [
    "CANCEL_WITHDRAW",
    "CONFIRM_WITHDRAW",
    "DENY_WITHDRAW",
    "FREEZE_ACCOUNT",
    "INITIATE_WITHDRAW",
    "RECORD_DEPOSIT",
    "REVERT_DEPOSIT",
    "REVERT_WITHDRAW",
    "UNFREEZE_ACCOUNT",
    "cancel_withdrawal",
    "confirm_withdrawal",
    "deny_withdrawal",
    "freeze_account",
    "initiate_withdrawal",
    "record_deposit",
    "revert_deposit",
    "revert_withdrawal",
    "unfreeze_account",
]

RECORD_DEPOSIT = "RECORD_DEPOSIT"
REVERT_DEPOSIT = "REVERT_DEPOSIT"
INITIATE_WITHDRAW = "INITIATE_WITHDRAW"
CONFIRM_WITHDRAW = "CONFIRM_WITHDRAW"
DENY_WITHDRAW = "DENY_WITHDRAW"
CANCEL_WITHDRAW = "CANCEL_WITHDRAW"
REVERT_WITHDRAW = "REVERT_WITHDRAW"
FREEZE_ACCOUNT = "FREEZE_ACCOUNT"
UNFREEZE_ACCOUNT = "UNFREEZE_ACCOUNT"
P = Layer.PENDING


def record_deposit(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S: DR deposit omnibus, CR deposit account."""
    cents = positive(RECORD_DEPOSIT, amount)
    return transaction(tx_id, RECORD_DEPOSIT, effective,
                       entry_pair(DEPOSIT_OMNIBUS, deposit_account(account_id), cents))


def revert_deposit(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S: DR deposit account, CR deposit omnibus (overdraft prevention applies)."""
    cents = positive(REVERT_DEPOSIT, amount)
    return transaction(tx_id, REVERT_DEPOSIT, effective,
                       entry_pair(deposit_account(account_id), DEPOSIT_OMNIBUS, cents))


def initiate_withdrawal(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S: DR deposit account, CR omnibus (funds leave at once); P: DR omnibus, CR deposit account."""
    cents, account = positive(INITIATE_WITHDRAW, amount), deposit_account(account_id)
    return transaction(tx_id, INITIATE_WITHDRAW, effective, entry_pair(account, DEPOSIT_OMNIBUS, cents),
                       entry_pair(DEPOSIT_OMNIBUS, account, cents, layer=P))


def confirm_withdrawal(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """P: DR deposit account, CR omnibus (clears the pending leg)."""
    cents = positive(CONFIRM_WITHDRAW, amount)
    return transaction(tx_id, CONFIRM_WITHDRAW, effective,
                       entry_pair(deposit_account(account_id), DEPOSIT_OMNIBUS, cents, layer=P))


def _refund(template: str, tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """P: DR deposit account, CR omnibus; S: DR omnibus, CR deposit account (the money comes back)."""
    cents, account = positive(template, amount), deposit_account(account_id)
    return transaction(tx_id, template, effective, entry_pair(account, DEPOSIT_OMNIBUS, cents, layer=P),
                       entry_pair(DEPOSIT_OMNIBUS, account, cents))


def deny_withdrawal(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """Governance denied the withdrawal: refund (see `_refund`)."""
    return _refund(DENY_WITHDRAW, tx_id, account_id, amount, effective)


def cancel_withdrawal(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """The withdrawal was cancelled before confirmation: refund (see `_refund`)."""
    return _refund(CANCEL_WITHDRAW, tx_id, account_id, amount, effective)


def revert_withdrawal(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S: DR deposit omnibus, CR deposit account (a confirmed withdrawal is undone)."""
    cents = positive(REVERT_WITHDRAW, amount)
    return transaction(tx_id, REVERT_WITHDRAW, effective,
                       entry_pair(DEPOSIT_OMNIBUS, deposit_account(account_id), cents))


def freeze_account(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S: DR deposit account, CR frozen deposit account (`amount` = the settled balance moved)."""
    cents = positive(FREEZE_ACCOUNT, amount)
    return transaction(tx_id, FREEZE_ACCOUNT, effective,
                       entry_pair(deposit_account(account_id), frozen_deposit(account_id), cents))


def unfreeze_account(tx_id: str, account_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S: DR frozen deposit account, CR deposit account (the frozen balance comes back)."""
    cents = positive(UNFREEZE_ACCOUNT, amount)
    return transaction(tx_id, UNFREEZE_ACCOUNT, effective,
                       entry_pair(frozen_deposit(account_id), deposit_account(account_id), cents))

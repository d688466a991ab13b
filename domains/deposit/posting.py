"""Ledger postings of the deposit module (Lana: core/credit/src/ledger/templates): each posting event maps to one
template."""

from __future__ import annotations

from domains import accounting as t
from domains.accounting.primitives import LedgerTransaction
from domains.deposit import events as ev
from domains.deposit.account import DepositAccount
from domains.deposit.deposit import Deposit
from domains.deposit.withdrawal import Withdrawal

__all__ = ["account_ledger_tx_ids", "deposit_ledger_tx_ids", "post_account", "post_deposit", "post_withdrawal",
           "withdrawal_ledger_tx_ids"]

_WITHDRAWAL = {ev.WithdrawalDenied: t.deny_withdrawal, ev.WithdrawalConfirmed: t.confirm_withdrawal,
               ev.WithdrawalCancelled: t.cancel_withdrawal, ev.WithdrawalReverted: t.revert_withdrawal}


def post_account(a: DepositAccount, event: ev.DepositAccountEvent) -> tuple[LedgerTransaction, ...]:
    """FREEZE_ACCOUNT / UNFREEZE_ACCOUNT; nothing moves for an empty balance (no id since these are
    recorded so; journals written before name one, which posts nothing either)."""
    if isinstance(event, ev.DepositAccountFrozen) and event.amount and event.ledger_tx_id is not None:
        return (t.freeze_account(event.ledger_tx_id, a.id, event.amount, event.effective),)
    if isinstance(event, ev.DepositAccountUnfrozen) and event.amount and event.ledger_tx_id is not None:
        return (t.unfreeze_account(event.ledger_tx_id, a.id, event.amount, event.effective),)
    return ()


def post_deposit(d: Deposit, event: ev.DepositEvent) -> tuple[LedgerTransaction, ...]:
    """RECORD_DEPOSIT / REVERT_DEPOSIT."""
    template = t.record_deposit if isinstance(event, ev.DepositInitialized) else t.revert_deposit
    return (template(event.ledger_tx_id, d.deposit_account_id, d.amount, event.effective),)


def post_withdrawal(w: Withdrawal, event: ev.WithdrawalEvent) -> tuple[LedgerTransaction, ...]:
    """INITIATE_WITHDRAW, then DENY / CONFIRM / CANCEL / REVERT_WITHDRAW; a conclusion posts nothing."""
    if isinstance(event, ev.WithdrawalInitialized):
        return (t.initiate_withdrawal(event.ledger_tx_id, w.deposit_account_id, w.amount, event.effective),)
    if isinstance(event, ev.WithdrawalApprovalConcluded):
        return ()
    return (_WITHDRAWAL[type(event)](event.ledger_tx_id, w.deposit_account_id, w.amount, event.effective),)


def account_ledger_tx_ids(event: ev.DepositAccountEvent) -> tuple[str, ...]:
    """The transaction a freeze or an unfreeze posts (`verify` checks it is posted); that of an empty
    balance posts nothing and names none (a journal written before names an id it never posted)."""
    if isinstance(event, ev.DepositAccountFrozen | ev.DepositAccountUnfrozen) and event.amount \
            and event.ledger_tx_id is not None:
        return (event.ledger_tx_id,)
    return ()


def deposit_ledger_tx_ids(event: ev.DepositEvent) -> tuple[str, ...]:
    """The transaction the deposit or its revert posts."""
    return (event.ledger_tx_id,)


def withdrawal_ledger_tx_ids(event: ev.WithdrawalEvent) -> tuple[str, ...]:
    """The transaction each step but the approval's conclusion posts."""
    return () if isinstance(event, ev.WithdrawalApprovalConcluded) else (event.ledger_tx_id,)

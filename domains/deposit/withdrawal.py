"""Withdrawal: funds leave the settled balance at once, then governance approves or denies.

Lifecycle: pending-approval -> (approved) pending-confirmation -> confirmed -> reverted, or
(denied) denied with a refund, or cancelled with a refund before confirmation.

Lana's double refund is fixed here (Lana: core/deposit/src/lib.rs (a Lana bug fixed here)). Lana lets a denied withdrawal be
cancelled and applies an approval conclusion that arrives after a cancel, so one withdrawal could
be refunded twice. Here a withdrawal refunds at most once: cancelling a denied withdrawal is
refused (`AlreadyDenied`), and a conclusion arriving after a cancel changes nothing (it returns
`()`, as "already settled", rather than failing the governance consumer that delivers it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.deposit import commands as cmd
from domains.deposit import events as ev
from domains.deposit.errors import (AlreadyCancelled, AlreadyConfirmed, AlreadyDenied, InsufficientBalance,
                                    NotApproved, NotConfirmed, ensure_active, require)
from domains.deposit.primitives import WithdrawalStatus

__all__ = ["COMMANDS", "Withdrawal", "apply", "decide"]

Status = WithdrawalStatus
_PAID_OUT = (Status.CONFIRMED, Status.REVERTED)


@attrs.frozen
class Withdrawal:
    """`initiated_on` is the business date the funds left the settled balance."""

    id: str
    deposit_account_id: str
    amount: int
    reference: str
    approval_process_id: str
    initiated_on: date
    status: WithdrawalStatus = Status.PENDING_APPROVAL


def apply(state: Withdrawal | None, event: ev.WithdrawalEvent) -> Withdrawal:
    if isinstance(event, ev.WithdrawalInitialized):
        return Withdrawal(event.id, event.deposit_account_id, event.amount, event.reference,
                          event.approval_process_id, event.effective, event.status)
    w = require(state, "withdrawal")
    match event:
        case (ev.WithdrawalApprovalConcluded(status=status) | ev.WithdrawalDenied(status=status)
              | ev.WithdrawalConfirmed(status=status) | ev.WithdrawalCancelled(status=status)
              | ev.WithdrawalReverted(status=status)):
            return evolve(w, status=status)
        case _:
            assert_never(event)


def decide(state: Withdrawal | None, command: object, at: datetime) -> tuple[ev.WithdrawalEvent, ...]:
    match command:
        case cmd.InitiateWithdrawal():
            return () if state is not None else _initiate(command, at)
        case cmd.ConcludeWithdrawalApproval():
            return _conclude(require(state, "withdrawal"), command, at)
        case cmd.ConfirmWithdrawal():
            return _confirm(require(state, "withdrawal"), command, at)
        case cmd.CancelWithdrawal():
            return _cancel(require(state, "withdrawal"), command, at)
        case cmd.RevertWithdrawal():
            return _revert(require(state, "withdrawal"), command, at)
    raise TypeError(f"not a withdrawal command: {command!r}")


def _initiate(c: cmd.InitiateWithdrawal, at: datetime) -> tuple[ev.WithdrawalEvent, ...]:
    """The withdrawal's id is its approval process's id and its initiation ledger tx id (Lana)."""
    ensure_active(c.deposit_account_id, c.account_status)
    if c.balance < c.amount:
        raise InsufficientBalance(account_id=c.deposit_account_id, balance=c.balance, amount=c.amount)
    return (ev.WithdrawalInitialized(c.id, c.id, c.deposit_account_id, c.amount, c.reference, c.id,
                                     Status.PENDING_APPROVAL, at.date()),)


def _conclude(w: Withdrawal, c: cmd.ConcludeWithdrawalApproval, at: datetime) -> tuple[ev.WithdrawalEvent, ...]:
    """Only a withdrawal awaiting approval takes the decision: after a cancel it changes nothing."""
    if w.status is not Status.PENDING_APPROVAL:
        return ()
    if c.approved:
        return (ev.WithdrawalApprovalConcluded(w.approval_process_id, True, Status.PENDING_CONFIRMATION),)
    return (ev.WithdrawalApprovalConcluded(w.approval_process_id, False, Status.DENIED),
            ev.WithdrawalDenied(f"{w.id}:deny", Status.DENIED, at.date()))


def _confirm(w: Withdrawal, c: cmd.ConfirmWithdrawal, at: datetime) -> tuple[ev.WithdrawalEvent, ...]:
    if w.status in _PAID_OUT:
        return ()
    ensure_active(w.deposit_account_id, c.account_status)
    if w.status is Status.CANCELLED:
        raise AlreadyCancelled(withdrawal_id=w.id)
    if w.status is not Status.PENDING_CONFIRMATION:
        raise NotApproved(withdrawal_id=w.id, status=w.status)
    return (ev.WithdrawalConfirmed(f"{w.id}:confirm", Status.CONFIRMED, at.date()),)


def _cancel(w: Withdrawal, c: cmd.CancelWithdrawal, at: datetime) -> tuple[ev.WithdrawalEvent, ...]:
    if w.status is Status.CANCELLED:
        return ()
    ensure_active(w.deposit_account_id, c.account_status)
    if w.status in _PAID_OUT:
        raise AlreadyConfirmed(withdrawal_id=w.id)
    if w.status is Status.DENIED:
        raise AlreadyDenied(withdrawal_id=w.id)
    return (ev.WithdrawalCancelled(f"{w.id}:cancel", Status.CANCELLED, at.date()),)


def _revert(w: Withdrawal, c: cmd.RevertWithdrawal, at: datetime) -> tuple[ev.WithdrawalEvent, ...]:
    if w.status is Status.REVERTED:
        return ()
    ensure_active(w.deposit_account_id, c.account_status)
    if w.status is Status.CANCELLED:
        raise AlreadyCancelled(withdrawal_id=w.id)
    if w.status is not Status.CONFIRMED:
        raise NotConfirmed(withdrawal_id=w.id, status=w.status)
    return (ev.WithdrawalReverted(f"{w.id}:revert", Status.REVERTED, at.date()),)


COMMANDS = (cmd.InitiateWithdrawal, cmd.ConcludeWithdrawalApproval, cmd.ConfirmWithdrawal, cmd.CancelWithdrawal,
            cmd.RevertWithdrawal)

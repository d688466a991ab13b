"""Deposit: money paid into a deposit account, confirmed at once; it may later be reverted."""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.deposit import commands as cmd
from domains.deposit import events as ev
from domains.deposit.errors import InsufficientBalance, ensure_active, require
from domains.deposit.primitives import DepositStatus

__all__ = ["COMMANDS", "Deposit", "apply", "decide"]


@attrs.frozen
class Deposit:
    """`recorded_on` is the deposit's business date (its ledger posting's effective date)."""

    id: str
    deposit_account_id: str
    amount: int
    reference: str
    recorded_on: date
    status: DepositStatus = DepositStatus.CONFIRMED


def apply(state: Deposit | None, event: ev.DepositEvent) -> Deposit:
    match event:
        case ev.DepositInitialized():
            return Deposit(event.id, event.deposit_account_id, event.amount, event.reference, event.effective,
                           event.status)
        case ev.DepositReverted(status=status):
            return evolve(require(state, "deposit"), status=status)
        case _:
            assert_never(event)


def decide(state: Deposit | None, command: object, at: datetime) -> tuple[ev.DepositEvent, ...]:
    match command:
        case cmd.RecordDeposit():
            return () if state is not None else _record(command, at)
        case cmd.RevertDeposit():
            return _revert(require(state, "deposit"), command, at)
    raise TypeError(f"not a deposit command: {command!r}")


def _record(c: cmd.RecordDeposit, at: datetime) -> tuple[ev.DepositEvent, ...]:
    """The deposit's id is its ledger transaction id (Lana)."""
    ensure_active(c.deposit_account_id, c.account_status)
    return (ev.DepositInitialized(c.id, c.id, c.deposit_account_id, c.amount, c.reference, DepositStatus.CONFIRMED,
                                  at.date()),)


def _revert(d: Deposit, c: cmd.RevertDeposit, at: datetime) -> tuple[ev.DepositEvent, ...]:
    if d.status is DepositStatus.REVERTED:
        return ()
    ensure_active(d.deposit_account_id, c.account_status)
    if c.balance < d.amount:
        raise InsufficientBalance(account_id=d.deposit_account_id, balance=c.balance, amount=d.amount)
    return (ev.DepositReverted(f"{d.id}:revert", DepositStatus.REVERTED, at.date()),)


COMMANDS = (cmd.RecordDeposit, cmd.RevertDeposit)

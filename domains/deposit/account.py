"""Deposit account: the customer's USD account; frozen, unfrozen, closed, and classified by activity.
Frozen or closed, it is locked, as Lana locks its ledger account: nothing may post to it (the
credit postings to a frozen one wait for its unfreeze).

Activity: money moving on the account records the day (deposits, reverts, a withdrawal's initiation,
cancel, denial or revert, disbursals in, payments out; not a confirmation or freeze); its alarm wakes
it at the end of the first day that can change its class (work proportional to accounts that change).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.deposit import commands as cmd
from domains.deposit import events as ev
from domains.deposit.errors import AccountClosed, AccountFrozen, BalanceIsNotZero, CustomerNotEligible, require
from domains.deposit.primitives import AccountStatus, Activity, activity_of, next_reclassification

__all__ = ["COMMANDS", "DepositAccount", "alarm", "apply", "decide"]

Status = AccountStatus


@attrs.frozen
class DepositAccount:
    """`frozen_amount` is what the last freeze moved aside; `freezes` numbers the ledger transactions;
    `last_activity_on` and `classified_on` (the day the activity class was last set) start at the
    opening day."""

    id: str
    account_holder_id: str
    opened_on: date
    last_activity_on: date
    classified_on: date
    status: AccountStatus = Status.ACTIVE
    activity: Activity = Activity.ACTIVE
    public_id: str | None = None
    frozen_amount: int = 0
    freezes: int = 0


def apply(state: DepositAccount | None, event: ev.DepositAccountEvent) -> DepositAccount:
    if isinstance(event, ev.DepositAccountInitialized):
        opened = event.opened_on
        return DepositAccount(event.id, event.account_holder_id, opened, opened, opened, event.status,
                              event.activity, event.public_id)
    a = require(state, "deposit-account")
    match event:
        case ev.DepositAccountActivityRecorded(on=on):
            return evolve(a, last_activity_on=on)
        case ev.DepositAccountActivityUpdated(activity=activity, on=on):
            return evolve(a, activity=activity, classified_on=on)
        case ev.DepositAccountFrozen(status=status, amount=amount):
            return evolve(a, status=status, frozen_amount=amount, freezes=a.freezes + 1)
        case ev.DepositAccountUnfrozen(status=status):
            return evolve(a, status=status, frozen_amount=0)
        case ev.DepositAccountClosed(status=status):
            return evolve(a, status=status)
        case _:
            assert_never(event)


def decide(state: DepositAccount | None, command: object, at: datetime) -> tuple[ev.DepositAccountEvent, ...]:
    match command:
        case cmd.OpenAccount():
            return () if state is not None else _open(command, at)
        case cmd.RecordActivity(on=on):
            return _record_activity(require(state, "deposit-account"), on)
        case cmd.UpdateActivity(day=day):
            return _update_activity(require(state, "deposit-account"), day)
        case cmd.FreezeAccount():
            return _freeze(require(state, "deposit-account"), command, at)
        case cmd.UnfreezeAccount():
            return _unfreeze(require(state, "deposit-account"), at)
        case cmd.CloseAccount():
            return _close(require(state, "deposit-account"), command)
    raise TypeError(f"not a deposit-account command: {command!r}")


def _open(c: cmd.OpenAccount, at: datetime) -> tuple[ev.DepositAccountEvent, ...]:
    """Lana: an account needs an eligible (active) customer."""
    if c.holder_status != "active":
        raise CustomerNotEligible(customer_id=c.account_holder_id, status=c.holder_status)
    return (ev.DepositAccountInitialized(c.id, c.account_holder_id, Status.ACTIVE, Activity.ACTIVE, at.date(),
                                         c.public_id),)


def _record_activity(a: DepositAccount, on: date) -> tuple[ev.DepositAccountEvent, ...]:
    """One record per day at most: an earlier or the same day is already applied."""
    return () if on <= a.last_activity_on else (ev.DepositAccountActivityRecorded(on),)


def _update_activity(a: DepositAccount, day: date) -> tuple[ev.DepositAccountEvent, ...]:
    """Once escheatable, an account never changes class again."""
    if a.activity is Activity.ESCHEATABLE:
        return ()
    activity = activity_of(a.last_activity_on, day)
    return () if activity is a.activity else (ev.DepositAccountActivityUpdated(activity, day),)


def alarm(a: DepositAccount) -> tuple[datetime, cmd.UpdateActivity] | None:
    """Wake at the end of the first day that can change the class: with Lana's default closing,
    EndOfDay{D} fires at D 00:00 UTC (Lana: core/time-events/src/jobs/end_of_day.rs). No alarm once escheatable."""
    day = next_reclassification(a.activity, a.last_activity_on, a.classified_on)
    if day is None:
        return None
    return datetime.combine(day, time(), UTC), cmd.UpdateActivity(day)


def _freeze(a: DepositAccount, c: cmd.FreezeAccount, at: datetime) -> tuple[ev.DepositAccountEvent, ...]:
    if a.status is Status.CLOSED:
        raise AccountClosed(account_id=a.id)
    if a.status is Status.FROZEN:
        return ()
    tx_id = f"{a.id}:freeze:{a.freezes + 1}" if c.balance else None  # an empty account's freeze posts nothing
    return (ev.DepositAccountFrozen(Status.FROZEN, c.balance, tx_id, at.date()),)


def _unfreeze(a: DepositAccount, at: datetime) -> tuple[ev.DepositAccountEvent, ...]:
    """Lana: a no-op unless frozen (a closed account included)."""
    if a.status is not Status.FROZEN:
        return ()
    tx_id = f"{a.id}:unfreeze:{a.freezes}" if a.frozen_amount else None
    return (ev.DepositAccountUnfrozen(Status.ACTIVE, a.frozen_amount, tx_id, at.date()),)


def _close(a: DepositAccount, c: cmd.CloseAccount) -> tuple[ev.DepositAccountEvent, ...]:
    if a.status is Status.CLOSED:
        return ()
    if a.status is Status.FROZEN:
        raise AccountFrozen(account_id=a.id)
    if c.balance or c.pending:
        raise BalanceIsNotZero(account_id=a.id, balance=c.balance, pending=c.pending)
    return (ev.DepositAccountClosed(Status.CLOSED),)


COMMANDS = (cmd.OpenAccount, cmd.RecordActivity, cmd.UpdateActivity, cmd.FreezeAccount, cmd.UnfreezeAccount,
            cmd.CloseAccount)

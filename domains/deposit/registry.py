"""The deposit module's aggregates as the engine hosts them: stored names, commands, columns, postings."""

from __future__ import annotations

from operator import attrgetter

from domains.aggregate import Aggregate, Column, EventType
from domains.deposit import account, deposit, withdrawal
from domains.deposit import events as ev
from domains.deposit.commands import InitiateWithdrawal, OpenAccount, RecordDeposit
from domains.deposit.permissions import required_permission
from domains.deposit.posting import (
    account_ledger_tx_ids,
    deposit_ledger_tx_ids,
    post_account,
    post_deposit,
    post_withdrawal,
    withdrawal_ledger_tx_ids,
)
from domains.deposit.public import publish_account, publish_deposit, publish_withdrawal

__all__ = ["DEPOSIT", "DEPOSIT_ACCOUNT", "WITHDRAWAL"]


def _named(prefix: str, *pairs: tuple[type, str]) -> tuple[EventType, ...]:
    return tuple(EventType(cls, f"deposit.{prefix}.{name}", 1) for cls, name in pairs)


_ACCOUNT_ID = Column("deposit_account_id", attrgetter("deposit_account_id"))
_STATUS = Column("status", attrgetter("status"))

DEPOSIT_ACCOUNT: Aggregate[account.DepositAccount, ev.DepositAccountEvent, object] = Aggregate(
    kind="deposit-account",
    events=_named("account", (ev.DepositAccountInitialized, "initialized"),
                  (ev.DepositAccountActivityRecorded, "activity-recorded"),
                  (ev.DepositAccountActivityUpdated, "activity-updated"), (ev.DepositAccountFrozen, "frozen"),
                  (ev.DepositAccountUnfrozen, "unfrozen"), (ev.DepositAccountClosed, "closed")),
    apply=account.apply, decide=account.decide, commands=account.COMMANDS, creates=(OpenAccount,),
    columns=(Column("account_holder_id", attrgetter("account_holder_id")), _STATUS,
             Column("activity", attrgetter("activity"))),
    publish=publish_account, state=account.DepositAccount, post=post_account, ledger_tx_ids=account_ledger_tx_ids,
    alarm=account.alarm, alarm_priority="end_of_day", permissions=required_permission,
)

DEPOSIT: Aggregate[deposit.Deposit, ev.DepositEvent, object] = Aggregate(
    kind="deposit",
    events=_named("deposit", (ev.DepositInitialized, "initialized"), (ev.DepositReverted, "reverted")),
    apply=deposit.apply, decide=deposit.decide, commands=deposit.COMMANDS, creates=(RecordDeposit,),
    columns=(_ACCOUNT_ID, _STATUS),
    publish=publish_deposit, state=deposit.Deposit, post=post_deposit, ledger_tx_ids=deposit_ledger_tx_ids,
    permissions=required_permission,
)

WITHDRAWAL: Aggregate[withdrawal.Withdrawal, ev.WithdrawalEvent, object] = Aggregate(
    kind="withdrawal",
    events=_named("withdrawal", (ev.WithdrawalInitialized, "initialized"),
                  (ev.WithdrawalApprovalConcluded, "approval-process-concluded"), (ev.WithdrawalDenied, "denied"),
                  (ev.WithdrawalConfirmed, "confirmed"), (ev.WithdrawalCancelled, "cancelled"),
                  (ev.WithdrawalReverted, "reverted")),
    apply=withdrawal.apply, decide=withdrawal.decide, commands=withdrawal.COMMANDS, creates=(InitiateWithdrawal,),
    columns=(_ACCOUNT_ID, _STATUS),
    publish=publish_withdrawal, state=withdrawal.Withdrawal, post=post_withdrawal,
    ledger_tx_ids=withdrawal_ledger_tx_ids, permissions=required_permission,
)

"""Public (outbox) events of the deposit module (Lana `core/deposit/src/public/event.rs`).

No public events for freeze, unfreeze, close, or for cancelled and reverted withdrawals (as Lana).
"""

from __future__ import annotations

from domains.aggregate import Public
from domains.deposit import events as ev
from domains.deposit.account import DepositAccount
from domains.deposit.deposit import Deposit
from domains.deposit.withdrawal import Withdrawal
from domains.wire import from_kebab, pascal

__all__ = ["MODULE", "publish_account", "publish_deposit", "publish_withdrawal"]

MODULE = "Deposit"
_DEPOSIT = {ev.DepositInitialized: "DepositInitialized", ev.DepositReverted: "DepositReverted"}
_WITHDRAWAL = {ev.WithdrawalApprovalConcluded: "WithdrawalApprovalConcluded",
               ev.WithdrawalConfirmed: "WithdrawalConfirmed"}


def publish_account(a: DepositAccount, event: ev.DepositAccountEvent) -> tuple[Public, ...]:
    if not isinstance(event, ev.DepositAccountInitialized):
        return ()
    return _one("DepositAccountCreated", {"id": a.id, "account_holder_id": a.account_holder_id})


def publish_deposit(d: Deposit, event: ev.DepositEvent) -> tuple[Public, ...]:
    entity: dict[str, object] = {"id": d.id, "deposit_account_id": d.deposit_account_id, "amount": d.amount}
    return _one(_DEPOSIT.get(type(event)), entity)


def publish_withdrawal(w: Withdrawal, event: ev.WithdrawalEvent) -> tuple[Public, ...]:
    """The status is the withdrawal's after all of the command's events, as Lana's variant name (a
    denial: `Denied`)."""
    entity: dict[str, object] = {"id": w.id, "deposit_account_id": w.deposit_account_id, "amount": w.amount,
                                 "status": pascal(from_kebab(w.status.value))}
    return _one(_WITHDRAWAL.get(type(event)), entity)


def _one(name: str | None, entity: dict[str, object]) -> tuple[Public, ...]:
    return () if name is None else (Public(MODULE, name, {"entity": entity}),)

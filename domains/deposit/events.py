"""Stored events of deposit accounts, deposits and withdrawals (Lana `core/deposit` entity events).

Events that post to the ledger carry the ledger transaction id and its effective date, so the
postings are a pure function of the event.
"""

from __future__ import annotations

from datetime import date

import attrs

from domains.deposit.primitives import AccountStatus, Activity, DepositStatus, WithdrawalStatus

__all__ = [
    "DepositAccountActivityRecorded", "DepositAccountActivityUpdated", "DepositAccountClosed", "DepositAccountEvent",
    "DepositAccountFrozen", "DepositAccountInitialized", "DepositAccountUnfrozen", "DepositEvent", "DepositInitialized",
    "DepositReverted",
    "WithdrawalApprovalConcluded", "WithdrawalCancelled", "WithdrawalConfirmed", "WithdrawalDenied",
    "WithdrawalEvent", "WithdrawalInitialized", "WithdrawalReverted",
]


@attrs.frozen
class DepositAccountInitialized:
    """A deposit account was opened for a customer (its holder)."""

    id: str
    account_holder_id: str
    status: AccountStatus
    activity: Activity
    opened_on: date
    public_id: str | None = None


@attrs.frozen
class DepositAccountActivityRecorded:
    """Money moved on the account on this day (a deposit, its revert, a confirmed withdrawal)."""

    on: date


@attrs.frozen
class DepositAccountActivityUpdated:
    """The end of `on` reclassified the account's activity."""

    activity: Activity
    on: date


@attrs.frozen
class DepositAccountFrozen:
    """The account was frozen; its settled balance (`amount`, maybe 0) moved to frozen deposits by
    transaction `ledger_tx_id`, None when `amount` is 0: nothing is posted, and an id would name a
    transaction the ledger never holds (Lana posts one of zero-unit entries; lanasim's ledger holds
    no 0 entry, as for liquidation proceeds of 0)."""

    status: AccountStatus
    amount: int
    ledger_tx_id: str | None
    effective: date


@attrs.frozen
class DepositAccountUnfrozen:
    """The account was unfrozen; the frozen `amount` moved back to its settled balance (by
    `ledger_tx_id`, None when `amount` is 0, as for the freeze)."""

    status: AccountStatus
    amount: int
    ledger_tx_id: str | None
    effective: date


@attrs.frozen
class DepositAccountClosed:
    """The account was closed for good, with nothing left on it."""

    status: AccountStatus


DepositAccountEvent = (DepositAccountInitialized | DepositAccountActivityRecorded | DepositAccountActivityUpdated
                       | DepositAccountFrozen | DepositAccountUnfrozen | DepositAccountClosed)


@attrs.frozen
class DepositInitialized:
    """Money was paid into a deposit account (confirmed at once)."""

    id: str
    ledger_tx_id: str
    deposit_account_id: str
    amount: int
    reference: str
    status: DepositStatus
    effective: date


@attrs.frozen
class DepositReverted:
    """The deposit was taken back off the account."""

    ledger_tx_id: str
    status: DepositStatus
    effective: date


DepositEvent = DepositInitialized | DepositReverted


@attrs.frozen
class WithdrawalInitialized:
    """A withdrawal left the settled balance and awaits its approval process (same id)."""

    id: str
    ledger_tx_id: str
    deposit_account_id: str
    amount: int
    reference: str
    approval_process_id: str
    status: WithdrawalStatus
    effective: date


@attrs.frozen
class WithdrawalApprovalConcluded:
    """Governance decided on the withdrawal."""

    approval_process_id: str
    approved: bool
    status: WithdrawalStatus


@attrs.frozen
class WithdrawalDenied:
    """The denied withdrawal was refunded to the settled balance."""

    ledger_tx_id: str
    status: WithdrawalStatus
    effective: date


@attrs.frozen
class WithdrawalConfirmed:
    """The approved withdrawal was paid out."""

    ledger_tx_id: str
    status: WithdrawalStatus
    effective: date


@attrs.frozen
class WithdrawalCancelled:
    """The withdrawal was cancelled before confirmation and refunded."""

    ledger_tx_id: str
    status: WithdrawalStatus
    effective: date


@attrs.frozen
class WithdrawalReverted:
    """A confirmed withdrawal was reverted: the money came back to the account."""

    ledger_tx_id: str
    status: WithdrawalStatus
    effective: date


WithdrawalEvent = (WithdrawalInitialized | WithdrawalApprovalConcluded | WithdrawalDenied | WithdrawalConfirmed
                   | WithdrawalCancelled | WithdrawalReverted)

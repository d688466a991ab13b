"""Typed refusals of the deposit module; every leaf carries the fields that explain it."""

from __future__ import annotations

from typing import TypeVar

from domains.aggregate import Refusal
from domains.deposit.primitives import AccountStatus

S = TypeVar("S")

__all__ = [
    "AccountClosed",
    "AccountFrozen",
    "AlreadyCancelled",
    "AlreadyConfirmed",
    "AlreadyDenied",
    "BalanceIsNotZero",
    "CustomerNotEligible",
    "DepositError",
    "EmptyValue",
    "InsufficientBalance",
    "NonPositiveAmount",
    "NotApproved",
    "NotConfirmed",
    "NotInitialized",
    "ensure_active",
    "require",
]


class DepositError(Refusal):
    """Base of every deposit-module refusal."""


class EmptyValue(DepositError):
    """A required text field is empty (field: field)."""


class NonPositiveAmount(DepositError):
    """An int amount of cents is zero or negative (fields: field, amount); a non-int is `WrongType`."""


class NotInitialized(DepositError):
    """A command reached an entity before its first event (field: kind)."""


class CustomerNotEligible(DepositError):
    """Only an active customer may open an account (fields: customer_id, status)."""


class AccountFrozen(DepositError):
    """The deposit account is frozen (field: account_id)."""


class AccountClosed(DepositError):
    """The deposit account is closed (field: account_id)."""


class BalanceIsNotZero(DepositError):
    """Closing needs no settled and no pending funds (fields: account_id, balance, pending)."""


class InsufficientBalance(DepositError):
    """The settled balance does not cover the amount (fields: account_id, balance, amount)."""


class NotApproved(DepositError):
    """A withdrawal is confirmed before its approval (fields: withdrawal_id, status)."""


class NotConfirmed(DepositError):
    """Only a confirmed withdrawal can be reverted (fields: withdrawal_id, status)."""


class AlreadyConfirmed(DepositError):
    """A confirmed withdrawal cannot be cancelled (field: withdrawal_id)."""


class AlreadyCancelled(DepositError):
    """A cancelled withdrawal can be neither confirmed nor reverted (field: withdrawal_id)."""


class AlreadyDenied(DepositError):
    """A denied withdrawal was already refunded: it cannot be cancelled (field: withdrawal_id)."""


def require(state: S | None, kind: str) -> S:
    """The state of an entity that must exist (the engine refuses unknown ids before this)."""
    if state is None:
        raise NotInitialized(kind=kind)
    return state


def ensure_active(account_id: str, status: AccountStatus) -> None:
    """Deposits and every withdrawal command need the account active (Lana: frozen/closed errors)."""
    if status is AccountStatus.FROZEN:
        raise AccountFrozen(account_id=account_id)
    if status is AccountStatus.CLOSED:
        raise AccountClosed(account_id=account_id)

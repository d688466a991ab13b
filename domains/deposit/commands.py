"""Commands of the deposit module; each validates its fields on construction.

Facts a command's entity cannot see (the holder's status, the account's status and ledger
balance) are read by the caller and carried in the command, so `decide` stays pure; the ledger's
overdraft limit remains the hard guarantee behind the balance checks.
"""

from __future__ import annotations

from datetime import date

import attrs

from domains.deposit.errors import EmptyValue, NonPositiveAmount
from domains.deposit.primitives import AccountStatus
from domains.validators import amount, required

__all__ = [
    "CancelWithdrawal", "CloseAccount", "ConcludeWithdrawalApproval", "ConfirmWithdrawal", "FreezeAccount",
    "InitiateWithdrawal", "OpenAccount", "RecordActivity", "RecordDeposit", "RevertDeposit", "RevertWithdrawal",
    "UnfreezeAccount", "UpdateActivity",
]


_positive = amount(NonPositiveAmount)  # cents as an int in [1, MAX_CENTS] (a bool is not an amount)


_required = required(EmptyValue)


def _value(value: object) -> str:
    """An enum's value or a plain string (the holder's customer status)."""
    return str(getattr(value, "value", value))


@attrs.frozen
class OpenAccount:
    id: str = attrs.field(validator=_required)
    account_holder_id: str = attrs.field(validator=_required)
    holder_status: str = attrs.field(converter=_value)
    public_id: str | None = None


@attrs.frozen
class RecordActivity:
    """Money moved on the account on day `on`. Lana reads the last such day from the account's ledger
    history when it classifies (core/deposit/src/history.rs); lanasim records it as the money moves."""

    on: date


@attrs.frozen
class UpdateActivity:
    """The end of `day`: classify the account from its last activity (the account's alarm)."""

    day: date


@attrs.frozen
class FreezeAccount:
    """`balance` is the account's settled balance, moved to frozen deposits."""

    balance: int


@attrs.frozen
class UnfreezeAccount:
    pass


@attrs.frozen
class CloseAccount:
    """`balance` settled and `pending` (withdrawals awaiting a decision) must both be zero."""

    balance: int
    pending: int = 0


@attrs.frozen
class RecordDeposit:
    id: str = attrs.field(validator=_required)
    deposit_account_id: str = attrs.field(validator=_required)
    amount: int = attrs.field(validator=_positive)
    reference: str = attrs.field(validator=_required)
    account_status: AccountStatus = attrs.field(converter=AccountStatus)


@attrs.frozen
class RevertDeposit:
    account_status: AccountStatus = attrs.field(converter=AccountStatus)
    balance: int


@attrs.frozen
class InitiateWithdrawal:
    id: str = attrs.field(validator=_required)
    deposit_account_id: str = attrs.field(validator=_required)
    amount: int = attrs.field(validator=_positive)
    reference: str = attrs.field(validator=_required)
    account_status: AccountStatus = attrs.field(converter=AccountStatus)
    balance: int


@attrs.frozen
class ConcludeWithdrawalApproval:
    """Governance's decision, delivered by the withdraw-approval policy."""

    approved: bool


@attrs.frozen
class ConfirmWithdrawal:
    account_status: AccountStatus = attrs.field(converter=AccountStatus)


@attrs.frozen
class CancelWithdrawal:
    account_status: AccountStatus = attrs.field(converter=AccountStatus)


@attrs.frozen
class RevertWithdrawal:
    account_status: AccountStatus = attrs.field(converter=AccountStatus)

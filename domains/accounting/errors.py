"""Typed refusals of the ledger; every leaf carries the fields that explain it."""

from __future__ import annotations

from domains.aggregate import Refusal

__all__ = [
    "AccountingError",
    "DisbursalLimitExceeded",
    "LedgerTotalOutOfRange",
    "NonPositiveAmount",
    "NotMinorUnits",
    "OverdraftPrevented",
    "PaymentAboveOutstanding",
    "UnbalancedTransaction",
    "UnknownAccount",
    "VelocityLimitExceeded",
]


class AccountingError(Refusal):
    """Base of every ledger refusal."""


class UnbalancedTransaction(AccountingError):
    """Debits and credits differ for a currency and layer (fields: tx_id, currency, layer, difference)."""


class UnknownAccount(AccountingError):
    """The account id names no category of the chart of accounts (field: account; a read naming an
    unknown currency or layer also carries currency and layer)."""


class NonPositiveAmount(AccountingError):
    """A template was asked to move zero or a negative amount (fields: template, amount).

    Templates never post empty transactions: a caller with nothing to move skips the template."""


class NotMinorUnits(AccountingError):
    """An amount is not an `int` of cents or satoshis (fields: template, amount)."""


class LedgerTotalOutOfRange(AccountingError):
    """Posting would take an account's running debit or credit total past `MAX_TOTAL` (2**63 - 1,
    SQLite's largest INTEGER), which no reader could sum back (fields: account, currency, layer,
    total, amount). Refused whole: nothing of the command is kept."""


class VelocityLimitExceeded(AccountingError):
    """A hard limit of Lana: core/credit/src/ledger/velocity refused the transaction (fields: account, balance, amount,
    template).

    `balance` is the settled normal-side balance before the transaction, `amount` how much the
    transaction would take off it."""


class OverdraftPrevented(VelocityLimitExceeded):
    """A deposit account's settled balance would go below zero."""


class DisbursalLimitExceeded(VelocityLimitExceeded):
    """A facility account's settled (remaining) balance would go below zero."""


class PaymentAboveOutstanding(VelocityLimitExceeded):
    """A facility's uncovered-outstanding balance would go below zero: paying more than is owed."""

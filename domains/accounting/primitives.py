"""Double-entry primitives: currencies, layers, sides, entries and balanced ledger transactions."""

from __future__ import annotations

import enum
from datetime import date

import attrs

from domains.accounting.errors import UnbalancedTransaction

__all__ = [
    "Currency",
    "Entry",
    "Layer",
    "LedgerTransaction",
    "ObligationType",
    "ReceivableBucket",
    "Side",
    "UnbalancedTransaction",
    "entry_pair",
]


class Currency(str, enum.Enum):
    """The ledger's currencies, in integer minor units."""

    USD = "USD"  # amounts in cents
    BTC = "BTC"  # amounts in satoshis


class Layer(str, enum.Enum):
    """Cala's balance layers. lanasim keeps each layer a separate book that balances on its own:
    a pending balance is the pending layer alone, not settled + pending."""

    SETTLED = "settled"
    PENDING = "pending"


class Side(str, enum.Enum):
    """The side of an entry, and the normal balance side of an account."""

    DEBIT = "debit"
    CREDIT = "credit"


class ObligationType(str, enum.Enum):
    """What an obligation is owed for: its receivable accounts differ (Lana:
    core/credit/src/ledger/credit_facility_accounts.rs)."""

    DISBURSAL = "disbursal"
    INTEREST = "interest"


class ReceivableBucket(str, enum.Enum):
    """Where an obligation's outstanding amount sits as it ages."""

    NOT_YET_DUE = "not-yet-due"
    DUE = "due"
    OVERDUE = "overdue"
    DEFAULTED = "defaulted"


@attrs.define
class Entry:
    """One leg of a transaction: `amount` (> 0, minor units) on one side of one account. Slotted,
    not frozen: a frozen class's `__init__` sets each field through `object.__setattr__`, and every
    posting builds two or more entries (none is changed after; none is journaled as itself)."""

    account: str
    side: Side
    amount: int
    currency: Currency = Currency.USD
    layer: Layer = Layer.SETTLED


@attrs.define
class LedgerTransaction:
    """A balanced set of entries posted from a named template (Lana's Cala transaction). Slotted,
    not frozen, as `Entry` is: built for every posting, changed by none, journaled field by field."""

    tx_id: str
    template: str
    entries: tuple[Entry, ...]
    effective: date


def entry_pair(debit: str, credit: str, amount: int, currency: Currency = Currency.USD,
               layer: Layer = Layer.SETTLED) -> tuple[Entry, Entry]:
    """DR `debit`, CR `credit` for the same amount: balanced by construction."""
    return (Entry(debit, _DEBIT, amount, currency, layer), Entry(credit, _CREDIT, amount, currency, layer))


_DEBIT, _CREDIT = Side.DEBIT, Side.CREDIT  # module constants: an Enum attribute read is a descriptor call

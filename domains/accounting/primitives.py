"""Double-entry primitives: currencies, layers, sides, entries and balanced ledger transactions."""

from __future__ import annotations

import enum
from datetime import date

import attrs

from domains.aggregate import Refusal

__all__ = ["Currency", "Entry", "Layer", "LedgerTransaction", "Side", "UnbalancedTransaction"]


class Currency(str, enum.Enum):
    USD = "USD"  # amounts in cents
    BTC = "BTC"  # amounts in satoshis


class Layer(str, enum.Enum):
    SETTLED = "settled"
    PENDING = "pending"


class Side(str, enum.Enum):
    DEBIT = "debit"
    CREDIT = "credit"


class UnbalancedTransaction(Refusal):
    """Debits and credits differ for a currency and layer (fields: tx_id, currency, layer, difference)."""


@attrs.frozen
class Entry:
    """One leg of a transaction: `amount` (> 0, minor units) on one side of one account."""

    account: str
    side: Side
    amount: int
    currency: Currency = Currency.USD
    layer: Layer = Layer.SETTLED


@attrs.frozen
class LedgerTransaction:
    """A balanced set of entries posted from a named template (Lana's Cala transaction)."""

    tx_id: str
    template: str
    entries: tuple[Entry, ...]
    effective: date


def entry_pair(debit: str, credit: str, amount: int, currency: Currency = Currency.USD,
               layer: Layer = Layer.SETTLED) -> tuple[Entry, Entry]:
    """DR `debit`, CR `credit` for the same amount: balanced by construction."""
    return (Entry(debit, Side.DEBIT, amount, currency, layer), Entry(credit, Side.CREDIT, amount, currency, layer))

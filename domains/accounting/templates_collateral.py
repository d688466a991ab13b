"""Collateral and liquidation templates (Lana: core/credit/src/ledger/templates,
`core/credit/collateral/src/ledger/templates`).

Collateral amounts are int satoshis > 0 (BTC, settled); liquidation proceeds are int cents.
`collateral_id` owns the `collateral`, `collateral-in-liquidation` and `liquidated-collateral`
accounts; `facility_id` owns `proceeds-from-liquidation`.
"""

from __future__ import annotations

from datetime import date

from domains.accounting.chart import (
    COLLATERAL_OMNIBUS,
    LIQUIDATION_PROCEEDS_OMNIBUS,
    collateral,
    collateral_in_liquidation,
    liquidated_collateral,
    proceeds_from_liquidation,
)
from domains.accounting.primitives import Currency, LedgerTransaction, entry_pair
from domains.accounting.template import positive, transaction

__all__ = [
    "ADD_COLLATERAL",
    "RECEIVE_PROCEEDS_FROM_LIQUIDATION",
    "REMOVE_COLLATERAL",
    "SEND_COLLATERAL_TO_LIQUIDATION",
    "add_collateral",
    "receive_proceeds_from_liquidation",
    "remove_collateral",
    "send_collateral_to_liquidation",
]

ADD_COLLATERAL = "ADD_COLLATERAL"
REMOVE_COLLATERAL = "REMOVE_COLLATERAL"
SEND_COLLATERAL_TO_LIQUIDATION = "SEND_COLLATERAL_TO_LIQUIDATION"
RECEIVE_PROCEEDS_FROM_LIQUIDATION = "RECEIVE_PROCEEDS_FROM_LIQUIDATION"
BTC = Currency.BTC


def add_collateral(tx_id: str, *, collateral_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S BTC: DR collateral omnibus, CR the facility's collateral."""
    sats = positive(ADD_COLLATERAL, amount)
    return transaction(tx_id, ADD_COLLATERAL, effective,
                       entry_pair(COLLATERAL_OMNIBUS, collateral(collateral_id), sats, BTC))


def remove_collateral(tx_id: str, *, collateral_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S BTC: DR the facility's collateral, CR collateral omnibus."""
    sats = positive(REMOVE_COLLATERAL, amount)
    return transaction(tx_id, REMOVE_COLLATERAL, effective,
                       entry_pair(collateral(collateral_id), COLLATERAL_OMNIBUS, sats, BTC))


def send_collateral_to_liquidation(tx_id: str, *, collateral_id: str, amount: int,
                                   effective: date) -> LedgerTransaction:
    """S BTC: DR collateral, CR collateral in liquidation."""
    sats = positive(SEND_COLLATERAL_TO_LIQUIDATION, amount)
    return transaction(tx_id, SEND_COLLATERAL_TO_LIQUIDATION, effective,
                       entry_pair(collateral(collateral_id), collateral_in_liquidation(collateral_id), sats, BTC))


def receive_proceeds_from_liquidation(tx_id: str, *, facility_id: str, collateral_id: str, amount: int,
                                      sent_total: int, effective: date) -> LedgerTransaction:
    """S USD: DR liquidation proceeds omnibus, CR the facility's proceeds account (`amount` cents);
    S BTC: DR collateral in liquidation, CR liquidated collateral (`sent_total` sats). Proceeds of
    0 cents (a sale of dust that fetched nothing) post the BTC pair alone: Lana's template would
    post zero-unit USD entries, which no template here does."""
    usd = () if type(amount) is int and amount == 0 else \
        entry_pair(LIQUIDATION_PROCEEDS_OMNIBUS, proceeds_from_liquidation(facility_id),
                   positive(RECEIVE_PROCEEDS_FROM_LIQUIDATION, amount))
    sats = positive(RECEIVE_PROCEEDS_FROM_LIQUIDATION, sent_total)
    return transaction(tx_id, RECEIVE_PROCEEDS_FROM_LIQUIDATION, effective, usd,
                       entry_pair(collateral_in_liquidation(collateral_id), liquidated_collateral(collateral_id),
                                  sats, BTC))

"""Public (outbox) events of the custody module: only a wallet's balance change is public."""

from __future__ import annotations

from domains.aggregate import Public
from domains.custody import events as ev
from domains.custody.wallet import Wallet
from domains.wire import pascal

__all__ = ["publish_wallet"]

MODULE = "Custody"


def publish_wallet(wallet: Wallet, event: ev.WalletEvent) -> tuple[Public, ...]:
    """`WalletBalanceUpdated{entity{id, address, network, balance{amount, updated_at}}}` (Lana: core/custody/src,
    core/accounting/src); the network as Lana's variant name (`Signet`)."""
    if not isinstance(event, ev.WalletBalanceChanged):
        return ()
    balance = {"amount": event.new_balance, "updated_at": event.changed_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    entity = {"id": wallet.id, "address": wallet.address, "network": pascal(wallet.network), "balance": balance}
    return (Public(MODULE, "WalletBalanceUpdated", {"entity": entity}),)

"""Stored events of Custodian and Wallet (Lana `core/custody` entity events)."""

from __future__ import annotations

from datetime import datetime

import attrs

from domains.custody.primitives import Network, Provider

__all__ = [
    "CustodianConfigUpdated", "CustodianEvent", "CustodianInitialized", "WalletBalanceChanged",
    "WalletEvent", "WalletInitialized",
]


@attrs.frozen
class CustodianInitialized:
    """A custodian was registered under a unique name with its provider."""

    id: str
    name: str
    provider: Provider


@attrs.frozen
class CustodianConfigUpdated:
    """The custodian's connection settings were replaced (Lana keeps them encrypted)."""

    config: dict[str, str]


CustodianEvent = CustodianInitialized | CustodianConfigUpdated


@attrs.frozen
class WalletInitialized:
    """The custodian opened a wallet: its own id for it, the receive address and its raw answer."""

    id: str
    custodian_id: str
    external_wallet_id: str
    address: str
    network: Network
    custodian_response: dict[str, str]


@attrs.frozen
class WalletBalanceChanged:
    """The custodian reported the wallet's balance as `new_balance` satoshis at `changed_at`."""

    new_balance: int
    changed_at: datetime


WalletEvent = WalletInitialized | WalletBalanceChanged

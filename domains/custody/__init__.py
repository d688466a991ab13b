"""Custody module (Lana `core/custody`): custodians and the Bitcoin wallets they hold for collateral.

A wallet's balance arrives from its custodian (webhook) and is published as
`WalletBalanceUpdated` (`core.custody.wallet-balance-updated`); a manual custodian holds no wallets.
"""

from __future__ import annotations

from domains.custody.address import address_of, segwit_v0_address
from domains.custody.commands import CreateCustodian, CreateWallet, UpdateCustodianConfig, UpdateWalletBalance
from domains.custody.custodian import Custodian
from domains.custody.errors import (
    CustodyError,
    EmptyValue,
    InvalidConfig,
    InvalidNetwork,
    InvalidProvider,
    InvalidSats,
    ManualCustodianHasNoWallets,
    NegativeBalance,
    NotInitialized,
)
from domains.custody.events import (
    CustodianConfigUpdated,
    CustodianEvent,
    CustodianInitialized,
    WalletBalanceChanged,
    WalletEvent,
    WalletInitialized,
)
from domains.custody.primitives import Network, Provider
from domains.custody.registry import CUSTODIAN, WALLET
from domains.custody.simulated import OpenedWallet, open_wallet
from domains.custody.wallet import Wallet
from domains.custody.webhooks import CUSTODY_WEBHOOK

AGGREGATES = (CUSTODIAN, WALLET, CUSTODY_WEBHOOK)

__all__ = [
    "AGGREGATES",
    "CUSTODIAN",
    "CUSTODY_WEBHOOK",
    "CreateCustodian",
    "CreateWallet",
    "Custodian",
    "CustodianConfigUpdated",
    "CustodianEvent",
    "CustodianInitialized",
    "CustodyError",
    "EmptyValue",
    "InvalidConfig",
    "InvalidNetwork",
    "InvalidProvider",
    "InvalidSats",
    "ManualCustodianHasNoWallets",
    "NegativeBalance",
    "Network",
    "NotInitialized",
    "OpenedWallet",
    "Provider",
    "UpdateCustodianConfig",
    "UpdateWalletBalance",
    "WALLET",
    "Wallet",
    "WalletBalanceChanged",
    "WalletEvent",
    "WalletInitialized",
    "address_of",
    "open_wallet",
    "segwit_v0_address",
]

"""Value types of the custody module: who holds the keys and which Bitcoin network a wallet is on."""

from __future__ import annotations

import enum

__all__ = ["Network", "Provider"]


class Provider(str, enum.Enum):
    """Lana's custodian configs, reduced to what a simulation distinguishes.

    `simulated` stands in for Komainu, BitGo and self-custody: it opens wallets and reports their
    balances through a webhook. `manual` holds no wallets: collateral is then updated by hand.
    """

    MANUAL = "manual"
    SIMULATED = "simulated"


class Network(str, enum.Enum):
    TESTNET3 = "testnet3"
    TESTNET4 = "testnet4"
    SIGNET = "signet"
    MAINNET = "mainnet"

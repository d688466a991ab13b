"""`sim.custody`: Lana's custody operator API — custodians, their wallets, and the simulated
custodian's balance webhook. Each call is a command through the owning actor."""

from __future__ import annotations

import threading

from domains.custody import CreateCustodian, CreateWallet, Custodian, UpdateCustodianConfig, UpdateWalletBalance, Wallet
from engine.bank.service.custody_webhooks import WebhookInbox
from engine.kernel.authz import SYSTEM, System
from engine.kernel.port import Kernel, Outcome

__all__ = ["CustodyService"]


class CustodyService:
    """The `custody` attribute of a `Simulation`."""

    def __init__(self, kernel: Kernel, serial: threading.RLock) -> None:
        """`serial`: the lock a balance update (and the collateral sync it sets off) holds, shared
        with the credit service on the threaded runtime so that no balance moves a facility's
        collateral between a disbursal's CVL check and its command (`CreditService`)."""
        self.kernel = kernel
        self.serial = serial
        self.webhooks = WebhookInbox(kernel, self.serial)  # idempotent deliveries, confirmation delays, late webhooks

    def create_custodian(self, name: str, provider: str = "simulated", *, subject: str = SYSTEM) -> str:
        """A taken name raises `DuplicateValue(kind="custodian", column="name")`."""
        custodian_id = self.kernel.ids.entity()
        self.kernel.execute("custodian", custodian_id, CreateCustodian(custodian_id, name, provider), subject=subject)
        return custodian_id

    def update_config(self, custodian_id: str, config: dict[str, str], *, subject: str = SYSTEM) -> Outcome:
        return self.kernel.execute("custodian", custodian_id, UpdateCustodianConfig(config), subject=subject)

    def create_wallet(self, custodian_id: str, network: str = "signet", *, subject: str = SYSTEM) -> str:
        """Opens a wallet at the custodian; a manual one refuses (`ManualCustodianHasNoWallets`)."""
        provider = self.kernel.state("custodian", custodian_id).provider
        wallet_id = self.kernel.ids.entity()
        command = CreateWallet(id=wallet_id, custodian_id=custodian_id, provider=provider, network=network)
        self.kernel.execute("wallet", wallet_id, command, subject=subject)
        return wallet_id

    def update_balance(self, wallet_id: str, sats: int, *, subject: str = System("custodian-sync")) -> Outcome:
        """The custodian reports the wallet's absolute balance, observed now; equal is already applied."""
        with self.serial:
            return self.kernel.execute("wallet", wallet_id, UpdateWalletBalance(sats, self.kernel.now), subject=subject)

    def custodian(self, custodian_id: str) -> Custodian:
        found: Custodian = self.kernel.state("custodian", custodian_id)
        return found

    def wallet(self, wallet_id: str) -> Wallet:
        """Raises `UnknownEntity` for an id that was never created."""
        found: Wallet = self.kernel.state("wallet", wallet_id)
        return found

    def find_wallet_by_address(self, address: str) -> Wallet:
        return self.wallet(self.kernel.index("wallet").find_by_address(address))

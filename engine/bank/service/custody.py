"""`sim.custody`: Lana's custody operator API — custodians, their wallets, and the simulated
custodian's balance webhook. Each call is a command through the owning actor."""

from __future__ import annotations

from domains.custody import CreateCustodian, CreateWallet, UpdateCustodianConfig, UpdateWalletBalance
from engine.bank.service.custody_webhooks import WebhookInbox
from engine.kernel.authz import SYSTEM, System
from engine.kernel.port import Kernel

__all__ = ["CustodyService"]


class CustodyService:
    """The `custody` attribute of a `Simulation`."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.webhooks = WebhookInbox(kernel)  # idempotent deliveries, confirmation delays, late webhooks

    def create_custodian(self, name: str, provider: str = "simulated", *, subject: str = SYSTEM) -> str:
        """A taken name raises `DuplicateValue(kind="custodian", column="name")`."""
        custodian_id = self.kernel.ids.entity()
        self.kernel.execute("custodian", custodian_id, CreateCustodian(custodian_id, name, provider), subject=subject)
        return custodian_id

    def update_config(self, custodian_id: str, config: dict[str, str], *, subject: str = SYSTEM):
        return self.kernel.execute("custodian", custodian_id, UpdateCustodianConfig(config), subject=subject)

    def create_wallet(self, custodian_id: str, network: str = "signet", *, subject: str = SYSTEM) -> str:
        """Opens a wallet at the custodian; a manual one refuses (`ManualCustodianHasNoWallets`)."""
        provider = self.kernel.state("custodian", custodian_id).provider
        wallet_id = self.kernel.ids.entity()
        command = CreateWallet(id=wallet_id, custodian_id=custodian_id, provider=provider, network=network)
        self.kernel.execute("wallet", wallet_id, command, subject=subject)
        return wallet_id

    def update_balance(self, wallet_id: str, sats: int, *, subject: str = System("custodian-sync")):
        """The custodian reports the wallet's absolute balance, observed now; equal is already applied."""
        return self.kernel.execute("wallet", wallet_id, UpdateWalletBalance(sats, self.kernel.now), subject=subject)

    def custodian(self, custodian_id: str):
        return self.kernel.state("custodian", custodian_id)

    def wallet(self, wallet_id: str):
        """Raises `UnknownEntity` for an id that was never created."""
        return self.kernel.state("wallet", wallet_id)

    def find_wallet_by_address(self, address: str):
        return self.wallet(self.kernel.index("wallet").find_by_address(address))

"""The custody module's aggregates as the engine hosts them: stored names, commands, columns."""

from __future__ import annotations

from operator import attrgetter

from domains.aggregate import Aggregate, Column, EventType
from domains.custody import custodian, wallet
from domains.custody import events as ev
from domains.custody.commands import CreateCustodian, CreateWallet, UpdateCustodianConfig, UpdateWalletBalance
from domains.custody.permissions import required_permission
from domains.custody.public import publish_wallet

__all__ = ["CUSTODIAN", "WALLET"]

CUSTODIAN: Aggregate[custodian.Custodian, ev.CustodianEvent, CreateCustodian | UpdateCustodianConfig] = Aggregate(
    kind="custodian",
    events=(EventType(ev.CustodianInitialized, "custody.custodian.initialized", 1),
            EventType(ev.CustodianConfigUpdated, "custody.custodian.config-updated", 1)),
    apply=custodian.apply, decide=custodian.decide, commands=custodian.COMMANDS, creates=(CreateCustodian,),
    columns=(Column("name", attrgetter("name"), unique=True), Column("provider", attrgetter("provider"))),
    permissions=required_permission, state=custodian.Custodian,
)

WALLET: Aggregate[wallet.Wallet, ev.WalletEvent, CreateWallet | UpdateWalletBalance] = Aggregate(
    kind="wallet",
    events=(EventType(ev.WalletInitialized, "custody.wallet.initialized", 1),
            EventType(ev.WalletBalanceChanged, "custody.wallet.balance-changed", 1)),
    apply=wallet.apply, decide=wallet.decide, commands=wallet.COMMANDS, creates=(CreateWallet,),
    columns=(Column("custodian_id", attrgetter("custodian_id")), Column("address", attrgetter("address"), unique=True),
             Column("network", attrgetter("network"))),
    publish=publish_wallet, permissions=required_permission, state=wallet.Wallet,
)

"""Wallet: a custodian-held Bitcoin wallet whose balance the custodian reports (Lana `Wallet`)."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.custody import events as ev
from domains.custody.commands import CreateWallet, UpdateWalletBalance
from domains.custody.errors import ManualCustodianHasNoWallets, NegativeBalance, require
from domains.custody.primitives import Network, Provider
from domains.custody.simulated import open_wallet

__all__ = ["COMMANDS", "Wallet", "apply", "decide"]

COMMANDS = (CreateWallet, UpdateWalletBalance)


@attrs.frozen
class Wallet:
    id: str
    custodian_id: str
    external_wallet_id: str
    address: str
    network: Network
    balance: int | None = None  # satoshis; None until the custodian first reports
    balance_updated_at: datetime | None = None


def apply(state: Wallet | None, event: ev.WalletEvent) -> Wallet:
    match event:
        case ev.WalletInitialized():
            return Wallet(event.id, event.custodian_id, event.external_wallet_id, event.address, event.network)
        case ev.WalletBalanceChanged(new_balance=balance, changed_at=at):
            return evolve(require(state, "wallet"), balance=balance, balance_updated_at=at)
        case _:
            assert_never(event)


def decide(state: Wallet | None, command: CreateWallet | UpdateWalletBalance,
           at: datetime) -> tuple[ev.WalletEvent, ...]:
    match command:
        case CreateWallet():
            return () if state is not None else _open(command)
        case UpdateWalletBalance():
            return _change_balance(require(state, "wallet"), command)
        case _:
            assert_never(command)


def _open(command: CreateWallet) -> tuple[ev.WalletEvent, ...]:
    if command.provider is Provider.MANUAL:
        raise ManualCustodianHasNoWallets(custodian_id=command.custodian_id)
    opened = open_wallet(command.id, command.network)
    return (ev.WalletInitialized(command.id, command.custodian_id, opened.external_wallet_id, opened.address,
                                 command.network, opened.response),)


def _change_balance(wallet: Wallet, command: UpdateWalletBalance) -> tuple[ev.WalletEvent, ...]:
    """Lana: idempotent on an equal balance, whatever the timestamp. lanasim also skips a balance
    observed before the one in use (Lana never checks `changed_at`: a late webhook overwrites)."""
    if command.new_balance < 0:
        raise NegativeBalance(wallet_id=wallet.id, balance=command.new_balance)
    if command.new_balance == wallet.balance:
        return ()
    if wallet.balance_updated_at is not None and command.changed_at < wallet.balance_updated_at:
        return ()
    return (ev.WalletBalanceChanged(command.new_balance, command.changed_at),)

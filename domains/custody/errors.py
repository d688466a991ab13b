"""Typed refusals of the custody module; every leaf carries the fields that explain it."""

from __future__ import annotations

from typing import TypeVar

from domains.aggregate import Refusal

S = TypeVar("S")

__all__ = [
    "CustodyError",
    "EmptyValue",
    "InvalidConfig",
    "InvalidNetwork",
    "InvalidProvider",
    "InvalidSats",
    "ManualCustodianHasNoWallets",
    "NegativeBalance",
    "NotInitialized",
    "require",
]


class CustodyError(Refusal):
    """Base of every custody-module refusal."""


class EmptyValue(CustodyError):
    """A required text field is empty (field: field)."""


class InvalidProvider(CustodyError):
    """Not one of the custodian providers: manual, simulated (field: value)."""


class InvalidNetwork(CustodyError):
    """Not one of testnet3, testnet4, signet, mainnet (field: value)."""


class InvalidConfig(CustodyError):
    """A custodian config must map text keys to text values (field: value)."""


class InvalidSats(CustodyError):
    """A balance must be a whole number of satoshis (field: value)."""


class NegativeBalance(CustodyError):
    """A custodian reported a balance below zero (fields: wallet_id, balance)."""


class ManualCustodianHasNoWallets(CustodyError):
    """A manual custodian holds no wallets; its collateral is updated by hand (field: custodian_id)."""


class NotInitialized(CustodyError):
    """A command reached an entity before its first event (field: kind)."""


def require(state: S | None, kind: str) -> S:
    """The state of an entity that must exist (the engine refuses unknown ids before this)."""
    if state is None:
        raise NotInitialized(kind=kind)
    return state

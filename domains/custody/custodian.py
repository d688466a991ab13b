"""Custodian: who holds a wallet's keys (Lana `core/custody` Custodian) and how to reach it."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.custody import events as ev
from domains.custody.commands import CreateCustodian, UpdateCustodianConfig
from domains.custody.errors import require
from domains.custody.primitives import Provider

__all__ = ["COMMANDS", "Custodian", "apply", "decide"]

COMMANDS = (CreateCustodian, UpdateCustodianConfig)


@attrs.frozen
class Custodian:
    id: str
    name: str
    provider: Provider
    config: dict[str, str] = attrs.field(factory=dict)

    @property
    def holds_wallets(self) -> bool:
        return self.provider is not Provider.MANUAL


def apply(state: Custodian | None, event: ev.CustodianEvent) -> Custodian:
    match event:
        case ev.CustodianInitialized(id=id_, name=name, provider=provider):
            return Custodian(id_, name, provider)
        case ev.CustodianConfigUpdated(config=config):
            return evolve(require(state, "custodian"), config=config)
        case _:
            assert_never(event)


def decide(state: Custodian | None, command: CreateCustodian | UpdateCustodianConfig,
           at: datetime) -> tuple[ev.CustodianEvent, ...]:
    match command:
        case CreateCustodian(id=id_, name=name, provider=provider):
            return () if state is not None else (ev.CustodianInitialized(id_, name, provider),)
        case UpdateCustodianConfig(config=config):
            return () if require(state, "custodian").config == config else (ev.CustodianConfigUpdated(config),)
        case _:
            assert_never(command)

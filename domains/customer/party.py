"""Party: the person or company behind a prospect and a customer; its email is unique."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, assert_never

import attrs

from domains.aggregate import evolve
from domains.customer.commands import CreateParty, UpdateEmail, UpdateTelegramHandle
from domains.customer.errors import require
from domains.customer.events import PartyEmailUpdated, PartyEvent, PartyInitialized, PartyTelegramHandleUpdated
from domains.customer.primitives import CustomerType

__all__ = ["COMMANDS", "Party", "apply", "decide"]

PartyCommand = CreateParty | UpdateEmail | UpdateTelegramHandle


@attrs.frozen
class Party:
    """`email_updated` and `telegram_history` keep the history Lana's idempotency guards scan."""

    id: str
    email: str
    telegram_handle: str
    customer_type: CustomerType
    email_updated: bool = False
    telegram_history: tuple[str, ...] = ()


def apply(state: Party | None, event: PartyEvent) -> Party:
    match event:
        case PartyInitialized(id=id_, email=email, telegram_handle=handle, customer_type=ctype):
            return Party(id_, email, handle, ctype)
        case PartyEmailUpdated(email=email):
            return evolve(require(state, "party"), email=email, email_updated=True)
        case PartyTelegramHandleUpdated(telegram_handle=handle):
            party = require(state, "party")
            return evolve(party, telegram_handle=handle, telegram_history=(*party.telegram_history, handle))
        case _:
            assert_never(event)


def decide(state: Party | None, command: PartyCommand, at: datetime) -> tuple[PartyEvent, ...]:
    if isinstance(command, CreateParty):
        return _create(state, command)
    return _DECISIONS[type(command)](require(state, "party"), command)


def _create(state: Party | None, c: CreateParty) -> tuple[PartyEvent, ...]:
    if state is not None:
        return ()
    return (PartyInitialized(c.id, c.email, c.telegram_handle, c.customer_type),)


def _update_email(party: Party, c: UpdateEmail) -> tuple[PartyEvent, ...]:
    """Lana: already applied when the latest EmailUpdated carries this email."""
    if party.email_updated and party.email == c.email:
        return ()
    return (PartyEmailUpdated(c.email),)


def _update_telegram_handle(party: Party, c: UpdateTelegramHandle) -> tuple[PartyEvent, ...]:
    """Lana: already applied when any earlier TelegramHandleUpdated carried this handle."""
    if c.telegram_handle in party.telegram_history:
        return ()
    return (PartyTelegramHandleUpdated(c.telegram_handle),)


_DECISIONS: dict[type, Callable[[Party, Any], tuple[PartyEvent, ...]]] = {
    UpdateEmail: _update_email, UpdateTelegramHandle: _update_telegram_handle}

COMMANDS = (CreateParty, *_DECISIONS)

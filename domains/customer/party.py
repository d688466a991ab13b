"""Party: the person or company behind a prospect and a customer; its email is unique."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import Aggregate, Column, EventType, Public
from domains.customer.commands import CreateParty, UpdateEmail, UpdateTelegramHandle
from domains.customer.errors import NotInitialized
from domains.customer.events import PartyEmailUpdated, PartyEvent, PartyInitialized, PartyTelegramHandleUpdated
from domains.customer.primitives import CustomerType

__all__ = ["PARTY", "Party", "apply", "decide", "publish"]

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
            return attrs.evolve(_live(state), email=email, email_updated=True)
        case PartyTelegramHandleUpdated(telegram_handle=handle):
            party = _live(state)
            return attrs.evolve(party, telegram_handle=handle, telegram_history=(*party.telegram_history, handle))
        case _:
            assert_never(event)


def decide(state: Party | None, command: PartyCommand, at: datetime) -> tuple[PartyEvent, ...]:
    if isinstance(command, CreateParty):
        return _create(state, command)
    return _DECISIONS[type(command)](_live(state), command)


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


_DECISIONS: dict[type, Callable] = {UpdateEmail: _update_email, UpdateTelegramHandle: _update_telegram_handle}


def _live(state: Party | None) -> Party:
    if state is None:
        raise NotInitialized(kind="party")
    return state


def publish(state: Party, event: PartyEvent) -> tuple[Public, ...]:
    entity = {"id": state.id, "email": state.email, "customer_type": state.customer_type.value}
    match event:
        case PartyInitialized():
            return (Public("Customer", "PartyCreated", {"entity": entity}),)
        case PartyEmailUpdated():
            return (Public("Customer", "PartyEmailUpdated", {"entity": entity}),)
        case _:
            return ()


PARTY: Aggregate = Aggregate(
    kind="party",
    events=(EventType(PartyInitialized, "customer.party.initialized"),
            EventType(PartyEmailUpdated, "customer.party.email-updated"),
            EventType(PartyTelegramHandleUpdated, "customer.party.telegram-handle-updated")),
    apply=apply, decide=decide,
    commands=(CreateParty, *_DECISIONS), creates=(CreateParty,),
    columns=(Column("email", lambda s: s.email, unique=True),),
    publish=publish, state=Party, snapshot_every=None,
)

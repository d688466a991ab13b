"""Customer: a converted party that may hold products; it can be frozen, unfrozen and closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, assert_never

import attrs

from domains.aggregate import evolve
from domains.customer import commands as cmd
from domains.customer import events as ev
from domains.customer.errors import CustomerIsClosed, require
from domains.customer.primitives import Conversion, ConversionMethod, CustomerStatus, CustomerType, KycLevel

__all__ = ["COMMANDS", "Customer", "apply", "decide"]

CustomerChange = ev.CustomerFrozen | ev.CustomerUnfrozen | ev.CustomerClosed | ev.CustomerKycLevelUpdated


@attrs.frozen
class Customer:
    id: str
    party_id: str
    customer_type: CustomerType
    conversion: Conversion
    level: KycLevel
    status: CustomerStatus = CustomerStatus.ACTIVE

    @property
    def has_been_verified(self) -> bool:
        return self.conversion.method is ConversionMethod.SUMSUB_APPROVED

    @property
    def may_attach_product(self) -> bool:
        """Lana: eligible for products iff neither frozen nor closed."""
        return self.status is CustomerStatus.ACTIVE


def apply(state: Customer | None, event: ev.CustomerEvent) -> Customer:
    if isinstance(event, ev.CustomerInitialized):
        return Customer(event.id, event.party_id, event.customer_type, event.conversion, event.level)
    return _evolve(require(state, "customer"), event)


def _evolve(c: Customer, event: CustomerChange) -> Customer:
    match event:
        case ev.CustomerFrozen(status=status) | ev.CustomerUnfrozen(status=status) | ev.CustomerClosed(status=status):
            return evolve(c, status=status)
        case ev.CustomerKycLevelUpdated(level=level):
            return evolve(c, level=level)
        case _:
            assert_never(event)


def decide(state: Customer | None, command: object, at: datetime) -> tuple[ev.CustomerEvent, ...]:
    if isinstance(command, cmd.CreateCustomer):
        return () if state is not None else (ev.CustomerInitialized(
            command.id, command.party_id, command.customer_type, command.conversion, command.level),)
    return _DECISIONS[type(command)](require(state, "customer"), command)


def _freeze(c: Customer, _: cmd.FreezeCustomer) -> tuple[ev.CustomerEvent, ...]:
    _ensure_not_closed(c)
    if c.status is CustomerStatus.FROZEN:
        return ()
    return (ev.CustomerFrozen(CustomerStatus.FROZEN),)


def _unfreeze(c: Customer, _: cmd.UnfreezeCustomer) -> tuple[ev.CustomerEvent, ...]:
    _ensure_not_closed(c)
    if c.status is not CustomerStatus.FROZEN:
        return ()
    return (ev.CustomerUnfrozen(CustomerStatus.ACTIVE),)


def _close(c: Customer, _: cmd.CloseCustomer) -> tuple[ev.CustomerEvent, ...]:
    if c.status is CustomerStatus.CLOSED:
        return ()
    return (ev.CustomerClosed(CustomerStatus.CLOSED),)


def _update_level(c: Customer, command: cmd.UpdateKycLevel) -> tuple[ev.CustomerEvent, ...]:
    if c.level is command.level:
        return ()
    return (ev.CustomerKycLevelUpdated(command.level),)


def _ensure_not_closed(c: Customer) -> None:
    if c.status is CustomerStatus.CLOSED:
        raise CustomerIsClosed(id=c.id)


_DECISIONS: dict[type, Callable[[Customer, Any], tuple[ev.CustomerEvent, ...]]] = {
    cmd.FreezeCustomer: _freeze, cmd.UnfreezeCustomer: _unfreeze, cmd.CloseCustomer: _close,
    cmd.UpdateKycLevel: _update_level,
}

COMMANDS = (cmd.CreateCustomer, *_DECISIONS)

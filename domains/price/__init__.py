"""Price module: the latest BTC/USD price in integer cents per BTC (Lana's `core/price`).

Each update publishes the ephemeral `core.price.price-updated`, untagged as Lana's `CorePriceEvent` is:
`{"module": "Price", "PriceUpdated": {"price", "timestamp"}}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, assert_never

import attrs

from domains.aggregate import Aggregate, EventType, Public, Refusal
from domains.validators import MAX_CENTS, check_amount

__all__ = ["AGGREGATES", "BTC_USD", "InvalidPrice", "PRICE", "PriceState", "PriceUpdated", "UpdatePrice"]

BTC_USD = "btc-usd"


class InvalidPrice(Refusal):
    """A price must be a positive whole number of cents per BTC (field: price)."""


def _positive_cents(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value <= 0:  # the problem in the message: `InvalidPrice(price=70000.0)` said none
        raise InvalidPrice(price=value, problem="a price is a positive whole number of cents per BTC "
                                                "(int, not float, Decimal or str: $70,000.00 is 7_000_000)")
    check_amount(attribute.name, value, maximum=MAX_CENTS)


@attrs.frozen
class PriceUpdated:
    """The reference price became `price` cents per BTC at `timestamp`."""

    price: int
    timestamp: datetime


@attrs.frozen
class UpdatePrice:
    price: int = attrs.field(validator=_positive_cents)
    timestamp: datetime


@attrs.frozen
class PriceState:
    price: int
    timestamp: datetime


def apply(state: PriceState | None, event: PriceUpdated) -> PriceState:
    match event:
        case PriceUpdated():
            return PriceState(event.price, event.timestamp)
        case _:
            assert_never(event)


def decide(state: PriceState | None, command: UpdatePrice, at: datetime) -> tuple[PriceUpdated, ...]:
    if state is not None and (state.price, state.timestamp) == (command.price, command.timestamp):
        return ()
    return (PriceUpdated(command.price, command.timestamp),)


def publish(state: PriceState, event: PriceUpdated) -> tuple[Public, ...]:
    payload = {"price": event.price, "timestamp": event.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return (Public("Price", "PriceUpdated", payload, ephemeral=True, tagged=False),)


PRICE = Aggregate(
    kind="price", events=(EventType(PriceUpdated, "price.price-updated"),), apply=apply, decide=decide,
    commands=(UpdatePrice,), creates=(UpdatePrice,), publish=publish, state=PriceState, snapshot_every=1000,
)
AGGREGATES = (PRICE,)

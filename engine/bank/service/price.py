"""`sim.price`: set the BTC/USD price, follow a price path, read the current price."""

from __future__ import annotations

from domains.price import BTC_USD, InvalidPrice, UpdatePrice
from engine.kernel.clock import Priority
from engine.kernel.port import Kernel

__all__ = ["PriceService"]


class PriceService:
    """Lana's price module: the latest price, published as ephemeral `PriceUpdated` events."""

    def __init__(self, kernel: Kernel) -> None:
        self.sim = kernel  # named `sim` for the body of `follow`; it is the narrow `Kernel`
        self.path = None

    def set(self, cents_per_btc: int) -> int:
        """Publish a price (integer cents per BTC, > 0) at the current sim time."""
        self.sim.execute("price", BTC_USD, UpdatePrice(cents_per_btc, self.sim.now), subject="price-feed")
        return cents_per_btc

    def current(self) -> int | None:
        """The latest price in cents per BTC (None before the first)."""
        if not self.sim.exists("price", BTC_USD):
            return None
        return self.sim.state("price", BTC_USD).price

    def follow(self, path, *, every_seconds: int = 3600) -> None:
        """Sample `path.price_at(t)` now and every `every_seconds` of sim time (priority: price).

        t is the sim clock in whole seconds since the simulation began; a None reading publishes nothing
        (the last price stays in use), as when every provider fails.
        """
        if type(every_seconds) is not int or every_seconds <= 0:
            raise InvalidPrice(price=None, every_seconds=every_seconds, problem="interval must be a positive int")
        self.path = feed = path
        origin = int(self.sim.clock.env.now)

        def sample() -> bool:
            if self.path is not path:
                return False  # another path took over: stop this feed
            t = int(self.sim.clock.env.now)
            price = feed.price_at(t)
            if price is not None:  # None: the oracle publishes nothing at this tick (stale feed, gap)
                self.sim.tell("price", BTC_USD, UpdatePrice(_checked(price, t), self.sim.now), subject="price-feed")
            return True

        self.sim.jobs.every(every_seconds, sample, Priority.PRICE, first=origin)


def _checked(price: object, t: int) -> int:
    if type(price) is not int or price <= 0:
        raise InvalidPrice(price=price, at_second=t, problem="the price path left the positive integers")
    return price

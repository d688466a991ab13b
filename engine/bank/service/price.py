"""`sim.price`: set the BTC/USD price, follow a price path, read the current price."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from domains.price import BTC_USD, InvalidPrice, PriceState, UpdatePrice
from engine.bank.service.price_providers import ProviderFeed, ProviderPath
from engine.kernel.authz import System
from engine.kernel.clock import Priority
from engine.kernel.port import Kernel

__all__ = ["PricePath", "PriceService"]


class PricePath(Protocol):
    """What `PriceService.follow` samples: cents per BTC at second `t` of sim time, or None."""

    def price_at(self, t: int) -> object: ...

PRICE_FEED = System("price-feed")  # the oracle: a system principal


class PriceService:
    """Lana's price module: the latest price, published as ephemeral `PriceUpdated` events."""

    def __init__(self, kernel: Kernel) -> None:
        self.sim = kernel  # named `sim` for the body of `follow`; it is the narrow `Kernel`
        self.path: PricePath | None = None
        self.feed: ProviderFeed | None = None  # the provider feed followed, if any

    def set(self, cents_per_btc: int) -> int:
        """Publish a price (integer cents per BTC, > 0) at the current sim time."""
        self.sim.execute("price", BTC_USD, UpdatePrice(cents_per_btc, self.sim.now), subject=PRICE_FEED)
        return cents_per_btc

    def current(self) -> int | None:
        """The latest price in cents per BTC (None before the first)."""
        if not self.sim.exists("price", BTC_USD):
            return None
        state: PriceState = self.sim.state("price", BTC_USD)
        return state.price

    def staleness_s(self) -> int | None:
        """Seconds since the price in use was published (None before the first). Lana keeps using
        the last price when every provider fails and flags nothing; this is the simulation's record."""
        if not self.sim.exists("price", BTC_USD):
            return None
        state: PriceState = self.sim.state("price", BTC_USD)
        return int((self.sim.now - state.timestamp).total_seconds())

    def follow_providers(self, providers: Mapping[str, ProviderPath], *, every_seconds: int = 60) -> ProviderFeed:
        """Poll several providers (name -> path; a path's None reading is that provider failing)
        now and every `every_seconds` (Lana: 60), publishing the upper median of the prices that came
        back; when all fail nothing is published. Replaces any feed followed before."""
        feed = ProviderFeed(self.sim, providers, every_seconds)
        self._stop()
        self.feed = feed
        feed.start()
        return feed

    def _stop(self) -> None:
        self.path = None
        if self.feed is not None:
            self.feed.stopped = True

    def follow(self, path: PricePath, *, every_seconds: int = 3600, first: int | None = None) -> None:
        """Sample `path.price_at(t)` now (or at sim second `first`, a run restarted from a checkpoint)
        and every `every_seconds` of sim time after (priority: price).

        t is the sim clock in whole seconds since the simulation began; a None reading publishes nothing
        (the last price stays in use), as when every provider fails.
        """
        if type(every_seconds) is not int or every_seconds <= 0:
            raise InvalidPrice(price=None, every_seconds=every_seconds, problem="interval must be a positive int")
        if not callable(getattr(path, "price_at", None)):
            raise InvalidPrice(price=None, every_seconds=every_seconds,
                               problem=f"{type(path).__name__} is not a price path (it has no price_at(t) method)")
        if self.feed is not None:
            self.feed.stopped = True
        self.path = feed = path
        origin = int(self.sim.clock.env.now) if first is None else first

        def sample() -> bool:
            if self.path is not path:
                return False  # another path took over: stop this feed
            t = int(self.sim.clock.env.now)
            price = feed.price_at(t)
            if price is not None:  # None: the oracle publishes nothing at this tick (stale feed, gap)
                self.sim.tell("price", BTC_USD, UpdatePrice(_checked(price, t), self.sim.now), subject=PRICE_FEED)
            return True

        self.sim.jobs.every(every_seconds, sample, Priority.PRICE, first=origin)


def _checked(price: object, t: int) -> int:
    if type(price) is not int or price <= 0:
        raise InvalidPrice(price=price, at_second=t, problem="the price path left the positive integers")
    return price

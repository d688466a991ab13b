"""A feed of several simulated price providers (a market path each, faults included), polled as Lana
polls its providers; see `domains.price.providers` for the rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from domains.price import BTC_USD, InvalidPrice, PriceState, UpdatePrice
from domains.price.providers import PROVIDER_POLL_SECONDS, NoProviders, ProviderTick, poll
from engine.kernel.authz import System
from engine.kernel.clock import Priority
from engine.kernel.port import Kernel

__all__ = ["ProviderFeed", "ProviderPath"]


class ProviderPath(Protocol):
    """A provider's market: its price in cents at sim second t, or None when it fails then."""

    def price_at(self, t: int) -> int | None: ...


class ProviderFeed:
    """Polls `providers` (name -> path with `price_at(t) -> int | None`, None = the provider failed)
    every `every_seconds` from now; `ticks` keeps every poll's outcome (`ProviderTick`), in order."""

    def __init__(self, kernel: Kernel, providers: Mapping[str, ProviderPath],
                 every_seconds: int = PROVIDER_POLL_SECONDS) -> None:
        if not providers:
            raise NoProviders(providers=dict(providers))
        if type(every_seconds) is not int or every_seconds <= 0:
            raise InvalidPrice(price=None, every_seconds=every_seconds, problem="interval must be a positive int")
        self.kernel, self.providers, self.every_seconds = kernel, dict(providers), every_seconds
        self.ticks: list[ProviderTick] = []
        self.stopped = False

    def start(self) -> None:
        self.kernel.jobs.every(self.every_seconds, self._poll, Priority.PRICE, first=int(self.kernel.clock.env.now))

    def _poll(self) -> bool:
        if self.stopped:
            return False
        kernel, t = self.kernel, int(self.kernel.clock.env.now)
        readings = {name: path.price_at(t) for name, path in self.providers.items()}
        for name, price in readings.items():
            if price is not None and (type(price) is not int or price <= 0):
                raise InvalidPrice(price=price, provider=name, at_second=t, problem="not a positive int of cents")
        state: PriceState | None = kernel.state("price", BTC_USD) if kernel.exists("price", BTC_USD) else None
        last = None if state is None else state.timestamp
        tick = poll(readings, kernel.now, last)
        self.ticks.append(tick)
        if tick.published is not None:
            kernel.tell("price", BTC_USD, UpdatePrice(tick.published, kernel.now), subject=System("price-feed"))
        return True

    @property
    def max_staleness_s(self) -> int:
        """The oldest the price in use got at any poll, in seconds (0 before the first poll)."""
        return max((tick.staleness_s for tick in self.ticks), default=0)

"""Several price providers, one published price (Lana `core/price/src/jobs/fetch_price.rs`): every
poll (about every 60 s) asks each provider; the published price is the upper median of the prices
that came back (`sorted[len // 2]`); when every provider fails nothing is published and the last
price stays in use. Lana does not flag such a price as stale; lanasim records how stale it is.
There the failed poll ends the job with `AllProvidersFailed` and the job runner retries it
(`RetrySettings::repeat_indefinitely`) on its own schedule rather than after the 60 s sleep; lanasim
simply polls again at the interval."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from domains.aggregate import Refusal

__all__ = ["NoProviders", "PROVIDER_POLL_SECONDS", "ProviderTick", "poll", "upper_median"]

PROVIDER_POLL_SECONDS = 60  # Lana's PRICE_UPDATE_INTERVAL


class NoProviders(Refusal):
    """A provider feed needs at least one provider (field: providers)."""


def upper_median(prices: Iterable[int]) -> int | None:
    """The upper median of the prices (the middle one, or the higher of the two middle ones); None
    for no price at all."""
    ordered = sorted(prices)
    return ordered[len(ordered) // 2] if ordered else None


@attrs.frozen
class ProviderTick:
    """One poll: each provider's price (None: it failed), what was published (None: nothing), and
    how many seconds old the price in use was after the poll (0 when one was just published)."""

    at: datetime
    readings: tuple[tuple[str, int | None], ...]
    published: int | None
    staleness_s: int


def poll(readings: Mapping[str, int | None], at: datetime, last_published_at: datetime | None) -> ProviderTick:
    """The outcome of one poll at `at`, given when the price in use was published (None: never)."""
    published = upper_median(p for p in readings.values() if p is not None)
    if published is not None or last_published_at is None:
        staleness = 0
    else:
        staleness = int((at - last_published_at).total_seconds())
    return ProviderTick(at, tuple(sorted(readings.items())), published, staleness)

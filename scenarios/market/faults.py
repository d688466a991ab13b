"""Oracle faults on a market path: a stale feed, a bad print (one-tick spike), recurring gaps.

`price_at(t)` returns None where the oracle publishes nothing; the price feed then skips the tick
and the last published price stays in use (as in Lana, with no staleness flag).
"""

from __future__ import annotations

import math
from datetime import datetime
from fractions import Fraction

from scenarios.market.paths import HOUR, PricePathError

__all__ = ["FaultyPath", "InvalidFault", "with_faults"]


class InvalidFault(PricePathError):
    """A fault argument is refused (fields: fault, value, problem)."""


class FaultyPath:
    """`path` seen through a faulty oracle; times are the path's own (seconds after its start)."""

    def __init__(self, path, stale: tuple[int, float] | None, spike: tuple[int, float] | None,
                 gaps: tuple[int, int] | None, tick_s: int) -> None:
        self.path, self.tick_s = path, _positive("tick_s", tick_s, tick_s)
        self.stale = None if stale is None else (_at("stale", stale), _positive("stale", stale, stale[1]))
        self.spike = None if spike is None else (_at("spike", spike), _pct(spike))
        self.gaps = None if gaps is None else _gaps(gaps)

    @property
    def start(self) -> datetime | None:
        return getattr(self.path, "start", None)

    @property
    def length_s(self) -> int | None:
        return getattr(self.path, "length_s", None)

    def price_at(self, t: int) -> int | None:
        t = max(0, t)
        if self.stale and self.stale[0] <= t < self.stale[0] + self.stale[1] * HOUR:
            return None
        if self.gaps and t >= self.gaps[0] and t % self.gaps[0] < self.gaps[1]:
            return None
        price = self.path.price_at(t)
        if self.spike and self.spike[0] <= t < self.spike[0] + self.tick_s:
            return max(1, round(price * (1 + Fraction(self.spike[1]) / 100)))
        return price

    def describe(self) -> dict[str, object]:
        faults = {"stale_from_s": self.stale[0], "stale_hours": self.stale[1]} if self.stale else {}
        if self.spike:
            faults |= {"spike_at_s": self.spike[0], "spike_pct": self.spike[1], "tick_s": self.tick_s}
        if self.gaps:
            faults |= {"gap_every_s": self.gaps[0], "gap_length_s": self.gaps[1]}
        return self.path.describe() | {"faults": faults}


def with_faults(path, *, stale: tuple[int, float] | None = None, spike: tuple[int, float] | None = None,
                gaps: tuple[int, int] | None = None, tick_s: int = HOUR) -> FaultyPath:
    """Wrap `path` (anything with `price_at(t) -> int`) in oracle faults, all in path seconds:

    - stale=(from_s, hours): nothing is published for t in [from_s, from_s + hours h), then it resumes;
    - spike=(at_s, pct): a bad print, price * (1 + pct/100) for t in [at_s, at_s + tick_s) — with
      tick_s the feed's `every_seconds`, exactly one tick sees it whatever the feed's phase;
    - gaps=(every_s, length_s): nothing is published for t in [k*every_s, k*every_s + length_s), k >= 1
      (the first reading always publishes); length_s < every_s.
    """
    return FaultyPath(path, stale, spike, gaps, tick_s)


def _number(fault: str, value: object, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise InvalidFault(fault=fault, value=value, problem="must be finite numbers")
    return x


def _at(fault: str, value: tuple) -> int:
    if not isinstance(value, tuple) or len(value) != 2:
        raise InvalidFault(fault=fault, value=value, problem="must be a pair")
    at = _number(fault, value, value[0])
    if not isinstance(at, int) or at < 0:
        raise InvalidFault(fault=fault, value=value, problem="the start must be an int number of seconds >= 0")
    return at


def _positive(fault: str, value: object, x: object) -> float:
    if _number(fault, value, x) <= 0:
        raise InvalidFault(fault=fault, value=value, problem="must be positive")
    return x  # type: ignore[return-value]


def _pct(spike: tuple) -> float:
    pct = _number("spike", spike, spike[1])
    if pct <= -100 or pct == 0:
        raise InvalidFault(fault="spike", value=spike, problem="pct must be above -100 and not 0")
    return pct


def _gaps(gaps: tuple) -> tuple[int, int]:
    every = _at("gaps", gaps)
    length = gaps[1]
    if isinstance(length, bool) or not isinstance(length, int) or not 0 < length < every:
        raise InvalidFault(fault="gaps", value=gaps, problem="need 0 < length_s < every_s, int seconds")
    return every, length

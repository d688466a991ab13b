"""BTC price paths a price feed samples: `price_at(t)` -> integer USD cents per BTC at sim second t.

Every path is flat before its first point (t < 0 reads as t = 0) and never returns a price < 1 cent.
"""

from __future__ import annotations

import bisect
import math
import random
from array import array
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from attrs import Attribute, define, field, frozen

from engine.kernel.errors import EngineError

__all__ = [
    "BrownianBridge",
    "Constant",
    "Crash",
    "GBM",
    "InvalidPricePath",
    "MAX_CENTS",
    "MAX_LOG_MOVE",
    "MalformedPriceFile",
    "PricePath",
    "PricePathError",
    "Stepped",
    "black_thursday_2020",
    "ftx_2022",
    "june_2022",
]

HOUR = 3600
DAY = 24 * HOUR
YEAR = 365.25 * DAY
MAX_CENTS = 10**15  # $10 trillion per BTC: generated paths are clamped to [1, MAX_CENTS] cents
_LOG_MAX = math.log(MAX_CENTS)
MAX_LOG_MOVE = 10.0  # bound of volatilities, log noise and log jump sizes (e**10 ~ 22,000x): beyond, floats overflow


class PricePathError(EngineError):
    """Base class for price-path errors."""


class InvalidPricePath(PricePathError):
    """A path constructor refused an argument (fields: field, value, problem)."""


class MalformedPriceFile(PricePathError):
    """A price CSV cannot be replayed (fields: path, line, problem); `line` is 1-based."""


class PricePath(Protocol):
    """What a price feed samples."""

    def price_at(self, t: int) -> int: ...

    def describe(self) -> dict[str, object]: ...


# -- validators (attrs signature: instance, attribute, value) ------------------------------------


def _refuse(attribute: Attribute[Any], value: object, problem: str) -> InvalidPricePath:
    return InvalidPricePath(field=attribute.name, value=value, problem=problem)


def _cents(_: object, attribute: Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(attribute, value, "a price must be an int number of cents")
    if value <= 0:
        raise _refuse(attribute, value, "a price must be positive")


def _real(_: object, attribute: Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _refuse(attribute, value, "must be a finite number")


def _non_negative(instance: object, attribute: Attribute[Any], value: Any) -> None:
    _real(instance, attribute, value)
    if value < 0:
        raise _refuse(attribute, value, "must not be negative")


def _log_move(instance: object, attribute: Attribute[Any], value: Any) -> None:
    """A volatility, noise or jump size: finite, and at most MAX_LOG_MOVE in absolute value."""
    _real(instance, attribute, value)
    if abs(value) > MAX_LOG_MOVE:
        raise _refuse(attribute, value, f"must lie within -{MAX_LOG_MOVE:g} .. {MAX_LOG_MOVE:g}")


def _seconds(_: object, attribute: Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(attribute, value, "must be an int number of seconds")
    if value < 0:
        raise _refuse(attribute, value, "must not be negative")


def _positive_seconds(instance: object, attribute: Attribute[Any], value: Any) -> None:
    _seconds(instance, attribute, value)
    if value == 0:
        raise _refuse(attribute, value, "must be positive")


def _fraction(instance: object, attribute: Attribute[Any], value: Any) -> None:
    _real(instance, attribute, value)
    if not 0 < value < 1:
        raise _refuse(attribute, value, "must be strictly between 0 and 1")


def _private_stream(rng: random.Random) -> random.Random:
    """One draw from the caller's stream seeds the path's own stream.

    Lazy generation then cannot interleave with other users of the caller's stream, so a path
    depends only on the stream's state at construction, never on when it is queried.
    """
    if not isinstance(rng, random.Random):
        raise InvalidPricePath(field="rng", value=rng, problem="must be a random.Random stream")
    return random.Random(rng.getrandbits(128))


def _to_cents(log_price: float) -> int:
    """exp(log_price) rounded half-even to the cent, clamped to [1, MAX_CENTS]."""
    if log_price >= _LOG_MAX:
        return MAX_CENTS
    return min(MAX_CENTS, max(1, round(math.exp(log_price))))


def _log_lerp(a: int, b: int, f: float) -> int:
    """The price a fraction f of the way from a to b on a log scale; exact at both ends."""
    if f <= 0:
        return a
    if f >= 1:
        return b
    return _to_cents(math.log(a) + f * (math.log(b) - math.log(a)))


# -- deterministic paths ---------------------------------------------------------------------------


@frozen
class Constant:
    """The same price at every instant."""

    cents: int = field(validator=_cents)

    def price_at(self, t: int) -> int:
        return self.cents

    def describe(self) -> dict[str, object]:
        return {"kind": "constant", "cents": self.cents}


def _schedule(steps: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    schedule = tuple(steps)
    if not schedule:
        raise InvalidPricePath(field="schedule", value=schedule, problem="needs at least one step")
    for i, step in enumerate(schedule):
        if not isinstance(step, (tuple, list)) or len(step) != 2:
            raise InvalidPricePath(field="schedule", value=step, problem="a step is (t_seconds, cents)")
        t, cents = step
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise InvalidPricePath(field="schedule", value=(t, cents), problem="t must be an int >= 0")
        if isinstance(cents, bool) or not isinstance(cents, int) or cents <= 0:
            raise InvalidPricePath(field="schedule", value=(t, cents), problem="price must be a positive int")
        if i and t <= schedule[i - 1][0]:
            raise InvalidPricePath(field="schedule", value=(t, cents), problem="times must increase")
    return tuple((t, cents) for t, cents in schedule)


@frozen
class Stepped:
    """A step function: the price of the last step at or before t (the first step's before it)."""

    schedule: tuple[tuple[int, int], ...] = field(converter=_schedule)
    _times: tuple[int, ...] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_times", tuple(t for t, _ in self.schedule))

    def price_at(self, t: int) -> int:
        return self.schedule[max(0, bisect.bisect_right(self._times, t) - 1)][1]

    def describe(self) -> dict[str, object]:
        return {"kind": "stepped", "schedule": [list(step) for step in self.schedule]}


@frozen
class Crash:
    """Flat at s0 until start_s, a log-linear fall to s0*(1-depth) over duration_s, a log-linear
    recovery over recovery_s to trough + (s0 - trough) * recovery_level, then flat.

    Zero durations give instantaneous gaps; recovery_level 0 stays at the trough, 1 returns to s0.
    """

    s0_cents: int = field(validator=_cents)
    depth: float = field(validator=_fraction)
    start_s: int = field(validator=_seconds)
    duration_s: int = field(validator=_seconds)
    recovery_s: int = field(validator=_seconds)
    recovery_level: float = field(validator=_non_negative)

    @property
    def trough_cents(self) -> int:
        return max(1, round(self.s0_cents * (1 - self.depth)))

    @property
    def recovered_cents(self) -> int:
        trough = self.trough_cents
        level = trough + (self.s0_cents - trough) * self.recovery_level
        return max(1, round(min(MAX_CENTS, level)))

    def price_at(self, t: int) -> int:
        fall_end = self.start_s + self.duration_s
        if t < fall_end:
            return _log_lerp(self.s0_cents, self.trough_cents, _progress(t, self.start_s, self.duration_s))
        return _log_lerp(self.trough_cents, self.recovered_cents, _progress(t, fall_end, self.recovery_s))

    def describe(self) -> dict[str, object]:
        return {"kind": "crash", "s0_cents": self.s0_cents, "depth": self.depth, "start_s": self.start_s,
                "duration_s": self.duration_s, "recovery_s": self.recovery_s,
                "recovery_level": self.recovery_level}


def _progress(t: int, start: int, length: int) -> float:
    """How far t is through [start, start + length]: 0 before, 1 after (a zero length jumps)."""
    if t < start:
        return 0.0
    return 1.0 if t >= start + length else (t - start) / length


def black_thursday_2020(s0_cents: int, start_s: int = 0) -> Crash:
    """Black Thursday as widely reported market levels (no Lana source: Lana models no market): ~-50 %
    in ~30 h (12-13 Mar 2020), back near the pre-crash level in ~7 weeks. The `march-2020` preset runs
    the dated shape `black-thursday-2020` (scenarios/market/shapes.py) instead."""
    return Crash(s0_cents, 0.50, start_s, 30 * HOUR, 7 * 7 * DAY, 1.0)


def june_2022(s0_cents: int, start_s: int = 0) -> Crash:
    """Celsius/3AC (June 2022) as widely reported market levels: -41 % in the 8 days to 18 Jun, only back
    above $20 k (~15 % of the fall) in days. The `june-2022` preset runs the dated shape instead (its
    -45 % is from 1 Jun)."""
    return Crash(s0_cents, 0.41, start_s, 8 * DAY, 5 * DAY, 0.15)


def ftx_2022(s0_cents: int, start_s: int = 0) -> Crash:
    """FTX (Nov 2022) as widely reported market levels: -27 % in 4 days, back near the pre-crash level
    (~$21 k) by Jan 2023. The `ftx-2022` preset runs the dated shape instead."""
    return Crash(s0_cents, 0.27, start_s, 4 * DAY, 60 * DAY, 0.9)


# -- seeded random paths ---------------------------------------------------------------------------


class _Grid:
    """Log prices at t = k * dt, generated in order on demand; point 0 is exactly s0."""

    def __init__(self, s0_cents: int, dt_seconds: int, step: Callable[[int, float], float]) -> None:
        self._s0, self._dt, self._step = s0_cents, dt_seconds, step
        self._logs = array("d", [math.log(s0_cents)])

    def price_at(self, t: int) -> int:
        k = max(0, t) // self._dt
        if k == 0:
            return self._s0
        logs = self._logs
        while len(logs) <= k:
            logs.append(self._step(len(logs) - 1, logs[-1]))
        return _to_cents(logs[k])


@define(eq=False)
class GBM:
    """Geometric Brownian motion on a grid of dt seconds, stepwise between grid points.

    Floats inside (rng.gauss on the log price, annual rates over a 365.25-day year); prices come
    out rounded half-even to the cent, at least 1 cent and at most MAX_CENTS.
    """

    s0_cents: int = field(validator=_cents)
    mu_annual: float = field(validator=_real)
    sigma_annual: float = field(validator=[_non_negative, _log_move])
    dt_seconds: int = field(validator=_positive_seconds)
    rng: random.Random = field(converter=_private_stream, repr=False)
    _grid: _Grid = field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._grid = _Grid(self.s0_cents, self.dt_seconds, self._step)

    def _step(self, k: int, x: float) -> float:
        years = self.dt_seconds / YEAR
        drift = (self.mu_annual - self.sigma_annual**2 / 2) * years
        return x + drift + self.sigma_annual * math.sqrt(years) * self.rng.gauss(0.0, 1.0)

    def price_at(self, t: int) -> int:
        return self._grid.price_at(t)

    def describe(self) -> dict[str, object]:
        return {"kind": "gbm", "s0_cents": self.s0_cents, "mu_annual": self.mu_annual,
                "sigma_annual": self.sigma_annual, "dt_seconds": self.dt_seconds}


@define(eq=False)
class BrownianBridge:
    """A log-price Brownian bridge from s0 at t = 0 to exactly target_cents at target_t, flat after.

    Sampled on a grid of dt seconds like GBM (same floats, rounding and clamping).
    """

    s0_cents: int = field(validator=_cents)
    target_cents: int = field(validator=_cents)
    target_t: int = field(validator=_positive_seconds)
    sigma_annual: float = field(validator=[_non_negative, _log_move])
    dt_seconds: int = field(validator=_positive_seconds)
    rng: random.Random = field(converter=_private_stream, repr=False)
    _grid: _Grid = field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._grid = _Grid(self.s0_cents, self.dt_seconds, self._step)

    def _step(self, k: int, x: float) -> float:
        """Point k+1 given point k; only called for grid points strictly before target_t."""
        remaining = self.target_t - k * self.dt_seconds
        share = self.dt_seconds / remaining
        mean = x + share * (math.log(self.target_cents) - x)
        variance = self.sigma_annual**2 * (self.dt_seconds / YEAR) * (1 - share)
        return mean + math.sqrt(variance) * self.rng.gauss(0.0, 1.0)

    def price_at(self, t: int) -> int:
        return self.target_cents if t >= self.target_t else self._grid.price_at(t)

    def describe(self) -> dict[str, object]:
        return {"kind": "brownian-bridge", "s0_cents": self.s0_cents, "target_cents": self.target_cents,
                "target_t": self.target_t, "sigma_annual": self.sigma_annual,
                "dt_seconds": self.dt_seconds}

"""Values in a market spec (dollars, percents, numbers, seconds, days), each refused with `PathSpecError`."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from scenarios.market.paths import DAY, MAX_CENTS, PricePathError

__all__ = ["PathSpecError", "days", "decimal", "dollars", "number", "seconds", "target"]


class PathSpecError(PricePathError):
    """A market spec is refused (fields: spec, problem, and as relevant key, value, known, path, line)."""

    def describe(self) -> str:
        return f"market spec {self.fields.get('spec')!r}: {self.fields.get('problem')}"


def decimal(spec: str, key: str, value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise PathSpecError(spec=spec, key=key, value=value, problem=f"{key}={value!r} is not a number")
    return number


def dollars(spec: str, key: str, value: str) -> int:
    """Whole cents from one cent to MAX_CENTS ($10 trillion, the most a path's price reaches)."""
    number = decimal(spec, key, value).scaleb(2)
    if number > MAX_CENTS:
        raise PathSpecError(spec=spec, key=key, value=value,
                            problem=f"{key}={value!r} is above ${MAX_CENTS // 100:,}, the highest price a path takes")
    cents = int(number.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    if cents <= 0:
        raise PathSpecError(spec=spec, key=key, value=value, problem=f"{key}={value!r} must be at least one cent")
    return cents


def target(spec: str, value: str, s0: int) -> int:
    """Dollars, or a move from the start price in percent (`-40%`)."""
    if not value.endswith("%"):
        return dollars(spec, "target", value)
    pct = decimal(spec, "target", value[:-1])
    if pct <= -100:
        raise PathSpecError(spec=spec, key="target", value=value, problem=f"target={value!r} must be above -100%")
    cents = s0 * (1 + pct / 100)
    if cents > MAX_CENTS:
        raise PathSpecError(spec=spec, key="target", value=value,
                            problem=f"target={value!r} is above ${MAX_CENTS // 100:,}, the highest price a path takes")
    return max(1, int(cents.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)))


def number(spec: str, key: str, value: str, low: float | None = None, high: float | None = None) -> float:
    number = decimal(spec, key, value)
    if low is not None and number < low:
        raise PathSpecError(spec=spec, key=key, value=value, problem=f"{key}={value!r} must be at least {low:g}")
    if high is not None and number > high:
        raise PathSpecError(spec=spec, key=key, value=value, problem=f"{key}={value!r} must be at most {high:g}")
    return float(number)


MAX_SPAN_DAYS = 36_525
"""A century: past any run's horizon (`days` and `lead_days` at most 3,650 and 366). A `dt` or
bridge `days` of 1e30 passed and ended the run, its directory made, in a TypeError traceback: the
path's description no longer fitted the journal's 64-bit integers."""


def seconds(spec: str, key: str, value: str) -> int:
    number = decimal(spec, key, value)
    if number != number.to_integral_value() or number <= 0 or number > MAX_SPAN_DAYS * DAY:
        raise PathSpecError(spec=spec, key=key, value=value,
                            problem=f"{key}={value!r} must be a whole number of seconds from 1 to "
                                    f"{MAX_SPAN_DAYS * DAY:,} (a century)")
    return int(number)


def days(spec: str, value: str) -> Decimal:
    days = decimal(spec, "days", value)
    if days * DAY < 1 or days > MAX_SPAN_DAYS:
        raise PathSpecError(spec=spec, key="days", value=value,
                            problem=f"days={value!r} must be positive and at most {MAX_SPAN_DAYS:,} (a century)")
    return days

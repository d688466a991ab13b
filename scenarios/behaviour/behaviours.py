"""What a borrower in a stress run does when called or when an obligation falls due (`Behaviour`),
with the range checks shared with the liquidation desk's settings."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import attrs

from engine.kernel.errors import EngineError

__all__ = ["Behaviour", "InvalidBorrowerBehaviour", "NeverPay", "PayLate", "RepayEarly", "TopUp", "exact", "number"]


class InvalidBorrowerBehaviour(EngineError):
    """A borrower behaviour setting is out of range (fields: field, value, problem)."""

def number(error: type[EngineError], name: str, value: object, low: float, high: float = math.inf, *,
            low_open: bool = False, high_open: bool = True, whole: bool = False) -> None:
    """Refuse anything but a finite int/float/Decimal between `low` and `high` (ends as flagged)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or not math.isfinite(value):
        raise error(field=name, value=value, problem="must be a finite number")
    if whole and not isinstance(value, int):
        raise error(field=name, value=value, problem="must be a whole number")
    if value < low or (low_open and value == low) or value > high or (high_open and value == high):
        bounds = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise error(field=name, value=value, problem=f"must be in {bounds}")


def exact(value: float | Decimal) -> Fraction:
    """The decimal the caller wrote (0.1 is one tenth, not its binary neighbour)."""
    return Fraction(str(value))


def _within(low: float, high: float = math.inf, *, low_open: bool = False, high_open: bool = True):
    def check(_: object, attribute: attrs.Attribute, value: object) -> None:
        number(InvalidBorrowerBehaviour, attribute.name, value, low, high, low_open=low_open, high_open=high_open)
    return check


@attrs.frozen
class TopUp:
    """Called: with `probability`, posts collateral up to `target_cvl` within the window; pays when due."""

    probability: float = attrs.field(validator=_within(0, 1, high_open=False))
    cure_window_hours: float = attrs.field(default=72, validator=_within(0, low_open=True))
    target_cvl: Decimal = attrs.field(default=Decimal(150), validator=_within(0, low_open=True))


@attrs.frozen
class RepayEarly:
    """Called: repays `fraction` of the outstanding `after_hours` later (cash is slow); pays when due."""

    fraction: float = attrs.field(validator=_within(0, 1, high_open=False))
    after_hours: float = attrs.field(default=24, validator=_within(0))


@attrs.frozen
class PayLate:
    """Ignores margin calls; pays each obligation `days` after it falls due."""

    days: int = attrs.field(validator=_within(0))


@attrs.frozen
class NeverPay:
    """Ignores margin calls and never pays."""


Behaviour = TopUp | RepayEarly | PayLate | NeverPay

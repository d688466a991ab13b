"""Facility terms (`TermValues`, Lana's field names) with their validation (Lana: core/credit/terms/src/value.rs).

Percentages are `Decimal` percent (12 means 12 %). A proposal copies the terms by value.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from domains.credit.errors import InvalidTerms

__all__ = ["DisbursalPolicy", "InterestInterval", "TermValues", "std_terms"]


class InterestInterval(str, enum.Enum):
    END_OF_DAY = "end_of_day"
    END_OF_MONTH = "end_of_month"


class DisbursalPolicy(str, enum.Enum):
    SINGLE = "single_disbursal"
    MULTIPLE = "multiple_disbursal"


Validator = Callable[[object, 'attrs.Attribute[Any]', object], None]  # an attrs field validator

# Bounds of what a run can schedule and post (Lana takes any u32 months or u64 days, and panics past
# its calendar): a maturity, cycle or obligation date beyond year 9999, or an interest or fee amount
# beyond 64 bits, failed inside the activation's reaction (ReactionFailed with a ValueError or an
# OverflowError) with the facility left pending, or in `lanasim import` as a traceback.
MAX_DURATION_MONTHS = 1200  # a hundred years
MAX_TERM_DAYS = 36_600  # a hundred years, as one `sim.advance` moves at most
MAX_ANNUAL_RATE = Decimal(1000)  # %: a cycle's interest on the largest facility stays a ledger amount
MAX_FEE_RATE = Decimal(100)  # %: a structuring fee of at most the amount the facility pays out


def _pct(name: str, minimum: Decimal, strict: bool = False, maximum: Decimal | None = None) -> Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, (int, float, str)) and not isinstance(value, bool) and _number(value):
            # `std_terms(margin_call_cvl=130)` read "must be a Decimal > 0" of a 130 that is above 0
            raise InvalidTerms(field=name, value=value,
                               problem=f"must be a Decimal, not {type(value).__name__}: Decimal('{value}')")
        if not isinstance(value, Decimal) or not value.is_finite() or value < minimum or (strict and value == minimum):
            raise InvalidTerms(field=name, value=value,
                               problem=f"must be a Decimal {'>' if strict else '>='} {minimum}")
        if maximum is not None and value > maximum:
            raise InvalidTerms(field=name, value=value, problem=f"must be at most {maximum} (%)")
    return check


def _number(value: int | float | str) -> bool:
    """Whether `value` reads as a finite number, so that Decimal('value') is the fix to suggest."""
    try:
        return Decimal(str(value)).is_finite()
    except ArithmeticError:
        return False


def _days(name: str, optional: bool) -> Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if type(value) is not int or not 0 <= value <= MAX_TERM_DAYS:
            raise InvalidTerms(field=name, value=value, problem=f"must be a whole number of days, 0 to {MAX_TERM_DAYS}")
    return check


def _member(kind: type[enum.Enum]) -> Validator:
    """One of `kind`'s members, not its text: a `str` enum's value compares equal to its member but
    fails the identity checks the rules make (`is DisbursalPolicy.SINGLE`)."""
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidTerms(field=attribute.name, value=value,
                               problem="must be " + " or ".join(f"{kind.__name__}.{m.name}" for m in kind))
    return check


def _months(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 0 < value <= MAX_DURATION_MONTHS:
        raise InvalidTerms(field="duration", value=value,
                           problem=f"must be a whole number of months, 1 to {MAX_DURATION_MONTHS}")


@attrs.frozen
class TermValues:
    """Lana's `TermValues`. Invariant: initial_cvl > margin_call_cvl > liquidation_cvl. Bounded where a
    run could not schedule or post them (`InvalidTerms` otherwise): duration 1-1200 months, each day
    count 0-36,600, annual_rate at most 1,000 %, one_time_fee_rate at most 100 %."""

    annual_rate: Decimal = attrs.field(validator=_pct("annual_rate", Decimal(0), maximum=MAX_ANNUAL_RATE))
    duration: int = attrs.field(validator=_months)  # months
    initial_cvl: Decimal = attrs.field(validator=_pct("initial_cvl", Decimal(0), strict=True))
    margin_call_cvl: Decimal = attrs.field(validator=_pct("margin_call_cvl", Decimal(0), strict=True))
    liquidation_cvl: Decimal = attrs.field(validator=_pct("liquidation_cvl", Decimal(0), strict=True))
    one_time_fee_rate: Decimal = attrs.field(default=Decimal(0), validator=_pct("one_time_fee_rate", Decimal(0),
                                                                                        maximum=MAX_FEE_RATE))
    accrual_interval: InterestInterval = attrs.field(
        default=InterestInterval.END_OF_DAY, validator=_member(InterestInterval))
    accrual_cycle_interval: InterestInterval = attrs.field(
        default=InterestInterval.END_OF_MONTH, validator=_member(InterestInterval))
    interest_due_duration_from_accrual: int = attrs.field(
        default=0, validator=_days("interest_due_duration_from_accrual", False))
    obligation_overdue_duration_from_due: int | None = attrs.field(
        default=None, validator=_days("obligation_overdue_duration_from_due", True))
    obligation_liquidation_duration_from_due: int | None = attrs.field(
        default=None, validator=_days("obligation_liquidation_duration_from_due", True))
    obligation_defaulted_duration_from_due: int | None = attrs.field(
        default=None, validator=_days("obligation_defaulted_duration_from_due", True))
    disbursal_policy: DisbursalPolicy = attrs.field(default=DisbursalPolicy.SINGLE, validator=_member(DisbursalPolicy))

    def __attrs_post_init__(self) -> None:
        if not self.initial_cvl > self.margin_call_cvl:
            raise InvalidTerms(field="margin_call_cvl", value=self.margin_call_cvl,
                               problem=f"must be below initial_cvl {self.initial_cvl} (MarginCallAboveInitialLimit)")
        if not self.margin_call_cvl > self.liquidation_cvl:
            raise InvalidTerms(field="liquidation_cvl", value=self.liquidation_cvl,
                               problem=f"must be below margin_call_cvl {self.margin_call_cvl}"
                                       " (MarginCallBelowLiquidationLimit)")

    @property
    def is_single_disbursal(self) -> bool:
        return self.disbursal_policy is DisbursalPolicy.SINGLE

    @property
    def long_term(self) -> bool:
        return self.duration > 12


def std_terms(**overrides: object) -> TermValues:
    """Lana's sim-bootstrap `std_terms`: 12 %, 3 months, CVL 140/125/105, fee 0.01 %, overdue after 50 days."""
    values: dict[str, Any] = dict(annual_rate=Decimal(12), duration=3, initial_cvl=Decimal(140),
                                  margin_call_cvl=Decimal(125), liquidation_cvl=Decimal(105),
                                  one_time_fee_rate=Decimal("0.01"), obligation_overdue_duration_from_due=50)
    values.update(overrides)
    return TermValues(**values)

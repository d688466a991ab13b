"""The bank's credit arithmetic, exactly as Lana computes it (Lana: core/credit/terms/src/value.rs,
core/credit/terms/src/cvl.rs; core/credit/terms/src/value.rs; core/credit/terms/src/cvl.rs;
core/credit/src/credit_facility/interest_accrual_cycle/entity.rs; core/credit/collateral/src/liquidation/payment.rs)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal

from domains.money import ceil_cents, cents_to_sats_up, sats_to_cents_down, trunc2

__all__ = ["INFINITE", "add_months", "cvl", "interest_for_period", "liquidation_amounts", "one_time_fee"]

INFINITE = None  # CVL with nothing outstanding (Lana's `CVLPct::Infinite`)


def interest_for_period(principal_cents: int, days: int, annual_rate: Decimal) -> int:
    """`ceil_to_cent(principal × days × rate% / 365)`: each accrual is rounded up on its own.
    `principal × days` is an exact int product (the same Decimal as multiplying in Decimal, one
    Decimal operation fewer); the divisor is built once."""
    return ceil_cents(Decimal(principal_cents * days) * annual_rate / _PERCENT_DAYS)


_PERCENT_DAYS = Decimal(100 * 365)


def one_time_fee(amount_cents: int, fee_rate: Decimal) -> int:
    """Structuring fee `amount × pct / 100`, rounded up to the cent."""
    return ceil_cents(Decimal(amount_cents) * fee_rate / 100)


def cvl(collateral_sats: int, outstanding_cents: int, cents_per_btc: int) -> Decimal | None:
    """CVL %: 0 without collateral value (even with nothing owed); INFINITE (None) with nothing
    owed; else `trunc2(value / outstanding) × 100` — whole-percent granularity."""
    value = sats_to_cents_down(collateral_sats, cents_per_btc)
    if value == 0:
        return Decimal(0)
    if outstanding_cents == 0:
        return INFINITE
    return trunc2(Decimal(value) / Decimal(outstanding_cents)) * 100


def add_months(moment: datetime | date, months: int) -> date:
    """Calendar-month addition clamped to the month end (chrono's rule): Jan 31 + 1 -> Feb 29/28."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(moment.day, calendar.monthrange(year, month)[1]))


def liquidation_amounts(outstanding_cents: int, collateral_sats: int, cents_per_btc: int,
                        initial_cvl: Decimal) -> tuple[int, int]:
    """(to_receive cents, to_liquidate sats) restoring the initial CVL after selling X and repaying X:
    to_receive = max(0, (O·r − C)/(r − 1)) rounded up to the cent; sats rounded up at the price.

    FIX of Lana's bug (Lana: core/credit/collateral/src/liquidation/payment.rs, `calculate_optimal_payment`
    divides by r − 1 unchecked, and its terms accept an initial CVL of 100 %): at r = 1 it panics.
    Here that is (0, 0), what the rule gives for every initial CVL below 100 %: a facility under its
    liquidation CVL (below 100 % then) only falls further from it by selling at par and repaying."""
    r = initial_cvl / 100
    if r == 1:
        return 0, 0
    value = sats_to_cents_down(collateral_sats, cents_per_btc)
    to_receive = max(0, ceil_cents((Decimal(outstanding_cents) * r - value) / (r - 1)))
    return to_receive, cents_to_sats_up(to_receive, cents_per_btc)

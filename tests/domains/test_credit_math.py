"""The credit arithmetic: Lana's rounding rules, CVL, hysteresis, periods and month arithmetic."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domains.credit import (
    INFINITE,
    InterestInterval,
    InvalidTerms,
    add_months,
    cvl,
    first_period,
    interest_for_period,
    liquidation_amounts,
    next_period,
    one_time_fee,
    std_terms,
    truncate,
)
from domains.credit.collateral import CollateralizationState as S
from domains.credit.collateral import classify, next_state
from domains.money import cents_to_sats_up, sats_to_cents_down

TERMS = std_terms()
rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(40), places=2)


@given(principal=st.integers(1, 10**12), days=st.integers(1, 31), rate=rates)
def test_interest_is_the_exact_amount_rounded_up_to_the_cent(principal, days, rate):
    exact = Decimal(principal) * days * rate / Decimal(36500)
    cents = interest_for_period(principal, days, rate)
    assert cents - 1 < exact <= cents


def test_lanas_canonical_daily_accrual_examples():
    assert interest_for_period(1_000_000_000, 1, Decimal(12)) == 328_768  # $10M x 12% / 365 = $3,287.67 -> up
    assert interest_for_period(100, 1, Decimal(12)) == 1  # a fraction of a cent is a whole cent
    assert interest_for_period(0, 1, Decimal(12)) == 0
    assert one_time_fee(1_000_000_000, Decimal("0.01")) == 100_000
    assert one_time_fee(333, Decimal(1)) == 4


@given(sats=st.integers(0, 10**12), price=st.integers(1, 10**10))
def test_sats_round_down_to_cents_and_cents_round_up_to_sats(sats, price):
    cents = sats_to_cents_down(sats, price)
    assert cents * 10**8 <= sats * price < (cents + 1) * 10**8
    back = cents_to_sats_up(cents, price)
    assert back * price >= cents * 10**8 and (back - 1) * price < cents * 10**8


def test_cvl_is_truncated_to_whole_percents_and_has_lanas_edge_cases():
    assert cvl(100_000_000, 5_000_000, 6_250_000) == Decimal(125)  # 1 BTC vs $50k at $62.5k
    assert cvl(100_000_000, 5_000_000, 6_249_999) == Decimal(124)  # 124.99.. truncates
    assert cvl(0, 0, 6_250_000) == 0  # no collateral value wins over nothing owed
    assert cvl(1, 0, 6_250_000) == 0  # 1 sat is worth 0.06 cents: rounded down to no value at all
    assert cvl(1_000, 0, 6_250_000) is INFINITE


@pytest.mark.parametrize("value, last, expected", [
    (Decimal(126), S.UNDER_MARGIN_CALL_THRESHOLD, None),  # 126 <= 125 + 5: stays in the margin call
    (Decimal(130), S.UNDER_MARGIN_CALL_THRESHOLD, None),  # needs strictly more than 130
    (Decimal(131), S.UNDER_MARGIN_CALL_THRESHOLD, S.FULLY_COLLATERALIZED),
    (Decimal(126), S.UNDER_LIQUIDATION_THRESHOLD, S.FULLY_COLLATERALIZED),  # leaving liquidation is never blocked
    (Decimal(124), S.FULLY_COLLATERALIZED, S.UNDER_MARGIN_CALL_THRESHOLD),
    (Decimal(104), S.UNDER_MARGIN_CALL_THRESHOLD, S.UNDER_LIQUIDATION_THRESHOLD),
    (INFINITE, S.FULLY_COLLATERALIZED, S.NO_EXPOSURE),
    (Decimal(0), S.FULLY_COLLATERALIZED, S.NO_COLLATERAL),
    (Decimal(140), S.FULLY_COLLATERALIZED, None),
])
def test_collateralization_hysteresis(value, last, expected):
    assert next_state(value, last, TERMS) is expected


@given(value=st.decimals(min_value=0, max_value=500, places=0))
def test_classification_is_monotonic_in_cvl(value):
    order = [S.NO_COLLATERAL, S.UNDER_LIQUIDATION_THRESHOLD, S.UNDER_MARGIN_CALL_THRESHOLD, S.FULLY_COLLATERALIZED]
    lower = classify(value, TERMS)
    higher = classify(value + 1, TERMS)
    assert order.index(higher) >= order.index(lower) or lower is S.NO_COLLATERAL


@pytest.mark.parametrize("start, months, expected", [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year clamp
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)),
    (date(2024, 3, 15), 12, date(2025, 3, 15)),
])
def test_maturity_adds_calendar_months_clamped_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), months=st.integers(1, 36))
def test_monthly_cycles_cover_every_day_once_up_to_maturity(start, months):
    maturity = add_months(start, months)
    period, covered = truncate(first_period(InterestInterval.END_OF_MONTH, start), maturity), 0
    while period is not None:
        assert period.start.month == period.end.month and period.days >= 1
        covered += period.days
        period = truncate(next_period(InterestInterval.END_OF_MONTH, period), maturity)
    assert covered == (maturity - start).days + 1  # activation day and maturity day both charged


def test_partial_liquidation_restores_the_initial_cvl():
    outstanding, collateral, price = 5_000_000_00, 1_000_000_000, 5_000_000  # $5M owed, 10 BTC at $50k
    to_receive, to_sell = liquidation_amounts(outstanding, collateral, price, Decimal(140))
    after = cvl(collateral - to_sell, outstanding - to_receive, price)
    assert to_receive > 0 and Decimal(139) <= after <= Decimal(141)
    assert liquidation_amounts(100, 10**10, price, Decimal(140)) == (0, 0)


def lana_optimal_payment(outstanding: int, sats: int, price: int, initial_cvl: Decimal) -> tuple[int, int]:
    """Lana's `calculate_optimal_payment` in exact arithmetic: the collateral value rounded down to
    the cent, max(0, (O·r − C)/(r − 1)) rounded away from zero to the cent, sats rounded up."""
    r = Fraction(initial_cvl) / 100
    value = sats * price // 100_000_000
    to_receive = math.ceil(max(Fraction(0), (outstanding * r - value) / (r - 1)))
    return to_receive, math.ceil(Fraction(to_receive * 100_000_000, price))


def test_lana_s_own_example_sizes_the_same():
    """Lana's payment.rs tests: $50,000 owed on 1 BTC at $62,500, back to 140 %: $18,750 for 0.3 BTC."""
    assert liquidation_amounts(5_000_000, 100_000_000, 6_250_000, Decimal(140)) == (1_875_000, 30_000_000)


@given(outstanding=st.integers(1, 10**15), sats=st.integers(0, 21 * 10**14), price=st.integers(1, 10**12),
       initial_cvl=st.integers(10_001, 100_000).map(lambda hundredths: Decimal(hundredths) / 100))
def test_partial_liquidation_sizes_to_the_cent_and_the_sat_as_lana(outstanding, sats, price, initial_cvl):
    assert liquidation_amounts(outstanding, sats, price, initial_cvl) == \
        lana_optimal_payment(outstanding, sats, price, initial_cvl)


@pytest.mark.parametrize("initial_cvl", [Decimal(100), Decimal("99.99"), Decimal(90)])
def test_an_initial_cvl_of_100_or_less_sizes_no_sale_under_the_liquidation_cvl(initial_cvl):
    """At 100 % Lana divides by zero; below it its rule gives nothing: selling at par and repaying
    only lowers a CVL under 100 %."""
    assert liquidation_amounts(100_000_00, 100_000_000, 7_000_000, initial_cvl) == (0, 0)


@pytest.mark.parametrize("overrides, field", [
    ({"margin_call_cvl": Decimal(150)}, "margin_call_cvl"),
    ({"liquidation_cvl": Decimal(130)}, "liquidation_cvl"),
    ({"annual_rate": Decimal(-1)}, "annual_rate"),
    ({"duration": 0}, "duration"),
    ({"obligation_overdue_duration_from_due": -3}, "obligation_overdue_duration_from_due"),
    ({"initial_cvl": 140.0}, "initial_cvl"),
    ({"disbursal_policy": "single_disbursal"}, "disbursal_policy"),  # the text is not the member: `is` fails
    ({"accrual_interval": "banana"}, "accrual_interval"),
    ({"accrual_cycle_interval": "end_of_month"}, "accrual_cycle_interval"),
])
def test_invalid_terms_are_typed_errors_naming_the_field(overrides, field):
    with pytest.raises(InvalidTerms) as err:
        std_terms(**overrides)
    assert err.value.field == field


def test_a_day_period_is_one_day():
    period = first_period(InterestInterval.END_OF_DAY, date(2024, 2, 28))
    assert period.days == 1 and next_period(InterestInterval.END_OF_DAY, period).start == date(2024, 2, 29)
    assert truncate(period, date(2024, 2, 27)) is None

"""The cycle an imported facility is in on its import day is the one the facility itself would have
reached running its cycles one after another (`first_cycle`, then `next_cycle` until maturity)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domains.credit import std_terms
from domains.credit.facility.cycle import AccrualCycle, cycle_periods_at, first_cycle, next_cycle
from domains.credit.math import add_months
from domains.credit.terms import InterestInterval


def ran(interval: InterestInterval, activated: date, maturity: date, day: date) -> tuple[int, object, object]:
    """(idx, previous period, period) of the cycle containing `day`, cycles run one after another."""
    terms = std_terms(accrual_cycle_interval=interval)
    previous: AccrualCycle | None = None
    cycle: AccrualCycle | None = first_cycle("f", terms, activated, maturity)
    while cycle is not None and cycle.period.end < day:
        previous, cycle = cycle, next_cycle("f", terms, cycle, maturity)
    idx = cycle.idx if cycle is not None else previous.idx + 1  # type: ignore[union-attr]
    return idx, None if previous is None else previous.period, None if cycle is None else cycle.period


@pytest.mark.parametrize("interval", list(InterestInterval))
@pytest.mark.parametrize("activated", [date(2024, 1, 1), date(2024, 1, 31), date(2023, 12, 15), date(2024, 2, 29)])
def test_the_cycle_on_a_day_is_the_one_the_facility_reaches_running_its_cycles(interval, activated):
    months = 1 if interval is InterestInterval.END_OF_DAY else 13
    maturity = add_months(activated, months)
    for offset in range(-3, (maturity - activated).days + 40):
        day = activated + timedelta(days=offset)
        assert cycle_periods_at(interval, activated, maturity, day) == ran(interval, activated, maturity, day), day

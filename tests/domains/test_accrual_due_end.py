"""The day end picks the cycles that owe an accrual by the end of the period owed (`accrual_due_end`,
which builds no period) and posts those whose period ends their cycle (`ends_cycle`): the same
cycles and the same postings as the period the accrual's command builds (`next_accrual`), for daily
and monthly accruals."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from domains.credit import InterestInterval, Period, std_terms
from domains.credit.facility import InterestAccrualCycle, accrual_due_end, ends_cycle


def cycles(interval: InterestInterval) -> list[InterestAccrualCycle]:
    """A cycle over Jan 10 - Mar 5 (cut at maturity) at every point of its accrual: nothing accrued,
    accrued through each day, fully accrued, and posted."""
    terms = std_terms(accrual_interval=interval)
    base = InterestAccrualCycle("c-1", "f-1", 1, Period(date(2024, 1, 10), date(2024, 3, 5)), date(2024, 3, 5), terms)
    through = [date(2024, 1, 10) + timedelta(days=n) for n in range(56)]
    month_ends = [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 5)]
    states = [base, *(attrs.evolve(base, accrued_through=d) for d in through + month_ends)]
    return [*states, *(attrs.evolve(s, posted=True) for s in states)]


@pytest.mark.parametrize("interval", [InterestInterval.END_OF_DAY, InterestInterval.END_OF_MONTH])
def test_the_end_of_the_period_owed_is_that_of_the_period_the_accrual_builds(interval):
    days = [date(2024, 1, 9) + timedelta(days=n) for n in range(60)]
    for c in cycles(interval):
        period = None if c.posted else c.next_accrual()  # what AccrueInterest accrues
        for day in days:
            owed = period if period is not None and period.end <= day else None
            end = accrual_due_end(c, day)
            assert end == (None if owed is None else owed.end), (c, day)
            if owed is not None:
                assert ends_cycle(c, end) == (owed.end == c.period.end)


def test_the_last_day_of_the_cycle_ends_it_and_no_earlier_day_does():
    c = cycles(InterestInterval.END_OF_DAY)[0]
    assert accrual_due_end(attrs.evolve(c, accrued_through=date(2024, 3, 4)), date(2024, 3, 9)) == date(2024, 3, 5)
    assert ends_cycle(c, date(2024, 3, 5)) and not ends_cycle(c, date(2024, 3, 4))
    assert accrual_due_end(attrs.evolve(c, accrued_through=date(2024, 3, 5)), date(2024, 3, 9)) is None

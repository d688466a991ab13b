"""Accrual periods and cycles (Lana: core/credit/src/credit_facility/interest_accrual_cycle/entity.rs): day/month
periods, truncation at maturity, day counts."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import attrs

from domains.credit.terms import InterestInterval

__all__ = ["Period", "end_of_period", "first_period", "next_period", "truncate"]


@attrs.frozen
class Period:
    """Calendar days [start, end], both charged (a partial first day counts as a full day)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


_END_OF_DAY = InterestInterval.END_OF_DAY  # a module constant: an Enum attribute read is a descriptor call


def end_of_period(interval: InterestInterval, day: date) -> date:
    """The last day of the calendar period of `interval` (a day, a month) containing `day`."""
    if interval is _END_OF_DAY:
        return day
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def first_period(interval: InterestInterval, start: date) -> Period:
    return Period(start, end_of_period(interval, start))


def next_period(interval: InterestInterval, previous: Period) -> Period:
    start = previous.end + timedelta(days=1)
    return Period(start, end_of_period(interval, start))


def truncate(period: Period, latest_end: date) -> Period | None:
    """The period cut at `latest_end` (inclusive); None if it starts after it."""
    if period.start > latest_end:
        return None
    return Period(period.start, min(period.end, latest_end))

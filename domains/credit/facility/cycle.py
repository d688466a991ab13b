"""Interest accrual cycles (Lana: core/credit/src/credit_facility/interest_accrual_cycle/entity.rs): a cycle is a
posting period truncated at maturity; inside
it, accrual periods are truncated at the cycle's last day, so the maturity day is charged too."""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from domains.credit.periods import Period, end_of_period, first_period, next_period, truncate
from domains.credit.terms import InterestInterval, TermValues

__all__ = ["AccrualCycle", "cycle_id", "cycle_periods_at", "first_cycle", "next_accrual", "next_cycle",
           "next_period_end", "posting_tx_id"]


@attrs.frozen
class AccrualCycle:
    """The facility's cycle in progress as the facility knows it: which one, over which period.
    Its accruals live in the cycle's own aggregate (`accrual_cycle`)."""

    id: str
    idx: int
    period: Period


def first_cycle(facility_id: str, terms: TermValues, activated: date, maturity: date) -> AccrualCycle:
    """Cycle 1 starts on the activation day."""
    return AccrualCycle(cycle_id(facility_id, 1), 1, _first(terms.accrual_cycle_interval, activated, maturity))


def _first(interval: InterestInterval, activated: date, maturity: date) -> Period:
    return Period(activated, min(end_of_period(interval, activated), maturity))


def cycle_periods_at(interval: InterestInterval, activated: date, maturity: date,
                     day: date) -> tuple[int, Period | None, Period | None]:
    """(idx, period) of the cycle containing `day` (None after maturity) as `first_cycle` and
    `next_cycle` run them, with the period of the cycle before it (None for the first): worked out
    from the calendar, ~6 us, rather than walked period by period (~22 us for a year-long facility,
    which needed a module-level memo; an import asks about three times a facility)."""
    first = _first(interval, activated, maturity)
    if day <= first.end:
        return 1, None, first
    if day > maturity:  # every cycle has ended: the last is the one containing maturity
        idx, _, last = cycle_periods_at(interval, activated, maturity, maturity)
        return idx + 1, last, None
    start = _start_of(interval, day)
    before = start - _ONE_DAY  # the previous cycle's last day: a whole period, maturity is later
    previous = first if before <= first.end else Period(_start_of(interval, before), before)
    return 1 + _periods_between(interval, activated, start), previous, Period(start, min(end_of_period(interval, start),
                                                                                         maturity))


def _start_of(interval: InterestInterval, day: date) -> date:
    """The first day of the calendar period of `interval` containing `day`."""
    return day if interval is _END_OF_DAY else day.replace(day=1)


def _periods_between(interval: InterestInterval, first: date, later: date) -> int:
    """How many calendar periods of `interval` start after the one containing `first`, up to `later`."""
    if interval is _END_OF_DAY:
        return (later - first).days
    return (later.year - first.year) * 12 + later.month - first.month


def next_cycle(facility_id: str, terms: TermValues, previous: AccrualCycle, maturity: date) -> AccrualCycle | None:
    """The cycle after `previous`, or None when it would start after maturity."""
    period = truncate(next_period(terms.accrual_cycle_interval, previous.period), maturity)
    return None if period is None else AccrualCycle(cycle_id(facility_id, previous.idx + 1), previous.idx + 1, period)


def next_accrual(cycle: Period, accrued_through: date | None, terms: TermValues) -> Period | None:
    """The next accrual period of a cycle over `cycle` accrued up to `accrued_through` (None:
    nothing yet), or None when every period is accrued."""
    if terms.accrual_interval is _END_OF_DAY:
        day = cycle.start if accrued_through is None else accrued_through + _ONE_DAY
        return Period(day, day) if day <= cycle.end else None
    if accrued_through is None:
        return truncate(first_period(terms.accrual_interval, cycle.start), cycle.end)
    return truncate(next_period(terms.accrual_interval, Period(cycle.start, accrued_through)), cycle.end)


def next_period_end(cycle: Period, accrued_through: date | None, terms: TermValues) -> date | None:
    """The end of `next_accrual(cycle, accrued_through, terms)` (None when every period is accrued),
    without building a daily period: the day end asks it of every cycle in progress, every day."""
    if terms.accrual_interval is _END_OF_DAY:
        day = cycle.start if accrued_through is None else accrued_through + _ONE_DAY
        return day if day <= cycle.end else None
    period = next_accrual(cycle, accrued_through, terms)
    return None if period is None else period.end


_ONE_DAY = timedelta(days=1)
_END_OF_DAY = InterestInterval.END_OF_DAY  # a module constant: an Enum attribute read is a descriptor call


def posting_tx_id(facility_id: str, idx: int) -> str:
    """Lana's tx ref of a cycle's posting: `<facility_id>-interest-accrual-cycle-<idx>`."""
    return f"{facility_id}-interest-accrual-cycle-{idx}"


def cycle_id(facility_id: str, idx: int) -> str:
    """The id of a facility's `idx`-th accrual cycle."""
    return f"{facility_id}-cycle-{idx}"

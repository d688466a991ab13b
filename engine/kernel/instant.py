"""Instants as the clock reads them: UTC datetimes from ISO text, dates or datetimes, and the years
a simulation may start in.

Apart from the clock (`engine.kernel.clock`, which re-exports these names) so that reading an
instant (`lanasim fork --at`, `show --as-of`) does not import simpy and its package metadata.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from engine.kernel.errors import NOT_ISO, InvalidArgument, InvalidInstant, StartOutOfRange

__all__ = ["EARLIEST_START", "LATEST_INSTANT", "LATEST_START", "OUT_OF_CALENDAR", "check_start", "parse_instant",
           "utc_day", "whole_second"]

EARLIEST_START = datetime(1000, 1, 1, tzinfo=UTC)  # journal rows carry four-digit years
LATEST_START = datetime(8999, 12, 31, 23, 59, 59, tzinfo=UTC)  # over 1,000 years left for what a run schedules
# The clock moves no later: 200 years are left for what a run schedules from there (a facility's term,
# up to 100 years, then its obligations' day counts, up to 100 more); past it, the next end of day or
# a deposit account's alarm overflowed Python's calendar (OverflowError from inside a command).
LATEST_INSTANT = datetime(9799, 12, 31, 23, 59, 59, tzinfo=UTC)
OUT_OF_CALENDAR = "outside the years 1 to 9999 once converted to UTC"  # InvalidInstant's problem


def parse_instant(value: str | date | datetime) -> datetime:
    """A UTC datetime from an ISO string, a date (midnight UTC) or an aware/naive datetime; text
    that is none is `InvalidInstant` (its problem: no ISO-8601 shape, or the field out of range)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            shapeless = str(exc).startswith("Invalid isoformat")
            raise InvalidInstant(value=value, problem=NOT_ISO if shapeless else str(exc)) from None
    elif not isinstance(value, date):  # 5, None, a float: no instant (a datetime is a date)
        raise InvalidArgument(argument="instant", value=value,
                              problem="an instant is an ISO-8601 string, a date or a datetime")
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00:00-05:00: a real text, no instant of the calendar
        raise InvalidInstant(value=value if isinstance(value, str) else value.isoformat(),
                             problem=OUT_OF_CALENDAR) from None


def utc_day(value: object, argument: str) -> date:
    """The UTC day of a date, a datetime (naive: read as UTC) or ISO-8601 text, for an argument that
    names a day (`record_payment(effective=)`, a book's `as_of`): text that is no instant is
    `InvalidInstant`, any other value `InvalidArgument` naming `argument`. Without it such a value
    reached the range check and was refused as a day out of range (`PaymentDateOutOfRange` for "x")."""
    if not isinstance(value, (str, date)):
        raise InvalidArgument(argument=argument, value=value,
                              problem="not a date: a date, a datetime or ISO-8601 text (2024-06-01)")
    return parse_instant(value).date()


def check_start(value: str | date | datetime) -> datetime:
    """`value` as a UTC datetime if a simulation may start there (the years 1000 to 8999, both
    included), else `StartOutOfRange`; text that is no instant is `InvalidInstant`, as `parse_instant`."""
    try:
        start: datetime | None = parse_instant(value)
    except InvalidInstant as refused:  # an offset that moves the instant past year 9999 (or before year 1)
        if refused.fields.get("problem") != OUT_OF_CALENDAR:
            raise
        start = None
    if start is None or not EARLIEST_START <= start <= LATEST_START:
        raise StartOutOfRange(start=value.isoformat() if isinstance(value, (date, datetime)) else value,
                              earliest=EARLIEST_START.date().isoformat(), latest=LATEST_START.date().isoformat())
    return start


def whole_second(value: str | date | datetime) -> datetime:
    """`parse_instant(value)`, refused as `InvalidInstant` when it has a fraction of a second: the
    clock counts whole seconds, so an instant it is to move to, start at or run a job at would be
    silently cut to the second before (a job asked for 12:00:00.5 ran at 12:00:00). Reads `as_of`
    an instant take fractions: what stood then is what stood at its whole second."""
    instant = parse_instant(value)
    if instant.microsecond:
        raise InvalidInstant(value=value if isinstance(value, str) else instant.isoformat(),
                             problem="the clock counts whole seconds; this instant has a fraction of one")
    return instant

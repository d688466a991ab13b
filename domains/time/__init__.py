"""Time module: the end-of-day producer, publishing `EndOfDay{day}` once per closing day (Lana's
`core/time-events`); default closing 00:00 UTC, so `EndOfDay{D}` fires at D 00:00 (Lana: core/time-events/src/jobs/end_of_day.rs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

import attrs

from domains.aggregate import Aggregate, EventType, Public
from domains.time.schedule import DEFAULT_SCHEDULE, ClosingSchedule, InvalidClosingSchedule

__all__ = ["AGGREGATES", "CALENDAR", "Calendar", "ClosingSchedule", "DEFAULT_SCHEDULE", "EndOfDayRecorded",
           "InvalidClosingSchedule", "PRODUCER_ID", "RecordEndOfDay", "calendar"]

PRODUCER_ID = "end-of-day-producer"


@attrs.frozen
class EndOfDayRecorded:
    """The bank closed the books of `day`."""

    day: date


@attrs.frozen
class RecordEndOfDay:
    day: date


@attrs.frozen
class Calendar:
    last_day: date


def apply(state: Calendar | None, event: EndOfDayRecorded) -> Calendar:
    match event:
        case EndOfDayRecorded():
            return Calendar(event.day)
        case _:
            assert_never(event)


def decide(state: Calendar | None, command: RecordEndOfDay, at: datetime) -> tuple[EndOfDayRecorded, ...]:
    """Idempotent per day: a day at or before the last published one is already applied."""
    if state is not None and command.day <= state.last_day:
        return ()
    return (EndOfDayRecorded(command.day),)


def publish(state: Calendar, event: EndOfDayRecorded) -> tuple[Public, ...]:
    payload = {"day": event.day.isoformat(), "closing_time": f"{event.day.isoformat()}T00:00:00Z", "timezone": "UTC"}
    return (Public("Time", "EndOfDay", payload),)


CALENDAR = Aggregate(
    kind="calendar", events=(EventType(EndOfDayRecorded, "time.end-of-day-recorded"),), apply=apply, decide=decide,
    commands=(RecordEndOfDay,), creates=(RecordEndOfDay,), publish=publish, state=Calendar,
)
AGGREGATES = (CALENDAR,)


def calendar(schedule: ClosingSchedule = DEFAULT_SCHEDULE) -> Aggregate:
    """The calendar whose `EndOfDay` payload names the schedule's closing instant and time zone."""
    if schedule.is_default:
        return CALENDAR

    def publish_closing(state: Calendar, event: EndOfDayRecorded) -> tuple[Public, ...]:
        closing = schedule.closing_for_day(event.day).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload = {"day": event.day.isoformat(), "closing_time": closing, "timezone": schedule.timezone}
        return (Public("Time", "EndOfDay", payload),)

    return attrs.evolve(CALENDAR, publish=publish_closing)

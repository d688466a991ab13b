"""The closing schedule: at what local time, in which time zone, a business day ends (Lana's
`closing-time` and `timezone` domain configs; default 00:00 UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from domains.aggregate import Refusal

__all__ = ["ClosingSchedule", "DEFAULT_SCHEDULE", "InvalidClosingSchedule"]


class InvalidClosingSchedule(Refusal):
    """The closing time is not HH:MM or the time zone is not an IANA name (fields: closing_time,
    timezone, problem)."""


def _closing_time(value: object) -> time:
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise InvalidClosingSchedule(closing_time=value, problem="closing time must be HH:MM") from None


def _zone(instance: ClosingSchedule, attribute: attrs.Attribute, value: object) -> None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidClosingSchedule(timezone=value, problem="not an IANA time zone name") from None


@attrs.frozen
class ClosingSchedule:
    """Day D closes at D `closing_time` in `timezone` (Lana `core/time-events/src/closing_schedule.rs`:
    a local time that does not exist (DST gap) moves one hour later; an ambiguous one is the first)."""

    closing_time: time = attrs.field(default=time(0), converter=_closing_time)
    timezone: str = attrs.field(default="UTC", validator=_zone)

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_SCHEDULE

    def closing_for_day(self, day: date) -> datetime:
        """The UTC instant day `day` closes."""
        zone = ZoneInfo(self.timezone)
        local = datetime.combine(day, self.closing_time, zone)
        if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
            local = local + timedelta(hours=1)  # a DST gap: the wall time does not exist
        return local.astimezone(UTC)

    def next_closing(self, after: datetime) -> tuple[date, datetime]:
        """The first closing strictly after `after` (UTC): its business day and UTC instant."""
        day = after.astimezone(ZoneInfo(self.timezone)).date() - timedelta(days=1)
        while (instant := self.closing_for_day(day)) <= after:
            day += timedelta(days=1)
        return day, instant


DEFAULT_SCHEDULE = ClosingSchedule()

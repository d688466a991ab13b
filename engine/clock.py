"""Simulated time: a simpy environment counting whole seconds from a UTC start.

Nothing in lanasim reads the wall clock; `now` reaches domain code as an argument.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import simpy

from engine.errors import TimeInPast

__all__ = ["Clock", "parse_instant"]


def parse_instant(value: str | date | datetime) -> datetime:
    """A UTC datetime from an ISO string, a date (midnight UTC) or an aware/naive datetime."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise TimeInPast(now=None, target=value, problem="not an ISO-8601 date or datetime") from None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class Clock:
    """Sim time = `start` + `env.now` seconds; `iso` is cached per instant for journal rows."""

    def __init__(self, start: str | date | datetime) -> None:
        self.start = parse_instant(start).replace(microsecond=0)
        self.env = simpy.Environment()
        self._at = -1
        self._now = self.start
        self._iso = ""

    def _refresh(self) -> None:
        self._at = int(self.env.now)
        self._now = self.start + timedelta(seconds=self._at)
        self._iso = self._now.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def now(self) -> datetime:
        if self._at != self.env.now:
            self._refresh()
        return self._now

    @property
    def iso(self) -> str:
        if self._at != self.env.now:
            self._refresh()
        return self._iso

    def seconds_until(self, target: datetime) -> int:
        """Whole seconds from now to `target`; refuses a target in the past."""
        delta = (parse_instant(target) - self.now).total_seconds()
        if delta < 0:
            raise TimeInPast(now=self.iso, target=parse_instant(target).isoformat())
        return int(delta)

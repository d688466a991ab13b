"""Simulated time: a simpy environment counting whole seconds from a UTC start.

Nothing in lanasim reads the wall clock; `now` reaches domain code as an argument.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import IntEnum
from heapq import heappush

import simpy
from simpy.events import EventPriority

from engine.kernel.errors import InvalidArgument, TimeInPast
from engine.kernel.instant import (
    EARLIEST_START,
    LATEST_INSTANT,
    LATEST_START,
    OUT_OF_CALENDAR,
    check_start,
    parse_instant,
    whole_second,
)

__all__ = ["EARLIEST_START", "LATEST_INSTANT", "LATEST_START", "OUT_OF_CALENDAR", "Clock", "Job", "Jobs", "Priority",
           "check_start", "parse_instant", "whole_second"]

Job = Callable[[], object]  # scheduled work; a periodic job returning False stops repeating


class Clock:
    """Sim time = `start` + `env.now` seconds. `now` and `iso` (the text of journal rows) are plain
    attributes, read by every command: whatever moves the environment (`Jobs`, a reopened journal's
    `resume_clock`) calls `sync` after, and `Jobs` before each job, which runs at its event's time."""

    def __init__(self, start: str | date | datetime) -> None:
        self.start = check_start(start)
        whole_second(self.start)
        self.env = simpy.Environment()
        self._at = -1
        self.now = self.start
        self.iso = ""
        self.sync()

    def sync(self) -> None:
        """Bring `now` and `iso` to the environment's current second."""
        at = int(self.env.now)
        if at != self._at:
            self._at = at
            self.now = self.start + timedelta(seconds=at)
            self.iso = self.now.strftime("%Y-%m-%dT%H:%M:%SZ")

    def seconds_until(self, target: str | date | datetime) -> int:
        """Whole seconds from now to `target`; refuses a target in the past (`TimeInPast`) or after
        `LATEST_INSTANT` (`InvalidArgument`)."""
        instant = whole_second(target)
        delta = (instant - self.now).total_seconds()
        if delta < 0:
            raise TimeInPast(now=self.iso, target=instant.isoformat())
        if instant > LATEST_INSTANT:
            raise InvalidArgument(argument="when", value=target if isinstance(target, str) else instant.isoformat(),
                                  problem=f"after {LATEST_INSTANT.date().isoformat()}, the latest day a simulation's "
                                          "clock moves to (the years after it are kept for what a run schedules)")
        return int(delta)


class Priority(IntEnum):
    """Order of work within one instant (lower first), then insertion order (simpy's event counter)."""

    PRICE = 10
    LIQUIDATION = 30
    END_OF_DAY = 35
    OBLIGATIONS = 50
    CYCLE_POSTING = 55  # interest cycles post after obligations are current (Lana's AwaitObligationsSync)
    SCENARIO = 60

    @classmethod
    def of(cls, value: Priority | str) -> Priority:
        """`value` itself, or the member named by a string (`"end_of_day"`, as aggregates declare
        their alarm's priority); an unknown name raises `ValueError` listing the known ones."""
        if isinstance(value, Priority):
            return value
        try:
            return cls[str(value).upper()]
        except KeyError:
            known = ", ".join(p.name.lower() for p in cls)
            raise ValueError(f"unknown priority {value!r}; known: {known}") from None


class Jobs:
    """Work scheduled at a sim time: due work runs when the clock reaches it, in (time, priority,
    insertion) order; work scheduled in the past runs at once."""

    def __init__(self, clock: Clock, after_each: Callable[[], object],
                 busy: Callable[[], bool] = lambda: False) -> None:
        self.clock, self.env, self.after_each, self.busy = clock, clock.env, after_each, busy
        self.stepping = False
        self.running = 0  # jobs under way (a job's own calls run inside it): the clock is not moved then
        self._mine = threading.local()  # how many of them this thread is running (`own`)
        self.deferred: deque[Job] = deque()  # due now, asked for while a cascade was settling: run after it
        self._draining = False  # `run_deferred` is running them
        self.reached = -1  # the last target `run_until` processed every job up to

    def reserve(self) -> int:
        """A place in the insertion order, taken now, for one job `at(..., place=)` schedules later:
        it runs before every job of its time and priority scheduled after this call."""
        return next(self.env._eid)  # simpy's insertion counter

    def at(self, when: datetime | int, fn: Job, priority: Priority = Priority.SCENARIO,
           place: int | None = None) -> None:
        """Run `fn()` at `when` (a datetime or sim seconds); in the past or now: at once. `place`:
        a place `reserve` gave (at most one job waits in a place at a time)."""
        order = Priority.of(priority)
        t = when if isinstance(when, int) else int((whole_second(when) - self.clock.start).total_seconds())
        if t <= self.env.now and not self.stepping:
            if self.busy():
                self.deferred.append(fn)  # never nest a job inside the cascade that asked for it
            else:
                self._run(fn)
            return
        event = simpy.Event(self.env)
        event._ok, event._value = True, None
        event.callbacks.append(lambda _e: self._run(fn))
        if place is None:
            self.env.schedule(event, priority=EventPriority(int(order)), delay=max(0, t - int(self.env.now)))
        else:
            heappush(self.env._queue, (max(t, int(self.env.now)), EventPriority(int(order)), place, event))

    def every(self, seconds: int, fn: Job, priority: Priority, first: int | None = None) -> None:
        """Run `fn()` every `seconds` from sim second `first` (default: one period from now) until
        it returns False."""
        start = int(self.env.now) + seconds if first is None else first
        priority = Priority.of(priority)

        def tick() -> None:
            if fn() is not False:
                self.at(int(self.env.now) + seconds, tick, priority)

        self.at(start, tick, priority)

    def _run(self, fn: Job) -> None:
        self.clock.sync()  # a job runs at its event's time, which simpy set before calling it
        self.running += 1
        mine = self._mine
        depth = getattr(mine, "depth", 0)
        mine.depth = depth + 1
        try:
            fn()
        finally:
            self.running -= 1
            mine.depth = depth
        self.after_each()

    def own(self) -> bool:
        """Whether the calling thread is inside a job (threaded runtime: another thread's is not)."""
        return getattr(self._mine, "depth", 0) > 0

    def run_deferred(self) -> None:
        """Run the jobs deferred by the cascade that just settled, one after another (each settles in
        turn). A job's own commands settle too: their settle leaves the other deferred jobs to this
        loop rather than running the next one inside the job, which nested one Python frame stack per
        deferred job (a book of 5,000 facilities whose borrowers paid at one instant exceeded the
        recursion limit)."""
        if self._draining:
            return
        self._draining = True
        try:
            while self.deferred:
                self._run(self.deferred.popleft())
        finally:
            self._draining = False

    def run_until(self, target: int) -> None:
        """Process every event due at or before sim second `target`, then stand at `target`."""
        env = self.env
        self.stepping = True
        try:
            while env.peek() <= target:
                env.step()
        finally:
            self.stepping = False
        if env.now < target:
            env.run(until=target)
        self.clock.sync()
        self.reached = target  # every job up to it ran: not so when a job raised (a stop, a failure)

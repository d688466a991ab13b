"""Entities schedule their own wake-ups ("re-evaluate this obligation on its due date")."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from domains.aggregate import Aggregate, EventType
from engine import Simulation


@attrs.frozen
class Remind:
    at: datetime
    note: str


@attrs.frozen
class Ring:
    pass


@attrs.frozen
class ReminderSet:
    """A reminder was set for a time."""

    at: datetime
    note: str


@attrs.frozen
class Rang:
    """The reminder rang."""

    at: datetime


@attrs.frozen
class Reminder:
    at: datetime
    note: str
    rang_at: tuple[datetime, ...] = ()


def apply(state, event):
    match event:
        case ReminderSet():
            return Reminder(event.at, event.note, state.rang_at if state else ())
        case Rang():
            return attrs.evolve(state, rang_at=state.rang_at + (event.at,))


def decide(state, command, at):
    match command:
        case Remind():
            return (ReminderSet(command.at, command.note),)
        case Ring():
            return () if state.at in state.rang_at else (Rang(at),)


def alarm(state):
    return None if state.at in state.rang_at else (state.at, Ring())


REMINDER = Aggregate(kind="reminder", events=(EventType(ReminderSet, "test.reminder.set"), EventType(Rang, "test.reminder.rang")),
                     apply=apply, decide=decide, commands=(Remind, Ring), creates=(Remind,), state=Reminder,
                     alarm=alarm, alarm_priority="obligations")


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "j.sqlite")


def test_an_entity_is_woken_at_the_time_its_state_asks_for(path):
    with Simulation(seed=1, journal=path, aggregates=[REMINDER]) as sim:
        due = sim.now + timedelta(days=3, hours=5)
        sim.execute("reminder", "r", Remind(due, "pay"))
        sim.advance(days=3)
        assert sim.state("reminder", "r").rang_at == ()
        sim.advance(days=1)
        assert sim.state("reminder", "r").rang_at == (due,)


def test_moving_the_alarm_cancels_the_old_one(path):
    with Simulation(seed=1, journal=path, aggregates=[REMINDER]) as sim:
        sim.execute("reminder", "r", Remind(sim.now + timedelta(days=1), "pay"))
        later = sim.now + timedelta(days=2)
        sim.execute("reminder", "r", Remind(later, "pay later"))
        sim.advance(days=5)
        assert sim.state("reminder", "r").rang_at == (later,)


def test_an_alarm_in_the_past_rings_at_once(path):
    with Simulation(seed=1, journal=path, aggregates=[REMINDER]) as sim:
        sim.advance(days=1)
        sim.execute("reminder", "r", Remind(sim.now - timedelta(days=1), "late"))
        assert len(sim.state("reminder", "r").rang_at) == 1


def test_alarms_survive_reopening_the_journal(path):
    with Simulation(seed=1, journal=path, aggregates=[REMINDER]) as sim:
        due = sim.now + timedelta(days=10)
        sim.execute("reminder", "r", Remind(due, "pay"))
        sim.advance(days=1)
    with Simulation(seed=1, journal=path, aggregates=[REMINDER]) as again:
        again.advance(days=10)
        assert again.state("reminder", "r").rang_at == (due,)

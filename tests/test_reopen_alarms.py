"""A reopened journal's stored alarms ring as if the run had never stopped: same entities, same
instants, same order, also when an entity moves its alarm after the reopen."""

from __future__ import annotations

from datetime import timedelta

from engine import Simulation
from tests.test_alarms import REMINDER, Remind


def _reminders(sim: Simulation) -> None:
    """Three reminders on day 5 and two on day 8, set out of id order, then two days of time."""
    day5, day8 = sim.now + timedelta(days=5), sim.now + timedelta(days=8)
    for entity_id, due in (("r3", day5), ("r1", day8), ("r5", day5), ("r2", day5), ("r4", day8)):
        sim.execute("reminder", entity_id, Remind(due, entity_id))
    sim.advance(days=2)


def _after_the_stop(sim: Simulation) -> None:
    """r2 moves to day 8 and r4 to day 5, r5 moves away and back, the actors are released; then
    the rest of the month."""
    day5, day8 = sim.now + timedelta(days=3), sim.now + timedelta(days=6)
    sim.execute("reminder", "r2", Remind(day8, "moved later"))
    sim.execute("reminder", "r4", Remind(day5, "moved sooner"))
    sim.execute("reminder", "r5", Remind(day8, "moved"))
    sim.execute("reminder", "r5", Remind(day5, "moved back"))
    sim.registry.release()  # their actors go: each alarm is read back from the journal
    sim.advance(days=30)


def _rings(sim: Simulation) -> list[tuple[str, str]]:
    return [(e.entity_id, e.recorded_at) for e in (
        event for entity_id in ("r1", "r2", "r3", "r4", "r5")
        for event in sim.journal.stream("reminder", entity_id)) if e.name == "test.reminder.rang"]


def test_stored_alarms_ring_after_a_reopen_exactly_as_in_the_run_that_never_stopped(tmp_path):
    straight = str(tmp_path / "straight.sqlite")
    with Simulation(seed=1, journal=straight, aggregates=[REMINDER]) as sim:
        _reminders(sim)
        _after_the_stop(sim)
        expected, rings = sim.journal.digest(), _rings(sim)
    stopped = str(tmp_path / "stopped.sqlite")
    with Simulation(seed=1, journal=stopped, aggregates=[REMINDER]) as sim:
        _reminders(sim)
    with Simulation(seed=1, journal=stopped, aggregates=[REMINDER]) as sim:
        _after_the_stop(sim)
        assert sim.journal.digest() == expected
        assert _rings(sim) == rings
    assert sorted(entity for entity, _ in rings) == ["r1", "r2", "r3", "r4", "r5"]


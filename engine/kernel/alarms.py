"""Entity alarms: an aggregate's `alarm(state)` becomes a job at its time; after a reopen the stored
alarms are armed one at a time from the query index (`alarm_at`), so reopening costs what is due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine.kernel.clock import Clock, Jobs, parse_instant
from engine.kernel.entity import EntityKind
from engine.kernel.registry import Registry

__all__ = ["Alarms"]


class Alarms:
    """`tell` delivers a rung alarm in the cascade; `post` hands an overdue one to the mailbox at once."""

    def __init__(self, *, clock: Clock, jobs: Jobs, registry: Registry, tell: Callable[..., None],
                 post: Callable[[str, str, object, str], None]) -> None:
        self.clock, self.jobs, self.registry, self.tell, self.post = clock, jobs, registry, tell, post

    def host(self, kind: EntityKind) -> None:
        """Let the kind's entities set alarms; post the stored alarms already due, and arm the rest
        lazily (`Stored`): the same rings, in the same order, as one job per stored alarm."""
        kind.wake = self.wake
        stored = Stored(self, kind)
        for entity_id in stored.ids("alarm_at <= ? ORDER BY alarm_at, id", self.clock.iso):
            alarm = kind.load_alarm(entity_id)
            if alarm is not None:
                self.wake(kind, entity_id, *alarm)
        stored.arm_after(self.clock.iso)

    def wake(self, host: EntityKind, entity_id: str, when: datetime, command: object) -> None:
        """Schedule an entity's alarm; when it rings, deliver the command if still armed."""
        kind = host.spec.kind

        def ring() -> None:
            actor = self.registry.actor(kind, entity_id)
            alarm = actor.alarm if actor is not None else host.load_alarm(entity_id)
            if alarm == (when, command):
                self.tell(kind, entity_id, command, subject=f"{kind}-alarm")

        if when <= self.clock.now:
            self.post(kind, entity_id, command, f"{kind}-alarm")  # overdue: in this cascade
        else:
            self.jobs.at(when, ring, host.alarm_priority)


class Stored:
    """The alarms a kind's entities had set when the journal was opened, walked in (time, id) order.

    One job at a time waits in a place in the job order reserved at opening, where one job per
    stored alarm would all have been: it rings the next entity whose index row is due at its time,
    if that entity's alarm is still the one its state at the opening seq set, then waits for the next.
    """

    def __init__(self, alarms: Alarms, kind: EntityKind) -> None:
        self.alarms, self.kind = alarms, kind
        self.journal, self.table = kind.journal, kind.index.table
        self.seq = kind.journal.last_seq  # the opening: alarms set after it are jobs of their own
        self.place = alarms.jobs.reserve()

    def ids(self, where: str, *params: object) -> list[str]:
        self.journal.sync()  # index rows are staged with their command
        return [r[0] for r in self.journal.conn.execute(
            f"SELECT id FROM {self.table} WHERE {where}", params).fetchall()]

    def arm_after(self, at_iso: str) -> None:
        """Wait for the first index row due after `at_iso` (none: every stored alarm has rung)."""
        self.journal.sync()
        found = self.journal.conn.execute(f"SELECT MIN(alarm_at) FROM {self.table} WHERE alarm_at > ?",
                                          (at_iso,)).fetchone()[0]
        if found is not None:
            self._arm(found, "")

    def _arm(self, at_iso: str, after: str) -> None:
        self.alarms.jobs.at(parse_instant(at_iso), lambda: self._ring_next(at_iso, after),
                            self.kind.alarm_priority, place=self.place)

    def _ring_next(self, at_iso: str, after: str) -> None:
        found = self.ids("alarm_at = ? AND id > ? ORDER BY id LIMIT 1", at_iso, after)
        if not found:
            self.arm_after(at_iso)
            return
        entity_id = found[0]
        self._arm(at_iso, entity_id)  # the next entity of this instant rings after this one's cascade
        alarm = self._still_armed(entity_id, parse_instant(at_iso))
        if alarm is not None:
            kind = self.kind.spec.kind
            self.alarms.tell(kind, entity_id, alarm[1], subject=f"{kind}-alarm")

    def _still_armed(self, entity_id: str, when: datetime) -> tuple[datetime, object] | None:
        """The entity's alarm at `when` if it is still the one it had at the opening, else None."""
        kind = self.kind
        state, entity_seq = kind.load(entity_id, to_seq=self.seq)
        opened = None if state is None or kind.alarm is None else kind.alarm(state)
        if opened is None or opened[0] != when:
            return None
        actor = self.alarms.registry.actor(kind.spec.kind, entity_id)
        if actor is not None:
            now = actor.alarm
        elif self.journal.head(self.journal.intern(kind.spec.kind, entity_id)) == entity_seq:
            now = opened  # no command reached it since the opening
        else:  # changed since, by an actor released after
            now = kind.load_alarm(entity_id)
        return opened if now == opened else None

"""Entity alarms: an aggregate's `alarm(state)` becomes a job at its time; after a reopen the stored
alarms are armed one at a time from the query index (`alarm_at`), so reopening costs what is due.
A checkpoint instead records each pending alarm job by its place (`pending`) and `restore`s them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from engine.kernel.clock import Clock, Jobs, parse_instant
from engine.kernel.entity import EntityKind
from engine.kernel.registry import Registry

__all__ = ["Alarms", "command_key"]


def command_key(command: object) -> str:
    """A short stable key of an alarm's command (its repr: commands are frozen attrs classes)."""
    return hashlib.blake2b(repr(command).encode(), digest_size=8).hexdigest()


class Alarms:
    """`tell` delivers a rung alarm in the cascade; `post` hands an overdue one to the mailbox at once."""

    def __init__(self, *, clock: Clock, jobs: Jobs, registry: Registry, tell: Callable[..., None],
                 post: Callable[[str, str, object, str], None]) -> None:
        self.clock, self.jobs, self.registry, self.tell, self.post = clock, jobs, registry, tell, post
        self.pending: dict[int, tuple[str, str, object]] = {}  # a job's place -> (kind, id, command)
        self._described: dict[int, list[object]] = {}  # `describe` of a pending job, computed once
        self.stored: dict[int, Stored] = {}  # the place of each kind's walk of its stored alarms

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
            return
        self._schedule(host, entity_id, when, command, ring)

    def _schedule(self, host: EntityKind, entity_id: str, when: datetime, command: object,
                  ring: Callable[[], None]) -> None:
        """One job at `when`, at a place in the insertion order taken now and kept in `pending`."""
        place = self.jobs.reserve()
        self.pending[place] = (host.spec.kind, entity_id, command)

        def ring_once() -> None:
            del self.pending[place]
            self._described.pop(place, None)
            ring()

        self.jobs.at(when, ring_once, host.alarm_priority, place=place)

    def forget_stored(self) -> set[int]:
        """Stop walking the stored alarms (a checkpoint's jobs replace them); returns their places."""
        places, self.stored = set(self.stored), {}
        return places

    def describe(self, place: int) -> list[object] | None:
        """The pending alarm job at `place` as data — ["alarm", kind, id, key of its command], or a
        walk of stored alarms ["stored", kind, its instant, the last id rung then, the opening seq] —
        which `restore` takes with the job's time; None if it is no alarm job."""
        walk = self.stored.get(place)
        if walk is not None and walk.armed is not None:
            return ["stored", walk.kind.spec.kind, *walk.armed, walk.seq]
        described = self._described.get(place)
        if described is None:
            found = self.pending.get(place)
            if found is None:
                return None
            kind, entity_id, command = found
            described = self._described[place] = ["alarm", kind, entity_id, _key_of(command)]
        return described

    def restore(self, hosts: dict[str, EntityKind], t: int, tag: str, kind: str, *args: str | int) -> None:
        """Schedule again at sim second `t`, after every job scheduled so far, an alarm job `describe`
        gave: when it rings it delivers the entity's alarm then if that is still the one it was set
        for (a walk of stored alarms goes on from where it stood, its place kept for the rest)."""
        if tag == "stored":
            at_iso, after, seq = args
            Stored(self, hosts[kind], seq=int(seq))._arm(str(at_iso), str(after))
            return
        entity_id, key = str(args[0]), str(args[1])
        host, when = hosts[kind], self.clock.start + timedelta(seconds=t)

        def ring() -> None:
            actor = self.registry.actor(kind, entity_id)
            alarm = actor.alarm if actor is not None else host.load_alarm(entity_id)
            if alarm is not None and alarm[0] == when and command_key(alarm[1]) == key:
                self.tell(kind, entity_id, alarm[1], subject=f"{kind}-alarm")

        self._schedule(host, entity_id, when, _Keyed(key), ring)


class Stored:
    """The alarms a kind's entities had set when the journal was opened, walked in (time, id) order.

    One job at a time waits in a place in the job order reserved at opening, where one job per
    stored alarm would all have been: it rings the next entity whose index row is due at its time,
    if that entity's alarm is still the one its state at the opening seq set, then waits for the next.
    """

    def __init__(self, alarms: Alarms, kind: EntityKind, seq: int | None = None) -> None:
        self.alarms, self.kind = alarms, kind
        self.journal, self.table = kind.journal, kind.index.table
        # the opening (given: a walk restored from a checkpoint): alarms set after it are jobs of their own
        self.seq = kind.journal.last_seq if seq is None else seq
        self.place = alarms.jobs.reserve()
        self.armed: tuple[str, str] | None = None  # the instant and last id its pending job walks from
        alarms.stored[self.place] = self

    def ids(self, where: str, *params: object) -> list[str]:
        self.journal.sync(self.table)  # index rows are staged with their command
        return [r[0] for r in self.journal.conn.execute(
            f"SELECT id FROM {self.table} WHERE {where}", params).fetchall()]

    def arm_after(self, at_iso: str) -> None:
        """Wait for the first index row due after `at_iso` (none: every stored alarm has rung)."""
        self.journal.sync(self.table)
        found = self.journal.conn.execute(f"SELECT MIN(alarm_at) FROM {self.table} WHERE alarm_at > ?",
                                          (at_iso,)).fetchone()[0]
        if found is not None:
            self._arm(found, "")

    def _arm(self, at_iso: str, after: str) -> None:
        self.armed = (at_iso, after)
        self.alarms.jobs.at(parse_instant(at_iso), lambda: self._ring_next(at_iso, after),
                            self.kind.alarm_priority, place=self.place)

    def _ring_next(self, at_iso: str, after: str) -> None:
        self.armed = None
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


class _Keyed:
    """A restored alarm job's command, known by its key alone (its repr is the original's key)."""

    def __init__(self, key: str) -> None:
        self.key = key


def _key_of(command: object) -> str:
    return command.key if isinstance(command, _Keyed) else command_key(command)

"""Entity alarms: an aggregate's `alarm(state)` becomes a job at its time, re-armed after a reopen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine.kernel.clock import Clock, Jobs
from engine.kernel.entity import EntityKind
from engine.kernel.registry import Registry

__all__ = ["Alarms"]


class Alarms:
    """`tell` delivers a rung alarm in the cascade; `post` hands an overdue one to the mailbox at once."""

    def __init__(self, *, clock: Clock, jobs: Jobs, registry: Registry, tell: Callable[..., None],
                 post: Callable[[str, str, object, str], None]) -> None:
        self.clock, self.jobs, self.registry, self.tell, self.post = clock, jobs, registry, tell, post

    def host(self, kind: EntityKind) -> None:
        """Let the kind's entities set alarms, and schedule those its stored entities had set."""
        kind.wake = self.wake
        for entity_id, _ in kind.index.scan("alarm_at"):
            alarm = kind.load_alarm(entity_id)
            if alarm is not None:
                self.wake(kind, entity_id, *alarm)

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

"""Reactions: pure policies run as outbox consumers, each with a cursor journaled with its effects.

`settle()` delivers queued commands and feeds every new matching envelope to its policies until
nothing is left, so cascades finish within the instant before the clock moves on. A reaction that
fails is recorded in the journal's `failures` table (with the envelope) and raised; its cursor
moves past the envelope so the run can go on if the driver chooses to.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable

from domains.aggregate import Envelope, Policy
from engine.kernel.clock import Clock
from engine.kernel.codec import dumps, loads
from engine.kernel.errors import EngineError
from engine.kernel.journal import Journal
from engine.kernel.outbox import Outbox
from engine.kernel.runtime import Scheduler

__all__ = ["ReactionFailed", "Reactions"]

CURSOR_UPSERT = "INSERT OR REPLACE INTO cursors (consumer, sequence) VALUES (?, ?)"


class ReactionFailed(EngineError):
    """A policy, or a command it sent, failed on an outbox event (consumer, sequence, error)."""


class Consumer:
    def __init__(self, policy: Policy, cursor: int) -> None:
        self.policy, self.cursor = policy, cursor
        self.staged = cursor  # the cursor as last staged: a settle stages each moved cursor once
        self.pending: deque[Envelope] = deque()


class Reactions:
    """All policy consumers of one simulation. `tell` issues a policy's commands; `allow` registers
    its subject as a system actor; on the deterministic runtime `scheduler` delivers them."""

    def __init__(self, policies: Iterable[Policy], *, journal: Journal, outbox: Outbox, scheduler: Scheduler,
                 clock: Clock, tell: Callable[..., None], allow: Callable[[str], None], deterministic: bool) -> None:
        self.journal, self.outbox, self.scheduler, self.clock = journal, outbox, scheduler, clock
        self.tell, self.allow, self.deterministic = tell, allow, deterministic
        self.lock = threading.RLock()
        self.settling = False
        self.settler: int | None = None  # the thread settling (threaded runtime: one at a time)
        self.quiet = True  # deterministic runtime: nothing published since the last settle finished
        self.stored = dict(journal.conn.execute("SELECT consumer, sequence FROM cursors"))
        self.consumers: list[Consumer] = []
        self.by_type: dict[str, list[Consumer]] = {}
        for policy in policies:
            self.add(policy)
        outbox.watch(self.by_type, self._on_publish)

    def add(self, policy: Policy) -> None:
        """Register a consumer (a domain policy, or an engine-side one whose `react` may read the
        simulation); it resumes from its journaled cursor and backfills what it has not seen."""
        if any(c.policy.name == policy.name for c in self.consumers):
            raise ValueError(f"a consumer named {policy.name!r} is already registered")
        consumer = Consumer(policy, self.stored.get(policy.name, 0))
        self.allow(policy.subject)
        self.consumers.append(consumer)
        for event_type in policy.listens:
            self.by_type.setdefault(event_type, []).append(consumer)
        self._backfill(consumer)

    def _backfill(self, consumer: Consumer) -> None:
        """After a restart: envelopes after the stored cursor that the consumer has not seen."""
        for envelope in self.outbox.tail(after=consumer.cursor, types=consumer.policy.listens):
            consumer.pending.append(envelope)
            self.quiet = False

    def _on_publish(self, envelope: Envelope) -> None:
        envelope = {**envelope, "payload": loads(envelope["payload"])}  # as a consumer reading JSON sees it
        for consumer in self.by_type[envelope["event_type"]]:
            consumer.pending.append(envelope)
        self.quiet = False

    def settle(self) -> None:
        if self.deterministic and self.quiet and not self.scheduler.queue:
            return  # an ask whose events nobody listens to: nothing to deliver or react to
        deliver = self.scheduler.run if self.deterministic else _nothing
        with self.lock:  # threaded runtime: one settling thread at a time
            outer, self.settling = self.settling, True
            settler, self.settler = self.settler, threading.get_ident()
            try:
                self._settle(deliver)
            finally:
                self.settling, self.settler = outer, settler

    def _settle(self, deliver: Callable[[], object]) -> None:
        try:
            while True:
                deliver()
                moved = False
                for consumer in self.consumers:
                    if consumer.pending:
                        self._drain(consumer)
                        moved = True
                if not moved and not self.scheduler.queue:
                    self.quiet = True
                    return
        finally:
            self._stage_cursors()

    def _stage_cursors(self) -> None:
        """Stage the cursor of each consumer that moved, once per settle, failed or not (the table
        keeps one row per consumer: the envelopes drained in between need no row each)."""
        for consumer in self.consumers:
            if consumer.cursor != consumer.staged:
                consumer.staged = consumer.cursor
                self.journal.stage(CURSOR_UPSERT, (consumer.policy.name, consumer.cursor))

    def _drain(self, consumer: Consumer) -> None:
        while consumer.pending:
            envelope = consumer.pending.popleft()
            try:
                self._react(consumer.policy, envelope)
            except Exception as exc:
                self._record(consumer, envelope, exc)
                raise ReactionFailed(consumer=consumer.policy.name, sequence=envelope["sequence"],
                                     event_type=envelope["event_type"], error=repr(exc)) from exc
            finally:
                consumer.cursor = envelope["sequence"]  # staged by `_settle` (`_stage_cursors`)

    def _react(self, policy: Policy, envelope: Envelope) -> None:
        tell = self.tell
        for send in policy.react(envelope):
            tell(send.kind, send.id, send.command, subject=policy.subject, causation=envelope["id"],
                 trace_id=envelope["trace_id"])
        if self.deterministic:
            self.scheduler.run()  # deliver this reaction's commands, in order, before the next envelope

    def _record(self, consumer: Consumer, envelope: Envelope, exc: Exception) -> None:
        self.journal.stage(
            "INSERT INTO failures (recorded_at, kind, entity_id, command, error, context) VALUES (?, ?, ?, ?, ?, ?)",
            (self.clock.iso, "consumer", consumer.policy.name, envelope["event_type"], repr(exc), dumps(envelope)))


def _nothing() -> None:
    """The threaded runtime delivers on the actors' own threads."""

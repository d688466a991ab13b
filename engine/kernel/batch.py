"""Batched commands: system commands to entities of one kind run in one pass, each through the
decide, fold, postings, index row, events and outbox rows of `EntityKind.handle` but without a
mailbox turn; their rows are staged together (one `executemany` per table). All or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from engine.kernel.authz import AUDIT_INSERT, System
from engine.kernel.entity import AlreadyApplied, CommandMessage, EntityBehaviour, EntityKind, Executed
from engine.kernel.errors import MalformedCommand, UnknownEntity

if TYPE_CHECKING:
    from domains.aggregate import Envelope
    from engine.kernel.port import Outcome

__all__ = ["Batch", "BatchHost"]


class BatchHost(Protocol):
    """What a batch uses of the simulation: its hosted kinds and live actors (`registry`), the
    audit row of each command (`authz.system_row`) and each command's journal context (`messages`)."""

    kinds: dict[str, EntityKind]
    registry: Any  # engine.kernel.registry.Registry: .actor(kind, id), .ref(kind, id), .discard(kind, id)
    authz: Any  # engine.kernel.authz.Authorizer: .system_row(host, command, subject)

    def messages(self, subject: str, causation: str | None,
                 trace_id: str | None) -> Callable[[object], CommandMessage]: ...


class Batch:
    """Commands of one kind, run in order as one unit: every command is audited and given its
    command id as a `tell` would (same audit rows, same journal contexts, so the same journal), its
    events are journaled in order and the entity's live state is folded by the kind's own `apply`.

    If any command fails, the whole batch leaves nothing (rows, ledger totals, actor states, outbox
    sequence are as before it) and the failure is recorded and raised as the command's would be.
    Only kinds without alarms or UNIQUE index columns, and commands to existing entities, batch;
    the deterministic runtime alone runs batches (threaded actors own their states)."""

    def __init__(self, sim: BatchHost, kind: str) -> None:
        host = sim.kinds[kind]
        if host.alarm is not None or (host.index is not None and host.index.unique):
            raise MalformedCommand(kind=kind, problem="a batched kind has no alarm and no UNIQUE index column")
        self.host, self.kind, self.sim = host, kind, sim

    def actor(self, entity_id: str) -> EntityBehaviour:
        """The entity's live actor, spawned (its state loaded) on first use; `UnknownEntity` if the
        entity was never created."""
        registry = self.sim.registry
        found = registry.actor(self.kind, entity_id)
        if found is None:
            if not self.host.journal.exists(self.kind, entity_id):
                raise UnknownEntity(kind=self.kind, id=entity_id)
            registry.ref(self.kind, entity_id)
            found = registry.actor(self.kind, entity_id)
        actor: EntityBehaviour = found
        return actor

    def live_state(self, entity_id: str) -> Any:
        """The state of the entity's live actor (of the kind's own state class, as `Kernel.state`
        gives it); None when it has none (the caller reads the state another way). A read from here
        does not mark the actor in use: a batched entity is kept live by the commands the batch gives
        it, and one given none may be released and folded again."""
        actor = self.sim.registry.actor(self.kind, entity_id)
        return None if actor is None else actor.state

    def evict(self, entity_ids: Iterable[str]) -> int:
        """Drop the live actors of entities no command will reach again (their states are folded
        from the journal if read later); nothing may be queued for them. Returns how many."""
        dropped, registry = 0, self.sim.registry
        for entity_id in entity_ids:
            if registry.actor(self.kind, entity_id) is not None:
                registry.discard(self.kind, entity_id)
                dropped += 1
        return dropped

    def run(self, commands: Iterable[tuple[str, object]], *, subject: System, causation: str | None = None,
            trace_id: str | None = None) -> list[Outcome]:
        """Run `(entity id, command)` pairs in order; returns each command's outcome."""
        host, journal, outbox = self.host, self.host.journal, self.host.outbox
        known, audit = host.commands, self.sim.authz.system_row
        decide, apply, post, now, iso = host.decide, host.apply, host.post, host.clock.now, host.clock.iso
        outcomes: list[Outcome] = []
        before: list[tuple[EntityBehaviour, object, int, Any]] = []  # each command's actor as it was
        held: list[Envelope] = []
        commands = list(commands)
        if type(subject) is not System:
            raise MalformedCommand(kind=self.kind, problem="a batch runs as a system principal")
        for _, command in commands:
            if type(command) not in known or type(command) in host.creates:
                raise MalformedCommand(kind=self.kind, problem=f"{type(command).__name__} is not batched")
        live, kind = self.sim.registry.actor, self.kind  # a live actor is found here, `actor` spawns the others
        actors = [found if (found := live(kind, entity_id)) is not None else self.actor(entity_id)
                  for entity_id, _ in commands]  # loading reads (and syncs) the journal
        message = self.sim.messages(subject, causation, trace_id)  # each command's journal context
        with journal.lock:
            mark, sequence, posted = journal.mark(), outbox.sequence, False
            msg: CommandMessage | None = None
            try:
                audit_rows = journal.staged_rows(AUDIT_INSERT)  # rows `system_row` built and checked
                rows: dict[type, tuple[object, ...]] = {}  # the audit row of each command class
                for actor, (entity_id, command) in zip(actors, commands):
                    row = rows.get(command.__class__)
                    if row is None:  # one subject, instant and kind, a permission a command class's: one row a class
                        row = rows[command.__class__] = audit(host, command, subject)
                    audit_rows.append(row)  # a system principal's audit row
                    msg = message(command)
                    state = actor.state
                    if state is None:
                        raise UnknownEntity(kind=self.kind, id=entity_id)
                    events = decide(state, command, now)
                    if not events:
                        outcomes.append(AlreadyApplied)
                        continue
                    postings: list[object] = []
                    for event in events:
                        state = apply(state, event)
                        if post is not None:
                            postings.extend(post(state, event))
                    if postings:
                        host.ledger.check(postings)
                    before.append((actor, actor.state, actor.entity_seq, actor.row))
                    posted = posted or bool(postings)
                    seq = self._stage(actor, msg, state, events, postings, iso, held)
                    outcomes.append(Executed(events, seq))
            except BaseException as exc:
                self._undo(mark, sequence, before, posted)
                if msg is None or not isinstance(exc, Exception):
                    raise
                raise host.on_failure(actor, msg, exc) from exc
        if held:
            outbox.announce(held)
        return outcomes

    def _stage(self, actor: EntityBehaviour, msg: CommandMessage, state: object, events: tuple[object, ...],
               postings: list[object], iso: str, held: list[Envelope]) -> int:
        """Stage one command's index row, events, outbox rows, snapshot and ledger rows, and
        fold the actor's state (a later command of the batch to the same entity sees it)."""
        host, journal = self.host, self.host.journal
        before = actor.entity_seq
        if host.index is not None:
            host._index(actor, state, None)  # a batched kind has no alarm
        seq = journal.append_locked(actor.entity, before, events, iso, msg.context)
        if host.publish is not None:
            host.outbox.publish(host.publish, state, events, seq, msg.trace_id, held)
        after = before + len(events)
        if host.snapshot_every and after // host.snapshot_every > before // host.snapshot_every:
            host._snapshot(actor.entity, after, seq, state)
        if postings:
            host.ledger.apply(postings, seq)
        actor.state, actor.entity_seq = state, after
        return seq

    def _undo(self, mark: Any, sequence: int, before: list[tuple[EntityBehaviour, object, int, Any]],
              posted: bool) -> None:
        """Drop every row the batch staged; restore the actors, heads, outbox sequence and ledger totals."""
        heads = {}
        for actor, state, entity_seq, row in reversed(before):  # the earliest value of an actor is kept
            actor.state, actor.entity_seq, actor.row = state, entity_seq, row
            heads[actor.entity] = entity_seq
        self.host.journal.rollback(mark, heads)
        self.host.outbox.sequence = sequence
        if posted:
            self.host.ledger.reload()

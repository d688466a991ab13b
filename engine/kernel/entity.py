"""Entity actors: thin adapters that load, fold with `apply`, call `decide`, append and publish.

`EntityKind` hosts one `Aggregate`; `handle` is the whole command path. The same behaviour runs on
the deterministic `SimActor` and on `pykka.ThreadingActor`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import reduce
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, cast

import attrs
import pykka

from domains.aggregate import Aggregate, Column, Refusal
from domains.wire import instant
from engine.kernel.authz import AUDIT_INSERT
from engine.kernel.clock import Priority
from engine.kernel.codec import dumps
from engine.kernel.errors import EngineError, HandlerFailed, MalformedCommand, UnknownEntity
from engine.kernel.index import IndexTable, reader
from engine.kernel.replay import check_replay
from engine.kernel.runtime import SimActor

if TYPE_CHECKING:
    from engine.kernel.clock import Clock
    from engine.kernel.codec import Codec
    from engine.kernel.journal import Journal, Mark
    from engine.kernel.outbox import Outbox
    from engine.kernel.runtime import Scheduler

__all__ = ["FOLDED", "AlreadyApplied", "CommandMessage", "EntityKind", "Executed"]

FOLDED = 10_000  # latest states kept per kind for entities read without a live actor (`EntityKind.load`)


class Executed:
    """The command appended these events; `seq` is the journal seq of the last one."""

    __slots__ = ("events", "seq")

    def __init__(self, events: Iterable[object], seq: int) -> None:
        self.events, self.seq = tuple(events), seq

    def __repr__(self) -> str:
        return f"Executed(events={self.events!r}, seq={self.seq})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Executed) and (self.events, self.seq) == (other.events, other.seq)

    __hash__ = None  # type: ignore[assignment]


@attrs.frozen
class _AlreadyApplied:
    """The command had been applied before; nothing was appended."""

    def __bool__(self) -> bool:
        return False


AlreadyApplied = _AlreadyApplied()


class CommandMessage:
    """What an entity actor receives: the command, its pre-encoded journal context and, for a
    user's command, the audit row of its authorization (journaled with the command's outcome)."""

    __slots__ = ("audit", "command", "context", "trace_id")

    def __init__(self, command: object, context: str, trace_id: str, audit: tuple[object, ...] | None = None) -> None:
        self.command, self.context, self.trace_id, self.audit = command, context, trace_id, audit


class EntityBehaviour:
    """Per-instance state held by the actor; all logic lives in `EntityKind.handle`."""

    def setup(self, kind: EntityKind, entity_id: str) -> None:
        self.kind, self.entity_id = kind, entity_id
        self.entity = kind.journal.intern(kind.spec.kind, entity_id)
        self.state, self.entity_seq = kind.load(entity_id)
        self.alarm = kind.alarm(self.state) if kind.alarm and self.state is not None else None
        self.row = kind.raw(self.state, self.alarm) if kind.index and self.state is not None else None
        self.read, self.swept, self.idle = False, -1, 0  # for `Registry.sweep`: read, seq seen, idle passes

    def on_receive(self, message: object) -> object:
        return self.kind.handle(self, message)

    def _handle_receive(self, message: object) -> object:
        if type(message) is CommandMessage:  # fast path past pykka's proxy-message checks
            return self.kind.handle(self, message)
        return super()._handle_receive(message)  # type: ignore[misc]


class SimEntityActor(EntityBehaviour, SimActor):
    def __init__(self, kind: EntityKind, entity_id: str, scheduler: Scheduler) -> None:
        SimActor.__init__(self, scheduler, f"urn:lanasim:{kind.spec.kind}:{entity_id}")
        self.setup(kind, entity_id)

    def _deliver(self, envelope: Any) -> None:
        """A told `CommandMessage` is queued as its own envelope (no reply, no pykka `Envelope`):
        handled at once, a failure raised by the scheduler; anything else as `SimActor` delivers it."""
        if envelope.__class__ is not CommandMessage:
            return SimActor._deliver(self, envelope)
        if self._stopped.flag:
            return None  # a tell to a stopped actor is dropped, as `SimActor` drops it
        try:
            if envelope.audit is None:  # a system principal's: its audit row was staged when told
                self.kind._handle(self, envelope)
            else:
                self.kind.handle(self, envelope)
        except Exception as exc:
            self._scheduler.fail(self, envelope, exc)
        return None


class ThreadedEntityActor(EntityBehaviour, pykka.ThreadingActor):
    use_daemon_thread = True

    def __init__(self, kind: EntityKind, entity_id: str) -> None:
        pykka.ThreadingActor.__init__(self)
        self.setup(kind, entity_id)

    def _handle_failure(self, exc_type: type[BaseException] | None, exc_value: BaseException | None,
                        tb: TracebackType | None) -> None:
        """pykka would stop the actor after a failed `tell`: record it (journal `failures` row,
        raised by the simulation's next `settle`) and keep serving."""
        with self.kind.journal.lock:
            self.kind.failures.append(self.kind.on_failure(self, None, exc_value))


def register_types(spec: Aggregate[Any, Any, Any], codec: Codec) -> None:
    """Register a kind's stored types with the codec: its events, upcasters and snapshot state."""
    for et in spec.events:
        codec.register(et.cls, et.name, et.version)
    for name, from_version, step in spec.upcasters:
        codec.upcaster(name, from_version)(step)
    if spec.state is not None:
        codec.register(spec.state, f"{spec.kind}.state")


def _alarm_at(alarm: Callable[[Any], tuple[datetime, object] | None]) -> Callable[[object], str | None]:
    def at(state: object) -> str | None:
        found = alarm(state)
        return None if found is None else instant(found[0])

    return at


def _outcome(result: tuple[tuple[object, ...], int] | None) -> object:
    return AlreadyApplied if result is None else Executed(*result)


def _name(message: object) -> str:
    return type(getattr(message, "command", message)).__name__


class Book(Protocol):
    """Where a kind's postings go (the bank's ledger book, given by the composition root)."""

    # Any: the transactions are the bank's type, which the kernel does not know
    def check(self, txs: Sequence[Any]) -> None: ...

    def apply(self, txs: Iterable[Any], seq: int) -> None: ...

    def reload(self) -> None: ...


class EntityKind:
    """Runtime host of one aggregate kind: journal, query index, publisher, clock."""

    def __init__(self, spec: Aggregate[Any, Any, Any], journal: Journal, clock: Clock, outbox: Outbox) -> None:
        self.spec, self.journal, self.clock, self.outbox = spec, journal, clock, outbox
        self.decide, self.apply, self.publish, self.post = spec.decide, spec.apply, spec.publish, spec.post
        self.ledger: Book = cast(Book, None)  # set by the simulation when the kind posts to the ledger
        self.snapshot_every = spec.snapshot_every if spec.state is not None else None
        self.commands = frozenset(spec.commands)
        self.creates = frozenset(spec.creates)
        self.alarm = spec.alarm
        self.alarm_priority = Priority.of(spec.alarm_priority)  # an unknown name fails here, at registration
        self.wake: Callable[..., None] | None = None  # set by the simulation: wake(kind, id, when, command)
        columns = spec.columns + ((Column("alarm_at", _alarm_at(spec.alarm)),) if spec.alarm else ())
        self.index: IndexTable = cast(IndexTable, IndexTable(journal, spec.kind, columns) if columns else None)
        # an alarmed kind's other columns: `raw` adds alarm_at from the alarm its caller computed
        self._plain = reader([c.value for c in spec.columns]) if spec.alarm and spec.columns else None
        # the fields the columns read: unchanged inputs, unchanged row (checked in tests)
        self.failures: list[Exception] = []  # threaded runtime: tell failures not yet raised
        self.on_failure: Callable[..., Exception] = \
            lambda actor, message, exc: HandlerFailed(actor=actor.entity_id, error=repr(exc))
        register_types(spec, journal.codec)
        self.folded: dict[str, tuple[int, int, object]] = {}  # see `load`
        if self.index is not None and self.index.created:
            self.rebuild_index()

    def rebuild_index(self) -> int:
        """Write the index row of every stored entity of this kind (a journal from before it)."""
        ids = [i for i in self.journal.entity_ids(self.spec.kind) if self.journal.exists(self.spec.kind, i)]
        for entity_id in ids:
            state, _ = self.load(entity_id)
            self.index.write(entity_id, self.index.row(state))
        return len(ids)

    def handle(self, actor: EntityBehaviour, message: object) -> object:
        """The command path; a user's command's audit row is journaled when it succeeds or is refused
        (a typed refusal), and left out with the rest of the command when anything else fails."""
        if message.__class__ is not CommandMessage or message.command.__class__ not in self.commands:
            raise MalformedCommand(kind=self.spec.kind, problem=f"{_name(message)} is not a command of this kind")
        audit = message.audit
        if audit is None:
            return _outcome(self._handle(actor, message))
        try:
            result = self._handle(actor, message)
        except (Refusal, EngineError):
            with self.journal.lock:
                self.journal.stage(AUDIT_INSERT, audit)
            raise
        with self.journal.lock:
            self.journal.stage(AUDIT_INSERT, audit)
        return _outcome(result)

    def _handle(self, actor: EntityBehaviour, message: CommandMessage) -> tuple[tuple[object, ...], int] | None:
        """Decide, fold, then stage the index row, events, outbox rows and postings after a journal
        mark; any exception (a refusal or not) rolls back to the mark: every row of this command, its
        index row and outbox envelopes go, the ledger totals are restored, the actor is left as it
        was, and earlier commands' rows stay staged. Watchers hear of the envelopes and the alarm is
        re-armed only once nothing can fail. Returns (events, seq of the last), None if the command
        had been applied: `handle` makes it the outcome, a told command's is dropped unbuilt."""
        command, state = message.command, actor.state
        if state is None and command.__class__ not in self.creates:
            raise UnknownEntity(kind=self.spec.kind, id=actor.entity_id)
        clock = self.clock
        events = self.decide(state, command, clock.now)
        if not events:
            if getattr(command, "id", None) == actor.entity_id and command.__class__ in self.creates:  # replayed?
                check_replay(self.spec.kind, actor.entity_id, command, self.journal.events(
                    self.spec.kind, actor.entity_id)[0][1])
            return None
        apply, post = self.apply, self.post
        postings: list[object] = []
        for event in events:
            state = apply(state, event)
            if post is not None:
                postings.extend(post(state, event))  # each event posts with the state right after it
        journal, outbox, before = self.journal, self.outbox, actor.entity_seq
        lock = journal.lock  # held as `with` would, for half its cost (the special-method lookups, bound methods)
        lock.acquire()
        try:
            if postings:
                self.ledger.check(postings)  # a velocity limit refuses before anything is written
            mark: Mark = (journal._seq, [*map(len, journal._lists)])  # `Journal.mark`, inlined
            row, sequence, posted = actor.row, outbox.sequence, False
            try:
                alarm = self.alarm(state) if self.alarm is not None else None
                if self.index is not None:
                    self._index(actor, state, alarm)
                seq = journal.append_locked(actor.entity, before, events, clock.iso, message.context)
                held = outbox.publish(self.publish, state, events, seq, message.trace_id) if self.publish else ()
                after = before + len(events)
                if self.snapshot_every and after // self.snapshot_every > before // self.snapshot_every:
                    self._snapshot(actor.entity, after, seq, state)
                if postings:
                    posted = True
                    self.ledger.apply(postings, seq)
            except BaseException:
                self._undo(actor, mark, before, (row, sequence), posted)
                raise
            actor.state, actor.entity_seq = state, after
            if held:
                outbox.announce(held)
            if self.alarm is not None:
                self._rearm(actor, alarm)
        finally:
            lock.release()
        return events, seq

    def _undo(self, actor: EntityBehaviour, mark: Mark, before: int, kept: tuple[Any, int], posted: bool) -> None:
        """Roll the failed command back to `mark` (see `_handle`)."""
        self.journal.rollback(mark, {actor.entity: before})
        if self.index is not None and self.index.unique and actor.row != kept[0]:
            self._unwrite(actor.entity_id, kept[0])  # written at once, not staged: write it back
        actor.row, self.outbox.sequence = kept
        if posted:
            self.ledger.reload()  # the totals `apply` may have changed before it failed

    def _unwrite(self, entity_id: str, row: tuple[object, ...] | None) -> None:
        if row is None:
            self.journal.execute_now(f"DELETE FROM {self.index.table} WHERE id = ?", (entity_id,))
        else:
            self.index.write(entity_id, self.index.convert(row))

    def _rearm(self, actor: EntityBehaviour, alarm: tuple[datetime, object] | None) -> None:
        if alarm != actor.alarm:
            actor.alarm = alarm
            if alarm is not None and self.wake is not None:
                self.wake(self, actor.entity_id, *alarm)

    def raw(self, state: object, alarm: tuple[datetime, object] | None) -> tuple[object, ...]:
        """The index row's values as `state` holds them (`IndexTable.raw`), given its alarm (None for a
        kind without one): an alarmed kind's alarm_at is that alarm's instant, not computed again."""
        if self.alarm is None:
            return self.index.raw(state)
        at = None if alarm is None else instant(alarm[0])
        return (*self._plain(state), at) if self._plain is not None else (at,)

    def _index(self, actor: EntityBehaviour, state: object, alarm: tuple[datetime, object] | None) -> None:
        raw = self.index.raw(state) if self.alarm is None else self.raw(state, alarm)
        if raw != actor.row:
            self.index.write(actor.entity_id, self.index.convert(raw))
            actor.row = raw

    def _snapshot(self, entity: int, entity_seq: int, seq: int, state: object) -> None:
        self.journal.stage(
            "INSERT OR REPLACE INTO snapshots (entity, entity_seq, seq, recorded_at, state) VALUES (?, ?, ?, ?, ?)",
            (entity, entity_seq, seq, self.clock.iso, dumps(state)))

    def load_alarm(self, entity_id: str) -> tuple[datetime, object] | None:
        state, _ = self.load(entity_id)
        return None if state is None or self.alarm is None else self.alarm(state)

    def load(self, entity_id: str, *, to_seq: int | None = None, until: str | None = None,
             use_snapshot: bool = True) -> tuple[object, int]:
        """Fold the entity's stream (from its latest usable snapshot) up to a seq or a sim time.
        The latest state folded is kept (`folded`, at most `FOLDED` entities, then cleared) with the
        head it reached: read again with no event appended and no command rolled back since, it is
        not folded again (a stress run reads the collateral of every facility a price move reaches,
        whose actor is not live, at every such tick)."""
        journal = self.journal
        if not journal.exists(self.spec.kind, entity_id):
            return None, 0
        latest = to_seq is None and until is None and use_snapshot
        if latest:
            kept = self.folded.get(entity_id)
            head = journal.stream_head(self.spec.kind, entity_id)
            if kept is not None and kept[0] == head and kept[1] == journal.rollbacks:
                return kept[2], head
        state, after = None, 0
        if use_snapshot and self.spec.state is not None:
            state, after = journal.snapshot(self.spec.kind, entity_id, self.spec.state, to_seq=to_seq, until=until)
        seqs, events = journal.decoded(self.spec.kind, entity_id, after=after, to_seq=to_seq, until=until)
        if seqs:  # the fold in C: no Python loop per event
            state, after = reduce(self.spec.apply, events, state), seqs[-1]
        if latest and after == head:
            if len(self.folded) >= FOLDED:
                self.folded.clear()
            self.folded[entity_id] = (after, journal.rollbacks, state)
        return state, after

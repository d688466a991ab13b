"""`Simulation`: one seeded run — clock, journal, outbox, actors and the per-module services.

What an `ask` promises under group commit: when a command returns `Executed`, its events, index
rows and outbox rows are sequenced and staged in the open group transaction, and every later read
through this simulation sees them. They become durable at the next group commit: when the clock
moves to another instant, when `group_rows` events are staged, on `flush()`, or on `close()`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pykka

from engine.bank import modules
from engine.kernel.authz import Authorizer
from engine.kernel.clock import Clock, Jobs, parse_instant
from engine.kernel.codec import Codec, dumps
from engine.kernel.entity import CommandMessage, EntityKind, SimEntityActor, ThreadedEntityActor
from engine.kernel.errors import HandlerFailed, MalformedCommand, SimulationClosed, UnknownEntity, UnknownKind
from engine.kernel.ids import Ids
from engine.kernel.journal import Journal
from engine.bank.ledger import Ledger
from engine.bank.catalog import check_event_types
from engine.kernel.outbox import Outbox
from engine.kernel.reaction import Reactions
from engine.kernel.registry import Registry
from engine.kernel.runtime import Scheduler
from engine.bank.service.ledger import LedgerService

__all__ = ["Simulation"]

RUNTIMES = ("deterministic", "threaded")


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run with rarer cyclic garbage collections (restored after): a run allocates a few dozen
    short-lived objects per command while holding millions of long-lived ones, and CPython's
    default thresholds (700, 10, 10) spent about a fifth of a portfolio run rescanning them.
    Cycles are still collected; memory is freed by reference counting as before."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class Simulation:
    """A deterministic (default) or threaded run of the bank. Use as a context manager."""

    def __init__(self, seed: int = 0, start: str = "2024-01-01", journal: str = ":memory:", *,
                 runtime: str = "deterministic", group_rows: int = 50_000, aggregates=None,
                 policies=None) -> None:
        if runtime not in RUNTIMES:
            raise MalformedCommand(kind="simulation", problem=f"runtime must be one of {RUNTIMES}, not {runtime!r}")
        self.seed, self.runtime = seed, runtime
        self.ids = Ids(seed)
        self.journal = Journal(journal, Codec(), group_rows=group_rows)
        if self.journal.last_seq:  # reopened or forked: continue with ids it cannot already hold
            self.ids = Ids(seed, epoch=self.journal.last_seq)
        self.clock = self._resume_clock(start, self.journal.meta())
        self.outbox = Outbox(self.journal, self.ids, self.clock, check_event_types)
        self.scheduler = Scheduler(on_failure=self._record_failure)
        self.registry = Registry(self._spawn)
        self.kinds = {spec.kind: EntityKind(spec, self.journal, self.clock, self.outbox)
                      for spec in (aggregates if aggregates is not None else modules.aggregates())}
        for host in self.kinds.values():
            host.on_failure = self._record_failure
        self.ledger_book = Ledger(self.journal, self.clock)  # the double-entry book entity events post to
        for host in self.kinds.values():
            if host.post is not None:
                host.ledger = self.ledger_book
        self.ledger = LedgerService(self)
        self.closed = False
        self._context_tails: dict = {}
        self.progress = None  # optional callable(fraction_done, label) set by the scenario runner
        self.jobs = Jobs(self.clock, after_each=self.settle, busy=self._settling)
        chosen = policies if policies is not None else (modules.policies() if aggregates is None else ())
        self.authz = Authorizer(self, [f"{k}-alarm" for k in self.kinds])
        self.reactions = Reactions(self, chosen)
        self._actors: dict[tuple[str, str], Any] = self.registry._actors  # live entity actors
        self._system = self.authz.system
        for host in self.kinds.values():
            if host.alarm is not None:
                host.wake = self._wake
                self._rearm_stored(host)
        modules.attach_services(self)
        if "calendar" in self.kinds:
            self._start_end_of_day()

    def _resume_clock(self, start, meta: dict) -> Clock:
        """A new journal starts at `start`; an existing one resumes at its start and last instant."""
        if "start" not in meta:
            clock = Clock(start)
            self.journal.set_meta(engine="lanasim", seed=self.seed, start=clock.iso, runtime=self.runtime)
            return clock
        clock = Clock(meta["start"])
        resume_at = clock.seconds_until(meta.get("now", meta["start"]))
        if resume_at:
            clock.env.run(until=resume_at)
        return clock

    # -- commands ------------------------------------------------------------------------
    def execute(self, kind: str, entity_id: str, command: object, *, subject: str = "system",
                causation: str | None = None, trace_id: str | None = None):
        """Run one command through the entity's actor; returns Executed / AlreadyApplied or raises."""
        ref = self._ref(kind, entity_id, command, subject)
        try:
            return ref.ask(self.message(command, subject, causation, trace_id))
        except Exception:
            if getattr(self.registry.actor(kind, entity_id), "state", True) is None:
                self.registry.discard(kind, entity_id)  # a refused create leaves no empty actor behind
            raise

    def call(self, kind: str, entity_id: str, command: object, *, subject: str = "system"):
        """`execute`, then settle every reaction it caused: what the module services use."""
        result = self.execute(kind, entity_id, command, subject=subject)
        self.settle()
        return result

    def settle(self) -> None:
        """Deliver queued commands and run reactions until quiescent (the instant's cascade)."""
        self._raise_thread_failures()
        self.reactions.settle()
        if self.jobs.deferred and not self.reactions.settling:
            self.jobs.run_deferred()
        self.journal.maybe_flush()

    def tell(self, kind: str, entity_id: str, command: object, *, subject: str = "system",
             causation: str | None = None, trace_id: str | None = None) -> None:
        """Send without waiting; `run()` delivers it. A failure is recorded and raised by `run()`."""
        self._ref(kind, entity_id, command, subject).tell(self.message(command, subject, causation, trace_id))

    def send(self, kind: str, entity_id: str, command: object, *, subject: str = "system",
             causation: str | None = None, trace_id: str | None = None) -> None:
        """How the engine's own jobs and reactions issue commands: queued for the scheduler on the
        deterministic runtime (delivered in the cascade), asked and awaited on the threaded one."""
        if self.runtime == "deterministic":
            self.tell(kind, entity_id, command, subject=subject, causation=causation, trace_id=trace_id)
        else:
            self.execute(kind, entity_id, command, subject=subject, causation=causation, trace_id=trace_id)

    def run(self) -> None:
        """Deliver every queued message and settle reactions (deterministic runtime)."""
        self.settle()

    def message(self, command: object, subject: str, causation: str | None, trace_id: str | None) -> CommandMessage:
        """The journal context: command id, trace (correlation) id, causation, acting subject."""
        command_id = self.ids.command()
        trace = trace_id or command_id
        tail = self._context_tails.get((subject, causation))
        if tail is None:
            tail = self._context_tails[(subject, causation)] = dumps({"causation": causation, "subject": subject})[1:]
        return CommandMessage(command, f'{{"command":"{command_id}","trace":"{trace}",{tail}', trace)

    def _ref(self, kind: str, entity_id: str, command: object, subject: str = "system"):
        actor = self._actors.get((kind, entity_id))  # the hot path: a live actor, a known command
        if actor is not None and command.__class__ in actor.kind.commands and subject in self._system \
                and not self.closed:
            return actor.actor_ref
        if self.closed:
            raise SimulationClosed()
        host = self.kinds.get(kind)
        if host is None:
            raise UnknownKind(kind=kind)
        if type(command) not in host.commands:
            raise MalformedCommand(kind=kind, problem=f"{type(command).__name__} is not a command of this kind")
        self.authz.check(host, command, subject)
        if type(command) not in host.creates and self.registry.actor(kind, entity_id) is None \
                and not self.journal.exists(kind, entity_id):
            raise UnknownEntity(kind=kind, id=entity_id)
        return self.registry.ref(kind, entity_id)

    def _settling(self) -> bool:
        return self.reactions.settling

    def _spawn(self, kind: str, entity_id: str) -> pykka.Actor:
        host = self.kinds[kind]
        actor: SimEntityActor | ThreadedEntityActor
        if self.runtime == "deterministic":
            actor = SimEntityActor(host, entity_id, self.scheduler)
        else:
            actor = ThreadedEntityActor(host, entity_id)
        actor._start_actor_loop()  # not Actor.start(): stay out of pykka's global registry
        return actor

    def _raise_thread_failures(self) -> None:
        """Threaded runtime: a `tell` that failed on an actor's thread is raised here, once."""
        for host in self.kinds.values():
            if host.failures:
                raise host.failures.pop(0)

    def _record_failure(self, actor, message, exc: BaseException) -> Exception:
        self.journal.stage(
            "INSERT INTO failures (recorded_at, kind, entity_id, command, error, context) VALUES (?, ?, ?, ?, ?, ?)",
            (self.clock.iso, actor.kind.spec.kind, actor.entity_id,
             "?" if message is None else type(getattr(message, "command", message)).__name__,
             repr(exc), getattr(message, "context", "{}")))
        if isinstance(exc, Exception) and not isinstance(exc, HandlerFailed) and hasattr(exc, "fields"):
            return exc  # a typed refusal or engine error keeps its type and fields
        return HandlerFailed(kind=actor.kind.spec.kind, id=actor.entity_id, error=repr(exc))

    # -- reading -------------------------------------------------------------------------
    def state(self, kind: str, entity_id: str) -> object:
        """The live state of an entity (its actor's), or its folded journal state."""
        actor = self.registry.actor(kind, entity_id)
        if actor is not None and actor.state is not None:
            return actor.state
        if kind not in self.kinds:
            raise UnknownKind(kind=kind)
        state, _ = self.kinds[kind].load(entity_id)
        if state is None:
            raise UnknownEntity(kind=kind, id=entity_id)
        return state

    def load(self, kind: str, entity_id: str, *, as_of=None, seq: int | None = None,
             use_snapshot: bool = True) -> object:
        """Time travel: the entity as it was at a sim time (`as_of`) or a journal `seq`."""
        until = parse_instant(as_of).strftime("%Y-%m-%dT%H:%M:%SZ") if as_of is not None else None
        if kind not in self.kinds:
            raise UnknownKind(kind=kind)
        state, _ = self.kinds[kind].load(entity_id, to_seq=seq, until=until, use_snapshot=use_snapshot)
        return state

    def index(self, kind: str):
        host = self.kinds.get(kind)
        if host is None or host.index is None:
            raise UnknownKind(kind=kind)
        return host.index

    def random(self, name: str):
        """A named random stream derived from the seed (independent of every other stream)."""
        return self.ids.stream(name)

    @property
    def elapsed(self) -> int:
        """Whole simulated seconds since the start (the `t` price paths are sampled at)."""
        return int(self.clock.env.now)

    @property
    def now(self):
        return self.clock.now

    # -- time ----------------------------------------------------------------------------
    def advance(self, *, days: int = 0, hours: int = 0, minutes: int = 0, seconds: int = 0) -> None:
        total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        self.run_until(self.clock.now + timedelta(seconds=total))

    def run_until(self, when) -> None:
        """Move the clock to `when`, running every job, end of day and reaction due on the way."""
        target = int(self.clock.env.now) + self.clock.seconds_until(when)
        with _fewer_collections():
            self.settle()
            self.jobs.run_until(target)
            self.journal.set_meta(now=self.clock.iso)
            self.journal.flush()

    def _wake(self, host: EntityKind, entity_id: str, when, command) -> None:
        """Schedule an entity's alarm; when it rings, deliver the command if still armed."""
        kind = host.spec.kind

        def ring() -> None:
            actor = self.registry.actor(kind, entity_id)
            alarm = actor.alarm if actor is not None else host.load_alarm(entity_id)
            if alarm == (when, command):
                self.send(kind, entity_id, command, subject=f"{kind}-alarm")

        if when <= self.clock.now:
            self.tell(kind, entity_id, command, subject=f"{kind}-alarm")  # overdue: in this cascade
        else:
            self.jobs.at(when, ring, host.spec.alarm_priority)

    def _rearm_stored(self, host: EntityKind) -> None:
        """After reopening a journal: schedule the alarms its entities had set."""
        for entity_id, _ in host.index.scan("alarm_at"):
            alarm = host.load_alarm(entity_id)
            if alarm is not None:
                self._wake(host, entity_id, *alarm)

    def _start_end_of_day(self) -> None:
        """Publish `EndOfDay{D}` at every 00:00 UTC crossed, in order (Lana's default closing)."""
        from domains.time import PRODUCER_ID, RecordEndOfDay

        first = (self.clock.now + timedelta(days=1)).replace(hour=0, minute=0, second=0)

        def close_day() -> None:
            self.send("calendar", PRODUCER_ID, RecordEndOfDay(self.clock.now.date()), subject="end-of-day-producer")

        self.jobs.every(86_400, close_day, "end_of_day", first=int((first - self.clock.start).total_seconds()))

    def flush(self) -> None:
        """Settle, then group-commit everything staged."""
        self.settle()
        self.journal.flush()

    def fork(self, at=None, journal: str = ":memory:") -> Simulation:
        """A new simulation continuing this one's history as it stood at `at` (default: now), in
        memory or in a new journal file; this journal is only read (see `engine.kernel.fork`)."""
        from engine.kernel.fork import fork_journal

        self.flush()
        at_iso = self.clock.iso if at is None else parse_instant(at).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.journal.lock:
            target = fork_journal(self.journal.conn, journal, at_iso, [h.spec for h in self.kinds.values()])
        return Simulation(seed=self.seed, journal=target, runtime=self.runtime)  # type: ignore[arg-type]

    # -- lifecycle -----------------------------------------------------------------------
    def close(self, *, deliver: bool = True) -> None:
        """Deliver what is queued (unless `deliver=False`), stop every actor, commit, close."""
        if self.closed:
            return
        try:
            if deliver:
                self.settle()
        finally:
            self.closed = True
            self.registry.stop_all()
            self.journal.set_meta(digest=self.journal.digest(), now=self.clock.iso)
            self.journal.close()

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(deliver=exc_type is None)


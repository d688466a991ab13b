"""`Simulation`: one seeded run — clock, journal, outbox, actors and the per-module services.

What an `ask` promises under group commit: when a command returns `Executed`, its events, index
rows and outbox rows are sequenced and staged in the open group transaction, and every later read
through this simulation sees them. They become durable at the next group commit: when the clock
moves to another instant, when `group_rows` events are staged, on `flush()`, or on `close()`.

Reopen is exact: every group commit also stores the run's position (the clock's instant, how many
entity and command ids were handed out, each named random stream's state) in `lanasim_meta`, so a
`Simulation` opened on an existing journal continues where its last commit left off, and refuses
(`JournalMismatch`) a seed or start other than the run's.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any

import pykka
from pykka import ActorRef

from domains.aggregate import Aggregate, Policy
from engine.bank import modules
from engine.bank.catalog import check_event_types
from engine.bank.ledger import Ledger
from engine.bank.public_ids import PublicIds
from engine.bank.service.access import AccessService
from engine.bank.service.credit import CreditService
from engine.bank.service.custody import CustodyService
from engine.bank.service.customer import CustomerService
from engine.bank.service.deposit import DepositService
from engine.bank.service.governance import GovernanceService
from engine.bank.service.price import PriceService
from engine.bank.service.report import ReportService
from engine.bank.settings import BankSettings
from engine.kernel.alarms import Alarms
from engine.kernel.authz import AUDIT_INSERT, SYSTEM, Authorizer, System, as_system
from engine.kernel.clock import Clock, Jobs, parse_instant
from engine.kernel.codec import Codec, dumps
from engine.kernel.entity import CommandMessage, EntityBehaviour, EntityKind, SimEntityActor, ThreadedEntityActor
from engine.kernel.errors import (
    EngineError,
    HandlerFailed,
    InvalidArgument,
    MalformedCommand,
    SimulationClosed,
    UnknownEntity,
    UnknownKind,
)
from engine.kernel.ids import Ids
from engine.kernel.index import IndexTable
from engine.kernel.journal import Journal
from engine.kernel.outbox import Outbox
from engine.kernel.port import Kernel, Outcome
from engine.kernel.reaction import Reactions
from engine.kernel.registry import Registry
from engine.kernel.runtime import Scheduler, fewer_collections

__all__ = ["JournalMismatch", "Simulation"]


class JournalMismatch(EngineError):
    """The journal belongs to another run (fields: path, field, journal, given); nothing was written."""

RUNTIMES = ("deterministic", "threaded")
MAX_ADVANCE_DAYS = 366 * 100  # one call moves the clock by at most a century
MAX_ID = 254  # characters in an entity id


class Simulation:
    """A deterministic (default) or threaded run of the bank. Use as a context manager.

    The composition root: builds the kernel (journal, clock, outbox, actors, reactions), the ledger
    book (`sim.ledger`) and the bank's services over a narrow `Kernel`. One way each to:
    ask: `execute(kind, id, command)` returns the result once its cascade has settled;
    tell: `tell(kind, id, command)` issues without a result (delivered by the next settle);
    settle: `settle()` runs queued commands and reactions to quiescence (`commit=True`: durable too).
    Job priorities are `engine.kernel.clock.Priority`.
    """

    # each module's service, attached by `engine.bank.modules.attach_services` when its aggregates are hosted
    price: PriceService
    access: AccessService
    customer: CustomerService
    governance: GovernanceService
    deposit: DepositService
    custody: CustodyService
    report: ReportService
    credit: CreditService
    public_ids: PublicIds  # Lana's public ids: customers, facilities, disbursals from 1000

    def __init__(self, seed: int | None = None, start: str | None = None, journal: str = ":memory:", *,
                 runtime: str = "deterministic", group_rows: int = 50_000,
                 aggregates: Iterable[Aggregate[Any, Any, Any]] | None = None,
                 policies: Iterable[Policy] | None = None, settings: BankSettings | None = None) -> None:
        if runtime not in RUNTIMES:
            raise MalformedCommand(kind="simulation", problem=f"runtime must be one of {RUNTIMES}, not {runtime!r}")
        self.seed, self.runtime = seed, runtime
        if settings is not None and not isinstance(settings, BankSettings):
            raise MalformedCommand(kind="simulation", problem=f"settings must be a BankSettings, not {settings!r}")
        self.settings = settings if settings is not None else BankSettings()  # Lana's domain configs
        schedule = self.settings.schedule
        self._deterministic = runtime == "deterministic"
        self.journal = Journal(journal, Codec(), group_rows=group_rows)
        stored = self.journal.meta()
        given, self.seed = seed, seed if seed is not None else int(stored.get("seed", 0))  # reopen: its seed
        self.ids = Ids(self.seed)
        try:
            self.clock = self._resume_clock(start, stored, given)
        except Exception:
            self.journal.close()
            raise
        self.outbox = Outbox(self.journal, self.ids, self.clock, check_event_types)
        self.scheduler = Scheduler(on_failure=self._record_failure)
        self.registry = Registry(self._spawn)
        self.kinds = {spec.kind: EntityKind(spec, self.journal, self.clock, self.outbox)
                      for spec in (aggregates if aggregates is not None else modules.aggregates(schedule))}
        for host in self.kinds.values():
            host.on_failure = self._record_failure
        try:
            self.ledger = Ledger(self.journal, self.clock)  # the double-entry book entity events post to
        except Exception:
            self.journal.close()
            raise
        for host in self.kinds.values():
            if host.post is not None:
                host.ledger = self.ledger
        self.closed = False
        self._audit: tuple[object, ...] | None = None  # the audit row of the user's command being sent
        self._subjects: dict[str, str] = {}  # subject -> its JSON text in command contexts
        self.progress = None  # optional callable(fraction_done, label) set by the scenario runner
        self.jobs = Jobs(self.clock, after_each=self.settle, busy=self._settling)
        chosen = tuple(policies if policies is not None else (modules.policies() if aggregates is None else ()))
        self._hosted = (tuple(h.spec for h in self.kinds.values()), chosen)  # what a fork hosts again
        self.authz = Authorizer(self.journal, self.clock, is_user=self._is_user,
                                permissions_of=lambda user: self.access.permissions_of(user),
                                extra_system_actors=[f"{k}-alarm" for k in self.kinds])
        self.reactions = Reactions(chosen, journal=self.journal, outbox=self.outbox, scheduler=self.scheduler,
                                   clock=self.clock, tell=self._tell_as_system, allow=self.authz.allow,
                                   deterministic=runtime == "deterministic")
        self._actors: dict[tuple[str, str], Any] = self.registry._actors  # live entity actors
        self._system = self.authz.system
        alarms = Alarms(clock=self.clock, jobs=self.jobs, registry=self.registry, tell=self._tell_as_system,
                        post=lambda kind, entity_id, command, subject: self._post(kind, entity_id, command,
                                                                                  as_system(subject), None, None))
        for host in self.kinds.values():
            if host.alarm is not None:
                alarms.host(host)
        self.kernel = Kernel(self.execute, self.tell, self.state, self.load, self.index, self._exists, self.ids,
                             self.clock, self.jobs, self.journal, frozenset(self.kinds))
        modules.attach_services(self, self.kernel, self.settings)
        modules.start_end_of_day(self.kernel, schedule)

    def _resume_clock(self, start: str | None, meta: dict[str, Any], seed: int | None) -> Clock:
        """A new journal starts at `start` (default 2024-01-01); an existing one is checked against
        the seed and start given, then resumes at its start, last committed instant and id positions."""
        if "start" not in meta:
            clock = Clock(start if start is not None else "2024-01-01")
            self.journal.set_meta(engine="lanasim", seed=self.seed, start=clock.iso, runtime=self.runtime)
        else:
            clock = Clock(meta["start"])
            given = None if start is None else Clock(start).iso
            for field, ours, theirs in (("seed", seed, meta.get("seed")), ("start", given, meta["start"])):
                if ours is not None and theirs is not None and ours != theirs:
                    raise JournalMismatch(path=self.journal.path, field=field, journal=theirs, given=ours)
            resume_at = clock.seconds_until(meta.get("now", meta["start"]))
            if resume_at:
                clock.env.run(until=resume_at)
            if "ids" in meta:
                self.ids.restore(meta["ids"])
            if "digest" in meta:  # the run goes on: the digest of its last close describes it no longer
                self.journal.stage("DELETE FROM lanasim_meta WHERE key = ?", ("digest",))
        self._stored = {"now": meta.get("now"), "ids": meta.get("ids")}
        self.journal.before_commit.append(self._store_position)
        return clock

    def _store_position(self) -> None:
        """Stage the run's position with each group commit (only what changed since the last)."""
        position = {"now": self.clock.iso, "ids": self.ids.state()}
        changed = {key: value for key, value in position.items() if self._stored.get(key) != value}
        if changed:
            self.journal.set_meta(**changed)
            self._stored.update(changed)

    # -- commands ------------------------------------------------------------------------
    def execute(self, kind: str, entity_id: str, command: object, *, subject: str = SYSTEM,
                causation: str | None = None, trace_id: str | None = None) -> Outcome:
        """Ask: run one command through the entity's actor, then settle every reaction it caused;
        returns `Executed` / `AlreadyApplied` or raises the typed refusal."""
        result = self._ask(kind, entity_id, command, subject, causation, trace_id)
        self.settle()
        return result

    def tell(self, kind: str, entity_id: str, command: object, *, subject: str = SYSTEM,
             causation: str | None = None, trace_id: str | None = None) -> None:
        """Tell: issue a command without its result. Queued on the deterministic runtime and delivered
        by the next `settle()` (in order); asked and awaited on the threaded one. Jobs, reactions and
        scenarios issue their commands this way."""
        if self._deterministic:
            self._ref(kind, entity_id, command, subject).tell(self.message(command, subject, causation, trace_id))
        else:
            self._ask(kind, entity_id, command, subject, causation, trace_id)

    def _tell_as_system(self, kind: str, entity_id: str, command: object, *, subject: str, **context: Any) -> None:
        """`tell` for the kernel's reactions and alarms: their subjects name system principals."""
        self.tell(kind, entity_id, command, subject=as_system(subject), **context)

    def settle(self, *, commit: bool = False) -> None:
        """Settle: deliver queued commands and run reactions until quiescent (the instant's cascade);
        with `commit`, also group-commit everything staged (durable on disk)."""
        if not self._deterministic:
            self._raise_thread_failures()
        self.reactions.settle()
        if self.jobs.deferred and not self.reactions.settling:
            self.jobs.run_deferred()
        if commit:
            self.journal.flush()
        else:
            self.journal.maybe_flush()

    def _ask(self, kind: str, entity_id: str, command: object, subject: str, causation: str | None,
             trace_id: str | None) -> Outcome:
        ref = self._ref(kind, entity_id, command, subject)
        try:
            result: Outcome = ref.ask(self.message(command, subject, causation, trace_id), block=True)
            return result
        except Exception:
            if getattr(self.registry.actor(kind, entity_id), "state", True) is None:
                self.registry.discard(kind, entity_id)  # a refused create leaves no empty actor behind
            raise

    def _post(self, kind: str, entity_id: str, command: object, subject: str, causation: str | None,
              trace_id: str | None) -> None:
        """Hand the command to the actor's mailbox (an overdue alarm rings inside the cascade this way
        on either runtime); a failure on the threaded runtime is raised by the next `settle()`."""
        self._ref(kind, entity_id, command, subject).tell(self.message(command, subject, causation, trace_id))

    def message(self, command: object, subject: str, causation: str | None, trace_id: str | None) -> CommandMessage:
        """The journal context: command id, trace (correlation) id, causation, acting subject."""
        command_id = self.ids.command()
        trace = trace_id or command_id
        tail = self._subjects.get(subject)
        if tail is None:  # one entry per acting subject (system actors and users)
            tail = self._subjects[subject] = f'"subject":{dumps(subject)}}}'
        cause = "null" if causation is None else dumps(causation)
        context = f'{{"command":"{command_id}","trace":"{trace}","causation":{cause},{tail}'
        audit, self._audit = self._audit, None
        return CommandMessage(command, context, trace, audit)

    def _ref(self, kind: str, entity_id: str, command: object, subject: str = SYSTEM) -> ActorRef[Any]:
        if entity_id.__class__ is not str:
            raise InvalidArgument(argument="entity_id", value=entity_id, problem="an entity id is a string")
        actor = self._actors.get((kind, entity_id))  # the hot path: a live actor, a known command
        if actor is not None and command.__class__ in actor.kind.commands and subject.__class__ is System \
                and not self.closed:
            self.authz.check(actor.kind, command, subject)  # a system principal: its audit row only
            live: ActorRef[Any] = actor.actor_ref
            return live
        if self.closed:
            raise SimulationClosed()
        host = self.kinds.get(kind) if type(kind) is str else None
        if host is None:
            raise UnknownKind(kind=kind)
        if type(entity_id) is not str or not entity_id or len(entity_id) > MAX_ID:
            raise InvalidArgument(argument="entity_id", value=entity_id, problem=f"not an id of 1-{MAX_ID} characters")
        if type(command) not in host.commands:
            raise MalformedCommand(kind=kind, problem=f"{type(command).__name__} is not a command of this kind")
        self.authz.check(host, command, subject)
        if type(command) not in host.creates and self.registry.actor(kind, entity_id) is None \
                and not self.journal.exists(kind, entity_id):
            raise UnknownEntity(kind=kind, id=entity_id)
        ref = self.registry.ref(kind, entity_id)
        if subject.__class__ is not System:  # a user's: its audit row goes with the command (see `EntityKind.handle`)
            self._audit = self.journal.unstage_last(AUDIT_INSERT)
        return ref

    def _exists(self, kind: str, entity_id: str) -> bool:
        """A live actor or a stored stream (a create still settling counts)."""
        if type(entity_id) is not str:
            return False
        return self.registry.actor(kind, entity_id) is not None or self.journal.exists(kind, entity_id)

    def _is_user(self, subject: str) -> bool:
        return ("user" in self.kinds and self.journal.exists("user", subject)) or \
            self.registry.actor("user", subject) is not None

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

    def _record_failure(self, actor: EntityBehaviour, message: object, exc: BaseException) -> Exception:
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
        if type(entity_id) is not str:
            raise InvalidArgument(argument="entity_id", value=entity_id, problem="an entity id is a string")
        actor = self.registry.actor(kind, entity_id)
        if actor is not None and actor.state is not None:
            return actor.state
        if kind not in self.kinds:
            raise UnknownKind(kind=kind)
        state, _ = self.kinds[kind].load(entity_id)
        if state is None:
            raise UnknownEntity(kind=kind, id=entity_id)
        return state

    def load(self, kind: str, entity_id: str, *, as_of: str | date | datetime | None = None, seq: int | None = None,
             use_snapshot: bool = True) -> object:
        """Time travel: the entity as it was at a sim time (`as_of`) or a journal `seq`."""
        until = parse_instant(as_of).strftime("%Y-%m-%dT%H:%M:%SZ") if as_of is not None else None
        if kind not in self.kinds:
            raise UnknownKind(kind=kind)
        state, _ = self.kinds[kind].load(entity_id, to_seq=seq, until=until, use_snapshot=use_snapshot)
        return state

    def index(self, kind: str) -> IndexTable:
        host = self.kinds.get(kind)
        if host is None or host.index is None:
            raise UnknownKind(kind=kind)
        return host.index

    def random(self, name: str) -> random.Random:
        """A named random stream derived from the seed (independent of every other stream)."""
        return self.ids.stream(name)

    @property
    def elapsed(self) -> int:
        """Whole simulated seconds since the start (the `t` price paths are sampled at)."""
        return int(self.clock.env.now)

    @property
    def now(self) -> datetime:
        return self.clock.now

    # -- time ----------------------------------------------------------------------------
    def advance(self, *, days: int = 0, hours: int = 0, minutes: int = 0, seconds: int = 0) -> None:
        """Move the clock forward by whole, non-negative amounts (`InvalidArgument` otherwise)."""
        for name, value in (("days", days), ("hours", hours), ("minutes", minutes), ("seconds", seconds)):
            if type(value) is not int or value < 0:
                raise InvalidArgument(argument=name, value=value, problem="not a whole, non-negative number")
        total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        if total > MAX_ADVANCE_DAYS * 86_400:
            raise InvalidArgument(argument="days", value=days, problem=f"more than {MAX_ADVANCE_DAYS} days at once")
        self.run_until(self.clock.now + timedelta(seconds=total))

    def run_until(self, when: str | date | datetime) -> None:
        """Move the clock to `when`, running every job, end of day and reaction due on the way."""
        if not isinstance(when, (str, date)):
            raise InvalidArgument(argument="when", value=when, problem="an ISO-8601 string, a date or a datetime")
        target = int(self.clock.env.now) + self.clock.seconds_until(when)
        with fewer_collections():
            self.settle()
            self.jobs.run_until(target)
            self.journal.set_meta(now=self.clock.iso)
            self.journal.flush()

    def fork(self, at: str | date | datetime | None = None, journal: str = ":memory:") -> Simulation:
        """A new simulation continuing this one's history as it stood at `at` (default: now), in
        memory or in a new journal file, hosting this one's aggregates, policies and settings; this
        journal is only read (see `engine.kernel.fork`)."""
        from engine.kernel.fork import fork_journal

        self.settle(commit=True)
        at_iso = self.clock.iso if at is None else parse_instant(at).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.journal.lock:
            target = fork_journal(self.journal.conn, journal, at_iso, [h.spec for h in self.kinds.values()])
        specs, policies = self._hosted  # the branch hosts this run's aggregates, policies and settings
        return Simulation(seed=self.seed, journal=target, runtime=self.runtime,  # type: ignore[arg-type]
                          aggregates=specs, policies=policies, settings=self.settings)

    # -- lifecycle -----------------------------------------------------------------------
    def close(self, *, deliver: bool = True) -> None:
        """Deliver what is queued (unless `deliver=False`), stop every actor, commit, close. The
        journal file is released even when the last commit fails (`JournalWriteFailed`)."""
        if self.closed:
            return
        try:
            if deliver:
                self.settle()
        finally:
            self.closed = True
            self.registry.stop_all()
            try:
                self.journal.set_meta(digest=self.journal.digest(), now=self.clock.iso)
            finally:
                self.journal.close()

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(deliver=exc_type is None)


"""`Simulation`: one seeded run — the composition root that builds the clock, journal, outbox,
actors and reactions and the bank's per-module services over them."""

from __future__ import annotations

import atexit
import random
import threading
import weakref
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any

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
from engine.dispatch import SWEEP_SECONDS, Dispatch
from engine.kernel.alarms import Alarms
from engine.kernel.authz import Authorizer, as_system
from engine.kernel.clock import Jobs, check_start, parse_instant, whole_second
from engine.kernel.codec import Codec
from engine.kernel.entity import EntityKind
from engine.kernel.errors import (
    InvalidArgument,
    MalformedCommand,
    ReentrantAsk,
    SimulationClosed,
    SimulationInterrupted,
    UnknownEntity,
    UnknownKind,
)
from engine.kernel.ids import Ids, check_seed
from engine.kernel.index import IndexTable
from engine.kernel.journal import GROUP_ROWS, Journal
from engine.kernel.journal_commit import JournalWriteFailed
from engine.kernel.journal_file import journal_path
from engine.kernel.outbox import Outbox
from engine.kernel.port import Kernel
from engine.kernel.reaction import Reactions
from engine.kernel.registry import Registry
from engine.kernel.runtime import Scheduler, fewer_collections
from engine.position import kept_settings, resume_clock

__all__ = ["Simulation"]

RUNTIMES = ("deterministic", "threaded")
MAX_ADVANCE_DAYS = 366 * 100  # one call moves the clock by at most a century

_OPEN: weakref.WeakSet[Simulation] = weakref.WeakSet()  # built and not closed: closed at exit (`_close_abandoned`)


def _check_id(entity_id: object) -> None:
    if type(entity_id) is not str:
        raise InvalidArgument(argument="entity_id", value=entity_id, problem="an entity id is a string")


def _check_kind(kind: object) -> None:
    """A kind that is no str names no aggregate (a list was a bare "unhashable type" from a dict)."""
    if type(kind) is not str:
        raise UnknownKind(kind=kind)


def _hosted(name: str, value: object, cls: type) -> tuple[Any, ...] | None:
    """`value` (None, or an iterable of `cls`: `Aggregate`s or `Policy`s) as a tuple, else
    `MalformedCommand` (a str or 5 was a bare TypeError or AttributeError from building the actors)."""
    if value is None:
        return None
    items = tuple(value) if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping) else None
    if items is None or not all(isinstance(item, cls) for item in items):
        raise MalformedCommand(kind="simulation", problem=f"{name} must be a list of {cls.__name__}s, not {value!r}")
    return items


@atexit.register
def _close_open_simulations() -> None:
    """At interpreter exit, close every simulation a script left open (see `Simulation._close_abandoned`);
    one whose commit fails does not keep the others open (the first failure is raised after)."""
    failed: list[Exception] = []
    for sim in list(_OPEN):
        try:
            sim._close_abandoned()
        except Exception as exc:  # each simulation closes on its own
            failed.append(exc)
    if failed:
        raise failed[0]


class Simulation(Dispatch):
    """A deterministic (default) or threaded run of the bank. Use as a context manager.

    Arguments: `seed` an int of 64 bits (default 0, or the journal's when it is reopened);
    `start` ISO text, a date or a datetime (naive read as UTC) in the years 1000-8999, whole
    seconds (default 2024-01-01; `InvalidInstant`, `StartOutOfRange`); `journal` ":memory:" or a
    path (str or Path): a new file is created (an empty, 0-byte one too: it holds nothing to lose,
    and SQLite reads it as an empty database), a lanasim journal reopened, anything else refused
    untouched (`NotALanasimJournal`, `JournalLocked` while another `Simulation` holds it);
    `runtime` "deterministic" or "threaded"; `settings` a `BankSettings`. A bad argument is a
    typed refusal (`InvalidArgument`, `MalformedCommand`) raised before any file is written.

    The composition root: builds the kernel (journal, clock, outbox, actors, reactions), the ledger
    book (`sim.ledger`) and the bank's services over a narrow `Kernel`. One way each to:
    ask: `execute(kind, id, command)` returns the result once its cascade has settled;
    tell: `tell(kind, id, command)` issues without a result (delivered by the next settle);
    settle: `settle()` runs queued commands and reactions to quiescence (`commit=True`: durable too)
    (the command API is `engine.dispatch`). Job priorities are `engine.kernel.clock.Priority`.
    Opened on an existing journal, it continues where the last commit left off and refuses a seed,
    start or settings other than the run's (`engine.position.JournalMismatch`); the settings are kept
    in the journal, so a reopen, a fork or a stress `--from` it without settings runs under its own.
    Close it (`close()`, or `with`): the commands run since the clock last moved are committed then,
    and a file stays locked until then (a second `Simulation` on it is `JournalLocked`). One left
    open is closed when Python collects it (a notebook cell run again) or when the interpreter exits
    (a script without `close()`), as `close(deliver=False)` would: what it acknowledged is committed,
    commands told and not yet delivered are not run. Closed, every read of the run (services,
    ledger, outbox, public ids, loads, the digest) is `SimulationClosed`; `now` and `elapsed` keep
    the instant it closed at.
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
                 runtime: str = "deterministic", group_rows: int = GROUP_ROWS,
                 aggregates: Iterable[Aggregate[Any, Any, Any]] | None = None,
                 policies: Iterable[Policy] | None = None, settings: BankSettings | None = None) -> None:
        if runtime not in RUNTIMES:
            raise MalformedCommand(kind="simulation", problem=f"runtime must be one of {RUNTIMES}, not {runtime!r}")
        if seed is not None:
            check_seed(seed)  # before the journal: a seed SQLite cannot store leaves no file behind
        if type(group_rows) is not int or group_rows < 1:  # "5" or None: a TypeError at the first command
            raise InvalidArgument(argument="group_rows", value=group_rows, problem="a whole number of events >= 1")
        self.seed, self.runtime = seed, runtime
        if settings is not None and not isinstance(settings, BankSettings):
            raise MalformedCommand(kind="simulation", problem=f"settings must be a BankSettings, not {settings!r}")
        aggregates = _hosted("aggregates", aggregates, Aggregate)  # before the journal is opened
        policies = _hosted("policies", policies, Policy)
        self._deterministic = runtime == "deterministic"
        if start is not None:
            whole_second(check_start(start))  # before the journal: a start refused leaves no file behind
        self.journal = Journal(journal, Codec(), group_rows=group_rows)
        stored = self.journal.meta()
        try:
            self.settings = kept_settings(self.journal, stored, settings)  # Lana's domain configs
        except Exception:
            self.journal.close()
            raise
        schedule = self.settings.schedule
        given, self.seed = seed, seed if seed is not None else int(stored.get("seed", 0))  # reopen: its seed
        self.ids = Ids(self.seed)
        try:
            self.clock = resume_clock(self.journal, self.ids, start, stored, self.seed, given, runtime)
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
        # a scenario's finished run (`lanasim run`, `run_stress`): read, never continued (`RunFinished`)
        self.finished_run = str(stored.get("scenario", "a scenario")) if stored.get("finished") else None
        self.interrupted: str | None = None  # the instant a KeyboardInterrupt cut a cascade short (`settle`)
        self._close_failed: JournalWriteFailed | None = None  # the last commit's failure at `close`
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
        self.alarms = Alarms(clock=self.clock, jobs=self.jobs, registry=self.registry, tell=self._tell_as_system,
                             post=lambda kind, entity_id, command, subject: self._post(kind, entity_id, command,
                                                                                       as_system(subject), None, None))
        for host in self.kinds.values():
            if host.alarm is not None:
                self.alarms.host(host)
        self.kernel = Kernel(self.execute, self.tell, self.state, self.load, self.index, self._exists, self.ids,
                             self.clock, self.jobs, self.journal, frozenset(self.kinds))
        modules.attach_services(self, self.kernel, self.settings)
        modules.start_end_of_day(self.kernel, schedule)
        self._next_sweep = int(self.clock.env.now) + SWEEP_SECONDS if self._deterministic else float("inf")
        self._owner = threading.get_ident()  # the thread that may close it when it is collected
        self._moving = threading.RLock()  # threaded runtime: one thread moves the clock at a time
        _OPEN.add(self)

    # -- reading -------------------------------------------------------------------------
    def state(self, kind: str, entity_id: str) -> object:
        """The live state of an entity (its actor's), or its folded journal state."""
        self._open()
        _check_kind(kind)
        _check_id(entity_id)
        actor = self.registry.actor(kind, entity_id)
        if actor is not None and actor.state is not None:
            actor.read = True  # in use: kept by the next sweep of idle actors
            return actor.state
        if kind not in self.kinds:
            raise UnknownKind(kind=kind)
        state, _ = self.kinds[kind].load(entity_id)
        if state is None:
            raise UnknownEntity(kind=kind, id=entity_id)
        return state

    def load(self, kind: str, entity_id: str, *, as_of: str | date | datetime | None = None, seq: int | None = None,
             use_snapshot: bool = True) -> object:
        """Time travel: the entity as it was at a sim time (`as_of`: ISO text, a date = its 00:00 UTC,
        or a datetime, naive read as UTC; every event recorded at or before it) or a journal `seq`;
        None if it was not created yet then, `UnknownEntity` if it never was (a misspelt or foreign
        id). An instant after now reads the state now: nothing later has happened yet, so the same
        read gives another answer once the clock has passed it (reports read the end of today so)."""
        self._open()
        _check_kind(kind)
        _check_id(entity_id)  # 5 was looked up and reported as an unknown entity
        until = parse_instant(as_of).strftime("%Y-%m-%dT%H:%M:%SZ") if as_of is not None else None
        if seq is not None and (type(seq) is not int or not 0 <= seq < 2**63):  # "5" read as 5, 1.5 as nothing
            # before, 2**63 a bare OverflowError from SQLite's bind
            raise InvalidArgument(argument="seq", value=seq, problem="a journal seq: a whole number >= 0")
        if kind not in self.kinds:
            raise UnknownKind(kind=kind)
        state, _ = self.kinds[kind].load(entity_id, to_seq=seq, until=until, use_snapshot=use_snapshot)
        if state is None and not self._exists(kind, entity_id):
            raise UnknownEntity(kind=kind, id=entity_id)
        return state

    def index(self, kind: str) -> IndexTable:
        self._open()
        _check_kind(kind)
        host = self.kinds.get(kind)
        if host is None or host.index is None:
            raise UnknownKind(kind=kind)
        return host.index

    def random(self, name: str) -> random.Random:
        """A named random stream derived from the seed (independent of every other stream); `name`
        is a str of 1-254 characters (`InvalidArgument` otherwise, refused before anything is staged)."""
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
        self._driving("advance")
        for name, value in (("days", days), ("hours", hours), ("minutes", minutes), ("seconds", seconds)):
            if type(value) is not int or value < 0:
                raise InvalidArgument(argument=name, value=value, problem="not a whole, non-negative number")
        total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        if total > MAX_ADVANCE_DAYS * 86_400:
            raise InvalidArgument(argument="days", value=days, problem=f"more than {MAX_ADVANCE_DAYS} days at once")
        with self._moving:  # from the instant this thread's turn begins (threaded runtime: `run_until`)
            self.run_until(self.clock.now + timedelta(seconds=total))

    def run_until(self, when: str | date | datetime) -> None:
        """Move the clock to `when`, running every job, end of day and reaction due on the way. Only
        the caller that drives the run moves the clock: a job or reaction that asks is `ReentrantAsk`
        (nothing of the ask happens), a closed simulation `SimulationClosed`. On the threaded runtime
        another thread's call settling its cascade is no reason to refuse (it was, and a driver
        thread's `advance` failed 166 times in 200 beside two threads recording deposits); two
        threads moving the clock take turns, each moving it to its own `when`."""
        self._driving("run_until")
        if not isinstance(when, (str, date)):
            raise InvalidArgument(argument="when", value=when, problem="an ISO-8601 string, a date or a datetime")
        with self._moving:
            self._open()  # closed by another thread while this one waited its turn
            self._run_until(when)

    def _run_until(self, when: str | date | datetime) -> None:
        target = int(self.clock.env.now) + self.clock.seconds_until(when)
        with fewer_collections():
            try:
                self.settle()
                self.jobs.run_until(target)
            except KeyboardInterrupt:  # inside a job (a price tick's path, say): the job is lost with it
                self.interrupted = self.clock.iso
                raise
            self.journal.set_meta(now=self.clock.iso)
            self.journal.flush()

    def _driving(self, call: str) -> None:
        """Refuse to move a closed or interrupted simulation's clock, or to move it from a job or
        reaction it runs."""
        self._open()
        self._whole()
        if self.finished_run is not None:
            self._finished()
        # this caller's own job or cascade, not another thread's (threaded runtime)
        if self.jobs.own() or (self.reactions.settling and self.reactions.settler == threading.get_ident()):
            raise ReentrantAsk(call=call, problem="the clock is moved by the caller driving the run, not by a job "
                                                  "or reaction it runs (schedule later work with sim.jobs.at)")

    def fork(self, at: str | date | datetime | None = None, journal: str = ":memory:") -> Simulation:
        """A new simulation continuing this one's history as it stood at `at` (default: now), in
        memory or in a new journal file (one that exists is refused), hosting this one's aggregates,
        policies and settings; this journal is only read (see `engine.kernel.fork`). What the journal
        holds comes along (entities, alarms such as obligations falling due); what it does not, does
        not: a price feed (`sim.price.follow`, `follow_providers`) or a job of `sim.jobs`, so the
        branch's price stays where it was at `at` until it is set or followed again. `t` stays
        seconds since this simulation's start, so `branch.price.follow(path)` continues the same path."""
        from engine.kernel.fork import fork_journal

        self._open()
        self._whole()
        journal = journal_path(journal)  # a str or Path; None or a number is `InvalidArgument`
        self.settle(commit=True)
        at_iso = self.clock.iso if at is None else parse_instant(at).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.journal.lock:
            target = fork_journal(self.journal.conn, journal, at_iso, [h.spec for h in self.kinds.values()])
        specs, policies = self._hosted  # the branch hosts this run's aggregates, policies and settings
        return Simulation(seed=self.seed, journal=target, runtime=self.runtime,  # type: ignore[arg-type]
                          aggregates=specs, policies=policies, settings=self.settings)

    # -- lifecycle -----------------------------------------------------------------------
    def close(self, *, deliver: bool = True) -> None:
        """Deliver what is queued (unless `deliver=False`, or the simulation was interrupted), stop
        every actor, commit (every command whole), close. The
        journal file is released even when the last commit fails (`JournalWriteFailed`, saying how
        many acknowledged rows did not become durable); every later `close` raises it again."""
        if self.closed:
            if self._close_failed is not None:
                raise self._close_failed  # what the failed commit lost stays reported, never hidden
            return
        _OPEN.discard(self)
        try:
            if deliver and self.interrupted is None:  # an interrupted cascade is not carried on
                self.settle()
        finally:
            self.closed = True
            self.scheduler.release()  # what is left queued is not delivered: the collector as before
            try:
                self.registry.stop_all()
                ending = {"digest": self.journal.digest(), "now": self.clock.iso}
                stored = self.journal.meta()  # staged rows included: a run reopened only to read is not rewritten
                self.journal.set_meta(**{key: value for key, value in ending.items() if stored.get(key) != value})
            finally:
                try:
                    self.journal.close()
                except JournalWriteFailed as failed:
                    self._close_failed = failed
                    raise
                finally:
                    exporter = getattr(getattr(self, "ledger", None), "exporter", None)
                    for service in (getattr(self, "report", None), exporter):
                        if service is not None:
                            service.close()  # the scratch files of a journal in memory go with it

    def __del__(self) -> None:
        if getattr(self, "_owner", None) == threading.get_ident():  # built whole; not from an actor's thread
            self._close_abandoned()

    def _close_abandoned(self) -> None:
        """Close a simulation nobody closed, without delivering what is queued (no new work runs
        from a collector or at exit): what it acknowledged is committed, as `close` commits it (a
        customer created, the simulation dropped, the file reopened: the customer is there).
        A failed commit is raised as `close` raises it (Python prints it)."""
        if not getattr(self, "closed", True):
            self.close(deliver=False)

    def _whole(self) -> None:
        """`SimulationInterrupted` once a KeyboardInterrupt cut an instant's work short."""
        if self.interrupted is not None:
            raise SimulationInterrupted(at=self.interrupted, journal=self.journal.path)

    def _open(self) -> None:
        if self.closed:  # its journal's connection is closed too (`engine.kernel.journal_commit.ClosedConnection`)
            raise SimulationClosed()

    def __enter__(self) -> Simulation:
        self._open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(deliver=exc_type is None)


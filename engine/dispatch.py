"""The command API of a `Simulation`: one way to ask (`execute`), to tell and to settle; a command
to an unknown kind, a bad id or a command the kind does not take is refused before any actor runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pykka
from pykka import ActorRef

from engine.kernel.authz import AUDIT_INSERT, SYSTEM, Authorizer, System, as_system
from engine.kernel.clock import Clock, Jobs
from engine.kernel.codec import dumps
from engine.kernel.entity import CommandMessage, EntityBehaviour, EntityKind, SimEntityActor, ThreadedEntityActor
from engine.kernel.errors import (
    HandlerFailed,
    InvalidArgument,
    MalformedCommand,
    RunFinished,
    SimulationClosed,
    SimulationInterrupted,
    UnknownEntity,
    UnknownKind,
)
from engine.kernel.ids import Ids
from engine.kernel.journal import Journal
from engine.kernel.port import Outcome
from engine.kernel.reaction import Reactions
from engine.kernel.registry import Registry
from engine.kernel.runtime import Scheduler

__all__ = ["IDLE_SWEEPS", "MAX_ID", "SWEEP_SECONDS", "Dispatch"]

_new = object.__new__
_COMMAND_ID = len('{"command":"')  # where a journal context's command id begins (`Dispatch.message`)

MAX_ID = 254  # characters in an entity id
SWEEP_SECONDS = 7 * 86_400  # sim time between two sweeps of idle actors (`Registry.sweep`)
IDLE_SWEEPS = 5  # an actor idle for 5 sweeps in a row (35 days: longer than a monthly cycle) is released


class Dispatch:
    """Commands into the entity actors, for `Simulation` (which builds everything used here).

    What an `execute` promises under group commit: when a command returns `Executed`, its events,
    index rows and outbox rows are sequenced and staged in the open group transaction, and every
    later read through this simulation sees them. They become durable at the next group commit:
    when the clock moves to another instant, when `group_rows` events are staged, on `flush()`, or
    on `close()`.
    """

    # the simulation's parts this API drives (set by `Simulation.__init__`)
    runtime: str
    closed: bool
    interrupted: str | None
    finished_run: str | None  # the scenario whose finished run the journal holds: read, never continued
    journal: Journal
    ids: Ids
    clock: Clock
    jobs: Jobs
    kinds: dict[str, EntityKind]
    registry: Registry
    scheduler: Scheduler
    authz: Authorizer
    reactions: Reactions
    _deterministic: bool
    _actors: dict[tuple[str, str], Any]
    _audit: tuple[object, ...] | None
    _subjects: dict[str, str]
    _next_sweep: float  # sim second of the next sweep of idle actors (never, on the threaded runtime)
    _cause: tuple[str | None, str] = (None, "null")  # the last cause and its JSON text (one, not one per cause)

    # -- ask, tell, settle ------------------------------------------------------------------
    def execute(self, kind: str, entity_id: str, command: object, *, subject: str = SYSTEM,
                causation: str | None = None, trace_id: str | None = None) -> Outcome:
        """Ask: run one command through the entity's actor, then settle every reaction it caused;
        returns `Executed` / `AlreadyApplied` or raises the typed refusal (`SimulationInterrupted`
        once a KeyboardInterrupt cut a cascade short: see `settle`)."""
        if self.interrupted is not None:
            raise SimulationInterrupted(at=self.interrupted, journal=self.journal.path)
        result = self._ask(kind, entity_id, command, subject, causation, trace_id)
        journal = self.journal
        if self.reactions.quiet and self._deterministic and not self.scheduler.queue and not self.jobs.deferred \
                and journal._seq - journal._flushed_seq < journal.group_rows and self.clock.env.now < self._next_sweep:
            return result  # `settle` would find nothing to do: nothing published, queued, deferred, due or full
        self.settle()
        return result

    def tell(self, kind: str, entity_id: str, command: object, *, subject: str = SYSTEM,
             causation: str | None = None, trace_id: str | None = None) -> None:
        """Tell: issue a command without its result. Queued on the deterministic runtime and delivered
        by the next `settle()` (in order); asked and awaited on the threaded one. Jobs, reactions and
        scenarios issue their commands this way."""
        if not self._deterministic:
            self._ask(kind, entity_id, command, subject, causation, trace_id)
            return
        # `_live`, inlined: every job's, reaction's and scenario's command comes this way
        actor = self._actors.get((kind, entity_id)) if entity_id.__class__ is str else None
        if actor is not None and subject.__class__ is System and command.__class__ in actor.kind.commands \
                and not self.closed and not actor._stopped.flag:
            self.authz.rows.append(self.authz.system_row(actor.kind, command, subject))
        else:  # the full checks; the actor spawned if need be, the audit row staged
            ref = self._ref(kind, entity_id, command, subject)
            actor = self._actors.get((kind, entity_id))
            if actor is None or actor.actor_ref is not ref:  # not one this simulation holds
                ref.tell(self.message(command, subject, causation, trace_id))
                return
        queue = self.scheduler.queue
        if not queue:
            self.scheduler.hold()
        queue.append((actor, self.message(command, subject, causation, trace_id)))  # its own envelope

    def _tell_as_system(self, kind: str, entity_id: str, command: object, *, subject: str, **context: Any) -> None:
        """`tell` for the kernel's reactions and alarms: their subjects name system principals."""
        self.tell(kind, entity_id, command, subject=as_system(subject), **context)

    def settle(self, *, commit: bool = False) -> None:
        """Settle: deliver queued commands and run reactions until quiescent (the instant's cascade);
        with `commit`, also group-commit everything staged (durable on disk). A KeyboardInterrupt
        while it runs marks the simulation `interrupted` (each command is whole, but the cascade is
        cut: a queued command may be lost), and it refuses to go on (`SimulationInterrupted`)."""
        try:
            self._settle(commit)
        except KeyboardInterrupt:
            self.interrupted = self.clock.iso
            raise

    def _settle(self, commit: bool) -> None:
        # `execute` skips the call when none of this would do anything: keep its test in step
        if not self._deterministic:
            self._raise_thread_failures()
        self.reactions.settle()
        if self.jobs.deferred and not self.reactions.settling:
            self.jobs.run_deferred()
        if self.clock.env.now >= self._next_sweep:
            self._sweep_idle()
        if commit:
            self.journal.flush()
        else:
            self.journal.maybe_flush()

    def _sweep_idle(self) -> None:
        """Once every `SWEEP_SECONDS` of sim time, when a settle finds nothing queued: release the
        actors idle for `IDLE_SWEEPS` sweeps in a row (`Registry.sweep`). Nothing journaled depends
        on which actors are live (a released entity is folded again from the journal)."""
        if self.scheduler.queue or self.scheduler.running or self.reactions.settling or self.jobs.deferred:
            return  # a later settle sweeps
        self._next_sweep = int(self.clock.env.now) + SWEEP_SECONDS
        self.registry.sweep(IDLE_SWEEPS)

    def _ask(self, kind: str, entity_id: str, command: object, subject: str, causation: str | None,
             trace_id: str | None) -> Outcome:
        scheduler = self.scheduler
        if self._deterministic and not scheduler.queue and not scheduler.running:
            actor = self._live(kind, entity_id, command, subject)
            if actor is None:  # the full checks; a new entity's actor spawned, a user's audit row held
                ref = self._ref(kind, entity_id, command, subject)
                actor = self._actors.get((kind, entity_id))
                if actor is None or actor.actor_ref is not ref or scheduler.queue or actor._stopped.flag:
                    return self._ask_ref(ref, kind, entity_id, command, subject, causation, trace_id)
            # nothing queued before it: delivering it now is what a run would do (`Scheduler.call`,
            # inlined), without pykka's envelope and future (a new entity's first command too)
            message = self.message(command, subject, causation, trace_id)
            scheduler.running = True
            try:
                result: Outcome = actor.kind.handle(actor, message)
                return result
            except Exception:
                self._forget_empty(kind, entity_id)
                raise
            finally:
                scheduler.running = False
        ref = self._ref(kind, entity_id, command, subject)
        return self._ask_ref(ref, kind, entity_id, command, subject, causation, trace_id)

    def _ask_ref(self, ref: ActorRef[Any], kind: str, entity_id: str, command: object, subject: str,
                 causation: str | None, trace_id: str | None) -> Outcome:
        try:
            result: Outcome = ref.ask(self.message(command, subject, causation, trace_id), block=True)
            return result
        except Exception:
            self._forget_empty(kind, entity_id)
            raise

    def _forget_empty(self, kind: str, entity_id: str) -> None:
        if getattr(self.registry.actor(kind, entity_id), "state", True) is None:
            self.registry.discard(kind, entity_id)  # a refused create leaves no empty actor behind

    def _live(self, kind: str, entity_id: str, command: object, subject: str) -> Any:
        """The hot path of the deterministic runtime: the live actor of a system principal's command
        it takes, with the command's audit row staged; None when the full checks of `_ref` apply."""
        actor = self._actors.get((kind, entity_id)) if entity_id.__class__ is str else None
        if actor is None or subject.__class__ is not System or command.__class__ not in actor.kind.commands \
                or self.closed or actor._stopped.flag:
            return None
        self.authz.rows.append(self.authz.system_row(actor.kind, command, subject))
        return actor

    def _post(self, kind: str, entity_id: str, command: object, subject: str, causation: str | None,
              trace_id: str | None) -> None:
        """Hand the command to the actor's mailbox (an overdue alarm rings inside the cascade this way
        on either runtime); a failure on the threaded runtime is raised by the next `settle()`."""
        self._ref(kind, entity_id, command, subject).tell(self.message(command, subject, causation, trace_id))

    def message(self, command: object, subject: str, causation: str | None, trace_id: str | None) -> CommandMessage:
        """The journal context: command id, trace (correlation) id, causation, acting subject."""
        ids = self.ids  # `Ids.command`, inlined: one call fewer a command
        ids._commands = n = ids._commands + 1
        command_id = f"cmd-{n}"
        trace = trace_id or command_id
        tail = self._subjects.get(subject)
        if tail is None:  # one entry per acting subject (system actors and users)
            tail = self._subjects[subject] = f'"subject":{dumps(subject)}}}'
        last = self._cause  # read once: threads may replace it meanwhile
        if causation is None:
            cause = "null"
        elif causation == last[0]:  # a batch's or a cascade's commands share their cause
            cause = last[1]
        else:
            cause = dumps(causation)
            self._cause = (causation, cause)
        context = f'{{"command":"{command_id}","trace":"{trace}","causation":{cause},{tail}'
        message = _new(CommandMessage)  # its four slots set here: a Python `__init__` call costs more than them
        message.command, message.context, message.trace_id = command, context, trace
        message.audit, self._audit = self._audit, None
        return message

    def messages(self, subject: str, causation: str | None, trace_id: str | None) -> Callable[[object], CommandMessage]:
        """`message` for each command of a batch, which share subject, cause and trace (`Batch.run`):
        the first is `message`'s, and the context's text after its command id is reused for the rest
        (each command still draws its command id in turn). With no trace id each command is its own
        trace: `message` itself. A system principal's batch has no user's audit row to carry."""
        if not trace_id:
            return lambda command: self.message(command, subject, causation, trace_id)
        ids, after = self.ids, ""

        def message(command: object) -> CommandMessage:
            nonlocal after
            if not after:
                first = self.message(command, subject, causation, trace_id)
                after = first.context[first.context.index('"', _COMMAND_ID):]  # from the quote ending its id
                return first
            ids._commands = n = ids._commands + 1
            built = _new(CommandMessage)
            built.command, built.trace_id, built.audit = command, trace_id, None
            built.context = f'{{"command":"cmd-{n}{after}'
            return built

        return message

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
        if self.finished_run is not None:  # before an audit row is staged: the run's journal gains nothing
            self._finished()
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

    # -- what the actors, authorization and the kernel call back ----------------------------
    def _exists(self, kind: str, entity_id: str) -> bool:
        """A live actor or a stored stream (a create still settling counts); closed: `SimulationClosed`."""
        if self.closed:
            raise SimulationClosed()
        if type(entity_id) is not str:
            return False
        return self.registry.actor(kind, entity_id) is not None or self.journal.exists(kind, entity_id)

    def _is_user(self, subject: str) -> bool:
        return ("user" in self.kinds and self.journal.exists("user", subject)) or \
            self.registry.actor("user", subject) is not None

    def _settling(self) -> bool:
        return self.reactions.settling

    def _spawn(self, kind: str, entity_id: str) -> pykka.Actor:
        """A live actor for (kind, id). None in a finished run (`RunFinished`): every command reaches
        an actor, and with none live every one goes through `_ref`'s checks, which refuse it."""
        if self.finished_run is not None:
            self._finished()
        host = self.kinds[kind]
        actor: SimEntityActor | ThreadedEntityActor
        if self.runtime == "deterministic":
            actor = SimEntityActor(host, entity_id, self.scheduler)
        else:
            actor = ThreadedEntityActor(host, entity_id)
        actor._start_actor_loop()  # not Actor.start(): stay out of pykka's global registry
        return actor

    def _finished(self) -> Any:
        """`RunFinished`: a scenario's finished run is read, never continued: a command to it (a
        service's, `execute`, `tell`, a job's or a reaction's) or its clock moving would append to the
        run's journal without the run's market, desk and borrowers."""
        raise RunFinished(journal=self.journal.path, scenario=self.finished_run)

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

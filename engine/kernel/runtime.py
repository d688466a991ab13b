"""Deterministic pykka runtime: inboxes, futures and the actor loop driven by one scheduler.

`SimActor` implements pykka's three runtime hooks. Its inbox puts envelopes on the simulation's
single FIFO delivery queue; its futures run that queue (on the calling thread) until they resolve;
its loop is the queue itself. Delivery order is therefore the order messages were sent, on every
run. Actors are kept out of pykka's process-global registry (see `engine.kernel.registry`).
"""

from __future__ import annotations

import gc
import sys
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pykka
from pykka import ActorDeadError, ActorRef, Future

from engine.kernel.errors import ReentrantAsk

__all__ = ["Scheduler", "SimActor", "SimFuture", "fewer_collections"]


_RARER = (1_000_000, 50, 1000)
# Why the collector runs at `_RARER` now: open `fewer_collections` blocks and holding schedulers.
# The first to start saves the thresholds it replaced, the last to end puts them back; the others
# only count (no threshold read or set: ~3,000 instructions a cascade inside a run's clock).
_rarer = 0
_saved: tuple[int, int, int] = gc.get_threshold()


def _rarer_start() -> None:
    global _rarer, _saved
    if not _rarer:
        _saved = gc.get_threshold()
        if _saved[0] < _RARER[0]:
            gc.set_threshold(*_RARER)
    _rarer += 1


def _rarer_end() -> None:
    global _rarer
    _rarer -= 1
    if not _rarer:
        gc.set_threshold(*_saved)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run with rarer cyclic garbage collections (restored after): a run allocates a few dozen
    short-lived objects per command while holding millions of long-lived ones, and CPython's
    default thresholds (700, 10, 10) spent about a fifth of a portfolio run rescanning them.
    A young generation of a million objects outlasts a group commit's staged rows (about 3 a
    facility-day, freed by the commit), so they are never scanned: at 100,000 a 1,000-facility
    year ran 8-9 young collections scanning ~130,000 rows each (0.47 s CPU), at a million one.
    Cycles are still collected; memory is freed by reference counting as before. A queue held
    since before the block and drained inside it (commands told, then `advance`) leaves the
    rarer thresholds in place to the block's end, and the caller's come back after it."""
    _rarer_start()
    try:
        yield
    finally:
        _rarer_end()

_UNSET = object()


class Scheduler:
    """The one delivery queue of a simulation; `run` drains it on the calling thread.

    While messages wait in the queue or are delivered, the cyclic collector runs at the rarer
    thresholds of `fewer_collections` (restored once the queue is drained): a caller telling many
    commands before settling fills the queue with objects that are all freed by reference counting
    on delivery, and at CPython's default thresholds rescanning them cost half of each `tell`."""

    def __init__(self, on_failure: Callable[[Any, object, BaseException], BaseException] | None = None) -> None:
        self.queue: deque[tuple[SimActor, Any]] = deque()
        self.running = False
        self.on_failure = on_failure  # (the failed actor, as its owner built it, message, exc) -> Exception to raise
        self._holding = False  # collecting rarely until the queue is drained (`hold`)

    def hold(self) -> None:
        """Messages are being queued: collect rarely until `run` drains them (call when the queue
        is empty and about to receive one)."""
        if not self._holding:
            self._holding = True
            _rarer_start()

    def run(self, until: SimFuture | None = None) -> None:
        if self.running:
            raise ReentrantAsk(problem="an actor blocked on a future inside a handler")
        self.running = True
        queue, failed = self.queue, True
        self.hold()  # delivering is a run too (`fewer_collections`)
        try:
            while queue:
                actor, envelope = queue.popleft()
                actor._deliver(envelope)
                if until is not None and until._done:
                    failed = False
                    return
            failed = False
        finally:
            self.running = False
            if (failed or not queue) and self._holding:  # drained, or stopped by a failure
                self.release()

    def release(self) -> None:
        """The queue drained, or closed with messages still in it (`close(deliver=False)`, an
        interrupted run): the collector's thresholds come back (`hold`'s end)."""
        if self._holding:
            self._holding = False
            _rarer_end()

    def call(self, handler: Callable[..., Any], *args: Any) -> Any:
        """Deliver one message by calling its handler at once, when nothing is queued before it:
        what `run` would do (a handler that blocks on a future is `ReentrantAsk` all the same)."""
        if self.running:
            raise ReentrantAsk(problem="an actor blocked on a future inside a handler")
        self.running = True
        try:
            return handler(*args)
        finally:
            self.running = False

    def fail(self, actor: SimActor, message: object, exc: BaseException) -> None:
        error = self.on_failure(actor, message, exc) if self.on_failure else exc
        raise error from exc


class SimInbox:
    """pykka `ActorInbox` whose `put` enqueues on the scheduler instead of a thread's queue."""

    __slots__ = ("_actor", "_queue", "_scheduler")

    def bind(self, scheduler: Scheduler, actor: SimActor) -> None:
        self._scheduler, self._queue, self._actor = scheduler, scheduler.queue, actor

    def put(self, envelope: Any, /) -> None:
        reply_to = envelope.reply_to
        if reply_to is not None:
            reply_to.scheduler = self._scheduler
        if not self._queue:
            self._scheduler.hold()
        self._queue.append((self._actor, envelope))

    def get(self) -> Any:
        raise ReentrantAsk(problem="a SimActor inbox is drained by its scheduler only")

    def empty(self) -> bool:
        return not any(a is self._actor for a, _ in self._queue)


class _StoppedActor:
    """Where a stopped actor's inbox delivers: an ask gets `ActorDeadError`, a tell is dropped."""

    @staticmethod
    def _deliver(envelope: Any) -> None:
        if envelope.reply_to is not None:
            envelope.reply_to.set_exception((ActorDeadError, ActorDeadError("the actor stopped"), None))


_STOPPED: Any = _StoppedActor()


class SimFuture(Future[Any]):
    """A pykka future resolved by running the scheduler, never by waiting on a thread."""

    def __init__(self) -> None:
        super().__init__()
        self.scheduler: Scheduler | None = None
        self._done = False
        self._value: Any = _UNSET
        self._exc_info: Any = None

    def get(self, *, timeout: float | None = None) -> Any:
        if self._get_hook is not None:  # a mapped/filtered future (pykka's get hooks)
            return super().get(timeout=timeout)
        if not self._done and self.scheduler is not None:
            self.scheduler.run(until=self)
        if not self._done:
            raise pykka.Timeout("the scheduler went idle before this future was resolved")
        if self._exc_info is not None:
            raise self._exc_info[1].with_traceback(self._exc_info[2])
        return self._value

    def set(self, value: Any | None = None) -> None:
        self._value, self._done = value, True

    def set_exception(self, exc_info: Any = None) -> None:
        self._exc_info, self._done = exc_info or sys.exc_info(), True


class _Stopped:
    __slots__ = ("flag",)

    def __init__(self) -> None:
        self.flag = False

    def is_set(self) -> bool:
        return self.flag

    def set(self) -> None:
        self.flag = True


class SimActor(pykka.Actor):
    """A pykka actor whose messages are delivered by a `Scheduler` on one thread."""

    def __init__(self, scheduler: Scheduler, urn: str) -> None:
        # pykka.Actor.__init__ would draw a uuid4 URN and a threading.Event per actor.
        self.actor_urn = urn
        self.actor_inbox = self._create_actor_inbox()
        self.actor_inbox.bind(scheduler, self)
        self._stopped = _Stopped()
        self.actor_stopped = self._stopped  # type: ignore[assignment]
        self._actor_ref = ActorRef(self)
        self._scheduler = scheduler

    @staticmethod
    def _create_actor_inbox() -> SimInbox:
        return SimInbox()

    @staticmethod
    def _create_future() -> Future[Any]:
        return SimFuture()

    def _start_actor_loop(self) -> None:
        self._actor_loop_setup()  # on_start; the scheduler's queue is the loop

    def _deliver(self, envelope: Any) -> None:
        """One turn of pykka's `_actor_loop_running`, with tell failures surfaced, not fatal."""
        reply_to = envelope.reply_to
        if self._stopped.flag:
            if reply_to is not None:
                reply_to.set_exception((ActorDeadError, ActorDeadError(f"{self} stopped"), None))
            return
        try:
            response = self._handle_receive(envelope.message)
        except Exception as exc:
            if reply_to is None:
                self._scheduler.fail(self, envelope.message, exc)
            reply_to.set_exception()
            return
        if reply_to is not None:
            reply_to.set(response)

    def _stop(self) -> None:
        """Stop, and let go of the inbox's hold on the actor (the inbox is the actor's and its ref's:
        kept, the pair is a reference cycle only the collector frees, with the actor's state)."""
        self.actor_stopped.set()
        self.on_stop()
        self.actor_inbox._actor = _STOPPED  # type: ignore[attr-defined]


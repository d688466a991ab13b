"""Ctrl-C during `lanasim run`: the first stops the run at the next simulated day, a second before
that stop begins stops it at once, and any later one is ignored, so the stop is never cut short
(`lanasim sweep`: the first stops at once, later ones are ignored).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from scenarios.console import RunProgress

__all__ = ["Terminated", "by_interrupt", "ignore_sigint", "interrupt_once", "stop_on_sigint", "terminate_once"]


@contextmanager
def stop_on_sigint(progress: RunProgress, *, process_ends: bool = False) -> Iterator[None]:
    """SIGINT while the block runs: the first sets `progress.stop_requested` (the run raises
    `Stopped` at its next day boundary, where the journal has just committed); a second, while that
    request has not been acted on, raises `KeyboardInterrupt` where the run is; once the run is
    stopping (`progress.stopping`) every further one is ignored, so closing the simulation and
    saying how far the journal is consistent always finish, and the exit status is the
    interrupted run's. With `process_ends` (lanasim is the program, about to exit) SIGINT stays
    ignored after a stop, so one arriving while the interpreter shuts down cannot kill the
    process (exit status -2); otherwise the previous handler is restored. Outside the main thread
    (no signals there) nothing is installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: object) -> None:
        if progress.stopping:
            return
        if progress.stop_requested:
            progress.stopping = True
            raise KeyboardInterrupt
        progress.stop_requested = True

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN if process_ends and progress.stop_requested else previous)


@contextmanager
def interrupt_once(*, process_ends: bool = False) -> Iterator[None]:
    """The first SIGINT while the block runs raises `KeyboardInterrupt` where it is (as Python's own
    handler does); every later one is ignored, so what the interrupted block does on its way out
    (closing a Dask cluster, saying what was kept) is not cut short. After the block the previous
    handler is restored, or, with `process_ends` and an interrupt seen, SIGINT stays ignored (see
    `stop_on_sigint`)."""
    with _once(signal.SIGINT, KeyboardInterrupt, process_ends=process_ends):
        yield


class Terminated(KeyboardInterrupt):
    """SIGTERM, stopping a command as a Ctrl-C does."""


@contextmanager
def terminate_once() -> Iterator[None]:
    """SIGTERM (`kill PID`, `timeout`, a service manager stopping it) raises `Terminated` (a
    `KeyboardInterrupt`) as the first Ctrl-C does; later ones are ignored while the block stops."""
    with _once(signal.SIGTERM, Terminated):
        yield


@contextmanager
def _once(signum: int, raised: type[BaseException], *, process_ends: bool = False) -> Iterator[None]:
    """The first `signum` while the block runs raises `raised` where it is, later ones are ignored;
    then the previous handler is restored (with `process_ends` and one seen: the signal ignored)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seen = False

    def handle(signum: int, frame: object) -> None:
        nonlocal seen
        if not seen:
            seen = True
            raise raised

    previous = signal.signal(signum, handle)
    try:
        yield
    finally:
        signal.signal(signum, signal.SIG_IGN if process_ends and seen else previous)


def ignore_sigint() -> None:
    """Ignore SIGINT from now on (the main thread only): an interrupted lanasim is only exiting, and
    a Ctrl-C arriving while the interpreter shuts down would otherwise kill it (exit status -2)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def by_interrupt(exc: BaseException) -> bool:
    """Whether `exc` is, or was raised while handling, a `KeyboardInterrupt` (the journal's group
    commit reports one that lands mid-write as `JournalWriteFailed`)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False

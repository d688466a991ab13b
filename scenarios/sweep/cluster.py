"""Where runs execute: a `LocalCluster` on 127.0.0.1 (one single-threaded process per worker) or an
existing scheduler (`dask scheduler` + `dask worker`); an unreachable one is one line, not a hang."""

from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import ExitStack, contextmanager

from scenarios.library import ScenarioError

__all__ = ["CONNECT_TIMEOUT", "QUIET", "connect"]

CONNECT_TIMEOUT = 8  # seconds: an unreachable scheduler is reported within 10 s
# A local cluster's background work costs CPU for every second a sweep lasts (an idle worker and
# the client's scheduler and nannies: 2.4 % and 2.9 % of a core by default, 0.3 % and 0.6 % so): no
# statistical profiler sampling the busy thread every 10 ms, the event-loop watchdog ticking each
# second instead of every 20 ms (its warnings are silenced anyway), memory checked each second
# instead of every 100 ms, and the dashboard's resource figures sampled every 2 s.
QUIET = {"distributed.admin.system-monitor.gil.enabled": False, "distributed.worker.profile.enabled": False,
         "distributed.admin.tick.interval": "1s", "distributed.worker.memory.monitor-interval": "1s",
         "distributed.admin.system-monitor.interval": "2s"}


@contextmanager
def connect(*, workers: int | None = None, scheduler: str | None = None):
    """A `dask.distributed.Client`, closed (and its local cluster with it) on exit."""
    import dask
    from dask.distributed import Client, LocalCluster

    for name in ("distributed", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # a scheduler lost mid-sweep: the client logs each failed reconnection with a 40-line traceback,
    # where the sweep says it in one line (runner._stream)
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    with dask.config.set({"distributed.comm.timeouts.connect": f"{CONNECT_TIMEOUT}s", **QUIET}), \
            ExitStack() as held:
        if scheduler:
            try:
                _handshake(scheduler)
                client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ScenarioError(f"cannot reach the dask scheduler at {scheduler}: "
                                    f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
            held.callback(client.close)
        else:
            with _ctrl_c_held():  # Ctrl-C stops the sweep, which closes its workers quietly
                cluster = held.enter_context(_local(LocalCluster, workers))
                client = held.enter_context(Client(cluster))
        yield client


def _handshake(address: str) -> None:
    """Connect to `address` and read a dask handshake within `CONNECT_TIMEOUT` (and a second), on a
    thread of its own (a notebook's thread runs an event loop already). dask's own connect waits
    for the handshake without a limit: `--scheduler` naming a port where something else listens (a
    web server, a service that reads first) hung the sweep for good. Anything it raises is the
    address's problem: an OSError of its words (tornado's WebSocketError, msgpack's errors too)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect as open_comm
    from distributed.comm import get_address_host_port

    port = get_address_host_port(address)[1]  # ValueError: a malformed address
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is out of range (1-65535)")

    async def shake() -> None:
        try:
            comm = await asyncio.wait_for(open_comm(address, timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT + 1)
        except TimeoutError:
            raise OSError(f"something listens there but gave no dask handshake within {CONNECT_TIMEOUT} s "
                          "(not a dask scheduler?)") from None
        except OSError:
            raise
        except Exception as exc:  # the bytes it answered are no dask message
            raise OSError(f"not a dask scheduler ({type(exc).__name__}: {exc})") from None
        await comm.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, shake()).result()


def _local(local_cluster, workers: int | None):
    """A `LocalCluster` on 127.0.0.1, or one line when it cannot start: a worker process that died
    as it started (killed, out of memory) ended the sweep in a traceback of RuntimeError: Nanny
    failed to start. Nothing is written before, so the same command is all it takes."""
    import dask

    # each worker, restarted ones too, runs dask_setup, after the preloads dask's config names
    preload = [*(dask.config.get("distributed.worker.preload", None) or []), __name__]
    try:
        return local_cluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                             host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
                             preload=preload)
    except (RuntimeError, OSError, TimeoutError) as exc:
        causes = [str(e) for e in (exc.__cause__, exc) if e is not None and str(e)]
        raise ScenarioError(f"the local dask cluster did not start ({(causes or [type(exc).__name__])[0]}); "
                            "nothing was run: run the same command again") from None


_HEARTBEAT_LOST = "Failed to communicate with scheduler during heartbeat."


def _not_a_lost_heartbeat(record: logging.LogRecord) -> bool:
    return record.msg != _HEARTBEAT_LOST


def dask_setup(worker: object) -> None:
    """A local worker's preload: drop its heartbeat that met the scheduler closed. As the sweep ends or
    stops (Ctrl-C) on a loaded machine, a worker's heartbeat in flight when the scheduler closed
    logged that line with a 40-line CommClosedError traceback under the sweep's closing lines; the
    scheduler lives in the sweep's own process, so a lost one is the sweep's to say (runner._stream).
    Other worker errors still reach stderr."""
    log = logging.getLogger("distributed.worker")
    if _not_a_lost_heartbeat not in log.filters:
        log.addFilter(_not_a_lost_heartbeat)


@contextmanager
def _ctrl_c_held():
    """While a local cluster starts: every process it starts, then or later (a worker that died is
    started again by its nanny), is born with SIGINT blocked, inherited from the cluster's threads
    started here; and a Ctrl-C meanwhile is held until the cluster is running, so that it stops
    the sweep with the cluster held and closed. A terminal's Ctrl-C reaches the whole process
    group: workers that took it printed a KeyboardInterrupt traceback each (one killed and
    restarted no longer ignored it; one starting was killed at import), and a Ctrl-C while the
    cluster started left it half-made, closed at exit with 'AssertionError: Status.init'."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()  # started later, from a blocked thread, it would unblock SIGINT there
    seen: list[int] = []
    here = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: seen.append(1)) if here else None
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a Ctrl-C pending meanwhile is handled here
        if here:
            signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    if seen:  # as the handler the sweep set would have: KeyboardInterrupt
        if callable(previous):
            previous(signal.SIGINT, None)
        elif previous == signal.SIG_DFL:
            signal.raise_signal(signal.SIGINT)

"""Where runs execute: a `LocalCluster` on 127.0.0.1 (one single-threaded process per worker) or an
existing scheduler (`dask scheduler` + `dask worker`); an unreachable one is one line, not a hang."""

from __future__ import annotations

import logging
import os
import signal
from contextlib import contextmanager

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
    with dask.config.set({"distributed.comm.timeouts.connect": f"{CONNECT_TIMEOUT}s", **QUIET}):
        if scheduler:
            try:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ScenarioError(f"cannot reach the dask scheduler at {scheduler}: "
                                    f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
            cluster = None
        else:
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
            client.run(_ignore_ctrl_c)  # Ctrl-C stops the sweep, which closes its workers quietly
        try:
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)

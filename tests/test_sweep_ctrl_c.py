"""Ctrl-C in a terminal reaches the sweep's whole process group, its local workers included: they
must not take it (the client stops the sweep and closes them), whether they were started with the
cluster or again after one died, and a Ctrl-C while the cluster starts stops the sweep with the
cluster closed."""

from __future__ import annotations

import os
import signal

import pytest

from scenarios.sweep.cluster import connect

pytestmark = pytest.mark.timeout(120)


def _worker_pid(client) -> int:
    return next(iter(client.run(os.getpid).values()))


def _takes_ctrl_c() -> bool:
    """Run on a worker: whether a SIGINT would reach its Python (neither blocked nor ignored)."""
    return (signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
            and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN)


def _restarted_worker(client, dead: int) -> int:
    """The pid of the worker the nanny started in place of `dead` (no timed wait: pytest's timeout)."""
    while True:
        try:
            client.wait_for_workers(1)
            pid = _worker_pid(client)
        except Exception:  # the dead worker's address is still listed for a moment
            continue
        if pid != dead:
            return pid


def test_a_local_worker_started_again_after_dying_takes_no_ctrl_c():
    """A worker killed mid-sweep (an OOM kill) and started again by its nanny took the next Ctrl-C:
    a KeyboardInterrupt traceback of 40 lines from 'Dask Worker process (from Nanny)'."""
    with connect(workers=1) as client:
        first = _worker_pid(client)
        assert list(client.run(_takes_ctrl_c).values()) == [False]
        os.kill(first, signal.SIGKILL)
        again = _restarted_worker(client, first)
        assert list(client.run(_takes_ctrl_c).values()) == [False]
        os.kill(again, signal.SIGINT)  # what a terminal's Ctrl-C sends it
        assert client.run(os.getpid) and _worker_pid(client) == again


def test_a_ctrl_c_while_the_local_cluster_starts_stops_the_sweep_with_the_cluster_closed(monkeypatch):
    """A Ctrl-C while the workers started left the cluster half-made: the sweep said 'interrupted',
    then 'Exception ignored in atexit callback ... AssertionError: Status.init' and the workers'
    tracebacks."""
    import dask.distributed
    from distributed.core import Status

    real, made = dask.distributed.LocalCluster, []

    def starting(*args, **kwargs):
        made.append(real(*args, **kwargs))
        os.kill(os.getpid(), signal.SIGINT)  # arrives before connect holds the cluster
        return made[-1]

    monkeypatch.setattr(dask.distributed, "LocalCluster", starting)
    with pytest.raises(KeyboardInterrupt), connect(workers=1):
        pytest.fail("the sweep went on after a Ctrl-C")
    assert made[0].status == Status.closed

"""A sweep survives what goes wrong on its workers: a worker process that dies is a `lost` row (no
traceback, no row lost with it) that the next invocation runs again; negative seeds are seeds."""

from __future__ import annotations

import logging
import os

import pytest

from scenarios.library import load_scenario, parse_params
from scenarios.sweep import parse_seeds, sweep

pytestmark = pytest.mark.timeout(120)


def die_on_seed_two() -> None:
    """Injected into a worker process: its run of seed 2 ends the process (an OOM kill, a segfault)."""
    from scenarios.library import Scenario

    real = Scenario.execute

    def execute(self, *, seed, **kwargs):
        if seed == 2:
            os._exit(1)
        return real(self, seed=seed, **kwargs)

    Scenario.execute = execute


def test_a_run_whose_worker_process_dies_is_a_lost_row_and_the_next_invocation_runs_it(tmp_path):
    import dask
    from dask.distributed import Client, LocalCluster

    out = tmp_path / "sweep"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=None, silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as client:
        client.run(die_on_seed_two)  # a restarted worker process is a fresh one: the rerun's seed 2 runs
        first = sweep("march-2020", [1, 2, 3], [], ["facilities=3", "days=1"], out,
                      scheduler=cluster.scheduler_address)
        statuses = dict(zip(first.runs["seed"], first.runs["status"]))
        assert statuses[2] == "lost" and set(statuses.values()) <= {"ok", "lost"} and len(statuses) == 3
        assert "KilledWorker" in first.runs.set_index("seed").loc[2, "error"]
        again = sweep("march-2020", [1, 2, 3], [], ["facilities=3", "days=1"], out,
                      scheduler=cluster.scheduler_address)
    assert again.counts["ran"] == list(statuses.values()).count("lost")
    assert list(again.runs["status"]) == ["ok"] * 3
    scenario = load_scenario("march-2020")
    params = parse_params(scenario, ["facilities=3", "days=1"])
    assert again.runs.set_index("seed").loc[2, "digest"] == scenario.execute(seed=2, journal=":memory:",
                                                                               params=params)["digest"]


@pytest.mark.parametrize(("text", "seeds"), [
    ("-3--1", [-3, -2, -1]), ("-1-1", [-1, 0, 1]), ("-5,0,5", [-5, 0, 5]), ("1,-2", [1, -2]), ("-7", [-7]),
    (" 2 - 4 ", [2, 3, 4]),
])
def test_negative_seeds_are_seeds_in_ranges_and_lists_too(text, seeds):
    assert parse_seeds(text) == seeds


def test_a_local_worker_that_dies_as_the_cluster_starts_ends_the_sweep_in_one_line_touching_nothing(tmp_path, capsys):
    """A worker process killed as the local cluster started (a kill -9 two seconds into the sweep)
    ended it in a 60-line traceback, 'RuntimeError: Nanny failed to start.', exit status 1."""
    import dask

    from scenarios.cli import main

    preload = tmp_path / "die_at_start.py"
    preload.write_text("import os\nos._exit(1)\n")  # runs in each worker process as it starts
    out = tmp_path / "sweep"
    with dask.config.set({"distributed.worker.preload": [str(preload)]}):
        code = main(["sweep", "march-2020", "--seeds", "1-2", "--set", "facilities=3", "--set", "days=1",
                     "--workers", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "lanasim: error: the local dask cluster did not start (" in err and "run the same command again" in err
    assert not out.exists()


def test_a_scheduler_lost_mid_sweep_ends_it_in_one_line_keeping_the_finished_runs_for_the_same_command(tmp_path):
    """`dask scheduler` killed mid-sweep: every run not yet back became a `lost` row, a 40-line
    traceback of the client's reconnection was printed, and the sweep ended with status 0 and a risk
    table over the few runs that finished, as if the sweep were done."""
    import signal
    import socket
    import subprocess
    import sys
    from pathlib import Path

    from dask.distributed import Client

    from scenarios.library import ScenarioError
    from scenarios.sweep import read_runs

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": str(tmp_path),
             "env": {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}}
    scheduler = subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--no-dashboard"], **quiet)
    worker = subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nworkers", "1", "--nthreads",
                               "1", "--no-dashboard", "--host", "127.0.0.1"], **quiet)
    out, seeds, settings = tmp_path / "sweep", [1, 2, 3, 4, 5, 6], ["facilities=3", "days=1"]

    def kill_the_scheduler(done, total, row):
        if done == 1:
            scheduler.send_signal(signal.SIGKILL)

    try:
        with Client(address, timeout=20) as client:
            client.wait_for_workers(1, timeout=30)
        with pytest.raises(ScenarioError, match=f"lost the dask scheduler at {address} mid-sweep: the runs that "
                                                f"finished are kept in {out} .run the same command"):
            sweep("march-2020", seeds, [], settings, out, scheduler=address, progress=kill_the_scheduler)
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait(timeout=15)
    kept = read_runs(out)
    assert len(kept) >= 1 and set(kept["status"]) == {"ok"}
    again = sweep("march-2020", seeds, [], settings, out, workers=1)
    assert again.counts["skipped"] == len(kept) and list(again.runs["status"]) == ["ok"] * 6
    scenario = load_scenario("march-2020")
    params = parse_params(scenario, settings)
    assert again.runs.set_index("seed").loc[6, "digest"] == scenario.execute(seed=6, journal=":memory:",
                                                                               params=params)["digest"]

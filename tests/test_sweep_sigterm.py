"""SIGTERM (`kill PID`, `timeout`, a service manager) stops a sweep as Ctrl-C does, keeping every
finished run: it killed the process outright, and the rows held to be written as one part (up to
10 s of runs) were lost — a 120-run sweep killed at 6 s kept none."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.sweep import read_runs

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[1]


def signalling_driver(signal_name: str, after: int, setup: str = "") -> str:
    """A `lanasim` command line's driver (`python -c DRIVER ARGS...`) whose sweep sends its own
    process `signal_name` once its run number `after` is back (no timing involved), after `setup`."""
    return f"""
import os, signal, sys
from scenarios.cli import main
from scenarios.sweep import cli
{setup}
real = cli._Bar.update
def update(self, done, total, row):
    real(self, done, total, row)
    if done == {after}:
        os.kill(os.getpid(), signal.{signal_name})
cli._Bar.update = update
sys.exit(main(sys.argv[1:]))
"""


DRIVER = signalling_driver("SIGTERM", 2)


def test_sigterm_stops_a_sweep_keeping_its_finished_runs(tmp_path):
    out = tmp_path / "sweep"
    argv = ["sweep", "march-2020", "--seeds", "1-8", "--set", "facilities=3", "--set", "days=1", "--workers", "1",
            "--out", str(out)]
    done = subprocess.run([sys.executable, "-c", DRIVER, *argv], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=100)
    assert done.returncode == 143
    assert done.stderr.splitlines()[-1] == (f"lanasim: terminated (SIGTERM); finished runs are kept in {out} "
                                            "(run the same command to resume)")
    kept = read_runs(out)
    assert len(kept) >= 2 and set(kept["status"]) == {"ok"}

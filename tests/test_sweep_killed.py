"""A sweep killed outright (`kill -9`, a power cut: no handler runs) keeps the runs of every part it
wrote, and the same command runs the rest, to the rows an uninterrupted sweep writes (README:
Resume and cache)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.sweep import read_runs
from tests.test_sweep_sigterm import signalling_driver

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).resolve().parents[1]

# parts of 2 rows; the process kills itself (SIGKILL) once its third run is back: one part written,
# the third run's row still waiting for the next part
DRIVER = signalling_driver("SIGKILL", 3, "from scenarios.sweep import store\n"
                                         "store.Store.__init__.__kwdefaults__.update(every=2, seconds=3600.0)")
ARGV = ["sweep", "march-2020", "--seeds", "1-6", "--set", "facilities=3", "--set", "days=1", "--workers", "1"]
SAME = ["key", "seed", "status", "digest", "events_journaled", "outbox_events"]


def _sweep(out: Path, driver: str | None = None) -> subprocess.CompletedProcess:
    head = [sys.executable, "-c", driver] if driver else [sys.executable, "-m", "scenarios.cli"]
    return subprocess.run([*head, *ARGV, "--out", str(out)], capture_output=True, text=True, cwd=out.parent,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=150)


def test_a_sweep_killed_outright_keeps_its_written_parts_and_the_same_command_runs_the_rest(tmp_path):
    out = tmp_path / "sweep"
    killed = _sweep(out, DRIVER)
    assert killed.returncode == -9
    kept = read_runs(out)
    assert len(kept) == 2 and set(kept["status"]) == {"ok"}  # the third run's row was not written yet
    again = _sweep(out)
    assert again.returncode == 0, again.stderr
    assert "6 runs: 4 ran (0 failed, 0 lost), 2 already done" in again.stdout + again.stderr
    whole = tmp_path / "whole"
    assert _sweep(whole).returncode == 0
    resumed, uninterrupted = read_runs(out), read_runs(whole)
    assert len(resumed) == 6
    assert resumed[SAME].equals(uninterrupted[SAME])

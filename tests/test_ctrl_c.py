"""Ctrl-C pressed more than once during `lanasim run`: exit status 130, one line, a journal that verifies.

Each run is a real process sent real SIGINTs; nothing here measures time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
RUN = ["run", "march-2020", "--seed", "1", "--set", "facilities=1000", "--out", "run"]


def start(tmp_path: Path) -> subprocess.Popen:
    """`lanasim run` as its own process, returned once it has printed its first progress line."""
    proc = subprocess.Popen([sys.executable, "-m", "scenarios.cli", *RUN], cwd=tmp_path, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None and "%" in proc.stderr.readline()
    return proc


def said(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.strip().endswith("Z")]  # progress lines end in a sim time


def assert_interrupted_and_verified(proc: subprocess.Popen, err: str, tmp_path: Path, capsys) -> None:
    lines = said(err)
    assert proc.returncode == 130 and len(lines) == 1, (proc.returncode, err)
    assert lines[0].startswith("lanasim: interrupted: run/journal.sqlite is consistent up to 2020-")
    assert lines[0].endswith("; continue it with lanasim run --resume run")
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "run")]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "ok"


def test_a_second_ctrl_c_while_the_stopped_run_exits_keeps_exit_status_130(tmp_path, capsys):
    proc = start(tmp_path)
    proc.send_signal(signal.SIGINT)
    assert proc.stderr is not None
    lines = []
    while not (lines and lines[-1].startswith("lanasim: interrupted")):  # the run has stopped; the process exits
        lines.append(proc.stderr.readline())
        assert lines[-1], "".join(lines)
    proc.send_signal(signal.SIGINT)  # used to kill the exiting interpreter: exit status -2
    err = "".join(lines) + proc.stderr.read()
    proc.wait(timeout=60)
    assert_interrupted_and_verified(proc, err, tmp_path, capsys)


def test_ctrl_c_held_down_stops_the_run_with_exit_status_130_and_a_journal_that_verifies(tmp_path, capsys):
    proc = start(tmp_path)
    for _ in range(6_000):  # a SIGINT every few milliseconds until the process has exited
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGINT)
        time.sleep(0.005)
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert_interrupted_and_verified(proc, err, tmp_path, capsys)



def test_ctrl_c_held_down_on_a_sweep_keeps_its_finished_runs_and_exits_130(tmp_path):
    argv = ["sweep", "march-2020", "--seeds", "1-12", "--grid", "facilities=300", "--workers", "1", "--out", "sweep"]
    proc = subprocess.Popen([sys.executable, "-m", "scenarios.cli", *argv], cwd=tmp_path, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stderr is not None and proc.stderr.readline().startswith("dask: ")
    for _ in range(6_000):  # Ctrl-C on a terminal: every process of the group, every few milliseconds
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.005)
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 130, err
    assert "lanasim: interrupted; finished runs are kept in sweep (run the same command to resume)" in err

"""A fork is written aside and linked into place whole: killed on the way, it leaves no half-made
journal under the name asked for, and the next fork to that name succeeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from engine import Simulation
from engine.inspect import open_readonly
from scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
KILLED_AFTER_THE_ROWS = (
    "import os, sys, engine.kernel.fork as fork\n"
    "real = fork.copy_cut\n"
    "def copy_then_die(*args, **kwargs):\n"
    "    real(*args, **kwargs)\n"
    "    os._exit(9)  # kill -9: no exception handler runs\n"
    "fork.copy_cut = copy_then_die\n"
    "from scenarios.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_a_fork_killed_while_it_writes_leaves_no_journal_under_the_asked_name_and_the_next_fork_succeeds(
        tmp_path):
    source = tmp_path / "source.sqlite"
    with Simulation(seed=1, start="2024-03-01", journal=str(source)) as sim:
        sim.price.set(6_000_000)
        sim.advance(days=3)
    before = source.read_bytes()
    argv = ["fork", str(source), "--at", "2024-03-02", "--journal", str(tmp_path / "branch.sqlite")]
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_THE_ROWS, *argv], env={
        **os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    assert not (tmp_path / "branch.sqlite").exists()
    assert main(argv) == 0
    with open_readonly(str(tmp_path / "branch.sqlite")) as view:
        assert view.verify()["ok"] and view.journal.meta()["now"] == "2024-03-02T00:00:00Z"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["branch.sqlite", "source.sqlite"]
    assert source.read_bytes() == before


def test_a_fork_to_a_name_a_live_fork_writes_is_refused_and_once_it_is_gone_removes_both_partial_files(
        tmp_path, capsys):
    """Two forks to one name each wrote their own journal, and the second learned the name was taken
    only once its copy was done; it is refused as it starts, naming the live fork, whose file it leaves."""
    import fcntl

    source = tmp_path / "source.sqlite"
    with Simulation(seed=1, start="2024-03-01", journal=str(source)) as sim:
        sim.price.set(6_000_000)
        sim.advance(days=3)
    live, killed = tmp_path / "branch.sqlite.0000000000aa.partial", tmp_path / "branch.sqlite.0000000000bb.partial"
    live.write_bytes(b"being written")
    killed.write_bytes(b"left by a killed fork")
    argv = ["fork", str(source), "--at", "2024-03-02", "--journal", str(tmp_path / "branch.sqlite")]
    held = os.open(live, os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)  # as the fork writing it holds it
    try:
        assert main(argv) == 2
    finally:
        os.close(held)
    assert capsys.readouterr().err.splitlines() == [
        f"lanasim: error: {tmp_path / 'branch.sqlite'}: being written by another lanasim (process {os.getpid()}, "
        f"into {live.name}); wait for it to finish, or choose another name (BeingWritten)"]
    assert live.read_bytes() == b"being written" and killed.exists()
    assert main(argv) == 0  # the live fork killed too: both its file and the other are abandoned
    assert sorted(p.name for p in tmp_path.iterdir()) == ["branch.sqlite", "source.sqlite"]


FULL_DISK = (
    "import resource, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG, like a full disk\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (65_536, 65_536))\n"
    "from scenarios.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_a_fork_to_a_full_disk_names_the_new_journal_not_the_source(tmp_path):
    """A fork that filled the disk said `lanasim: error: SOURCE: disk I/O error`, as if the journal it
    only reads were failing; the new journal is named, and nothing is left under its name."""
    source = tmp_path / "source.sqlite"
    with Simulation(seed=1, start="2024-03-01", journal=str(source)) as sim:
        sim.price.set(6_000_000)
        sim.advance(days=3)
    before = source.read_bytes()
    assert len(before) > 65_536
    branch = tmp_path / "branch.sqlite"
    done = subprocess.run([sys.executable, "-c", FULL_DISK, "fork", str(source), "--journal", str(branch)],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr.splitlines()) == (2, [
        f"lanasim: error: {branch}: disk I/O error; no journal written"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.sqlite"] and source.read_bytes() == before

"""A simulation nobody closed keeps what it acknowledged: it is closed when Python collects it (a
notebook cell run again) and when the interpreter exits (a script without `close()`)."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from engine import Simulation

ROOT = Path(__file__).resolve().parents[1]


def test_a_simulation_dropped_without_close_commits_what_it_acknowledged(tmp_path):
    path = str(tmp_path / "bank.sqlite")
    sim = Simulation(seed=1, journal=path)
    customer = sim.customer.create_customer("ada@example.com")  # acknowledged: its id returned
    del sim
    gc.collect()
    with Simulation(seed=1, journal=path) as again:  # the file is released, and the customer is in it
        assert again.customer.customer(customer).email == "ada@example.com"


def test_a_script_that_ends_without_close_keeps_its_commands_since_the_clock_last_moved(tmp_path):
    path = tmp_path / "bank.sqlite"
    script = ("from engine import Simulation\n"
              f"sim = Simulation(seed=1, journal={str(path)!r})\n"
              "sim.customer.create_customer('ada@example.com')\n"
              "sim.advance(days=1)\n"
              "print(sim.customer.create_customer('bob@example.com'))\n")
    ran = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""})
    bob = ran.stdout.strip()
    assert ran.stderr == ""
    with Simulation(journal=str(path)) as again:
        assert again.customer.customer(bob).email == "bob@example.com"
        assert again.now.isoformat().startswith("2024-01-02")


def test_a_closed_simulation_is_not_closed_again_when_collected(tmp_path, capsys):
    path = str(tmp_path / "bank.sqlite")
    sim = Simulation(seed=1, journal=path)
    sim.close()
    with Simulation(seed=1, journal=path) as again:  # the file is the second one's now
        customer = again.customer.create_customer("ada@example.com")
        del sim
        gc.collect()  # the first one's collection touches nothing of the second's
    with Simulation(seed=1, journal=path) as third:
        assert third.customer.customer(customer).email == "ada@example.com"
    assert capsys.readouterr().err == ""


def test_at_exit_one_simulation_whose_commit_fails_does_not_keep_the_others_open(tmp_path, monkeypatch):
    from engine import simulation

    sims = [Simulation(seed=1, journal=str(tmp_path / f"{name}.sqlite")) for name in ("a", "b")]
    failing, kept = [s for s in list(simulation._OPEN) if s in sims]  # the order the exit hook visits them
    bob = kept.customer.create_customer("bob@example.com")

    def broken(deliver: bool = True) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(failing, "close", broken)
    with pytest.raises(OSError, match="disk full"):
        simulation._close_open_simulations()
    assert kept.closed  # closed after the first one failed
    with Simulation(seed=1, journal=kept.journal.path) as again:
        assert again.customer.customer(bob).email == "bob@example.com"
    monkeypatch.undo()
    failing.close()

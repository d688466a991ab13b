"""A command imports what it uses: `lanasim --help` no bank, `outbox` and a fork at the journal's end
no domain rules, `verify` no simulation; pandas, matplotlib and Dask only the commands that draw or
sweep. Every `import engine.kernel.X` ran engine/__init__.py, which imported the simulation and with
it every domain and service: half a second before any command started, a quarter of `lanasim fork`
of a 10,000-facility journal (issue 13). Each command runs in a fresh interpreter, which reports
the modules it holds after it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

DRAWING = ("pandas", "pyarrow", "matplotlib", "dask", "SALib")
"""The workbench's heavy libraries: a run's report, `show JOURNAL book` and a sweep use them."""
SIMULATING = ("engine.simulation", "engine.dispatch", "engine.bank.service.credit", "engine.bank.credit_flow")
"""What runs a bank: no read of a journal needs it."""
RULES = ("domains.credit", "domains.deposit", "engine.kernel.entity", "simpy", "pykka")
"""The domains' rules and the actor runtime: what folds an entity or moves the clock."""

SCRIPT = """
import json, sys
from scenarios.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def imported_by(tmp_path: Path, *argv: str) -> tuple[int, set[str]]:
    """(exit status, the modules held after) of `lanasim ARGV` in a fresh interpreter."""
    report = tmp_path / "modules.json"
    subprocess.run([sys.executable, "-c", SCRIPT, str(report), *argv], cwd=tmp_path, capture_output=True,
                   check=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    ran = json.loads(report.read_text())
    report.unlink()
    return ran["code"], set(ran["modules"])


@pytest.fixture(scope="module")
def journal(tmp_path_factory) -> Path:
    from engine import Simulation

    path = tmp_path_factory.mktemp("cold") / "bank.sqlite"
    with Simulation(seed=1, start="2024-01-01", journal=str(path)) as sim:
        sim.price.set(7_000_000)
        sim.deposit.create_account(sim.customer.create_customer("ada@example.com"))
        sim.advance(days=2)
    return path


def test_help_and_version_import_no_bank_and_no_workbench_library(tmp_path):
    for argv in (["--help"], ["--version"], ["fork", "--help"], ["sweep", "--help"]):
        code, modules = imported_by(tmp_path, *argv)
        assert code == 0
        assert not modules & {*DRAWING, *SIMULATING, *RULES, "engine.bank.modules", "domains.accounting",
                              "rich.table", "rich.progress"}, argv


def test_outbox_reads_its_rows_without_the_domains(journal, tmp_path):
    code, modules = imported_by(tmp_path, "outbox", str(journal))
    assert code == 0
    assert not modules & {*DRAWING, *SIMULATING, *RULES, "engine.bank.modules"}


def test_a_fork_at_the_journals_end_copies_rows_without_the_domains(journal, tmp_path):
    code, modules = imported_by(tmp_path, "fork", str(journal), "--at", "2024-01-03", "--journal", "branch.sqlite")
    assert code == 0 and (tmp_path / "branch.sqlite").is_file()
    assert not modules & {*DRAWING, *SIMULATING, *RULES, "engine.bank.modules"}


def test_verify_show_and_an_earlier_fork_load_the_domains_but_not_the_simulation(journal, tmp_path):
    for argv, status in ((["verify", str(journal)], 0), (["show", str(journal), "price", "nosuch"], 2),
                         (["fork", str(journal), "--at", "2024-01-02", "--journal", "earlier.sqlite"], 0)):
        code, modules = imported_by(tmp_path, *argv)
        assert code == status, argv
        assert "domains.credit" in modules, argv  # what folds entities is there: the check is not vacuous
        assert not modules & {*DRAWING, *SIMULATING}, argv
    assert (tmp_path / "earlier.sqlite").is_file()


def test_the_engines_names_still_import_from_the_package():
    script = ("import sys, engine.kernel.errors\n"
              "assert 'engine.simulation' not in sys.modules\n"
              "from engine import Simulation, EngineError, Executed, UnknownKind\n"
              "import engine\n"
              "assert engine.Simulation is Simulation and engine.simulation.Simulation is Simulation\n"
              "assert Executed.__module__ == 'engine.kernel.entity'\n"
              "assert sorted(engine.__all__) == sorted(n for n in engine.__all__ if hasattr(engine, n))\n")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})

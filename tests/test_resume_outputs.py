"""A run stopped after its journal finished, while it wrote its outputs, is resumed by writing them
(`summary.json` last and whole tells the two apart); a run that wrote them is refused untouched; a
forced run never leaves the replaced run's outputs beside its own journal; one resume at a time."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import scenarios.analysis as analysis
from engine.kernel.errors import JournalLocked
from scenarios.cli import main
from scenarios.library import resume_run, run_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"facilities": "6", "days": "6", "lead_days": "2"}
OUTPUTS = ("summary.json", "timeseries.parquet", "facilities.parquet", "report.html")


def files(run_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(run_dir)): p.read_bytes() for p in sorted(run_dir.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("whole") / "run"
    run_scenario("march-2020", 3, SMALL, run_dir)
    return run_dir


def test_a_run_stopped_while_writing_its_outputs_has_no_summary_and_its_resume_writes_the_outputs_nobody_stopped(
        whole, tmp_path, monkeypatch, capsys):
    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # the stop lands after the parquet files, before the page

    monkeypatch.setattr(analysis, "write_page", stopped)
    with pytest.raises(KeyboardInterrupt):
        run_scenario("march-2020", 3, SMALL, tmp_path / "run")
    assert (tmp_path / "run" / "timeseries.parquet").is_file() and not (tmp_path / "run" / "summary.json").exists()
    monkeypatch.undo()
    assert main(["run", "--resume", str(tmp_path / "run")]) == 0
    assert "the run had finished; writing the outputs it was stopped before writing" in capsys.readouterr().err
    resumed, expected = files(tmp_path / "run"), files(whole)
    for name in ("journal.sqlite", *OUTPUTS):
        assert resumed[name] == expected[name], name


def test_a_report_stopped_while_rewriting_the_outputs_leaves_them_unfinished_for_a_resume_to_write(
        whole, tmp_path, monkeypatch, capsys):
    """`lanasim report DIR` killed while it rewrote a finished run's outputs left the previous
    `summary.json` beside a page cut short: the directory read as finished (`run --resume`: `holds a
    finished run and its outputs; nothing to resume`) with a broken report.html."""
    run_dir = tmp_path / "run"
    shutil.copytree(whole, run_dir)

    def cut_short(analysis, params, plots, path):
        path.write_text("<!doctype html><html><head>")
        raise KeyboardInterrupt  # kill -9 here leaves the same files

    monkeypatch.setattr(analysis, "write_page", cut_short)
    assert main(["report", str(run_dir)]) == 130
    monkeypatch.undo()
    assert not (run_dir / "summary.json").exists()
    assert main(["run", "--resume", str(run_dir)]) == 0
    assert "the run had finished; writing the outputs it was stopped before writing" in capsys.readouterr().err
    assert files(run_dir) == files(whole)


def test_a_finished_run_whose_outputs_were_lost_gets_them_back_from_its_journal(whole, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(whole, run_dir)
    for name in ("summary.json", "facilities.parquet"):
        (run_dir / name).unlink()
    summary = resume_run(run_dir)
    assert summary == json.loads((whole / "summary.json").read_text())
    assert files(run_dir) == files(whole)


def test_a_finished_run_with_its_outputs_is_refused_in_one_line_and_left_byte_for_byte(whole, tmp_path, capsys):
    run_dir = tmp_path / "run"
    shutil.copytree(whole, run_dir)
    before = files(run_dir)
    assert main(["run", "--resume", str(run_dir)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith("holds a finished run and its outputs; nothing to resume (lanasim report writes them again)")
    assert files(run_dir) == before


def test_a_story_stopped_before_its_summary_gets_it_from_a_re_execution_that_reaches_the_journals_digest(tmp_path):
    params = {"days": "4", "prospects_per_day": "2"}
    expected = run_scenario("onboarding", 5, params, tmp_path / "whole")
    run_dir = tmp_path / "run"
    shutil.copytree(tmp_path / "whole", run_dir)
    (run_dir / "summary.json").unlink()
    journal = (run_dir / "journal.sqlite").read_bytes()
    assert resume_run(run_dir) == expected
    assert json.loads((run_dir / "summary.json").read_text()) == expected
    assert (run_dir / "journal.sqlite").read_bytes() == journal


def test_a_forced_run_stopped_early_leaves_none_of_the_replaced_runs_outputs_and_keeps_other_files(whole, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(whole, run_dir)
    (run_dir / "notes.txt").write_text("mine")

    def stop(share: float, at: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario("march-2020", 4, SMALL, run_dir, force=True, progress=stop)
    left = set(files(run_dir))
    assert not left & {*OUTPUTS, "plots/price.png", "plots/cvl.png"}, left
    assert (run_dir / "notes.txt").read_text() == "mine"


def stop_started_run(tmp_path):
    """(env, the CLI's `run` argv, a small march-2020 run under way in tmp_path/run, past its first
    progress line)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "scenarios.cli", "run"]
    sets = [arg for key, value in SMALL.items() for arg in ("--set", f"{key}={value}")]
    started = subprocess.Popen([*cli, "march-2020", "--seed", "3", *sets, "--out", "run"], cwd=tmp_path, env=env,
                               text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert "%" in started.stderr.readline()
    return env, cli, started


def test_a_second_resume_or_a_forced_run_while_a_resume_runs_is_refused_and_the_resume_ends_uninterrupted(
        whole, tmp_path, capsys):
    env, cli, stopped = stop_started_run(tmp_path)
    stopped.send_signal(signal.SIGINT)  # Ctrl-C: stops at the next day end
    assert stopped.wait(timeout=60) == 130
    first = subprocess.Popen([*cli, "--resume", "run", "--json"], cwd=tmp_path, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert first.stderr.readline().startswith("resuming from the checkpoint of day ")
        first.send_signal(signal.SIGSTOP)  # frozen in the middle of its resume
        assert main(["run", "--resume", str(tmp_path / "run")]) == 2
        assert capsys.readouterr().err.strip().endswith(
            "journal.sqlite: in use by another lanasim process (a run, a resume or a simulation writing it): "
            "wait for it to finish, or read a copy (JournalLocked)")
        with pytest.raises(JournalLocked):  # --force would delete the journal the resume continues
            run_scenario("march-2020", 3, SMALL, tmp_path / "run", force=True)
    finally:
        first.send_signal(signal.SIGCONT)
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert json.loads(out) == json.loads((whole / "summary.json").read_text())  # its digest included
    assert not (tmp_path / "run" / "journal.sqlite.resume").exists()


def consistent_up_to(err: str) -> str:
    [line] = [line for line in err.splitlines() if line.startswith("lanasim: interrupted: ")]
    return line.split(" is consistent up to ")[1].split(" ")[0]


def test_a_resume_stopped_by_ctrl_c_keeps_the_days_it_ran_and_the_next_resume_goes_on_from_there(
        whole, tmp_path):
    env, cli, stopped = stop_started_run(tmp_path)
    stopped.send_signal(signal.SIGINT)
    first = consistent_up_to(stopped.communicate(timeout=60)[1])
    resumed = subprocess.Popen([*cli, "--resume", "run"], cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert resumed.stderr.readline().startswith("resuming from the checkpoint of day ")
    assert "%" in resumed.stderr.readline()  # a day of the resume done
    resumed.send_signal(signal.SIGINT)
    _, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 130 and consistent_up_to(err) > first, err
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["journal.sqlite"]
    assert resume_run(tmp_path / "run") == json.loads((whole / "summary.json").read_text())


def test_a_run_killed_before_its_start_was_committed_is_refused_with_how_to_run_it_again(tmp_path, capsys):
    from engine import Simulation

    (tmp_path / "run").mkdir()
    with Simulation(seed=3, journal=str(tmp_path / "run" / "journal.sqlite")):
        pass  # the journal is made; the kill lands before the scenario and its parameters are committed
    assert main(["run", "--resume", str(tmp_path / "run")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith("journal.sqlite: was stopped before its run started (nothing committed); run it again with "
                         "--force")
    assert main(["run", "march-2020", "--seed", "3", "--out", str(tmp_path / "run"), "--force",
                 *[arg for key, value in SMALL.items() for arg in ("--set", f"{key}={value}")]]) == 0


KILLED_AS_THE_JOURNAL_IS_MADE = (
    "import os, sys, sqlite3\n"
    "import engine.kernel.journal_file as journal_file\n"
    "real = journal_file.sqlite3.connect\n"
    "def made_then_die(*args, **kwargs):\n"
    "    conn = real(*args, **kwargs)\n"
    "    conn.execute('PRAGMA user_version')  # SQLite has made the file, and written nothing in it\n"
    "    os._exit(9)\n"
    "journal_file.sqlite3.connect = made_then_die\n"
    "from scenarios.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_a_run_killed_as_its_journal_file_is_made_is_refused_with_how_to_run_it_again_and_force_works(
        tmp_path, capsys, monkeypatch):
    """A run killed in its first milliseconds (a poll killing it as journal.sqlite appeared did so 6
    times in 6) left the empty file SQLite had made: `--resume`, a rerun and `--force` all said
    `not a lanasim journal (empty file)`, and it had to be deleted by hand."""
    argv = ["run", "march-2020", "--seed", "3", "--out", "run",
            *[arg for key, value in SMALL.items() for arg in ("--set", f"{key}={value}")]]
    done = subprocess.run([sys.executable, "-c", KILLED_AS_THE_JOURNAL_IS_MADE, *argv], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 9 and (tmp_path / "run" / "journal.sqlite").stat().st_size == 0, done.stderr
    stopped = "run/journal.sqlite: was stopped before its run started (nothing committed); run it again with --force"
    monkeypatch.chdir(tmp_path)
    for refused in (["run", "--resume", "run"], argv):
        assert main(refused) == 2
        assert capsys.readouterr().err.strip().splitlines() == [f"lanasim: error: {stopped}"]
    assert main([*argv, "--force"]) == 0
    assert sorted(p.name for p in (tmp_path / "run").glob("journal.sqlite*")) == ["journal.sqlite"]

"""The `lanasim` command: a scenario run into a run directory, the journal views, and one-line
refusals that never destroy a file lanasim did not create."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.inspect import open_readonly
from scenarios.cli import main
from scenarios.library import ScenarioError, load_scenario, run_scenario, scenario_names

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["run", "onboarding", "--seed", "3", "--set", "days=3"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "onboarding-seed3"
    assert main([*SHORT, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def journal(run_dir):
    return run_dir / "journal.sqlite"


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lanasim: error:"), err
    return err[0]


def lanasim(*argv: str, cwd: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "scenarios.cli", *argv], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


# -- a run and its outputs ---------------------------------------------------------------
def test_a_run_writes_its_journal_and_summary_into_the_run_directory(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["end_of_day_closings"] == 3 and summary["prospects"] == 24
    with open_readonly(str(run_dir / "journal.sqlite")) as view:
        assert view.journal.meta()["scenario"] == "onboarding" and view.journal.meta()["seed"] == 3
        assert view.journal.digest() == summary["digest"]


def test_a_stress_run_analyses_its_journal_once_and_reports_the_digest_of_the_file_it_wrote(tmp_path, monkeypatch):
    import scenarios.analysis as analysis

    calls = []
    counted = analysis.analyse
    monkeypatch.setattr(analysis, "analyse", lambda *a, **k: calls.append(k["digest"]) or counted(*a, **k))
    out = tmp_path / "stress"
    assert main(["run", "stress", "--seed", "2", "--set", "facilities=5", "--set", "days=2", "--out", str(out)]) == 0
    written = json.loads((out / "summary.json").read_text())
    with open_readonly(str(out / "journal.sqlite")) as view:
        assert calls == [written["digest"]] == [view.journal.digest()]  # the run's own digest, and one analysis


def test_the_default_run_directory_is_out_scenario_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "onboarding", "--seed", "4", "--set", "days=1"]) == 0
    assert (tmp_path / "out" / "onboarding-seed4" / "journal.sqlite").is_file()


def test_json_prints_the_summary_file_and_the_table_shows_it_for_people(tmp_path, capsys):
    assert main([*SHORT, "--out", str(tmp_path / "a"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((tmp_path / "a" / "summary.json").read_text())
    assert main([*SHORT, "--out", str(tmp_path / "b")]) == 0
    table = capsys.readouterr().out
    assert "end_of_day_closings" in table and printed["digest"] in table and "{" not in table


def test_the_python_api_runs_a_scenario_with_typed_parameters(tmp_path):
    summary = run_scenario("onboarding", 3, {"days": 3}, tmp_path / "api")
    assert summary == json.loads((tmp_path / "api" / "summary.json").read_text())
    assert summary["prospects"] == 24


def test_report_regenerates_the_summary_from_the_run_directory(run_dir, capsys):
    assert main(["report", str(run_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads((run_dir / "summary.json").read_text())


def test_a_run_stopped_while_writing_its_outputs_is_told_to_resume_which_every_scenario_can(run_dir, capsys):
    from scenarios.cli import _interrupted
    from scenarios.console import RunProgress

    assert _interrupted(run_dir, RunProgress()) == 130  # onboarding has no report(): `lanasim report` cannot
    assert capsys.readouterr().err.strip().endswith(f"write them with lanasim run --resume {run_dir}")


def test_report_of_a_directory_that_is_neither_a_run_nor_a_sweep_says_so_and_touches_nothing(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["report", str(tmp_path)]) == 2
    assert "neither a run directory (no journal.sqlite) nor a sweep directory (no sweep.json)" in one_error_line(capsys)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"] and (tmp_path / "keep.txt").read_text() == "mine"


def test_progress_is_one_line_per_tenth_off_a_terminal_and_shown_for_every_run_in_a_process(tmp_path, capsys):
    for name in ("a", "b"):
        assert main(["run", "onboarding", "--set", "days=20", "--out", str(tmp_path / name)]) == 0
        lines = [line for line in capsys.readouterr().err.splitlines() if "%" in line]
        assert len(lines) == 11 and lines[-1].startswith("100%")


def test_scenarios_lists_each_with_its_story_and_describe_every_parameter(capsys):
    assert main(["scenarios"]) == 0
    listing = capsys.readouterr().out
    assert "onboarding" in listing and "Story: a bank opens its doors for a month." in listing
    assert not [line for line in listing.splitlines() if line.endswith(" ")]  # no padding for a program to strip
    assert main(["describe", "timely-payments"]) == 0
    described = capsys.readouterr().out
    for fragment in ("facility_usd", "10,000,000", "USD/BTC", "1 .. 3,650", "the bitcoin price", "125 %"):
        assert fragment in described


def test_every_scenario_parameter_has_a_meaning_and_every_number_a_documented_range():
    declared_as_dicts = {name for name in scenario_names() if isinstance(load_scenario(name).module.PARAMS, dict)}
    assert declared_as_dicts <= {"march-2020"}  # the stress branch turns it into Params
    for name in sorted(set(scenario_names()) - declared_as_dicts):
        for p in load_scenario(name).params.values():
            assert p.doc, (name, p.name)
            if isinstance(p.default, (int, float)) and not isinstance(p.default, bool):
                assert p.low is not None and p.high is not None and p.low <= p.default <= p.high, (name, p.name)


# -- journal views -----------------------------------------------------------------------
def test_outbox_prints_json_lines_filtered_by_type_and_sequence(run_dir, capsys):
    assert main(["outbox", str(run_dir), "--type", "core.time.end-of-day", "--after", "5"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["payload"]["day"] for r in rows] == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert all(r["sequence"] > 5 for r in rows)


def test_show_prints_an_entity_as_of_a_time(journal, capsys):
    main(["outbox", str(journal), "--type", "core.price.price-updated"])
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert main(["show", str(journal), "price", "btc-usd", "--as-of", "2024-01-01T00:00:00Z"]) == 0
    assert json.loads(capsys.readouterr().out)["price"] == first["payload"]["PriceUpdated"]["price"]


def test_version_names_the_package_and_the_journal_format_it_reads(capsys):
    from importlib.metadata import version

    from engine.kernel.schema import FORMAT

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"lanasim {version('lanasim')} (journal format {FORMAT})\n"


def test_verify_replays_the_journal_and_checks_the_digest(journal, capsys):
    assert main(["verify", str(journal)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ok" and not any(line.startswith("expected head found") for line in lines)  # not asked


def test_verify_with_expect_head_says_whether_it_found_it(journal, capsys):
    assert main(["verify", str(journal)]) == 0
    head = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("chain head: "))[12:]
    assert main(["verify", str(journal), "--expect-head", head]) == 0
    assert "expected head found: True" in capsys.readouterr().out.splitlines()


# -- one-line refusals -------------------------------------------------------------------
@pytest.mark.parametrize("argv, fragment", [
    (["run", "no-such-story"], "unknown scenario 'no-such-story'"),
    (["run", "onboarding", "--set", "days=soon"], "parameter days expects int"),
    (["run", "onboarding", "--set", "mood=calm"], "unknown parameter 'mood'"),
    (["run", "onboarding", "--set", "days"], "--set expects KEY=VALUE"),
    (["run", "onboarding", "--set", "days=2", "--set", "days=30"], "--set days is given twice (days=2 and days=30)"),
    (["run", "march-2020", "--from", "JOURNAL", "--set", "book_from=JOURNAL"], "--from sets book_from: drop --set"),
    (["run", "onboarding", "--set", "days=0"], "days=0 is out of range [1 .. 3650]"),
    (["run", "onboarding", "--set", "decline_share=1.5"], "decline_share=1.5 is out of range"),
    (["run", "march-2020", "--set", "cvl_low=nan", "--set", "days=1"],
     "cvl_low=nan is not a finite number; a number in [50 .. 10000]"),
    (["run", "march-2020", "--set", "top_up_share=nan", "--set", "repay_share=1", "--set", "late_share=1"],
     "top_up_share=nan is not a finite number; a number in [0 .. 1]"),
    (["run", "march-2020", "--set", "cvl_high=-inf"], "cvl_high=-inf is not a finite number"),
    (["run", "stress", "--set", "path=gbm:sigma=1e308,start=60000", "--set", "days=1"],
     "market spec 'gbm:sigma=1e308,start=60000': sigma='1e308' must be at most 10"),
    (["run", "timely-payments", "--set", "btc=100"], "activation needs at least 125 %"),
    (["run", "disbursal-different-months", "--set", "third_usd=9000000"], "exceeds facility_usd"),
    (["run", "onboarding", "--resume", "out/x"], "out/x: holds no lanasim journal to resume"),
    (["run", "march-2020", "--seed", "1180591620717411303424", "--set", "days=1"],
     "seed=1180591620717411303424: a seed is an integer from -2**63 to 2**63 - 1 (InvalidArgument)"),
    (["run", "--resume", "out/x", "--seed", "-9223372036854775809"], "a seed is an integer from -2**63 to 2**63 - 1"),
    (["run", "onboarding", "--journal", "notes.txt"], "unrecognized arguments: --journal notes.txt"),
    (["describe", "no-such-story"], "unknown scenario"),
    (["outbox", "/no/such/journal.sqlite"], "no such file"),
    (["show", "JOURNAL", "planet", "x"], "unknown kind 'planet'; known: approval-policy, "),
    (["show", "JOURNAL", "customer", "ghost", "--as-of", "soon"], "an instant is an ISO-8601 date or time"),
    (["show", "JOURNAL", "price", "btc-usd", "--as-of", "2020-13-01"], "got '2020-13-01': month must be in 1..12"),
    (["show", "JOURNAL", "book", "extra"], "show JOURNAL book takes no id; got 'extra'"),
    (["run", "onboarding", "--from", "JOURNAL"], "onboarding is not a stress scenario; --from needs stress"),
    (["show", "JOURNAL", "customer", "ghost", "--csv", "c.csv"], "--csv and --parquet write the book view"),
    (["show", "JOURNAL", "customer", "ghost"], "UnknownEntity"),
    (["show", "JOURNAL", "price", "btc-usd", "--as-of", "2023-06-01"], "2023-06-01T00:00:00Z is outside the journal"),
    (["show", "JOURNAL", "history", "ghost", "--as-of", "2031-01-01"], "2031-01-01T00:00:00Z is outside the journal"),
    (["outbox", "JOURNAL", "--type", "core.price.nope"], "UnknownEventType"),
    (["run", "stress", "--set", "cvl_low=inf"], "cvl_low=inf is not a finite number; a number in [50 .. 10000]"),
])
def test_bad_input_gets_one_line_and_exit_status_2(journal, tmp_path, monkeypatch, capsys, argv, fragment):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    argv = [str(journal) if a == "JOURNAL" else a for a in argv]
    assert main(argv) == 2
    assert fragment in one_error_line(capsys)
    assert not (tmp_path / "out").exists() and (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("after, problem", [
    ("-5", "-5 is below 0: a sequence is 0 (the start) or more"),
    ("-99999999999999999999999", "-99999999999999999999999 is below 0: a sequence is 0 (the start) or more"),
    ("x", "'x' is not a whole number: an envelope's sequence")])
def test_an_outbox_cursor_below_0_or_no_number_is_refused_in_one_line(journal, capsys, after, problem):
    """`--after -5` printed the whole outbox as if it were 0: a consumer's cursor is never below 0."""
    assert main(["outbox", str(journal), f"--after={after}"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.splitlines() == [
        f"lanasim outbox: error: argument --after: {problem} (see lanasim outbox --help)"]


@pytest.mark.parametrize("argv, command", [(["run", "march-2020", "--sed", "1"], "run"),
                                           (["sweep", "march-2020", "--grids", "days=1,2"], "sweep"),
                                           (["export", "J", "--out", "b.csv", "--asof", "2024-01-01"], "export")])
def test_an_unknown_option_is_sent_to_its_commands_help_which_lists_the_options(argv, command, capsys):
    assert main(argv) == 2
    assert one_error_line(capsys).endswith(f"(see lanasim {command} --help)")


@pytest.mark.parametrize("argv, argument", [
    (["run", "march-2020", "--out="], "--out"), (["run", "march-2020", "--from=", "--set", "days=1"], "--from"),
    (["run", "--resume="], "--resume"), (["report", ""], "dir"), (["verify", " "], "journal"),
    (["outbox", ""], "journal"), (["show", "", "book"], "journal"), (["trial-balance", ""], "journal"),
    (["import", "", "--as-of", "2024-03-10", "--price-usd", "60000", "--journal", "j.sqlite"], "book"),
    (["import", "--from-outbox=", "--journal", "j.sqlite"], "--from-outbox"),
    (["import", "b.csv", "--as-of", "2024-03-10", "--price-usd", "60000", "--journal="], "--journal"),
    (["export", "J", "--out="], "--out"), (["fork", "J", "--journal="], "--journal"),
    (["sweep", "march-2020", "--out="], "--out"), (["sweep", "march-2020", "--from="], "--from")])
def test_an_empty_path_is_refused_in_one_line_before_anything_is_read_or_written(tmp_path, monkeypatch, capsys,
                                                                                  argv, argument):
    """`run --out=` ran into the default directory, `export --out=` and `fork --journal=` said
    `: exists already`, `verify ''` looked for journal.sqlite in the working directory."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"argument {argument}: " in err[0] and "is empty: give a file or directory name" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_negative_seeds_written_apart_from_their_option_are_told_to_follow_an_equals_sign(capsys):
    """`lanasim sweep march-2020 --seeds -3--1` said only 'argument --seeds: expected one argument'."""
    assert main(["sweep", "march-2020", "--seeds", "-3--1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "argument --seeds: expected one argument" in err[0] and "--seeds=VALUE" in err[0]


def test_every_argument_of_every_command_says_in_help_what_it_takes():
    """`lanasim import --help` listed `--seed SEED` and `sweep --help` `--design {grid,sobol}` with no
    word of what they do; `describe`, `report`, `sweep` and `show` named positionals without one."""
    import argparse

    from scenarios.cli import _parser
    from scenarios.console import RunProgress

    commands = next(a for a in _parser(RunProgress())._actions if isinstance(a, argparse._SubParsersAction))
    silent = [f"{name} {action.option_strings or action.dest}" for name, parser in commands.choices.items()
              for action in parser._actions if not action.help and not isinstance(action, argparse._HelpAction)]
    assert silent == []


@pytest.mark.parametrize("rows, lead_days", [("9999-12-30,65000\n9999-12-31,49000", 0),
                                             ("1000-01-01,65000\n1000-01-02,49000", 5)])
def test_a_price_file_dated_where_no_simulation_starts_is_refused_in_one_line_before_the_run_directory(
        tmp_path, capsys, rows, lead_days):
    (tmp_path / "far.csv").write_text(f"date,close\n{rows}\n")
    out = tmp_path / "o-far"
    assert main(["run", "stress", "--set", f"path=csv:{tmp_path / 'far.csv'}", "--set", "facilities=3",
                 "--set", "days=1", "--set", f"lead_days={lead_days}", "--out", str(out)]) == 2
    assert "is outside 1000-01-01 .. 8999-12-31, the years a simulation starts in" in one_error_line(capsys)
    assert not out.exists()


def foreign_sqlite(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path.read_bytes()


def test_a_foreign_text_file_in_the_journal_place_survives_byte_for_byte_even_with_force(tmp_path, capsys):
    (tmp_path / "journal.sqlite").write_text("my notes\n")
    for force in ([], ["--force"]):
        assert main([*SHORT, "--out", str(tmp_path), *force]) == 2
        assert f"{tmp_path / 'journal.sqlite'}: not a lanasim journal" in one_error_line(capsys)
    assert (tmp_path / "journal.sqlite").read_text() == "my notes\n"


def test_a_foreign_sqlite_database_survives_even_with_force(tmp_path, capsys):
    before = foreign_sqlite(tmp_path / "journal.sqlite")
    assert main([*SHORT, "--out", str(tmp_path), "--force"]) == 2
    assert "no lanasim_meta table" in one_error_line(capsys)
    assert (tmp_path / "journal.sqlite").read_bytes() == before
    assert main(["verify", str(tmp_path / "journal.sqlite")]) == 2
    assert (tmp_path / "journal.sqlite").read_bytes() == before


def test_a_previous_run_is_kept_unless_force_replaces_it(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*SHORT, "--out", str(out)]) == 0
    capsys.readouterr()
    before = (out / "journal.sqlite").read_bytes()
    assert main(["run", "onboarding", "--set", "days=1", "--out", str(out)]) == 2
    assert "pass --force" in one_error_line(capsys) and (out / "journal.sqlite").read_bytes() == before
    (out / "mine.txt").write_text("kept")
    assert main(["run", "onboarding", "--set", "days=1", "--out", str(out), "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["end_of_day_closings"] == 1
    assert (out / "mine.txt").read_text() == "kept"


@pytest.mark.parametrize("setup, out, fragment", [
    (lambda d: (d / "notes.txt").write_text("x"), "notes.txt", "exists and is not a directory"),
    (lambda d: (d / "full").mkdir() or (d / "full" / "a.csv").write_text("x"), "full", "holds files but no"),
    (lambda d: (d / "r" / "journal.sqlite").mkdir(parents=True), "r", "is a directory, not a journal"),
    (lambda d: None, "/proc/lanasim/run", "/proc/lanasim"),
])
def test_paths_lanasim_may_not_use_get_one_line_and_are_left_as_they_were(tmp_path, capsys, setup, out, fragment):
    setup(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert main([*SHORT, "--out", str(tmp_path / out)]) == 2
    assert fragment in one_error_line(capsys)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


# -- other processes, signals and full disks ----------------------------------------------
def wait_for_progress(proc: subprocess.Popen) -> None:
    """Block until the run has printed its first progress line (it is under way)."""
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "%" in line, line


def test_a_second_run_to_the_same_directory_gets_journal_locked_in_one_line(tmp_path):
    first = lanasim("run", "onboarding", "--set", "days=3000", "--out", "run", cwd=tmp_path)
    try:
        wait_for_progress(first)
        second = lanasim("run", "onboarding", "--set", "days=1", "--out", "run", "--force", cwd=tmp_path)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2 and err.strip().splitlines() == [
            "lanasim: error: run/journal.sqlite: in use by another lanasim process (a run, a resume or a simulation "
            "writing it): wait for it to finish, or read a copy (JournalLocked)"]
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)


def test_ctrl_c_prints_where_the_journal_is_consistent_and_exits_130(tmp_path):
    proc = lanasim("run", "onboarding", "--set", "days=3000", "--out", "run", cwd=tmp_path)
    wait_for_progress(proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    said = [line for line in err.splitlines() if not line.strip().endswith("Z")]  # progress lines end in a sim time
    assert proc.returncode == 130 and len(said) == 1, err
    assert said[0].startswith("lanasim: interrupted: run/journal.sqlite is consistent up to 2024-")
    with open_readonly(str(tmp_path / "run" / "journal.sqlite")) as view:
        assert view.verify()["ok"]



@pytest.mark.parametrize("argv", [["scenarios"], ["describe", "march-2020"]], ids=["scenarios", "describe"])
def test_a_reader_that_closed_the_pipe_ends_the_command_quietly_with_exit_0(argv, tmp_path):
    """`lanasim scenarios | head -1`: the tables drawn by rich exited 1 when the reader had gone (rich's
    console does), where every other command ends quietly with 0 (`lanasim outbox | head`)."""
    read, write = os.pipe()
    os.close(read)  # the reader has gone before anything is written
    try:
        done = subprocess.run([sys.executable, "-m", "scenarios.cli", *argv], cwd=tmp_path, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (0, "")


FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail with EFBIG, like a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (30_000_000, 30_000_000))  # the WAL grows past the file
from scenarios.cli import main
sys.exit(main(["run", "onboarding", "--set", "days=400", "--out", "run"]))
"""


def test_a_full_disk_gets_one_line_exit_2_and_keeps_the_committed_days(tmp_path):
    proc = subprocess.run([sys.executable, "-c", FULL_DISK], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=False)
    said = [line for line in proc.stderr.splitlines() if not line.strip().endswith("Z")]
    assert proc.returncode == 2 and len(said) == 1 and "is consistent up to 2024-" in said[0], proc.stderr
    with open_readonly(str(tmp_path / "run" / "journal.sqlite")) as view:
        assert view.verify()["ok"] and view.journal.last_seq > 0


LIMITED = """
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail with EFBIG, like a full disk
limit, killed = int(sys.argv[1]), sys.argv[2] == "kill-after-a-commit"
if limit:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
if killed:  # kill -9 once a commit is made: the journal keeps it in its write-ahead log
    from engine.kernel.journal_commit import GroupCommit
    real = GroupCommit.flush
    def flush_then_die(self, *args, **kwargs):
        real(self, *args, **kwargs)
        if self.path != ":memory:" and self.last_seq > 0:
            os._exit(9)
    GroupCommit.flush = flush_then_die
from scenarios.cli import main
sys.exit(main(sys.argv[3:]))
"""


def test_a_full_disk_is_one_line_saying_the_journal_is_kept_and_a_resume_then_continues_it(tmp_path):
    """On a full tmpfs a run said `JournalWriteFailed(path=..., error="OperationalError('database or disk
    is full')", retained=6941); ... cannot be read as a journal (its permissions, or no journal), so it
    cannot be resumed`, and verify, show and --resume said `not a lanasim journal (disk I/O error)`
    (a reader of a journal with a write-ahead log grows its -shm file, which a full disk refuses): a
    user told so would delete a journal that a resume continued once there was space."""
    def lanasim(limit: int, how: str, *argv: str) -> tuple[int, list[str]]:
        done = subprocess.run([sys.executable, "-c", LIMITED, str(limit), how, *argv], cwd=tmp_path,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              timeout=120, check=False)
        return done.returncode, [line for line in done.stderr.splitlines() if not line.strip().endswith("Z")]

    code, said = lanasim(1_500_000, "-", "run", "onboarding", "--set", "days=400", "--out", "full")
    assert code == 2 and len(said) == 1, said  # the error in SQLite's words, not the exception's repr
    assert said[0].startswith("lanasim: error: full/journal.sqlite: disk I/O error; full/journal.sqlite is "
                              "consistent up to 2024-"), said
    assert lanasim(0, "kill-after-a-commit", "run", "onboarding", "--set", "days=8", "--out", "run")[0] == 9
    journal = tmp_path / "run" / "journal.sqlite"
    kept = journal.read_bytes(), Path(f"{journal}-wal").read_bytes()
    unreadable = ("lanasim: error: run/journal.sqlite: cannot be opened now (disk I/O error: a full or read-only "
                  "disk?); the file is kept, try again then")
    for argv in (["verify", "run"], ["show", "run", "book"], ["run", "--resume", "run"]):
        assert lanasim(8192, "-", *argv) == (2, [unreadable])
    assert (journal.read_bytes(), Path(f"{journal}-wal").read_bytes()) == kept
    assert main(["run", "--resume", str(tmp_path / "run")]) == 0
    with open_readonly(str(journal)) as view:
        assert view.verify()["ok"] and view.journal.meta()["finished"]


def test_ctrl_c_while_a_finished_runs_outputs_are_written_says_to_write_them_with_resume(tmp_path, capsys,
                                                                                       monkeypatch):
    import scenarios.library as library

    def interrupted(module, run_dir, summary):
        raise KeyboardInterrupt

    monkeypatch.setattr(library, "write_outputs", interrupted)
    out = tmp_path / "run"
    assert main(["run", "stress", "--set", "facilities=3", "--set", "days=1", "--out", str(out)]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"lanasim: interrupted: the run had finished, its outputs are not all written; write them with "
        f"lanasim run --resume {out}")
    monkeypatch.undo()
    assert main(["run", "--resume", str(out)]) == 0 and (out / "report.html").is_file()


@pytest.mark.parametrize("seed, params, problem", [("x", None, "a seed is an integer from"),
                                                   (True, None, "a seed is an integer from"),
                                                   (1, [("days", 1)], "params must be a mapping")])
def test_run_scenario_refuses_a_seed_or_params_of_the_wrong_type_before_any_file(tmp_path, seed, params, problem):
    from engine.kernel.errors import InvalidArgument

    with pytest.raises((ScenarioError, InvalidArgument), match=problem) as refused:
        run_scenario("onboarding", seed, params, tmp_path / "run")
    assert isinstance(refused.value, InvalidArgument if params is None else ScenarioError)
    assert not (tmp_path / "run").exists()


def test_run_scenario_and_run_stress_refuse_a_seed_beyond_64_bits_before_any_directory(tmp_path):
    from engine.kernel.errors import InvalidArgument
    from scenarios import run_stress

    with pytest.raises(InvalidArgument, match="a seed is an integer from"):
        run_scenario("onboarding", 2**70, None, tmp_path / "a")
    with pytest.raises(InvalidArgument, match="a seed is an integer from"):
        run_stress("stress", seed=2**70, out=tmp_path / "b")
    assert list(tmp_path.iterdir()) == []


def test_a_stopped_run_whose_journal_cannot_be_read_is_not_told_to_resume(tmp_path):
    """A resume of an unreadable journal said `nothing was written to J; continue it with lanasim run
    --resume D`: the file exists, and that resume is the command that had just failed."""
    from scenarios.cli import _stopped

    assert _stopped(tmp_path / "never") == f"nothing was written to {tmp_path / 'never' / 'journal.sqlite'}"
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "journal.sqlite").write_text("not a journal")
    said = _stopped(tmp_path / "run")
    assert "cannot be read as a journal" in said and "--resume" not in said


def test_describe_says_what_each_scenarios_check_refuses_in_its_parameters_names(capsys):
    """`describe` printed the check function's docstring after `checked:`, written for the code's
    readers: `check`, `fee_and_interest`, `terms` default to `std_terms()`, and what the code did
    in an earlier session. Now every scenario with a check says what it refuses, and every
    snake_case name it uses is one of that scenario's parameters."""
    for name in scenario_names():
        scenario = load_scenario(name)
        assert main(["describe", name]) == 0
        lines = capsys.readouterr().out.splitlines()
        checked = [i for i, line in enumerate(lines) if line.startswith("checked: ")]
        if getattr(scenario.module, "check", None) is None:
            assert not checked, name
            continue
        assert len(checked) == 1, name
        text = " ".join(lines[checked[0]:])
        assert "`" not in text and "()" not in text, (name, text)
        named = set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text))
        assert named and named <= set(scenario.params), (name, named - set(scenario.params))

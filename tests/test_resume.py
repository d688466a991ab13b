"""Reopen is exact: ids, command ids, random streams and the clock continue from the last commit;
another seed or start is refused; `lanasim run --resume DIR` finishes a stopped or killed run with
the journal an uninterrupted run writes, and refuses one it cannot prove it continues."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from engine import Simulation
from engine.inspect import open_readonly
from engine.position import JournalMismatch
from scenarios.cli import main
from scenarios.library import resume_run, run_scenario
from scenarios.library.crashes import crash_image
from scenarios.library.resume import ResumeDiverged
from scenarios.library.rundir import RunRefused

ROOT = Path(__file__).resolve().parents[1]


def command_ids(path) -> list[str]:
    conn = sqlite3.connect(str(path))
    try:
        return [json.loads(c)["command"] for (c,) in conn.execute("SELECT context FROM events ORDER BY seq")]
    finally:
        conn.close()


def written(path) -> tuple:
    with open_readonly(str(path)) as view:
        return view.journal.digest(), view.journal.meta()


def test_a_reopened_journal_hands_out_new_entity_ids_and_command_ids(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path)) as sim:
        ada = sim.customer.create_customer("ada@bank.test")
        sim.settle(commit=True)
        image = crash_image(path, tmp_path / "killed")  # the process dies here, without close
    with Simulation(seed=1, journal=str(image)) as again:
        bob = again.customer.create_customer("bob@bank.test")
        assert bob != ada and again.customer.customer(bob).id == bob
    ids = command_ids(image)
    assert len(ids) == len(set(ids)) and len(ids) > 2
    conn = sqlite3.connect(str(image))
    emails = {json.loads(p).get("email") for (p,) in conn.execute("SELECT payload FROM events")}
    conn.close()
    assert {"ada@bank.test", "bob@bank.test"} <= emails


def test_random_streams_continue_where_the_last_commit_left_them(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=4) as whole:
        expected = [whole.random("walk").random() for _ in range(6)]
    with Simulation(seed=4, journal=str(path)) as sim:
        first = [sim.random("walk").random() for _ in range(3)]
        sim.advance(hours=1)  # a group commit stores the stream's position
        image = crash_image(path, tmp_path / "killed")
    with Simulation(seed=4, journal=str(image)) as again:
        assert first + [again.random("walk").random() for _ in range(3)] == expected
        assert again.clock.iso == "2024-01-01T01:00:00Z"


@pytest.mark.parametrize("given, field", [({"seed": 2}, "seed"), ({"seed": 1, "start": "2025-06-01"}, "start")])
def test_a_journal_reopened_with_another_seed_or_start_is_refused(tmp_path, given, field):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path)) as sim:
        sim.price.set(4_000_000)
    before = written(path)
    with pytest.raises(JournalMismatch) as refused:
        Simulation(journal=str(path), **given)
    assert refused.value.field == field and refused.value.given != refused.value.journal
    assert written(path) == before
    with Simulation(seed=1, journal=str(path)) as again:  # and the file is free again
        assert again.price.current() == 4_000_000


def stopped_run(tmp_path: Path, name: str, params: dict, at: int) -> tuple[Path, str]:
    """The uninterrupted digest, and a run directory holding the files of a kill after commit `at`."""
    whole = run_scenario(name, 2, params, tmp_path / "whole")
    from scenarios.library import load_scenario, parse_params

    scenario = load_scenario(name)
    values = parse_params(scenario, [f"{k}={v}" for k, v in params.items()])
    count = [0]

    def observe(sim) -> None:
        def after(seq: int) -> None:
            count[0] += 1
            if count[0] == at:
                crash_image(Path(sim.journal.path), tmp_path / "stopped")

        sim.journal.after_commit.append(after)

    (tmp_path / "imaged").mkdir()
    scenario.execute(seed=2, journal=str(tmp_path / "imaged" / "journal.sqlite"), params=values, observe=observe)
    return tmp_path / "stopped", whole["digest"]


def test_a_stopped_run_resumes_to_the_digest_of_the_run_nobody_stopped(tmp_path):
    run_dir, digest = stopped_run(tmp_path, "interest-late", {}, at=40)
    with open_readonly(str(run_dir / "journal.sqlite")) as view:
        assert view.verify()["ok"] and not view.journal.meta().get("finished")
    summary = resume_run(run_dir)
    assert summary["digest"] == digest
    assert json.loads((run_dir / "summary.json").read_text())["digest"] == digest
    with pytest.raises(RunRefused, match="finished run"):
        resume_run(run_dir)


def test_resume_refuses_another_seed_or_parameter_and_a_journal_it_does_not_reproduce(tmp_path):
    run_dir, _ = stopped_run(tmp_path, "timely-payments", {"days": "30"}, at=12)
    with pytest.raises(JournalMismatch) as refused:
        resume_run(run_dir, seed=3)
    assert (refused.value.field, refused.value.journal, refused.value.given) == ("seed", 2, 3)
    with pytest.raises(JournalMismatch) as refused:
        resume_run(run_dir, params={"days": "31"})
    assert refused.value.field == "days"
    conn = sqlite3.connect(str(run_dir / "journal.sqlite"))
    conn.execute("UPDATE events SET recorded_at = '1999-01-01T00:00:00Z' WHERE seq = 3")  # not what seed 2 wrote
    conn.commit()
    conn.close()
    before = (run_dir / "journal.sqlite").read_bytes()
    with pytest.raises(ResumeDiverged) as diverged:
        resume_run(run_dir)
    assert diverged.value.table == "events" and (run_dir / "journal.sqlite").read_bytes() == before
    assert sorted(p.name for p in run_dir.iterdir()) == ["journal.sqlite"]


def test_the_cli_resumes_a_run_killed_with_sigkill(tmp_path, capsys):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "scenarios.cli", "run", "onboarding", "--seed", "5", "--set", "days=30",
            "--set", "prospects_per_day=3"]
    proc = subprocess.Popen([*argv, "--out", "run"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(3):  # a few days under way, each one committed
            assert "%" in proc.stderr.readline()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    with open_readonly(str(tmp_path / "run" / "journal.sqlite")) as view:
        stopped = view.verify()
        days = view.journal.meta()["params"]["days"]
    assert stopped["ok"] and stopped["events"] > 0 and days == "30"
    assert main(["run", "--resume", str(tmp_path / "run"), "--set", "days=30", "--json"]) == 0
    assert "re-executing from the start, proving the journal committed up to 2024-" in capsys.readouterr().err
    whole = run_scenario("onboarding", 5, {"days": 30, "prospects_per_day": 3}, tmp_path / "whole")
    resumed = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert resumed == whole and resumed["end_of_day_closings"] == 30


def test_resume_of_a_directory_without_a_run_is_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["run", "--resume", str(tmp_path / "empty")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == f"lanasim: error: {tmp_path / 'empty'}: holds no lanasim journal to resume"


def test_ctrl_c_says_how_to_resume_and_the_resumed_run_is_the_uninterrupted_one(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "scenarios.cli", "run", "timely-payments", "--set", "days=400", "--out", "run"]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert "%" in proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    said = [line for line in err.splitlines() if not line.strip().endswith("Z")]
    assert proc.returncode == 130 and said[-1].endswith("; continue it with lanasim run --resume run"), err
    summary = resume_run(tmp_path / "run")
    whole = run_scenario("timely-payments", 0, {"days": 400}, tmp_path / "whole")
    assert summary == whole


def test_a_reopened_run_killed_later_still_verifies(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path)) as sim:
        sim.customer.create_customer("ada@bank.test")
    with Simulation(seed=1, journal=str(path)) as again:  # the first close stored a digest
        again.customer.create_customer("bob@bank.test")
        again.settle(commit=True)
        image = crash_image(path, tmp_path / "killed")
    with open_readonly(str(image)) as view:
        report = view.verify()
    assert report["ok"] and report["first bad row"] is None

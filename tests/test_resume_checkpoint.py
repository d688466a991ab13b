"""A stopped stress run resumes from the checkpoint its last day end committed — participants,
pending jobs and alarms, random streams restored from the journal, the prefix not computed again —
and ends with the journal of the run nobody stopped; pending alarms restored from a checkpoint ring
in the order they were set, which a plain reopen (id order) does not promise."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from engine import Simulation
from engine.inspect import open_readonly
from engine.kernel.jobqueue import described, put_back, take_all
from scenarios.library import load_scenario, parse_params, resume_journal, scenario_names, stress
from scenarios.library.crashes import crash_image, crash_run
from scenarios.library.resume import ResumeDiverged
from tests.test_alarms import REMINDER, Remind

SMALL = {"facilities": "8", "days": "10", "lead_days": "3", "desk_capacity_per_hour": "1"}


def stopped_at(tmp_path: Path, name: str, params: dict, picks: set[float]) -> tuple[dict, int, list[Path]]:
    """The uninterrupted run's summary, the number of commits, and run directories holding the files of a
    kill after each commit in `picks` (a share of the commits; negative: counted from the last).
    Groups of 8 events: most commits fall inside a day, after its checkpoint, which a resume must
    cut away and write again."""
    scenario = load_scenario(name)
    values = parse_params(scenario, [f"{k}={v}" for k, v in params.items()])
    counted: list[int] = []
    whole = scenario.execute(seed=3, journal=":memory:", params=values, observe=lambda sim: (
        setattr(sim.journal, "group_rows", 8), sim.journal.after_commit.append(counted.append)))
    chosen = {round(k * len(counted)) if 0 < k < 1 else int(k) % len(counted) for k in picks}
    commits, images = [0], []

    def observe(sim) -> None:
        sim.journal.group_rows = 8

        def after(_: int) -> None:
            commits[0] += 1
            if commits[0] in chosen:
                images.append(crash_image(Path(sim.journal.path), tmp_path / f"kill-{commits[0]}").parent)

        sim.journal.after_commit.append(after)

    (tmp_path / "imaged").mkdir()
    scenario.execute(seed=3, journal=str(tmp_path / "imaged" / "journal.sqlite"), params=values, observe=observe)
    assert commits[0] == len(counted)
    return whole, len(counted), images


def _events(run_dir: Path) -> int:
    conn = sqlite3.connect(str(run_dir / "journal.sqlite"))
    try:
        return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def checkpoint_of(run_dir: Path) -> dict | None:
    with open_readonly(str(run_dir / "journal.sqlite")) as view:
        meta = view.journal.meta()
        return None if meta.get("finished") else meta.get("checkpoint")


@pytest.mark.parametrize("name", ["march-2020", "stress"])
def test_a_stress_run_killed_after_a_day_resumes_from_its_checkpoint_to_the_uninterrupted_digest(tmp_path, name):
    whole, commits, run_dirs = stopped_at(tmp_path, name, SMALL, {0.3, 0.5, 0.7, 0.85, -3})
    cut, total = 0, int(SMALL["lead_days"]) + int(SMALL["days"])
    restarted = 0
    for run_dir in run_dirs:
        checkpoint = checkpoint_of(run_dir)
        if checkpoint is None:
            continue
        cut += _events(run_dir) > checkpoint["seq"]
        opened: list[tuple[str, int, int]] = []
        days: list[int] = []

        def observe(sim, opened=opened) -> None:
            opened.append((sim.clock.iso, sim.journal.last_seq, sim.ids.state()["commands"]))

        _, summary = resume_journal(run_dir, observe=observe,
                                    progress=lambda fraction, _, days=days: days.append(round(fraction * total)))
        assert summary == whole, run_dir.name  # every figure, the journal digest among them
        # the continued simulation opened at the checkpoint, with its journal, and advanced only the days after it
        assert opened == [(checkpoint["now"], checkpoint["seq"], checkpoint["ids"]["commands"])]
        assert days == list(range(checkpoint["day"] + 1, total + 1))
        with open_readonly(str(run_dir / "journal.sqlite")) as view:
            assert view.verify()["ok"] and view.journal.meta()["finished"]
        restarted += 1
    assert restarted == 5 and cut >= 2 and commits > 50


def test_rows_committed_after_the_checkpoint_that_the_continued_run_does_not_write_again_refuse_the_resume(
        tmp_path, monkeypatch):
    _, _, run_dirs = stopped_at(tmp_path, "march-2020", SMALL, {0.7, 0.75, 0.8})
    run_dir = next(d for d in run_dirs if _events(d) > checkpoint_of(d)["seq"])  # type: ignore[index]
    before = (run_dir / "journal.sqlite").read_bytes()

    class Dearer:  # the code changed since the run stopped: the feed reads one cent more
        def __init__(self, path) -> None:
            self.path = path

        def price_at(self, t: int):
            price = self.path.price_at(t)
            return None if price is None else price + 1

    real = stress.with_faults
    monkeypatch.setattr(stress, "with_faults", lambda path, **faults: Dearer(real(path, **faults)))
    with pytest.raises(ResumeDiverged, match="does not reproduce") as diverged:
        resume_journal(run_dir)
    assert diverged.value.table == "events" and (run_dir / "journal.sqlite").read_bytes() == before
    assert sorted(p.name for p in run_dir.iterdir()) == ["journal.sqlite"]


def _reminders(sim: Simulation) -> None:
    """Four reminders for one instant, set out of id order, and two days of time."""
    day5 = sim.now + timedelta(days=5)
    for entity_id in ("r3", "r1", "r5", "r2"):
        sim.execute("reminder", entity_id, Remind(day5, entity_id))
    sim.advance(days=2)


def _rang(sim: Simulation) -> list[str]:
    return [row[2] for row in sim.journal.rows() if row[4] == "test.reminder.rang"]


def test_restored_alarm_jobs_ring_in_the_order_they_were_set_where_a_plain_reopen_rings_by_id(tmp_path):
    with Simulation(seed=1, journal=str(tmp_path / "straight.sqlite"), aggregates=[REMINDER]) as sim:
        _reminders(sim)
        sim.advance(days=5)
        straight, rang = sim.journal.digest(), _rang(sim)
    assert rang == ["r3", "r1", "r5", "r2"]
    with Simulation(seed=1, journal=str(tmp_path / "stopped.sqlite"), aggregates=[REMINDER]) as sim:
        _reminders(sim)
        jobs = [(t, job) for t, _, place in described(sim.jobs) if (job := sim.alarms.describe(place))]
    assert [job[2] for _, job in jobs] == ["r3", "r1", "r5", "r2"]
    with Simulation(seed=1, journal=str(tmp_path / "stopped.sqlite"), aggregates=[REMINDER]) as reopened:
        walks = reopened.alarms.forget_stored()
        for place, job in take_all(reopened.jobs).items():
            if place not in walks:
                put_back(reopened.jobs, job)
        for t, job in jobs:
            reopened.alarms.restore(reopened.kinds, t, *job)
        reopened.advance(days=5)
        assert reopened.journal.digest() == straight and _rang(reopened)[-4:] == rang
    with Simulation(seed=1, journal=str(tmp_path / "plain.sqlite"), aggregates=[REMINDER]) as sim:
        _reminders(sim)
    with Simulation(seed=1, journal=str(tmp_path / "plain.sqlite"), aggregates=[REMINDER]) as reopened:
        reopened.advance(days=5)
        assert _rang(reopened) == ["r1", "r2", "r3", "r5"]  # why a checkpoint records the job order


def test_a_resumed_run_killed_in_its_turn_resumes_from_its_own_checkpoints(tmp_path):
    whole, _, [run_dir] = stopped_at(tmp_path, "stress", SMALL, {0.4})
    digest = whole["digest"]
    stopped = checkpoint_of(run_dir)
    commits, images = [0], []

    def observe(sim) -> None:  # the continued run is killed after a few of its own commits
        sim.journal.group_rows = 8

        def after(_: int) -> None:
            commits[0] += 1
            if commits[0] == 12:
                images.append(crash_image(Path(sim.journal.path), tmp_path / "killed-again").parent)

        sim.journal.after_commit.append(after)

    assert resume_journal(run_dir, observe=observe)[1]["digest"] == digest
    [again] = images
    second = checkpoint_of(again)
    assert stopped is not None and second is not None and second["day"] > stopped["day"]
    assert resume_journal(again)[1]["digest"] == digest


def test_a_row_edited_before_the_checkpoint_fails_the_chain_and_the_resume_is_refused(tmp_path):
    _, _, [run_dir] = stopped_at(tmp_path, "march-2020", SMALL, {0.6})
    checkpoint = checkpoint_of(run_dir)
    assert checkpoint is not None and checkpoint["seq"] > 10
    conn = sqlite3.connect(str(run_dir / "journal.sqlite"))
    conn.execute("UPDATE outbox SET payload = payload || ' ' WHERE sequence = 10")  # copied, never rewritten
    conn.commit()
    conn.close()
    before = (run_dir / "journal.sqlite").read_bytes()
    announced: list[str] = []
    with pytest.raises(ResumeDiverged, match="hash chain") as diverged:
        resume_journal(run_dir, announce=announced.append)
    assert diverged.value.table == "outbox" and (run_dir / "journal.sqlite").read_bytes() == before
    assert announced == []  # nothing says a resume starts from a journal that failed its checks
    assert sorted(p.name for p in run_dir.iterdir()) == ["journal.sqlite"]


STRESS_FAMILY = [name for name in scenario_names() if load_scenario(name).restartable]


def test_the_stress_family_is_every_scenario_told_by_the_stress_day_loop():
    assert {"stress", "march-2020", "ftx-2022"} <= set(STRESS_FAMILY) and "onboarding" not in STRESS_FAMILY


@pytest.mark.parametrize("name", STRESS_FAMILY)
def test_every_stress_scenario_killed_at_every_commit_resumes_to_the_uninterrupted_digest(tmp_path, name):
    overrides = {"facilities": "4", "days": "4", "lead_days": "1"}
    report = crash_run(name, tmp_path, overrides=overrides)
    assert report.crashes == report.commits and report.losses == 0
    assert report.verify_failures == [] and report.resume_mismatches == []
    assert report.restarts >= 4  # a kill after any day's end continues from that day's checkpoint


def test_a_branch_of_another_journal_killed_after_a_day_resumes_from_its_checkpoint(tmp_path):
    """Its stored alarms, walked from the index since the branch opened, are restored as that walk."""
    from scenarios.book.branch import run_from
    from scenarios.library import run_scenario

    run_scenario("march-2020", 1, {"facilities": 6, "days": 4, "lead_days": 3}, tmp_path / "source")
    branch = {"days": 8, "path": "ftx-2022"}  # the book is the source's 6 facilities
    whole = run_from("stress", str(tmp_path / "source"), seed=2, params=branch, run_dir=tmp_path / "whole")

    def kill(fraction: float, _: str) -> None:
        if round(fraction * 8) == 5:
            crash_image(tmp_path / "run" / "journal.sqlite", tmp_path / "killed")

    run_from("stress", str(tmp_path / "source"), seed=2, params=branch, run_dir=tmp_path / "run", progress=kill)
    checkpoint = checkpoint_of(tmp_path / "killed")
    assert checkpoint is not None and checkpoint["day"] == 5
    assert any(job[2] == "stored" for job in checkpoint["queue"])  # the walk was still under way
    assert resume_journal(tmp_path / "killed")[1]["digest"] == whole["digest"]


def test_a_branch_stopped_before_its_first_checkpoint_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    from scenarios.book.branch import run_from
    from scenarios.cli import main
    from scenarios.library import run_scenario

    run_scenario("march-2020", 1, {"facilities": 4, "days": 2, "lead_days": 1}, tmp_path / "source")

    def stopped(*_: object) -> None:  # stopped once the branch is open, before its first day ends
        raise KeyboardInterrupt

    monkeypatch.setattr(stress, "run_market", stopped)
    with pytest.raises(KeyboardInterrupt):
        run_from("stress", str(tmp_path / "source"), seed=2, params={"days": 3},
                 run_dir=tmp_path / "run")
    assert checkpoint_of(tmp_path / "run") is None
    before = (tmp_path / "run" / "journal.sqlite").read_bytes()
    assert main(["run", "--resume", str(tmp_path / "run")]) == 2
    assert "stopped before its first day ended" in capsys.readouterr().err
    assert (tmp_path / "run" / "journal.sqlite").read_bytes() == before


def test_the_cli_says_which_checkpoint_a_resume_starts_from(tmp_path, capsys):
    from scenarios.cli import main

    _, _, [run_dir] = stopped_at(tmp_path, "march-2020", SMALL, {0.5})
    checkpoint = checkpoint_of(run_dir)
    assert checkpoint is not None
    capsys.readouterr()
    assert main(["run", "--resume", str(run_dir)]) == 0
    err = capsys.readouterr().err
    assert f"resuming from the checkpoint of day {checkpoint['day']} ({checkpoint['now']})" in err


def test_a_run_stopped_inside_a_day_end_keeps_the_previous_checkpoint_and_resumes_to_the_uninterrupted_digest(
        tmp_path, monkeypatch):
    """A failure (or Ctrl-C) while the midnight's accruals run closes the simulation, and that close
    commits what came before: not with a checkpoint of the day whose jobs did not all run."""
    from engine.bank.credit_day import DayEnd

    scenario = load_scenario("march-2020")
    values = parse_params(scenario, [f"{k}={v}" for k, v in SMALL.items()])
    whole = scenario.execute(seed=3, journal=":memory:", params=values)
    accrue, calls = DayEnd.accrue, [0]

    def stopped_on_the_fifth_day_end(self, due, envelope):
        calls[0] += 1
        if calls[0] == 5:
            raise KeyboardInterrupt  # as a second Ctrl-C would, inside the midnight's cascade
        return accrue(self, due, envelope)

    monkeypatch.setattr(DayEnd, "accrue", stopped_on_the_fifth_day_end)
    (tmp_path / "run").mkdir()
    with pytest.raises(KeyboardInterrupt):
        scenario.execute(seed=3, journal=str(tmp_path / "run" / "journal.sqlite"), params=values)
    monkeypatch.setattr(DayEnd, "accrue", accrue)
    checkpoint = checkpoint_of(tmp_path / "run")
    assert checkpoint is not None and checkpoint["day"] == 4  # the last day whose jobs all ran
    assert resume_journal(tmp_path / "run")[1] == whole

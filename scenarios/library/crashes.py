"""Deterministic simulation testing of durability: crash a scenario at group-commit boundaries
(the files as a `kill -9` leaves them), check `verify` and exact resume; inject write errors.

A crash image is a copy of the journal file and its write-ahead log taken right after a COMMIT: what
a process killed at that instant leaves on disk (the OS keeps what was written; SQLite recovers the
log when the file is next opened). `tests/test_faults.py` runs a bounded sample; `bench/faults.py`
every boundary of every scenario, printing commands tried, faults injected and losses.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import attrs

from scenarios.library import load_scenario, parse_params, resume_journal
from scenarios.library.rundir import JOURNAL

__all__ = ["CrashRun", "FaultRun", "crash_image", "crash_run", "fault_run"]


@attrs.define
class CrashRun:
    """What crashing one scenario at `crashes` commit boundaries found (losses and failures: 0)."""

    scenario: str
    commits: int = 0
    commands: int = 0
    crashes: int = 0
    restarts: int = 0  # crashes resumed from a checkpoint (the others re-executed, or were finished)
    losses: int = 0  # acknowledged events missing from a crash image, summed
    verify_failures: list[str] = attrs.Factory(list)
    resume_mismatches: list[str] = attrs.Factory(list)
    digest: str = ""


@attrs.define
class FaultRun:
    """What injecting one failing write or commit into one scenario found."""

    scenario: str
    point: str
    at: int
    faults: int = 0
    losses: int = 0
    resumed_digest_ok: bool = False


def crash_image(journal: Path, dest: Path) -> Path:
    """Copy a live journal and its write-ahead log into the run directory `dest` (a kill -9's files)."""
    dest.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        source = Path(f"{journal}{suffix}")
        if source.exists():
            shutil.copyfile(source, dest / f"{JOURNAL}{suffix}")
    return dest / JOURNAL


def _scenario(name: str, overrides: dict[str, str]):
    scenario = load_scenario(name)
    return scenario, parse_params(scenario, [f"{k}={v}" for k, v in overrides.items()])


def _uninterrupted(name: str, seed: int, overrides: dict[str, str], work: Path) -> tuple[str, int, int]:
    """Digest, commit count and command count of the run nobody stopped."""
    scenario, params = _scenario(name, overrides)
    commits: list[int] = []
    sims: list = []

    def observe(sim) -> None:
        sims.append(sim)
        sim.journal.after_commit.append(commits.append)

    summary = scenario.execute(seed=seed, journal=str(work / "whole" / JOURNAL) if _mk(work / "whole") else "",
                               params=params, observe=observe)
    return summary["digest"], len(commits), sims[0].ids.state()["commands"]


def _mk(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return True


def crash_run(name: str, work: Path, *, seed: int = 1, overrides: dict[str, str] | None = None,
              sample: int | None = None, picked: Callable[[int, int], bool] | None = None) -> CrashRun:
    """Crash `name` at every group-commit boundary (or `sample` of them, evenly spread, always the
    first and the last), then for each image: `verify` ok, nothing acknowledged missing, and
    `resume_journal` reaching the uninterrupted digest."""
    from engine.inspect import open_readonly

    overrides = overrides or {}
    digest, commits, commands = _uninterrupted(name, seed, overrides, work)
    report = CrashRun(name, commits=commits, commands=commands, digest=digest)
    chosen = _spread(commits, sample) if picked is None else {k for k in range(1, commits + 1) if picked(k, commits)}
    scenario, params = _scenario(name, overrides)
    images: list[tuple[Path, int]] = []
    restarted: list[bool] = []

    def observe(sim) -> None:
        count = [0]

        def after(seq: int) -> None:
            count[0] += 1
            if count[0] in chosen:
                images.append((crash_image(Path(sim.journal.path), work / f"crash-{count[0]}"), seq))

        sim.journal.after_commit.append(after)

    _mk(work / "imaged")
    scenario.execute(seed=seed, journal=str(work / "imaged" / JOURNAL), params=params, observe=observe)
    for image, acknowledged in images:
        report.crashes += 1
        with open_readonly(str(image)) as view:
            checked = view.verify()
            report.losses += max(0, acknowledged - view.journal.last_seq)
            finished = view.journal.meta().get("finished")
        if not checked["ok"]:
            report.verify_failures.append(f"{image}: {checked}")
        if finished:  # killed after the story ended: nothing to resume, the journal is the whole run
            final = checked["digest"]
        else:
            final = resume_journal(image.parent, observe=lambda sim: restarted.append(
                "checkpoint" in sim.journal.meta()))[1].get("digest") or _digest(image)
            report.restarts += restarted.pop()
        if final != digest:
            report.resume_mismatches.append(str(image))
        shutil.rmtree(image.parent)
    return report


def fault_run(name: str, work: Path, *, point: str, at: int, seed: int = 1,
              overrides: dict[str, str] | None = None, error: str = "database or disk is full") -> FaultRun:
    """Fail the `at`-th write or commit (`point`: "write" or "commit") of `name` once with `error`:
    the run stops with `JournalWriteFailed` (or a reaction's failure on it), closes with every
    acknowledged row committed, and resumes to the uninterrupted digest."""
    from engine.inspect import open_readonly
    overrides = overrides or {}
    digest, _, _ = _uninterrupted(name, seed, overrides, work)
    scenario, params = _scenario(name, overrides)
    report, seen, acknowledged = FaultRun(name, point, at), [0], [0]

    def observe(sim) -> None:
        def fault(where: str) -> None:
            if where == point:
                seen[0] += 1
                if seen[0] == at:
                    report.faults += 1
                    acknowledged[0] = sim.journal.last_seq
                    raise sqlite3.OperationalError(error)

        sim.journal.fault = fault

    run_dir = work / f"fault-{point}-{at}"
    _mk(run_dir)
    try:
        scenario.execute(seed=seed, journal=str(run_dir / JOURNAL), params=params, observe=observe)
    except Exception as exc:  # JournalWriteFailed, or a reaction that failed on it (ReactionFailed)
        if "JournalWriteFailed" not in repr(exc):
            raise
    with open_readonly(str(run_dir / JOURNAL)) as view:
        report.losses = max(0, acknowledged[0] - view.journal.last_seq)
    if report.faults:
        resumed = resume_journal(run_dir)[1].get("digest") or _digest(run_dir / JOURNAL)
        report.resumed_digest_ok = resumed == digest
    shutil.rmtree(run_dir)
    return report


def _spread(commits: int, sample: int | None) -> set[int]:
    if sample is None or sample >= commits:
        return set(range(1, commits + 1))
    if sample <= 1:
        return {1}
    return {1 + round(i * (commits - 1) / (sample - 1)) for i in range(sample)}


def _digest(journal: Path) -> str:
    from engine.inspect import open_readonly

    with open_readonly(str(journal)) as view:
        return view.journal.digest()

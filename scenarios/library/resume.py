"""`lanasim run --resume DIR`: continue a stopped or killed run to the journal an uninterrupted run gives.

Two ways, by the kind of story. The stress family (`stress` and its presets: march-2020, ftx-2022,
...; every story told by `scenarios.library.stress.run_market`, `run --from` branches included) is
a day loop over data, so the commit that ends each day also stores a checkpoint in the run's
metadata (hash-chained like all of it; see `scenarios.behaviour.checkpoint`): the day reached, the
journal's last seq and outbox sequence, ids and random-stream positions, the desk's hour, the
borrowers' open margin calls, and every pending job as data in the order the jobs will run —
alarms, desk executions, borrowers' top-ups, repayments and payments, the next price tick and end
of day. A resume checks the stopped journal's hash chain, copies it cut at its last checkpoint
(`cut_at_checkpoint`: rows committed after it are cut away), reopens it, restores participants and
jobs, and advances only the days after the checkpoint; the rows the stop had committed after the
checkpoint must come out again byte for byte (`prove_prefix`). The prefix is not computed again.

The hand-written Lana stories (onboarding, timely-payments, interest-late, ...) are Python
procedures whose position — loop counters, local variables, jobs holding closures — is not data,
so they keep the older way: re-execute from the scenario, seed and parameters the journal records
(committed before the story starts) into `journal.sqlite.resume` and prove that the committed
journal — every event row and outbox envelope — is an exact prefix of the re-execution. Either
way the result replaces the stopped journal only once proven, at whatever group-commit boundary
the run was stopped (Ctrl-C, `kill -9`, a full disk); a stopped journal that fails its chain or is
not reproduced (the code or the inputs changed since) is `ResumeDiverged`, and is left as it was.
A branch stopped before its first day ended has no checkpoint and is refused (`RunRefused`).
A run stopped after its journal finished, while it wrote its outputs (its `summary.json`, written
last, is missing), gets them written from the journal (`finish_outputs`); one that wrote them is
refused: there is nothing to resume. One resume at a time: a second one while the first runs is
refused with `JournalLocked` (`held`), where it would have deleted the first one's journal. A
resume stopped by Ctrl-C once past the stopped run's rows keeps what it wrote (`keep_stopped`): its
journal, committed at the day it stopped at, takes the old one's place, and the next resume goes on
from there.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from engine.kernel.errors import EngineError
from engine.kernel.journal_file import SIDE_FILES, refusal, remove_journal
from scenarios.library.rundir import JOURNAL, STOPPED_AT_BIRTH, RunRefused, held, journal_meta, stopped_at_birth

__all__ = ["RESUMING", "ResumeDiverged", "committed_prefix", "cut_at_checkpoint", "finish_outputs", "finished_meta",
           "held", "keep_stopped", "prepare_resume", "prove_prefix", "replace", "settle_wal", "stopped_by_user"]

RESUMING = f"{JOURNAL}.resume"


class ResumeDiverged(EngineError):
    """The re-executed run does not reproduce the stopped journal (fields: path, table, rows,
    problem); the stopped journal is kept unchanged."""


def prepare_resume(run_dir: Path) -> tuple[dict, Path]:
    """The stopped run's metadata (scenario, seed, params) and the path to re-execute into.

    Refused (`RunRefused`): no journal, a journal that records no scenario, a finished run."""
    journal = run_dir / JOURNAL
    if not journal.is_file():
        raise RunRefused(run_dir, "holds no lanasim journal to resume")
    if stopped_at_birth(journal):
        raise RunRefused(journal, STOPPED_AT_BIRTH)
    settle_wal(journal)
    meta = journal_meta(journal)
    if "scenario" not in meta or "params" not in meta:
        if not _holds_events(journal):  # the run was killed while it created its journal
            raise RunRefused(journal, "was stopped before its run started (nothing committed); run it again with "
                                      "--force")
        raise RunRefused(journal, "records no scenario (not written by lanasim run); nothing to resume")
    if meta.get("finished"):
        raise RunRefused(journal, "holds a finished run and its outputs; nothing to resume (lanasim report writes "
                                  "them again)")
    target = run_dir / RESUMING
    remove_journal(target)  # a previous resume that was itself stopped: ours to remove
    return meta, target


def finished_meta(run_dir: Path) -> dict | None:
    """The metadata of the finished run `run_dir` holds (None: no journal, or a run not finished)."""
    journal = run_dir / JOURNAL
    if not journal.is_file() or stopped_at_birth(journal):  # the latter refused by `prepare_resume`
        return None
    settle_wal(journal)
    meta = journal_meta(journal)
    return meta if meta.get("finished") and "scenario" in meta and "params" in meta else None


def finish_outputs(run_dir: Path, meta: dict, scenario, values: dict, progress=None) -> dict:
    """Write the outputs of the finished run in `run_dir` and return its summary: the scenario's
    `report` reads them from the journal; a story without one re-executes in memory, which must
    reach the journal's digest (`ResumeDiverged` otherwise), for the summary only it computes."""
    from engine.inspect import open_readonly
    from scenarios.library.rundir import claim_outputs, write_summary

    report = getattr(scenario.module, "report", None)
    if report is not None:
        return dict(report(run_dir, digest=meta.get("digest")))
    with open_readonly(str(run_dir / JOURNAL)) as view:
        digest, events = view.journal.digest(), view.journal.last_seq
    summary = scenario.execute(seed=meta["seed"], journal=":memory:", params=values, progress=progress)
    if summary.get("digest") != digest:
        raise ResumeDiverged(path=str(run_dir / JOURNAL), table="events", rows=events,
                             problem="the re-executed run does not reach the finished journal's digest")
    claim_outputs(run_dir)
    write_summary(run_dir, summary)
    return dict(summary)


def _holds_events(journal: Path) -> bool:
    conn = sqlite3.connect(str(journal))  # read only (see committed_prefix)
    try:
        return conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:  # no events table yet
        return False
    finally:
        conn.close()


def settle_wal(journal: Path) -> None:
    """Fold a killed writer's write-ahead log into the file (what it committed stays committed)."""
    conn = sqlite3.connect(str(journal), isolation_level=None, timeout=0.2)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError as exc:  # a full disk is `JournalUnreadable`, not a foreign file
        raise refusal(str(journal), exc) from None
    finally:
        conn.close()


def committed_prefix(journal: Path, checkpoint: dict | None = None) -> dict:
    """Row counts and hashes of the stopped journal's events and outbox (after the `checkpoint`'s
    seq and outbox sequence, when given: the rows before it are copied, not written again).
    `ResumeDiverged` when the journal fails its hash chain: a re-execution proves only the events
    and outbox, so an edited audit, ledger or metadata row (the seed, the parameters it re-runs
    with) would otherwise be replaced by a clean journal without a word, its evidence gone."""
    conn = sqlite3.connect(str(journal))  # read only; not mode=ro, which would leave the -wal and -shm behind
    try:
        _require_chain(conn, journal, checkpoint["seq"] if checkpoint else None)
        events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        outbox = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        after = (checkpoint["seq"], checkpoint["outbox"]) if checkpoint else (0, 0)
        return {"events": events, "outbox": outbox, "after": after, **_hashes(conn, events, outbox, after)}
    finally:
        conn.close()


def prove_prefix(stopped: dict, resumed: Path) -> None:
    """Raise `ResumeDiverged` unless `resumed` starts with exactly the stopped journal's rows (those
    `committed_prefix` hashed)."""
    conn = sqlite3.connect(str(resumed))
    try:
        found = _hashes(conn, stopped["events"], stopped["outbox"], stopped["after"])
    finally:
        conn.close()
    for table in ("events", "outbox"):
        if found[f"{table} hash"] != stopped[f"{table} hash"]:
            raise ResumeDiverged(path=str(resumed), table=table, rows=stopped[table],
                                 problem="the re-executed run does not reproduce the stopped journal's rows")


def cut_at_checkpoint(journal: Path, target: Path, checkpoint: dict) -> None:
    """Write into `target` the stopped journal as it stood at `checkpoint` (rows committed after it
    cut away, to be written again by the continued run), with the run's ids and streams as then."""
    from engine.bank import modules
    from engine.kernel.fork import cut_seq, fork_journal

    conn = sqlite3.connect(str(journal))  # read only (see committed_prefix)
    try:  # the rows kept are copied, not written again: `committed_prefix` checked they are the run's own
        if cut_seq(conn, checkpoint["now"]) != checkpoint["seq"]:
            raise ResumeDiverged(path=str(journal), table="events", rows=checkpoint["seq"],
                                 problem=f"the journal's events up to the checkpoint at {checkpoint['now']} "
                                         "are not the ones it recorded")
        fork_journal(conn, str(target), checkpoint["now"], modules.aggregates(), meta={"ids": checkpoint["ids"]})
    finally:
        conn.close()


def _require_chain(conn: sqlite3.Connection, journal: Path, seq: int | None) -> None:
    from engine.kernel.chain_check import ChainBroken, require_intact

    try:
        require_intact(conn, str(journal))
    except ChainBroken as broken:
        fields = broken.fields
        rows = seq if seq is not None else conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        raise ResumeDiverged(path=str(journal), table=fields["table"], rows=rows,
                             problem=f"the stopped journal fails its hash chain at {fields['table']} "
                                     f"{fields['key']}: {fields['problem']}") from None


def stopped_by_user(exc: BaseException) -> bool:
    """Whether `exc` is the first Ctrl-C's stop (`lanasim run`'s progress raises it at a day end, where
    the journal has just committed the whole day); a second Ctrl-C's interrupt stops mid-day."""
    from scenarios.console import Stopped

    return isinstance(exc, Stopped)


def keep_stopped(stopped: dict, run_dir: Path, resumed: Path) -> bool:
    """Put the resumed journal, stopped by the user, in the stopped one's place if it holds every row
    `stopped` (`committed_prefix`) hashed; whether it did (False: the resume had not got that far)."""
    try:
        settle_wal(resumed)  # closed at the stop: its write-ahead log folded into the file
        prove_prefix(stopped, resumed)
    except (EngineError, sqlite3.Error):
        return False
    replace(run_dir, resumed)
    for suffix in SIDE_FILES:
        Path(f"{resumed}{suffix}").unlink(missing_ok=True)
    return True


def replace(run_dir: Path, resumed: Path) -> None:
    """The re-executed journal takes the stopped one's place (side files of the old one first)."""
    journal = run_dir / JOURNAL
    for suffix in SIDE_FILES:
        Path(f"{journal}{suffix}").unlink(missing_ok=True)
    resumed.replace(journal)


def _hashes(conn: sqlite3.Connection, events: int, outbox: int, after: tuple[int, int]) -> dict:
    rows = {
        "events": conn.execute(
            "SELECT e.seq, n.kind, n.id, e.entity_seq, e.type, e.version, e.payload, e.recorded_at, e.context "
            "FROM events e JOIN entities n USING (entity) WHERE e.seq > ? AND e.seq <= ? ORDER BY e.seq",
            (after[0], events)),
        "outbox": conn.execute("SELECT * FROM outbox WHERE sequence > ? AND sequence <= ? ORDER BY sequence",
                               (after[1], outbox)),
    }
    hashes = {}
    for (table, cursor), (first, last) in zip(rows.items(), ((after[0], events), (after[1], outbox)), strict=True):
        h, n = hashlib.sha256(), 0
        for row in cursor:
            h.update("\x1f".join(map(str, row)).encode() + b"\n")
            n += 1
        hashes[f"{table} hash"] = h.hexdigest() if n == last - first else f"{n} rows"
    return hashes

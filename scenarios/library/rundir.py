"""A run directory: `journal.sqlite` (the source of truth) and the outputs computed from it.

`run_scenario` never destroys what lanasim did not create: it refuses a directory holding other
files, a journal path that is not a lanasim journal, and (without `force`) a previous run's journal.
`summary.json` is written last and whole, so a run stopped while writing its outputs is told apart.
`.lanasim-outputs.json` records the outputs lanasim wrote there (their SHA-256): a file of an
output's name that it does not record, or that changed since, is not replaced (`claim_outputs`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from engine.kernel.aside import held_directory, refuse_other_writer, remove_abandoned
from engine.kernel.errors import EngineError, JournalLocked, NotALanasimJournal
from scenarios.library.params import ScenarioError

__all__ = ["JOURNAL", "OUTPUTS", "SUMMARY", "RunRefused", "as_dir", "as_written", "claim_outputs", "held",
           "journal_meta", "journal_of", "outputs_written", "prepare_run_dir", "write_outputs", "write_summary"]

JOURNAL, SUMMARY = "journal.sqlite", "summary.json"
OUTPUTS = (SUMMARY, f"{SUMMARY}.partial", "timeseries.parquet", "facilities.parquet", "report.html")
WRITTEN = ".lanasim-outputs.json"  # {output name: its SHA-256 as written, or None while being written}


def journal_of(path: str | Path) -> str:
    """A journal file as given, or the journal of a run directory (what every journal command reads).
    A sweep's directory, which holds none, is `RunRefused` saying where a sweep keeps journals (it
    was "SWEEP/journal.sqlite: no such file")."""
    if not Path(path).is_dir():
        return str(path)
    if not (Path(path) / JOURNAL).exists() and (Path(path) / SWEEP_MANIFEST).is_file():
        raise RunRefused(path, "a sweep's directory, which holds no journal: a sweep keeps its runs' journals only "
                               f"when run with --keep-journals, as {Path(path) / 'journals'}/KEY.sqlite (its runs: "
                               f"lanasim report {path})")
    return str(Path(path) / JOURNAL)


SWEEP_MANIFEST = "sweep.json"  # a sweep directory's manifest (`scenarios.sweep.store.MANIFEST`)


class RunRefused(ScenarioError):
    """The run directory cannot be used as asked (fields: path, problem); nothing was touched."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


def as_dir(argument: str, value: object) -> Path:
    """A directory argument of the Python API (`out`, `run_dir`) as a Path: a str or a path, else
    `ScenarioError` naming the argument (5 was pathlib's TypeError: expected str, bytes or os.PathLike)."""
    if not isinstance(value, (str, os.PathLike)) or isinstance(os.fspath(value), bytes):
        raise ScenarioError(f"{argument} must be a directory path (str or Path), got {value!r}")
    if isinstance(value, str) and not value.strip():  # out="" wrote the run into the working directory
        raise ScenarioError(f"{argument} is empty: give a directory path")
    return Path(value)


def prepare_run_dir(run_dir: Path, *, force: bool = False) -> Path:
    """Create `run_dir` if needed and return its journal path, free to be written.

    Refused (`RunRefused`, nothing changed): `run_dir` is a file; it holds files but no journal;
    its journal is a directory or a foreign file; it holds a lanasim journal and `force` is off.
    A journal another run holds, or a run directory a resume holds (`held`), raises `JournalLocked`;
    a journal another `run --from BOOK.csv` is importing into the directory, `BeingWritten`.
    With `force` a lanasim journal (and its SQLite side files) is deleted with the outputs its run
    wrote (`OUTPUTS`, `plots/NAME.png`), so a forced run stopped before its own outputs leaves none
    of the old run's beside its journal; every other file stays where it is. A `force` that is no
    bool is `ScenarioError` (run_stress(force="no") replaced the previous run)."""
    if type(force) is not bool:
        raise ScenarioError(f"force must be True or False (--force), got {force!r}")
    if run_dir.exists() and not run_dir.is_dir():
        raise RunRefused(run_dir, "exists and is not a directory")
    journal = run_dir / JOURNAL
    if journal.is_dir():
        raise RunRefused(journal, "is a directory, not a journal")
    if not journal.exists():
        if run_dir.is_dir():  # a run killed while it imported its book (`run --from BOOK.csv`) left its partial file
            refuse_other_writer(str(journal))  # one importing it now: said so, not `holds files but no journal`
            remove_abandoned(str(journal))
        if run_dir.exists() and any(run_dir.iterdir()):
            raise RunRefused(run_dir, "holds files but no lanasim journal; choose an empty or new directory "
                                      "(--out; out= or run_dir= in Python)")
        run_dir.mkdir(parents=True, exist_ok=True)
        return journal
    if stopped_at_birth(journal):  # lanasim's, killed as SQLite made it: refused as foreign even with --force
        if not force:
            raise RunRefused(journal, STOPPED_AT_BIRTH)
    else:
        journal_meta(journal)  # raises NotALanasimJournal (foreign) or JournalLocked (in use)
    if not force:
        raise RunRefused(journal, "holds a previous run; pass --force (force=True) to replace it, or choose "
                                    "another directory (--out; out= or run_dir= in Python)")
    from engine.kernel.journal_file import remove_journal

    with held(run_dir):  # not the run a resume is continuing
        _require_ours(run_dir)  # before anything is deleted
        remove_journal(journal)
        _remove_outputs(run_dir)
    return journal


STOPPED_AT_BIRTH = "was stopped before its run started (nothing committed); run it again with --force"


def stopped_at_birth(journal: Path) -> bool:
    """Whether `journal` is the empty file a run killed in its first milliseconds leaves (SQLite
    creates the file before it writes the first page; a rollback journal may be beside it, a
    write-ahead log with pages never is): it holds nothing, so `--force` replaces it. `--resume`,
    a rerun and `--force` all said `not a lanasim journal (empty file)` of it, and it had to be
    deleted by hand."""
    wal = Path(f"{journal}-wal")
    return journal.is_file() and journal.stat().st_size == 0 and (not wal.exists() or wal.stat().st_size == 0)


def _remove_outputs(run_dir: Path) -> None:
    """The outputs a previous run wrote into `run_dir` (by name; other files are not lanasim's)."""
    from scenarios.analysis.plots import FIGURES

    for name in OUTPUTS:
        (run_dir / name).unlink(missing_ok=True)
    plots = run_dir / "plots"
    for name in FIGURES:
        (plots / f"{name}.png").unlink(missing_ok=True)
    if plots.is_dir() and not any(plots.iterdir()):
        plots.rmdir()
    for name in (WRITTEN, f"{WRITTEN}.partial"):
        (run_dir / name).unlink(missing_ok=True)


def _output_names() -> list[str]:
    from scenarios.analysis.plots import FIGURES

    return [*OUTPUTS, *(f"plots/{name}.png" for name in FIGURES)]


def _written(run_dir: Path) -> dict[str, str | None]:
    try:
        recorded = json.loads((run_dir / WRITTEN).read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # a directory, or unreadable: not an output lanasim wrote
        return None


def _require_ours(run_dir: Path) -> None:
    """`RunRefused` naming the first file of an output's name that lanasim did not write in `run_dir`,
    or that changed since (a journal copied beside a user's own report.html and summary.json: a
    report overwrote both): one it was writing when stopped (recorded as None) is its own."""
    written = _written(run_dir)
    for name in _output_names():
        path = run_dir / name
        if not os.path.lexists(path):
            continue
        if name not in written or (written[name] is not None and written[name] != _sha256(path)):
            raise RunRefused(path, "exists and is not an output lanasim wrote here (or was changed since); "
                                   "move it away to let lanasim write its own")


def as_written(run_dir: Path, name: str) -> bool:
    """Whether `run_dir/name` holds the bytes lanasim recorded writing there (not edited since)."""
    recorded = _written(run_dir).get(name)
    return recorded is not None and recorded == _sha256(run_dir / name)


def claim_outputs(run_dir: Path) -> None:
    """Before a run's outputs are (re)written: refuse a file of an output's name that is not lanasim's
    (`_require_ours`), then record every output as being written, so a run stopped while writing
    them finds them its own when it resumes (`write_summary`, last, records what was written). A
    previous `summary.json` (ours, checked) goes first: the outputs being rewritten, the directory
    reads as unfinished until the new one is written (a `lanasim report` killed while it rewrote a
    finished run's page left the old summary beside a page cut short, and `--resume` refused it)."""
    _require_ours(run_dir)
    _record(run_dir, dict.fromkeys(_output_names()))
    (run_dir / SUMMARY).unlink(missing_ok=True)


def _record(run_dir: Path, written: Mapping[str, str | None]) -> None:
    _write_whole(run_dir / WRITTEN, json.dumps(dict(written), indent=1, sort_keys=True) + "\n")


def _write_whole(path: Path, text: str) -> None:
    """`path` holds `text` whole or as it was: written aside as PATH.partial, then renamed over."""
    partial = path.with_name(f"{path.name}.partial")
    try:
        partial.write_text(text)
        os.replace(partial, path)
    except OSError as failed:  # a read-only or full file system: said of PATH.partial, a name no one asked for
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise OSError(failed.errno, failed.strerror, str(path)) from None


def outputs_written(run_dir: Path, meta: Mapping[str, object]) -> bool:
    """Whether the finished run whose journal metadata is `meta` wrote its outputs: its `summary.json`
    (written last, whole) holds the journal's digest (`digest`; `journal digest` in a story's
    summary.json written before the story summaries took snake_case names)."""
    try:
        summary = json.loads((run_dir / SUMMARY).read_text())
    except (OSError, ValueError):
        return False
    recorded = summary.get("digest", summary.get("journal digest")) if isinstance(summary, dict) else None
    return recorded is not None and recorded == meta.get("digest")


def write_summary(run_dir: Path, summary: Mapping[str, object]) -> None:
    """`run_dir/summary.json`, whole or not at all (written aside, then renamed over)."""
    _write_whole(run_dir / SUMMARY, json.dumps(dict(summary), indent=2, default=str) + "\n")
    names = [name for name in _output_names() if (run_dir / name).is_file()]  # written last: every output is
    _record(run_dir, {name: _sha256(run_dir / name) for name in names})


@contextmanager
def held(run_dir: Path) -> Iterator[None]:
    """The run directory locked for one resume, or for a `--force` replacing its run (an advisory
    lock on the directory, released when the process ends, killed or not); `JournalLocked` while
    another process holds it."""
    with held_directory(str(run_dir)) as holding:  # unlocked where there is no such directory (refused later)
        if holding is False:
            raise JournalLocked(path=str(run_dir / JOURNAL))
        yield


def journal_meta(journal: Path) -> dict:
    """A lanasim journal's metadata, read without writing (`NotALanasimJournal`, `JournalLocked`):
    the file checked as a `Journal` checks it, then its metadata table alone, neither the event
    types nor every entity's name a `Journal` loads (a sweep's run reads its book's twice, and a
    100,000-facility book holds a million entities)."""
    from engine.kernel.codec import loads
    from engine.kernel.journal_file import check_or_create, connect, refusal

    if not journal.is_file():
        raise NotALanasimJournal(path=str(journal), problem="no such file" if not journal.exists() else "not a file")
    try:
        conn = connect(str(journal), True)
        try:
            check_or_create(conn, str(journal), True)
            return {key: loads(value) for key, value in conn.execute("SELECT key, value FROM lanasim_meta")}
        finally:
            conn.close()
    except EngineError:
        raise
    except sqlite3.Error as exc:  # a half-written or foreign file, or a full disk
        raise refusal(str(journal), exc) from None


def write_outputs(module, run_dir: Path, summary: Mapping[str, object]) -> dict:
    """The scenario's own `report(run_dir, digest=...)` when it has one (given the digest the run
    computed as it closed its journal, when the summary holds one), else the story's summary as JSON."""
    report: Callable[..., dict] | None = getattr(module, "report", None)
    if report is not None:
        digest = summary.get("digest")
        return dict(report(run_dir, digest=digest) if isinstance(digest, str) else report(run_dir))
    claim_outputs(run_dir)
    write_summary(run_dir, summary)
    return dict(summary)

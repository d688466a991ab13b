"""A book held in another journal: the open facilities of a lanasim journal or run directory as it
stood at an instant, as the book a stress run starts from (the `stress` parameters `book_from` and
`book_at`). A run cuts it straight into its own journal (`open_branch`); a sweep opens it once, as
a file (`write`) or journal bytes (`build`) that each worker branches as its seed, as a drawn book
is. All give the journal `lanasim run SCENARIO --from JOURNAL --at T --seed N` writes."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from engine.bank import modules
from engine.kernel.chain_check import require_intact
from engine.kernel.fork import fork_journal, open_source
from engine.simulation import Simulation
from scenarios.book.export import as_of_iso, open_facilities
from scenarios.book.shared import snapshot
from scenarios.library.params import ScenarioError
from scenarios.library.rundir import journal_meta

__all__ = ["build", "check", "key", "no_book_params", "not_set_twice", "open_branch", "rollback_mode", "settings",
           "source", "write"]


def source(book_from: str) -> Path:
    """The journal file `book_from` names (a run directory's `journal.sqlite`), as an absolute path."""
    path = Path(book_from).expanduser().resolve()
    return path / "journal.sqlite" if path.is_dir() else path


def settings(journal: str, at: str | None, given: Iterable[str] = ()) -> dict[str, str]:
    """`--from JOURNAL [--at T]` as the parameters they stand for (the journal's absolute path: a
    sweep's workers read it, and a rerun from elsewhere names the same file); one the user also gave
    as a `--set KEY=VALUE` (`given`) is refused rather than set twice."""
    given = list(given)
    held = {"book_from": str(source(journal)), **({"book_at": at} if at else {})}
    not_set_twice(given, held)
    _no_price(given)
    no_book_params(given)
    return held


def not_set_twice(given: Iterable[str], held: Iterable[str] = ("book_from", "book_at")) -> None:
    """Refuse a `--set KEY=VALUE` (`given`) of a parameter `--from` sets (`held`) rather than set it twice."""
    both = sorted(set(held) & {item.partition("=")[0].strip() for item in given})
    if both:
        raise ScenarioError(f"--from sets {', '.join(both)}: drop --set {both[0]}=...")


def no_book_params(given: Iterable[str]) -> None:
    """Refuse a drawn book's parameter (a `--set` or a grid's key): the book is the one `--from`
    names, so `--grid facilities=200,500` gave every cell the same runs, and `--set cvl_low=200`
    changed nothing, without a word."""
    from scenarios.library.stress import BOOK_PARAMS  # stress checks a held book with this module

    for item in given:
        key = item.partition("=")[0].strip()
        if key in BOOK_PARAMS:
            raise ScenarioError(f"{key} is unused with --from: the book is the open facilities found there, "
                                f"not a drawn one; drop {key}")


def _no_price(given: Iterable[str]) -> None:
    """Refuse a non-zero `btc_usd` (a `--set` or a grid's values): a journal's book already has its BTC
    price, from which the path replays its moves, so the setting would be silently unused."""
    for item in given:
        key, _, raw = item.partition("=")
        if key.strip() != "btc_usd":
            continue
        for value in raw.replace("|", ",").replace(":", ",").split(","):  # a grid, a sobol range
            try:
                price = float(value)
            except ValueError:
                continue  # not a number: the parameter's own parsing says so
            if price:
                raise ScenarioError(f"btc_usd={value.strip()} is unused with --from JOURNAL: the path replays its "
                                    "moves from the BTC price the journal holds at the branch point (to choose "
                                    "the price, import a book CSV: --from BOOK.csv --at DATE --set btc_usd=...)")


def check(book_from: str, book_at: str) -> str:
    """The instant the book is branched at (`book_at`, default the journal's last instant) as journal
    text; `NotALanasimJournal` for a missing or foreign file, `ChainBroken` for one that fails its hash
    chain, a `ScenarioError` for an instant outside it."""
    meta = journal_meta(source(book_from))  # NotALanasimJournal, JournalLocked: naming the file
    _intact(source(book_from))
    first, last = str(meta["start"]), str(meta.get("now", meta["start"]))
    at = as_of_iso(book_at) if book_at else last
    if not first <= at <= last:
        raise ScenarioError(f"book_at={at} is outside {book_from} ({first} .. {last})")
    return at


_INTACT: set[str] = set()  # journals (path, size, modification time) whose chain this process checked


def _intact(path: Path) -> None:
    """`ChainBroken` for a journal that fails its hash chain: the branch seals the copied rows under
    a new link, so an edit, a cut tail or a dropped chain would verify in it. Checked once a file."""
    identity = _key(path, "")
    if identity in _INTACT:
        return
    conn = open_source(str(path))
    try:
        require_intact(conn, str(path))
    finally:
        conn.close()
    _INTACT.add(identity)


def key(book_from: str, book_at: str) -> str:
    """What identifies the book: the journal file (path, size, modification time) and the instant;
    runs of one key branch from one opened book."""
    return _key(source(book_from), check(book_from, book_at))


def build(book_from: str, book_at: str) -> bytes:
    """The book as journal bytes a run branches from (`scenarios.book.shared.branch`): what a sweep
    ships to workers that do not share its directory."""
    with _cut(book_from, book_at, ":memory:", None) as sim:
        return snapshot(sim)


def write(book_from: str, book_at: str, path: Path) -> None:
    """The book `build` gives, cut straight into a new journal file at `path` (the memory of neither
    the cut nor its bytes: a sweep whose workers share the file branches each run from it), left in
    rollback-journal mode so that readers create nothing beside it."""
    _cut(book_from, book_at, str(path), None).close()
    rollback_mode(path)


def rollback_mode(path: Path) -> None:
    """Leave the closed journal at `path` in rollback-journal mode, so that the readers a sweep's runs
    branch it with create nothing beside it (no -wal or -shm file)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def open_branch(book_from: str, book_at: str, seed: int, journal: str) -> Simulation:
    """A run of `seed` on the book, in `journal` (a new file or ":memory:"): the journal cut straight
    into it, without the bytes `build` makes (for a big book those bytes and the in-memory copy
    they are made from are several times the journal: a run of 100,000 facilities peaked at
    9.4 GB). The same journal digest as `shared.branch(build(...), seed, journal)`."""
    return _cut(book_from, book_at, journal, seed)


def _cut(book_from: str, book_at: str, journal: str, seed: int | None) -> Simulation:
    """The source cut at the instant into `journal` (`engine.kernel.fork`; continued as `seed`'s run,
    or as the source's own seed for None), its clock standing there, holding the book's key, its
    open facilities in creation order and where it came from. The source's own run state (its
    stress run, checkpoint, end) is left behind: the branch is a book, not that run."""
    path, at = source(book_from), check(book_from, book_at)
    conn = open_source(str(path))
    try:
        cut = fork_journal(conn, journal, at, modules.aggregates(), seed)
    finally:
        conn.close()
    own = int(journal_meta(path).get("seed", 0)) if seed is None else seed
    sim = Simulation(seed=own, journal=cut)  # type: ignore[arg-type]
    for stale in ("finished", "checkpoint", "stress_run", "stress_params"):
        sim.journal.stage("DELETE FROM lanasim_meta WHERE key = ?", (stale,))
    sim.journal.set_meta(book={"key": _key(path, at), "facilities": open_facilities(sim)}, branched_from=str(path),
                         run_from=run_from(sim))
    return sim


def run_from(sim: Simulation) -> dict:
    """Where a run on this branch starts counting (`scenarios.analysis.analyse`'s `counted_from`):
    the outbox's last envelope and the instant now; what the journal holds up to there is the
    book's history, the run's starting position."""
    return {"sequence": sim.outbox.sequence, "at": sim.clock.iso}


def _key(path: Path, at: str) -> str:
    stat = path.stat()
    text = f"{path}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}\x1f{at}"
    return "from-" + hashlib.sha256(text.encode()).hexdigest()[:16]

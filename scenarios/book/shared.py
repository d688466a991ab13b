"""A book opened once and branched per run: the opened book's journal as bytes (`snapshot`) or as
a file, and a run that continues it as the run of its own seed, in memory or in a new journal file
(`branch`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.kernel import chain
from engine.kernel.codec import dumps, loads
from engine.kernel.errors import JournalExists
from engine.kernel.readonly import connect_readonly
from engine.simulation import Simulation

__all__ = ["branch", "snapshot"]


def snapshot(sim: Simulation) -> bytes:
    """Every row of `sim`'s journal as it stands now, committed first (`sqlite3.Connection.serialize`),
    as a database image in the rollback-journal format (bytes 18-19 of its header: 1, not WAL's 2)."""
    sim.settle(commit=True)
    with sim.journal.lock:
        image = sim.journal.conn.serialize()
    if image[18:20] == b"\x02\x02":  # the header of a journal cut from a WAL-mode file: SQLite cannot open
        image = image[:18] + b"\x01\x01" + image[20:]  # that image in memory; the whole image is its own file
    return image


def branch(book: bytes | Path, seed: int, journal: str = ":memory:") -> Simulation:
    """A simulation continuing `book` (as `snapshot` gave it, or a closed journal file holding those
    rows, only read: a sweep's workers share one) as the run of `seed`: entity ids from
    `seed`'s stream after the book's, command ids on from the book's, named random streams afresh
    from `seed`; `journal` is ":memory:" or a new file. The same history as opening the book in a
    fresh run of `seed` and calling `Ids.reseed(seed)` after it (`stress.open_book` does), and as
    `engine.kernel.fork.copy_cut(..., seed=seed)` at the book's last instant, less its chain rebuild:
    nothing is cut, so the book's chain covers every row and the run's next commit links the rest."""
    if journal != ":memory:" and Path(journal).exists():
        raise JournalExists(path=journal, problem="exists already; a branch writes a new journal")
    target = sqlite3.connect(journal, isolation_level=None, check_same_thread=False)
    try:
        if isinstance(book, Path):
            source = connect_readonly(str(book))
            source.backup(target)
            source.close()
        elif journal == ":memory:":
            target.deserialize(book)
        else:
            source = sqlite3.connect(":memory:")
            source.deserialize(book)
            source.backup(target)
            source.close()
        _reseed(target, seed)
    except BaseException:
        target.close()
        if journal != ":memory:":
            Path(journal).unlink(missing_ok=True)
        raise
    if journal != ":memory:":
        target.close()
    return Simulation(seed=seed, journal=target if journal == ":memory:" else journal)  # type: ignore[arg-type]


def _reseed(conn: sqlite3.Connection, seed: int) -> None:
    """The stored position, as the run of `seed` continues from it (see `Ids.restore`)."""
    row = conn.execute("SELECT value FROM lanasim_meta WHERE key = 'ids'").fetchone()
    meta: dict[str, object] = {"seed": seed}
    if row is not None:
        meta["ids"] = {**loads(row[0]), "streams": {}, "seed": seed}
    conn.execute("BEGIN")
    for key, value in meta.items():
        conn.execute("INSERT OR REPLACE INTO lanasim_meta (key, value) VALUES (?, ?)", (key, dumps(value)))
    conn.execute("DELETE FROM lanasim_meta WHERE key = 'digest'")
    chain.seal(conn)  # the new seed is the run's own: chained, as a writer reopening the file checks
    conn.execute("COMMIT")

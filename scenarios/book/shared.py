"""A book opened once and branched per run: the opened book's journal as bytes (`snapshot`), and a
run that continues it as the run of its own seed, in memory or in a new journal file (`branch`)."""

from __future__ import annotations

import sqlite3

from engine.kernel.codec import loads
from engine.kernel.fork import fork_journal
from engine.simulation import Simulation

__all__ = ["branch", "snapshot"]


def snapshot(sim: Simulation) -> bytes:
    """Every row of `sim`'s journal as it stands now, committed first (`sqlite3.Connection.serialize`)."""
    sim.settle(commit=True)
    with sim.journal.lock:
        return sim.journal.conn.serialize()


def branch(book: bytes, seed: int, journal: str = ":memory:") -> Simulation:
    """A simulation continuing `book` (as `snapshot` gave it) as the run of `seed`: entity ids from
    `seed`'s stream after the book's, named random streams afresh from `seed`; `journal` is
    ":memory:" or a new file. The same history as opening the book in a fresh run of `seed` and
    calling `Ids.reseed(seed)` after it (what `scenarios.library.stress.open_book` does)."""
    source = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        source.deserialize(book)
        now = loads(source.execute("SELECT value FROM lanasim_meta WHERE key = 'now'").fetchone()[0])
        target = fork_journal(source, journal, now, (), seed)
    finally:
        source.close()
    return Simulation(seed=seed, journal=target)  # type: ignore[arg-type]

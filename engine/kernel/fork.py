"""Branching a journal: its history up to an instant, copied into a new journal that continues.

The cut keeps every event recorded at or before the instant (whole instants: a cascade settles
within its instant), the outbox rows, ledger transactions and snapshots those events wrote, the
failures recorded by then, consumer cursors clipped to the kept outbox, the latest value of each ephemeral
event type as of the cut, and metadata with `now` = the instant. Entity rows are kept whole (their
numbers stay dense); query-index rows of entities that changed after the cut are recomputed from
the kept events. The source is only read.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.kernel import chain
from engine.kernel.aside import written_aside
from engine.kernel.codec import dumps, loads
from engine.kernel.errors import InvalidArgument, JournalExists, NotALanasimJournal
from engine.kernel.readonly import connect_readonly

if TYPE_CHECKING:  # entities are hosted only to reindex a cut before the end (`lanasim fork` copies rows)
    from domains.aggregate import Aggregate
    from engine.kernel.entity import EntityKind

__all__ = ["check_within", "copy_cut", "cut_seq", "fork_journal", "open_source", "reindex"]


def open_source(path: str) -> sqlite3.Connection:
    """A read-only connection to a journal file that no one else is writing."""
    if not Path(path).is_file():
        raise NotALanasimJournal(path=path, problem="no such file")
    return connect_readonly(path)  # creates nothing beside the file (a `mode=ro` reader left -shm and -wal)


def check_within(conn: sqlite3.Connection, at_iso: str) -> None:
    """`InvalidArgument` for an instant before the journal's start or after its end (what a fork,
    an export or a view as of `at_iso` cannot read)."""
    meta = {k: loads(v) for k, v in conn.execute("SELECT key, value FROM lanasim_meta")}
    start, now = meta.get("start", ""), meta.get("now", "")
    if at_iso < start or (now and at_iso > now):
        raise InvalidArgument(argument="at", value=at_iso,
                              problem=f"{at_iso} is outside the journal ({start} .. {now or start})")


def cut_seq(conn: sqlite3.Connection, at_iso: str) -> int:
    """The last seq recorded at or before `at_iso`; refused before the start or after the end."""
    check_within(conn, at_iso)
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE recorded_at <= ?", (at_iso,)).fetchone()[0])


def copy_cut(source: sqlite3.Connection, target: sqlite3.Connection, at_iso: str,
             seed: int | None = None, meta: dict[str, Any] | None = None) -> tuple[int, set[tuple[str, str]]]:
    """Copy `source` into `target` cut at `at_iso`; returns (cut seq, {(kind, id)} changed after it).
    With another `seed` the branch is that seed's run from the cut on: its named random streams
    start afresh from the new seed (id and command counters continue, so nothing collides).
    `meta`: the run's own metadata at the cut (a restart from a checkpoint, not a branch: these
    keys are written instead of `forked_at`/`forked_seq`)."""
    cut = cut_seq(source, at_iso)
    source.backup(target)
    changed = set(target.execute(
        "SELECT DISTINCT n.kind, n.id FROM events e JOIN entities n USING (entity) WHERE e.seq > ?", (cut,)))
    tables = {r[0] for r in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    last_outbox = target.execute("SELECT COALESCE(MAX(sequence), 0) FROM outbox WHERE seq <= ?", (cut,)).fetchone()[0]
    target.execute("BEGIN")
    cuts = [("events", "seq", cut), ("outbox", "sequence", last_outbox), ("snapshots", "seq", cut),
            ("failures", "recorded_at", at_iso), ("audit", "recorded_at", at_iso),
            *((t, "seq", cut) for t in ("ledger_transactions", "ledger_lines", "ledger_entries"))]
    first_cut = {table: _delete_after(target, table, column, value)
                 for table, column, value in cuts if table in tables}
    target.execute("UPDATE cursors SET sequence = MIN(sequence, ?)", (last_outbox,))
    _ephemeral(target)
    reseed: tuple[tuple[str, object], ...] = ()
    if seed is not None:
        row = target.execute("SELECT value FROM lanasim_meta WHERE key = 'ids'").fetchone()
        ids = {**loads(row[0]), "streams": {}, "seed": seed} if row else None
        reseed = (("seed", seed),) + ((("ids", ids),) if ids is not None else ())
    marks = (("forked_at", at_iso), ("forked_seq", cut)) if meta is None else tuple(meta.items())
    for key, value in (("now", at_iso), *marks, *reseed):
        target.execute("INSERT OR REPLACE INTO lanasim_meta (key, value) VALUES (?, ?)", (key, dumps(value)))
    target.execute("DELETE FROM lanasim_meta WHERE key IN ('digest', 'finished')")  # a branch is no finished run
    _relink(target, first_cut)
    target.execute("COMMIT")
    return cut, changed


def _delete_after(target: sqlite3.Connection, table: str, column: str, value: object) -> int | None:
    """Delete the rows of `table` whose `column` is above `value`; returns the lowest rowid deleted."""
    first: int | None = target.execute(f"SELECT MIN(rowid) FROM {table} WHERE {column} > ?", (value,)).fetchone()[0]
    if first is not None:
        target.execute(f"DELETE FROM {table} WHERE {column} > ?", (value,))
    return first


def _relink(target: sqlite3.Connection, first_cut: dict[str, int | None]) -> None:
    """Keep the copied chain's links up to the last one that covers no row the cut removed, and seal
    one new link over the kept rows after it (a fork at the journal's last instant hashes no row
    again); with no such link, one new link over every kept row."""
    keep = 0
    if target.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (chain.CHAIN,)).fetchone():
        for link in chain.links(target):
            if any(first is not None and link.marks.get(table, 0) >= first for table, first in first_cut.items()):
                break
            keep = link.n
        target.execute(f"DELETE FROM {chain.CHAIN} WHERE n > ?", (keep,))
    if keep:
        chain.seal(target)
    else:
        chain.rebuild(target)


def _ephemeral(target: sqlite3.Connection) -> None:
    """Each ephemeral type's latest kept outbox row (or none)."""
    for (event_type,) in target.execute("SELECT event_type FROM ephemeral").fetchall():
        row = target.execute("SELECT payload, recorded_at, trace_id FROM outbox WHERE event_type = ? "
                             "ORDER BY sequence DESC LIMIT 1", (event_type,)).fetchone()
        if row is None:
            target.execute("DELETE FROM ephemeral WHERE event_type = ?", (event_type,))
        else:
            target.execute("UPDATE ephemeral SET payload = ?, recorded_at = ?, trace_id = ? WHERE event_type = ?",
                           (*row, event_type))


def fork_journal(source: sqlite3.Connection, journal: str, at_iso: str,
                 specs: Iterable[Aggregate[Any, Any, Any]], seed: int | None = None,
                 meta: dict[str, Any] | None = None,
                 before_place: Callable[[], None] | None = None) -> str | sqlite3.Connection:
    """Write the cut of `source` at `at_iso` into `journal` (a new file, or ":memory:") and fix its
    index rows (`specs`: the aggregates hosted); returns the path, or the in-memory connection.
    `seed`: the branch continues as that seed's run; `meta`: the run itself continues (see `copy_cut`).
    A file is written aside, as `JOURNAL.<random>.partial` held under an advisory lock, and linked
    into place whole: a fork killed on the way leaves no half-made journal under the name asked for
    (the next fork to that name removes its unlocked partial file), and a second fork to a name one
    is writing is refused as it starts (`engine.kernel.aside.BeingWritten`). `before_place`: called
    once the cut is written, before it is given the name (a check of the source run meanwhile): what
    it raises leaves no file."""
    if journal == ":memory:":
        cut = _cut_into(source, journal, at_iso, specs, seed, meta)
        if before_place is not None:
            before_place()
        return cut
    if Path(journal).exists():
        raise JournalExists(path=journal, problem="exists already; a fork writes a new journal")
    if not Path(journal).parent.is_dir():
        raise InvalidArgument(argument="journal", value=journal, problem=f"no such directory {Path(journal).parent}")
    refused = lambda: JournalExists(path=journal, problem="exists already; a fork writes a new journal")
    with written_aside(journal, refused) as partial:
        _cut_into(source, partial, at_iso, specs, seed, meta)
        if before_place is not None:
            before_place()
    return journal


def _cut_into(source: sqlite3.Connection, journal: str, at_iso: str, specs: Iterable[Aggregate[Any, Any, Any]],
              seed: int | None, meta: dict[str, Any] | None) -> str | sqlite3.Connection:
    target = sqlite3.connect(journal, isolation_level=None, check_same_thread=False)
    try:
        _, changed = copy_cut(source, target, at_iso, seed, meta)
    except BaseException as failed:
        target.close()
        if journal != ":memory:":
            Path(journal).unlink(missing_ok=True)
        if isinstance(failed, sqlite3.Error) and (getattr(failed, "sqlite_errorname", None) or "") in _WRITING:
            raise OSError(errno.EIO, f"{failed}; no journal written", _asked(journal)) from None
        raise
    if not changed:  # cut at the last instant: every index row is already right
        if journal != ":memory:":
            target.close()
        return target if journal == ":memory:" else journal
    from engine.kernel.codec import Codec
    from engine.kernel.entity import EntityKind
    from engine.kernel.journal import Journal

    if journal != ":memory:":
        target.close()
    opened = Journal(target if journal == ":memory:" else journal, Codec())
    # reindexing reads neither the clock nor the outbox, so the kinds get none
    reindex({spec.kind: EntityKind(spec, opened, None, None) for spec in specs}, changed)  # type: ignore[arg-type]
    if journal == ":memory:":
        return target
    opened.close()
    return journal


# SQLite's errors of a write (a full disk): the new journal's, which the error of the copy named as the
# source's (`lanasim: error: SOURCE: disk I/O error`, the source only read and intact)
_WRITING = frozenset({"SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE"})


def _asked(journal: str) -> str:
    """The name asked for, of the partial file a fork writes (`JOURNAL.<random>.partial`)."""
    name, dot, rest = journal.rpartition(".partial")[0].rpartition(".")
    return name if dot and rest and journal.endswith(".partial") else journal


def reindex(hosts: dict[str, EntityKind], changed: set[tuple[str, str]]) -> None:
    """Rewrite the index row of every entity changed after the cut from its kept events (`hosts`:
    kind -> an `EntityKind` over the cut journal); one that did not exist yet loses its row."""
    for kind, entity_id in sorted(changed):
        host = hosts.get(kind)
        if host is None or host.index is None:
            continue
        state, _ = host.load(entity_id)
        if state is None:
            host.journal.execute_now(f"DELETE FROM {host.index.table} WHERE id = ?", (entity_id,))
        else:
            host.index.write(entity_id, host.index.row(state))
    for host in hosts.values():
        host.journal.flush()
        break

"""The journal: one SQLite file (or `:memory:`), one writer staging each command's rows for group
commit (`engine.kernel.journal_commit`) and reading them back (`engine.kernel.journal_read`)."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from engine.kernel.chain import is_chained
from engine.kernel.chain_rows import Written
from engine.kernel.codec import OPTIONS, Codec, dumps, encode_default
from engine.kernel.errors import ConcurrentModification
from engine.kernel.journal_commit import GroupCommit, Plain, Row
from engine.kernel.journal_file import check_or_create, connect, hold, journal_path
from engine.kernel.journal_read import JournalReads
from engine.kernel.row_check import UnstorableValue, check_row
from engine.kernel.schema import EVENTS_INSERT, OUTBOX_INSERT

__all__ = ["GROUP_ROWS", "Journal", "Mark"]

Mark = tuple[int, list[int]]  # where a command's staged rows begin: seq, rows per statement

_dumps = orjson.dumps
_ENTITIES_INSERT = "INSERT INTO entities (entity, kind, id) VALUES (?, ?, ?)"
_ENGINE_ROWS = frozenset({EVENTS_INSERT, OUTBOX_INSERT})  # built by the engine from ints it counts and JSON text

Encoder = tuple[str, int, Callable[[Any], dict[str, object]]]  # a stored class's (name, version, as_dict)


# Events a group commit holds at most before it commits between two cascades. Each staged event
# holds about 1.6 KB of rows until its COMMIT (its outbox, ledger, index and audit rows beside it):
# 50,000 kept about 80 MB in the process, 10,000 about 16 MB, for the same CPU (measured).
GROUP_ROWS = 10_000


class Journal(GroupCommit, JournalReads):
    """Append-only event journal with a query-index and outbox in the same transaction.

    Uniqueness of (entity, entity_seq) is enforced in memory by the single writer while a run is hot
    (the file is held with an exclusive lock, so no other writer can exist) and durably by the UNIQUE
    index `events_stream`, built when the run ends or the first time a stream is read back. This keeps
    the hot append path close to raw `executemany` speed (see bench/engine.py). A command's rows are
    bracketed by `mark`/`rollback`, so a failing command leaves nothing of itself and nothing else is
    touched.
    """

    def __init__(self, path: str | Path | sqlite3.Connection = ":memory:", codec: Codec | None = None,
                 *, group_rows: int = GROUP_ROWS, readonly: bool = False) -> None:
        adopted = isinstance(path, sqlite3.Connection)  # an open in-memory database (a fork's)
        self.path = ":memory:" if adopted else journal_path(path)
        self.codec = codec or Codec()
        self.group_rows = group_rows
        self.readonly = readonly
        self.lock = threading.RLock()
        self.conn = path if isinstance(path, sqlite3.Connection) else connect(self.path, readonly)
        check_or_create(self.conn, self.path, readonly)
        if not readonly and not adopted:
            hold(self.path, self)  # a second writer of this process is told it is this one (`JournalLocked`)
        self._staged: dict[str, list[tuple[object, ...]]] = {}
        self._lists: tuple[list[tuple[object, ...]], ...] = ()  # `_staged`'s lists in its order, for `mark`
        self._targets: dict[str, str | None] = {}
        self._plain: dict[str, Plain | None] = {}
        self._events = self._rows_of(EVENTS_INSERT)
        self._in_tx = False
        self._encoders: dict[type, Encoder] = {}
        self._seq: int = 0  # the last seq staged; `_load_heads` reads it from the file
        self._flushed_seq: int = 0
        self._digested = (hashlib.sha256(), 0)
        self.rollbacks = 0  # commands whose staged rows were dropped (`rollback`)
        self._written: list[tuple[str, list[Row]]] = []  # rows in the open transaction, until COMMIT succeeds
        self._replay: list[tuple[str, list[Row]]] = []  # rows of a rolled-back transaction, written first
        # callables staging rows that describe the run (ids, streams, now)
        self.before_commit: list[Callable[[], None]] = []
        self.after_commit: list[Callable[[int], None]] = []  # callables told the seq just made durable
        self.fault = None  # tests: callable(point) that may raise where a write ("write") or COMMIT happens
        self.written = Written(self.conn, is_chained)  # the open transaction's chained rows, hashed as written
        self.written.typed.update(_ENGINE_ROWS)
        self._load_heads()

    # -- writing -------------------------------------------------------------------------
    def intern(self, kind: str, entity_id: str) -> int:
        key = (kind, entity_id)
        entity = self._entities.get(key)
        if entity is None:
            if kind.__class__ is not str or entity_id.__class__ is not str:
                raise UnstorableValue(statement="INSERT INTO entities", value=entity_id,
                                      problem="an entity's kind and id are strings")
            with self.lock:  # see `stage`: an actor set up on another thread interns its entity
                entity = self._entities.get(key)
                if entity is None:
                    entity = self._entities[key] = len(self._entities) + 1
                    self._names[entity] = key
                    self.staged_rows(_ENTITIES_INSERT).append((entity, kind, entity_id))  # stored as given
        return entity

    def head(self, entity: int) -> int:
        """Last entity_seq written for this entity (0 for none)."""
        return self._heads.get(entity, 0)

    def stream_head(self, kind: str, entity_id: str) -> int:
        """`head` of the entity named (kind, id): 0 for one never written."""
        return self._heads.get(self._entities.get((kind, entity_id), 0), 0)

    def append(self, entity: int, expected: int, events: Iterable[object], recorded_at: str,
               context: str) -> int:
        """Stage `events` after `expected`; returns the global seq of the last one."""
        with self.lock:
            return self.append_locked(entity, expected, events, recorded_at, context)

    def append_locked(self, entity: int, expected: int, events: Iterable[object], recorded_at: str,
                      context: str) -> int:
        """`append` for a caller already holding `self.lock` (the entity actors' hot path)."""
        heads = self._heads
        if heads.get(entity, 0) != expected:
            kind, entity_id = self._names[entity]
            raise ConcurrentModification(kind=kind, id=entity_id, expected=expected, actual=heads.get(entity, 0))
        seq, encoders, push = self._seq, self._encoders, self._events.append
        for event in events:
            seq += 1
            expected += 1
            enc = encoders.get(event.__class__) or self._encoder(event.__class__)
            payload = _dumps(enc[2](event), default=encode_default, option=OPTIONS).decode()
            push((seq, entity, expected, enc[0], enc[1], payload, recorded_at, context))
        self._seq = seq
        heads[entity] = expected
        return seq

    def maybe_flush(self) -> None:
        """Group commit once `group_rows` events are staged; called between cascades only, so an
        operation that spans aggregates (a cascade of reactions) never straddles two commits."""
        if self._seq - self._flushed_seq >= self.group_rows:
            self.flush()

    def _encoder(self, cls: type) -> Encoder:
        enc = self._encoders[cls] = self.codec.fields(cls)
        return enc

    def stage(self, sql: str, row: tuple[object, ...]) -> None:
        """Buffer a row for the group transaction (flushed in first-use order of `sql`). A row SQLite
        could not bind (an integer outside 64 bits, a type it does not store) is `UnstorableValue`
        here, inside the command that staged it, which then fails alone rather than the next commit.
        Staged under `lock`, as a sync or commit writes and clears the lists under it: on the threaded
        runtime a row staged by another thread between a sync's copy of a list and its clearing was
        lost (an actor's entity row, interned as it was set up: its events then named an entity the
        journal did not hold, and `verify` failed), and a command's rollback dropped another
        thread's rows staged after its mark."""
        if sql not in _ENGINE_ROWS:
            check_row(sql, row)
        with self.lock:
            rows = self._staged.get(sql)
            if rows is None:
                rows = self._rows_of(sql)
            rows.append(row)

    def stage_many(self, sql: str, rows: Iterable[tuple[object, ...]]) -> None:
        """`stage` of several rows of one statement."""
        rows = list(rows)
        if sql not in _ENGINE_ROWS:
            for row in rows:
                check_row(sql, row)
        with self.lock:
            staged = self._staged.get(sql)
            if staged is None:
                staged = self._rows_of(sql)
            staged.extend(rows)

    def staged_rows(self, sql: str) -> list[tuple[object, ...]]:
        """The list `stage(sql, row)` appends to, for a hot caller that appends rows it knows SQLite
        stores as given (each value of its column's type: str, int of 64 bits, float, None, bytes)
        itself, with `self.lock` held. The list is the
        journal's for its whole life: `mark`/`rollback` and group commits see what is appended."""
        rows = self._staged.get(sql)
        if rows is None:
            rows = self._rows_of(sql)
        self.written.typed.add(sql)
        return rows

    def _rows_of(self, sql: str) -> list[tuple[object, ...]]:
        """A new statement's list of staged rows, kept for the journal's life (flushes clear it)."""
        rows = self._staged[sql] = []
        self._lists = (*self._lists, rows)
        return rows

    def unstage_last(self, sql: str) -> tuple[object, ...] | None:
        """Take back the row just staged with `sql` (None if there is none) to stage it later."""
        rows = self._staged.get(sql)
        return rows.pop() if rows else None

    # -- one command's rows ----------------------------------------------------------------
    def mark(self) -> Mark:
        """Where this command's staged rows begin (taken and used with `self.lock` held; the entity
        actors' command path takes it the same way, inlined)."""
        return self._seq, [*map(len, self._lists)]  # every command takes one: a list of a tuple's, in C

    def rollback(self, mark: Mark, heads: dict[int, int]) -> None:
        """The command failed: drop every row it staged, and restore the entity heads given."""
        seq, lengths = mark
        for i, rows in enumerate(self._lists):
            del rows[lengths[i] if i < len(lengths) else 0:]
        self._seq = seq
        self._heads.update(heads)
        self.rollbacks += 1  # a head may come back to a number its dropped events had: see `EntityKind.load`

    def set_meta(self, **values: object) -> None:
        with self.lock:  # its rows together
            for key, value in values.items():
                self.stage("INSERT OR REPLACE INTO lanasim_meta (key, value) VALUES (?, ?)", (key, dumps(value)))

    # -- the writer's position -----------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self._seq

    def entity_ids(self, kind: str) -> list[str]:
        """The ids of the kind's entities that have events, sorted. A name can be interned without
        any: a command refused on a new entity stages none, and a fork keeps every entity row while
        cutting the events after its instant; such an id loaded was `UnknownEntity`, so the
        `loan-provisions` report of a journal forked mid-run failed on an obligation created later."""
        heads, entities = self._heads, self._entities
        return sorted(i for (k, i), entity in entities.items() if k == kind and heads.get(entity, 0) > 0)

    def creation_order(self, kind: str, entity_id: str) -> int:
        """A number that orders entities by when they were first written (deterministic)."""
        return self._entities[(kind, entity_id)]

    def exists(self, kind: str, entity_id: str) -> bool:
        entity = self._entities.get((kind, entity_id))
        return entity is not None and self._heads.get(entity, 0) > 0

    def _load_heads(self) -> None:
        self._entities: dict[tuple[str, str], int] = {}
        self._names: dict[int, tuple[str, str]] = {}
        for entity, kind, entity_id in self.conn.execute("SELECT entity, kind, id FROM entities"):
            self._entities[(kind, entity_id)] = entity
            self._names[entity] = (kind, entity_id)
        self._heads: dict[int, int] = dict(
            self.conn.execute("SELECT entity, MAX(entity_seq) FROM events GROUP BY entity"))
        last: int = self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        self._seq = self._flushed_seq = last
        self._deferred: dict[str, str] = {}
        self._built: dict[str, bool] = {}
        self._dropping: list[str] = []
        self._dropped: list[str] = []
        self.defer_index("events_stream",
                         "CREATE UNIQUE INDEX IF NOT EXISTS events_stream ON events (entity, entity_seq)",
                         from_first_write=True)


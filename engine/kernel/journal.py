"""The journal: one SQLite file (or `:memory:`), one writer, group-committed appends.

Uniqueness of (entity, entity_seq) is enforced in memory by the single writer while a run is hot
(the file is held with an exclusive lock, so no other writer can exist) and durably by the UNIQUE
index `events_stream`, built when the run ends or the first time a stream is read back. This keeps
the hot append path close to raw `executemany` speed (see bench/engine.py).

Nothing acknowledged is lost: rows written into the open group transaction are kept in memory until
COMMIT succeeds; a failed write or commit (a full disk, an I/O error) rolls the transaction back,
keeps every row, and the next `flush` writes them again. A command's rows are bracketed by
`mark`/`rollback`, so a failing command leaves nothing of itself and nothing else is touched.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import attrs
import orjson
import sqlite_utils

from engine.kernel.chain import is_chained, seal
from engine.kernel.chain_rows import Written
from engine.kernel.codec import OPTIONS, Codec, dumps, encode_default, loads
from engine.kernel.errors import (
    ConcurrentModification,
    EngineError,
    JournalLocked,
    NotALanasimJournal,
    UnsupportedJournalFormat,
)
from engine.kernel.readonly import connect_readonly
from engine.kernel.schema import EVENTS_INSERT, FORMAT, OUTBOX_INSERT, READABLE, create_schema

__all__ = ["Journal", "JournalWriteFailed", "StoredEvent", "UnstorableValue", "check_row"]

Row = tuple[object, ...]  # one row's parameters
Mark = tuple[int, tuple[int, ...]]  # where a command's staged rows begin: seq, rows per statement

_dumps = orjson.dumps
_BINDABLE = frozenset({str, float, type(None), bytes})
_BINDABLE_INT = _BINDABLE | {int}
_INT64 = (-(2**63), 2**63 - 1)
_first = itemgetter(0)
_SHORT = 64  # events: a stream this short is read in one query
_ENGINE_ROWS = frozenset({EVENTS_INSERT, OUTBOX_INSERT})  # built by the engine from ints it counts and JSON text


class JournalWriteFailed(EngineError):
    """Writing or committing the group failed (fields: path, error, retained): the transaction was
    rolled back, every acknowledged row is retained in memory and is written again by the next flush."""


class UnstorableValue(EngineError):
    """A command produced a row SQLite cannot store (fields: statement, value, problem); the command
    is refused before anything of it is written."""


Encoder = tuple[str, int, Callable[[Any], dict[str, object]]]  # a stored class's (name, version, as_dict)

@attrs.frozen
class StoredEvent:
    """One journal row, decoded."""

    seq: int
    kind: str
    entity_id: str
    entity_seq: int
    name: str
    version: int
    event: object
    recorded_at: str
    context: dict[str, Any]


class Journal:
    """Append-only event journal with a query-index and outbox in the same transaction."""

    def __init__(self, path: str | Path | sqlite3.Connection = ":memory:", codec: Codec | None = None,
                 *, group_rows: int = 50_000, readonly: bool = False) -> None:
        adopted = isinstance(path, sqlite3.Connection)  # an open in-memory database (a fork's)
        self.path = ":memory:" if adopted else str(path)
        self.codec = codec or Codec()
        self.group_rows = group_rows
        self.readonly = readonly
        self.lock = threading.RLock()
        self.conn = path if isinstance(path, sqlite3.Connection) else _connect(self.path, readonly)
        self.db = sqlite_utils.Database(self.conn)
        self._check_or_create()
        self._staged: dict[str, list[tuple[object, ...]]] = {}
        self._events = self._staged.setdefault(EVENTS_INSERT, [])
        self._in_tx = False
        self._encoders: dict[type, Encoder] = {}
        self._seq: int = 0  # the last seq staged; `_load_heads` reads it from the file
        self._flushed_seq: int = 0
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
            entity = self._entities[key] = len(self._entities) + 1
            self._names[entity] = key
            self.stage("INSERT INTO entities (entity, kind, id) VALUES (?, ?, ?)", (entity, kind, entity_id))
        return entity

    def head(self, entity: int) -> int:
        """Last entity_seq written for this entity (0 for none)."""
        return self._heads.get(entity, 0)

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
        here, inside the command that staged it, which then fails alone rather than the next commit."""
        if sql not in _ENGINE_ROWS:
            check_row(sql, row)
        rows = self._staged.get(sql)
        if rows is None:
            rows = self._staged[sql] = []
        rows.append(row)

    def stage_many(self, sql: str, rows: Iterable[tuple[object, ...]]) -> None:
        """`stage` of several rows of one statement."""
        rows = list(rows)
        if sql not in _ENGINE_ROWS:
            for row in rows:
                check_row(sql, row)
        staged = self._staged.get(sql)
        if staged is None:
            staged = self._staged[sql] = []
        staged.extend(rows)

    def staged_rows(self, sql: str) -> list[tuple[object, ...]]:
        """The list `stage(sql, row)` appends to, for a hot caller that appends rows it knows SQLite
        stores as given (each value of its column's type: str, int of 64 bits, float, None, bytes)
        itself, with `self.lock` held. The list is the
        journal's for its whole life: `mark`/`rollback` and group commits see what is appended."""
        rows = self._staged.get(sql)
        if rows is None:
            rows = self._staged[sql] = []
        self.written.typed.add(sql)
        return rows

    def unstage_last(self, sql: str) -> tuple[object, ...] | None:
        """Take back the row just staged with `sql` (None if there is none) to stage it later."""
        rows = self._staged.get(sql)
        return rows.pop() if rows else None

    def execute_now(self, sql: str, params: tuple[object, ...]) -> None:
        """Run a write inside the open group transaction at once (constraint errors surface now; a
        command that fails after one undoes it with another, as `EntityKind` does for its index row)."""
        check_row(sql, params)
        with self.lock:
            self._begin()
            try:
                if self._replay:
                    self._drain_replay()
                if self.fault is not None:
                    self.fault("write")
                self.conn.execute(sql, params)
                self.written.wrote(sql, [params])
            except sqlite3.IntegrityError:
                raise  # the statement alone was undone (a duplicate: the caller's refusal)
            except BaseException as exc:
                self._abort()
                raise JournalWriteFailed(path=self.path, error=repr(exc), retained=self.retained()) from exc
            self._written.append((sql, [params]))

    # -- one command's rows ----------------------------------------------------------------
    def mark(self) -> Mark:
        """Where this command's staged rows begin (taken and used with `self.lock` held)."""
        return self._seq, tuple(map(len, self._staged.values()))

    def rollback(self, mark: Mark, heads: dict[int, int]) -> None:
        """The command failed: drop every row it staged, and restore the entity heads given."""
        seq, lengths = mark
        for i, rows in enumerate(self._staged.values()):
            del rows[lengths[i] if i < len(lengths) else 0:]
        self._seq = seq
        self._heads.update(heads)

    # -- group commit ------------------------------------------------------------------------
    def sync(self) -> None:
        """Write every staged row into the open group transaction without committing, so reads on
        this connection see them while a cascade is still under way."""
        with self.lock:
            if not self._replay and not any(self._staged.values()):
                return
            self._begin()
            try:
                self._drain_replay()
                for sql, rows in self._staged.items():
                    if rows:
                        batch = rows.copy()
                        self._write(sql, batch)
                        self._written.append((sql, batch))
                        rows.clear()
            except BaseException as exc:
                self._abort()
                raise JournalWriteFailed(path=self.path, error=repr(exc), retained=self.retained()) from exc

    def _drain_replay(self) -> None:
        while self._replay:
            sql, rows = self._replay[0]
            self._write(sql, rows)
            self._written.append(self._replay.pop(0))

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        if self.fault is not None:
            self.fault("write")
        self.conn.executemany(sql, rows)
        self.written.wrote(sql, rows)

    def _abort(self) -> None:
        """Roll the transaction back and keep its rows to be written again, in the same order."""
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled it back
        self._replay, self._written = self._written + self._replay, []
        self._in_tx = False
        self.written.clear()
        for name in self._built:  # an index built in the rolled-back transaction is built again later
            self._built[name] = bool(self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone())

    def retained(self) -> int:
        """Rows acknowledged but not yet durable (written again by the next flush)."""
        return sum(map(len, self._staged.values())) + sum(len(rows) for _, rows in self._replay + self._written)

    def flush(self) -> None:
        """Group commit: write every staged row and commit, all or nothing. On failure
        `JournalWriteFailed` is raised and every row is kept for the next flush."""
        with self.lock:
            for hook in self.before_commit:
                hook()
            self.sync()
            if not self._in_tx:
                return
            try:
                if self.fault is not None:
                    self.fault("commit")
                seal(self.conn, self.written)  # tamper evidence: one hash-chain link per group commit
                self.conn.execute("COMMIT")
                self.written.clear()
            except BaseException as exc:
                self._abort()
                raise JournalWriteFailed(path=self.path, error=repr(exc), retained=self.retained()) from exc
            self._in_tx, self._written, self._flushed_seq = False, [], self._seq
            for told in self.after_commit:
                told(self._seq)

    def _begin(self) -> None:
        if not self._in_tx:
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def set_meta(self, **values: object) -> None:
        for key, value in values.items():
            self.stage("INSERT OR REPLACE INTO lanasim_meta (key, value) VALUES (?, ?)", (key, dumps(value)))

    # -- reading -------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        self.sync()
        return {k: loads(v) for k, v in self.conn.execute("SELECT key, value FROM lanasim_meta")}

    @property
    def last_seq(self) -> int:
        return self._seq

    def entity_ids(self, kind: str) -> list[str]:
        return sorted(i for k, i in self._entities if k == kind)

    def creation_order(self, kind: str, entity_id: str) -> int:
        """A number that orders entities by when they were first written (deterministic)."""
        return self._entities[(kind, entity_id)]

    def exists(self, kind: str, entity_id: str) -> bool:
        entity = self._entities.get((kind, entity_id))
        return entity is not None and self._heads.get(entity, 0) > 0

    def stream(self, kind: str, entity_id: str, *, after: int = 0, to_seq: int | None = None,
               until: str | None = None) -> list[StoredEvent]:
        """Events of one entity with entity_seq > after, optionally up to a seq or sim time."""
        rows = self._select(kind, entity_id, "seq, entity_seq, type, version, payload, recorded_at, context",
                            after, to_seq, until)
        decode = self.codec.decode
        return [StoredEvent(s, kind, entity_id, es, t, v, decode(t, v, p), r, loads(c))
                for s, es, t, v, p, r, c in rows]

    def events(self, kind: str, entity_id: str, *, after: int = 0, to_seq: int | None = None,
               until: str | None = None) -> list[tuple[int, object]]:
        """(entity_seq, event) pairs for folding: like `stream` without decoding context."""
        seqs, events = self.decoded(kind, entity_id, after=after, to_seq=to_seq, until=until)
        return list(zip(seqs, events))

    def decoded(self, kind: str, entity_id: str, *, after: int = 0, to_seq: int | None = None,
                until: str | None = None) -> tuple[Sequence[int], list[object]]:
        """(entity_seqs, events) of `events`. A long stream of one event type and version without
        gaps (a ticker, a price) is read as payloads only and decoded in one pass
        (`Codec.decode_many`); a short or mixed one (most entities) in one query, event by event."""
        entity = self._entities.get((kind, entity_id), 0)
        expected = self._heads.get(entity, 0) - after if to_seq is None and until is None else None
        if expected is None or expected > _SHORT:
            types = self._select(kind, entity_id, "DISTINCT type, version", after, to_seq, until, "")
            if len(types) == 1:
                if expected is None:
                    (expected, last), = self._select(kind, entity_id, "COUNT(*), MAX(entity_seq)", after, to_seq,
                                                     until, "")
                    expected = expected if last - after == expected else -1
                rows = self._select(kind, entity_id, "payload", after, to_seq, until)
                if len(rows) == expected:  # entity_seqs after+1..after+expected, no gap
                    name, version = types[0]
                    return (range(after + 1, after + expected + 1),
                            self.codec.decode_many(name, version, list(map(_first, rows))))
        rows = self._select(kind, entity_id, "entity_seq, type, version, payload", after, to_seq, until)
        decode = self.codec.decode
        return [r[0] for r in rows], [decode(t, v, p) for _, t, v, p in rows]

    def _select(self, kind: str, entity_id: str, columns: str, after: int, to_seq: int | None,
                until: str | None, tail: str = "ORDER BY entity_seq") -> list[tuple[Any, ...]]:
        entity = self._entities.get((kind, entity_id))
        if entity is None:
            return []
        self.sync()
        self.ensure_stream_index()
        sql = f"SELECT {columns} FROM events WHERE entity = ? AND entity_seq > ?"
        params: list[object] = [entity, after]
        if to_seq is not None:
            sql, params = sql + " AND seq <= ?", [*params, to_seq]
        if until is not None:
            sql, params = sql + " AND recorded_at <= ?", [*params, until]
        return self.conn.execute(f"{sql} {tail}", params).fetchall()

    def snapshot(self, kind: str, entity_id: str, state_cls: type, *, to_seq: int | None = None,
                 until: str | None = None) -> tuple[object, int]:
        """Latest snapshot of an entity at or before a seq / sim time: (state, entity_seq)."""
        self.sync()
        sql = "SELECT entity_seq, state FROM snapshots WHERE entity = ?"
        params: list[object] = [self._entities[(kind, entity_id)]]
        if to_seq is not None:
            sql, params = sql + " AND seq <= ?", [*params, to_seq]
        if until is not None:
            sql, params = sql + " AND recorded_at <= ?", [*params, until]
        row = self.conn.execute(sql + " ORDER BY entity_seq DESC LIMIT 1", params).fetchone()
        if row is None:
            return None, 0
        return self.codec.decoder(state_cls)(loads(row[1])), row[0]

    def rows(self, after: int = 0) -> Iterator[tuple[Any, ...]]:
        """Raw canonical rows in seq order (what the digest covers)."""
        self.sync()
        yield from self.conn.execute(
            "SELECT e.seq, n.kind, n.id, e.entity_seq, e.type, e.version, e.payload, e.recorded_at, "
            "e.context FROM events e JOIN entities n USING (entity) WHERE e.seq > ? ORDER BY e.seq", (after,))

    def digest(self) -> str:
        """SHA-256 over the canonical rows of the event table (run-independent of wall clock)."""
        h = hashlib.sha256()
        for row in self.rows():
            h.update("\x1f".join(map(str, row)).encode())
            h.update(b"\n")
        return h.hexdigest()

    def defer_index(self, name: str, create_sql: str) -> None:
        """Declare an index that is kept off while the run is hot (the single writer does not need
        it) and built the first time a read needs it (`ensure_index`) or when the journal closes."""
        with self.lock:
            self._deferred[name] = create_sql
            exists = bool(self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone())
            if exists and not self.readonly and self.path != ":memory:":
                self.conn.execute(f"DROP INDEX {name}")
                exists = False
            self._built[name] = exists

    def ensure_index(self, name: str) -> None:
        with self.lock:
            if self._built.get(name, True) or self.readonly:
                return
            self.sync()
            self.conn.execute(self._deferred[name])
            self._built[name] = True

    def ensure_stream_index(self) -> None:
        """The durable UNIQUE(entity, entity_seq) index: built on first stream read or at close."""
        self.ensure_index("events_stream")

    def close(self) -> None:
        """Build the deferred indexes, commit, release the file. If the last commit fails, the file
        is released all the same (its committed prefix is consistent) and `JournalWriteFailed` says
        how many rows did not become durable."""
        with self.lock:
            if self.conn is None:
                return
            try:
                if not self.readonly:
                    for name in self._deferred:
                        self.ensure_index(name)
                    self.flush()
            except sqlite3.Error as exc:
                self._abort()
                raise JournalWriteFailed(path=self.path, error=repr(exc), retained=self.retained()) from exc
            finally:
                self.conn.close()
                self.conn = None  # type: ignore[assignment]

    # -- opening -------------------------------------------------------------------------
    def _check_or_create(self) -> None:
        """Refuse foreign files before touching them; then lock (writers) and create the schema."""
        try:
            tables = set(self.db.table_names())
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            if "locked" in str(exc):
                raise JournalLocked(path=self.path) from None
            raise NotALanasimJournal(path=self.path, problem=str(exc)) from None
        if tables:
            self._check_format(tables)
        if not self.readonly:
            _take_write_lock(self.conn, self.path)
        if not tables:
            if self.readonly:
                raise NotALanasimJournal(path=self.path, problem="empty file")
            create_schema(self.db)

    def _check_format(self, tables: set[str]) -> None:
        row = None
        if "lanasim_meta" in tables:
            row = self.conn.execute("SELECT value FROM lanasim_meta WHERE key = 'format'").fetchone()
        found = None if row is None else loads(row[0])
        if isinstance(found, str) and found.startswith("lanasim-journal/") and found not in READABLE:
            self.conn.close()
            raise UnsupportedJournalFormat(path=self.path, format=found, supported=(FORMAT,),
                                           problem="written by another lanasim version")
        if found not in READABLE:
            self.conn.close()
            problem = "no lanasim_meta table" if "lanasim_meta" not in tables else f"format is {row and row[0]}"
            raise NotALanasimJournal(path=self.path, problem=f"{problem}, expected {FORMAT}")

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
        self.defer_index("events_stream",
                         "CREATE UNIQUE INDEX IF NOT EXISTS events_stream ON events (entity, entity_seq)")


def check_row(sql: str, row: tuple[object, ...]) -> None:
    """`UnstorableValue` for a value SQLite cannot bind (checked in C when every value is plain)."""
    kinds = set(map(type, row))
    if kinds <= _BINDABLE:
        return
    if kinds <= _BINDABLE_INT:
        try:
            array("q", cast("Iterable[int]", filter(int.__instancecheck__, row)))  # OverflowError beyond 64 bits
            return
        except OverflowError:
            pass
    low, high = _INT64
    for value in row:
        kind = value.__class__
        if kind is int:
            if not low <= cast(int, value) <= high:  # `kind is int` above (mypy does not narrow on it)
                raise UnstorableValue(statement=sql.split("(")[0].strip(), value=value,
                                      problem="integer outside the 64-bit range SQLite stores")
        elif kind not in _BINDABLE:
            raise UnstorableValue(statement=sql.split("(")[0].strip(), value=value,
                                  problem=f"{kind.__name__} is not a type SQLite stores")


def _connect(path: str, readonly: bool) -> sqlite3.Connection:
    if path != ":memory:" and not Path(path).exists() and readonly:
        raise NotALanasimJournal(path=path, problem="no such file")
    if readonly and path != ":memory:":
        return connect_readonly(path)  # never checkpoints or rewrites the file
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=0.2)
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


def _take_write_lock(conn: sqlite3.Connection, path: str) -> None:
    """WAL, relaxed sync, big cache, rare checkpoints; hold the write lock for the whole run."""
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA wal_autocheckpoint = 20000")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc):
            raise JournalLocked(path=path) from None
        raise NotALanasimJournal(path=path, problem=str(exc)) from None

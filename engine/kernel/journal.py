"""The journal: one SQLite file (or `:memory:`), one writer, group-committed appends.

Uniqueness of (entity, entity_seq) is enforced in memory by the single writer while a run is hot
(the file is held with an exclusive lock, so no other writer can exist) and durably by the UNIQUE
index `events_stream`, built when the run ends or the first time a stream is read back. This keeps
the hot append path close to raw `executemany` speed (see bench/engine.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import attrs
import orjson
import sqlite_utils

from engine.kernel.chain import seal
from engine.kernel.codec import OPTIONS, Codec, dumps, encode_default, loads
from engine.kernel.errors import ConcurrentModification, JournalLocked, NotALanasimJournal, UnsupportedJournalFormat
from engine.kernel.readonly import connect_readonly
from engine.kernel.schema import EVENTS_INSERT, FORMAT, READABLE, create_schema

__all__ = ["Journal", "StoredEvent"]

_dumps = orjson.dumps


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
    context: dict


class Journal:
    """Append-only event journal with a query-index and outbox in the same transaction."""

    def __init__(self, path: str | Path = ":memory:", codec: Codec | None = None,
                 *, group_rows: int = 50_000, readonly: bool = False) -> None:
        self.path = str(path)
        self.codec = codec or Codec()
        self.group_rows = group_rows
        self.readonly = readonly
        self.lock = threading.RLock()
        self.conn = _connect(self.path, readonly)
        self.db = sqlite_utils.Database(self.conn)
        self._check_or_create()
        self._staged: dict[str, list[tuple]] = {}
        self._events = self._staged.setdefault(EVENTS_INSERT, [])
        self._in_tx = False
        self._encoders: dict[type, tuple] = {}
        self._seq: int = 0  # the last seq staged; `_load_heads` reads it from the file
        self._flushed_seq: int = 0
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

    def _encoder(self, cls: type) -> tuple:
        enc = self._encoders[cls] = self.codec.fields(cls)
        return enc

    def stage(self, sql: str, row: tuple) -> None:
        """Buffer a row for the group transaction (flushed in first-use order of `sql`)."""
        rows = self._staged.get(sql)
        if rows is None:
            rows = self._staged[sql] = []
        rows.append(row)

    def stage_many(self, sql: str, rows: list[tuple]) -> None:
        """`stage` of several rows of one statement."""
        staged = self._staged.get(sql)
        if staged is None:
            staged = self._staged[sql] = []
        staged.extend(rows)

    def execute_now(self, sql: str, params: tuple) -> None:
        """Run a write inside the open group transaction at once (constraint errors surface now)."""
        with self.lock:
            self._begin()
            self.conn.execute(sql, params)

    def sync(self) -> None:
        """Write every staged row into the open group transaction without committing, so reads on
        this connection see them while a cascade is still under way."""
        with self.lock:
            if not any(self._staged.values()):
                return
            self._begin()
            try:
                for sql, rows in self._staged.items():
                    if rows:
                        self.conn.executemany(sql, rows)
                        rows.clear()
            except BaseException:
                self.conn.execute("ROLLBACK")
                self._in_tx = False
                raise

    def flush(self) -> None:
        """Group commit: write every staged row and commit, all or nothing."""
        with self.lock:
            self.sync()
            if not self._in_tx:
                return
            self._flushed_seq = self._seq
            try:
                seal(self.conn)  # tamper evidence: one hash-chain link per group commit
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            finally:
                self._in_tx = False

    def _begin(self) -> None:
        if not self._in_tx:
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def set_meta(self, **values: object) -> None:
        for key, value in values.items():
            self.stage("INSERT OR REPLACE INTO lanasim_meta (key, value) VALUES (?, ?)", (key, dumps(value)))

    # -- reading -------------------------------------------------------------------------
    def meta(self) -> dict:
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
        return [StoredEvent(s, kind, entity_id, es, t, v, decode(t, v, p), r, loads(c))  # type: ignore[arg-type]
                for s, es, t, v, p, r, c in rows]

    def events(self, kind: str, entity_id: str, *, after: int = 0, to_seq: int | None = None,
               until: str | None = None) -> list[tuple[int, object]]:
        """(entity_seq, event) pairs for folding: like `stream` without decoding context."""
        rows = self._select(kind, entity_id, "entity_seq, type, version, payload", after, to_seq, until)
        decode = self.codec.decode
        return [(es, decode(t, v, p)) for es, t, v, p in rows]

    def _select(self, kind: str, entity_id: str, columns: str, after: int, to_seq: int | None,
                until: str | None) -> list[tuple]:
        entity = self._entities.get((kind, entity_id))
        if entity is None:
            return []
        self.sync()
        self.ensure_stream_index()
        sql = f"SELECT {columns} FROM events WHERE entity = ? AND entity_seq > ?"
        params: list[object] = [entity, after]
        if to_seq is not None:
            sql, params = sql + " AND seq <= ?", params + [to_seq]
        if until is not None:
            sql, params = sql + " AND recorded_at <= ?", params + [until]
        return self.conn.execute(sql + " ORDER BY entity_seq", params).fetchall()

    def snapshot(self, kind: str, entity_id: str, state_cls: type, *, to_seq: int | None = None,
                 until: str | None = None) -> tuple[object, int]:
        """Latest snapshot of an entity at or before a seq / sim time: (state, entity_seq)."""
        self.sync()
        sql = "SELECT entity_seq, state FROM snapshots WHERE entity = ?"
        params: list[object] = [self._entities[(kind, entity_id)]]
        if to_seq is not None:
            sql, params = sql + " AND seq <= ?", params + [to_seq]
        if until is not None:
            sql, params = sql + " AND recorded_at <= ?", params + [until]
        row = self.conn.execute(sql + " ORDER BY entity_seq DESC LIMIT 1", params).fetchone()
        if row is None:
            return None, 0
        return self.codec.decoder(state_cls)(loads(row[1])), row[0]

    def rows(self, after: int = 0) -> Iterator[tuple]:
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
        with self.lock:
            if self.conn is None:
                return
            if not self.readonly:
                for name in self._deferred:
                    self.ensure_index(name)
                self.flush()
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
        self._heads = dict(self.conn.execute("SELECT entity, MAX(entity_seq) FROM events GROUP BY entity"))
        last: int = self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        self._seq = self._flushed_seq = last
        self._deferred: dict[str, str] = {}
        self._built: dict[str, bool] = {}
        self.defer_index("events_stream", "CREATE UNIQUE INDEX IF NOT EXISTS events_stream ON events (entity, entity_seq)")


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

"""Reading a journal back: an entity's stream (decoded in one pass when it is long and uniform), its
latest snapshot, the run metadata, and the canonical rows and digest of the whole event table."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from engine.kernel.codec import Codec, loads
from engine.kernel.schema import EVENTS_INSERT

__all__ = ["JournalReads", "StoredEvent"]

_SHORT = 64  # events: a stream this short is read in one query
_CONCATENATED = "group_concat(entity_seq), group_concat(payload, ',')"  # one row: seqs, payloads


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


class JournalReads:
    """The `Journal`'s reads. Each first writes what is staged into the open group transaction
    (`sync`), so a read sees every row acknowledged so far."""

    # the journal's state this part reads (set by `Journal.__init__`)
    conn: sqlite3.Connection
    codec: Codec
    _entities: dict[tuple[str, str], int]
    _heads: dict[int, int]
    _flushed_seq: int
    _names: dict[int, tuple[str, str]]  # entity -> (kind, id)
    _digested: tuple[hashlib._Hash, int]  # (hash of the committed events with seq <= n, n): see `digest`

    if TYPE_CHECKING:  # `GroupCommit`'s, beside this class in `Journal`
        def sync(self) -> None: ...
        def ensure_stream_index(self) -> None: ...
        def _target(self, sql: str) -> str | None: ...

    def meta(self) -> dict[str, Any]:
        self.sync()
        return {k: loads(v) for k, v in self.conn.execute("SELECT key, value FROM lanasim_meta")}

    def stream(self, kind: str, entity_id: str, *, after: int = 0, to_seq: int | None = None,
               until: str | None = None) -> list[StoredEvent]:
        """Events of one entity with entity_seq > after, optionally up to a seq or sim time."""
        rows = self._select(kind, entity_id, "seq, entity_seq, type, version, payload, recorded_at, context",
                            after, to_seq, until)
        decode = self.codec.decode
        return [StoredEvent(s, kind, entity_id, es, t, v, decode(t, v, p), r, loads(c))
                for s, es, t, v, p, r, c in rows]

    def created_at(self, kind: str, entity_id: str) -> str | None:
        """When the entity's first event was recorded (ISO text, UTC), None if it has none."""
        rows = self._select(kind, entity_id, "recorded_at", 0, None, None, tail="ORDER BY entity_seq LIMIT 1")
        return rows[0][0] if rows else None

    def events(self, kind: str, entity_id: str, *, after: int = 0, to_seq: int | None = None,
               until: str | None = None) -> list[tuple[int, object]]:
        """(entity_seq, event) pairs for folding: like `stream` without decoding context."""
        seqs, events = self.decoded(kind, entity_id, after=after, to_seq=to_seq, until=until)
        return list(zip(seqs, events))

    def decoded(self, kind: str, entity_id: str, *, after: int = 0, to_seq: int | None = None,
                until: str | None = None) -> tuple[Sequence[int], list[object]]:
        """(entity_seqs, events) of `events`. A long stream of one event type and version without
        gaps (a ticker, a price) is read as one JSON array and decoded in one pass
        (`Codec.decode_array`): its first event's type and version, then, in one row, the
        `group_concat` of the entity_seqs and of the payloads of that type and version. Both
        aggregates see the same rows in the same order, so the entity_seqs coming back as
        after+1, after+2, ... (all of them, if as many as the stream holds) prove the payloads'
        order; anything else (and a stream too long for one SQLite string) is read event by event.
        A short or mixed stream (most entities) is read in one query, event by event."""
        entity = self._entities.get((kind, entity_id), 0)
        expected = self._heads.get(entity, 0) - after if to_seq is None and until is None else None
        if expected is None or expected > _SHORT:
            first = self._select(kind, entity_id, "type, version", after, to_seq, until, "ORDER BY entity_seq LIMIT 1")
            if first:
                if expected is None:
                    (expected, last), = self._select(kind, entity_id, "COUNT(*), MAX(entity_seq)", after, to_seq,
                                                     until, "")
                    expected = expected if last - after == expected else -1
                name, version = first[0]
                try:
                    (seqs, payloads), = self._select(kind, entity_id, _CONCATENATED, after, to_seq, until,
                                                     "AND type = ? AND version = ?", (name, version))
                except sqlite3.DataError:  # longer than SQLite's longest string (1e9 bytes by default)
                    seqs = payloads = None
                in_order = range(after + 1, after + expected + 1)
                # the seqs' text against the expected numbers written by orjson (as SQLite writes an
                # integer): half the instructions of parsing the text and comparing the lists
                if expected > 0 and seqs.__class__ is str and seqs.encode() == orjson.dumps([*in_order])[1:-1]:
                    events = self.codec.decode_array(name, version, f"[{payloads}]", expected)
                    if events is not None:
                        return in_order, events
        rows = self._select(kind, entity_id, "entity_seq, type, version, payload", after, to_seq, until)
        decode = self.codec.decode
        return [r[0] for r in rows], [decode(t, v, p) for _, t, v, p in rows]

    def _select(self, kind: str, entity_id: str, columns: str, after: int, to_seq: int | None,
                until: str | None, tail: str = "ORDER BY entity_seq", more: tuple[object, ...] = ()
                ) -> list[tuple[Any, ...]]:
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
        return self.conn.execute(f"{sql} {tail}", [*params, *more]).fetchall()

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

    def rows(self, after: int = 0, upto: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Raw canonical rows in seq order (what the digest covers), with seq > after (and <= upto)."""
        self.sync()
        yield from self.conn.execute(_ROWS + ("" if upto is None else " AND e.seq <= ?") + " ORDER BY e.seq",
                                     (after,) if upto is None else (after, upto))

    def digest(self) -> str:
        """SHA-256 over the canonical rows of the event table (run-independent of wall clock). The
        hash of the committed rows read is kept (a committed row never changes), so the next digest
        reads only the rows after them: a run's report, summary and close each ask for it, and
        each full read of a 100,000-facility run's events took tens of seconds. A row still
        uncommitted may yet be rolled back: it is hashed, not kept."""
        committed = self._flushed_seq
        kept, top = self._digested
        h = kept.copy()
        last = _hash_rows(h, self.rows(after=top, upto=committed), top)
        self._digested = (h.copy(), last)
        _hash_rows(h, self.rows(after=max(last, committed)), last)
        return h.hexdigest()

    def digest_committed(self, written: list[tuple[str, list[tuple[Any, ...]]]], before: int) -> None:
        """A commit made the events after seq `before` durable, written as `written` (statement,
        rows) in order: when the kept hash covers every event before them, fold them in from memory
        (as `digest` would read them back: the engine stores their ints and texts as given), so
        the close's digest reads none again. An import never asked for a digest before its close,
        which then read and hashed every row: 0.57 s of a 3,000-facility import's 9 s. Events written
        otherwise (another statement, a gap in the seqs) are left to `digest` to read back."""
        kept, top = self._digested
        if top != before or self._flushed_seq == before:
            return
        rows: list[tuple[Any, ...]] = []
        for sql, batch in written:
            if sql == EVENTS_INSERT:
                rows += batch
            elif self._target(sql) == "events":
                return
        last = self._flushed_seq
        if len(rows) != last - before or [r[0] for r in rows] != [*range(before + 1, last + 1)]:
            return
        names = self._names  # each row as `_ROWS` reads it back: the entity's (kind, id) for its number
        for start in range(0, len(rows), _CHUNK):
            kept.update("".join([f"{s}\x1f{k}\x1f{i}\x1f{es}\x1f{t}\x1f{v}\x1f{p}\x1f{r}\x1f{c}\n"
                                 for s, e, es, t, v, p, r, c in rows[start:start + _CHUNK]
                                 for k, i in [names[e]]]).encode())
        self._digested = (kept, last)


_ROWS = ("SELECT e.seq, n.kind, n.id, e.entity_seq, e.type, e.version, e.payload, e.recorded_at, e.context "
         "FROM events e JOIN entities n USING (entity) WHERE e.seq > ?")
_CHUNK = 512  # rows a digest update takes at once: a few hundred KB of text, which the allocator reuses


def _hash_rows(h: hashlib._Hash, rows: Iterator[tuple[Any, ...]], last: int) -> int:
    """Feed `h` each row as its values' texts joined by \x1f, then a newline (a chunk of rows per
    update); returns the seq of the last row (`last` if none). A value's text is `str`'s: an
    f-string's field formats as `str` does, a row's line in one step (a third of the time of
    joining each row's mapped texts)."""
    while chunk := list(islice(rows, _CHUNK)):
        h.update("".join([f"{s}\x1f{k}\x1f{i}\x1f{es}\x1f{t}\x1f{v}\x1f{p}\x1f{r}\x1f{c}\n"
                          for s, k, i, es, t, v, p, r, c in chunk]).encode())
        last = chunk[-1][0]
    return last

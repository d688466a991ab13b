"""Group commit and durability: staged rows are written into one open transaction and committed
all or nothing; a failed write or commit keeps every acknowledged row for the next flush."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from itertools import chain, compress, islice
from operator import is_not
from typing import TYPE_CHECKING

from engine.kernel.chain import seal
from engine.kernel.chain_rows import Written, target_of
from engine.kernel.errors import EngineError, SimulationClosed
from engine.kernel.journal_file import release
from engine.kernel.row_check import check_row

__all__ = ["ClosedConnection", "GroupCommit", "JournalWriteFailed", "Row"]

Row = tuple[object, ...]  # one row's parameters

# A plain `INSERT INTO t (columns) VALUES (?, ...)` (no OR, no upsert, nothing after the values)
_PLAIN_INSERT = re.compile(r"\s*INSERT\s+INTO\s+[^()]+\([^()]*\)\s*(VALUES)\s*(\(\s*\?(?:\s*,\s*\?)*\s*\))\s*$",
                           re.I)
_MULTI_ROWS = 64  # rows one multi-row INSERT writes: ~25 % fewer instructions a row than a row a statement
_MAX_PARAMETERS = 999  # the lowest SQLITE_MAX_VARIABLE_NUMBER a build may have
_RUN = 8  # one row object staged this many times in a row is written by `Plain.repeat`'s statements
_REPEATS = (64, 32, 16, 8, 4, 2, 1)  # rows a `Plain.repeat` statement writes (one row bound once): a run of n
# rows takes n // 64 statements and at most six more; a recursive CTE counting to n (the statement before)
# cost twice the instructions a row (cachegrind: 4,506 against 2,223 with the commit, 10,000 audit rows)


class Plain:
    """How a plain INSERT's rows are written in fewer statements than rows (`GroupCommit._write`).

    `many` inserts k rows at once: SQLite inserts one VALUES list's rows in order, exactly as k
    executions of the statement would (the same rowids, the same bytes), but steps, resets and
    releases the GIL once for them, not k times. `repeat` inserts one row n times: a job's
    commands at one instant share their audit row, one tuple staged again and again, and equal
    rows come out the same in any order. Its statements (64, 32, ... 1 rows) name the row's
    parameters by number in every VALUES row (`?1, ?2, ...`), so the row is bound once however
    many rows it writes; a run is written by as few of them as add up to its length."""

    __slots__ = ("k", "many", "repeat", "width")

    def __init__(self, sql: str, values: re.Match[str]) -> None:
        row = values.group(2)  # "(?, ?, ...)"
        self.width = row.count("?")
        self.k = max(1, min(_MULTI_ROWS, _MAX_PARAMETERS // self.width))
        self.many = f"{sql[:values.start(2)]}{','.join([row] * self.k)}"
        numbered = f"({', '.join(f'?{i}' for i in range(1, self.width + 1))})"
        self.repeat = tuple((n, f"{sql[:values.start(2)]}{','.join([numbered] * n)}") for n in _REPEATS)


def plain_insert(sql: str) -> Plain | None:
    """The `Plain` writer of a plain INSERT (no OR, no upsert, nothing after its one row of `?`)."""
    found = _PLAIN_INSERT.match(sql)
    return None if found is None else Plain(sql, found)


class JournalWriteFailed(EngineError):
    """Writing or committing the group failed (fields: path, error, retained): the transaction was
    rolled back, every acknowledged row is retained in memory and is written again by the next flush."""


class ClosedConnection:
    """What a closed journal holds in place of its connection: every use (a read of the run after
    `close`, through any service or view) is `SimulationClosed`, not a failure inside SQLite code."""

    def __getattr__(self, name: str) -> object:
        raise SimulationClosed()


class GroupCommit:
    """The `Journal`'s writing and committing of what it staged, and its deferred indexes.

    Nothing acknowledged is lost: rows written into the open group transaction are kept in memory
    until COMMIT succeeds; a failed write or commit (a full disk, an I/O error) rolls the transaction
    back, keeps every row, and the next `flush` writes them again.
    """

    # the journal's state this part reads and writes (set by `Journal.__init__`)
    path: str
    readonly: bool
    lock: threading.RLock
    conn: sqlite3.Connection
    fault: Callable[[str], object] | None
    written: Written
    before_commit: list[Callable[[], None]]
    after_commit: list[Callable[[int], None]]
    _staged: dict[str, list[Row]]
    _in_tx: bool
    _seq: int
    _flushed_seq: int
    _written: list[tuple[str, list[Row]]]
    _replay: list[tuple[str, list[Row]]]
    _deferred: dict[str, str]
    _targets: dict[str, str | None]  # a staged statement's table (`target_of`), parsed once
    _plain: dict[str, Plain | None]  # a statement's `plain_insert` writer, parsed once
    _built: dict[str, bool]
    _dropping: list[str]  # deferred indexes the file holds, dropped by the first write transaction
    _dropped: list[str]  # those the open transaction dropped (held again if it rolls back)

    if TYPE_CHECKING:  # `JournalReads`', beside this class in `Journal`
        def digest_committed(self, written: list[tuple[str, list[Row]]], before: int) -> None: ...

    # -- one write at once -----------------------------------------------------------------
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

    # -- group commit ------------------------------------------------------------------------
    def sync(self, table: str | None = None) -> None:
        """Write staged rows into the open group transaction without committing, so reads on this
        connection see them while a cascade is still under way: every staged row, or with `table`
        only those of the statements writing that table (a query of one index table: the rest wait
        for the next full sync or the commit, each table's rows still written in their order)."""
        with self.lock:
            if not self._replay and not any(self._staged.values()):
                return
            self._begin()
            try:
                self._drain_replay()
                for sql, rows in self._staged.items():
                    if rows and (table is None or self._target(sql) == table):
                        batch = rows.copy()
                        self._write(sql, batch)
                        self._written.append((sql, batch))
                        rows.clear()
            except BaseException as exc:
                self._abort()
                raise JournalWriteFailed(path=self.path, error=repr(exc), retained=self.retained()) from exc

    def _target(self, sql: str) -> str | None:
        found = self._targets.get(sql, "")
        if found == "":
            found = self._targets[sql] = target_of(sql)
        return found

    def _drain_replay(self) -> None:
        while self._replay:
            sql, rows = self._replay[0]
            self._write(sql, rows)
            self._written.append(self._replay.pop(0))

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        if self.fault is not None:
            self.fault("write")
        if sql in self._plain:
            plain = self._plain[sql]
        else:
            plain = self._plain[sql] = plain_insert(sql)
        if plain is None or len(rows) < 2 or set(map(len, rows)) != {plain.width}:
            self.conn.executemany(sql, rows)  # a row of another width is refused by SQLite, as it was
        else:
            self._write_plain(sql, plain, rows)
        self.written.wrote(sql, rows)

    def _write_plain(self, sql: str, plain: Plain, rows: list[Row]) -> None:
        """`rows` in order: each run of one row object staged `_RUN` times or more by `Plain.repeat`'s
        statements, the rows between them k to a statement (the rest, fewer than k, one at a time)."""
        n = len(rows)
        starts = list(compress(range(1, n), map(is_not, islice(rows, 1, None), rows)))  # a new row object
        done = 0
        if len(starts) * 2 < n:  # repeated rows: find the long runs
            for start, end in zip([0, *starts], [*starts, n]):
                if end - start >= _RUN:
                    self._write_many(sql, plain, rows[done:start])
                    left, row = end - start, rows[start]
                    for size, statement in plain.repeat:
                        while left >= size:
                            self.conn.execute(statement, row)
                            left -= size
                    done = end
        self._write_many(sql, plain, rows[done:] if done else rows)

    def _write_many(self, sql: str, plain: Plain, rows: list[Row]) -> None:
        whole = len(rows) - len(rows) % plain.k
        if whole:
            self.conn.executemany(plain.many, _chunks(rows, whole, plain.k))
        if whole < len(rows):
            self.conn.executemany(sql, rows[whole:])

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
        self._dropping = [name for name in self._dropped if self._built[name]]  # their drop was rolled back
        self._dropped = []

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
            committed, before = self._written, self._flushed_seq
            self._in_tx, self._written, self._flushed_seq, self._dropped = False, [], self._seq, []
            self.digest_committed(committed, before)  # the close's digest then reads none of them again
            for told in self.after_commit:
                told(self._seq)

    def _begin(self) -> None:
        if not self._in_tx:
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            for name in self._dropping:  # the first write of a reopened run: its deferred indexes go now
                try:
                    self.conn.execute(f"DROP INDEX IF EXISTS {name}")
                except sqlite3.Error:
                    continue  # kept: the writes are slower with it, never wrong
                self._built[name] = False
            self._dropped, self._dropping = self._dropping, []

    # -- deferred indexes and closing -------------------------------------------------------
    def defer_index(self, name: str, create_sql: str, *, from_first_write: bool = False) -> None:
        """Declare an index that is kept off while the run is hot (the single writer does not need
        it) and built the first time a read needs it (`ensure_index`) or when the journal closes.
        `from_first_write`: one the file holds is dropped by the first write transaction, not now,
        so a journal opened only to be read (a finished run) is left byte for byte as it was; it was
        dropped as the journal opened and built again as it closed."""
        with self.lock:
            self._deferred[name] = create_sql
            exists = bool(self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone())
            if exists and not self.readonly and self.path != ":memory:":
                if from_first_write and not self._in_tx:
                    self._dropping.append(name)
                else:
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

    def require_open(self) -> None:
        """`SimulationClosed` once closed: for reads answered from memory (the ledger's totals, the
        public ids), which touch no connection, so that they are refused as every other read is."""
        if isinstance(self.conn, ClosedConnection):
            raise SimulationClosed()

    def close(self) -> None:
        """Build the deferred indexes, commit, release the file. If the last commit fails (SQLite,
        or a `before_commit` hook staging the run's position), the file is released all the same (its
        committed prefix is consistent) and `JournalWriteFailed` says how many rows did not become
        durable. Closed, the journal holds a `ClosedConnection`: its use is `SimulationClosed`."""
        with self.lock:
            if isinstance(self.conn, ClosedConnection):
                return
            try:
                if not self.readonly:
                    for name in self._deferred:
                        self.ensure_index(name)
                    self.flush()
            except JournalWriteFailed:
                raise  # rolled back by `flush`, its rows counted
            except Exception as exc:
                self._abort()
                raise JournalWriteFailed(path=self.path, error=repr(exc), retained=self.retained()) from exc
            finally:
                self.conn.close()
                self.conn = ClosedConnection()  # type: ignore[assignment]
                release(self.path, self)


def _chunks(rows: list[Row], whole: int, k: int) -> Iterator[Row]:
    """The parameters of rows[0:whole], k rows at a time, as one flat tuple each."""
    for start in range(0, whole, k):
        yield tuple(chain.from_iterable(rows[start:start + k]))

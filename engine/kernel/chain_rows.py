"""The hash chain's view of a group transaction, kept as its rows are written: at the commit each
chained table's new rows (each the JSON array of its columns, led by its rowid unless an INTEGER
PRIMARY KEY column holds it) are hashed from the rows the journal wrote, in C over the whole batch
(orjson, hashlib, zlib: no Python call per row), instead of being read back from SQLite."""

from __future__ import annotations

import gc
import hashlib
import re
import sqlite3
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import chain, repeat
from operator import add, itemgetter, lt
from typing import Any

import orjson

__all__ = ["ENCODING", "Written", "encode_row", "read_back", "read_digest", "target_of"]

ENCODING = "orjson"  # the row encoding of a link's ranges (a link without it: SQLite's json_array)
_CHUNK = 4096
_ENCODED = 256  # rows encoded at once by `_encoded`: a few dozen KB, which the allocator reuses (4,096 rows
# of text at once doubled an import's system time: fresh arenas mapped and unmapped at every chunk)
_INSERT = re.compile(r'\s*INSERT\s+INTO\s+"?(\w+)"?\s*\(([^)]*)\)\s*VALUES\s*\([?,\s]*\)\s*$', re.I)
_TARGET = re.compile(r'\s*(?:(?:INSERT|REPLACE)\b.*?\bINTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)',
                     re.I | re.S)
_EVERY = "*"  # the plan of a write whose table is not known: read every table back
_ROWID, _NULL = -1, -2  # column sources besides a statement parameter's position
_HEAD, _TAIL = itemgetter(0), itemgetter(slice(1, None))
_ANY: frozenset[type] = frozenset({int, float, str, bytes, type(None)})
_AFFINITY: dict[str, frozenset[type]] = {  # the Python types SQLite stores unchanged in a column of each affinity
    "INTEGER": frozenset({int, bytes, type(None)}), "TEXT": frozenset({str, bytes, type(None)}),
    "REAL": frozenset({float, bytes, type(None)}), "NUMERIC": frozenset({int, bytes, type(None)}), "BLOB": _ANY}


def _blob(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value).__name__)


encode_row = partial(orjson.dumps, default=_blob)  # one row (or a list of rows) as JSON, blobs as hex
_dumps = orjson.dumps  # `encode_row` of rows holding no blob


def target_of(sql: str) -> str | None:
    """The table an INSERT, REPLACE, UPDATE or DELETE statement writes (None: not one of those)."""
    found = _TARGET.match(sql)
    return found.group(1) if found else None


def _hash(data: bytes) -> str:
    """The digest of a range: the hash of its rows (each `rowid, *columns`) as one JSON array."""
    return hashlib.blake2b(data, digest_size=32).hexdigest()


def _encoded(rows: list[tuple[Any, ...]], encode: Callable[[object], bytes]) -> tuple[str, array[int]]:
    """(digest, CRC-32 per row) of `rows`, each encoded once, a chunk at a time (the encoded rows are
    never all held at once): the JSON array of the rows is their texts joined by commas in brackets,
    byte for byte what encoding the whole list gives."""
    h, crcs, sep = hashlib.blake2b(b"[", digest_size=32), array("I"), b""
    for start in range(0, len(rows), _ENCODED):
        texts = list(map(encode, rows[start:start + _ENCODED]))
        h.update(sep)
        h.update(b",".join(texts))
        crcs.extend(map(zlib.crc32, texts))
        sep = b","
    h.update(b"]")
    return h.hexdigest(), crcs


def read_back(conn: sqlite3.Connection, table: str, after: int, last: int,
              rowids: list[int] | None = None) -> tuple[str, array[int]]:
    """The digest and the CRC-32 of each encoded row, of the stored rows with after < rowid <= last
    read in rowid order (appending their rowids to `rowids` when given)."""
    crcs: array[int] = array("I")
    return _digest(conn, table, after, last, rowids, lambda texts: crcs.extend(map(zlib.crc32, texts))), crcs


def read_digest(conn: sqlite3.Connection, table: str, after: int, last: int) -> tuple[str, int]:
    """The digest and the number of the stored rows with after < rowid <= last: `read_back` without a
    CRC-32 per row, what a check needs to accept a range whose digest matches."""
    counts: list[int] = []
    return _digest(conn, table, after, last, None, lambda texts: counts.append(len(texts))), sum(counts)


def _digest(conn: sqlite3.Connection, table: str, after: int, last: int, rowids: list[int] | None,
            each: Callable[[list[bytes]], object]) -> str:
    """The BLAKE2b of the range's rows as one JSON array, handing `each` chunk's encoded rows on."""
    h, sep = hashlib.blake2b(b"[", digest_size=32), b""
    for texts in _texts(conn, table, after, last, rowids):
        h.update(sep)
        h.update(b",".join(texts))  # the chunk's rows, comma-separated, as in the whole array
        each(texts)
        sep = b","
    h.update(b"]")
    return h.hexdigest()


def _texts(conn: sqlite3.Connection, table: str, after: int, last: int,
           rowids: list[int] | None) -> Iterator[list[bytes]]:
    """The encoded rows of the range, a chunk at a time. A table whose INTEGER PRIMARY KEY column holds
    the rowid is read without a leading rowid unless `rowids` wants it (one value less a row); each
    chunk is encoded first without `encode_row`'s blob handler (a fifth more a row), the same bytes."""
    alias = _alias(conn.execute(f'PRAGMA table_info("{table}")').fetchall()) is not None
    lead = "rowid, " if rowids is not None or not alias else ""
    cursor = conn.execute(f'SELECT {lead}* FROM "{table}" WHERE rowid > ? AND rowid <= ? ORDER BY rowid',
                          (after, last))
    while chunk := cursor.fetchmany(_CHUNK):
        if rowids is not None:
            rowids.extend(map(_HEAD, chunk))
            if alias:  # the INTEGER PRIMARY KEY column holds the rowid: encoded once
                chunk = list(map(_TAIL, chunk))
        try:
            texts = list(map(_dumps, chunk))
        except orjson.JSONEncodeError:  # a blob: written as hex
            texts = list(map(encode_row, chunk))
        yield texts


def _alias(info: list[tuple[Any, ...]]) -> str | None:
    """The table's INTEGER PRIMARY KEY column (it holds the rowid), from `PRAGMA table_info`."""
    keys = [c for c in info if c[5]]
    return str(keys[0][1]) if len(keys) == 1 and str(keys[0][2]).upper() == "INTEGER" else None


def _affinity(declared: str) -> str:
    """SQLite's rules for a column's type affinity from its declared type."""
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not upper or "BLOB" in upper:
        return "BLOB"
    return "REAL" if any(word in upper for word in ("REAL", "FLOA", "DOUB")) else "NUMERIC"


class _Plan:
    """How one INSERT statement's parameters become rows of its table: where each column comes from
    (a parameter, the rowid, NULL), which parameter is the rowid, and the types each column keeps."""

    __slots__ = ("aliased", "checks", "rowid_at", "sources", "sql", "table")

    def __init__(self, sql: str, table: str, sources: list[int], rowid_at: int | None,
                 checks: list[tuple[int, frozenset[type]]], aliased: bool) -> None:
        self.sql, self.table, self.sources, self.rowid_at, self.checks = sql, table, sources, rowid_at, checks
        self.aliased = aliased  # an INTEGER PRIMARY KEY column holds the rowid


class Written:
    """The chained rows of the open transaction, told of every write as it happens (`wrote`, which
    keeps a reference to the batch) and encoded and hashed when the commit seals them (`digest`); a
    write it cannot encode exactly as SQLite stores it marks its table for reading back."""

    def __init__(self, conn: sqlite3.Connection, chained: Callable[[str], bool]) -> None:
        self.conn, self.chained = conn, chained  # chained(table): an append-only table the chain covers
        self._plans: dict[str, _Plan | str | None] = {}  # None: not chained; a str: that table, read back
        self.batches: dict[str, list[tuple[_Plan, list[tuple[Any, ...]]]]] = {}
        self.unread: set[str] = set()  # tables to read back at the seal
        self.everything = False  # a write to a table it could not name: read every table back
        self.typed: set[str] = set()  # statements whose rows the kernel builds with the column types

    def clear(self) -> None:
        self.batches, self.unread, self.everything = {}, set(), False

    def wrote(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """`rows` were written by `sql` (the caller keeps the list unchanged until the commit)."""
        plan = self._plans.get(sql, "")
        if plan == "":
            plan = self._plans[sql] = self._plan(sql)
        if plan is None or not rows:
            return
        if isinstance(plan, str):
            self.everything = self.everything or plan == _EVERY
            self.unread.add(plan)
            return
        batches = self.batches.get(plan.table)
        if batches is None:
            self.batches[plan.table] = [(plan, rows)]
        else:
            batches.append((plan, rows))

    def digest(self, table: str, after: int, top: int) -> tuple[str, array[int]] | None:
        """(digest, CRC-32 per row) of the table's rows in (after, top] from the rows as written, if
        they are exactly those rows; None when the table must be read back. The cyclic collector is
        paused meanwhile: the pass allocates a tuple per row, all freed by reference counting, and a
        collection triggered by them would walk every live object of the run for nothing."""
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._digest(table, after, top)
        finally:
            if paused:
                gc.enable()

    def _digest(self, table: str, after: int, top: int) -> tuple[str, array[int]] | None:
        batches = self.batches.get(table)
        if self.everything or table in self.unread or not batches:
            return None
        plan = batches[0][0]
        if any(other is not plan for other, _ in batches):
            return None  # two statements wrote the table: read it back rather than interleave them
        rows = list(chain.from_iterable(r for _, r in batches))
        n = len(rows)
        if plan.sql not in self.typed:  # the kernel's own rows hold no float and match their columns
            for index, kept in plan.checks:
                if not kept.issuperset(map(type, map(itemgetter(index), rows))):  # SQLite converts the value
                    return None
                if float in kept and 0.0 in map(itemgetter(index), rows):  # SQLite stores -0.0 as 0.0
                    return None
        if plan.rowid_at is None:  # rowids SQLite chose: one above the largest, row after row
            if n != top - after:
                return None
            rowids: Sequence[int] = range(after + 1, top + 1)
        else:
            rowids = list(map(itemgetter(plan.rowid_at), rows))
            if rowids[0] <= after or rowids[-1] != top or not all(map(lt, rowids, rowids[1:])):
                return None
            if n != top - after and n != self.conn.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE rowid > ?', (after,)).fetchone()[0]:
                return None
        try:
            whole = self._rows(plan, rows, rowids)
            try:  # first without `encode_row`'s blob handler, which costs a fifth more a row
                return _encoded(whole, _dumps)
            except orjson.JSONEncodeError:
                return _encoded(whole, encode_row)
        except (TypeError, orjson.JSONEncodeError):
            return None

    @staticmethod
    def _rows(plan: _Plan, rows: list[tuple[Any, ...]], rowids: Sequence[int]) -> list[tuple[Any, ...]]:
        """Each row as its encoding takes it: the columns in table order, led by the rowid when no
        INTEGER PRIMARY KEY column holds it; the rows as written when that is their shape (events)."""
        in_order = list(range(len(rows[0])))
        if plan.sources == in_order and plan.aliased:  # every column given, the rowid among them
            return rows
        if plan.sources == [_ROWID, *in_order] or (plan.sources == in_order and not plan.aliased):
            return list(map(add, zip(rowids), rows))  # the INTEGER PRIMARY KEY left to SQLite, or no alias
        columns = [map(itemgetter(s), rows) if s >= 0 else rowids if s == _ROWID else repeat(None, len(rows))
                   for s in plan.sources]
        return list(zip(*columns)) if plan.aliased else list(zip(rowids, *columns))

    def _plan(self, sql: str) -> _Plan | str | None:
        insert = _INSERT.match(sql)
        target = _TARGET.match(sql)
        if target is None:
            return _EVERY
        table = target.group(1)
        if not self.chained(table):
            return None
        if insert is None or insert.group(1) != table:
            return table  # an update, delete, upsert or replace: read the table back
        info = self.conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        names = [c.strip().strip('"') for c in insert.group(2).split(",")]
        alias = _alias(info)
        sources, checks = [], []
        for _, name, declared, _, default, _ in info:
            if name in names:
                sources.append(names.index(name))
                checks.append((names.index(name), _AFFINITY[_affinity(declared)]))
            elif name == alias:
                sources.append(_ROWID)
            elif default is None:
                sources.append(_NULL)
            else:
                return table  # a column default: read the table back
        if len(set(names)) != len(names) or not set(names) <= {c[1] for c in info}:
            return table
        return _Plan(sql, table, sources, names.index(alias) if alias in names else None, checks, alias is not None)

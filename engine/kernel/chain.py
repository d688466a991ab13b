"""Tamper evidence: each group commit appends one link to a hash chain over every row it wrote.

A link covers the new rows of each append-only table (rowid above the previous link's high-water
mark, in rowid order, each encoded as the JSON array of its columns led by its rowid unless an
INTEGER PRIMARY KEY column holds it, plus a CRC-32 per row that lets `verify` name an edited row)
and the whole content of the small keyed tables (run metadata, ephemeral events, consumer cursors)
as of the commit. The journal hashes the rows as it writes them (`engine.kernel.chain_rows`); a
table written otherwise is read back. Query-index tables (`index_*`) are derived from the events
and checked by recomputing them. The newest link's hash, the head, is kept in run metadata under
`chain_head`. Links written before format 4 encoded rows (`rowid, *`) with SQLite's `json_array`
and are checked that way.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import zlib
from array import array
from collections.abc import Iterator
from typing import Any

import attrs

from engine.kernel.chain_rows import ENCODING, Written, encode_row, read_back
from engine.kernel.codec import dumps
from engine.kernel.schema import FORMAT

__all__ = ["CHAIN", "HEAD_KEY", "KEYED", "BadRow", "Link", "digest_range", "is_chained", "keyed_state", "last_link",
           "link_hash", "links", "rebuild", "row_key", "seal", "tables"]

CHAIN = "chain"
HEAD_KEY = "chain_head"
KEYED = ("cursors", "ephemeral", "lanasim_meta")  # mutable tables: their content as of each commit is chained
DERIVED = "index_"  # query-index tables: recomputed from the events by `verify`, not chained
_DDL = (f"CREATE TABLE IF NOT EXISTS {CHAIN} (n INTEGER PRIMARY KEY, marks TEXT NOT NULL, covers TEXT NOT NULL, "
        "state TEXT NOT NULL, locators BLOB NOT NULL, hash TEXT NOT NULL)")
_CHUNK = 4096


@attrs.frozen
class BadRow:
    """A row `verify` rejects: its table, its key as `column value`, and what is wrong with it."""

    table: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table} {self.key}: {self.problem}"


@attrs.frozen
class Link:
    """One group commit: high-water rowids, the ranges it covers `{table: [after, last, rows, digest]}`,
    the keyed tables' rows `{table: {key: hash}}`, a CRC-32 per covered row, and its hash."""

    n: int
    marks: dict[str, Any]
    covers: dict[str, Any]
    state: dict[str, Any]
    locators: bytes
    hash: str


def is_chained(table: str) -> bool:
    """An append-only table whose rows the chain covers range by range."""
    return table not in KEYED and table != CHAIN and not table.startswith(("sqlite_", DERIVED))


def tables(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """(append-only tables, keyed tables) of the file, each sorted by name."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return [t for t in names if is_chained(t)], [t for t in names if t in KEYED]


def _json_rows(conn: sqlite3.Connection, table: str, after: int, last: int) -> Iterator[list[tuple[Any, ...]]]:
    columns = ", ".join(["rowid"] + [f'"{c[1]}"' for c in conn.execute(f'PRAGMA table_info("{table}")')])
    cursor = conn.execute(f'SELECT rowid, json_array({columns}) FROM "{table}" WHERE rowid > ? AND rowid <= ? '
                          "ORDER BY rowid", (after, last))
    while chunk := cursor.fetchmany(_CHUNK):
        yield [(rowid, text.encode()) for rowid, text in chunk]


def _python_rows(conn: sqlite3.Connection, table: str, after: int, last: int) -> Iterator[list[tuple[Any, ...]]]:
    cursor = conn.execute(f'SELECT rowid, * FROM "{table}" WHERE rowid > ? AND rowid <= ? ORDER BY rowid',
                          (after, last))
    while chunk := cursor.fetchmany(_CHUNK):
        yield [(row[0], encode_row(row)) for row in chunk]


def _digest(chunks: Iterator[list[tuple[Any, ...]]], rowids: list[int] | None) -> tuple[str, array[int]]:
    h, crcs = hashlib.blake2b(digest_size=32), array("I")
    for chunk in chunks:
        encoded = [text for _, text in chunk]
        h.update(b"\n".join(encoded))
        h.update(b"\n")
        crcs.extend(map(zlib.crc32, encoded))
        if rowids is not None:
            rowids.extend(rowid for rowid, _ in chunk)
    return h.hexdigest(), crcs


def digest_range(conn: sqlite3.Connection, table: str, after: int, last: int,
                 rowids: list[int] | None = None, encoding: str | None = ENCODING) -> tuple[str, array[int]]:
    """(digest, CRC-32 per row) of the rows with after < rowid <= last, in rowid order, each as the JSON
    array of `rowid, *` (by orjson, blobs as hex; a link from before format 4, `encoding` None: built
    by SQLite, or as now when a blob is in the range); their rowids are appended to `rowids` when given."""
    if encoding == ENCODING:
        return read_back(conn, table, after, last, rowids)
    try:
        return _digest(_json_rows(conn, table, after, last), rowids)
    except sqlite3.OperationalError:  # SQLite's JSON holds no BLOB value
        if rowids is not None:
            rowids.clear()
        return _digest(_python_rows(conn, table, after, last), rowids)


def _canonical_crcs(crcs: array[int]) -> bytes:
    if sys.byteorder == "little":
        crcs.byteswap()
    return crcs.tobytes()


def keyed_state(conn: sqlite3.Connection, keyed: list[str]) -> dict[str, Any]:
    """{table: {key: hash of the row}} of the keyed tables (the chain head itself left out)."""
    state = {}
    for table in keyed:
        rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
        state[table] = {str(row[0]): hashlib.blake2b(repr(row).encode(), digest_size=8).hexdigest()
                        for row in rows if not (table == "lanasim_meta" and row[0] == HEAD_KEY)}
    return state


def _canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def link_hash(previous: str, n: int, marks: dict[str, Any], covers: dict[str, Any], state: dict[str, Any],
              locators: bytes) -> str:
    h = hashlib.blake2b(digest_size=32)
    for part in (previous.encode(), str(n).encode(), _canonical(marks), _canonical(covers), _canonical(state),
                 hashlib.blake2b(locators, digest_size=32).digest()):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


class LinkUnreadable(ValueError):
    """A chain link whose stored text no longer parses (a damaged byte): `n` is its number."""

    def __init__(self, n: object) -> None:
        super().__init__(f"chain link n {n} is unreadable")
        self.n = n


def _link(row: tuple[Any, ...]) -> Link:
    n, marks, covers, state, locators, hash_ = row
    try:
        return Link(n, json.loads(marks), json.loads(covers), json.loads(state), bytes(locators), hash_)
    except (ValueError, TypeError):  # a JSONDecodeError from a damaged byte was a traceback of verify and fork
        raise LinkUnreadable(n) from None


def last_link(conn: sqlite3.Connection) -> Link | None:
    row = conn.execute(f"SELECT n, marks, covers, state, locators, hash FROM {CHAIN} ORDER BY n DESC LIMIT 1"
                       ).fetchone()
    return None if row is None else _link(row)


def links(conn: sqlite3.Connection) -> Iterator[Link]:
    for row in conn.execute(f"SELECT n, marks, covers, state, locators, hash FROM {CHAIN} ORDER BY n"):
        yield _link(row)


def seal(conn: sqlite3.Connection, written: Written | None = None) -> str | None:
    """Append the link of the open transaction's rows (call right before COMMIT); returns the head.
    `written`: the rows as the journal wrote them, used for each table whose new rows they are all
    of (any other table is read back). A commit that wrote no chained row and left the keyed tables
    as they were adds no link; the first link in this encoding marks the file with this format."""
    conn.execute(_DDL)
    last = last_link(conn)
    append, keyed = tables(conn)
    marks = dict(last.marks) if last is not None else {}
    covers: dict[str, list[Any]] = {}
    crcs = array("I")
    for table in append:
        after = marks.get(table, 0)
        top = conn.execute(f'SELECT MAX(rowid) FROM "{table}"').fetchone()[0] or 0
        if top <= after:
            continue
        digest, found = (written and written.digest(table, after, top)) or digest_range(conn, table, after, top)
        crcs.extend(found)
        covers[table], marks[table] = [after, top, len(found), digest, ENCODING], top
    if covers and "lanasim_meta" in keyed:
        conn.execute("UPDATE lanasim_meta SET value = ? WHERE key = 'format' AND value != ?", (dumps(FORMAT),) * 2)
    state = keyed_state(conn, keyed)
    if last is not None and not covers and state == last.state:
        return last.hash
    n = last.n + 1 if last is not None else 1
    locators = _canonical_crcs(crcs)
    head = link_hash(last.hash if last is not None else "", n, marks, covers, state, locators)
    conn.execute(f"INSERT INTO {CHAIN} (n, marks, covers, state, locators, hash) VALUES (?, ?, ?, ?, ?, ?)",
                 (n, _canonical(marks).decode(), _canonical(covers).decode(), _canonical(state).decode(),
                  locators, head))
    if "lanasim_meta" in keyed:
        conn.execute("INSERT OR REPLACE INTO lanasim_meta (key, value) VALUES (?, ?)", (HEAD_KEY, dumps(head)))
    return head


def rebuild(conn: sqlite3.Connection) -> str | None:
    """Replace the chain by one link covering every row the file holds now (a journal copied up to
    some point, e.g. a fork). Runs in its own transaction unless one is open."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_DDL)
        conn.execute(f"DELETE FROM {CHAIN}")
        head = seal(conn)
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise
    if own:
        conn.execute("COMMIT")
    return head


def row_key(conn: sqlite3.Connection, table: str, rowid: int) -> str:
    """How a row is named in a report: its primary key (`seq 5`, `entity 3 entity_seq 100`), or its rowid."""
    info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    pk = sorted((c[5], c[0], c[1]) for c in info if c[5])
    row = conn.execute(f'SELECT rowid, * FROM "{table}" WHERE rowid = ?', (rowid,)).fetchone()
    if row is None:
        if len(pk) == 1 and info[pk[0][1]][2].upper() == "INTEGER":
            return f"{pk[0][2]} {rowid}"
        return f"rowid {rowid}"
    values = [row[index + 1] for _, index, _ in pk]  # row is `rowid, *`
    return " ".join(f"{name} {value}" for (_, _, name), value in zip(pk, values)) if pk else f"rowid {row[0]}"

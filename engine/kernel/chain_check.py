"""Check a journal's hash chain: every link recomputed from the rows it covers, nothing uncovered,
the keyed tables as the last link left them, the head as run metadata (and the user) recorded it."""

from __future__ import annotations

import sqlite3
import sys
import threading
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from engine.kernel.chain import (
    CHAIN,
    HEAD_KEY,
    BadRow,
    Link,
    LinkUnreadable,
    digest_range,
    keyed_state,
    last_link,
    link_hash,
    links,
    row_key,
    tables,
)
from engine.kernel.chain_rows import ENCODING, read_digest
from engine.kernel.codec import loads
from engine.kernel.errors import EngineError
from engine.kernel.readonly import connect_readonly

__all__ = ["ChainBroken", "check_chain", "intact_meanwhile", "require_intact", "require_tail"]

_LIMIT = 10  # problems collected before the walk stops


def check_chain(conn: sqlite3.Connection, expect_head: str | None = None) -> tuple[list[BadRow], dict[str, Any]]:
    """(problems in commit order, {"chain head", "chain links"}); `expect_head` is a head printed
    earlier by `lanasim run` or `verify`: the chain must contain it (a truncated tail does not)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (CHAIN,)).fetchone() is None:
        problem = (_BEFORE_CHAIN if _predates_chain(conn)
                   else "table dropped (a journal of this format has a hash chain)")
        return [BadRow(CHAIN, "-", problem)], {"chain head": None, "chain links": 0}
    bad: list[BadRow] = []
    marks: dict[str, int] = {}
    previous, count, last = "", 0, None
    hashes: dict[str, int] = {}
    try:
        for link in links(conn):
            count += 1
            if link.n != count:
                bad.append(BadRow(CHAIN, f"n {count}", f"link missing (the next link is n {link.n})"))
                count = link.n
            if link_hash(previous, link.n, link.marks, link.covers, link.state, link.locators) != link.hash:
                bad.append(BadRow(CHAIN, f"n {link.n}", "link hash does not match the link's contents"))
            bad += _covered(conn, link, marks)
            previous, marks, last = link.hash, link.marks, link
            hashes[link.hash] = link.n
            if len(bad) >= _LIMIT:
                return bad, {"chain head": previous, "chain links": count}
    except LinkUnreadable as damaged:  # the walk cannot go past it: what it covers is unchecked
        bad.append(BadRow(CHAIN, f"n {damaged.n}", "link unreadable (its text is damaged)"))
        return bad, {"chain head": previous, "chain links": count}
    if last is None:  # its links deleted: named first, not as the first row "added after the last commit"
        bad += _unchained(conn, "its links were deleted")
    bad += _uncovered(conn, marks)
    bad += _keyed(conn, last)
    bad += _head(conn, last, hashes, expect_head)
    return bad, {"chain head": last.hash if last else None, "chain links": count}


class ChainBroken(EngineError):
    """A journal to branch from, write to or export fails its hash chain (fields: path, table, key,
    problem: its first bad row, as `lanasim verify` names it; refused: what is not done). A branch
    copies the rows and a writer's next commit seals them under a new link, and an exported book or
    outbox imports into a new journal, so each would carry an edit, a cut tail or a dropped chain on
    under a chain that verifies."""

    def describe(self) -> str:
        return (f"{self.fields.get('path')}: fails its hash chain at {self.fields.get('table')} "
                f"{self.fields.get('key')}: {self.fields.get('problem')}; {self.fields.get('refused')} "
                "(lanasim verify lists what changed)")


_UNCHAINED = ("lanasim-journal/1", "lanasim-journal/2")  # formats that may predate the chain
_BEFORE_CHAIN = "no hash chain: the journal was written before tamper evidence"
_LEDGER_3 = "ledger_transactions"  # format 3's ledger table: a file holding it is no older journal


def require_intact(conn: sqlite3.Connection, path: str, refused: str = "a branch of it is refused") -> None:
    """`ChainBroken` unless every row of the journal is the one its chain recorded (`check_chain`);
    a journal of a format from before the chain that holds none has nothing to check. `refused`
    says what is not done (the error's last words)."""
    bad, _ = check_chain(conn)
    if not bad:
        return
    if bad[0].problem == _BEFORE_CHAIN:  # no chain table at all, in a format from before it
        return
    raise ChainBroken(path=path, table=bad[0].table, key=bad[0].key, problem=bad[0].problem, refused=refused)


@contextmanager
def intact_meanwhile(path: str, refused: str = "a branch of it is refused") -> Iterator[Callable[[], None]]:
    """`require_intact` of the journal at `path` on a thread of its own (its own read-only connection)
    while the body copies the journal: SQLite copies with the GIL released, so the check's Python and
    the copy share the two cores. The body calls the yielded `wait` before it makes its result
    visible (a fork, before it names the branch): `ChainBroken` then, and the body's cleanup leaves
    nothing. A body that fails waits for the check too, whose error comes first, as when it ran
    first; an interrupt (Ctrl-C) interrupts the check's reading rather than waiting for its end."""
    conn = connect_readonly(path)
    failed: list[BaseException] = []

    def check() -> None:
        try:
            require_intact(conn, path, refused)
        except BaseException as exc:  # raised in the caller's thread by `wait`
            failed.append(exc)

    thread = threading.Thread(target=check, name="chain check", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed[0]

    try:
        yield wait
        wait()
    except Exception:
        wait()
        raise
    except BaseException:
        conn.interrupt()
        raise
    finally:
        thread.join()
        conn.close()


def _predates_chain(conn: sqlite3.Connection) -> bool:
    """A journal of a format from before the chain (1, 2), holding no table of a later one: a
    format-4 file whose chain was dropped and whose format was set back is not one."""
    row = conn.execute("SELECT value FROM lanasim_meta WHERE key = 'format'").fetchone()
    later = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (_LEDGER_3,)).fetchone()
    return row is not None and loads(row[0]) in _UNCHAINED and later is None


def require_tail(conn: sqlite3.Connection, path: str) -> None:
    """`ChainBroken` unless the chain's last link is where a writer's next commit will extend it: the
    link's hash recomputes, run metadata records it as the head, the keyed tables (metadata, cursors,
    ephemeral events) are as it left them, and every append-only table ends at the row the link
    marks (nothing cut from a tail or added after the last commit). A reopened
    writer reads no more than that (`lanasim verify` checks every row): a journal whose rows were cut
    with its chain, or whose chain was deleted, would otherwise get a chain over what is left."""
    refused = "it is not written to"
    has_chain = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (CHAIN,)).fetchone()
    if not has_chain and _predates_chain(conn):
        return  # nothing to extend: the writer's first commit chains the file
    append, _ = tables(conn)
    try:
        last = last_link(conn) if has_chain else None
    except LinkUnreadable as damaged:
        raise ChainBroken(path=path, table=CHAIN, key=f"n {damaged.n}", refused=refused,
                          problem="link unreadable (its text is damaged)") from None
    if last is None:
        for bad_row in _unchained(conn, "its links were deleted" if has_chain else "its table was dropped"):
            raise ChainBroken(path=path, table=bad_row.table, key=bad_row.key, problem=bad_row.problem,
                              refused=refused)
        return
    row = conn.execute(f"SELECT hash FROM {CHAIN} WHERE n < ? ORDER BY n DESC LIMIT 1", (last.n,)).fetchone()
    previous = "" if row is None else row[0]
    bad = _head(conn, last, {}, None) + _keyed(conn, last)
    if link_hash(previous, last.n, last.marks, last.covers, last.state, last.locators) != last.hash:
        bad.insert(0, BadRow(CHAIN, f"n {last.n}", "link hash does not match the link's contents"))
    for table in append:
        top = conn.execute(f'SELECT MAX(rowid) FROM "{table}"').fetchone()[0] or 0
        marked = last.marks.get(table, 0)
        if top != marked:
            problem = ("not covered by the chain (added after the last commit)" if top > marked
                       else f"deleted (the last commit ends the table at rowid {marked})")
            bad.append(BadRow(table, row_key(conn, table, top if top > marked else top + 1), problem))
    if bad:
        raise ChainBroken(path=path, table=bad[0].table, key=bad[0].key, problem=bad[0].problem, refused=refused)


def _covered(conn: sqlite3.Connection, link: Link, marks: dict[str, Any]) -> list[BadRow]:
    """The rows each table range of `link` covers, compared row by row with the stored CRCs."""
    bad, offset = [], 0
    for table in sorted(link.covers):
        after, top, count, digest, *encoding = link.covers[table]  # no encoding: a link from before format 4
        stored = array("I", link.locators[offset:offset + 4 * count])
        if sys.byteorder == "little":
            stored.byteswap()
        offset += 4 * count
        if after != marks.get(table, 0) or link.marks.get(table) != top:
            bad.append(BadRow(CHAIN, f"n {link.n}", f"{table} range ({after}, {top}] does not follow the last link"))
            continue
        found = _first_bad(conn, table, after, top, stored, digest, link.n, encoding[0] if encoding else None)
        if found is not None:
            bad.append(found)
    return bad


def _first_bad(conn: sqlite3.Connection, table: str, after: int, top: int, stored: array[int], digest: str,
               n: int, encoding: str | None) -> BadRow | None:
    """The first row of the range that is not the one commit `n` sealed (None: every row is)."""
    if _sealed(conn, table, after, top, stored, digest, encoding):
        return None
    return _located(conn, table, after, top, stored, digest, n, encoding)


def _sealed(conn: sqlite3.Connection, table: str, after: int, top: int, stored: array[int], digest: str,
            encoding: str | None) -> bool:
    """Whether the range is the one the link sealed: its rows hash to the link's digest, which covers
    every byte of every row and its rowid (a CRC-32, forgeable, adds nothing to a digest that
    matches: the CRCs only name a bad row, so they are computed when the digest differs), and
    there are as many rows as CRCs stored. A link from before format 4 is compared CRC by CRC."""
    if encoding == ENCODING:
        found, count = read_digest(conn, table, after, top)
        return found == digest and count == len(stored)
    found, crcs = digest_range(conn, table, after, top, None, encoding)
    return found == digest and crcs == stored


def _located(conn: sqlite3.Connection, table: str, after: int, top: int, stored: array[int], digest: str,
             n: int, encoding: str | None) -> BadRow:
    """The range read again with its rowids, row by row against the CRCs, to name the first bad row."""
    rowids: list[int] = []
    _, crcs = digest_range(conn, table, after, top, rowids, encoding)
    contiguous = len(stored) == top - after
    for index, (rowid, crc) in enumerate(zip(rowids, crcs)):
        expected = after + 1 + index
        if contiguous and rowid > expected:
            return BadRow(table, row_key(conn, table, expected), f"deleted (written at commit {n})")
        if index >= len(stored):
            return BadRow(table, row_key(conn, table, rowid), f"not written at commit {n} (inserted later)")
        if crc != stored[index]:
            return BadRow(table, row_key(conn, table, rowid),
                          f"edited or reordered (differs from the row written at commit {n})")
    if len(rowids) < len(stored):
        missing = after + 1 + len(rowids) if contiguous else None
        key = row_key(conn, table, missing) if missing else f"rows after rowid {after}"
        return BadRow(table, key, f"deleted (written at commit {n})")
    return BadRow(table, f"rowid {after + 1}..{top}", f"edited (commit {n}'s digest differs; forged check values)")


def _uncovered(conn: sqlite3.Connection, marks: dict[str, Any]) -> list[BadRow]:
    append, _ = tables(conn)
    bad = [BadRow(table, "-", "table dropped") for table in sorted(set(marks) - set(append))]
    for table in append:
        row = conn.execute(f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1',
                           (marks.get(table, 0),)).fetchone()
        if row is not None:
            bad.append(BadRow(table, row_key(conn, table, row[0]),
                              "not covered by the chain (added after the last commit)"))
    return bad


def _unchained(conn: sqlite3.Connection, why: str) -> list[BadRow]:
    """A chain without links over rows (a journal's first commit writes one), saying `why` it has none."""
    append, _ = tables(conn)
    rows = [t for t in append if conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is not None]
    return [BadRow(CHAIN, "-", f"no hash chain over the rows of {', '.join(rows)} ({why})")] if rows else []


def _keyed(conn: sqlite3.Connection, last: Link | None) -> list[BadRow]:
    """The keyed tables (run metadata, ephemeral events, cursors) as the last commit left them."""
    if last is None:
        return []
    _, keyed = tables(conn)
    now, bad = keyed_state(conn, keyed), []
    for table in sorted(set(now) | set(last.state)):
        was, is_ = last.state.get(table, {}), now.get(table, {})
        info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        column = info[0][1] if info else "key"
        for key in sorted(set(was) | set(is_)):
            if key not in is_:
                bad.append(BadRow(table, f"{column} {key}", "deleted"))
            elif key not in was:
                bad.append(BadRow(table, f"{column} {key}", "not written by any commit"))
            elif was[key] != is_[key]:
                bad.append(BadRow(table, f"{column} {key}", "edited (differs from the last commit)"))
    return bad


def _head(conn: sqlite3.Connection, last: Link | None, hashes: dict[str, Any], expect_head: str | None) -> list[BadRow]:
    bad = []
    row = conn.execute("SELECT value FROM lanasim_meta WHERE key = ?", (HEAD_KEY,)).fetchone()
    recorded = None if row is None else loads(row[0])
    if last is not None and recorded != last.hash:
        bad.append(BadRow("lanasim_meta", f"key {HEAD_KEY}", f"is {recorded}, the chain ends at {last.hash}"))
    if expect_head is not None and expect_head not in hashes:
        where = f"n {last.n} ({last.hash})" if last else "no link"
        bad.append(BadRow(CHAIN, "head", f"expected head {expect_head} is not in the chain: truncated or rewritten "
                                         f"(the chain ends at {where})"))
    return bad

"""Opening a journal file: refuse a foreign or newer file before touching it, then take the write
lock for the whole run (writers) and create the schema of an empty file."""

from __future__ import annotations

import os
import sqlite3
import weakref
from pathlib import Path

from domains.validators import is_nameable
from engine.kernel.chain_check import ChainBroken, require_tail
from engine.kernel.codec import loads
from engine.kernel.errors import (
    EngineError,
    InvalidArgument,
    JournalLocked,
    JournalUnreadable,
    NotALanasimJournal,
    UnsupportedJournalFormat,
)
from engine.kernel.readonly import connect_readonly
from engine.kernel.schema import FORMAT, READABLE, create_schema, restore_entity_names, table_names

__all__ = ["SIDE_FILES", "check_or_create", "connect", "hold", "journal_path", "refusal", "release", "remove_journal"]

SIDE_FILES = ("-wal", "-shm", "-journal")  # what SQLite keeps beside a journal file

_HOLDERS: dict[str, weakref.ref[object]] = {}  # a journal file's real path -> the writer holding it in this process


def hold(path: str, holder: object) -> None:
    """Note that `holder` (a writer's `Journal`) of this process holds the file `path`."""
    if path != ":memory:":
        _HOLDERS[os.path.realpath(path)] = weakref.ref(holder)


def release(path: str, holder: object) -> None:
    if path != ":memory:" and _held_by(path) is holder:
        del _HOLDERS[os.path.realpath(path)]


def _held_by(path: str) -> object | None:
    ref = _HOLDERS.get(os.path.realpath(path))
    return None if ref is None else ref()


def journal_path(path: object) -> str:
    """`path` as text: a str or a path object (`:memory:`: in memory); anything else is
    `InvalidArgument` (`journal=None` wrote a journal to a file named `None`)."""
    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes):
        raise InvalidArgument(argument="journal", value=path, problem="a file path (str or Path) or ':memory:'")
    text = str(path)
    if not is_nameable(text):  # SQLite's bare ValueError / UnicodeEncodeError
        raise InvalidArgument(argument="journal", value=path,
                              problem="a file path holds no NUL character and is valid Unicode (no lone surrogate)")
    return text


def remove_journal(path: str | Path) -> None:
    """Remove a journal file lanasim made and SQLite's side files beside it (none need exist)."""
    for suffix in ("", *SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def connect(path: str, readonly: bool) -> sqlite3.Connection:
    """A connection to `path` (`:memory:` or a file); a reader never changes a byte of the file. A
    writer's path that is a directory, or in none, is `InvalidArgument` (SQLite's bare
    `OperationalError: unable to open database file` before)."""
    if path != ":memory:" and not Path(path).exists() and readonly:
        raise NotALanasimJournal(path=path, problem="no such file")
    if readonly and path != ":memory:":
        return connect_readonly(path)  # never checkpoints or rewrites the file
    if path != ":memory:":
        _check_writable(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=0.2)
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


def _check_writable(path: str) -> None:
    if Path(path).is_dir():
        raise InvalidArgument(argument="journal", value=path, problem="a directory: name a journal file in it")
    if not Path(path).parent.is_dir():
        raise InvalidArgument(argument="journal", value=path, problem=f"no such directory {Path(path).parent}")


def check_or_create(conn: sqlite3.Connection, path: str, readonly: bool) -> None:
    """Refuse foreign files before touching them; then lock (writers) and create the schema; a
    writer of a journal whose chain's tail does not match its rows is refused (`ChainBroken`)."""
    try:
        tables = set(table_names(conn))
        if tables:
            _check_format(conn, path, tables)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise refusal(path, exc) from None
    except UnicodeDecodeError:  # a damaged byte in the schema's or the format's text: a traceback
        conn.close()
        raise NotALanasimJournal(path=path, problem="its schema holds text that is not UTF-8 (a damaged file)") \
            from None
    if not readonly:
        _take_write_lock(conn, path)
    if not tables:
        if readonly:
            raise NotALanasimJournal(path=path, problem="empty file")
        create_schema(conn)
    elif not readonly and "entities" in tables:
        restore_entity_names(conn)
    if tables and not readonly:
        _check_tail(conn, path)


def _check_tail(conn: sqlite3.Connection, path: str) -> None:
    """A writer extends the chain where its last link ends: refuse a file whose tail was cut or
    added to, or whose chain is gone, before a commit seals what is left (`require_tail`)."""
    try:
        require_tail(conn, path)
    except ChainBroken:
        conn.close()
        raise


def _check_format(conn: sqlite3.Connection, path: str, tables: set[str]) -> None:
    row = None
    if "lanasim_meta" in tables:
        row = conn.execute("SELECT value FROM lanasim_meta WHERE key = 'format'").fetchone()
    found = None if row is None else loads(row[0])
    if isinstance(found, str) and found.startswith("lanasim-journal/") and found not in READABLE:
        conn.close()
        raise UnsupportedJournalFormat(path=path, format=found, supported=(FORMAT,),
                                       problem="written by another lanasim version")
    if found not in READABLE:
        conn.close()
        problem = "no lanasim_meta table" if "lanasim_meta" not in tables else f"format is {row and row[0]}"
        raise NotALanasimJournal(path=path, problem=f"{problem}, expected {FORMAT}")


def _take_write_lock(conn: sqlite3.Connection, path: str) -> None:
    """WAL, relaxed sync, a 32 MB page cache (the OS caches the file too: 256 MB doubled a
    1,000-facility year's RSS for no CPU), rare checkpoints; hold the write lock for the whole run."""
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -32768")
        conn.execute("PRAGMA wal_autocheckpoint = 20000")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        conn.close()
        raise refusal(path, exc) from None


# SQLite's error names that say nothing of the file: a full disk, a failing one, a read-only file system
_OF_THE_DISK = ("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_NOMEM", "SQLITE_CANTOPEN", "SQLITE_READONLY")


def refusal(path: str, exc: sqlite3.Error) -> EngineError:
    """The typed error of a journal file SQLite refused: `JournalLocked` (a writer holds it),
    `JournalUnreadable` (the disk failed, is full or read-only: the file may be a sound journal, so it
    is not called foreign) or `NotALanasimJournal` (not a database, malformed)."""
    if "locked" in str(exc):
        return _locked(path)
    if (getattr(exc, "sqlite_errorname", None) or "").startswith(_OF_THE_DISK):
        return JournalUnreadable(path=path, problem=str(exc))
    return NotALanasimJournal(path=path, problem=str(exc))


def _locked(path: str) -> JournalLocked:
    """`JournalLocked`; `here` when a writer of this very process holds the file (a notebook's
    earlier `Simulation` on it, never closed), which "another lanasim process" misnamed."""
    if _held_by(path) is not None:
        return JournalLocked(path=path, here=True)
    return JournalLocked(path=path)

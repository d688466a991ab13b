"""Open a journal file for reading without changing a byte of it (no checkpoint, no rewrite)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["connect_readonly"]


def connect_readonly(path: str) -> sqlite3.Connection:
    """A read-only connection: `immutable` when no write-ahead log holds committed pages (nothing
    is locked or created next to the file), plain `mode=ro` otherwise (the log is read, never
    checkpointed into the file; a running writer's lock is honoured)."""
    wal = Path(f"{path}-wal")
    immutable = not wal.exists() or wal.stat().st_size == 0
    uri = Path(path).resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=0.2)
    conn.execute("PRAGMA query_only = ON")
    return conn

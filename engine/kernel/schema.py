"""The journal's tables, as plain SQL (sqlite-utils, which wrote them first, imports pandas and numpy:
about 100 MB and 0.4 s a process); the format marker identifies our files."""

from __future__ import annotations

import sqlite3

from engine.kernel.codec import dumps

__all__ = ["AUDIT_TABLE", "ENTITY_NAMES", "EVENTS_INSERT", "FORMAT", "OUTBOX_INSERT", "READABLE", "create_schema",
           "restore_entity_names", "table_names"]

AUDIT_TABLE = ("CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, recorded_at TEXT, subject TEXT, "
               "object TEXT, action TEXT, authorized INTEGER, command TEXT)")
FORMAT = "lanasim-journal/4"  # 4: chained rows encoded by orjson as written; 3: one ledger row per transaction
# Format 1 and 2 journals without a ledger in an older layout (one row per entry) are read unchanged, and
# so are format 3 journals (their chain links say how their rows were encoded). A writer's first link
# marks the file with this format.
READABLE = ("lanasim-journal/1", "lanasim-journal/2", "lanasim-journal/3", FORMAT)

EVENTS_INSERT = (
    "INSERT INTO events (seq, entity, entity_seq, type, version, payload, recorded_at, context) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
OUTBOX_INSERT = (
    "INSERT INTO outbox (sequence, id, event_type, payload, recorded_at, trace_id, seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


# the UNIQUE (kind, id) index of entity names: (name, the statement every journal was made with)
ENTITY_NAMES = ("idx_entities_kind_id", 'CREATE UNIQUE INDEX "idx_entities_kind_id"\n    ON "entities" ("kind", "id")')

_TABLES = (  # the statements sqlite-utils generated for these tables, kept verbatim: files stay identical
    'CREATE TABLE "lanasim_meta" (\n   "key" TEXT PRIMARY KEY,\n   "value" TEXT\n)',
    'CREATE TABLE "entities" (\n   "entity" INTEGER PRIMARY KEY,\n   "kind" TEXT NOT NULL,\n   "id" TEXT NOT NULL\n)',
    ENTITY_NAMES[1],
    'CREATE TABLE "events" (\n   "seq" INTEGER PRIMARY KEY,\n   "entity" INTEGER NOT NULL,\n'
    '   "entity_seq" INTEGER NOT NULL,\n   "type" TEXT NOT NULL,\n   "version" INTEGER NOT NULL,\n'
    '   "payload" TEXT NOT NULL,\n   "recorded_at" TEXT NOT NULL,\n   "context" TEXT\n)',
    'CREATE UNIQUE INDEX "events_stream"\n    ON "events" ("entity", "entity_seq")',
    'CREATE TABLE "outbox" (\n   "sequence" INTEGER PRIMARY KEY,\n   "id" TEXT,\n   "event_type" TEXT,\n'
    '   "payload" TEXT,\n   "recorded_at" TEXT,\n   "trace_id" TEXT,\n   "seq" INTEGER\n)',
    'CREATE INDEX "idx_outbox_event_type_sequence"\n    ON "outbox" ("event_type", "sequence")',
    'CREATE TABLE "ephemeral" (\n   "event_type" TEXT PRIMARY KEY,\n   "payload" TEXT,\n   "recorded_at" TEXT,\n'
    '   "trace_id" TEXT\n)',
    'CREATE TABLE "snapshots" (\n   "entity" INTEGER,\n   "entity_seq" INTEGER,\n   "seq" INTEGER,\n'
    '   "recorded_at" TEXT,\n   "state" TEXT,\n   PRIMARY KEY ("entity", "entity_seq")\n)',
    'CREATE TABLE "failures" (\n   "id" INTEGER PRIMARY KEY,\n   "recorded_at" TEXT,\n   "kind" TEXT,\n'
    '   "entity_id" TEXT,\n   "command" TEXT,\n   "error" TEXT,\n   "context" TEXT\n)',
    'CREATE TABLE "cursors" (\n   "consumer" TEXT PRIMARY KEY,\n   "sequence" INTEGER\n)',
    AUDIT_TABLE,  # with the journal, so a rolled-back group cannot take it away
)


def create_schema(conn: sqlite3.Connection) -> None:
    """Create every table of an empty journal in one transaction."""
    with conn:
        for statement in _TABLES:
            conn.execute(statement)
        conn.execute("INSERT INTO lanasim_meta (key, value) VALUES (?, ?)", ("format", dumps(FORMAT)))


def restore_entity_names(conn: sqlite3.Connection) -> None:
    """Build the index of entity names if the file has none: a writer may drop it while it imports a
    book (`Journal.defer_index`) and be killed before building it again."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (ENTITY_NAMES[0],))
    if found.fetchone() is None:
        conn.execute(ENTITY_NAMES[1])


def table_names(conn: sqlite3.Connection, kind: str = "table") -> list[str]:
    """The names of the file's tables (or views, `kind="view"`), in the order SQLite lists them."""
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))]

"""The journal's tables, created through sqlite-utils; the format marker identifies our files."""

from __future__ import annotations

import sqlite_utils

from engine.kernel.codec import dumps

__all__ = ["AUDIT_TABLE", "EVENTS_INSERT", "FORMAT", "OUTBOX_INSERT", "READABLE", "create_schema"]

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


def create_schema(db: sqlite_utils.Database) -> None:
    """Create every table of an empty journal in one transaction."""
    with db.conn:
        db.table("lanasim_meta").create({"key": str, "value": str}, pk="key")
        db.table("entities").create({"entity": int, "kind": str, "id": str}, pk="entity", not_null={"kind", "id"})
        db.table("entities").create_index(["kind", "id"], unique=True)
        db.table("events").create(
            {"seq": int, "entity": int, "entity_seq": int, "type": str, "version": int,
             "payload": str, "recorded_at": str, "context": str},
            pk="seq", not_null={"entity", "entity_seq", "type", "version", "payload", "recorded_at"},
        )
        db.table("events").create_index(["entity", "entity_seq"], index_name="events_stream", unique=True)
        db.table("outbox").create(
            {"sequence": int, "id": str, "event_type": str, "payload": str, "recorded_at": str,
             "trace_id": str, "seq": int},
            pk="sequence",
        )
        db.table("outbox").create_index(["event_type", "sequence"])
        db.table("ephemeral").create(
            {"event_type": str, "payload": str, "recorded_at": str, "trace_id": str}, pk="event_type")
        db.table("snapshots").create(
            {"entity": int, "entity_seq": int, "seq": int, "recorded_at": str, "state": str},
            pk=("entity", "entity_seq"))
        db.table("failures").create(
            {"id": int, "recorded_at": str, "kind": str, "entity_id": str, "command": str,
             "error": str, "context": str}, pk="id")
        db.table("cursors").create({"consumer": str, "sequence": int}, pk="consumer")
        db.conn.execute(AUDIT_TABLE)  # with the journal, so a rolled-back group cannot take it away
        db.table("lanasim_meta").insert({"key": "format", "value": dumps(FORMAT)})

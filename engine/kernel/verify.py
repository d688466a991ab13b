"""`lanasim verify`: check a journal opened read-only — SQLite's integrity check, the hash chain
over every journaled row, and the derived tables recomputed from the events."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from engine.kernel.chain import BadRow
from engine.kernel.chain_check import check_chain
from engine.kernel.refold import refold
from engine.kernel.schema import table_names

if TYPE_CHECKING:
    from engine.kernel.entity import EntityKind
    from engine.kernel.journal import Journal

__all__ = ["undecodable_row", "verify_journal"]


def verify_journal(journal: Journal, kinds: Mapping[str, EntityKind], *, expect_head: str | None = None,
                   books: Sequence[Any] = ()) -> dict[str, object]:
    """The report: `ok`, `first bad row` ({table, key, problem} or None), `problems` (up to 10,
    integrity first, then the chain in commit order, then the derived tables), `chain head`."""
    conn = journal.conn
    bad: list[BadRow] = []
    counts: dict[str, int] = {"events": 0, "entities folded": 0}
    info: dict[str, Any] = {"chain head": None, "chain links": 0}
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check(10)")]
        bad += [BadRow("sqlite", "integrity_check", m) for m in integrity if m != "ok"]
        chain_bad, info = check_chain(conn, expect_head)
        bad += chain_bad
        derived, counts = refold(journal, kinds, books)
        bad += derived
        ledger = _ledger_imbalances(journal)
    except sqlite3.DatabaseError as exc:  # a damaged file stops the walk where it is unreadable
        bad.append(undecodable_row(conn) or BadRow("sqlite", "-", str(exc)))
        ledger = {}
    stored = journal.meta().get("digest") if not bad else None
    digest = journal.digest() if not bad else None
    if stored is not None and stored != digest:
        bad.append(BadRow("lanasim_meta", "key digest", f"is {stored}, the events hash to {digest}"))
    bad += [BadRow("ledger_transactions", key, f"debits - credits = {net}") for key, net in ledger.items()]
    first = bad[0] if bad else None
    return {
        "ok": not bad,
        "first bad row": None if first is None else {"table": first.table, "key": first.key, "problem": first.problem},
        "chain head": info["chain head"], "chain links": info["chain links"],
        "expected head found": None if expect_head is None else not any(b.key == "head" for b in bad),
        "events": counts["events"], "entities folded": counts["entities folded"], "digest": digest,
        "ledger debits == credits (per currency and layer)": not ledger,
        "problems": [str(b) for b in bad[:10]],
    }


def undecodable_row(conn: sqlite3.Connection) -> BadRow | None:
    """The first row holding text that is not UTF-8 (a byte flipped on the disk, in a payload), by
    table and key: SQLite's `Could not decode to UTF-8 column 'payload' with text ...` named neither
    (`sqlite -`). None when there is no such row, or the file cannot be read that far."""
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in names:
            found = _undecodable_in(conn, table)
            if found is not None:
                return found
    except sqlite3.DatabaseError:
        return None
    return None


def _undecodable_in(conn: sqlite3.Connection, table: str) -> BadRow | None:
    info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    texts = ", ".join(f"""CASE WHEN typeof("{c[1]}") = 'text' THEN CAST("{c[1]}" AS BLOB) END""" for c in info)
    pk = [c for c in info if c[5]]
    key = pk[0][1] if len(pk) == 1 and str(pk[0][2]).upper() == "INTEGER" else "rowid"
    for rowid, *values in conn.execute(f'SELECT rowid, {texts} FROM "{table}" ORDER BY rowid'):
        for column, value in zip(info, values):
            try:
                value is None or value.decode()
            except UnicodeDecodeError:
                problem = f"column {column[1]} holds text that is not UTF-8 (a damaged byte)"
                return BadRow(table, f"{key} {rowid}", problem)
    return None


def _ledger_imbalances(journal: Journal) -> dict[str, int]:
    """Debits minus credits per currency/layer where they differ (empty: balanced or no ledger)."""
    if "ledger_entries" not in table_names(journal.conn) + table_names(journal.conn, "view"):
        return {}
    rows = journal.conn.execute(
        "SELECT currency, layer, SUM(CASE side WHEN 'debit' THEN amount ELSE -amount END) FROM ledger_entries "
        "GROUP BY currency, layer").fetchall()
    return {f"{currency}/{layer}": net for currency, layer, net in rows if net}

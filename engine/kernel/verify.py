"""`lanasim verify`: replay a journal and check what must always hold."""

from __future__ import annotations

from engine.kernel.errors import EngineError

__all__ = ["verify_journal"]


def verify_journal(journal, kinds: dict) -> dict:
    """Gap-free seq and outbox sequence, contiguous entity sequences, every entity folds, digest."""
    seqs = [r[0] for r in journal.conn.execute("SELECT seq FROM events ORDER BY seq")]
    outbox = [r[0] for r in journal.conn.execute("SELECT sequence FROM outbox ORDER BY sequence")]
    broken = journal.conn.execute(
        "SELECT COUNT(*) FROM (SELECT entity, COUNT(*) n, MAX(entity_seq) m, MIN(entity_seq) f FROM events "
        "GROUP BY entity) WHERE n != m OR f != 1").fetchone()[0]
    problems, folded = [], 0
    for kind, entity_id in journal.conn.execute("SELECT kind, id FROM entities ORDER BY entity").fetchall():
        host = kinds.get(kind)
        if host is None:
            problems.append(f"unknown kind {kind!r}")
            continue
        try:
            host.load(entity_id)
            folded += 1
        except EngineError as exc:
            problems.append(f"{kind} {entity_id}: {exc}")
    ledger = _ledger_imbalances(journal)
    stored = journal.meta().get("digest")
    digest = journal.digest()
    report = {
        "events": len(seqs), "seq gap-free": seqs == list(range(1, len(seqs) + 1)),
        "outbox events": len(outbox), "outbox gap-free": outbox == list(range(1, len(outbox) + 1)),
        "entities with broken sequences": broken, "entities folded": folded, "problems": problems[:10],
        "digest": digest, "digest matches run metadata": stored is None or stored == digest,
        "ledger debits == credits (per currency and layer)": not ledger, "ledger imbalances": ledger,
    }
    report["ok"] = (report["seq gap-free"] and report["outbox gap-free"] and not broken and not problems
                    and report["digest matches run metadata"] and not ledger)
    return report


def _ledger_imbalances(journal) -> dict[str, int]:
    """Debits minus credits per currency/layer where they differ (empty: balanced or no ledger)."""
    if "ledger_entries" not in journal.db.table_names() + journal.db.view_names():
        return {}
    rows = journal.conn.execute(
        "SELECT currency, layer, SUM(CASE side WHEN 'debit' THEN amount ELSE -amount END) FROM ledger_entries "
        "GROUP BY currency, layer").fetchall()
    return {f"{currency}/{layer}": net for currency, layer, net in rows if net}

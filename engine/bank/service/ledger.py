"""Ledger exports: one account's entries written to CSV, recorded as a `LedgerAccountCsvExport`.

Reads are the book's own (`sim.ledger.balance`, `trial_balance`, ...); postings ride on entity
events (`Aggregate.post`), never made here."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from domains.accounting import RecordCsvExport
from engine.kernel.authz import SYSTEM
from engine.kernel.port import Kernel

__all__ = ["LedgerExport"]


class LedgerExport:
    """What `sim.ledger.export_csv` runs (Lana's ledger account CSV export)."""

    def __init__(self, kernel: Kernel, book) -> None:
        self.kernel, self.book = kernel, book

    def export_csv(self, account: str, *, out_dir: str | None = None, subject: str = SYSTEM) -> str:
        """Write one ledger account's entries (as of now) to CSV and publish the ephemeral
        `LedgerAccountCsvExportUploaded`; returns the export id."""
        rows = self.book.entries(account)
        export_id = self.kernel.ids.entity()
        folder = Path(out_dir or tempfile.mkdtemp(prefix="lanasim-export-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{account.replace(':', '-')}-{export_id[:8]}.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["tx_id", "template", "currency", "layer", "side", "amount", "effective", "recorded_at"])
            writer.writerows(rows)
        self.kernel.execute("ledger-account-csv-export", export_id,
                            RecordCsvExport(export_id, account, path.name, len(rows), self.kernel.clock.now),
                            subject=subject)
        return export_id

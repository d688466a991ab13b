"""Ledger exports: one account's entries written to CSV, recorded as a `LedgerAccountCsvExport`.

Reads are the book's own (`sim.ledger.balance`, `trial_balance`, ...); postings ride on entity
events (`Aggregate.post`), never made here."""

from __future__ import annotations

import csv

from domains.accounting import RecordCsvExport
from engine.bank.ledger import Ledger
from engine.bank.service.files import OutputFolder
from engine.kernel.authz import SYSTEM
from engine.kernel.port import Kernel

__all__ = ["LedgerExport"]


class LedgerExport:
    """What `sim.ledger.export_csv` runs (Lana's ledger account CSV export)."""

    def __init__(self, kernel: Kernel, book: Ledger) -> None:
        self.kernel, self.book = kernel, book
        self._folder = OutputFolder(kernel.journal.path, "exports")

    def export_csv(self, account: str, *, out_dir: str | None = None, subject: str = SYSTEM) -> str:
        """Write one ledger account's entries (as of now) to CSV and publish the ephemeral
        `LedgerAccountCsvExportUploaded`; returns the export id. The file goes to `out_dir`, else
        `exports/` beside the journal file, else (`:memory:`) a scratch directory removed when the
        simulation closes."""
        folder = self._folder.path(out_dir or None)  # a file named as the folder: refused before an id is drawn
        rows = self.book.entries(account)
        export_id = self.kernel.ids.entity()
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

    def close(self) -> None:
        """Remove the scratch directory `export_csv` made (never a directory given)."""
        self._folder.close()

"""`sim.ledger`: read the bank's double-entry book — balances now or as of a sim time, trial balances.

Postings are never made here: they ride on entity events (`Aggregate.post`)."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from domains.accounting import TrialBalanceLine

__all__ = ["LedgerService"]


class LedgerService:
    """Lana's ledger reads (Cala balances, the trial balance report) over `sim.ledger_book`."""

    def __init__(self, sim) -> None:
        self.sim = sim

    def balance(self, account: str, currency: str = "USD", layer: str = "settled", as_of=None) -> int:
        """Normal-side balance of a ledger account id (`deposit:<id>`, `facility:<id>`, ...)."""
        return self.sim.ledger_book.balance(account, currency, layer, as_of=as_of)

    def debits_credits(self, account: str, currency: str = "USD", layer: str = "settled",
                       as_of=None) -> tuple[int, int]:
        """Total debits and credits posted to the account."""
        return self.sim.ledger_book.debits_credits(account, currency, layer, as_of=as_of)

    def trial_balance(self, as_of=None) -> tuple[TrialBalanceLine, ...]:
        """One line per account, currency and layer: debit, credit, balance, chart code."""
        return self.sim.ledger_book.trial_balance(as_of)

    def export_csv(self, account: str, *, out_dir: str | None = None, subject: str = "system") -> str:
        """Write one ledger account's entries (as of now) to CSV and publish the ephemeral
        `LedgerAccountCsvExportUploaded`; returns the export id."""
        from domains.accounting import RecordCsvExport

        rows = self._entries(account)
        export_id = self.sim.ids.entity()
        folder = Path(out_dir or tempfile.mkdtemp(prefix="lanasim-export-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{account.replace(':', '-')}-{export_id[:8]}.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["tx_id", "template", "currency", "layer", "side", "amount", "effective", "recorded_at"])
            writer.writerows(rows)
        self.sim.call("ledger-account-csv-export", export_id,
                      RecordCsvExport(export_id, account, path.name, len(rows), self.sim.now), subject=subject)
        return export_id

    def _entries(self, account: str) -> list[tuple]:
        self.sim.ledger_book.balance(account)  # an unknown account is refused before anything is written
        self.sim.journal.sync()
        return self.sim.journal.conn.execute(
            "SELECT tx_id, template, currency, layer, side, amount, effective, recorded_at FROM ledger_entries "
            "WHERE account = ? ORDER BY id", (account,)).fetchall()

    def is_balanced(self, as_of=None) -> bool:
        """Debits equal credits for every currency and layer (the ledger's invariant)."""
        return self.sim.ledger_book.is_balanced(as_of)

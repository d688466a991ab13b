"""`sim.ledger`: read the bank's double-entry book — balances now or as of a sim time, trial balances.

Postings are never made here: they ride on entity events (`Aggregate.post`)."""

from __future__ import annotations

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

    def is_balanced(self, as_of=None) -> bool:
        """Debits equal credits for every currency and layer (the ledger's invariant)."""
        return self.sim.ledger_book.is_balanced(as_of)

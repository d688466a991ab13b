"""The loan-provisions report's reads: every facility not closed at the end of the day, its
obligations, posted receivables, collateral and the BTC price then, from the journal and ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from domains.accounting import chart
from domains.price import BTC_USD
from domains.report.provisions import COLUMNS, Loan, provision_rows

__all__ = ["loan_provisions"]

_RECEIVABLES = tuple((t, b) for t in ("disbursal", "interest") for b in ("not-yet-due", "due", "overdue", "defaulted"))


def loan_provisions(source: Any, at: datetime,
                    unavailable: Callable[[str], Exception]) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    """(columns, rows) as of `at` (the end of the report's day); `unavailable(missing)` is the error
    raised when the ledger or a price is missing."""
    ledger = getattr(source, "ledger", None)
    if ledger is None:
        raise unavailable("ledger")
    price = source.load("price", BTC_USD, as_of=at) if source.journal.exists("price", BTC_USD) else None
    if price is None:
        raise unavailable("price")
    balances = {x.account: x.balance for x in ledger.trial_balance(as_of=at)
                if x.currency.value == "USD" and x.layer.value == "settled"}
    unpaid = _unpaid_by_facility(source, at)
    loans = []
    for facility_id in source.journal.entity_ids("credit-facility"):
        f = source.load("credit-facility", facility_id, as_of=at)
        if f is None or f.status.value == "closed":
            continue
        balance = sum(balances.get(chart.receivable(f.id, t, b), 0) for t, b in _RECEIVABLES)
        collateral = source.load("collateral", f.collateral_id, as_of=at)
        loans.append(Loan(f.id, f.customer_id, f.status.value, tuple(unpaid[f.id]), balance,
                          int(collateral.amount) if collateral else 0))
    return COLUMNS, provision_rows(loans, at.date(), price.price)


def _unpaid_by_facility(source: Any, at: datetime) -> dict[str, list[tuple[date, int]]]:
    found: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for obligation_id in source.journal.entity_ids("obligation"):
        o = source.load("obligation", obligation_id, as_of=at)
        if o is not None and o.outstanding > 0:
            found[o.beneficiary_id].append((o.due_date, o.outstanding))
    return found

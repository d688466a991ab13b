"""Ledger totals by effective date (the day an entry counts for), read from the `ledger_entries` view:
what fiscal closes and the balance sheet and profit-and-loss reports add up."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domains.accounting import Currency, Layer, normal_balance, normal_side
from domains.accounting.balances import BalanceKey
from domains.accounting.fiscal_close import CLOSE_FISCAL_YEAR

if TYPE_CHECKING:
    from engine.bank.ledger import Ledger

__all__ = ["effective_book", "effective_totals", "normal_balances"]

_SQL = ("SELECT account, SUM(CASE side WHEN 'debit' THEN amount ELSE 0 END), "
        "SUM(CASE side WHEN 'credit' THEN amount ELSE 0 END) FROM ledger_entries "
        "WHERE currency = 'USD' AND layer = 'settled' AND substr(effective, 1, 10) <= ?{since}{closing} "
        "GROUP BY account ORDER BY account")


def effective_totals(ledger: Ledger, until: date, since: date | None = None, *,
                     closing: bool = True) -> dict[str, tuple[int, int]]:
    """(debits, credits) per account of the USD settled book, over entries effective on or before
    `until` (and on or after `since`); `closing=False` leaves fiscal closing transactions out."""
    sql = _SQL.format(since="" if since is None else " AND substr(effective, 1, 10) >= ?",
                      closing="" if closing else " AND template != ?")
    params: list[object] = [until.isoformat()]
    if since is not None:
        params.append(since.isoformat())
    if not closing:
        params.append(CLOSE_FISCAL_YEAR)
    journal = ledger.journal
    with journal.lock:
        journal.sync()
        rows = journal.conn.execute(sql, params).fetchall()
    return {account: (debits, credits) for account, debits, credits in rows}


_BOOK_SQL = ("SELECT account, currency, layer, SUM(CASE side WHEN 'debit' THEN amount ELSE 0 END), "
             "SUM(CASE side WHEN 'credit' THEN amount ELSE 0 END) FROM ledger_entries "
             "WHERE substr(effective, 1, 10) <= ? GROUP BY account, currency, layer ORDER BY account, currency, layer")


def effective_book(ledger: Ledger, until: date) -> dict[BalanceKey, tuple[int, int]]:
    """(debits, credits) per (account, currency, layer) over every entry effective on or before
    `until`: the trial balance's figures (Lana reads its trial balance by effective date)."""
    journal = ledger.journal
    with journal.lock:
        journal.sync()
        rows = journal.conn.execute(_BOOK_SQL, (until.isoformat(),)).fetchall()
    return {(account, Currency(currency), Layer(layer)): (debits, credits)
            for account, currency, layer, debits, credits in rows}


def normal_balances(totals: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Each account's normal-side balance."""
    return {account: normal_balance(d, c, normal_side(account)) for account, (d, c) in totals.items()}

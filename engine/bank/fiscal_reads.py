"""Ledger totals by effective date (the day an entry counts for), read from the `ledger_entries` view:
what fiscal closes, the balance sheet, profit-and-loss and trial balance reports add up."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domains.accounting import Currency, Layer, normal_balance, normal_side
from domains.accounting.balances import BalanceKey
from domains.accounting.fiscal_close import CLOSE_FISCAL_YEAR

if TYPE_CHECKING:
    from engine.bank.ledger import Ledger
    from engine.kernel.journal import Journal

__all__ = ["effective_period", "effective_totals", "normal_balances"]

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


_PERIOD_SQL = ("SELECT account, currency, layer, "
               "SUM(CASE WHEN side = 'debit' AND substr(effective, 1, 10) < ? THEN amount ELSE 0 END), "
               "SUM(CASE WHEN side = 'credit' AND substr(effective, 1, 10) < ? THEN amount ELSE 0 END), "
               "SUM(CASE side WHEN 'debit' THEN amount ELSE 0 END), "
               "SUM(CASE side WHEN 'credit' THEN amount ELSE 0 END) "
               "FROM ledger_entries WHERE substr(effective, 1, 10) <= ? "
               "GROUP BY account, currency, layer ORDER BY account, currency, layer")

Book = dict[BalanceKey, tuple[int, int]]


def effective_period(journal: Journal, from_: date, until: date) -> tuple[Book, Book]:
    """(debits, credits) per (account, currency, layer) over the entries effective before `from_`
    (the opening) and over those effective on or before `until` (the closing), in one read of the
    journal's ledger: the range trial balance's figures."""
    start = from_.isoformat()
    with journal.lock:
        journal.sync()
        rows = journal.conn.execute(_PERIOD_SQL, (start, start, until.isoformat())).fetchall()
    opening: Book = {}
    closing: Book = {}
    for account, currency, layer, debits_before, credits_before, debits, credits in rows:
        key = (account, Currency(currency), Layer(layer))
        if debits_before or credits_before:
            opening[key] = (debits_before, credits_before)
        closing[key] = (debits, credits)
    return opening, closing


def normal_balances(totals: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Each account's normal-side balance."""
    return {account: normal_balance(d, c, normal_side(account)) for account, (d, c) in totals.items()}

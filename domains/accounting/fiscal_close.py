"""Closing the books: which accounts are profit and loss, the year's closing transaction into
retained earnings or losses, and the refusal of postings dated in a closed period.

Sections follow the first digit of the chart code (Lana `bats/accounting-init/accounting-base-config.json`:
1 assets, 2 liabilities, 3 equity, 4 revenue, 5 cost of revenue, 6 expenses; retained earnings
gain 32.01, loss 32.02); other codes (81.x) are off the balance sheet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import attrs

from domains.accounting.chart import RETAINED_EARNINGS, RETAINED_LOSSES, chart_code
from domains.accounting.errors import AccountingError
from domains.accounting.primitives import Entry, LedgerTransaction, Side

__all__ = [
    "CLOSE_FISCAL_YEAR", "ClosingBalance", "PROFIT_AND_LOSS", "PeriodClosed", "SECTIONS", "check_period_open",
    "closing_transaction", "section_of",
]

CLOSE_FISCAL_YEAR = "CLOSE_FISCAL_YEAR"  # the closing transaction: the one posting a closed period accepts
SECTIONS = {"1": "assets", "2": "liabilities", "3": "equity", "4": "revenue", "5": "cost_of_revenue",
            "6": "expenses"}
PROFIT_AND_LOSS = ("revenue", "cost_of_revenue", "expenses")


class PeriodClosed(AccountingError):
    """A posting is dated on or before the last closed day (fields: tx_id, template, effective,
    closed_as_of). Lana's control on every month and year close refuses it the same way, closing
    transactions excepted (`core/accounting/src/chart_of_accounts/ledger/closing_metadata.rs`)."""


@attrs.frozen
class ClosingBalance:
    """A profit-and-loss account's normal-side balance (cents) over the year being closed."""

    account: str
    balance: int


def section_of(account: str) -> str:
    """assets, liabilities, equity, revenue, cost_of_revenue, expenses or off_balance."""
    return SECTIONS.get(chart_code(account)[:1], "off_balance")


def check_period_open(txs: Iterable[LedgerTransaction], closed_as_of: date) -> None:
    """Refuse the first transaction dated on or before `closed_as_of` (closing transactions excepted)."""
    for tx in txs:
        effective = tx.effective.date() if isinstance(tx.effective, datetime) else tx.effective
        if effective <= closed_as_of and tx.template != CLOSE_FISCAL_YEAR:
            raise PeriodClosed(tx_id=tx.tx_id, template=tx.template, effective=effective, closed_as_of=closed_as_of)


def closing_transaction(tx_id: str, balances: Iterable[ClosingBalance], effective: date) -> LedgerTransaction | None:
    """Bring every revenue and expense account to zero against retained earnings (a net gain, credit)
    or retained losses (a net loss, debit); None when there is nothing to move.

    A net income of 0 (revenue equal to costs and expenses) closes the accounts against each other
    with no retained-earnings entry. Lana's close (`core/accounting/src/chart_of_accounts/ledger/
    closing_balances.rs`) adds one of 0 to a new gain-side account `NET_INCOME_<description>` under
    retained earnings; no entry here may hold 0, and retained earnings' balance is the same either
    way (lanasim posts every year's net income to the one `retained-earnings` account, Lana to a
    new account per close)."""
    entries: list[Entry] = []
    net = 0  # revenue minus costs and expenses
    for line in balances:
        if not line.balance:
            continue
        revenue = section_of(line.account) == "revenue"
        net += line.balance if revenue else -line.balance
        closes_by_debit = revenue == (line.balance > 0)
        entries.append(Entry(line.account, Side.DEBIT if closes_by_debit else Side.CREDIT, abs(line.balance)))
    if net > 0:
        entries.append(Entry(RETAINED_EARNINGS, Side.CREDIT, net))
    elif net < 0:
        entries.append(Entry(RETAINED_LOSSES, Side.DEBIT, -net))
    return LedgerTransaction(tx_id, CLOSE_FISCAL_YEAR, tuple(entries), effective) if entries else None

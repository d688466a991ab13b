"""Balance sheet and profit and loss as of a day, over the USD settled book by effective date
(Lana `core/accounting/src/balance_sheet`, `profit_and_loss`: sections by chart code).

A line's amount is signed for its section: debits minus credits for assets, cost of revenue and
expenses; credits minus debits for liabilities, equity and revenue. The balance sheet's equity has a
`current-earnings` line (revenue minus costs not yet closed into retained earnings), so
assets = liabilities + equity; the profit and loss covers 1 January of the day's year to the day,
without fiscal closing transactions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domains.accounting import chart_code
from domains.accounting.fiscal_close import PROFIT_AND_LOSS, section_of
from engine.bank.fiscal_reads import effective_totals

__all__ = ["COLUMNS", "balance_sheet_rows", "profit_and_loss_rows"]

COLUMNS = ("section", "account", "code", "amount")
Row = tuple[str, str, str, int]
_DEBIT_SECTIONS = frozenset({"assets", "cost_of_revenue", "expenses"})


def _lines(totals: dict[str, tuple[int, int]], sections: tuple[str, ...]) -> dict[str, list[Row]]:
    lines: dict[str, list[Row]] = {s: [] for s in sections}
    for account, (debits, credits) in totals.items():
        section = section_of(account)
        if section in lines:
            amount = debits - credits if section in _DEBIT_SECTIONS else credits - debits
            lines[section].append((section, account, chart_code(account), amount))
    return lines


def _sum(rows: list[Row]) -> int:
    return sum(row[3] for row in rows)


def balance_sheet_rows(ledger: Any, day: date) -> list[Row]:
    """Every balance-sheet account with its amount, a TOTAL per section, and the CHECK row
    assets - (liabilities + equity) (0 when the book balances on the balance sheet)."""
    totals = effective_totals(ledger, day)
    lines = _lines(totals, ("assets", "liabilities", "equity", *PROFIT_AND_LOSS))
    earnings = _sum(lines["revenue"]) - _sum(lines["cost_of_revenue"]) - _sum(lines["expenses"])
    lines["equity"].append(("equity", "current-earnings", "", earnings))
    rows: list[Row] = []
    for section in ("assets", "liabilities", "equity"):
        rows += lines[section] + [(section, "TOTAL", "", _sum(lines[section]))]
    rows.append(("check", "assets-minus-liabilities-and-equity", "",
                 _sum(lines["assets"]) - _sum(lines["liabilities"]) - _sum(lines["equity"])))
    return rows


def profit_and_loss_rows(ledger: Any, day: date) -> list[Row]:
    """Revenue, cost of revenue and expenses from 1 January to `day`, a TOTAL per section and the
    NET-INCOME row."""
    lines = _lines(effective_totals(ledger, day, date(day.year, 1, 1), closing=False), PROFIT_AND_LOSS)
    rows: list[Row] = []
    for section in PROFIT_AND_LOSS:
        rows += lines[section] + [(section, "TOTAL", "", _sum(lines[section]))]
    net = _sum(lines["revenue"]) - _sum(lines["cost_of_revenue"]) - _sum(lines["expenses"])
    return [*rows, ("net", "NET-INCOME", "", net)]

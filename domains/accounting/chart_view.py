"""The trial balance as Lana's chart of accounts shows it: one line per chart node, not per account.

Lana's trial balance lists the chart's nodes flattened (each top-level node, then its descendants in
code order), every node an account set whose balance is that of every account filed under it, and
leaves out the nodes with nothing posted (Lana: core/accounting/src/ledger_account/mod.rs,
`list_all_account_flattened` with `filter_non_zero`). A lanasim account reports under its category's
code (`chart.chart_code`), so `11.02.0202` rolls up into `11.02`, `11` and `1`: a book of 20,000
facilities reads as a few dozen lines instead of a line per facility account. A node is read on the
normal side of its top-level node (Assets debit, Liabilities, Equity, Revenue and Memorandum
credit), as the children of Lana's example chart inherit it; its name is that chart's
(bats/accounting-init/coa.csv in Lana)."""

from __future__ import annotations

import attrs

from domains.accounting.chart import normal_side
from domains.accounting.period_balances import PeriodLine, PeriodTotal, PeriodTrialBalance
from domains.accounting.primitives import Currency, Layer, Side

__all__ = ["CHART_COLUMNS", "NODE_NAMES", "ChartLine", "chart_lines", "chart_rows"]

CHART_COLUMNS = ("code", "name", "currency", "layer", "opening", "debits", "credits", "closing")

NODE_NAMES = {
    "1": "Assets", "11": "Current Assets", "11.01": "Cash and Equivalents", "11.01.0101": "Operating Cash",
    "11.02": "Receivables", "11.02.0201": "Interest Receivable", "11.02.0202": "Loans Receivable",
    "11.02.0203": "Overdue Loans Receivable", "11.99": "Disbursements & Reimbursements",
    "11.99.0201": "Reimbursements",
    "2": "Liabilities", "21": "Current Liabilities", "21.01": "Accounts Payable", "21.01.0101": "Deposits Payable",
    "21.03": "Inactive Accounts",
    "3": "Equity", "32": "Retained Earnings", "32.01": "Current Year Earnings", "32.02": "Prior Years Earnings",
    "4": "Revenue", "41": "Operating Revenue", "41.01": "Sales Revenue", "41.02": "Service Revenue",
    "8": "Memorandum", "81": "Other Obligations", "81.01": "Facility Obligations", "81.02": "Collateral Obligations",
    "81.03": "Debtors Balances", "81.04": "Payments Made", "81.05": "Interest Added to Obligations",
    "81.06": "Uncovered Outstanding",
}
_TOP_SIDES = {"1": Side.DEBIT, "2": Side.CREDIT, "3": Side.CREDIT, "4": Side.CREDIT, "5": Side.DEBIT,
              "6": Side.DEBIT, "8": Side.CREDIT}


@attrs.frozen
class ChartLine(PeriodTotal):
    """One chart node (`code`, `name`: keywords) in one currency and layer, on the node's normal
    side: `closing` = `opening` + `debit` - `credit` under a debit-normal node, + `credit` - `debit`
    under a credit-normal one."""

    code: str = attrs.field(kw_only=True)
    name: str = attrs.field(kw_only=True)


def ancestry(code: str) -> list[str]:
    """The node and its ancestors, top-level first: `11.02.0202` -> 1, 11, 11.02, 11.02.0202."""
    parts = code.split(".")
    nodes = [parts[0][:1], parts[0]] if len(parts[0]) > 1 else [parts[0]]
    for i in range(1, len(parts)):
        nodes.append(".".join(parts[: i + 1]))
    return nodes


def chart_lines(period: PeriodTrialBalance) -> tuple[ChartLine, ...]:
    """The period's account lines rolled up into every chart node above them; a node with no
    debit, credit or balance in the period is left out, as Lana leaves it out. Ordered by currency,
    layer, then the chart's order (a node before its descendants)."""
    sums: dict[tuple[str, Currency, Layer], tuple[int, int, int, int]] = {}
    for line in period.lines:
        opening, closing = _debit_net(line, line.opening), _debit_net(line, line.closing)
        for node in ancestry(line.code):
            key = (node, line.currency, line.layer)
            o, d, c, e = sums.get(key, (0, 0, 0, 0))
            sums[key] = (o + opening, d + line.debit, c + line.credit, e + closing)
    lines = []
    for (node, currency, layer), (opening, debit, credit, closing) in sums.items():
        if (opening, debit, credit, closing) == (0, 0, 0, 0):
            continue
        sign = 1 if _TOP_SIDES.get(node[:1], Side.DEBIT) is Side.DEBIT else -1
        lines.append(ChartLine(currency, layer, sign * opening, debit, credit, sign * closing, code=node,
                               name=NODE_NAMES.get(node, "")))
    return tuple(sorted(lines, key=lambda x: (x.currency.value, x.layer.value, _order(x.code))))


def chart_rows(period: PeriodTrialBalance) -> tuple[tuple[object, ...], ...]:
    """`chart_lines`, then the period's `TOTAL` row per currency and layer, as `CHART_COLUMNS` reads them."""
    lines = tuple((x.code, x.name, x.currency, x.layer, x.opening, x.debit, x.credit, x.closing)
                  for x in chart_lines(period))
    return lines + period.total_rows()


def _debit_net(line: PeriodLine, balance: int) -> int:
    """A balance read on the account's normal side, as debits - credits."""
    return balance if normal_side(line.account) is Side.DEBIT else -balance


def _order(code: str) -> tuple[str, ...]:
    """The chart's order: a node right before its descendants (`1` < `11` < `11.01` < `11.01.0101` < `11.02`)."""
    return tuple(ancestry(code))

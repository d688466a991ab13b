"""The trial balance over a period (Lana's is a range report): per account the opening balance, the
period's debits and credits and the closing balance, from the book's totals before and through it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import attrs

from domains.accounting.balances import BalanceKey, normal_balance
from domains.accounting.chart import chart_code, normal_side
from domains.accounting.errors import AccountingError
from domains.accounting.primitives import Currency, Layer

__all__ = ["COLUMNS", "InvalidPeriod", "PeriodLine", "PeriodTotal", "PeriodTrialBalance", "as_day", "check_period",
           "period_trial_balance"]

Totals = Mapping[BalanceKey, tuple[int, int]]  # (debits, credits) per (account, currency, layer)
COLUMNS = ("account", "code", "currency", "layer", "opening", "debits", "credits", "closing")


class InvalidPeriod(AccountingError):
    """A trial balance period that is no period (fields: argument, value, problem): a day that is not
    an ISO-8601 date, or `until` before `from_`."""


@attrs.frozen
class PeriodTotal:
    """A currency and layer summed over every account, read as one debit-normal account (as Lana's
    trial balance root is): `opening` and `closing` are debits - credits (0 in a balanced book),
    `debit` and `credit` the period's (equal in a balanced book)."""

    currency: Currency
    layer: Layer
    opening: int
    debit: int
    credit: int
    closing: int


@attrs.frozen
class PeriodLine(PeriodTotal):
    """One account (`account`, `code`: keywords) in one currency and layer: the same figures read on
    its normal side: `closing` = `opening` + `debit` - `credit` on a debit-normal account,
    + `credit` - `debit` on a credit-normal one."""

    account: str = attrs.field(kw_only=True)
    code: str = attrs.field(kw_only=True)


@attrs.frozen
class PeriodTrialBalance:
    """The trial balance from the start of `from_` to the end of `until` (both days included)."""

    from_: date
    until: date
    lines: tuple[PeriodLine, ...]
    totals: tuple[PeriodTotal, ...]

    def rows(self) -> tuple[tuple[object, ...], ...]:
        """The lines, then one `TOTAL` row per currency and layer, as `COLUMNS` reads them."""
        lines = [(x.account, x.code, x.currency, x.layer, x.opening, x.debit, x.credit, x.closing) for x in self.lines]
        return tuple(lines) + self.total_rows()

    def total_rows(self) -> tuple[tuple[object, ...], ...]:
        """One `TOTAL` row per currency and layer, as `COLUMNS` (and the chart view's columns) read them."""
        return tuple(("TOTAL", "", x.currency, x.layer, x.opening, x.debit, x.credit, x.closing) for x in self.totals)


def as_day(argument: str, value: object) -> date:
    """`value` as a day: a date (a datetime's date) or an ISO-8601 `YYYY-MM-DD` string; anything
    else is `InvalidPeriod`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidPeriod(argument=argument, value=value, problem="not a day (YYYY-MM-DD)")


def check_period(from_: object, until: object) -> tuple[date, date]:
    """The period's first and last day; `until` before `from_` is `InvalidPeriod`."""
    first, last = as_day("from_", from_), as_day("until", until)
    if last < first:
        raise InvalidPeriod(argument="until", value=last.isoformat(),
                            problem=f"before the period's first day, {first.isoformat()}")
    return first, last


def period_trial_balance(from_: date, until: date, opening: Totals, closing: Totals) -> PeriodTrialBalance:
    """The trial balance of the period, from the totals of every entry before it (`opening`) and of
    every entry up to its end (`closing`). An account is listed when anything was ever posted to it
    by the end of the period, as Lana lists a chart account with any debit or credit at the close;
    lines are ordered by currency, layer, chart code and account. With `opening` empty (the period
    starts with the book) the debits, credits and closing balances are the as-of trial balance's."""
    lines = tuple(sorted((_line(key, opening.get(key, (0, 0)), moved) for key, moved in closing.items()
                          if moved != (0, 0)),
                         key=lambda x: (x.currency.value, x.layer.value, x.code, x.account)))
    sums: dict[tuple[Currency, Layer], tuple[int, int, int, int]] = {}
    for key, (debits, credits) in closing.items():
        before_debits, before_credits = opening.get(key, (0, 0))
        o, d, c, e = sums.get(key[1:], (0, 0, 0, 0))
        sums[key[1:]] = (o + before_debits - before_credits, d + debits - before_debits,
                         c + credits - before_credits, e + debits - credits)
    totals = tuple(PeriodTotal(currency, layer, *figures) for (currency, layer), figures
                   in sorted(sums.items(), key=lambda item: (item[0][0].value, item[0][1].value)))
    return PeriodTrialBalance(from_, until, lines, totals)


def _line(key: BalanceKey, before: tuple[int, int], through: tuple[int, int]) -> PeriodLine:
    account, currency, layer = key
    side = normal_side(account)
    return PeriodLine(currency, layer, normal_balance(*before, side), through[0] - before[0],
                      through[1] - before[1], normal_balance(*through, side), account=account, code=chart_code(account))

"""Balance arithmetic: debit/credit totals per (account, currency, layer), normal-side balances,
and the trial balance built from those totals. Pure: the engine keeps and stores the totals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from domains.accounting.chart import chart_code, normal_side
from domains.accounting.primitives import Currency, Entry, Layer, Side

__all__ = [
    "BalanceKey",
    "TrialBalanceLine",
    "apply_entries",
    "imbalances",
    "is_balanced",
    "key_of",
    "normal_balance",
    "trial_balance",
]

BalanceKey = tuple[str, Currency, Layer]
Totals = Mapping[BalanceKey, tuple[int, int]]  # (debits, credits)


@attrs.frozen
class TrialBalanceLine:
    """One account's debit and credit totals in one currency and layer, and its normal-side balance."""

    account: str
    code: str
    currency: Currency
    layer: Layer
    debit: int
    credit: int
    balance: int


def normal_balance(debits: int, credits: int, side: Side) -> int:
    """The balance as the account reads it: credits - debits on a credit-normal account, and back."""
    return debits - credits if side == _DEBIT else credits - debits


def key_of(entry: Entry) -> BalanceKey:
    return entry.account, _CURRENCIES[entry.currency], _LAYERS[entry.layer]


# Members and their values map to the member: a dict lookup instead of an Enum(...) call.
_CURRENCIES: dict[object, Currency] = {**{c: c for c in Currency}, **{c.value: c for c in Currency}}
_LAYERS: dict[object, Layer] = {**{lay: lay for lay in Layer}, **{lay.value: lay for lay in Layer}}


_DEBIT = Side.DEBIT  # a module constant: an Enum attribute read is a descriptor call


def apply_entries(totals: Totals, entries: Iterable[Entry]) -> dict[BalanceKey, tuple[int, int]]:
    """The new (debits, credits) of every key the entries touch; `totals` is left as it was."""
    touched: dict[BalanceKey, tuple[int, int]] = {}
    for entry in entries:
        key = key_of(entry)
        debits, credits = touched.get(key) or totals.get(key, (0, 0))
        is_debit = entry.side == _DEBIT
        touched[key] = (debits + entry.amount, credits) if is_debit else (debits, credits + entry.amount)
    return touched


def imbalances(totals: Totals) -> dict[tuple[Currency, Layer], int]:
    """Debits minus credits per (currency, layer), for the pairs where they differ."""
    net: dict[tuple[Currency, Layer], int] = {}
    for (_, currency, layer), (debits, credits) in totals.items():
        net[(currency, layer)] = net.get((currency, layer), 0) + debits - credits
    return {pair: difference for pair, difference in net.items() if difference}


def is_balanced(totals: Totals) -> bool:
    """For every currency and layer, total debits equal total credits."""
    return not imbalances(totals)


def trial_balance(totals: Totals) -> tuple[TrialBalanceLine, ...]:
    """One line per (account, currency, layer), ordered by currency, layer, then chart code and account."""
    lines = (_line(account, currency, layer, debits, credits)
             for (account, currency, layer), (debits, credits) in totals.items())
    return tuple(sorted(lines, key=lambda line: (line.currency.value, line.layer.value, line.code, line.account)))


def _line(account: str, currency: Currency, layer: Layer, debits: int, credits: int) -> TrialBalanceLine:
    balance = normal_balance(debits, credits, normal_side(account))
    return TrialBalanceLine(account, chart_code(account), currency, layer, debits, credits, balance)

"""What a transaction must pass before it is posted: minor-unit amounts, debits equal to credits
per currency and layer, known accounts, and the hard limits of Lana: core/credit/src/ledger/velocity (velocity
controls)."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from types import MappingProxyType

import attrs

from domains.accounting.balances import BalanceKey, key_of
from domains.accounting.chart import find_category
from domains.accounting.errors import (
    DisbursalLimitExceeded,
    OverdraftPrevented,
    PaymentAboveOutstanding,
    UnbalancedTransaction,
    UnknownAccount,
    VelocityLimitExceeded,
)
from domains.accounting.primitives import Currency, Layer, LedgerTransaction, Side
from domains.accounting.template import positive

__all__ = [
    "BalanceOf",
    "CONTROLS",
    "Controls",
    "VelocityControl",
    "check",
    "check_amounts",
    "check_balanced",
    "check_limits",
]

BalanceOf = Callable[[str, Currency, Layer], int]


@attrs.frozen
class VelocityControl:
    """A hard limit: the `layer` balance of every account of `category` may not go below zero."""

    name: str
    category: str
    refusal: type[VelocityLimitExceeded]
    currency: Currency = Currency.USD
    layer: Layer = Layer.SETTLED


@attrs.frozen(init=False)
class Controls:
    """A set of velocity controls, indexed once when built: the categories they watch and each
    control by (category, currency, layer). Iterates as the controls themselves."""

    items: tuple[VelocityControl, ...]
    categories: frozenset[str]
    by_key: dict[tuple[str, Currency, Layer], VelocityControl] = attrs.field(eq=False, hash=False)

    def __init__(self, items: Iterable[VelocityControl]) -> None:
        items = tuple(items)
        self.__attrs_init__(items, frozenset(c.category for c in items),
                            {(c.category, c.currency, c.layer): c for c in items})

    def __iter__(self) -> Iterator[VelocityControl]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


CONTROLS = Controls((
    VelocityControl("overdraft-prevention", "deposit", OverdraftPrevented),
    VelocityControl("disbursal-limit", "facility", DisbursalLimitExceeded),
    VelocityControl("uncovered-outstanding-limit", "uncovered-outstanding", PaymentAboveOutstanding),
))


_DEBIT = Side.DEBIT  # a module constant: an Enum attribute read is a descriptor call
_NO_SIDES: Mapping[str, Side] = MappingProxyType({})


def check_amounts(tx: LedgerTransaction) -> None:
    """Every entry moves a positive int (`NotMinorUnits` / `NonPositiveAmount`)."""
    for entry in tx.entries:
        positive(tx.template, entry.amount)


def check_balanced(tx: LedgerTransaction) -> None:
    """Debits equal credits for every currency and layer, else `UnbalancedTransaction`."""
    _refuse_unbalanced(tx, _net(tx, amounts=False))


def _net(tx: LedgerTransaction, *, amounts: bool) -> dict[tuple[Currency, Layer], int]:
    """Debits minus credits per (currency, layer); with `amounts`, each amount is checked on the way."""
    net: dict[tuple[Currency, Layer], int] = {}
    for entry in tx.entries:
        amount = entry.amount
        if amounts and (type(amount) is not int or amount <= 0):
            positive(tx.template, amount)  # raises the typed refusal
        key = (entry.currency, entry.layer)
        net[key] = net.get(key, 0) + (amount if entry.side == _DEBIT else -amount)
    return net


def _refuse_unbalanced(tx: LedgerTransaction, net: dict[tuple[Currency, Layer], int]) -> None:
    for (currency, layer), difference in net.items():
        if difference:
            raise UnbalancedTransaction(tx_id=tx.tx_id, currency=Currency(currency), layer=Layer(layer),
                                        difference=difference)


def check_limits(balance_of: BalanceOf, tx: LedgerTransaction, controls: Controls = CONTROLS) -> None:
    """Refuse when a controlled account would fall below zero; `balance_of` gives the normal-side
    balance before `tx`. Also refuses entries on accounts outside the chart (`UnknownAccount`)."""
    controls = _categories(controls)
    _refuse_limits(balance_of, tx, _changes(tx, controls.categories), controls)


def check(balance_of: BalanceOf, tx: LedgerTransaction, controls: Controls = CONTROLS,
          quiet: Container[str] = (), sides: Mapping[str, Side] | None = None) -> None:
    """All of the above, in order: amounts, balance, limits (every daily accrual of every facility
    goes through here). `quiet`: accounts the caller knows are in the chart and in no category
    `controls` watch, not looked up again; `sides`: the normal side of accounts the caller knows are
    in the chart, read there rather than from the chart."""
    net = _net(tx, amounts=True)
    if any(net.values()):  # else balanced: nothing to refuse (a call fewer a posting)
        _refuse_unbalanced(tx, net)
    if type(controls) is not Controls:
        controls = _categories(controls)
    changes = _changes(tx, controls.categories, quiet, sides or _NO_SIDES)
    if changes:  # a daily accrual's accounts are all quiet: no change any control watches
        _refuse_limits(balance_of, tx, changes, controls)


def _changes(tx: LedgerTransaction, watched: Container[str], quiet: Container[str] = (),
             sides: Mapping[str, Side] = _NO_SIDES) -> dict[BalanceKey, int]:
    """The normal-side change the transaction makes to each (account, currency, layer) of a category
    in `watched` (no control applies to the others); every entry's account but the `quiet` ones is
    still looked up (in `sides`, else the chart): `UnknownAccount` for the first outside the chart."""
    changes: dict[BalanceKey, int] = {}
    unknown: str | None = None
    for entry in tx.entries:
        account = entry.account
        if account in quiet:
            continue
        side = sides.get(account)
        if side is None:
            category = find_category(account)
            if category is None:
                unknown = unknown or account
                continue
            side = category.side
        if account.partition(":")[0] in watched:
            key = key_of(entry)
            changes[key] = changes.get(key, 0) + (entry.amount if entry.side == side else -entry.amount)
    if unknown is not None:
        raise UnknownAccount(account=unknown)
    return changes


def _refuse_limits(balance_of: BalanceOf, tx: LedgerTransaction, changes: dict[BalanceKey, int],
                   controls: Controls) -> None:
    for key, change in changes.items():
        if change < 0:
            control = _control(key, controls)
            if control is not None and balance_of(*key) + change < 0:
                raise control.refusal(account=key[0], balance=balance_of(*key), amount=-change, template=tx.template)


def _control(key: BalanceKey, controls: Controls) -> VelocityControl | None:
    account, currency, layer = key
    return controls.by_key.get((account.partition(":")[0], currency, layer))


def _categories(controls: Controls | tuple[VelocityControl, ...]) -> Controls:
    """`controls` as an indexed `Controls` (a plain tuple of controls is indexed here)."""
    return controls if isinstance(controls, Controls) else Controls(controls)

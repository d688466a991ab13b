"""How a template builds its transaction: amount checks, then the entries of every leg in order."""

from __future__ import annotations

from datetime import date

from domains.accounting.errors import NonPositiveAmount, NotMinorUnits
from domains.accounting.primitives import Entry, LedgerTransaction

__all__ = ["positive", "transaction"]


def positive(template: str, amount: object) -> int:
    """`amount` itself when it is an int of minor units above zero; a typed refusal otherwise.

    Templates refuse zero rather than post an empty transaction: a caller with nothing to move
    (freezing an empty account, a zero fee) does not call the template."""
    if type(amount) is not int:
        raise NotMinorUnits(template=template, amount=amount)
    if amount <= 0:
        raise NonPositiveAmount(template=template, amount=amount)
    return amount


def transaction(tx_id: str, template: str, effective: date, *legs: tuple[Entry, ...]) -> LedgerTransaction:
    """A transaction of `template` whose entries are the legs' entries, in order."""
    return LedgerTransaction(tx_id, template, legs[0] if len(legs) == 1 else sum(legs, ()), effective)

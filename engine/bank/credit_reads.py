"""The credit module's one read model: a facility's receivables, collateral and CVL from entity
states and the ledger, shared by the operator API (`sim.credit`) and the credit process managers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from domains.accounting import chart
from domains.credit import cvl

__all__ = ["Books", "CreditReads", "EntityReads", "LedgerReads", "Owed"]

FACILITY_KIND = "credit-facility"
_BUCKETS = ("not-yet-due", "due", "overdue")


class EntityReads(Protocol):
    """Entity states and the indexes over them (the simulation offers both)."""

    def state(self, kind: str, entity_id: str) -> Any: ...
    def index(self, kind: str) -> Any: ...


class LedgerReads(Protocol):
    def balance(self, account: str) -> int: ...
    def balances(self, accounts: Sequence[str]) -> list[int]: ...


class Books(NamedTuple):
    """A facility's receivables from the ledger (settled USD cents)."""

    principal: int  # disbursed, not yet due + due + overdue
    interest: int  # posted interest, not yet due + due + overdue
    payable_disbursed: int  # due + overdue
    payable_interest: int
    defaulted: int

    @property
    def outstanding(self) -> int:
        return self.principal + self.interest


class Owed(NamedTuple):
    """What a facility owes (`Books.outstanding`) and its uncovered outstanding (settled USD cents)."""

    outstanding: int
    uncovered: int


def _books(b: Sequence[int]) -> Books:
    """Books from the 8 receivable balances: disbursed then interest, each by bucket then defaulted."""
    return Books(b[0] + b[1] + b[2], b[4] + b[5] + b[6], b[1] + b[2], b[5] + b[6], b[3] + b[7])


class CreditReads:
    """Reads only: `entities` for states and indexes, `ledger` for balances, `exists` for whether an
    entity was ever created (hosted or journaled), `creation_order` to list obligations as created."""

    def __init__(self, entities: EntityReads, ledger: LedgerReads, exists: Callable[[str, str], bool],
                 creation_order: Callable[[str, str], int]) -> None:
        self.entities, self.ledger = entities, ledger
        self.exists, self.creation_order = exists, creation_order
        self._receivables: dict[str, tuple[str, ...]] = {}  # facility id -> its 8 receivable accounts

    @classmethod
    def of(cls, sim: Any) -> CreditReads:
        def exists(kind: str, entity_id: str) -> bool:
            return sim.registry.actor(kind, entity_id) is not None or sim.journal.exists(kind, entity_id)
        return cls(sim, sim.ledger, exists, sim.journal.creation_order)

    def books(self, facility_id: str) -> Books:
        return _books(self.ledger.balances(self._accounts(facility_id)))

    def owed(self, facility_id: str) -> Owed:
        """What the facility owes and its uncovered outstanding, in one read of the ledger."""
        b = self.ledger.balances((*self._accounts(facility_id), chart.uncovered_outstanding(facility_id)))
        return Owed(_books(b).outstanding, b[8])

    def principal(self, facility_id: str) -> int:
        """Disbursed outstanding (not yet due + due + overdue): the base of daily interest."""
        return sum(self.ledger.balances(self._accounts(facility_id)[:3]))

    def collateral_sats(self, f: Any) -> int:
        """The collateral amount of a (pending) facility state `f`."""
        return int(self.entities.state("collateral", f.collateral_id).amount)

    def cvl(self, f: Any, price: int, *, adding: int = 0, books: Books | None = None) -> Decimal | None:
        """The facility `f`'s CVL % at `price` with `adding` cents more outstanding (None: infinite)."""
        owed = (books or self.books(f.id)).outstanding + adding
        return cvl(self.collateral_sats(f), owed, price)

    def collateral_id(self, facility_id: str) -> str:
        """Of the facility, or of the pending facility while it is not active yet."""
        kind = FACILITY_KIND if self.exists(FACILITY_KIND, facility_id) else "pending-credit-facility"
        return str(self.entities.state(kind, facility_id).collateral_id)

    def obligations_of(self, facility_id: str) -> list[Any]:
        ids = self.entities.index("obligation").ids_where("beneficiary_id", (facility_id,))
        return [self.entities.state("obligation", i)
                for i in sorted(ids, key=lambda i: self.creation_order("obligation", i))]

    def _accounts(self, facility_id: str) -> tuple[str, ...]:
        """The facility's 8 receivable accounts: disbursed then interest, by bucket (memoized)."""
        accounts = self._receivables.get(facility_id)
        if accounts is None:
            accounts = self._receivables[facility_id] = tuple(
                chart.receivable(facility_id, t, b)
                for t in ("disbursal", "interest") for b in (*_BUCKETS, "defaulted"))
        return accounts

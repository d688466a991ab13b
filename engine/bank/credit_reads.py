"""The credit module's one read model: a facility's receivables, collateral and CVL from entity
states and the ledger, shared by the operator API (`sim.credit`) and the credit process managers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal, NamedTuple, Protocol, overload

from domains.accounting import chart
from domains.credit import cvl
from domains.credit.collateral.collateral import Collateral
from domains.credit.collateral.liquidation import Liquidation
from domains.credit.collection.obligation import Obligation
from domains.credit.collection.payment import Payment
from domains.credit.facility.accrual_cycle import InterestAccrualCycle
from domains.credit.facility.active import Facility
from domains.credit.facility.disbursal import Disbursal
from domains.credit.facility.pending import PendingFacility
from domains.credit.facility.proposal import Proposal
from engine.kernel.port import Kernel

__all__ = ["Books", "CreditReads", "CreditStates", "EntityIndex", "LedgerReads", "Owed"]

FACILITY_KIND: Final = "credit-facility"
_BUCKETS = ("not-yet-due", "due", "overdue")


class EntityIndex(Protocol):
    """The queries the credit module makes of one kind's index."""

    def ids_where(self, column: str, values: Iterable[object]) -> list[str]: ...
    def ids_crossed(self, below: str, above: str, value: float) -> list[str]: ...
    def scan(self, column: str) -> list[tuple[str, Any]]: ...  # (id, value); the value's type is its column's


class CreditStates(Protocol):
    """Typed reads of the credit module's entity states: the kernel's `state` is generic over kinds,
    and the kind named decides the class (its aggregate's `state`; `tests/test_architecture.py`
    checks each overload against the registry)."""

    @overload
    def state(self, kind: Literal["credit-facility"], entity_id: str) -> Facility: ...
    @overload
    def state(self, kind: Literal["pending-credit-facility"], entity_id: str) -> PendingFacility: ...
    @overload
    def state(self, kind: Literal["credit-facility-proposal"], entity_id: str) -> Proposal: ...
    @overload
    def state(self, kind: Literal["collateral"], entity_id: str) -> Collateral: ...
    @overload
    def state(self, kind: Literal["liquidation"], entity_id: str) -> Liquidation: ...
    @overload
    def state(self, kind: Literal["disbursal"], entity_id: str) -> Disbursal: ...
    @overload
    def state(self, kind: Literal["obligation"], entity_id: str) -> Obligation: ...
    @overload
    def state(self, kind: Literal["payment"], entity_id: str) -> Payment: ...
    @overload
    def state(self, kind: Literal["interest-accrual-cycle"], entity_id: str) -> InterestAccrualCycle: ...
    def state(self, kind: str, entity_id: str) -> object: ...  # only the kinds above may be asked for
    def index(self, kind: str) -> EntityIndex: ...


class LedgerReads(Protocol):
    def balances(self, accounts: Sequence[str]) -> list[int]: ...
    def balance(self, account: str, currency: str = ..., layer: str = ..., *,
                as_of: str | datetime | None = ...) -> int: ...


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
    """What a facility's obligations still owe (`Books.outstanding` plus its defaulted balances: a
    payment is allocated to defaulted obligations too, interest first) and its uncovered outstanding
    (settled USD cents)."""

    outstanding: int
    uncovered: int


def _books(b: Sequence[int]) -> Books:
    """Books from the 8 receivable balances: disbursed then interest, each by bucket then defaulted."""
    return Books(b[0] + b[1] + b[2], b[4] + b[5] + b[6], b[1] + b[2], b[5] + b[6], b[3] + b[7])


class CreditReads:
    """Reads only: `entities` for states and indexes, `ledger` for balances, `exists` for whether an
    entity was ever created (hosted or journaled), `creation_order` to list obligations as created."""

    def __init__(self, entities: CreditStates, ledger: LedgerReads, exists: Callable[[str, str], bool],
                 creation_order: Callable[[str, str], int]) -> None:
        self.entities, self.ledger = entities, ledger
        self.exists, self.creation_order = exists, creation_order
        self._receivables: dict[str, tuple[str, ...]] = {}  # facility id -> its 8 receivable accounts

    @classmethod
    def over(cls, kernel: Kernel, ledger: LedgerReads) -> CreditReads:
        """The read model over a kernel's states, indexes and journal and the ledger book."""
        return cls(kernel, ledger, kernel.exists, kernel.journal.creation_order)

    def books(self, facility_id: str) -> Books:
        return _books(self.ledger.balances(self._accounts(facility_id)))

    def books_as_of(self, facility_id: str, as_of: datetime) -> Books:
        """`books` over the entries recorded at or before `as_of`."""
        return _books([self.ledger.balance(a, as_of=as_of) for a in self._accounts(facility_id)])

    def owed(self, facility_id: str) -> Owed:
        """What the facility owes (defaulted balances included) and its uncovered outstanding, in one
        read of the ledger."""
        b = self.ledger.balances((*self._accounts(facility_id), chart.uncovered_outstanding(facility_id)))
        books = _books(b)
        return Owed(books.outstanding + books.defaulted, b[8])

    def principal(self, facility_id: str) -> int:
        """Disbursed outstanding (not yet due + due + overdue): the base of daily interest."""
        return sum(self.ledger.balances(self._accounts(facility_id)[:3]))

    def collateral_sats(self, f: Facility | PendingFacility) -> int:
        """The collateral amount of a (pending) facility state `f`."""
        return int(self.entities.state("collateral", f.collateral_id).amount)

    def cvl(self, f: Facility, price: int, *, adding: int = 0, books: Books | None = None) -> Decimal | None:
        """The facility `f`'s CVL % at `price` with `adding` cents more outstanding (None: infinite)."""
        owed = (books or self.books(f.id)).outstanding + adding
        return cvl(self.collateral_sats(f), owed, price)

    def collateral_id(self, facility_id: str) -> str:
        """Of the facility, or of the pending facility while it is not active yet."""
        if self.exists(FACILITY_KIND, facility_id):
            return self.entities.state(FACILITY_KIND, facility_id).collateral_id
        return self.entities.state("pending-credit-facility", facility_id).collateral_id

    def obligations_of(self, facility_id: str) -> list[Obligation]:
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

"""Importing a book of existing facilities into a journal, every figure as domain events.

Per facility, in order: the borrower (one customer and deposit account per email), the facility's
`ImportFacility` (activation dated at its true date) and its accrual cycles (the posted interest's
cycle, the cycle in progress; see `domains.credit.facility.imported`), the disbursal of what was
paid out (pre-approved, settled on the activation day, its principal obligation due at maturity),
the obligation of the posted interest (due on the last day of the last completed accrual cycle),
and the collateral. Principal repaid before the import is not replayed as payments: the facility
records what was disbursed (its limit used, under the id `<facility>-disbursed-before-import`) and
one settled disbursal carries the principal still owed. Each obligation is created by one
`ImportObligation` with the statuses its dates have reached by the import date (Due, Overdue,
Defaulted on the dates the terms set from its due date: the events its alarms would record, in one
command); later ones come from its alarms. The collateral is created and posted by one
`ImportCollateral`. The facility's collateralization (state and CVL at the import's price) is its
import's: the collateral and obligations created with it do not re-evaluate it, which would read
the same books and change nothing."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from itertools import chain
from typing import Any

import attrs

from domains.credit.collateral.collateralization import CollateralizationState
from domains.credit.collection import obligation_dates
from domains.credit.commands import (
    CreateCollateral,
    CreateObligation,
    ImportAccrualCycle,
    ImportCollateral,
    ImportObligation,
)
from domains.credit.facility.activation import initial_disbursal
from domains.credit.facility.imported import (
    ImportFacility,
    ImportInconsistent,
    imported_cycles,
    imported_state,
    inconsistency,
)
from domains.credit.math import add_months
from domains.credit.primitives import ObligationType
from domains.credit.terms import TermValues
from domains.money import MAX_SATS
from domains.price import BTC_USD
from domains.validators import WrongType, bounded_text, check_amount, check_id
from engine.kernel.errors import DuplicateValue, InvalidArgument
from engine.kernel.runtime import fewer_collections
from engine.kernel.schema import ENTITY_NAMES

__all__ = ["Position", "import_chunks", "import_positions"]

FACILITY = "credit-facility"
IMPORT_CACHE_KIB = 128 * 1024  # a 40,000-facility import: 1.59 ms a facility at its end, 1.79 with 32 MiB


@attrs.frozen
class Position:
    """One facility as a book states it: cents, sats, terms and the activation date."""

    facility_id: str
    email: str
    amount: int
    disbursed: int
    principal: int
    interest: int
    collateral_sats: int
    terms: TermValues
    activated_on: date


def import_positions(sim, positions: Iterable[Position], price: int) -> list[str]:
    """Publish `price` (cents per BTC) and import every position at the simulation's current date;
    returns the facility ids in book order. Refusals are the domains' typed errors."""
    positions = _checked(positions, sim.now.date(), set())  # before the price: a refused import journals nothing
    with _lookups_deferred(sim):
        sim.price.set(price)
        accounts: dict[str, tuple[str, str]] = {}
        ids = [_import(sim, p, accounts, price) for p in positions]
        sim.settle(commit=True)
    return ids


def import_chunks(sim, chunks: Iterable[Iterable[Position]], price: int) -> int:
    """`import_positions` for a book read a chunk at a time: the same commands in the same order
    (the same journal digest), committed after each chunk, whose actors are then released (freed at
    once: a stopped actor's inbox lets go of it) but the price's, which every reaction reads, so memory holds a chunk's
    positions and actors rather than the book's; with rarer cyclic garbage collections
    (`fewer_collections`, `_frozen_chunks`), as a run's clock does. Returns how many."""
    chunks, today, seen = _iterable(chunks), sim.now.date(), set[str]()
    first = _checked(next(chunks, []), today, seen)  # before the price: a first chunk refused journals nothing
    sim.price.set(price)
    accounts: dict[str, tuple[str, str]] = {}
    count = 0
    with fewer_collections(), _frozen_chunks(), _lookups_deferred(sim), \
            _page_cache(sim.journal.conn, IMPORT_CACHE_KIB):  # built after: a smaller cache bounds its sort
        for chunk in chain([first], (_checked(later, today, seen) for later in chunks)):
            for p in chunk:
                _import(sim, p, accounts, price)
                count += 1
            sim.settle(commit=True)
            sim.registry.release()
            sim.registry.ref("price", BTC_USD)  # every reaction reads the price: keep it live
            gc.freeze()
    return count


def _iterable(values: object) -> Iterator[Any]:
    """An iterator over `values`, or `InvalidArgument` (None or 5 was a bare TypeError after the
    price was journaled)."""
    if not isinstance(values, Iterable) or isinstance(values, str | bytes | Mapping):
        raise InvalidArgument(argument="positions", value=values, problem="an iterable of Positions (read_book's)")
    return iter(values)


def _checked(positions: object, today: date, seen: set[str]) -> list[Position]:
    """The positions, each checked before any of its commands is told: a position of the wrong
    types (a dict, an amount "5", a day as text) was a bare AttributeError or TypeError, and one
    that contradicts itself (activated after today) or repeats a facility id was refused after its
    facility's command was told, so the next valid command's settle ran, and failed on, the rest."""
    found = list(_iterable(positions))
    for p in found:
        _check_position(p, today)
        if p.facility_id in seen:
            raise DuplicateValue(kind=FACILITY, column="id", value=p.facility_id)
        seen.add(p.facility_id)
    return found


def _check_position(p: object, today: date) -> None:
    """`InvalidArgument`, `WrongType`, `AmountOutOfRange` or `ImportInconsistent` for a position no
    book row makes (what `scenarios.book.format.read_book` checks of each row)."""
    if not isinstance(p, Position):
        raise InvalidArgument(argument="positions", value=p,
                              problem="a Position (engine.bank.importer), as read_book returns")
    check_id("facility_id", p.facility_id)
    bounded_text("email", p.email)
    for name in ("amount", "disbursed", "principal", "interest"):
        check_amount(name, getattr(p, name), minimum=0)
    check_amount("collateral_sats", p.collateral_sats, minimum=0, maximum=MAX_SATS, unit="sats")
    if not isinstance(p.terms, TermValues):
        raise WrongType(field="terms", value=p.terms, expected="TermValues")
    if not isinstance(p.activated_on, date):
        raise WrongType(field="activated_on", value=p.activated_on, expected="a date")
    problem = inconsistency(p.amount, p.disbursed, p.principal, p.interest, p.terms, p.activated_on, today)
    if problem is not None:
        raise ImportInconsistent(facility_id=p.facility_id, problem=problem)


@contextmanager
def _lookups_deferred(sim) -> Iterator[None]:
    """The query index's lookup indexes (not the UNIQUE ones: they refuse duplicates), the ledger's
    index of account names and the journal's of entity names (kind, id) are left off while the book
    is imported and built at its end from the finished tables: inserted row by row, the rows' random
    ids spread each commit's writes over every page of them. The names are unique by construction
    (the ledger and the journal intern each once, in memory) and nothing an import runs reads these
    indexes (a read meanwhile would scan the table: the same answer, slower); a failed import's are
    built when its journal closes."""
    names = []
    lookups = [pair for host in sim.kinds.values() if host.index is not None for pair in host.index.lookups()]
    for name, create in [*lookups, *sim.ledger.lookups(), ENTITY_NAMES]:
        sim.journal.defer_index(name, create)
        names.append(name)
    yield
    for name in names:
        sim.journal.ensure_index(name)


@contextmanager
def _page_cache(conn: sqlite3.Connection, kib: int) -> Iterator[None]:
    """SQLite's page cache at `kib` KiB (restored after): an import inserts every row of a book into
    B-trees keyed by random ids, and once those outgrow a run's cache each insert re-reads pages."""
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def _frozen_chunks() -> Iterator[None]:
    """Each chunk's survivors (ledger totals, alarms, interned ids: the book's lasting state) are
    frozen out of later cyclic collections, which then scan one chunk's objects rather than the
    book's; thawed after."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _import(sim, p: Position, accounts: dict[str, tuple[str, str]], price: int) -> str:
    if p.email not in accounts:
        customer = sim.customer.tell_create_customer(p.email)  # told: delivered with the facility's commands
        accounts[p.email] = customer, sim.deposit.tell_open_account(customer)
    _import_one(sim, p, *accounts[p.email], price)
    return p.facility_id


def _import_one(sim, p: Position, customer: str, account: str, price: int) -> None:
    """Every command told first, reactions after (one settle): they read the finished position, so no
    half-imported facility is ever collateralized."""
    as_of, collateral_id = sim.now.date(), sim.ids.entity()
    disbursal_id = sim.ids.entity() if p.principal else None
    interest_id = sim.ids.entity() if p.interest else None
    activated_at = datetime.combine(p.activated_on, time(), UTC)
    command = ImportFacility(
        p.facility_id, customer, "individual", collateral_id, account, p.amount, p.terms, p.collateral_sats, price,
        activated_at, as_of, p.disbursed, p.principal, p.interest, f"{p.facility_id}-disbursed-before-import",
        interest_id)
    if imported_state(command) is CollateralizationState.UNDER_LIQUIDATION_THRESHOLD:
        command = attrs.evolve(command, liquidation_id=sim.ids.entity())  # the liquidation it starts
    sim.tell(FACILITY, p.facility_id, command)
    posted: ImportAccrualCycle | None = None
    for send in imported_cycles(command):
        sim.tell(send.kind, send.id, send.command)
        if isinstance(send.command, ImportAccrualCycle) and send.command.obligation_id is not None:
            posted = send.command  # the ended cycle whose posting is the interest obligation
    if disbursal_id:
        maturity = add_months(p.activated_on, p.terms.duration)
        for send in initial_disbursal(p.facility_id, p.terms, account, disbursal_id, p.principal, maturity,
                                      p.activated_on, sim.ids.entity()):
            order = send.command  # the principal's obligation is created with its statuses as of the import
            sim.tell(send.kind, send.id,
                     ImportObligation(order, as_of) if isinstance(order, CreateObligation) else order)
    if interest_id and posted is not None:
        due = posted.start.period.end
        sim.tell("obligation", interest_id, ImportObligation(CreateObligation(
            interest_id, p.facility_id, ObligationType.INTEREST, p.interest,
            f"{p.facility_id}-interest-accrual-cycle-{posted.start.idx}", due, effective=due,
            **obligation_dates(p.terms, due)), as_of))
    sim.tell("collateral", collateral_id,
             ImportCollateral(CreateCollateral(collateral_id, p.facility_id), p.collateral_sats, as_of))
    importing = sim.credit.flow.importing
    importing.add(p.facility_id)  # its collateral and obligations do not re-evaluate it (see `CreditFlow`)
    try:
        sim.settle()
    finally:
        importing.discard(p.facility_id)

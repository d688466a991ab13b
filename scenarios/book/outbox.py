"""A book rebuilt from a Lana outbox export (the JSON Lines `lanasim outbox` writes, or rows of Lana's
`persistent_outbox_events`, typed by their payloads).

Folded from the public envelopes only: the facility (`facility-activated`: amount, activation,
customer), its terms (the proposal or pending facility envelope of the same id; for a facility
lanasim imported from a book, lanasim's extension envelope `lanasim.credit.facility-imported`, which
also states what was paid out before the import), the borrower's email (`customer-created` ->
`party-created`, or its last `party-email-updated`), what was disbursed (`disbursal-settled`), principal
and interest still owed (each obligation's initial amount less its `payment-allocation-created`
amounts), the collateral (the last `collateral-updated`), the price (the last `price-updated`).
Completed facilities are left out. The book stands at the first midnight at or after the last
envelope. A facility whose terms or borrower no envelope carries is refused by name. As a Lana
consumer reads its feed: envelope types it does not use and fields it does not know are ignored, a
redelivered envelope changes nothing, "the last" is by `sequence`, not by line; blank lines, a byte
order mark and Windows line ends are no envelope's part; a line that is no envelope is refused by number.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from domains.credit.errors import CreditError
from domains.credit.public_terms import terms_from_payload
from domains.wire import from_pascal
from engine.bank.importer import Position
from engine.kernel.outbox import MODULES, event_type_of
from scenarios.book.format import BookProblem, BookRefused

__all__ = ["read_outbox"]

IMPORTED = "lanasim.credit.facility-imported"
_T = TypeVar("_T")


class _Fold:
    """Every field keyed by the entity it belongs to, and "the last" of a value read by sequence, so
    the fold is a Lana consumer's: a redelivered envelope changes nothing and file order does not
    matter (`lanasim outbox` writes sequence order; a merged or shuffled export folds the same)."""

    def __init__(self) -> None:
        self.emails: dict[str, tuple[int, str]] = {}  # party -> (sequence, email): the last one
        self.parties: dict[str, str] = {}
        self.facilities: dict[str, tuple[int, str, int, date]] = {}  # id -> (sequence, customer, amount, day)
        self.terms: dict[str, dict] = {}
        self.disbursals: dict[str, tuple[str, int]] = {}  # disbursal id -> (facility, amount)
        self.prepaid: dict[str, int] = {}  # facility -> paid out before lanasim imported it
        self.obligations: dict[str, tuple[str, str, int]] = {}
        self.allocations: dict[str, tuple[str, int]] = {}  # allocation id -> (obligation, amount)
        self.collateral: dict[str, tuple[int, int]] = {}  # facility -> (sequence, satoshis)
        self.closed: set[str] = set()
        self.price: tuple[int, int] | None = None  # (sequence, cents)
        self.last: datetime | None = None  # the latest recorded_at, in UTC
        self.first: int | None = None  # the lowest sequence: 1 when the export is whole

    def add(self, envelope: object) -> None:
        checked = _shape(envelope)
        kind, payload, entity = checked["event_type"], checked["payload"], checked["payload"].get("entity", {})
        at = datetime.fromisoformat(checked["recorded_at"].replace("Z", "+00:00"))  # refused here, by line
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        # compared as instants, not as text: `...00:00:00Z` sorts after `...00:00:00.5Z`, and an
        # offset's text after UTC's, so the latest by text could be a second or hours early
        self.last = at if self.last is None else max(self.last, at)
        if isinstance(sequence := checked.get("sequence"), int) and (self.first is None or sequence < self.first):
            self.first = sequence
        if kind == "core.price.price-updated":
            price = payload["PriceUpdated"]["price"]
            if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
                raise TypeError(f"price {price!r} is not a whole number of cents > 0")
            self.price = _later(self.price, (_sequence(envelope), price))
        elif kind in ("core.customer.party-created", "core.customer.party-email-updated"):
            party = _text(entity, "id")
            self.emails[party] = _later(self.emails.get(party), (_sequence(envelope), _text(entity, "email")))
        elif kind == "core.customer.customer-created":
            self.parties[_text(entity, "id")] = _text(entity, "party_id")
        elif kind == "core.credit.facility-activated":
            activated = date.fromisoformat(_text(entity, "activated_at")[:10])
            self.facilities[_text(entity, "id")] = (_sequence(envelope), _text(entity, "customer_id"),
                                                    _cents(entity, "amount"), activated)
        elif kind == "core.credit.facility-completed":
            self.closed.add(_text(entity, "id"))
        elif "terms" in entity and kind.startswith(("core.credit.facility-proposal", "core.credit.pending-credit")):
            self.terms[_text(entity, "id")] = entity["terms"]
        elif kind == IMPORTED:
            # the import settled one disbursal of the principal still owed; the rest was repaid before it
            facility_id = _text(entity, "id")
            self.terms[facility_id] = entity["terms"]
            self.prepaid[facility_id] = _cents(entity, "disbursed") - _cents(entity, "principal")
        elif kind == "core.credit.disbursal-settled":
            self.disbursals[_text(entity, "id")] = (_text(entity, "credit_facility_id"), _cents(entity, "amount"))
        elif kind == "core.credit-collection.obligation-created":
            self.obligations[_text(entity, "id")] = (_text(entity, "beneficiary_id"),
                                                     from_pascal(_text(entity, "obligation_type")),
                                                     _cents(entity, "initial_amount"))
        elif kind == "core.credit-collection.payment-allocation-created":
            self.allocations[_text(entity, "id")] = (_text(entity, "obligation_id"), _cents(entity, "amount"))
        elif kind == "core.credit-collateral.collateral-updated":
            loan = _text(entity, "secured_loan_id")
            self.collateral[loan] = _later(self.collateral.get(loan), (_sequence(envelope), _cents(entity, "amount")))


def _text(entity: dict, field: str) -> str:
    """`entity[field]`, a string, or `TypeError` naming it (a number or null there was a bare error
    after the whole file was read, or an id of the wrong type carried into the book)."""
    value = entity[field]
    if not isinstance(value, str):
        raise TypeError(f"{field} {value!r} is not a string")
    return value


def _cents(entity: dict, field: str) -> int:
    """`entity[field]`, a whole number >= 0 (cents or satoshis), or `TypeError` naming it."""
    value = entity[field]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"{field} {value!r} is not a whole number >= 0")
    return value


def _later(held: tuple[int, _T] | None, new: tuple[int, _T]) -> tuple[int, _T]:
    """The value of the higher sequence (a redelivered envelope, the same sequence, keeps the first)."""
    return new if held is None or new[0] > held[0] else held


def _shape(envelope: object) -> dict:
    """The envelope, with its event_type, payload and recorded_at, or `TypeError` saying what it lacks.
    A row of Lana's `persistent_outbox_events` (`id, sequence, payload, tracing_context, recorded_at`)
    names no event_type: it is the one its payload's module and variant name, as lanasim's envelopes
    and Lana's documented ones spell it (`{"module": "Credit", "type": "FacilityActivated"}` is
    `core.credit.facility-activated`; a price's variant is its key, `PriceUpdated`)."""
    if not isinstance(envelope, dict):
        what = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}
        raise TypeError(f"{what.get(type(envelope), 'a number')}, not a JSON object")
    if "event_type" not in envelope and isinstance(payload := envelope.get("payload"), dict):
        named = _named(payload)
        if named is not None:
            envelope = {**envelope, "event_type": named}
    for field, kind in (("event_type", str), ("payload", dict), ("recorded_at", str)):
        if not isinstance(envelope.get(field), kind):
            raise TypeError(f"{field!r} is missing or not a JSON {'object' if kind is dict else 'string'}")
    return envelope


def _named(payload: dict) -> str | None:
    """The event type a Lana payload is (None: no module lanasim knows, or no one variant named)."""
    module = payload.get("module")
    if not isinstance(module, str) or module not in MODULES:
        return None
    variant = payload.get("type")
    if variant is None:  # `CorePriceEvent`, `CoreReportEvent`: no `type` tag, the variant is the key
        keys = [key for key in payload if key != "module"]
        variant = keys[0] if len(keys) == 1 else None
    return event_type_of(module, variant) if isinstance(variant, str) and variant else None


def _sequence(envelope: object) -> int:
    sequence = envelope.get("sequence") if isinstance(envelope, dict) else None
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"sequence {sequence!r} is not a whole number")
    return sequence


def read_outbox(path: str | Path) -> tuple[list[Position], date, int]:
    """(positions, the date the book stands at, the last BTC price in cents), or `BookRefused`
    (a file that is not UTF-8 text, such as a journal, is refused as that in one problem); `-`
    reads standard input."""
    fold, problems = _Fold(), []
    with (nullcontext(sys.stdin.buffer) if str(path) == "-" else Path(path).open("rb")) as lines:
        for number, raw in enumerate(lines, 1):
            try:  # a byte order mark (Windows' "UTF-8" files) is no part of the first envelope
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:  # a binary file (a journal, say): refused as that, and only that
                raise BookRefused(str(path), [BookProblem(number, "-", "not a UTF-8 text file")]) from None
            if not line.strip():  # a blank line (a trailing one, say) carries no envelope
                continue
            try:
                fold.add(json.loads(line))
            except KeyError as bad:
                problems.append(BookProblem(number, "-", f"not a lanasim outbox envelope (no field {bad})"))
            except (ValueError, TypeError) as bad:
                problems.append(BookProblem(number, "-", f"not a lanasim outbox envelope ({bad})"))
    if fold.first not in (None, 1) and not problems:  # a tail (`outbox --after N`): borrowers, activations missing
        problems.append(BookProblem(0, "sequence", f"the export starts at sequence {fold.first}, not 1: what came "
                                                   "before it is missing; export the whole outbox (no --after)"))
    if fold.price is None and not problems:
        problems.append(BookProblem(1, "-", "no core.price.price-updated envelope: no price to import at"))
    positions = [] if problems else _positions(fold, problems)
    if problems:
        raise BookRefused(str(path), problems)
    last: datetime = fold.last  # type: ignore[assignment]  # set by every envelope read, and a price was
    as_of = last.date() if last.time() == datetime.min.time() else last.date() + timedelta(days=1)
    return positions, as_of, fold.price[1]  # type: ignore[index]


def _positions(fold: _Fold, problems: list[BookProblem]) -> list[Position]:
    paid: dict[str, int] = defaultdict(int)
    for obligation_id, amount in fold.allocations.values():
        paid[obligation_id] += amount
    disbursed: dict[str, int] = defaultdict(int, fold.prepaid)
    for facility_id, amount in fold.disbursals.values():
        disbursed[facility_id] += amount
    owed: dict[tuple[str, str], int] = defaultdict(int)
    for obligation_id, (facility_id, kind, amount) in fold.obligations.items():
        owed[(facility_id, kind)] += amount - paid[obligation_id]
    positions = []
    for facility_id, (_, customer, amount, activated) in sorted(fold.facilities.items(), key=lambda f: f[1][0]):
        if facility_id in fold.closed:
            continue
        if facility_id not in fold.terms:
            problems.append(BookProblem(0, facility_id, "no envelope carries this facility's terms"))
            continue
        try:
            terms = terms_from_payload(fold.terms[facility_id])  # Lana's TermValues shape
        except (CreditError, ValueError) as bad:
            problems.append(BookProblem(0, facility_id, f"unknown terms: {bad}"))
            continue
        email = fold.emails.get(fold.parties.get(customer, ""), (0, None))[1]
        if email is None:
            problems.append(BookProblem(0, facility_id, "no envelope carries its borrower's email "
                                                        "(customer-created, party-created)"))
            continue
        collateral = fold.collateral.get(facility_id, (0, 0))[1]
        positions.append(Position(facility_id, email, amount, disbursed[facility_id], owed[(facility_id, "disbursal")],
                                  owed[(facility_id, "interest")], collateral, terms, activated))
    return positions


"""A book rebuilt from a Lana outbox export (the JSON Lines `lanasim outbox` writes).

Folded from the public envelopes only: the facility (`facility-activated`: amount, activation,
customer), its terms (the proposal or pending facility envelope of the same id; for a facility
lanasim imported from a book, lanasim's extension envelope `lanasim.credit.facility-imported`, which
also states what was paid out before the import), the borrower's
email (`customer-created` -> `party-created`), what was disbursed (`disbursal-settled`), principal
and interest still owed (each obligation's initial amount less its `payment-allocation-created`
amounts), the collateral (the last `collateral-updated`), the price (the last `price-updated`).
Completed facilities are left out. The book stands at the first midnight at or after the last
envelope. A facility whose terms no envelope carries is refused by name.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from domains.credit.errors import CreditError
from domains.credit.public_terms import terms_from_payload
from domains.wire import from_pascal
from engine.bank.importer import Position
from scenarios.book.format import BookProblem, BookRefused

__all__ = ["read_outbox"]

IMPORTED = "lanasim.credit.facility-imported"


class _Fold:
    def __init__(self) -> None:
        self.emails: dict[str, str] = {}
        self.parties: dict[str, str] = {}
        self.facilities: dict[str, dict] = {}
        self.terms: dict[str, dict] = {}
        self.disbursed: dict[str, int] = defaultdict(int)
        self.obligations: dict[str, tuple[str, str, int]] = {}
        self.paid: dict[str, int] = defaultdict(int)
        self.collateral: dict[str, int] = {}
        self.closed: set[str] = set()
        self.price: int | None = None
        self.last = ""

    def add(self, envelope: dict) -> None:
        kind, payload = envelope["event_type"], envelope["payload"]
        entity = payload.get("entity", {})
        self.last = max(self.last, envelope["recorded_at"])
        if kind == "core.price.price-updated":
            price = payload["PriceUpdated"]["price"]
            if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
                raise TypeError(f"price {price!r} is not a whole number of cents > 0")
            self.price = price
        elif kind == "core.customer.party-created":
            self.emails[entity["id"]] = entity["email"]
        elif kind == "core.customer.customer-created":
            self.parties[entity["id"]] = entity["party_id"]
        elif kind == "core.credit.facility-activated":
            self.facilities[entity["id"]] = entity
        elif kind == "core.credit.facility-completed":
            self.closed.add(entity["id"])
        elif "terms" in entity and kind.startswith(("core.credit.facility-proposal", "core.credit.pending-credit")):
            self.terms[entity["id"]] = entity["terms"]
        elif kind == IMPORTED:
            # the import settled one disbursal of the principal still owed; the rest was repaid before it
            self.terms[entity["id"]] = entity["terms"]
            self.disbursed[entity["id"]] += entity["disbursed"] - entity["principal"]
        elif kind == "core.credit.disbursal-settled":
            self.disbursed[entity["credit_facility_id"]] += entity["amount"]
        elif kind == "core.credit-collection.obligation-created":
            self.obligations[entity["id"]] = (entity["beneficiary_id"], from_pascal(entity["obligation_type"]),
                                              entity["initial_amount"])
        elif kind == "core.credit-collection.payment-allocation-created":
            self.paid[entity["obligation_id"]] += entity["amount"]
        elif kind == "core.credit-collateral.collateral-updated":
            self.collateral[entity["secured_loan_id"]] = entity["amount"]


def read_outbox(path: str | Path) -> tuple[list[Position], date, int]:
    """(positions, the date the book stands at, the last BTC price in cents), or `BookRefused`
    (a file that is not UTF-8 text, such as a journal, is refused as that in one problem)."""
    fold, problems = _Fold(), []
    with Path(path).open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:  # a binary file (a journal, say): refused as that, and only that
                raise BookRefused(str(path), [BookProblem(number, "-", "not a UTF-8 text file")]) from None
            try:
                fold.add(json.loads(line))
            except (ValueError, KeyError, TypeError) as bad:
                problems.append(BookProblem(number, "-", f"not a lanasim outbox envelope ({bad})"))
    if fold.price is None and not problems:
        problems.append(BookProblem(1, "-", "no core.price.price-updated envelope: no price to import at"))
    positions = [] if problems else _positions(fold, problems)
    if problems:
        raise BookRefused(str(path), problems)
    last = datetime.fromisoformat(fold.last.replace("Z", "+00:00"))
    as_of = last.date() if last.time() == datetime.min.time() else last.date() + timedelta(days=1)
    return positions, as_of, int(fold.price)  # type: ignore[arg-type]


def _positions(fold: _Fold, problems: list[BookProblem]) -> list[Position]:
    owed: dict[tuple[str, str], int] = defaultdict(int)
    for obligation_id, (facility_id, kind, amount) in fold.obligations.items():
        owed[(facility_id, kind)] += amount - fold.paid[obligation_id]
    positions = []
    for facility_id, f in fold.facilities.items():
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
        positions.append(Position(
            facility_id, fold.emails[fold.parties[f["customer_id"]]], f["amount"], fold.disbursed[facility_id],
            owed[(facility_id, "disbursal")], owed[(facility_id, "interest")], fold.collateral.get(facility_id, 0),
            terms, date.fromisoformat(f["activated_at"][:10])))
    return positions


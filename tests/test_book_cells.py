"""A book row in its plainest form is read without building `_Row` (`_plain_position`): whatever
it reads that way is exactly the position `_Row` gives, and anything else is left to `_Row`."""

from __future__ import annotations

import random
from datetime import date

from pydantic import ValidationError

from domains.credit.terms import TermValues
from engine.bank.importer import Position
from scenarios.book.format import _TERM_CELLS, _plain_position, _position, _Row
from scenarios.book.sheet import SheetRow

TERMS = {"annual_rate_pct": "12", "duration_months": "12", "initial_cvl_pct": "140", "margin_call_cvl_pct": "125",
         "liquidation_cvl_pct": "105"}
CELLS = {  # each column's candidates: plain first, then odd-but-valid and invalid ones
    "facility_id": ["f-1", "F_2", "é-3", "a b", "x\x1cy", "-"],
    "customer_email": ["a@b.c", "A+tag@x.io", "a@b@c", "a b@c", "ü@b.c", "@b", "a@", "a\x1f@b"],
    "facility_usd": ["1", "1.5", "0", "1.50", "1.505", "0.01", ".5", "5.", "+5", "-1", "1e3", "1_000", "١",
                     "10000000000000", "10000000000000.01", "0010.10", "１"],
    "disbursed_usd": ["0", "2.25", "1", "1.001", "99999999999999999"],
    "principal_outstanding_usd": ["0", "0.99", "1", "00"],
    "interest_outstanding_usd": ["0", "0.5", "1.234", "3"],
    "collateral_btc": ["0", "0.00000001", "1", "0.000000001", "21000000", "21000000.00000001", "1.5", "٣"],
    "activated_on": ["2024-01-15", "2023-12-31", "2024-02-30", "0000-01-01", "2024-1-5", "2024-01-15T00:00",
                     "２０２４-01-15"],
}


def _by_model(cells: dict[str, str], terms: TermValues) -> Position | None:
    try:
        row = _Row(**cells)
    except ValidationError:
        return None
    return Position(row.facility_id, row.customer_email, int(row.facility_usd * 100), int(row.disbursed_usd * 100),
                    int(row.principal_outstanding_usd * 100), int(row.interest_outstanding_usd * 100),
                    int(row.collateral_btc * 100_000_000), terms, row.activated_on)


def test_a_row_read_without_building_its_model_is_the_position_the_model_gives():
    known: dict = {}
    first = {**TERMS, **{k: v[0] for k, v in CELLS.items()}}
    assert _plain_position(first, None) is None  # terms never read before: `_Row` validates them
    assert _position(first, SheetRow(2, 2, first, ".", []), date(2024, 6, 1), known)[0] is not None
    terms = known[tuple(first.get(k) for k in _TERM_CELLS)]
    rng, plain = random.Random(7), 0
    for _ in range(3000):
        cells = {**TERMS, **{k: rng.choice(v[:2] if rng.random() < 0.8 else v) for k, v in CELLS.items()}}
        if rng.random() < 0.05:
            del cells[rng.choice(list(CELLS))]  # a missing cell
        fast = _plain_position(cells, terms)
        if fast is not None:
            plain += 1
            assert fast == _by_model(cells, terms), cells
    assert plain > 500  # the plain rows were read the fast way

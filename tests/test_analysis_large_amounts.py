"""A stress run's figures stay exact for large facilities: collateral value and reserves are
computed in int64 arrays, where `sats * price` (and `uncovered * basis points`) overflowed and
wrapped to negative values for amounts the parameters allow."""

from __future__ import annotations

import numpy as np
import pytest

from domains.money import MAX_CENTS, sats_to_cents_down
from scenarios.analysis import analyse
from scenarios.analysis.reserves import Aging

FACILITY, LOAN = "f-1", 100_000_000_00  # $100 million, the largest facility_usd a stress book takes
SATS = 12_658_227_848_102  # 126,582 BTC: 1,000 % CVL at $7,900


def _envelope(sequence: int, event_type: str, payload: dict) -> dict:
    return {"sequence": sequence, "event_type": event_type, "recorded_at": f"2020-03-0{sequence}T00:00:00Z",
            "payload": payload}


def test_a_facility_covered_ten_times_has_no_shortfall_and_a_cvl_of_1000_percent():
    facility = {"id": FACILITY, "completed_at": None, "collateralization": {"state": "FullyCollateralized"}}
    envelopes = [
        _envelope(1, "core.credit.facility-activated", {"entity": facility}),
        _envelope(2, "core.credit.disbursal-settled", {"entity": {"credit_facility_id": FACILITY, "amount": LOAN}}),
        _envelope(3, "core.credit-collateral.collateral-updated", {"entity": {"secured_loan_id": FACILITY,
                                                                              "amount": SATS}}),
        _envelope(4, "core.price.price-updated", {"PriceUpdated": {"price": 7_900_00}}),
    ]
    analysis = analyse(envelopes, seed=1, digest="")
    row = analysis.timeseries.iloc[-1]
    value = sats_to_cents_down(SATS, 7_900_00)
    assert (row["collateral_value_cents"], row["shortfall_cents"]) == (value, 0)
    assert round(row["cvl_min"], 6) == round(value * 100 / LOAN, 6)  # 1,000 %, not -845 %
    assert analysis.summary["shortfall_max_cents"] == 0
    assert analysis.facilities["shortfall_cents"].tolist() == [0]


def test_collateral_value_is_the_exact_rounded_down_value_at_any_price():
    from scenarios.analysis.metrics import collateral_value  # the fold's one valuation of the book

    sats = np.array([0, 1, 99_999_999, SATS, 21_000_000 * 100_000_000], np.int64)
    for price in (1, 7_900_00, 10_000_000_00, MAX_CENTS // 10**6):
        assert collateral_value(sats, price).tolist() == [sats_to_cents_down(int(s), price) for s in sats.tolist()]


def test_a_reserve_of_a_whole_uncovered_maximum_balance_is_that_balance():
    aging = Aging({FACILITY: 0})
    aging.take("core.credit-collection.obligation-created", {"entity": {
        "id": "o-1", "beneficiary_id": FACILITY, "outstanding_amount": MAX_CENTS, "due_at": "2020-01-01"}})
    owed, nothing = np.array([MAX_CENTS], np.int64), np.array([0], np.int64)
    assert aging.reserves(owed, nothing, np.array([True]), "2020-12-31T00:00:00Z") == MAX_CENTS  # E: 100 %


def _book_marked_at(price: int, sats: list[int]) -> list[dict]:
    """Facilities of $100 each holding `sats`, then one price update."""
    envelopes, seq = [], 0
    for n, held in enumerate(sats):
        facility = {"id": f"f-{n}", "completed_at": None, "collateralization": {"state": "FullyCollateralized"}}
        for event_type, payload in (
                ("core.credit.facility-activated", {"entity": facility}),
                ("core.credit.disbursal-settled", {"entity": {"credit_facility_id": f"f-{n}", "amount": 100_00}}),
                ("core.credit-collateral.collateral-updated",
                 {"entity": {"secured_loan_id": f"f-{n}", "amount": held}})):
            seq += 1
            envelopes.append({**_envelope(1, event_type, payload), "sequence": seq})
    marked = _envelope(2, "core.price.price-updated", {"PriceUpdated": {"price": price}})
    envelopes.append({**marked, "sequence": seq + 1})
    return envelopes


def test_a_book_worth_more_than_int64_cents_is_refused_in_one_line_not_wrapped_to_a_negative_value():
    """A book opened at $1 a BTC and marked at $100 billion (`path=bridge:...,start=1`): two
    facilities each worth less than int64 cents summed past it, and numpy's sum wrapped without a word
    (the timeseries showed a negative collateral value); one worth more alone ended in an OverflowError."""
    from scenarios.library import ScenarioError

    with pytest.raises(ScenarioError, match="beyond what the outputs hold"):
        analyse(_book_marked_at(10_000_000_000_000, [600_000 * 100_000_000] * 2), seed=1, digest="")
    with pytest.raises(ScenarioError, match="beyond what the outputs hold"):
        analyse(_book_marked_at(MAX_CENTS, [1_000_000 * 100_000_000]), seed=1, digest="")
    fine = analyse(_book_marked_at(10_000_000_000_000, [600_000 * 100_000_000]), seed=1, digest="")
    assert fine.timeseries["collateral_value_cents"].tolist() == [600_000 * 10_000_000_000_000]

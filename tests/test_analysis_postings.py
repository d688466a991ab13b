"""The run analysis folds a cycle that accrued nothing (its facility repaid or liquidated before the
cycle ended): Lana publishes its `AccrualPosted` with a null `posting`, which owes nothing."""

from __future__ import annotations

from scenarios.analysis import analyse

FACILITY = "f-1"


def _envelope(sequence: int, event_type: str, entity: dict) -> dict:
    return {"sequence": sequence, "event_type": event_type, "recorded_at": f"2020-0{sequence}-01T00:00:00Z",
            "payload": {"entity": entity}}


def test_a_cycle_posted_with_no_posting_adds_nothing_to_what_the_facility_owes():
    envelopes = [
        _envelope(1, "core.credit.facility-activated", {"id": FACILITY}),
        _envelope(2, "core.credit.disbursal-settled", {"credit_facility_id": FACILITY, "amount": 1_000_00}),
        _envelope(3, "core.credit.accrual-posted", {"credit_facility_id": FACILITY, "posting": {"amount": 12_34}}),
        _envelope(4, "core.credit.accrual-posted", {"credit_facility_id": FACILITY, "posting": None}),
    ]
    facilities = analyse(envelopes, seed=1, digest="").facilities
    assert facilities.set_index("facility_id").loc[FACILITY, "outstanding_cents_end"] == 1_012_34

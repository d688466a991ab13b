"""A CVL a committee reads (summary.json's `min_cvl_pct`, the run page, the sweep table) is cut to
its decimals as Lana truncates CVLs, never rounded up: 104.996 % rounded read 105.00 %, as if the
facility had not gone under a 105 % liquidation CVL."""

from __future__ import annotations

import pandas as pd

from scenarios.analysis import analyse
from scenarios.analysis.units import human
from scenarios.sweep.outputs import print_risk
from scenarios.sweep.risk import risk_table

FACILITY, LOAN, PRICE = "f-1", 100_000_00, 100_000_00
SATS = 104_996_000  # worth $104,996.00 at $100,000: a CVL of 104.996 %


def _envelope(sequence: int, event_type: str, payload: dict) -> dict:
    return {"sequence": sequence, "event_type": event_type, "recorded_at": f"2020-03-0{sequence}T00:00:00Z",
            "payload": payload}


def test_a_facility_just_under_its_liquidation_cvl_reads_under_it():
    facility = {"id": FACILITY, "completed_at": None, "collateralization": {"state": "UnderLiquidationThreshold"}}
    analysis = analyse([
        _envelope(1, "core.credit.facility-activated", {"entity": facility}),
        _envelope(2, "core.credit.disbursal-settled", {"entity": {"credit_facility_id": FACILITY, "amount": LOAN}}),
        _envelope(3, "core.credit-collateral.collateral-updated", {"entity": {"secured_loan_id": FACILITY,
                                                                              "amount": SATS}}),
        _envelope(4, "core.price.price-updated", {"PriceUpdated": {"price": PRICE}}),
    ], seed=1, digest="")
    assert analysis.summary["min_cvl_pct"] == 104.99
    assert human("cvl_min_pct", analysis.facilities["cvl_min_pct"].iloc[0]) == "104.99 %"


def test_the_sweep_table_cuts_the_lowest_cvl_to_its_one_decimal(capsys):
    runs = pd.DataFrame({"cell": "all", "seed": [1, 2], "status": "ok", "shortfall_end_cents": [0, 100],
                         "min_cvl_pct": [104.99, 120.0]})
    print_risk(risk_table(runs, {"desk_capacity_per_hour": 5}))
    row = [line for line in capsys.readouterr().out.splitlines() if "│" in line][-1]  # notes may follow the table
    last_cell = row.split("│")[-2].strip()
    assert last_cell == "104.9"  # rounded, it read 105.0

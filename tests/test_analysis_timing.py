"""What a stress run's analysis counts, and when: a timeseries row is the book right after its price
update's cascade (nothing recorded later), and a defaulted obligation leaves the outstanding (the
reserves keep it), as the metrics glossary in the README defines them."""

from __future__ import annotations

import json

import pandas as pd

from scenarios.analysis import analyse
from scenarios.cli import main

FACILITY, SATS = "f-1", 100_000_000


def _envelope(sequence: int, at: str, event_type: str, payload: dict) -> dict:
    return {"sequence": sequence, "event_type": event_type, "recorded_at": at, "payload": payload}


def _price(sequence: int, at: str, cents: int) -> dict:
    return _envelope(sequence, at, "core.price.price-updated",
                     {"module": "Price", "PriceUpdated": {"price": cents, "timestamp": at}})


def _collateral(sequence: int, at: str, sats: int) -> dict:
    return _envelope(sequence, at, "core.credit-collateral.collateral-updated",
                     {"entity": {"secured_loan_id": FACILITY, "amount": sats}})


def _opened(owed: int) -> list[dict]:
    at = "2020-03-01T00:00:00Z"
    entity = {"id": FACILITY, "completed_at": None, "collateralization": {"state": "FullyCollateralized"}}
    return [_envelope(1, at, "core.credit.facility-activated", {"entity": entity}),
            _envelope(2, at, "core.credit.disbursal-settled",
                      {"entity": {"credit_facility_id": FACILITY, "amount": owed}})]


def test_a_row_holds_its_updates_cascade_and_nothing_recorded_after_it():
    envelopes = [*_opened(50_000_00), _price(3, "2020-03-01T00:00:00Z", 60_000_00),
                 _collateral(4, "2020-03-01T00:00:00Z", SATS),  # at the update's instant: its cascade
                 _collateral(5, "2020-03-01T02:00:00Z", SATS // 2),  # two hours later: the desk's sale
                 _price(6, "2020-03-02T00:00:00Z", 60_000_00)]
    rows = analyse(envelopes, seed=1, digest="").timeseries
    assert rows["collateral_value_cents"].tolist() == [60_000_00, 30_000_00]
    assert rows["cvl_min"].tolist() == [120.0, 60.0]


def test_the_last_row_is_taken_after_its_cascade_though_the_run_records_more_later():
    envelopes = [*_opened(50_000_00), _price(3, "2020-03-01T00:00:00Z", 60_000_00),
                 _collateral(4, "2020-03-01T00:00:00Z", SATS), _collateral(5, "2020-03-01T05:00:00Z", 0)]
    assert analyse(envelopes, seed=1, digest="").timeseries["collateral_value_cents"].tolist() == [60_000_00]


def test_a_defaulted_obligation_leaves_the_outstanding_and_a_payment_on_it_does_not_count_twice():
    obligation = {"id": "o-1", "beneficiary_id": FACILITY, "outstanding_amount": 20_000_00,
                  "obligation_type": "Interest", "due_at": "2020-01-01", "initial_amount": 20_000_00}
    envelopes = [*_opened(50_000_00),
                 _envelope(3, "2020-03-01T00:00:00Z", "core.credit-collection.obligation-defaulted",
                           {"entity": obligation}),
                 _envelope(4, "2020-03-01T00:00:00Z", "core.credit-collection.payment-allocation-created",
                           {"entity": {"obligation_id": "o-1", "beneficiary_id": FACILITY, "amount": 5_000_00}}),
                 _price(5, "2020-03-01T00:00:00Z", 60_000_00), _collateral(6, "2020-03-01T00:00:00Z", SATS)]
    analysis = analyse(envelopes, seed=1, digest="")
    assert analysis.timeseries["outstanding_cents"].tolist() == [30_000_00]
    assert analysis.facilities.set_index("facility_id").loc[FACILITY, "outstanding_cents_end"] == 30_000_00


def test_in_a_real_crash_every_liquidated_facility_s_lowest_cvl_is_below_its_liquidation_cvl(tmp_path, capsys):
    """The update that takes a facility under 105 % starts its liquidation; the desk sells hours later.
    Taken after the update's cascade, that row shows the facility under the threshold."""
    out = tmp_path / "bear"
    assert main(["run", "bear-2018", "--seed", "3", "--set", "facilities=30", "--set", "days=60",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    facilities = pd.read_parquet(out / "facilities.parquet")
    liquidated = facilities[facilities["liquidations"] > 0]
    assert len(liquidated) and (liquidated["cvl_min_pct"] <= 105).all()
    assert json.loads((out / "summary.json").read_text())["min_cvl_pct"] <= 105

"""A facility imported in a state other than fully collateralized records the change to it, as the
bank announces one, and one under its liquidation CVL starts its partial liquidation at once."""

from __future__ import annotations

import orjson

from domains.credit.collateral.collateralization import CollateralizationState
from domains.credit.math import liquidation_amounts
from scenarios.book.export import branch_at
from scenarios.cli import main
from tests.test_book import imported

ROWS = [  # at $60,000 a BTC: 600 % (fully collateralized), 120 % (margin call), 67.5 % (liquidation)
    "fac-full,ada@example.com,10000,10000,10000,0,1,12,12,2024-01-15,140,125,105",
    "fac-call,bob@example.com,40000,40000,40000,0,0.8,12,12,2024-01-15,140,125,105",
    "fac-liq,cyd@example.com,80000,80000,80000,0,0.9,12,12,2024-01-15,140,125,105",
]


def _published(sim, event_type):
    return {e["payload"]["entity"]["id"]: e["payload"]["entity"] for e in sim.outbox.tail(types=[event_type])}


def test_a_facility_imported_under_its_liquidation_cvl_starts_its_partial_liquidation(tmp_path):
    code, journal = imported(tmp_path, ROWS)
    assert code == 0
    with branch_at(str(journal), None) as sim:
        facility = sim.state("credit-facility", "fac-liq")
        assert facility.collateralization_state is CollateralizationState.UNDER_LIQUIDATION_THRESHOLD
        assert facility.liquidation_running
        trigger = _published(sim, "core.credit.partial-liquidation-initiated")["fac-liq"]["liquidation_trigger"]
        receive, sell = liquidation_amounts(80_000_00, 90_000_000, 6_000_000, facility.terms.initial_cvl)
        assert (trigger["trigger_price"], trigger["initially_expected_to_receive"],
                trigger["initially_estimated_to_liquidate"]) == (6_000_000, receive, sell)
        liquidation = sim.state("liquidation", trigger["liquidation_id"])  # opened by the bank's own policy
        assert (liquidation.facility_id, liquidation.collateral_id, liquidation.estimated_to_liquidate) == \
            ("fac-liq", facility.collateral_id, sell)
        assert set(_published(sim, "core.credit.partial-liquidation-initiated")) == {"fac-liq"}


def test_a_margin_call_at_import_is_announced_and_a_fully_collateralized_facility_is_not(tmp_path):
    code, journal = imported(tmp_path, ROWS)
    assert code == 0
    with branch_at(str(journal), None) as sim:
        changed = _published(sim, "core.credit.facility-collateralization-changed")
        assert {k: v["collateralization"]["state"] for k, v in changed.items()} == {
            "fac-call": "UnderMarginCallThreshold", "fac-liq": "UnderLiquidationThreshold"}
        assert not sim.state("credit-facility", "fac-call").liquidation_running


def test_a_stress_from_an_imported_journal_sells_the_collateral_of_a_liquidation_begun_at_import(tmp_path, capsys):
    """No `--seed`: the run's default seed 0, as a synthetic run's."""
    code, journal = imported(tmp_path, ROWS)
    assert code == 0
    out = tmp_path / "run"
    assert main(["run", "ftx-2022", "--from", str(journal), "--set", "lead_days=0", "--set", "days=2",
                 "--out", str(out), "--json"]) == 0
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["seed"] == 0 and summary["facilities"] == 3
    assert summary["liquidations_executed"] >= 1 and summary["btc_sold_sats"] > 0  # fac-liq's, begun at import


def test_interest_defaulted_by_the_import_date_is_left_out_of_the_cvl_and_starts_no_liquidation(tmp_path):
    """$80,000 principal and $5,000 of January's interest, defaulted a day after it fell due, on
    1.5 BTC at $58,000: the bank counts 108.75 % (a margin call) on $80,000, as its books do after
    the import. Counting the defaulted interest (102 %) started a liquidation sized to receive
    $80,000, left running once the defaulted interest re-evaluated the facility to a margin call."""
    header = ("facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,"
              "interest_outstanding_usd,collateral_btc,annual_rate_pct,duration_months,activated_on,"
              "initial_cvl_pct,margin_call_cvl_pct,liquidation_cvl_pct,obligation_defaulted_duration_from_due")
    row = "fac-def,ada@example.com,100000,100000,80000,5000,1.5,12,12,2024-01-15,140,125,105,1"
    code, journal = imported(tmp_path, [row], header, price="58000")
    assert code == 0
    with branch_at(str(journal), None) as sim:
        facility = sim.state("credit-facility", "fac-def")
        assert sim.credit.books("fac-def")[:1] + sim.credit.books("fac-def")[4:] == (80_000_00, 5_000_00)
        assert facility.collateralization_state is CollateralizationState.UNDER_MARGIN_CALL_THRESHOLD
        assert not facility.liquidation_running
        assert _published(sim, "core.credit.partial-liquidation-initiated") == {}
        changed = _published(sim, "core.credit.facility-collateralization-changed")["fac-def"]
        assert changed["collateralization"]["state"] == "UnderMarginCallThreshold"

"""A facility that owes nothing is under no margin call (README: Metrics glossary). Lana calls a
facility `NoCollateral` whenever its collateral is worth nothing, owed or not, so a liquidation that
sold all of it and repaid the whole debt (a bad print started it, the price was back by the sale)
left the facility `NoCollateral` owing nothing: the run counted it still under margin call, its hours
running to the end, and under liquidation in every timeseries row after the sale."""

from __future__ import annotations

from scenarios import run_stress
from scenarios.analysis import analyse
from tests.support import FACILITY, envelopes, in_state, opened


def _envelopes(proceeds_cents: int) -> list[dict]:
    """$1,000 owed against 0.02 BTC at $60,000; a print of $30,000 at 01:00 starts a liquidation of
    all of it, the price is back at 02:00, the desk sells the 0.02 BTC at 03:00 for `proceeds_cents`,
    applied to the debt (at most what is owed); the feed goes on to 10:00."""
    paid = min(proceeds_cents, 1_000_00)
    rows = [
        *opened(1_000_00, 2_000_000, 60_000_00),
        ("01:00", "core.price.price-updated", {"PriceUpdated": {"price": 30_000_00}}),
        ("01:00", "core.credit.partial-liquidation-initiated", {"entity": in_state("UnderLiquidationThreshold")}),
        ("02:00", "core.price.price-updated", {"PriceUpdated": {"price": 60_000_00}}),
        ("02:00", "core.credit.facility-collateralization-changed", {"entity": in_state("FullyCollateralized")}),
        ("03:00", "core.credit-collateral.collateral-updated", {"entity": {"secured_loan_id": FACILITY, "amount": 0}}),
        ("03:00", "core.credit-collateral.liquidation-collateral-sent-out",
         {"liquidation_id": "l-1", "secured_loan_id": FACILITY, "amount": 2_000_000}),
        ("03:00", "core.credit.facility-collateralization-changed", {"entity": in_state("NoCollateral")}),
        ("03:00", "core.credit-collateral.liquidation-proceeds-received",
         {"liquidation_id": "l-1", "secured_loan_id": FACILITY, "amount": proceeds_cents, "payment_id": "p-1"}),
        ("03:00", "core.credit-collection.payment-created", {"entity": {"id": "p-1", "amount": paid}}),
        ("03:00", "core.credit-collateral.liquidation-completed", {}),
        ("03:00", "core.credit-collection.payment-allocation-created",
         {"entity": {"obligation_id": "o-1", "beneficiary_id": FACILITY, "amount": paid}}),
        ("04:00", "core.price.price-updated", {"PriceUpdated": {"price": 60_000_00}}),
        ("10:00", "core.price.price-updated", {"PriceUpdated": {"price": 60_000_00}}),
    ]
    return envelopes(rows)


def test_a_facility_a_liquidation_repaid_in_full_is_no_longer_under_margin_call():
    analysis = analyse(_envelopes(1_150_00), seed=1, digest="")
    assert analysis.summary["still_under_margin_call"] == 0
    assert analysis.facilities["hours_under_margin_call"].tolist() == [1.0]  # 01:00 to 02:00 only
    assert analysis.summary["hours_under_margin_call_mean"] == 1.0
    assert analysis.summary["proceeds_surplus_cents"] == 150_00  # $1,150 received, $1,000 owed and paid
    after_sale = analysis.timeseries[analysis.timeseries["time"] >= "2024-01-01T04:00:00Z"]
    assert after_sale["under_liquidation"].tolist() == [0, 0]
    assert after_sale["fully_collateralized"].tolist() == [1, 1]


def test_a_facility_left_owing_without_collateral_stays_under_margin_call():
    """The sale fell $100 short: no collateral and a debt is the worst margin call there is."""
    analysis = analyse(_envelopes(900_00), seed=1, digest="")
    assert analysis.summary["still_under_margin_call"] == 1
    assert analysis.facilities["hours_under_margin_call"].tolist() == [8.0]  # 01:00-02:00, 03:00-10:00
    assert analysis.timeseries["under_liquidation"].iloc[-1] == 1
    assert analysis.summary["shortfall_end_cents"] == 100_00


def test_a_bad_print_that_liquidates_whole_facilities_leaves_none_of_them_called():
    """The stress run a user gets with `--set spike_pct=-40`: the print starts liquidations sized past
    the collateral; by the sale the price is back, so the proceeds repay those facilities in full."""
    run = run_stress("stress", seed=1, facilities=10, days=2, path="gbm:mu=0,sigma=0.2,start=60000",
                     spike_after_hours=10, spike_pct=-40, desk_capacity_per_hour=1)
    facilities, last = run.facilities, run.timeseries.iloc[-1]
    paid_off = facilities[(facilities["collateral_sats_end"] == 0) & (facilities["outstanding_cents_end"] == 0)]
    assert len(paid_off) == 2  # the case this covers
    assert (paid_off["hours_under_margin_call"] < 24).all()
    assert run.summary["still_under_margin_call"] == 0 == last["under_margin_call"] + last["under_liquidation"]

"""A run's loss is the shortfall at the end of its horizon (README: Metrics glossary; a sweep's
`loss`), not at its last price update: when the feed publishes nothing at the end (a stale feed, a
gap, updates that do not land on the horizon) the desk still sells and borrowers still pay, and the
book the bank is left with is the one after them, at the price in force."""

from __future__ import annotations

from engine import Simulation
from scenarios.analysis import analyse, analyse_run
from scenarios.library import load_scenario
from tests.support import FACILITY, envelopes, in_state, opened

SATS_PER_BTC = 100_000_000


def _envelopes() -> list[dict]:
    """$1,000 owed against 0.02 BTC; BTC falls from $60,000 to $40,000 (shortfall $200), the feed
    stops, and two hours later the desk sells 0.01 BTC for $390 (slipped $10), paid to the facility:
    $610 owed against 0.01 BTC ($400), a shortfall of $210 at the end."""
    rows = [
        *opened(1_000_00, 2_000_000, 60_000_00),
        ("01:00", "core.price.price-updated", {"PriceUpdated": {"price": 40_000_00}}),
        ("01:00", "core.credit.partial-liquidation-initiated", {"entity": in_state("UnderLiquidationThreshold")}),
        ("03:00", "core.credit-collateral.collateral-updated",
         {"entity": {"secured_loan_id": FACILITY, "amount": 1_000_000}}),
        ("03:00", "core.credit-collateral.liquidation-collateral-sent-out",
         {"liquidation_id": "l-1", "secured_loan_id": FACILITY, "amount": 1_000_000}),
        ("03:00", "core.credit-collateral.liquidation-proceeds-received",
         {"liquidation_id": "l-1", "secured_loan_id": FACILITY, "amount": 390_00, "payment_id": "p-1"}),
        ("03:00", "core.credit-collection.payment-created", {"entity": {"id": "p-1", "amount": 390_00}}),
        ("03:00", "core.credit-collection.payment-allocation-created",
         {"entity": {"obligation_id": "o-1", "beneficiary_id": FACILITY, "amount": 390_00}}),
        ("03:00", "core.credit-collateral.liquidation-completed", {}),
    ]
    return envelopes(rows)


def test_the_shortfall_at_the_end_counts_what_happened_after_the_last_price_update():
    analysis = analyse(_envelopes(), seed=1, digest="")
    assert analysis.timeseries["shortfall_cents"].tolist() == [0, 200_00]  # one row per price update
    assert analysis.summary["shortfall_end_cents"] == 210_00  # (1,000 - 390) - 0.01 x 40,000
    assert analysis.summary["shortfall_max_cents"] == 210_00  # never below the end's
    assert analysis.facilities["shortfall_cents"].sum() == 210_00
    assert analysis.summary["slippage_cents"] == 10_00
    assert analysis.summary["proceeds_surplus_cents"] == 0  # all $390 paid the debt


def test_a_stale_feed_at_the_end_leaves_the_loss_the_bank_holds_at_the_end():
    """march-2020, 10 facilities, the feed stale from the trough to past the horizon: the desk sells
    what the crash started liquidating at the stale price, and the summary's shortfall at the end is
    the bank's own books then (each open facility's outstanding less its collateral's value)."""
    scenario = load_scenario("march-2020")
    params = {**scenario.defaults, "facilities": 10, "days": 3, "stale_after_hours": 30, "stale_hours": 100}
    with Simulation(seed=1, start=scenario.start(params)) as sim:
        summary = scenario.module.story(sim, **params)
        analysis = analyse_run(sim)
        price = sim.price.current()
        held = 0
        for facility in sim.journal.entity_ids("credit-facility"):
            view = sim.credit.facility(facility)
            if view.status.value != "closed":
                held += max(0, view.books.outstanding - view.collateral_sats * price // SATS_PER_BTC)
    last_update = analysis.timeseries["shortfall_cents"].iloc[-1]
    assert summary["liquidations_executed"] > 0 and last_update != held  # the case this covers
    assert summary["shortfall_end_cents"] == held == analysis.facilities["shortfall_cents"].sum()
    assert summary["shortfall_max_cents"] >= held


def test_a_defaulted_balance_the_collateral_does_not_cover_is_part_of_the_shortfall():
    """A facility owing $10,000 of defaulted principal against 0.1 BTC at $60,000 ($6,000): Lana's
    outstanding (and CVL) leaves defaulted balances out, but the bank is still owed them, and $4,000
    of it is covered by nothing. The shortfall (a run's loss) said $0 while the same row's NCB-022
    reserve was 1 % of that $4,000."""
    outbox = [
        {"sequence": n, "event_type": kind, "recorded_at": "2024-03-10T00:00:00Z", "payload": payload}
        for n, (kind, payload) in enumerate([
            ("core.credit.facility-activated", {"entity": in_state("NoExposure")}),
            ("core.credit.disbursal-settled", {"entity": {"credit_facility_id": FACILITY, "amount": 10_000_00}}),
            ("core.credit-collection.obligation-created",
             {"entity": {"id": "o-1", "beneficiary_id": FACILITY, "outstanding_amount": 10_000_00,
                         "due_at": "2024-02-15"}}),
            ("core.credit-collection.obligation-defaulted",
             {"entity": {"id": "o-1", "beneficiary_id": FACILITY, "outstanding_amount": 10_000_00}}),
            ("core.credit-collateral.collateral-updated",
             {"entity": {"secured_loan_id": FACILITY, "amount": 10_000_000}}),
            ("core.price.price-updated", {"PriceUpdated": {"price": 60_000_00}}),
        ], start=1)]
    analysis = analyse(outbox, seed=1, digest="")
    row = analysis.timeseries.iloc[-1]
    assert row["outstanding_cents"] == 0  # Lana's outstanding: defaulted balances out
    assert row["shortfall_cents"] == 4_000_00 and row["reserves_cents"] == 40_00  # 24 days past due: 1 %
    assert analysis.summary["shortfall_end_cents"] == 4_000_00
    assert analysis.facilities["shortfall_cents"].tolist() == [4_000_00]

"""Invariants across a Black Thursday crash, through the whole stack (the `march-2020` preset of
`stress` on a small book): collateral never negative, liquidations only from UnderLiquidationThreshold, every
sat accounted for, the ledger balanced in USD and BTC, the desk's capacity and delay kept, the same
seed giving the same run, and bad input refused with typed errors."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from domains.accounting import chart
from domains.credit import facility as ev
from domains.price import InvalidPrice
from engine import Simulation
from engine.kernel.clock import parse_instant
from scenarios.behaviour.agents import InvalidDeskSettings
from scenarios.cli import main
from scenarios.library import load_scenario
from scenarios.market.paths import Crash, InvalidPricePath, black_thursday_2020

SMALL = {"facilities": 24, "days": 4, "desk_capacity_per_hour": 1}
ULT = "under_liquidation_threshold"
HOUR = 3600


def told(seed: int, **overrides):
    """The story told on a small book (one liquidation an hour, so the desk queues); the sim stays open."""
    scenario = load_scenario("march-2020")
    params = {**scenario.defaults, **SMALL, **overrides}
    sim = Simulation(seed=seed, start=scenario.start(params))
    try:
        return sim, scenario.module.story(sim, **params)
    except Exception:
        sim.close(deliver=False)
        raise


@pytest.fixture(scope="module")
def crash():
    sim, summary = told(seed=1)
    yield sim, summary
    sim.close()


def published(sim, event_type: str) -> list[dict]:
    return sim.outbox.tail(types=[event_type])


def facilities(sim) -> list[str]:
    return [e["payload"]["entity"]["id"] for e in published(sim, "core.credit.facility-activated")]


def test_the_crash_brings_margin_calls_and_liquidations(crash):
    sim, summary = crash
    assert len(published(sim, "core.credit.partial-liquidation-initiated")) > 3
    assert len(published(sim, "core.credit-collateral.liquidation-completed")) > 3
    assert summary["liquidations_executed"] > 3 and sim.ledger.is_balanced()


def test_collateral_is_never_negative(crash):
    sim, _ = crash
    amounts = [e["payload"]["entity"]["amount"] for e in published(sim, "core.credit-collateral.collateral-updated")]
    assert amounts and min(amounts) >= 0
    for as_of in ("2020-03-12T12:00:00Z", "2020-03-13T06:00:00Z", "2020-03-14T00:00:00Z", None):
        for line in sim.ledger.trial_balance(as_of):
            if line.currency.value == "BTC" and "collateral" in line.account:
                assert line.balance >= 0, (as_of, line)


def test_every_liquidation_started_from_under_the_liquidation_threshold(crash):
    sim, _ = crash
    started = {}
    for facility in facilities(sim):
        stream = sim.journal.stream("credit-facility", facility)
        for before, event in pairwise(stream):
            if isinstance(event.event, ev.PartialLiquidationInitiated):
                assert isinstance(before.event, ev.CollateralizationStateChanged) and before.event.state.value == ULT
                assert sim.load("credit-facility", facility, seq=event.seq).collateralization_state.value == ULT
                started[event.event.liquidation_id] = facility
    sent = published(sim, "core.credit-collateral.liquidation-collateral-sent-out")
    assert sent and all(started.get(e["payload"]["liquidation_id"]) == e["payload"]["secured_loan_id"] for e in sent)


def test_liquidated_and_remaining_sats_add_up_to_the_collateral_posted(crash):
    sim, _ = crash
    posted, sold = Counter(), Counter()
    for e in published(sim, "core.credit-collateral.collateral-updated"):
        entity = e["payload"]["entity"]
        if entity["adjustment"]["direction"] == "Add":
            posted[entity["secured_loan_id"]] += entity["adjustment"]["abs_diff"]
    for e in published(sim, "core.credit-collateral.liquidation-collateral-sent-out"):
        sold[e["payload"]["secured_loan_id"]] += e["payload"]["amount"]
    assert sum(sold.values()) > 0
    for facility in facilities(sim):
        collateral_id = sim.state("credit-facility", facility).collateral_id
        remaining = sim.ledger.balance(chart.collateral(collateral_id), "BTC")
        liquidated = sim.ledger.balance(chart.liquidated_collateral(collateral_id), "BTC") + \
            sim.ledger.balance(chart.collateral_in_liquidation(collateral_id), "BTC")
        assert remaining == sim.state("collateral", collateral_id).amount
        assert (liquidated, liquidated + remaining) == (sold[facility], posted[facility])


def test_the_ledger_balances_in_usd_and_in_btc(crash):
    sim, _ = crash
    totals = Counter()
    for line in sim.ledger.trial_balance():
        totals[line.currency.value, "debit"] += line.debit
        totals[line.currency.value, "credit"] += line.credit
    assert totals["BTC", "debit"] == totals["BTC", "credit"] > 0
    assert totals["USD", "debit"] == totals["USD", "credit"] > 0
    assert sim.ledger.is_balanced()


def test_the_desk_works_first_come_first_served_after_its_delay_one_an_hour(crash):
    sim, _ = crash
    started = {e["payload"]["entity"]["liquidation_trigger"]["liquidation_id"]: _seconds(sim, e["recorded_at"])
               for e in published(sim, "core.credit.partial-liquidation-initiated")}
    done = [(e["payload"]["liquidation_id"], _seconds(sim, e["recorded_at"]))
            for e in published(sim, "core.credit-collateral.liquidation-proceeds-received")]
    assert [liquidation for liquidation, _ in done] == list(started)  # every one, in the order they started
    waits = [at - started[liquidation] for liquidation, at in done]
    assert min(waits) == 2 * HOUR and max(waits) > 2 * HOUR  # the delay, and a queue when two start at once
    assert max(Counter(at // HOUR for _, at in done).values()) == 1


def _seconds(sim, instant: str) -> int:
    """Sim seconds since the start at an envelope's `recorded_at`."""
    return int((parse_instant(instant) - sim.clock.start).total_seconds())


def test_the_same_seed_tells_the_same_story_and_another_seed_does_not(crash):
    sim, summary = crash
    again, again_summary = told(seed=1)
    other, _ = told(seed=2)
    with again, other:
        assert again_summary == summary and again.journal.digest() == sim.journal.digest()
        assert other.journal.digest() != sim.journal.digest()


def test_a_desk_setting_out_of_range_stops_the_run_with_one_line(capsys, tmp_path):
    assert main(["run", "march-2020", "--out", str(tmp_path / "run"), "--set", "desk_capacity_per_hour=0"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "desk_capacity_per_hour=0 is out of range [1 .. 100000]" in line
    with pytest.raises(InvalidDeskSettings) as refused:
        told(seed=1, desk_delay_hours=-2)
    assert refused.value.field == "delay_hours"


def test_a_crash_to_zero_or_below_is_refused_by_the_path():
    with pytest.raises(InvalidPricePath) as refused:
        Crash(790_000, 1.0, 0, 30 * HOUR, 0, 0.0)  # -100 %
    assert (refused.value.field, refused.value.problem) == ("depth", "must be strictly between 0 and 1")
    with pytest.raises(InvalidPricePath) as refused:
        black_thursday_2020(-790_000)
    assert refused.value.field == "s0_cents"


class _ToZero:
    """A hand-written path that reaches zero after two hours."""

    def price_at(self, t: int) -> int:
        return 790_000 if t < 2 * HOUR else 0

    def describe(self) -> dict:
        return {"kind": "to-zero"}


def test_a_feed_that_reaches_zero_is_refused_by_the_feed():
    with Simulation(seed=1) as sim:
        sim.price.follow(_ToZero(), every_seconds=HOUR)
        with pytest.raises(InvalidPrice) as refused:
            sim.advance(hours=3)
        assert (refused.value.price, refused.value.at_second) == (0, 2 * HOUR)
        assert sim.price.current() == 790_000

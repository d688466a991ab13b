"""Price from several providers (Lana `core/price`): given providers' readings -> when polled ->
then the upper median is published, or nothing when every provider fails, with the staleness of the
price in use recorded (Lana itself flags nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domains.price.providers import NoProviders, poll, upper_median
from engine import Simulation
from scenarios.market import with_faults
from scenarios.market.paths import Constant

AT = datetime(2024, 1, 1, tzinfo=UTC)


def test_given_an_odd_number_of_prices_the_middle_one_is_published():
    assert upper_median([300, 100, 200]) == 200


def test_given_an_even_number_of_prices_the_higher_middle_one_is_published():
    assert upper_median([100, 400, 200, 300]) == 300


def test_given_no_price_there_is_no_median():
    assert upper_median([]) is None


def test_when_one_provider_fails_the_median_of_the_others_is_published_and_nothing_is_stale():
    tick = poll({"bitfinex": None, "manual": 100, "other": 200}, AT, AT - timedelta(minutes=1))
    assert (tick.published, tick.staleness_s) == (200, 0)
    assert tick.readings == (("bitfinex", None), ("manual", 100), ("other", 200))


def test_when_every_provider_fails_nothing_is_published_and_the_price_in_use_ages():
    tick = poll({"bitfinex": None, "manual": None}, AT, AT - timedelta(minutes=5))
    assert (tick.published, tick.staleness_s) == (None, 300)


def test_a_feed_without_providers_is_refused():
    with Simulation(seed=1) as sim, pytest.raises(NoProviders):
        sim.price.follow_providers({})


# -- scenario ------------------------------------------------------------------------------------
def test_scenario_three_providers_through_an_outage_keep_the_last_price_and_record_its_age():
    """manual is down from 5 min for 2 h; bitfinex and kraken from 10 min for 1 h. Polled every 60 s
    from t=0: three prices, then two (the upper median of two is the higher), then none for an hour
    (the price published at t=540 s stays in use, ageing), then two again."""
    providers = {
        "bitfinex": with_faults(Constant(7_000_000), stale=(600, 1.0)),
        "kraken": with_faults(Constant(7_100_000), stale=(600, 1.0)),
        "manual": with_faults(Constant(6_900_000), stale=(300, 2.0)),
    }
    with Simulation(seed=1, start="2024-01-01") as sim:
        feed = sim.price.follow_providers(providers)
        sim.advance(minutes=4)
        assert sim.price.current() == 7_000_000  # median of 6.9M, 7.0M, 7.1M
        sim.advance(minutes=5)
        assert sim.price.current() == 7_100_000 and sim.price.staleness_s() == 0
        sim.advance(minutes=30)
        assert sim.price.current() == 7_100_000  # nothing published since t=540 s: the last price stays
        assert sim.price.staleness_s() == 39 * 60 - 540
        sim.advance(minutes=40)
        assert sim.price.staleness_s() == 0
        assert feed.max_staleness_s == 4140 - 540  # the last failed poll, before t=4200 s published again
        assert [t.published for t in feed.ticks[9:11]] == [7_100_000, None]
        prices = [e["payload"]["PriceUpdated"]["price"] for e in sim.outbox.tail(types="core.price.price-updated")]
        assert sorted(set(prices)) == [7_000_000, 7_100_000]

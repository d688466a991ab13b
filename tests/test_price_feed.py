"""The price module and feed: latest price, sampled paths, refusals that journal nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domains.price import PRICE, InvalidPrice
from domains.time import CALENDAR
from engine import Simulation
from scenarios.market.paths import Constant, Stepped


@pytest.fixture
def market(tmp_path):
    with Simulation(seed=4, journal=str(tmp_path / "j.sqlite"), aggregates=[PRICE, CALENDAR]) as sim:
        yield sim


def test_there_is_no_price_until_one_is_published(market):
    assert market.price.current() is None
    market.price.set(6_500_000)
    assert market.price.current() == 6_500_000


def test_a_followed_path_is_sampled_at_its_interval_before_other_work(market):
    market.price.follow(Stepped(((0, 5_000_000), (7_200, 4_000_000))), every_seconds=1_800)
    market.advance(hours=3)
    prices = [(e["recorded_at"][11:16], e["payload"]["PriceUpdated"]["price"])
              for e in market.outbox.tail(types="core.price.price-updated")]
    assert prices == [("00:00", 5_000_000), ("00:30", 5_000_000), ("01:00", 5_000_000), ("01:30", 5_000_000),
                      ("02:00", 4_000_000), ("02:30", 4_000_000), ("03:00", 4_000_000)]
    assert market.price.current() == 4_000_000


def test_following_a_new_path_stops_the_old_feed(market):
    market.price.follow(Constant(5_000_000), every_seconds=600)
    market.advance(hours=1)
    market.price.follow(Constant(3_000_000), every_seconds=600)
    market.advance(hours=5)
    assert market.price.current() == 3_000_000


@pytest.mark.parametrize("bad", [0, -1, 1.5, Decimal("100"), "6500000", True])
def test_a_non_positive_or_non_integer_price_is_refused_and_nothing_is_journaled(market, bad):
    market.price.set(6_500_000)
    before = market.journal.digest()
    with pytest.raises(InvalidPrice) as err:
        market.price.set(bad)
    assert err.value.price == bad and market.journal.digest() == before


def test_a_path_that_leaves_the_positive_integers_stops_the_feed_with_a_typed_error(market):
    class Broken:
        def price_at(self, t: int) -> int:
            return 5_000_000 if t < 3_600 else 0

    market.price.follow(Broken(), every_seconds=3_600)
    before_prices = market.price.current()
    with pytest.raises(InvalidPrice) as err:
        market.advance(hours=2)
    assert err.value.price == 0 and err.value.at_second == 3_600
    assert market.price.current() == before_prices == 5_000_000


@pytest.mark.parametrize("path", [None, lambda t: 6_000_000, 6_000_000])
def test_following_something_that_is_not_a_price_path_is_refused_before_any_tick(market, path):
    before = market.journal.digest()
    with pytest.raises(InvalidPrice, match="is not a price path"):
        market.price.follow(path, every_seconds=3_600)
    market.advance(hours=2)
    assert market.journal.digest() == before and market.price.current() is None  # no feed was started

"""Oracle faults: a stale feed publishes nothing for N hours, a bad print lasts one tick, gaps recur."""

from __future__ import annotations

import pytest

from domains.price import PRICE
from domains.time import CALENDAR
from engine import Simulation
from scenarios.market import InvalidFault, path_from_spec, with_faults
from scenarios.market.paths import Stepped

HOUR, DAY = 3600, 86400
FLAT = path_from_spec("constant:50000", seed=1)


def readings(path, hours: int, phase: int = 0) -> list[int | None]:
    return [path.price_at(phase + h * HOUR) for h in range(hours)]


def test_a_stale_feed_publishes_nothing_for_its_hours_then_resumes():
    stale = with_faults(FLAT, stale=(5 * HOUR, 3))
    assert readings(stale, 10) == [5_000_000] * 5 + [None] * 3 + [5_000_000] * 2
    assert stale.price_at(8 * HOUR - 1) is None and stale.price_at(5 * HOUR - 1) == 5_000_000


@pytest.mark.parametrize("phase", [0, 1, 1799, 3599])
def test_a_bad_print_is_seen_by_exactly_one_tick_whatever_the_feeds_phase(phase):
    spiked = with_faults(FLAT, spike=(10 * HOUR + 600, -60))
    prints = readings(spiked, 48, phase)
    assert sorted(set(prints)) == [2_000_000, 5_000_000]
    assert prints.count(2_000_000) == 1


def test_a_bad_print_scales_the_paths_own_price_at_that_instant():
    path = path_from_spec("june-2022:noise=0", seed=1)
    spiked = with_faults(path, spike=(DAY, 25), tick_s=600)
    assert spiked.price_at(DAY) == round(path.price_at(DAY) * 1.25)
    assert spiked.price_at(DAY + 600) == path.price_at(DAY + 600)
    assert spiked.start == path.start and spiked.describe()["faults"]["spike_pct"] == 25


def test_gaps_recur_every_period_after_the_first_reading():
    gappy = with_faults(FLAT, gaps=(6 * HOUR, 2 * HOUR))
    assert readings(gappy, 14) == ([5_000_000] * 6 + [None] * 2 + [5_000_000] * 4 + [None] * 2)


@pytest.mark.parametrize(("faults", "fault"), [
    ({"stale": (-1, 3)}, "stale"),
    ({"stale": (0, 0)}, "stale"),
    ({"spike": (0, -100)}, "spike"),
    ({"spike": (0, float("nan"))}, "spike"),
    ({"gaps": (HOUR, HOUR)}, "gaps"),
    ({"gaps": (HOUR, 1.5)}, "gaps"),
    ({"tick_s": 0}, "tick_s"),
])
def test_a_bad_fault_is_refused_with_its_name(faults, fault):
    with pytest.raises(InvalidFault) as refused:
        with_faults(FLAT, **faults)
    assert refused.value.fault == fault and refused.value.problem


def test_the_price_feed_skips_ticks_where_the_oracle_publishes_nothing(tmp_path):
    path = with_faults(Stepped(((0, 5_000_000), (2 * HOUR, 4_000_000))), stale=(HOUR, 3))
    with Simulation(seed=4, journal=str(tmp_path / "j.sqlite"), aggregates=[PRICE, CALENDAR]) as sim:
        sim.price.follow(path, every_seconds=HOUR)
        sim.advance(hours=3)
        assert sim.price.current() == 5_000_000  # the last price stays in use while the feed is stale
        sim.advance(hours=2)
        published = [(e["recorded_at"][11:16], e["payload"]["PriceUpdated"]["price"])
                     for e in sim.outbox.tail(types="core.price.price-updated")]
    assert published == [("00:00", 5_000_000), ("04:00", 4_000_000), ("05:00", 4_000_000)]

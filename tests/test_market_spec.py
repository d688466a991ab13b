"""Market paths by spec string: historical shapes hit their figures, seeds matter, bad specs read as one line."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.market import KINDS, SHAPES, MarketPath, PathSpecError, path_from_spec
from scenarios.market.paths import MAX_CENTS, PricePathError

HOUR, DAY = 3600, 86400


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def hourly(path: MarketPath, until: int | None = None) -> list[int]:
    return [path.price_at(t) for t in range(0, (until or path.length_s) + 1, HOUR)]


# name, start date, start $, trough date, trough $, drawdown % — the figures the shapes are built to
FIGURES = [
    ("black-thursday-2020", "2020-03-12", 7_900, "2020-03-13", 3_950, -50),
    ("may-2021", "2021-05-12", 57_000, "2021-05-19", 30_000, -48),
    ("june-2022", "2022-06-01", 31_800, "2022-06-18", 17_600, -45),
    ("ftx-2022", "2022-11-05", 21_300, "2022-11-21", 15_600, -27),
    ("aug-2024", "2024-07-29", 70_000, "2024-08-05", 49_000, -30),
    ("bear-2018", "2017-12-17", 19_500, "2018-12-15", 3_200, -84),
]


@pytest.mark.parametrize(("name", "start", "start_usd", "trough_day", "trough_usd", "drawdown"), FIGURES)
def test_each_shape_without_noise_starts_bottoms_and_falls_as_documented(
        name, start, start_usd, trough_day, trough_usd, drawdown):
    path = path_from_spec(f"{name}:noise=0", seed=1)
    prices = hourly(path)
    bottom = min(prices)
    assert path.start == utc(start)
    assert path.price_at(0) == start_usd * 100
    assert bottom == trough_usd * 100  # the trough anchor is the lowest price, to the cent
    bottom_at = path.start.timestamp() + prices.index(bottom) * HOUR
    assert datetime.fromtimestamp(bottom_at, UTC).date().isoformat() == trough_day
    assert 100 * (bottom / prices[0] - 1) == pytest.approx(drawdown, abs=1.0)  # within one point


def test_black_thursday_halves_in_30_hours():
    path = path_from_spec("black-thursday-2020:noise=0", seed=1)
    assert path.price_at(30 * HOUR) == path.price_at(0) // 2


def test_most_of_the_ftx_fall_happens_on_8_and_9_november():
    path = path_from_spec("ftx-2022:noise=0", seed=1)
    at = {day: path.price_at(int((utc(day) - path.start).total_seconds())) for day in ("2022-11-08", "2022-11-10")}
    whole_fall = path.price_at(0) - min(hourly(path))
    assert at["2022-11-08"] - at["2022-11-10"] > 0.75 * whole_fall


def test_the_bear_market_lasts_about_a_year_and_a_shape_is_flat_after_its_data():
    path = path_from_spec("bear-2018:noise=0", seed=1)
    assert 360 * DAY <= path.length_s <= 380 * DAY
    assert path.price_at(path.length_s) == path.price_at(path.length_s + 90 * DAY)
    assert path.price_at(-5) == path.price_at(0)


def test_noise_never_moves_an_anchor_and_the_seed_decides_it():
    exact = path_from_spec("june-2022:noise=0", seed=1)
    anchors = [int((at - exact.start).total_seconds()) for at, _ in SHAPES["june-2022"].anchors]
    noisy = {seed: path_from_spec("june-2022:noise=0.01", seed=seed) for seed in (1, 2)}
    for path in noisy.values():
        assert [path.price_at(t) for t in anchors] == [exact.price_at(t) for t in anchors]
    assert hourly(noisy[1]) != hourly(noisy[2])
    assert hourly(noisy[1]) == hourly(path_from_spec("june-2022:noise=0.01", seed=1))
    assert hourly(noisy[1]) != hourly(exact)


def test_a_shape_has_noise_by_default_so_every_seed_sees_another_path_through_the_same_anchors():
    paths = [hourly(path_from_spec("black-thursday-2020", seed=seed), 3 * DAY) for seed in range(5)]
    assert len({tuple(p) for p in paths}) == 5
    assert {p[30] for p in paths} == {395_000}  # the trough anchor, 30 h in, is pinned


def test_a_shape_replays_its_relative_moves_from_a_given_price():
    own = path_from_spec("june-2022:noise=0", seed=1)
    scaled = path_from_spec("june-2022:noise=0", seed=1, price_cents=5_000_000)
    assert scaled.price_at(0) == 5_000_000 and scaled.start == own.start
    for t in range(0, own.length_s, 12 * HOUR):
        assert scaled.price_at(t) / 5_000_000 == pytest.approx(own.price_at(t) / own.price_at(0), abs=1e-6)


@pytest.mark.parametrize("spec", ["gbm:mu=0.1,sigma=0.9", "jump:sigma=0.5,jumps=20", "bridge:target=-40%,days=20"])
def test_a_random_path_is_fixed_by_the_seed_and_another_seed_draws_another(spec):
    def draw(seed: int) -> list[int]:
        return hourly(path_from_spec(spec, seed=seed, price_cents=5_000_000), 10 * DAY)

    assert draw(3) == draw(3)
    assert draw(3) != draw(4)
    assert draw(3)[0] == 5_000_000


def test_a_start_price_in_the_spec_wins_over_the_book_price_and_one_is_needed():
    assert path_from_spec("gbm:start=30000.25", seed=1, price_cents=5_000_000).price_at(0) == 3_000_025
    assert path_from_spec("constant", seed=1, price_cents=5_000_000).price_at(10**9) == 5_000_000
    with pytest.raises(PathSpecError) as refused:
        path_from_spec("gbm:sigma=0.5", seed=1)
    assert refused.value.key == "start"


def test_a_bridge_reaches_its_target_on_its_day_in_dollars_or_percent():
    dollars = path_from_spec("bridge:target=20000,days=7.5,sigma=1.2", seed=9, price_cents=3_000_000)
    percent = path_from_spec("bridge:target=-40%,days=3", seed=9, price_cents=3_000_000)
    assert dollars.price_at(int(7.5 * DAY)) == 2_000_000 == dollars.price_at(400 * DAY)
    assert dollars.length_s == int(7.5 * DAY)
    assert percent.price_at(3 * DAY) == 1_800_000


def test_jumps_give_fatter_tails_than_gbm_of_the_same_diffusion():
    def excess_kurtosis(spec: str) -> float:
        prices = hourly(path_from_spec(spec, seed=5, price_cents=5_000_000), 365 * DAY)
        moves = [math.log(b / a) for a, b in pairwise(prices)]
        mean = sum(moves) / len(moves)
        var = sum((m - mean) ** 2 for m in moves) / len(moves)
        return sum((m - mean) ** 4 for m in moves) / len(moves) / var**2 - 3

    assert abs(excess_kurtosis("gbm:sigma=0.5")) < 0.5
    assert excess_kurtosis("jump:sigma=0.5,jumps=50,jump_mean=0,jump_sd=0.05") > 3


def test_every_kind_describes_itself_as_json_with_its_spec():
    for spec in [*(f"{name}:noise=0.01" for name in SHAPES), "gbm:sigma=0.5", "jump", "bridge:target=1,days=1",
                 "constant:7900"]:
        described = path_from_spec(spec, seed=1, price_cents=790_000).describe()
        assert json.loads(json.dumps(described))["spec"] == spec
    assert path_from_spec("june-2022:noise=0.02", seed=1).describe()["noise"] == 0.02
    assert path_from_spec("gbm:start=1", seed=42).describe()["seed"] == 42  # a random path names its seed
    assert "seed" not in path_from_spec("june-2022:noise=0", seed=42).describe()


def test_kinds_and_keys_read_in_any_case():
    assert path_from_spec("JUNE-2022:Noise=0", seed=1).price_at(0) == 3_180_000
    assert "june-2022" in KINDS and "csv" in KINDS


@pytest.mark.parametrize(("spec", "key", "words"), [
    ("june-2023", "kind", "known: aug-2024, bear-2018"),
    ("", "kind", "unknown market"),
    ("gbm:sigma=0.5,vol=1,start=1", "vol", "known: dt, mu, sigma, start"),
    ("gbm:sigma=lots,start=1", "sigma", "not a number"),
    ("gbm:sigma=-1,start=1", "sigma", "at least 0"),
    ("gbm:start=1,start=2", "start", "twice"),
    ("gbm:start=1,dt=0.5", "dt", "whole number of seconds"),
    ("june-2022:noise=-0.1", "noise", "at least 0"),
    ("june-2022:0.01", None, "not key=value"),
    ("constant:0.001", "price", "at least one cent"),
    ("bridge:target=-100%,days=2,start=1", "target", "above -100%"),
    ("bridge:target=100,start=1", "days", "needs days="),
    ("bridge:target=100,days=0,start=1", "days", "positive"),
    ("csv:", "file", "needs a file"),
    ("gbm:sigma=1e308,start=60000", "sigma", "sigma='1e308' must be at most 10"),
    ("bridge:target=1,days=1,sigma=11,start=60000", "sigma", "at most 10"),
    ("jump:jump_mean=1000,start=60000", "jump_mean", "at most 10"),
    ("jump:jump_mean=-11,start=60000", "jump_mean", "at least -10"),
    ("jump:jump_sd=1e200,start=60000", "jump_sd", "at most 10"),
    ("jump:jumps=1e308,start=60000", "jumps", "at most 10000"),
    ("june-2022:noise=1e308", "noise", "at most 10"),
    ("gbm:sigma=nan,start=60000", "sigma", "not a number"),
    ("constant:1e300", "price", "above $10,000,000,000,000, the highest price a path takes"),
    ("gbm:start=1e300", "start", "above $10,000,000,000,000"),
    ("bridge:target=1e300%,days=1,start=1", "target", "above $10,000,000,000,000"),
    # a run past a century: its description overflowed the journal's integers (TypeError, after the run began)
    ("gbm:start=1,dt=1e30", "dt", "from 1 to 3,155,760,000 (a century)"),
    ("bridge:target=5,days=1e30,start=1", "days", "at most 36,525 (a century)"),
])
def test_a_bad_spec_is_refused_in_one_line_naming_the_problem(spec, key, words):
    with pytest.raises(PathSpecError) as refused:
        path_from_spec(spec, seed=1)
    message = str(refused.value)
    assert "\n" not in message and words in message and message.startswith(f"market spec {spec!r}: ")
    assert refused.value.fields.get("key") == key
    assert isinstance(refused.value, PricePathError)


def test_the_old_constructors_still_import():
    from scenarios.library.march_2020 import black_thursday_2020
    from scenarios.market.paths import ftx_2022, june_2022

    assert black_thursday_2020(790_000).trough_cents == 395_000
    assert june_2022(100).depth == 0.41 and ftx_2022(100).depth == 0.27


def test_a_shifted_shape_holds_its_first_price_until_its_data_begins():
    path = path_from_spec("june-2022:noise=0", seed=1)
    later = path.shifted(3 * DAY)
    assert later.start == path.start - timedelta(days=3) and later.length_s == path.length_s + 3 * DAY
    assert [later.price_at(t) for t in (0, 3 * DAY - 1)] == [path.price_at(0)] * 2
    assert later.price_at(3 * DAY + 17 * HOUR) == path.price_at(17 * HOUR)
    assert path.shifted(-DAY).price_at(0) == path.price_at(DAY)
    assert later.describe()["shift_s"] == 3 * DAY


def test_the_same_seed_gives_the_same_path_in_another_process_whatever_its_hash_seed():
    code = ("from scenarios.market import path_from_spec as p; "
            "print([p(s, seed=11, price_cents=5_000_000).price_at(t) for s in ('june-2022:noise=0.02', 'jump') "
            "for t in range(0, 30 * 86400, 86400)])")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": hash_seed}).stdout for hash_seed in ("1", "2")}
    here = [path_from_spec(s, seed=11, price_cents=5_000_000).price_at(t)
            for s in ("june-2022:noise=0.02", "jump") for t in range(0, 30 * DAY, DAY)]
    assert runs == {f"{here}\n"}


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(SHAPES)), noise=st.floats(0, 0.05), seed=st.integers(0, 2**32),
       price=st.none() | st.integers(1, 10**12), t=st.integers(-DAY, 400 * DAY))
def test_a_shape_reads_a_positive_int_anywhere_for_any_noise_seed_and_price(name, noise, seed, price, t):
    path = path_from_spec(f"{name}:noise={noise!r}", seed=seed, price_cents=price)
    assert type(path.price_at(t)) is int and path.price_at(t) >= 1


@pytest.mark.parametrize("spec", ["gbm:mu=1e308,sigma=10,start=60000", "gbm:mu=-1e308,sigma=10,start=60000",
                                  "jump:mu=1e308,sigma=10,jumps=10000,jump_mean=10,jump_sd=10,start=60000",
                                  "jump:sigma=10,jumps=10000,jump_mean=-10,jump_sd=10,start=60000",
                                  "bridge:target=10000000000000,days=1,sigma=10,start=0.01", "june-2022:noise=10"])
def test_a_path_at_the_ends_of_its_ranges_gives_prices_from_one_cent_to_max_cents(spec):
    path = path_from_spec(spec, seed=1)
    assert all(1 <= path.price_at(t) <= MAX_CENTS for t in range(0, 40 * 86_400, 3_600))

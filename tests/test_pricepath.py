"""Price paths: positive integer cents, seeded determinism, exact pins, typed refusals."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.market.csvfile import CsvReplay
from scenarios.market.paths import (
    GBM,
    MAX_CENTS,
    BrownianBridge,
    Constant,
    Crash,
    InvalidPricePath,
    MalformedPriceFile,
    Stepped,
    black_thursday_2020,
    ftx_2022,
    june_2022,
)

HOUR, DAY = 3600, 86400
START = datetime(2024, 1, 1, tzinfo=UTC)
fast = settings(max_examples=50, deadline=None)

cents = st.integers(min_value=1, max_value=10**12)
sigmas = st.floats(min_value=0.0, max_value=5.0)
dts = st.integers(min_value=1, max_value=7 * DAY)
seeds = st.integers(min_value=0, max_value=2**64)


@st.composite
def gbm_args(draw: st.DrawFn) -> tuple[object, ...]:
    mu = draw(st.floats(min_value=-5.0, max_value=5.0))
    return draw(cents), mu, draw(sigmas), draw(dts)


@st.composite
def bridge_args(draw: st.DrawFn) -> tuple[object, ...]:
    dt = draw(dts)
    target_t = draw(st.integers(min_value=1, max_value=300 * dt))
    return draw(cents), draw(cents), target_t, draw(sigmas), dt


@st.composite
def crash_args(draw: st.DrawFn) -> tuple[object, ...]:
    depth = draw(st.floats(min_value=1e-6, max_value=1 - 1e-6))
    start, duration, recovery = (draw(st.integers(0, 30 * DAY)) for _ in range(3))
    return draw(cents), depth, start, duration, recovery, draw(st.floats(0.0, 3.0))


def query_times(horizon: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(min_value=-DAY, max_value=horizon), min_size=1, max_size=40)


def sample(path: object, times: list[int]) -> dict[int, int]:
    return {t: path.price_at(t) for t in times}  # type: ignore[attr-defined]


# -- properties --------------------------------------------------------------------------------------


@fast
@given(args=gbm_args(), seed=seeds, data=st.data())
def test_gbm_prices_are_positive_ints_and_the_seed_fixes_the_path_in_any_query_order(args, seed, data):
    times = data.draw(query_times(300 * args[3]))
    forward = sample(GBM(*args, random.Random(seed)), sorted(times))
    backward = sample(GBM(*args, random.Random(seed)), sorted(times, reverse=True))
    assert forward == backward
    assert all(type(p) is int and p >= 1 for p in forward.values())


@fast
@given(args=bridge_args(), seed=seeds, data=st.data())
def test_bridge_prices_are_positive_and_the_seed_fixes_the_path_in_any_query_order(args, seed, data):
    times = data.draw(query_times(args[2] + DAY))
    forward = sample(BrownianBridge(*args, random.Random(seed)), sorted(times))
    backward = sample(BrownianBridge(*args, random.Random(seed)), sorted(times, reverse=True))
    assert forward == backward
    assert all(type(p) is int and p >= 1 for p in forward.values())


@fast
@given(args=bridge_args(), seed=seeds, after=st.integers(0, 10 * DAY))
def test_bridge_starts_at_s0_and_hits_its_target_exactly(args, seed, after):
    s0, target, target_t = args[:3]
    bridge = BrownianBridge(*args, random.Random(seed))
    assert bridge.price_at(target_t) == target
    assert bridge.price_at(target_t + after) == target
    assert bridge.price_at(0) == s0


@fast
@given(seed_a=seeds, seed_b=seeds, sigma=st.floats(0.2, 2.0), s0=st.integers(10**6, 10**10))
def test_different_seeds_give_different_gbm_paths(seed_a, seed_b, sigma, s0):
    if seed_a == seed_b:
        seed_b += 1
    times = [k * HOUR for k in range(1, 51)]
    path_a = sample(GBM(s0, 0.0, sigma, HOUR, random.Random(seed_a)), times)
    path_b = sample(GBM(s0, 0.0, sigma, HOUR, random.Random(seed_b)), times)
    assert path_a != path_b


@fast
@given(args=crash_args(), data=st.data())
def test_crash_prices_are_positive_ints_within_the_crash_range(args, data):
    crash = Crash(*args)
    times = data.draw(query_times(args[2] + args[3] + args[4] + DAY))
    low = min(crash.trough_cents, crash.s0_cents, crash.recovered_cents)
    high = max(crash.trough_cents, crash.s0_cents, crash.recovered_cents)
    assert all(type(p) is int and 1 <= low <= p <= high for p in sample(crash, times).values())
    bottom = crash.trough_cents if crash.recovery_s else crash.recovered_cents
    assert crash.price_at(crash.start_s + crash.duration_s) == bottom


def test_a_collapsing_gbm_is_floored_at_one_cent_and_a_runaway_one_capped():
    collapse = GBM(1, -5.0, 0.0, DAY, random.Random(1))
    runaway = GBM(10**12, 5.0, 0.0, 30 * DAY, random.Random(1))
    assert collapse.price_at(400 * DAY) == 1
    assert runaway.price_at(100 * 365 * DAY) == MAX_CENTS


def test_a_path_does_not_depend_on_other_draws_from_the_callers_stream():
    shared = random.Random(7)
    path = GBM(5_000_000, 0.0, 0.8, HOUR, shared)
    early = path.price_at(HOUR)
    shared.random()  # another consumer of the "price" stream draws in between queries
    late = path.price_at(100 * HOUR)
    fresh = GBM(5_000_000, 0.0, 0.8, HOUR, random.Random(7))
    assert (fresh.price_at(HOUR), fresh.price_at(100 * HOUR)) == (early, late)


# -- deterministic paths and presets -----------------------------------------------------------------


def test_constant_is_the_same_price_everywhere():
    assert {Constant(123).price_at(t) for t in (-5, 0, 10**9)} == {123}


def test_stepped_returns_the_last_step_at_or_before_t_and_the_first_before_it():
    path = Stepped([(100, 7_000_000), (200, 6_000_000), (300, 6_500_000)])
    assert [path.price_at(t) for t in (0, 99, 100, 199, 200, 299, 300, 10**6)] == [
        7_000_000, 7_000_000, 7_000_000, 7_000_000, 6_000_000, 6_000_000, 6_500_000, 6_500_000]


def test_black_thursday_bottoms_about_half_about_30_hours_after_start():
    s0, start = 790_000, 2 * DAY
    crash = black_thursday_2020(s0, start_s=start)
    hourly = {t: crash.price_at(t) for t in range(0, start + 10 * 7 * DAY, HOUR)}
    bottom_t = min(hourly, key=hourly.get)
    assert abs(bottom_t - (start + 30 * HOUR)) <= HOUR
    assert hourly[bottom_t] / s0 == pytest.approx(0.5, abs=0.02)
    assert crash.price_at(start - 1) == s0
    assert crash.price_at(start + 30 * HOUR + 7 * 7 * DAY) == pytest.approx(s0, rel=0.05)


@pytest.mark.parametrize(("preset", "drop", "days"), [(june_2022, 0.41, 8), (ftx_2022, 0.27, 4)])
def test_2022_presets_reach_their_documented_drop_at_the_documented_time(preset, drop, days):
    crash = preset(2_100_000, start_s=HOUR)
    assert crash.price_at(HOUR + days * DAY) == round(2_100_000 * (1 - drop))
    assert crash.price_at(HOUR + days * DAY // 2) > crash.price_at(HOUR + days * DAY)


def test_describe_names_the_kind_and_parameters():
    gbm = GBM(5_000_000, 0.1, 0.6, HOUR, random.Random(1))
    assert gbm.describe() == {"kind": "gbm", "s0_cents": 5_000_000, "mu_annual": 0.1,
                              "sigma_annual": 0.6, "dt_seconds": HOUR}
    assert ftx_2022(100, 5).describe()["depth"] == 0.27


# -- validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "field"), [
    (lambda: Constant(0), "cents"),
    (lambda: Stepped([(0, 100), (10, 0)]), "schedule"),
    (lambda: Stepped([(10, 100), (10, 200)]), "schedule"),
    (lambda: Stepped([]), "schedule"),
    (lambda: Crash(100, 1.0, 0, 10, 10, 1.0), "depth"),
    (lambda: Crash(100, 0.0, 0, 10, 10, 1.0), "depth"),
    (lambda: Crash(100, 0.5, 0, -1, 10, 1.0), "duration_s"),
    (lambda: Crash(100, 0.5, 0, 10, 10, -0.1), "recovery_level"),
    (lambda: GBM(-5, 0.0, 0.5, 60, random.Random(1)), "s0_cents"),
    (lambda: GBM(100, 0.0, -0.5, 60, random.Random(1)), "sigma_annual"),
    (lambda: GBM(100, 0.0, 1e308, 60, random.Random(1)), "sigma_annual"),
    (lambda: BrownianBridge(100, 200, 600, 10.5, 60, random.Random(1)), "sigma_annual"),
    (lambda: GBM(100, 0.0, 0.5, 0, random.Random(1)), "dt_seconds"),
    (lambda: GBM(100, float("nan"), 0.5, 60, random.Random(1)), "mu_annual"),
    (lambda: BrownianBridge(100, 200, 0, 0.5, 60, random.Random(1)), "target_t"),
    (lambda: BrownianBridge(100, 0, 600, 0.5, 60, random.Random(1)), "target_cents"),
])
def test_invalid_arguments_raise_a_typed_error_naming_the_field(build, field):
    with pytest.raises(InvalidPricePath) as refused:
        build()
    assert refused.value.field == field
    assert refused.value.problem


# -- CSV replay ------------------------------------------------------------------------------------------

GOOD_CSV = """timestamp,price
2023-12-31T23:00:00Z,42000.00
2024-01-01T00:30:00Z,42100.505
2024-01-01T01:00:00+00:00,42100.515

2024-01-01T02:00:00Z,41000
"""


def test_csv_replay_converts_usd_to_cents_half_even_and_steps_between_rows(tmp_path):
    (tmp_path / "btc.csv").write_text(GOOD_CSV)
    path = CsvReplay.from_file(tmp_path / "btc.csv", START)
    prices = [path.price_at(t) for t in (0, 1799, 1800, 3600, 7199, 7200, 10**6)]
    assert prices == [4_200_000, 4_200_000, 4_210_050, 4_210_052, 4_210_052, 4_100_000, 4_100_000]
    assert path.describe()["rows"] == 4


def test_csv_first_row_price_holds_before_the_first_row():
    path = CsvReplay.from_text("timestamp,price\n2024-01-01T01:00:00Z,5\n", START)
    assert path.price_at(0) == 500
    assert path.price_at(HOUR) == 500


@pytest.mark.parametrize(("text", "line", "words"), [
    ("", 1, "empty"),
    ("timestamp,price\n", 2, "no price rows"),
    ("2024-01-01T00:00:00Z,42000\n", 1, "lacks"),
    ("timestamp,volume\n2024-01-01T00:00:00Z,42000\n", 1, "lacks"),
    ("timestamp,price\n2024-01-01T00:00:00Z,1\nyesterday,42000\n", 3, "timestamp"),
    ("timestamp,price\n2024-01-01T00:00:00Z,1\n2024-01-01T01:00:00Z,abc\n", 3, "not a number"),
    ("timestamp,price\n2024-01-01T00:00:00Z,-42000\n", 2, "at least one cent"),
    ("timestamp,price\n2024-01-01T00:00:00Z,0.004\n", 2, "at least one cent"),
    ("timestamp,price\n2024-01-01T00:00:00Z,1\n\n2024-01-01T00:00:00Z,2\n", 4, "not after"),
    ("timestamp,price\n2024-01-02T00:00:00Z,1\n2024-01-01T00:00:00Z,2\n", 3, "not after"),
    ("timestamp,price\n2024-01-01T00:00:00Z\n", 2, "fields"),
])
def test_malformed_csv_raises_a_typed_error_naming_the_line(tmp_path, text, line, words):
    (tmp_path / "bad.csv").write_text(text)
    with pytest.raises(MalformedPriceFile) as refused:
        CsvReplay.from_file(tmp_path / "bad.csv", START)
    assert refused.value.line == line
    assert words in refused.value.problem
    assert refused.value.path == str(tmp_path / "bad.csv")

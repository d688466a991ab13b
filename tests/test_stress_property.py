"""The stress scenario over its parameter space: any run its checks accept completes, and its summary
holds together (called facilities among the book's, executed liquidations among those started, the
trough at or below the first and last prices, the shortfall's end at or below its maximum, no
negative amount), and agrees with the run's other two outputs (the facilities' rows add up to the
summary's totals, and so does the timeseries' last row when the feed's last update is the run's
end). 600 examples on 7 Dec 2026 (the summary's checks) and 300 more (with the tables'): no
failure; the only refusals were the checks'."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scenarios import run_stress
from scenarios.library.params import ScenarioError

MARKETS = st.sampled_from(["black-thursday-2020", "may-2021", "june-2022", "ftx-2022", "aug-2024", "constant:50000",
                           "gbm:mu=0,sigma=0.8,start=60000", "gbm:mu=-5,sigma=2,start=60000", "jump:start=60000",
                           "bridge:start=60000,target=20000,days=3"])


@st.composite
def params(draw) -> dict[str, object]:
    p: dict[str, object] = dict(
        facilities=draw(st.integers(1, 12)), days=draw(st.integers(1, 6)),
        facility_usd=draw(st.sampled_from([100, 1000, 10000, 2_000_000])),
        size_distribution=draw(st.sampled_from(["fixed", "uniform", "lognormal"])),
        size_spread=draw(st.sampled_from([0, 0.5, 0.99])), aged_share=draw(st.sampled_from([0, 0.5, 1])),
        path=draw(MARKETS), btc_usd=draw(st.sampled_from([0, 1, 100, 60000, 10_000_000])),
        lead_days=draw(st.integers(0, 3)), price_every_minutes=draw(st.sampled_from([1, 30, 60, 1440])),
        top_up_share=draw(st.sampled_from([0, 0.3, 0.6])), repay_share=draw(st.sampled_from([0, 0.2])),
        late_share=draw(st.sampled_from([0, 0.2])), late_days=draw(st.integers(0, 10)),
        top_up_probability=draw(st.sampled_from([0, 0.8, 1])), cure_window_hours=draw(st.sampled_from([1, 72])),
        desk_delay_hours=draw(st.sampled_from([0, 2, 48])), desk_capacity_per_hour=draw(st.sampled_from([1, 5, 1000])),
        base_slippage_bps=draw(st.sampled_from([0, 100, 5000])),
        slippage_bps_per_btc=draw(st.sampled_from([0, 50, 10000])))
    low = draw(st.integers(126, 300))
    p.update(cvl_low=low, cvl_high=low + draw(st.integers(0, 300)))
    if draw(st.booleans()):
        p.update(spike_after_hours=draw(st.integers(0, 48)), spike_pct=draw(st.sampled_from([-99, -50, 100, 1000])))
    if draw(st.booleans()):
        p.update(stale_after_hours=draw(st.integers(0, 48)), stale_hours=draw(st.integers(1, 48)))
    if draw(st.booleans()):
        gap = draw(st.integers(1, 24))
        p.update(gap_every_hours=gap + draw(st.integers(1, 24)), gap_hours=gap)
    return p


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(p=params(), seed=st.integers(0, 2**31))
def test_any_stress_run_the_checks_accept_completes_with_a_summary_that_holds_together(p, seed):
    try:
        result = run_stress("stress", seed=seed, **p)
    except ScenarioError:  # a combination the checks refuse (shares above 1, more BTC than exists...)
        assume(False)
        raise
    s = result.summary
    assert 0 <= s["facilities_called"] <= s["facilities"] == p["facilities"]
    assert s["margin_calls"] >= s["facilities_called"]
    assert 0 <= s["still_under_margin_call"] <= s["facilities"]
    assert 0 <= s["liquidations_executed"] <= s["liquidations_started"]
    assert 0 <= s["shortfall_end_cents"] <= s["shortfall_max_cents"]
    assert s["price_trough_cents"] <= min(s["price_start_cents"], s["price_end_cents"])
    assert min(s["btc_sold_sats"], s["proceeds_cents"], s["proceeds_surplus_cents"], s["slippage_cents"]) >= 0
    assert s["hours_under_margin_call_max"] >= s["hours_under_margin_call_mean"] >= 0
    _agrees_with_the_tables(s, result.facilities, result.timeseries)


def _agrees_with_the_tables(s: dict, f, t) -> None:
    """The summary's totals are the facilities' sums, and, when the feed's last update is at the
    run's end, the timeseries' last row's (a feed silent at the end, stale or in a gap, leaves what
    happened after its last update out of that row, not out of the summary); `min_cvl_pct` is the
    lowest facility's, cut to two decimals."""
    last, end = t.iloc[-1], s["shortfall_end_cents"]
    assert len(f) == s["facilities"]
    assert f["shortfall_cents"].sum() == end
    assert max(t["shortfall_cents"].max(), end) == s["shortfall_max_cents"]
    assert f["sats_sold"].sum() == s["btc_sold_sats"]
    assert f["proceeds_cents"].sum() == s["proceeds_cents"]
    assert f["proceeds_surplus_cents"].sum() == s["proceeds_surplus_cents"]
    assert f["liquidations"].sum() == s["liquidations_executed"]
    assert f["margin_calls"].sum() == s["margin_calls"]
    assert (f["margin_calls"] > 0).sum() == s["facilities_called"]
    assert f["margin_call_instants"].sum() == s["margin_call_instants"]
    assert t["price_cents"].min() == s["price_trough_cents"] and last["price_cents"] == s["price_end_cents"]
    if last["time"].isoformat() == s["run_end_utc"]:
        assert last["shortfall_cents"] == end
        assert last["proceeds_cents_cum"] == s["proceeds_cents"]
        assert last["liquidations_executed_cum"] == s["liquidations_executed"]
        assert f["outstanding_cents_end"].sum() == last["outstanding_cents"]
        value = (f["collateral_sats_end"] * int(last["price_cents"]) // 100_000_000).sum()
        assert value == last["collateral_value_cents"]
    if s["min_cvl_pct"] is not None:
        lowest = f["cvl_min_pct"].min()
        assert s["min_cvl_pct"] <= lowest < s["min_cvl_pct"] + 0.01 + 1e-9

"""A margin call is a spell the bank's state stays under the margin-call CVL, not an instant it passes
through (README: Metrics glossary). A desk sale is recorded as its collateral sent out, then its
proceeds applied, at one instant: between the two Lana's state reads under liquidation or no
collateral, and the run counted each such instant as a margin call a borrower received (122
`margin_calls` of which 46 lasted no time, in a 150-facility GBM run with a -40 % print). They are
counted apart, as `margin_call_instants`, with no marker on the price plot."""

from __future__ import annotations

from scenarios import run_stress
from scenarios.analysis import analyse
from tests.test_analysis_paid_off import _envelopes


def test_a_sale_that_passes_through_no_collateral_is_no_margin_call():
    """The print at 01:00 is a margin call (an hour long); the sale at 03:00, which takes the state
    through no collateral for an instant and repays the debt, is none."""
    analysis = analyse(_envelopes(1_150_00), seed=1, digest="")
    assert analysis.facilities["margin_calls"].tolist() == [1]
    assert analysis.facilities["margin_call_instants"].tolist() == [1]
    assert (analysis.summary["margin_calls"], analysis.summary["margin_call_instants"]) == (1, 1)
    calls = analysis.markers[analysis.markers["kind"] == "margin-call"]
    assert calls["time"].dt.strftime("%H:%M").tolist() == ["01:00"]
    assert analysis.markers["kind"].tolist() == ["margin-call", "liquidation"]  # the sale keeps its marker


def test_a_sale_that_leaves_a_debt_uncovered_is_a_margin_call():
    """The sale fell short: the no-collateral state outlasts its instant, a call to the end of the run."""
    analysis = analyse(_envelopes(900_00), seed=1, digest="")
    assert (analysis.summary["margin_calls"], analysis.summary["margin_call_instants"]) == (2, 0)


def test_a_stress_run_counts_only_calls_that_lasted():
    run = run_stress("stress", seed=1, facilities=10, days=2, path="gbm:mu=0,sigma=0.2,start=60000",
                     spike_after_hours=10, spike_pct=-40, desk_capacity_per_hour=1)
    facilities, summary = run.facilities, run.summary
    called = facilities[facilities["margin_calls"] > 0]
    assert (called["hours_under_margin_call"] > 0).all()
    assert summary["margin_calls"] == 3 == summary["margin_call_instants"] == summary["facilities_called"]
    assert summary["margin_call_instants"] == facilities["margin_call_instants"].sum()

"""What a risk committee reads in report.html and the plots: figures with units, parameters with
units, the worst-facilities ordering stated, quiet panels drawn from zero with a note."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from scenarios.analysis.metrics import Analysis
from scenarios.analysis.page import worst_facilities, write_page
from scenarios.analysis.plots import FIGURES, figures

SUMMARY = {"seed": 1, "facilities": 2, "price_updates": 3, "run_start_utc": "2020-02-25T00:00:00+00:00",
           "price_start_cents": 790_000, "btc_sold_sats": 17_673_560_900, "proceeds_cents": 79_833_506,
           "min_cvl_pct": 38.0, "hours_under_margin_call_mean": 88.29, "digest": "ab"}
FACILITY = {"cvl_start_pct": 150.0, "cvl_min_pct": 140.0, "cvl_end_pct": 145.0, "hours_under_margin_call": 0.0,
            "margin_calls": 0, "liquidations": 0, "sats_sold": 0, "proceeds_cents": 0,
            "collateral_sats_end": 150_000_000, "outstanding_cents_end": 1_000_000, "shortfall_cents": 0}


def quiet_run() -> Analysis:
    """Three price updates, two facilities that never come near a margin call."""
    time = pd.to_datetime(["2024-01-01T00:00Z", "2024-01-01T01:00Z", "2024-01-01T02:00Z"], utc=True)
    zero = [0, 0, 0]
    timeseries = pd.DataFrame({"time": time, "price_cents": [6_000_000] * 3, "facilities_active": [2] * 3,
                               "fully_collateralized": [2] * 3, "under_margin_call": zero, "under_liquidation": zero,
                               "cvl_p05": [140.0] * 3, "cvl_p50": [145.0] * 3, "cvl_p95": [150.0] * 3,
                               "cvl_min": [140.0] * 3, "shortfall_cents": zero, "reserves_cents": zero,
                               "desk_queue": zero, "liquidations_executed_cum": zero, "proceeds_cents_cum": zero})
    facilities = pd.DataFrame([{"facility_id": "b", **FACILITY}, {"facility_id": "a", **FACILITY}])
    markers = pd.DataFrame({"time": pd.to_datetime([], utc=True), "kind": [], "facility_id": [], "price_cents": []})
    return Analysis(dict(SUMMARY), timeseries, facilities, markers)


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "report.html"
    write_page(quiet_run(), {"path": "csv:a&b<c>.csv", "btc_usd": 7900, "desk_capacity_per_hour": 5}, [], path)
    return path.read_text()


def cells(page: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<t[dh]>(.*?)</t[dh]>", page, re.S)]


def test_the_report_writes_money_as_dollars_with_cents_and_collateral_as_btc(page):
    found = cells(page)
    assert "$7,900.00" in found and "$798,335.06" in found and "176.73560900 BTC" in found
    assert "38.00 %" in found and "88.29 h" in found and "2020-02-25 00:00 UTC" in found
    assert "790000" not in found and "every time is UTC" in page


def test_the_report_gives_every_parameter_its_unit(page):
    found = cells(page)
    row = found.index("desk_capacity_per_hour")
    assert found[row + 1: row + 3] == ["5", "liquidations/h"]
    assert found[found.index("btc_usd") + 2] == "USD/BTC"


def test_the_report_escapes_a_parameter_value_holding_markup(page):
    assert "csv:a&amp;b&lt;c&gt;.csv" in page and "<c>" not in page


def test_the_worst_facilities_table_states_its_order_and_breaks_ties_by_facility_id(page):
    assert "Ordered by shortfall at the end of the run (at the last published price), largest first" in page
    assert list(worst_facilities(quiet_run())["facility_id"]) == ["a", "b"]


def test_a_run_without_liquidations_or_shortfall_draws_those_panels_from_zero_with_a_note():
    drawn = figures(quiet_run(), {"desk_capacity_per_hour": 5})
    for name, note in (("liquidations", "no liquidation in this run"), ("shortfall", "no shortfall in this run")):
        ax = drawn[name].axes[0]
        assert ax.get_ylim()[0] == 0 and any(t.get_text().startswith(note) for t in ax.texts), name


def test_the_price_legend_lists_only_the_markers_the_run_has():
    ax = figures(quiet_run(), {})["price"].axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["BTC price"]


def lead_then_move(quiet_hours: int, moving_hours: int, *, moves: str = "price_cents") -> Analysis:
    """A run flat for `quiet_hours` (the CVLs drifting down, as interest accrues), then `moves`
    changing every hour."""
    n = quiet_hours + moving_hours
    run = quiet_run()
    ts = pd.concat([run.timeseries.iloc[[0]]] * n, ignore_index=True)
    ts["time"] = pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC")
    ts["cvl_p50"] = [145.0 - i / 100 for i in range(n)]
    ts.loc[quiet_hours:, moves] = ts[moves].iloc[0] - 1 - pd.Series(range(moving_hours), index=range(quiet_hours, n))
    return Analysis(run.summary, ts, run.facilities, run.markers)


@pytest.mark.parametrize("moves", ["price_cents", "under_margin_call", "desk_queue"])
def test_a_long_quiet_start_is_left_out_of_the_view_and_named_under_the_time_axis(moves):
    import matplotlib.dates as mdates

    run = lead_then_move(24 * 20, 24 * 10, moves=moves)  # a first move after 20 days of 30, 1.1 days shown before it
    for name, figure in figures(run, {}).items():
        start, end = (pd.Timestamp(mdates.num2date(x)) for x in figure.axes[0].get_xlim())
        first_move = run.timeseries["time"].iloc[24 * 20]
        assert start == first_move - (end - first_move) / 9 and end == run.timeseries["time"].iloc[-1], name
        assert figure.axes[-1].get_xlabel() == ("time (UTC)\nthe first 18.9 days, quiet (BTC at $60,000, no call, "
                                                "sale or change of state), not shown"), name


def test_a_short_quiet_start_or_a_margin_call_in_it_keeps_the_whole_run_in_view():
    import matplotlib.dates as mdates

    short = lead_then_move(24 * 7, 24 * 23)  # under a quarter of the run
    called = lead_then_move(24 * 20, 24 * 10)
    called = Analysis(called.summary, called.timeseries, called.facilities, pd.DataFrame(
        {"time": [called.timeseries["time"].iloc[24]], "kind": ["margin-call"], "facility_id": ["a"],
         "price_cents": [6_000_000]}))
    for run in (short, called):
        ax = figures(run, {})["price"].axes[0]
        assert pd.Timestamp(mdates.num2date(ax.get_xlim()[0])) <= run.timeseries["time"].iloc[0]
        assert ax.get_xlabel() == "time (UTC)"


def test_a_facility_without_a_cvl_reads_n_a_in_the_worst_facilities_table(tmp_path):
    run = quiet_run()
    run.facilities.loc[0, "cvl_end_pct"] = float("nan")  # closed: open facilities that owe have a CVL
    write_page(run, {}, [], tmp_path / "report.html")
    found = cells((tmp_path / "report.html").read_text())
    assert "n/a" in found and not {"nan", "NaN"} & set(found)


def test_the_desk_capacity_line_rises_out_of_the_frame_instead_of_levelling_off():
    hours = pd.date_range("2024-01-01", periods=48, freq="h", tz="UTC")
    executed = [0] * 10 + [3] * 38
    timeseries = pd.DataFrame({"time": hours, "liquidations_executed_cum": executed, "desk_queue": [0] * 48,
                               "proceeds_cents_cum": [0] * 48})
    first_sale = pd.DataFrame({"time": [hours[9]], "kind": ["liquidation"], "facility_id": ["a"],
                               "price_cents": [6_000_000]})
    run = Analysis(dict(SUMMARY), timeseries, quiet_run().facilities, first_sale)
    ax = FIGURES["liquidations"](run, {"desk_capacity_per_hour": 5}).axes[0]
    capacity = next(line for line in ax.get_lines() if line.get_label().startswith("desk capacity"))
    assert capacity.get_ydata()[-1] == 39 * 5 and ax.get_ylim() == pytest.approx((-0.275, 5.775))


def capacity_line(run: Analysis, params: dict):
    ax = FIGURES["liquidations"](run, params).axes[0]
    return ax, next(line for line in ax.get_lines() if line.get_label().startswith("desk capacity"))


def test_the_desk_capacity_counts_the_hour_of_the_first_sale():
    """A first sale at 11:30 (a liquidation started at 09:30, a 2-hour delay): five can be sold in
    that clock hour, the line is 5 from 11:30 (none before), 10 from 12:00; it drew 0 at the start
    rising evenly, and then, counting the delay from the sale, nothing until 13:30."""
    times = pd.date_range("2024-01-01T09:30Z", periods=7, freq="30min")  # 09:30 .. 12:30
    timeseries = pd.DataFrame({"time": times, "liquidations_executed_cum": [0, 0, 0, 0, 2, 3, 3],
                               "desk_queue": [0] * 7, "proceeds_cents_cum": [0] * 7})
    sold = pd.DataFrame({"time": [times[4]], "kind": ["liquidation"], "facility_id": ["a"], "price_cents": [6_000_000]})
    run = Analysis(dict(SUMMARY), timeseries, quiet_run().facilities, sold)
    _, capacity = capacity_line(run, {"desk_capacity_per_hour": 5, "desk_delay_hours": 2})
    drawn = list(capacity.get_ydata())
    assert all(pd.isna(v) for v in drawn[:4]) and drawn[4:] == [5, 10, 10]


def test_a_runs_desk_capacity_line_is_drawn_from_its_first_sale_and_never_under_what_was_sold():
    """The marker the line starts from is a sale (collateral sent out); the desk's delay added to it
    started the line two hours after the first sales of a Black Thursday day, beside them."""
    from scenarios import run_stress

    result = run_stress("stress", seed=1, facilities=10, days=1, desk_capacity_per_hour=5)
    executed = result.timeseries["liquidations_executed_cum"]
    assert executed.max() > 0
    _, capacity = capacity_line(result.analysis, result.params)
    limit = pd.Series(capacity.get_ydata(), dtype=float)
    first = executed.gt(0).idxmax()
    assert pd.notna(limit[first]) and (executed[limit.notna()] <= limit[limit.notna()]).all()


def test_a_desk_capacity_above_what_was_sold_is_drawn_in_frame_and_counts_read_in_whole_numbers():
    """One sale with a desk of 5 an hour: the frame stopped at 1.5 liquidations, under the line's first
    step, and the legend named a line drawn nowhere; the axis read 0.2, 0.4 ... 1.4 liquidations."""
    hours = pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC")
    timeseries = pd.DataFrame({"time": hours, "liquidations_executed_cum": [0, 0, 1, 1, 1, 1],
                               "desk_queue": [0] * 6, "proceeds_cents_cum": [0] * 6})
    sold = pd.DataFrame({"time": [hours[2]], "kind": ["liquidation"], "facility_id": ["a"], "price_cents": [6_000_000]})
    ax, capacity = capacity_line(Analysis(dict(SUMMARY), timeseries, quiet_run().facilities, sold),
                                 {"desk_capacity_per_hour": 5})
    assert capacity.get_ydata()[2] == 5 < ax.get_ylim()[1]
    assert all(float(t).is_integer() for t in ax.get_yticks())


def test_the_states_figure_counts_facilities_in_whole_numbers():
    run = quiet_run()
    run.timeseries["fully_collateralized"] = [20] * 3  # a book of 20 was ticked 2.5, 7.5 ... 17.5
    ax = figures(run, TERMS)["states"].axes[0]
    low, high = ax.get_ylim()
    assert [t for t in ax.get_yticks() if low <= t <= high] == [0, 5, 10, 15, 20]  # not 0, 3, 6 ... 21


def test_a_cvl_spike_at_the_end_is_cut_with_a_note_and_leaves_the_run_readable():
    """bear-2018's book, nearly repaid in its last weeks, reached 7,680 %: the year's CVLs, crashes and
    thresholds were one flat line at the bottom of a 0-8,000 % axis."""
    run = quiet_run()
    n = 40
    run = Analysis(run.summary, pd.DataFrame({
        "time": pd.date_range("2018-01-01", periods=n, freq="D", tz="UTC"),
        "cvl_p05": [120.0] * n, "cvl_p50": [180.0] * (n - 2) + [800.0] * 2,
        "cvl_p95": [250.0] * (n - 2) + [7680.0] * 2, "cvl_min": [0.0] * n}), run.facilities, run.markers)
    ax = FIGURES["cvl"](run, TERMS).axes[0]
    assert ax.get_ylim() == pytest.approx((-15, 300))  # the lowest CVL, 0, above the bottom margin
    assert [t.get_text() for t in ax.texts] == ["CVL above 300 % not drawn (highest 7,680 %)"]
    assert list(FIGURES["cvl"](quiet_run(), TERMS).axes[0].texts) == []


TERMS = {"terms_mix": "12:12:140:125:105"}


def test_the_states_legend_names_the_cvl_each_state_is_under():
    """The legend read `under_liquidation`: 24 facilities so at the end of march-2020, beside 104
    liquidations started and 104 executed, read as liquidations still under way. It is a CVL state."""
    legend = figures(quiet_run(), TERMS)["states"].axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "fully collateralized", "under margin-call CVL (125 %)", "under liquidation CVL (105 %)"]


def test_the_cvl_figure_draws_the_margin_call_and_liquidation_cvls_of_the_terms():
    ax = figures(quiet_run(), {"terms_mix": "12:12:140:125:105,9:6:150:130:110"})["cvl"].axes[0]
    drawn = {float(line.get_ydata()[0]) for line in ax.get_lines() if line.get_linestyle() in ("--", ":")}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert drawn == {125, 130, 105, 110}
    assert labels[-2:] == ["margin-call CVL (125 %, 130 %)", "liquidation CVL (105 %, 110 %)"]


def test_a_book_from_a_journal_draws_no_thresholds_its_terms_mix_does_not_describe():
    """`run --from BOOK` keeps `terms_mix` at its default, which is not the imported book's terms."""
    drawn = figures(quiet_run(), {**TERMS, "book_from": "book.sqlite"})
    assert [t.get_text() for t in drawn["cvl"].axes[0].get_legend().get_texts()] == [
        "5th-95th percentile", "median", "lowest"]
    assert [t.get_text() for t in drawn["states"].axes[0].get_legend().get_texts()][1:] == [
        "under margin-call CVL", "under liquidation CVL"]


def test_the_cvl_legend_stands_beside_the_axes_not_over_the_lowest_cvl():
    """Placed "best" inside a frame the band fills, it covered the lowest CVL and the thresholds."""
    import io

    fig = figures(quiet_run(), TERMS)["cvl"]
    fig.savefig(io.BytesIO(), format="png")  # lays the legend out
    ax = fig.axes[0]
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1


def test_the_proceeds_are_drawn_on_their_own_panel_in_dollars_not_on_a_second_axis_of_the_counts():
    """They were a second y axis on the counts' panel: its green line, $800,000 at the top, crossed the
    counts' ticks (160 liquidations) and read as a count beside them."""
    hours = pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC")
    timeseries = pd.DataFrame({"time": hours, "liquidations_executed_cum": [0, 0, 1, 2, 2, 2],
                               "desk_queue": [0] * 6, "proceeds_cents_cum": [0, 0, 40_000_000] + [79_833_506] * 3})
    sold = pd.DataFrame({"time": [hours[2]], "kind": ["liquidation"], "facility_id": ["a"], "price_cents": [6_000_000]})
    run = Analysis(dict(SUMMARY), timeseries, quiet_run().facilities, sold)
    counts, money = FIGURES["liquidations"](run, {"desk_capacity_per_hour": 5}).axes
    assert money.get_position().y1 <= counts.get_position().y0  # below it, not over it
    assert [line.get_label() for line in money.get_lines()] == ["proceeds received, cumulative"]
    assert not any("proceeds" in line.get_label() for line in counts.get_lines())
    assert (counts.get_ylabel(), money.get_ylabel()) == ("liquidations (count)", "proceeds (USD)")
    assert money.yaxis.get_major_formatter()(800_000) == "$800,000"
    assert counts.get_shared_x_axes().joined(counts, money)  # one time axis for both


def test_a_notebook_shows_the_summary_and_worst_facilities_in_their_units_as_the_report_does(page):
    """Notebook 03 showed `result.summary` as a dict ('proceeds_cents': 14709514) and the worst
    facilities raw (a CVL of 49.402045, proceeds in cents); the report's tables, as frames."""
    from scenarios.analysis.page import readable_summary, readable_worst

    summary = readable_summary(SUMMARY)["value"]
    assert summary["proceeds_cents"] == "$798,335.06" and summary["btc_sold_sats"] == "176.73560900 BTC"
    assert summary["min_cvl_pct"] == "38.00 %" and summary["run_start_utc"] == "2020-02-25 00:00 UTC"
    worst = readable_worst(worst_facilities(quiet_run())).iloc[0]
    assert (worst["facility"], worst["lowest CVL"], worst["outstanding at end"]) == ("a", "140.00 %", "$10,000.00")
    assert all(value in cells(page) for value in summary)  # the same words as report.html's

"""P(loss), the share of a cell's runs that lost money, as a committee reads it in the printed risk
table and in report.html: a cell where one run in 300 lost $50,000 has a loss probability of 0.3 %,
not "0%" beside an ES 99 of $16,667. And report.html's minimum CVLs, cut to two decimals as the
printed table and the run page cut them (Lana truncates a CVL): a 5th percentile of 104.996 % read
105.00 %, as if 5 % of runs had not gone under a 105 % liquidation CVL."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from scenarios.sweep.outputs import print_risk, write_outputs
from scenarios.sweep.risk import risk_table
from scenarios.sweep.store import Store


def _runs(losses: list[float], cvls: list[float] | float = 120.0) -> pd.DataFrame:
    n = len(losses)
    return pd.DataFrame({"cell": "all", "seed": range(n), "key": [f"k{i}" for i in range(n)], "status": "ok",
                         "shortfall_end_cents": losses, "liquidations_executed": 1.0, "btc_sold_sats": 1e8,
                         "min_cvl_pct": cvls, "hours_under_margin_call_mean": 3.0, "facilities_called": 1.0})


def _report_cells(directory, runs: pd.DataFrame) -> dict[str, str]:
    """The first row of report.html's risk table, by column, for a sweep directory holding `runs`."""
    store = Store(directory, {"scenario": "march-2020", "design": "grid", "grid": [], "settings": []},
                  list(runs["key"])).open()
    for row in runs.to_dict("records"):
        store.add({**row, "error": "", "repro": ""})
    store.flush()
    write_outputs(directory)
    page = (directory / "report.html").read_text()
    return dict(zip(re.findall(r"<th>([^<]*)</th>", page), re.findall(r"<td>([^<]*)</td>", page)))


def _printed_share(losses: list[float], capsys) -> str:
    print_risk(risk_table(_runs(losses), {"desk_capacity_per_hour": 5}))
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("│ all"))
    return row.split("│")[5].strip()  # cell, runs, failed, lost, P(loss)


@pytest.mark.parametrize(("lost", "of", "shown"), [
    (1, 300, "0.3%"), (1, 2000, "<0.1%"), (0, 300, "0%"), (150, 300, "50.0%"), (1999, 2000, ">99.9%"),
    (300, 300, "100%")])
def test_the_printed_table_never_rounds_a_loss_probability_to_none_or_to_certainty(lost, of, shown, capsys):
    assert _printed_share([5_000_000.0] * lost + [0.0] * (of - lost), capsys) == shown


def test_report_html_gives_the_loss_probability_as_a_percentage(tmp_path):
    assert _report_cells(tmp_path, _runs([5_000_000.0] + [0.0] * 299))["p_loss"] == "0.3%"


def test_report_html_cuts_the_minimum_cvl_columns_rather_than_round_them_up(tmp_path):
    # 21 runs: numpy's 5th percentile sits exactly on the 2nd lowest, 104.996
    cells = _report_cells(tmp_path, _runs([0.0] * 21, [104.9, 104.996] + [130.0] * 19))
    assert (cells["min_cvl_pct_p5"], cells["min_cvl_pct_min"]) == ("104.99", "104.90")


def test_a_small_mean_of_btc_sold_reads_as_what_was_sold_not_as_none(tmp_path, capsys):
    """400,000 sats (0.004 BTC) sold in each run read 0.00 in both tables, beside a liquidation in
    every run: three significant digits under 1 (the desk's days at p99, 1/120, likewise)."""
    runs = _runs([0.0] * 20).assign(btc_sold_sats=400_000.0)
    assert _report_cells(tmp_path, runs)["btc_sold_mean"] == "0.00400"
    print_risk(risk_table(runs, {"desk_capacity_per_hour": 5}))
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("│ all"))
    assert [cell.strip() for cell in row.split("│")[11:13]] == ["0.00833", "0.00400"]  # desk days p99, BTC sold

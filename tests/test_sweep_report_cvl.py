"""report.html's risk table gives the runs' minimum CVLs cut to two decimals, as the printed table
and the run page cut them (Lana truncates a CVL): a 5th percentile of 104.996 % rounded read 105.00 %,
as if 5 % of runs had not gone under a 105 % liquidation CVL."""

from __future__ import annotations

import re

import pandas as pd

from scenarios.sweep.outputs import write_outputs
from scenarios.sweep.store import Store


def test_report_html_cuts_the_minimum_cvl_columns_rather_than_round_them_up(tmp_path):
    # 21 runs: numpy's 5th percentile sits exactly on the 2nd lowest, 104.996
    cvls = [104.9, 104.996] + [130.0] * 19
    runs = pd.DataFrame({"cell": "all", "seed": range(len(cvls)), "key": [f"k{i}" for i in range(len(cvls))],
                         "status": "ok", "error": "", "repro": "", "shortfall_end_cents": 0.0,
                         "liquidations_executed": 0.0, "btc_sold_sats": 0.0, "min_cvl_pct": cvls,
                         "hours_under_margin_call_mean": 1.0, "facilities_called": 1.0})
    store = Store(tmp_path, {"scenario": "march-2020", "design": "grid", "grid": [], "settings": []},
                  list(runs["key"])).open()
    for row in runs.to_dict("records"):
        store.add(row)
    store.flush()
    write_outputs(tmp_path)
    page = (tmp_path / "report.html").read_text()
    header = re.findall(r"<th>([^<]*)</th>", page)
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert cells[header.index("min_cvl_pct_p5")] == "104.99"
    assert cells[header.index("min_cvl_pct_min")] == "104.90"

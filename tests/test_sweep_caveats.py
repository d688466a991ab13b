"""Under a sweep's tables, what they cannot tell with the runs they have: a VaR/ES that is the worst
run or two of a cell, a Sobol index whose interval holds 0."""

from __future__ import annotations

import pandas as pd

from scenarios.sweep.caveats import caveats
from scenarios.sweep.outputs import print_risk
from scenarios.sweep.risk import risk_table
from tests.test_sweep_risk import runs


def test_twenty_runs_a_cell_make_var_and_es_the_single_worst_run_and_the_table_says_so(capsys):
    risk = risk_table(runs("facilities=200", [x * 1_000 for x in range(1, 21)]))
    assert risk.iloc[0]["var95"] == risk.iloc[0]["es95"] == 20_000  # the worst of 20, at 95 % as at 99 %
    print_risk(risk)
    out = capsys.readouterr().out
    assert "note: VaR 95 and ES 95 rest on the single worst run of a cell of 20 runs; 200 runs a cell put 10 " \
           "runs in the 5 % tail" in out
    assert "note: VaR 99 and ES 99 rest on the single worst run of a cell of 20 runs; 1,000 runs" in out


def test_enough_runs_in_the_tail_or_no_loss_at_all_leave_no_note():
    assert caveats(risk_table(runs("a", list(range(1, 1_001))))) == []  # 50 and 10 runs in the tails
    assert caveats(risk_table(runs("a", [0] * 20))) == []  # nothing in the tail to rest on


def test_the_smallest_lossy_cell_is_the_one_named():
    table = pd.concat([runs("big", list(range(1, 401))), runs("small", list(range(1, 61)))])
    notes = caveats(risk_table(table))
    assert notes[0].startswith("VaR 95 and ES 95 rest on the 3 worst runs of a cell of 60 runs")


def test_a_sobol_index_whose_interval_holds_zero_is_named_with_its_interval():
    sensitivity = pd.DataFrame({"factor": ["top_up_share", "seed (noise)"], "S1": [0.217, 0.654],
                                "S1_conf": [0.497, 0.393], "ST": [0.705, 0.716], "ST_conf": [0.411, 0.317]})
    notes = caveats(pd.DataFrame(), sensitivity)
    assert notes == ["first-order Sobol indices within their 95 % interval of 0: top_up_share (0.217 +- 0.497); "
                     "more --samples (a power of two) narrow the intervals"]


def test_the_printed_sobol_indices_are_a_table_naming_the_metric_and_each_interval(capsys):
    """The indices printed under the risk table were pandas' plain text under S1_conf-style names;
    they are a table titled with the metric, each index with its 95 % interval, NaN as -."""
    from scenarios.sweep.outputs import print_risk

    sensitivity = pd.DataFrame({"factor": ["top_up_share", "seed (noise)"], "S1": [0.217, float("nan")],
                                "S1_conf": [0.497, float("nan")], "ST": [0.705, 0.716], "ST_conf": [0.411, 0.317]})
    print_risk(risk_table(runs("a", list(range(1, 201)))), sensitivity, metric="proceeds_cents")
    out = capsys.readouterr().out
    assert "Sobol indices of proceeds_cents (shares of its variance)" in out and "(nan +- nan)" not in out
    rows = [line for line in out.splitlines() if "│" in line]  # the tables' rows, not the notes under them
    [top_up] = [line for line in rows if "top_up_share" in line]
    assert "0.217 +- 0.497" in top_up and "0.705 +- 0.411" in top_up
    [seed] = [line for line in rows if "seed (noise)" in line]
    assert "-" in seed.replace("seed (noise)", "") and "nan" not in seed and "0.716 +- 0.317" in seed
    assert "S1_conf" not in out

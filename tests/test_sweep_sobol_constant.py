"""Sobol indices apportion a metric's variance among the factors; a metric that took one value in
every run of the design's base samples (no run lost money: loss $0 throughout) has none to
apportion. SALib then returns 0 for every index with an interval of +- 0, which the report printed
as "S1 0.000 +- 0.000" for every factor, the seed's noise included: read as "nothing moves the loss",
where the design measured nothing. Such indices are undefined, and the report says why."""

from __future__ import annotations

import math

import pandas as pd

from scenarios.sweep.caveats import caveats
from scenarios.sweep.sensitivity import SEED_FACTOR, sobol_indices

RANGES = {"top_up_share": (0.0, 0.7), "cvl_low": (130.0, 200.0)}
SAMPLES = 8
PLAN = [f"k{i}" for i in range(SAMPLES * (len(RANGES) + 3))]  # N x (D + 2), D = the ranges and the seed


def _runs(values) -> pd.DataFrame:
    return pd.DataFrame({"key": PLAN, "status": "ok", "shortfall_end_cents": values})


def test_a_loss_that_never_varied_has_undefined_sobol_indices_and_the_report_says_so():
    sensitivity = sobol_indices(_runs([0.0] * len(PLAN)), PLAN, RANGES, "loss")
    assert list(sensitivity["factor"]) == [*RANGES, SEED_FACTOR]
    for column in ("S1", "S1_conf", "ST", "ST_conf"):
        assert sensitivity[column].map(math.isnan).all(), column
    notes = caveats(pd.DataFrame(), sensitivity)
    assert notes == ["the metric took one value in every run of the design's base samples: it has no variance "
                     "for Sobol indices to apportion, so they are undefined (NaN); choose a --metric that varies, "
                     "or wider ranges or more --samples if a rare outcome is what matters"]


def test_a_loss_that_varies_keeps_its_indices():
    values = [float(i % 7) * 100 for i in range(len(PLAN))]
    sensitivity = sobol_indices(_runs(values), PLAN, RANGES, "loss")
    assert not sensitivity[["S1", "ST"]].isna().any().any()


def test_a_text_metric_is_refused_in_one_line_naming_the_numeric_ones():
    """`--metric digest` (a column of the runs, but text) ended the sweep with a ValueError traceback
    from the float conversion, after every run had been done."""
    import pytest

    from scenarios.library import ScenarioError

    runs = _runs([float(i) for i in range(len(PLAN))]).assign(digest="9195443810b30cb6")
    with pytest.raises(ScenarioError, match="--metric \\(metric=\\) digest is not a number; choose loss or one of: "
                                            "shortfall_end_cents"):
        sobol_indices(runs, PLAN, RANGES, "digest")


def test_a_metric_no_stress_run_reports_is_refused_before_any_run(tmp_path, capsys):
    """`--metric nosuch` ran every run of the design, then was refused, and stayed in the sweep's
    manifest (so `report` kept failing); a stress run's numbers are known before it runs. Every one
    named is one a run reports (the list is checked against a run's summary)."""
    from scenarios.analysis.metrics import NUMBERS
    from scenarios.api import run_stress
    from scenarios.cli import main

    out = tmp_path / "sobol"
    assert main(["sweep", "march-2020", "--design", "sobol", "--samples", "4", "--grid", "cvl_low=130:200",
                 "--set", "facilities=2", "--set", "days=1", "--metric", "nosuch", "--out", str(out)]) == 2
    assert "--metric (metric=) nosuch is not a number a march-2020 run reports; choose loss or one of: " \
           "btc_sold_sats, events_journaled, facilities," in capsys.readouterr().err
    assert not out.exists()
    summary = run_stress("march-2020", seed=1, facilities=2, days=1).summary
    numbers = {k for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    assert numbers - {"seed"} == set(NUMBERS)

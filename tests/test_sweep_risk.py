"""Risk statistics per grid cell: loss = shortfall at the end; VaR and ES by the k largest
losses, bootstrap intervals around ES, probability of loss, desk load and margin-call figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scenarios.sweep.risk import convergence, es_var, loss_of, risk_table


def runs(cell: str, losses, **extra) -> pd.DataFrame:
    n = len(losses)
    return pd.DataFrame({"cell": cell, "seed": range(1, n + 1), "status": "ok", "param_desk_capacity_per_hour": "5",
                         "shortfall_end_cents": losses,
                         "slippage_cents": [10 if x else 0 for x in losses], "liquidations_executed": 240.0,
                         "btc_sold_sats": 2e8, "hours_under_margin_call_mean": 3.0,
                         "min_cvl_pct": np.linspace(90, 130, n), **extra})


def test_loss_is_the_shortfall_at_the_end_and_unknown_without_it():
    table = pd.DataFrame({"shortfall_end_cents": [100, 0], "slippage_cents": [5, 7]})
    assert loss_of(table).tolist() == [100, 0]  # slippage is the borrowers': proceeds are applied to the debt
    assert loss_of(pd.DataFrame({"facilities": [3.0], "slippage_cents": [7]})).isna().all()


def test_var_is_the_kth_largest_loss_and_es_the_mean_of_the_k_largest():
    losses = list(range(1, 101))  # k = 5 at 95 %, 1 at 99 %
    assert es_var(losses, 0.95) == (96, 98)
    assert es_var(losses, 0.99) == (100, 100)
    assert all(math.isnan(v) for v in es_var([], 0.99))


def test_a_cell_reports_quantiles_es_with_an_interval_probability_of_loss_and_desk_load():
    losses = [0] * 50 + list(range(1_000, 51_000, 1_000))
    row = risk_table(runs("facilities=20", losses)).iloc[0]
    assert (row["runs"], row["failed"], row["p_loss"]) == (100, 0, 0.5)
    assert (row["var95"], row["es95"]) == es_var(losses, 0.95)
    assert row["es95_low"] < row["es95"] <= row["es95_high"]
    assert row["loss_p100"] == 50_000 and row["loss_p50"] == 500
    assert row["desk_days_p99"] == 2.0  # 240 liquidations at 5 an hour: two desk days
    unswept = runs("c", losses).drop(columns="param_desk_capacity_per_hour")
    assert risk_table(unswept, {"desk_capacity_per_hour": 10}).iloc[0]["desk_days_p99"] == 1.0
    assert (row["btc_sold_mean"], row["min_cvl_pct_min"]) == (2.0, 90.0)


def test_failed_and_lost_runs_are_counted_apart_and_left_out_of_the_statistics():
    table = pd.concat([runs("a", [100, 200]), runs("a", [10**9]).assign(status="failed"),
                       runs("a", [10**9, 10**9]).assign(status="lost")])
    row = risk_table(table).iloc[0]
    assert (row["runs"], row["failed"], row["lost"], row["loss_p100"]) == (2, 1, 2, 200)


def test_the_es_interval_narrows_as_seeds_accumulate():
    rng = np.random.default_rng(1)
    path = convergence(runs("a", list(rng.normal(100_000, 10_000, 400).round())), level=0.95)
    widths = path["es_high"] - path["es_low"]
    assert path["seeds"].iloc[0] == 10 and path["seeds"].iloc[-1] == 400
    assert widths.iloc[-1] < 0.7 * widths[path["seeds"] >= 70].iloc[0]  # roughly 1 / sqrt(seeds)


def test_the_same_runs_listed_in_another_order_give_the_same_table_intervals_included():
    losses = list(np.random.default_rng(3).normal(100_000, 20_000, 60).round())
    table = runs("a", losses)
    forward, backward = risk_table(table), risk_table(table.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(forward, backward)  # `--seeds 60,59,...,1` is the sweep of `--seeds 1-60`



def test_runs_of_one_seed_are_taken_by_loss_so_their_keys_leave_the_intervals_as_they_are():
    """A Sobol design can draw one seed twice; its runs were taken by key, which names the code
    version too, so the same losses under another version (other keys) moved the ES interval."""
    losses = list(np.random.default_rng(4).normal(100_000, 20_000, 80).round())
    table = runs("sobol design", losses).assign(seed=[i // 2 for i in range(80)], key=[f"k{i:02d}" for i in range(80)])
    rekeyed = table.assign(key=[f"k{79 - i:02d}" for i in range(80)]).sort_values("key")  # read in key order
    pd.testing.assert_frame_equal(risk_table(table), risk_table(rekeyed))
    pd.testing.assert_frame_equal(convergence(table, level=0.95), convergence(rekeyed, level=0.95))

def test_a_sobol_cell_reports_no_single_value_for_a_parameter_it_varies_and_desk_days_per_runs_own_capacity():
    table = runs("sobol design", [100] * 4, param_facilities="20").assign(
        param_desk_capacity_per_hour=["1", "2", "4", "8"], liquidations_executed=[24.0, 24.0, 24.0, 24.0])
    row = risk_table(table).iloc[0]
    assert row["param_facilities"] == "20" and pd.isna(row["param_desk_capacity_per_hour"])
    # each run needs 24 / (24 x its capacity) desk days: 1, 0.5, 0.25, 0.125; the p99 of those
    assert row["desk_days_p99"] == np.quantile([1, 0.5, 0.25, 0.125], 0.99)


def test_time_under_margin_call_averages_the_runs_that_had_a_call_only():
    table = runs("a", [0, 0, 0, 0]).assign(facilities_called=[2.0, 1.0, 0.0, 0.0],
                                            hours_under_margin_call_mean=[30.0, 40.0, 0.0, 0.0])
    assert risk_table(table).iloc[0]["hours_under_margin_call_mean"] == 35.0  # not 17.5: 0 h is no call
    assert math.isnan(risk_table(table.assign(facilities_called=0.0)).iloc[0]["hours_under_margin_call_mean"])

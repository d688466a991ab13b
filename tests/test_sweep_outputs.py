"""What a committee reads from a sweep directory: the figures' axes carry units, the Sobol
intervals are the same on every regeneration."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.sweep.outputs import write_outputs
from scenarios.sweep.plan import plan_grid
from scenarios.sweep.sensitivity import sobol_indices
from scenarios.sweep.store import Store
from scenarios.sweep.worker import lost_run


def fake_sweep(path, capacities=("1", "5"), seeds=range(1, 11)):
    """A sweep directory whose rows are made up (no runs): each cell's loss grows with the seed."""
    grid = [{"desk_capacity_per_hour": c} for c in capacities]
    plan = plan_grid("march-2020", list(seeds), grid, ["facilities=3", "days=1"])
    store = Store(path, {"scenario": "march-2020", "design": "grid", "grid": [], "settings": []},
                  [spec.key for spec in plan]).open()
    for spec in plan:
        store.add({**lost_run(spec, RuntimeError("made up")), "status": "ok", "error": "",
                   "shortfall_end_cents": 1000.0 * spec.seed, "slippage_cents": 10.0, "liquidations_executed": 2.0,
                   "btc_sold_sats": 1e8, "hours_under_margin_call_mean": 3.0, "min_cvl_pct": 90.0})
    store.flush()


def test_the_es_against_a_parameter_figure_labels_the_parameters_axis_with_its_unit(tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    labels: list[tuple[str, str]] = []
    real = Axes.set

    def record(self, **kwargs):
        if "xlabel" in kwargs:
            labels.append((kwargs["xlabel"], kwargs.get("ylabel", "")))
        return real(self, **kwargs)

    monkeypatch.setattr(Axes, "set", record)
    fake_sweep(tmp_path)
    write_outputs(tmp_path)
    assert ("desk_capacity_per_hour (liquidations/h)", "expected shortfall (USD)") in labels
    assert (tmp_path / "es-vs-desk_capacity_per_hour.png").is_file()


def test_sobol_intervals_are_the_same_each_time_the_indices_are_computed():
    from SALib.sample import sobol

    ranges = {"top_up_share": (0.0, 0.5)}
    problem = {"num_vars": 2, "names": ["top_up_share", "seed (noise)"], "bounds": [(0.0, 0.5), (0.0, 1.0)]}
    points = sobol.sample(problem, 16, calc_second_order=False, seed=0)
    runs = pd.DataFrame({"key": [f"k{i}" for i in range(len(points))], "status": "ok",
                         "metric": points[:, 0] * 10 + np.sin(points[:, 1] * 50)})
    first, again = (sobol_indices(runs, list(runs["key"]), ranges, "metric") for _ in range(2))
    pd.testing.assert_frame_equal(first, again)


def test_the_sobol_figure_names_the_metric_its_indices_explain(tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    from scenarios.sweep.sensitivity import plan_sobol

    titles: list[str] = []
    real = Axes.set
    monkeypatch.setattr(Axes, "set", lambda self, **kw: titles.append(kw.get("title", "")) or real(self, **kw))
    ranges = {"top_up_share": (0.0, 0.5)}
    plan = plan_sobol("march-2020", ranges, 4, ["facilities=3", "days=1"])
    store = Store(tmp_path, {"scenario": "march-2020", "design": "sobol", "ranges": ranges, "samples": 4,
                             "settings": [], "metric": "liquidations_executed"}, [spec.key for spec in plan]).open()
    for i, spec in enumerate(dict.fromkeys(plan)):  # made-up rows: the figure is what is checked
        store.add({**lost_run(spec, RuntimeError("made up")), "status": "ok", "liquidations_executed": float(i % 5)})
    store.flush()
    write_outputs(tmp_path)
    assert any("liquidations_executed" in title for title in titles) and (tmp_path / "sobol.png").is_file()

"""What a committee reads from a sweep directory: the figures' axes carry units, the Sobol
intervals are the same on every regeneration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.sweep.outputs import write_outputs
from scenarios.sweep.plan import plan_grid
from scenarios.sweep.sensitivity import sobol_indices
from scenarios.sweep.store import Store
from scenarios.sweep.worker import lost_run


def fake_sweep(path, capacities=("1", "5"), seeds=range(1, 11), cents_per_seed=1000.0, factors=None, loss=None):
    """A sweep directory whose rows are made up (no runs): each cell's loss grows with the seed (times
    `factors[capacity]` if given: else every cell loses the same), or is `loss(capacity, seed)`."""
    grid = [{"desk_capacity_per_hour": c} for c in capacities]
    plan = plan_grid("march-2020", list(seeds), grid, ["facilities=3", "days=1"])
    store = Store(path, {"scenario": "march-2020", "design": "grid", "grid": [], "settings": []},
                  [spec.key for spec in plan]).open()
    for spec in plan:
        store.add({**lost_run(spec, RuntimeError("made up")), "status": "ok", "error": "",
                   "shortfall_end_cents": loss(dict(spec.assignments)["desk_capacity_per_hour"], spec.seed) if loss
                   else cents_per_seed * spec.seed * (factors or {}).get(
                       dict(spec.assignments)["desk_capacity_per_hour"], 1), "slippage_cents": 10.0,
                   "liquidations_executed": 2.0, "btc_sold_sats": 1e8, "hours_under_margin_call_mean": 3.0,
                   "min_cvl_pct": 90.0})
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


def drawn_figures(path, monkeypatch) -> dict:
    """`write_outputs(path)`'s figures by file name, laid out as saved."""
    from matplotlib.figure import Figure

    saved: dict = {}
    real = Figure.savefig

    def keep(self, name, *args, **kwargs):
        saved[Path(name).name] = self
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    write_outputs(path)
    return saved


def tick_labels(axis) -> list[str]:
    low, high = axis.get_view_interval()
    formatter = axis.get_major_formatter()
    return [formatter(v, i) for i, v in enumerate(axis.get_majorticklocs()) if low <= v <= high]


def test_the_money_axes_of_a_sweep_with_losses_in_the_millions_read_in_dollars_not_powers_of_ten(
        tmp_path, monkeypatch):
    """A book whose runs lost $25M to $250M: the histogram's loss axis read 0.5 ... 2.5 under "1e8",
    as did the ES axes; written out whole, the histogram's ticks ran into each other."""
    fake_sweep(tmp_path, cents_per_seed=2.5e9)
    figures = drawn_figures(tmp_path, monkeypatch)
    hist, es, converging = (figures[name].axes[0] for name in
                            ("loss-hist-00.png", "es-vs-desk_capacity_per_hour.png", "es99-convergence.png"))
    assert "100M" in tick_labels(hist.xaxis) and hist.xaxis.get_major_formatter()(0.0, 0) == "0"
    for axis in (hist.xaxis, es.yaxis, converging.yaxis):
        assert axis.get_offset_text().get_text() == ""
        assert all(label.endswith("M") or label == "0" for label in tick_labels(axis)), tick_labels(axis)


def test_a_sweep_with_losses_under_a_million_reads_whole_dollars_with_separators(tmp_path, monkeypatch):
    fake_sweep(tmp_path, cents_per_seed=25_000_00.0)  # $25,000 to $250,000
    hist = drawn_figures(tmp_path, monkeypatch)["loss-hist-00.png"].axes[0]
    assert "100,000" in tick_labels(hist.xaxis)


def test_the_es_figure_ticks_the_grid_values_run_and_the_histogram_counts_whole_runs(tmp_path, monkeypatch):
    """Capacities of 2, 5 and 20 an hour were ticked 2.5, 5.0 ... 20.0, and 3.5 runs stood on the
    histogram's count axis."""
    fake_sweep(tmp_path, capacities=("2", "5", "20"))
    figures = drawn_figures(tmp_path, monkeypatch)
    assert tick_labels(figures["es-vs-desk_capacity_per_hour.png"].axes[0].xaxis) == ["2", "5", "20"]
    counts = figures["loss-hist-00.png"].axes[0].get_yticks()
    assert all(float(c).is_integer() for c in counts)


def test_cells_whose_runs_give_the_same_numbers_are_named_together_on_the_one_convergence_line(tmp_path, monkeypatch):
    """Three cells, two of them identical (a desk of 50 and of 100 an hour selling all a small book
    asked): each drawn on its own, the last hid the other, which the legend still listed in a
    colour seen nowhere."""
    fake_sweep(tmp_path, capacities=("1", "50", "100"), seeds=range(1, 21), factors={"1": 2})
    ax = drawn_figures(tmp_path, monkeypatch)["es99-convergence.png"].axes[0]
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    assert list(lines) == ["desk_capacity_per_hour=1",
                           "desk_capacity_per_hour=50, desk_capacity_per_hour=100 (identical: one line)"]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(lines)
    assert lines["desk_capacity_per_hour=1"] != lines[list(lines)[1]]
    assert all(line.get_marker() not in ("", "None", None) for line in ax.get_lines())  # one point is drawn too


def test_a_cell_equal_to_another_for_some_seed_counts_only_is_told_apart_where_it_runs_over_it(tmp_path, monkeypatch):
    """Two desks that lose the same on seeds 1 to 25, the faster one twice as much after: both
    lines were drawn solid with one marker, so from 10 to 25 seeds the second hid the first, which
    looked as if it had no points there. Each line now has its own style and hollow marker (the
    first shows between the second's dashes and inside its markers) and the legend names the stretch."""
    fake_sweep(tmp_path, capacities=("1", "5"), seeds=range(1, 41),
               loss=lambda capacity, seed: 1000.0 * seed * (2 if capacity == "5" and seed > 25 else 1))
    ax = drawn_figures(tmp_path, monkeypatch)["es99-convergence.png"].axes[0]
    first, second = ax.get_lines()
    shared = [n for n, a, b in zip(first.get_xdata(), first.get_ydata(), second.get_ydata()) if a == b]
    assert list(first.get_xdata()) == list(second.get_xdata()) and (shared[0], shared[-1]) == (10, 25)
    assert first.get_label() == "desk_capacity_per_hour=1"
    assert second.get_label() == "desk_capacity_per_hour=5 (over desk_capacity_per_hour=1 at 10 to 25 seeds)"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [first.get_label(), second.get_label()]
    assert (first.get_linestyle(), first.get_marker()) != (second.get_linestyle(), second.get_marker())
    assert first.get_linestyle() == "-" and second.get_linestyle() != "-"  # the first shows in the gaps
    assert all(line.get_markerfacecolor() == "none" for line in (first, second))

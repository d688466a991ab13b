"""The sweep report's "ES against a parameter" figure on a grid of two parameters: each point is a
cell, and a cell is known by both its values. Drawn as one series per ES level, the cells that share
a desk capacity stood at one x with nothing saying which market each was (sigma 1.5 and 0.5 both at
capacity 1: $93 and $0, two dots on one vertical line); each series now holds the cells of one value
of the other parameters, and its legend names that value."""

from __future__ import annotations

from scenarios.sweep.outputs import write_outputs
from scenarios.sweep.plan import plan_grid
from scenarios.sweep.store import Store
from scenarios.sweep.worker import lost_run

LOSS_PER_SEED = {"0.1": 3_000.0, "0.6": 1_000.0}  # cents a seed, by top_up_share


def _two_parameter_sweep(path) -> None:
    grid = [{"desk_capacity_per_hour": c, "top_up_share": t} for c in ("1", "5") for t in LOSS_PER_SEED]
    plan = plan_grid("march-2020", list(range(1, 11)), grid, ["facilities=3", "days=1"])
    store = Store(path, {"scenario": "march-2020", "design": "grid", "grid": [], "settings": []},
                  [spec.key for spec in plan]).open()
    for spec in plan:
        share = dict(spec.assignments)["top_up_share"]
        store.add({**lost_run(spec, RuntimeError("made up")), "status": "ok", "error": "",
                   "shortfall_end_cents": LOSS_PER_SEED[share] * spec.seed, "liquidations_executed": 2.0,
                   "btc_sold_sats": 1e8, "hours_under_margin_call_mean": 3.0, "min_cvl_pct": 90.0})
    store.flush()


def test_es_against_a_parameter_keeps_the_cells_of_each_value_of_the_other_parameter_apart(tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    drawn: list[tuple[str, list[float], list[float], str]] = []
    real = Axes.errorbar

    def record(self, x, y, *args, **kwargs):
        drawn.append((self.get_title(), [float(v) for v in x], [float(v) for v in y], kwargs.get("label", "")))
        return real(self, x, y, *args, **kwargs)

    monkeypatch.setattr(Axes, "errorbar", record)
    _two_parameter_sweep(tmp_path)
    write_outputs(tmp_path)
    # errorbar is drawn before the title is set: the figure is told apart by its x values
    by_capacity = [d for d in drawn if sorted(d[1]) == [1.0, 5.0]]
    assert len(by_capacity) == 4  # ES 95 and ES 99, for each top_up_share
    for _, x, y, label in by_capacity:
        assert len(set(x)) == len(x)  # one cell per x in a series
        share = next(s for s in LOSS_PER_SEED if f"top_up_share={s}" in label)
        assert y == [LOSS_PER_SEED[share] * 10 / 100] * 2  # ES of 10 seeds = the worst run, in USD

"""The sweep from Python (a notebook): `run_sweep(...)` returns the runs and the risk table as
pandas DataFrames; the command line goes through `sweep(...)` with the same strings a user types.

    from scenarios.sweep import run_sweep
    result = run_sweep("march-2020", seeds=range(1, 9), grid={"facilities": [10, 20]},
                       settings={"days": 3}, out="out/sweep-demo", workers=2)
    result.risk[["cell", "es99", "es99_low", "es99_high"]]
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd
from attrs import frozen

from scenarios.library import ScenarioError
from scenarios.library.rundir import as_dir
from scenarios.sweep.outputs import write_outputs
from scenarios.sweep.plan import check_seeds, parse_grid, plan_grid
from scenarios.sweep.runner import execute
from scenarios.sweep.sensitivity import check_metric, parse_ranges, plan_sobol
from scenarios.sweep.store import read_runs

__all__ = ["SweepResult", "run_sweep", "sweep"]


@frozen
class SweepResult:
    """A finished sweep: its directory, one row per run, one row per grid cell (and Sobol indices)."""

    path: Path
    runs: pd.DataFrame
    risk: pd.DataFrame
    sensitivity: pd.DataFrame | None
    counts: dict


def sweep(name: str, seeds: list[int], grid: list[str], settings: list[str], out: Path, *,
          design: str = "grid", samples: int = 0, metric: str = "loss", workers: int | None = None,
          scheduler: str | None = None, keep_journals: bool = False,
          progress: Callable[[int, int, dict], None] | None = None,
          echo: Callable[[str], None] = print) -> SweepResult:
    """Plan (every parameter checked), run what `out` lacks, then write the risk outputs."""
    if workers is not None and (type(workers) is not int or workers < 1):  # "2": TypeError from `<`
        raise ScenarioError(f"--workers (workers=) must be a whole number of at least 1, got {workers!r}")
    if design == "sobol":
        check_metric(name, metric)
        ranges = parse_ranges(grid)
        plan = plan_sobol(name, ranges, samples, settings)
        identity = {"scenario": name, "design": design, "ranges": ranges, "samples": samples,
                    "settings": settings, "metric": metric}
    elif design == "grid":
        seeds = check_seeds(seeds)
        if not seeds:
            raise ScenarioError("a sweep needs at least one seed")
        plan = plan_grid(name, seeds, parse_grid(grid, len(seeds)), settings)
        identity = {"scenario": name, "design": design, "grid": grid, "settings": settings}
    else:
        raise ScenarioError(f"--design (design=) expects grid or sobol, got {design!r}")
    counts = execute(plan, Path(out), identity, workers=workers, scheduler=scheduler,
                     keep_journals=keep_journals, progress=progress, echo=echo)
    risk, sensitivity = write_outputs(Path(out))
    return SweepResult(Path(out), read_runs(out), risk, sensitivity, counts)


def run_sweep(scenario: str, seeds: Iterable[int] = range(1, 5), grid: dict | None = None,
              settings: dict | None = None, out=None, *, design: str = "grid", samples: int = 0,
              metric: str = "loss", workers: int | None = None, scheduler: str | None = None,
              keep_journals: bool = False, echo: Callable[[str], None] = print) -> SweepResult:
    """`grid` maps a parameter to its values (grid design) or to (low, high) (Sobol design);
    `settings` fixes parameters; `out` defaults to a fresh temporary directory. `seeds` are ints of
    64 bits (`ScenarioError` otherwise, before any directory is made)."""
    seeds = check_seeds(seeds)
    if grid is not None and not isinstance(grid, Mapping):  # a list of pairs: AttributeError ('items')
        raise ScenarioError(f"grid must be a mapping of parameter names to values, got {grid!r}")
    for key, values in (grid or {}).items():  # a bare 5 or "5" is no list of values
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ScenarioError(f"grid[{key!r}] must be a list of values (grid) or a (low, high) pair (sobol), "
                                f"got {values!r}")
    if design == "sobol":
        items = [f"{k}={_pair(k, values)}" for k, values in (grid or {}).items()]
    else:
        items = [f"{k}={_joined([str(v) for v in values])}" for k, values in (grid or {}).items()]
    if settings is not None and not isinstance(settings, Mapping):  # a list of "KEY=VALUE": AttributeError
        raise ScenarioError(f"settings must be a mapping of parameter names to values, got {settings!r}")
    fixed = [f"{k}={v}" for k, v in (settings or {}).items()]
    out = as_dir("out", out) if out is not None else Path(tempfile.mkdtemp(prefix="lanasim-sweep-"))
    return sweep(scenario, seeds, items, fixed, out, design=design, samples=samples, metric=metric,
                 workers=workers, scheduler=scheduler, keep_journals=keep_journals, echo=echo)


def _pair(key: str, values: Iterable) -> str:
    """A Sobol range `(low, high)` as `--grid` reads it, `LOW:HIGH` (a triple was a ValueError traceback)."""
    ends = list(values)
    if len(ends) != 2:
        raise ScenarioError(f"grid[{key!r}] must be a (low, high) pair for a sobol design, got {ends!r}")
    return f"{ends[0]}:{ends[1]}"


def _joined(values: list[str]) -> str:
    """Grid values as `--grid` reads them: comma-separated, or `|`-separated when one holds a comma
    (ended by a `|`: a single gbm market was split at its commas into `gbm:mu=0`, `sigma=...`)."""
    if not any("," in v for v in values):
        return ",".join(values)
    return "|".join(values) + ("|" if len(values) == 1 else "")

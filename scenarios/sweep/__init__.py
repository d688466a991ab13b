"""Sweeps and Monte Carlo on Dask: a scenario over a grid (or a Sobol design) x seeds, one Parquet
row per run, resumable, with risk statistics per grid cell and an HTML report.

Not built yet: a book built once and branched per seed (the journal fork). Each run opens its own
book; `RunSpec.book` is the seam where a book step keyed by the book's parameters plugs in.
"""

from __future__ import annotations

from scenarios.sweep.api import SweepResult, run_sweep, sweep
from scenarios.sweep.cli import register_cli
from scenarios.sweep.plan import parse_grid, parse_seeds
from scenarios.sweep.report import report
from scenarios.sweep.store import is_sweep_dir, read_runs

__all__ = ["SweepResult", "is_sweep_dir", "parse_grid", "parse_seeds", "read_runs", "register_cli", "report",
           "run_sweep", "sweep"]

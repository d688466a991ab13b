"""Sweeps and Monte Carlo on Dask: a scenario over a grid (or a Sobol design) x seeds, one Parquet
row per run, resumable, with risk statistics per grid cell and an HTML report.

Each distinct book (a scenario's `book_key(params)`, `RunSpec.book`) is opened once per sweep and
every run of it branches from its journal bytes with its own seed (`scenarios.sweep.books`).
"""

from __future__ import annotations

from scenarios.sweep.api import SweepResult, run_sweep, sweep
from scenarios.sweep.cli import register_cli
from scenarios.sweep.plan import parse_grid, parse_seeds
from scenarios.sweep.report import report
from scenarios.sweep.store import is_sweep_dir, read_runs

__all__ = ["SweepResult", "is_sweep_dir", "parse_grid", "parse_seeds", "read_runs", "register_cli", "report",
           "run_sweep", "sweep"]

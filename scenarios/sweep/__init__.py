"""Sweeps and Monte Carlo on Dask: a scenario over a grid (or a Sobol design) x seeds, one Parquet
row per run, resumable, with risk statistics per grid cell and an HTML report.

Each distinct book (a scenario's `book_key(params)`, `RunSpec.book`) is opened once per sweep and
every run of it branches from its journal (a file the workers share, or bytes) with its own seed
(`scenarios.sweep.books`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenarios.sweep.api import SweepResult, run_sweep, sweep
    from scenarios.sweep.cli import register_cli
    from scenarios.sweep.outputs import report
    from scenarios.sweep.plan import parse_grid, parse_seeds
    from scenarios.sweep.store import is_sweep_dir, read_runs

__all__ = ["SweepResult", "is_sweep_dir", "parse_grid", "parse_seeds", "read_runs", "register_cli", "report",
           "run_sweep", "sweep"]

_HOME = {"SweepResult": "api", "run_sweep": "api", "sweep": "api", "register_cli": "cli", "parse_grid": "plan",
         "parse_seeds": "plan", "report": "outputs", "is_sweep_dir": "store", "read_runs": "store"}


def __getattr__(name: str) -> Any:
    """The public names, imported on first use: the CLI registers `lanasim sweep` without loading
    pandas and Dask, which every other command (import, export, fork, show) does without."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'scenarios.sweep' has no attribute {name!r}")
    return getattr(importlib.import_module(f"scenarios.sweep.{home}"), name)

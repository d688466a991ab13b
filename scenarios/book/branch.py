"""`run --from`: a stress scenario on a branch of an existing journal or on an imported book.

The run directory's journal is the source journal cut at `--at` (default: its last instant), or the
book file imported at `--at` with BTC at `btc_usd` (0: the market path's first price). The book is
the open facilities found there; the market path replays its relative moves from the price in force
at the branch point, starting `lead_days` after it; borrowers and the desk are drawn as in `stress`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from engine.bank.importer import import_positions
from engine.kernel.aside import written_aside
from engine.kernel.clock import check_start
from engine.kernel.errors import StartOutOfRange
from engine.simulation import Simulation
from scenarios.analysis import write_outputs
from scenarios.book import held
from scenarios.book.export import as_of_iso, open_facilities
from scenarios.book.format import Note, read_book
from scenarios.book.sheet import BOOK_SUFFIXES
from scenarios.library import load_scenario, parse_params, run_scenario, stress
from scenarios.library.params import ScenarioError
from scenarios.library.rundir import prepare_run_dir
from scenarios.market import path_from_spec

__all__ = ["run_from"]


def run_from(name: str, source: str, *, at: str | None = None, seed: int = 0, params: dict | None = None,
             run_dir: str | Path | None = None, force: bool = False, progress=None, note: Note | None = None) -> dict:
    """Run the stress scenario `name` on a branch of `source` (a journal file, a run directory or a
    book file: CSV, Excel or Parquet) into `run_dir` (default `out/NAME-from-seedN`); returns the
    summary. A journal's run is the scenario run with `book_from` = it and `book_at` = `at`
    (`scenarios.book.held`), the run each seed of a sweep over that book writes. `note` is told what
    a book file holds that is legal but likely a mistake (`scenarios.book.format.rates_note`)."""
    scenario = load_scenario(name)
    scenario.require_stress("--from")
    run_dir = Path(run_dir) if run_dir is not None else Path("out") / f"{name}-from-seed{seed}"
    if Path(source).suffix.lower() not in BOOK_SUFFIXES:
        given = [f"{k}={v}" for k, v in (params or {}).items()]
        return run_scenario(name, seed, {**(params or {}), **held.settings(source, at, given)}, run_dir,
                            force=force, progress=progress)
    if at is None:
        raise ScenarioError(f"--from {source} needs --at DATE (the day the book stands at)")
    held.no_book_params(params or {})
    values = parse_params(scenario, [f"{k}={v}" for k, v in (params or {}).items()])
    start = as_of_iso(at)
    try:
        check_start(start)  # the imported book's journal starts there
    except StartOutOfRange as refused:
        raise ScenarioError(f"--at {at}: {refused}") from None
    positions = read_book(Path(source), date.fromisoformat(start[:10]), note)
    journal = str(prepare_run_dir(run_dir, force=force))  # a bad book is refused before --out is made
    run = {"scenario": name, "seed": seed, "params": {k: str(v) for k, v in values.items()},
           "branched_from": str(source)}
    _import(positions, start, journal, seed, values, run)
    with Simulation(seed=seed, journal=journal) as sim:
        sim.progress = progress
        _tell(sim, values)
        sim.journal.set_meta(finished=True)  # as every run: `--resume` re-ran its last day and rewrote the journal
    return write_outputs(run_dir)


def _import(positions: list, start: str, journal: str, seed: int, params: dict, run: dict) -> None:
    """The book imported whole or not at all, with the run's metadata (`run`: its scenario, seed,
    parameters and source) in the same last commit: written aside (`written_aside`) and put in place
    once closed; stopped (Ctrl-C) or failed on the way, the partial file is removed, and one a killed
    run left is removed by the next run into the directory (`prepare_run_dir`). A run stopped while
    importing left a journal that recorded no scenario, which `--resume` refused as not lanasim's
    and a rerun refused without `--force`; killed, its fixed-name `journal.sqlite.partial` made the
    resume, a rerun and `--force` refuse the directory as holding files but no journal. Killed once
    the book was in place but before the run committed its metadata (then a commit of its own), the
    journal recorded no scenario: `--resume` said `not written by lanasim run` of lanasim's own file."""
    price = params["btc_usd"] * 100 or path_from_spec(params["path"], seed=seed).price_at(0)
    exists = lambda: ScenarioError(f"{journal}: exists already; another run is writing this directory")
    with written_aside(journal, exists) as partial, Simulation(seed=seed, start=start, journal=partial) as sim:
        import_positions(sim, positions, price)
        sim.journal.set_meta(**run, run_from=held.run_from(sim))  # committed as the journal closes


def _tell(sim: Any, params: dict) -> None:
    """The stress story from its market on: the book is already there."""
    stress.run_market_from_now(sim, params, open_facilities(sim))

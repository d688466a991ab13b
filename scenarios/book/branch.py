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

from engine.bank import modules
from engine.bank.importer import import_positions
from engine.kernel.fork import fork_journal, open_source
from engine.simulation import Simulation
from scenarios.analysis import write_outputs
from scenarios.book.export import as_of_iso, open_facilities
from scenarios.book.format import read_book
from scenarios.library import load_scenario, parse_params, stress
from scenarios.library.params import ScenarioError
from scenarios.library.rundir import journal_meta, prepare_run_dir
from scenarios.library.stress import DAY
from scenarios.market import path_from_spec

__all__ = ["run_from"]


def run_from(name: str, source: str, *, at: str | None = None, seed: int = 0, params: dict | None = None,
             run_dir: str | Path | None = None, force: bool = False, progress=None) -> dict:
    """Run the stress scenario `name` on a branch of `source` (a journal file, a run directory or a
    book CSV) into `run_dir` (default `out/NAME-from-seedN`); returns the summary."""
    scenario = load_scenario(name)
    if getattr(scenario.module, "report", None) is not stress.report:
        raise ScenarioError(f"{name} is not a stress scenario; --from needs one (stress or a preset)")
    values = parse_params(scenario, [f"{k}={v}" for k, v in (params or {}).items()])
    source_path = Path(source) / "journal.sqlite" if Path(source).is_dir() else Path(source)
    if source_path.suffix.lower() == ".csv" and at is None:
        raise ScenarioError("--from BOOK.csv needs --at DATE (the day the book stands at)")
    run_dir = Path(run_dir) if run_dir is not None else Path("out") / f"{name}-from-seed{seed}"
    book = source_path.suffix.lower() == ".csv"
    start = as_of_iso(at) if at else ""
    positions = read_book(source_path, date.fromisoformat(start[:10])) if book else []
    if not book:
        meta = journal_meta(source_path)
        first, last = str(meta["start"]), str(meta.get("now", meta["start"]))
        if start and not first <= start <= last:
            raise ScenarioError(f"--at {start} is outside {source_path} ({first} .. {last})")
    journal = str(prepare_run_dir(run_dir, force=force))  # a bad source is refused before --out is made
    if book:
        _import(positions, start, journal, seed, values)
    else:
        _branch(str(source_path), journal, start or None, seed)
    with Simulation(seed=seed, journal=journal) as sim:
        sim.progress = progress
        sim.journal.set_meta(scenario=name, seed=seed, params={k: str(v) for k, v in values.items()},
                             branched_from=str(source_path))
        for key in ("finished", "checkpoint", "stress_run"):  # the source run's, not this one's
            sim.journal.stage("DELETE FROM lanasim_meta WHERE key = ?", (key,))
        sim.journal.flush()  # before this run stages its own
        _tell(sim, values)
    return write_outputs(run_dir)


def _import(positions: list, start: str, journal: str, seed: int, params: dict) -> None:
    price = params["btc_usd"] * 100 or path_from_spec(params["path"], seed=seed).price_at(0)
    with Simulation(seed=seed, start=start, journal=journal) as sim:
        import_positions(sim, positions, price)


def _branch(source: str, journal: str, at: str | None, seed: int) -> None:
    conn = open_source(source)
    try:
        from engine.kernel.codec import loads

        meta = {k: loads(v) for k, v in conn.execute("SELECT key, value FROM lanasim_meta")}
        fork_journal(conn, journal, at or meta.get("now", meta["start"]), modules.aggregates(),
                     seed)
    finally:
        conn.close()


def _tell(sim: Any, params: dict) -> None:
    """The stress story from its market on: the book is already there."""
    price = sim.price.current()
    if price is None:
        raise ScenarioError("the branch has no BTC price yet; nothing to replay the market from")
    book = open_facilities(sim)
    stress.run_market(sim, params, book, params["price_every_minutes"] * 60, sim.elapsed + params["lead_days"] * DAY,
                      price)

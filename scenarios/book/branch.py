"""`run --from`: a stress scenario on a branch of an existing journal or on an imported book.

The run directory's journal is the source journal cut at `--at` (default: its last instant), or the
book file imported at `--at` with BTC at `btc_usd` (0: the market path's first price): the stress
run with `book_from` and `book_at` set to them (`scenarios.book.held`, `scenarios.book.filed`),
which a sweep over the same book runs for each seed. The book is the open facilities found there;
the market path replays its relative moves from the price in force at the branch point, starting
`lead_days` after it; borrowers and the desk are drawn as in `stress`.
"""

from __future__ import annotations

from pathlib import Path

from scenarios.book import filed, held
from scenarios.book.format import Note
from scenarios.library import load_scenario, run_scenario

__all__ = ["run_from"]


def run_from(name: str, source: str, *, at: str | None = None, seed: int = 0, params: dict | None = None,
             run_dir: str | Path | None = None, force: bool = False, progress=None, note: Note | None = None) -> dict:
    """Run the stress scenario `name` on a branch of `source` (a journal file, a run directory or a
    book file: CSV, Excel or Parquet) into `run_dir` (default `out/NAME-from-seedN`); returns the
    summary: the scenario run with `book_from` = `source` and `book_at` = `at`, the run each seed of a
    sweep over that book writes (a book file's ids drawn from `book_seed`). `note` is told what
    a book file holds that is legal but likely a mistake (`scenarios.book.format.rates_note`)."""
    scenario = load_scenario(name)
    scenario.require_stress("--from")
    run_dir = Path(run_dir) if run_dir is not None else Path("out") / f"{name}-from-seed{seed}"
    given = [f"{k}={v}" for k, v in (params or {}).items()]
    if filed.is_book_file(source):
        book = filed.settings(source, at, given, note)  # a bad book is refused before --out is made
    else:
        book = held.settings(source, at, given)
    return run_scenario(name, seed, {**(params or {}), **book}, run_dir, force=force, progress=progress)

"""Stress-run outputs computed from the journal and its outbox: metrics (summary, timeseries,
facilities), plots and a self-contained HTML report, written into a run directory."""

from __future__ import annotations

from pathlib import Path

from scenarios.analysis.metrics import ACTIVATED, Analysis, analyse
from scenarios.analysis.page import write_page
from scenarios.analysis.plots import draw_all

__all__ = ["Analysis", "analyse", "analyse_run", "draw_all", "read_run", "write_outputs", "write_page"]


def analyse_run(sim) -> Analysis:
    """The analysis of a running (or finished, still open) simulation, from its outbox."""
    sim.settle(commit=True)
    return _streamed(sim.outbox, seed=sim.seed, digest=sim.journal.digest(), meta=sim.journal.meta())


def _streamed(outbox, *, seed: int, digest: str, meta: dict) -> Analysis:
    """`analyse` over the outbox read once, envelope by envelope (an imported book of 20,000
    facilities held 600 MB of envelopes at once), after the facilities' ids. A run branched from
    another journal or an imported book (`run --from`, its meta's `run_from`) counts from there."""
    ids = [e["payload"]["entity"]["id"] for e in outbox.stream(types=[ACTIVATED])]
    return analyse(outbox.stream(), seed=seed, digest=digest, facility_ids=ids, counted_from=meta.get("run_from"))


def read_run(run_dir: Path, digest: str | None = None) -> tuple[Analysis, dict]:
    """The analysis and the stress parameters of the run in `run_dir`, from its journal (read-only).
    `digest`: the journal's digest as the run that just closed it computed it (every event read and
    hashed again otherwise: 4.9 s for a 20,000-facility run's 1.44M events)."""
    from engine.inspect import open_readonly

    with open_readonly(str(Path(run_dir) / "journal.sqlite")) as view:
        meta = view.journal.meta()
        analysis = _streamed(view.outbox_reader, seed=meta.get("seed", 0), digest=digest or view.journal.digest(),
                             meta=meta)
    return analysis, _book_source(dict(meta.get("stress_params") or meta.get("params") or {}), meta)


def _book_source(params: dict, meta: dict) -> dict:
    """`params` with `book_from` and `book_at` saying where the run's book came from. A run on a book
    file (`run --from BOOK.csv`) written before the book file became `book_from` itself recorded the
    file as `branched_from` and left `book_from` empty: its report.html said `book_from` (empty) and
    `facilities 200`, the default of a drawn book it never drew, beside a summary of the file's 2
    facilities. A run on a journal without `--at`
    (`book_at` empty: the journal's last instant) showed `book_at` empty: the branch point it ran from
    is shown instead."""
    at = (meta.get("run_from") or {}).get("at", "")
    if params and not params.get("book_from") and meta.get("branched_from"):
        params = {**params, "book_from": meta["branched_from"], "book_at": at}
    elif params and params.get("book_from") and not params.get("book_at") and at:
        params = {**params, "book_at": at}  # `run --from JOURNAL` without --at: its last instant, said
    return params


def write_outputs(run_dir: Path, analysis: Analysis | None = None, params: dict | None = None, *,
                  digest: str | None = None, whole: bool = False) -> dict:
    """summary.json, timeseries.parquet, facilities.parquet, plots/*.png and report.html in `run_dir`
    (read from its journal unless `analysis` is given, with `digest` as `read_run` takes it; the
    plots over the whole run with `whole`, not from shortly before a quiet run's first move);
    returns the summary."""
    run_dir = Path(run_dir)
    from scenarios.library.rundir import claim_outputs, write_summary  # (the library imports this package)

    if analysis is None:
        analysis, params = read_run(run_dir, digest)
    claim_outputs(run_dir)  # a file of an output's name that lanasim did not write here is not replaced
    analysis.timeseries.to_parquet(run_dir / "timeseries.parquet", index=False)
    analysis.facilities.to_parquet(run_dir / "facilities.parquet", index=False)
    plots = draw_all(analysis, params or {}, run_dir / "plots", whole=whole)
    write_page(analysis, params or {}, plots, run_dir / "report.html")
    write_summary(run_dir, analysis.summary)  # last and whole: a resume tells written outputs by it
    return analysis.summary

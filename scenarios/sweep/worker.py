"""One run on a worker: the scenario executed in memory (a big book's run in a temporary file, or
into a kept journal), reduced to one flat row of numbers — a failure is a row too, with its error
and the command that reproduces it."""

from __future__ import annotations

import math
import re
import time
from contextlib import ExitStack
from decimal import Decimal
from numbers import Real
from pathlib import Path
from tempfile import TemporaryDirectory

from scenarios.library import ScenarioError, load_scenario, parse_params
from scenarios.sweep.books import opened
from scenarios.sweep.plan import RunSpec, code_version, market_data, repro_command

__all__ = ["SPILL_BYTES", "SourceGone", "lost_run", "metric_name", "metrics", "price_file_changed", "run_batch",
           "run_one", "source_gone"]

# A run journals in memory unless its book's journal is bigger than this: a run's journal grows
# with its book, and in memory a stress run on 20,000 imported facilities peaked at 2.1 GB, in a
# file (SQLite's page cache bounded) at about 1 GB; at 100,000 the difference is several GB a worker.
SPILL_BYTES = 64 * 2**20


def run_batch(specs: list[RunSpec], book: dict | None = None, journals: str | None = None) -> list[dict]:
    """Several runs in one task (all of one book), one row each."""
    return [run_one(spec, journals, book) for spec in specs]


def run_one(spec: RunSpec, journals: str | None = None, book: dict | None = None) -> dict:
    """Run `spec`; `journals` is a directory to keep the journal in (None: in memory, or for a book
    of more than `SPILL_BYTES` in a temporary file removed after the run); `book` the opened book it
    branches from (`scenarios.sweep.books.build`: its file or bytes; None: the run opens its own).
    `setup_s` is the time until the story's first progress tick (stress: its book is open)."""
    if book is not None and "path" in book and not Path(book["path"]).is_file():
        # a worker that does not see the sweep's directory (one that joined after the start, on
        # another machine), or a book deleted meanwhile: not this run's fault, so a rerun tries again
        return lost_run(spec, FileNotFoundError(f"the sweep's book {book['path']} is not on this worker"))
    row = _row(spec)
    started = time.perf_counter()
    first_tick: list[float] = []

    def tick(*_) -> None:  # the story's first progress tick ends its setup (the book is open)
        if not first_tick:
            first_tick.append(time.perf_counter())

    changed = price_file_changed(spec)
    if changed is not None:  # its runs are keyed by the file it was planned with: this one is not it
        return lost_run(spec, SourceGone(changed))
    try:
        if code_version() != spec.code:  # a worker started from other sources would key runs wrongly
            raise RuntimeError(f"worker code version {code_version()} differs from the sweep's {spec.code}")
        scenario = load_scenario(spec.scenario)
        params = parse_params(scenario, [f"{k}={v}" for k, v in spec.assignments])
        if book is not None and book["error"]:
            raise RuntimeError(f"its book could not be opened: {book['error']}")
        with ExitStack() as scratch:
            if journals is not None:
                journal = str(Path(journals) / f"{spec.key}.sqlite")
                Path(journal).unlink(missing_ok=True)  # an interrupted earlier attempt of this run left it half-written
            elif book is not None and book["size"] > SPILL_BYTES:
                journal = str(Path(scratch.enter_context(TemporaryDirectory(prefix="lanasim-run-"))) / "journal.sqlite")
            else:
                journal = ":memory:"
            summary = scenario.execute(seed=spec.seed, journal=journal, params=params, progress=tick,
                                       book=None if book is None else opened(book))
        row["digest"] = summary.get("digest", "")
        row.update(metrics(summary))
        changed = price_file_changed(spec)  # while the run read it: its figures are of neither file
        if changed is not None:
            return lost_run(spec, SourceGone(changed))
    except Exception as exc:
        gone = source_gone(spec) or price_file_changed(spec)
        if gone is not None:  # its input vanished, not the run's fault: a rerun with the journal back runs it
            return lost_run(spec, SourceGone(gone))
        row.update(status="failed", error=_one_line(exc))
    ended = time.perf_counter()
    row["wall_s"] = ended - started
    row["setup_s"] = (first_tick[0] if first_tick else ended) - started
    return row


class SourceGone(Exception):
    """The journal a run's book is held in (`book_from`) could not be read as the run failed, or the
    `csv:` price file its market reads is gone or is no longer the file the sweep was planned with
    (`price_file_changed`): the row is `lost`, and the sweep stops (`scenarios.sweep.runner`) rather
    than fail, or key under the old file's hash figures of the new one, run after run."""


def source_gone(spec: RunSpec) -> str | None:
    """Why the journal `spec`'s book is held in (`book_from`, a sweep `--from JOURNAL`) cannot be read
    now (deleted, unreadable, no longer SQLite), or the book file it names (`--from BOOK.csv`: deleted,
    unreadable), naming it; None when it can, or the run has none."""
    from scenarios.book.filed import is_book_file
    from scenarios.book.held import source

    given = dict(spec.assignments).get("book_from", "")
    if not given:
        return None
    path = source(given)
    try:
        with path.open("rb") as file:
            header = file.read(16)
    except OSError as exc:
        return f"{path} ({exc.strerror or type(exc).__name__})"
    if is_book_file(given):  # a book file (`sweep --from BOOK.csv`): readable is all a run needs of it
        return None
    return None if header == b"SQLite format 3\x00" else f"{path} (no longer an SQLite file)"


def price_file_changed(spec: RunSpec) -> str | None:
    """Why the `csv:` price file of `spec`'s market is not the one the sweep was planned with
    (`RunSpec.data`, the hash its runs are keyed by): "price file PATH (No such file or directory)",
    or "(changed since the sweep was planned)"; None when it is the same file, or the market reads none."""
    if not spec.data:
        return None
    given = str(dict(spec.assignments).get("path", "")).strip()
    try:
        now = market_data({"path": given})
    except OSError as exc:
        return f"price file {given[4:]} ({exc.strerror or type(exc).__name__})"
    return None if now == spec.data else f"price file {given[4:]} (changed since the sweep was planned)"


def lost_run(spec: RunSpec, exc: BaseException) -> dict:
    """The row of a run whose worker never returned (it died, or the task was lost): status `lost`,
    which a rerun of the sweep tries again (a `failed` run is final for its code version)."""
    return {**_row(spec), "status": "lost", "error": _one_line(exc), "wall_s": float("nan"), "setup_s": float("nan")}


def _one_line(exc: BaseException) -> str:
    return (f"{type(exc).__name__}: {exc}".splitlines() or [""])[0][:500]


def _row(spec: RunSpec) -> dict:
    return {"key": spec.key, "scenario": spec.scenario, "cell": spec.cell, "seed": spec.seed,
            **{f"param_{k}": v for k, v in spec.assignments}, "book": spec.book or "", "status": "ok", "error": "",
            "repro": repro_command(spec), "code_version": spec.code, "digest": "", **_no_figures(spec.scenario)}


def _no_figures(scenario: str) -> dict[str, float]:
    """NaN for each number a run of the stress family reports, which its summary overwrites: a part
    of `runs.parquet` holding only failed or lost runs had none of these columns, and
    `pd.read_parquet(OUT/runs.parquet)`, which takes the first part's columns, dropped them from
    every part after it. Another scenario's numbers are known only once one of its runs has ended."""
    from scenarios.analysis.metrics import NUMBERS

    try:
        stress = load_scenario(scenario).stress_family
    except ScenarioError:
        return {}
    return dict.fromkeys((*NUMBERS, "events_journaled", "outbox_events"), math.nan) if stress else {}


def metrics(summary: dict) -> dict[str, float]:
    """The summary's numeric values (booleans and text left out), under snake_case names."""
    return {metric_name(k): float(v) for k, v in summary.items()
            if isinstance(v, (Real, Decimal)) and not isinstance(v, bool) and metric_name(k) not in ("seed",)}


def metric_name(key: str) -> str:
    """`events journaled` -> `events_journaled`."""
    return re.sub(r"[^0-9a-z]+", "_", key.lower()).strip("_")

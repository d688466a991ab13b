"""`lanasim sweep`: registered by the sweep itself on the CLI's subcommands (the CLI owns nothing of
the sweep). Interrupting it (Ctrl-C) keeps every finished run; the same command resumes. A second
Ctrl-C while it stops is ignored: the exit status stays 130."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Self

from scenarios.console import path_arg

__all__ = ["register_cli"]


def register_cli(sub, *, progress) -> None:
    """Add `lanasim sweep`; `progress(done, label)` reports runs when stderr is no terminal
    (a rich progress bar otherwise)."""
    cmd = sub.add_parser("sweep", help="run a scenario over a grid x seeds on Dask; Parquet rows, risk report")
    cmd.add_argument("scenario", help="a name from `lanasim scenarios`")
    cmd.add_argument("--seeds",
                     help="N, A-B or A,B,C (default 1-4; negative ones after '=': --seeds=-3--1); "
                          "seeds x grid cells at most 1,000,000 runs")
    cmd.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2",
                     help="values to cross (grid design; KEY=V1|V2 when values hold commas, as gbm: markets do) "
                          "or KEY=LOW:HIGH (sobol design)")
    cmd.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a fixed parameter")
    cmd.add_argument("--out", type=path_arg, default="out/sweep", help="sweep directory (default out/sweep)")
    cmd.add_argument("--workers", type=int, help="local worker processes (default: the number of cores)")
    cmd.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="an existing dask scheduler")
    cmd.add_argument("--keep-journals", action="store_true", help="keep each run's journal in OUT/journals/")
    cmd.add_argument("--design", choices=("grid", "sobol"), default="grid",
                     help="grid: every --grid value x every seed (default); "
                          "sobol: a Saltelli design over --grid KEY=LOW:HIGH ranges")
    cmd.add_argument("--samples", type=int, help="Sobol base samples N (a power of two; default 64)")
    cmd.add_argument("--metric", help="what the Sobol indices explain (default loss)")
    cmd.add_argument("--from", type=path_arg, dest="source", metavar="JOURNAL_OR_BOOK",
                     help="stress the open facilities of this journal or run directory (an imported book), or "
                          "of this book file (.csv, .xlsx, .parquet), instead of a drawn book: --set book_from=...")
    cmd.add_argument("--at", help="the instant the --from journal is branched at (default: its last instant); "
                                  "a book file: the day it stands at (required)")

    def handle(args: argparse.Namespace) -> int:
        from scenarios.book.cli import _refused
        from scenarios.book.sheet import BookRefused
        from scenarios.interrupt import Terminated, interrupt_once, terminate_once
        from scenarios.sweep.api import sweep  # pandas and Dask: loaded by this command only
        from scenarios.sweep.outputs import print_risk
        from scenarios.sweep.plan import parse_seeds

        _one_design(args)
        seeds = parse_seeds("1-4" if args.seeds is None else args.seeds) if args.design == "grid" else []
        try:
            settings = [*args.set, *_held_book(args)]
        except BookRefused as refused:  # a line per problem, as `import` and `run --from` print them
            return _refused(args.source, refused.problems, "nothing run")
        with interrupt_once(process_ends=getattr(args, "process_ends", False)), terminate_once(), \
                _Bar(progress) as bar:
            try:
                result = sweep(args.scenario, seeds, args.grid, settings, Path(args.out), design=args.design,
                               samples=args.samples or 64, metric=args.metric or "loss", workers=args.workers,
                               scheduler=args.scheduler, keep_journals=args.keep_journals, progress=bar.update,
                               echo=lambda line: print(line, file=sys.stderr))
            except KeyboardInterrupt as stop:
                how = "terminated (SIGTERM)" if isinstance(stop, Terminated) else "interrupted"
                print(f"lanasim: {how}; finished runs are kept in {args.out} (run the same command to resume)",
                      file=sys.stderr)
                return 143 if isinstance(stop, Terminated) else 130
        c = result.counts
        again = ": the same command runs them again" if c["lost"] else ""
        print(f"{c['planned']} runs: {c['ran']} ran ({c['failed']} failed, {c['lost']} lost{again}), "
              f"{c['skipped']} already done; "
              f"{c['books_built']} book(s) opened, {c['books_kept']} taken from {args.out}/books", file=sys.stderr)
        print_risk(result.risk, result.sensitivity, metric=args.metric or "loss")
        print(result.path / "runs.parquet")
        return 0

    cmd.set_defaults(handler=handle)


def _one_design(args: argparse.Namespace) -> None:
    """An option of the other design is refused, not dropped: `--design sobol --seeds 1-200` ran the
    Sobol design's own seeds, and `--samples`/`--metric` without `--design sobol` ran a grid, each
    without a word, so the user read figures of a sweep they had not asked for."""
    from scenarios.library import ScenarioError

    if args.design == "sobol" and args.seeds is not None:
        raise ScenarioError("--seeds is for --design grid: a Sobol design draws each run's seed as a factor")
    if args.design == "grid":
        given = [name for name, value in (("--samples", args.samples), ("--metric", args.metric)) if value is not None]
        if given:
            raise ScenarioError(f"{given[0]} is for --design sobol; add --design sobol or leave it out")


def _held_book(args: argparse.Namespace) -> list[str]:
    """`--from JOURNAL [--at T]` as the settings they stand for (`scenarios.book.held.settings`); a book
    file, `--from BOOK.csv --at DATE`, as `_book_file` makes them."""
    from scenarios.book.filed import is_book_file
    from scenarios.book.held import settings
    from scenarios.library import ScenarioError

    if args.source is None:
        if args.at is not None:
            raise ScenarioError("--at needs --from JOURNAL_OR_BOOK (the journal or book file whose book stands at it)")
        return []
    if is_book_file(args.source):
        return _book_file(args)
    return [f"{k}={v}" for k, v in settings(args.source, args.at, [*args.set, *args.grid]).items()]


def _book_file(args: argparse.Namespace) -> list[str]:
    """`--from BOOK.csv --at DATE` (or .xlsx, .parquet) as the settings they stand for: the book is
    imported once, at DATE with BTC at `btc_usd` (0: the market path's first price), and branched per
    run, each the run `lanasim run SCENARIO --from BOOK --at DATE --seed N` writes. Refused: no --at,
    a setting --from already gives, or a bad book (`BookRefused`, every problem named)."""
    from scenarios.book.cli import _noting
    from scenarios.book.filed import settings

    book = settings(args.source, args.at, [*args.set, *args.grid], _noting(args.source))
    return [f"{k}={v}" for k, v in book.items()]


class _Bar:
    """Per-run progress: a rich bar on a terminal, else the CLI's own `progress(fraction, label)`."""

    def __init__(self, fallback) -> None:
        self.fallback, self.task = fallback, None
        self.rich: Any = None

    def __enter__(self) -> Self:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.rich = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), console=Console(stderr=True))
            self.rich.start()
        return self

    def update(self, done: int, total: int, row: dict) -> None:
        label = f"{row['cell']} seed {row['seed']} {row['status']}"
        if self.rich is None:
            if self.fallback:
                self.fallback(done / total, label)
            return
        if self.task is None:
            self.task = self.rich.add_task("runs", total=total)
        self.rich.update(self.task, completed=done, description=label)

    def __exit__(self, *exc) -> None:
        if self.rich is not None:
            self.rich.stop()

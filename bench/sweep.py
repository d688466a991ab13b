"""Sweep benchmark: runs/s on Dask with 1 and 2 workers against the same runs in a plain loop in one
process (the per-run overhead of the sweep: scheduling, moving rows, streaming Parquet parts), and
a Monte Carlo of a large book over a GBM market (wall time, share of worker time spent opening the
book, which the sweep does once, and branching each run from it).

Run: `python bench/sweep.py` (both sections), `--section overhead|monte-carlo`, sizes by option
(`--runs`, `--seeds`, `--facilities`, `--days`). Prints figures; never asserts on time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenarios.library import scenario_names
from scenarios.sweep import books
from scenarios.sweep.api import sweep
from scenarios.sweep.cluster import connect
from scenarios.sweep.plan import parse_grid, plan_grid
from scenarios.sweep.runner import _stream
from scenarios.sweep.store import Store, read_manifest
from scenarios.sweep.worker import run_one

GBM = "gbm:mu=0,sigma=0.8,start=60000"


def small_run() -> tuple[str, list[str]]:
    """A small run of the scenario the sweep is for: the stress test on a GBM market when present."""
    if "stress" in scenario_names():
        return "stress", [f"path={GBM}", "facilities=20", "days=3"]
    return "march-2020", ["facilities=20", "days=3"]


def overhead(runs: int) -> None:
    """Wall time (what a user waits) and CPU time (the work done, which other load on a shared
    machine does not inflate): the sweep's processes -- client, scheduler, nannies (all in this
    process for a LocalCluster) and workers -- against the loop's one process. The baseline loop
    does the sweep's work (the book opened once, every run branched from it); a loop of runs that
    each open their own book (`lanasim run` per seed) is printed beside it."""
    name, settings = small_run()
    plan = plan_grid(name, list(range(1, runs + 1)), parse_grid([]), settings)
    run_one(plan[0], book=books.build(plan[0]))  # imports and caches, as a worker's first task does
    wall, cpu = min(_loop(plan, shared=True), _loop(plan, shared=True))  # the better of two: load only adds
    alone_wall, alone_cpu = _loop(plan, shared=False)
    print(f"{runs} runs of {name} {' '.join(settings)}")
    print(f"  plain loop, book once:          {wall:6.2f} s wall {runs / wall:6.1f} runs/s  {cpu:6.2f} s CPU"
          "  (baseline, best of 2)")
    print(f"  plain loop, a book per run:     {alone_wall:6.2f} s wall {runs / alone_wall:6.1f} runs/s  "
          f"{alone_cpu:6.2f} s CPU")
    for workers in (1, 2):
        with connect(workers=workers) as client:
            client.run(run_one, plan[0])  # warm every worker the same way
            took, used = min(_on_dask(client, plan, "first"), _on_dask(client, plan, "second"))
        print(f"  dask, {workers} worker(s), best of 2: {took:6.2f} s wall {runs / took:6.1f} runs/s  {used:6.2f} s CPU"
              f"  overhead {(used - cpu) / runs * 1000:5.1f} ms CPU/run = {(used - cpu) / cpu:+.1%}")


def _cpu(client=None) -> float:
    return time.process_time() + (sum(client.run(time.process_time).values()) if client else 0.0)


def _on_dask(client, plan, attempt: str) -> tuple[float, float]:
    """The sweep's own path: open the book, submit, stream rows back, write Parquet parts and the manifest."""
    with tempfile.TemporaryDirectory() as out:
        store = Store(Path(out), {"scenario": plan[0].scenario}, [s.key for s in plan]).open()
        counts = {"ran": 0, "failed": 0, "books_built": 0, "books_kept": 0}
        cpu, started = _cpu(client), time.perf_counter()
        _stream(client, plan, None, store, counts, None, prefix=f"bench-{attempt}")
        store.flush()
        return time.perf_counter() - started, _cpu(client) - cpu


def _loop(plan, shared: bool) -> tuple[float, float]:
    cpu, started = time.process_time(), time.perf_counter()
    book = books.build(plan[0]) if shared else None
    rows = [run_one(spec, book=book) for spec in plan]
    assert all(row["status"] == "ok" for row in rows), rows[0]["error"]
    return time.perf_counter() - started, time.process_time() - cpu


def monte_carlo(seeds: int, facilities: int, days: int, workers: int) -> None:
    """One book, `seeds` runs branched from it: wall time, worker time, and the share of worker time
    spent opening the book (the book task) and branching each run from it (`setup_s`)."""
    if "stress" not in scenario_names():
        print("monte-carlo: needs the stress scenario (GBM market); skipped")
        return
    settings = [f"path={GBM}", f"facilities={facilities}", f"days={days}", "price_every_minutes=60"]
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = sweep("stress", list(range(1, seeds + 1)), [], settings, Path(out) / "mc", workers=workers,
                       echo=lambda _: None)
        wall = time.perf_counter() - started
        opened = read_manifest(Path(out) / "mc")["books"]
    runs = result.runs
    ok = runs[runs["status"] == "ok"]
    building = sum(book["build_s"] for book in opened.values())
    worker_s = runs["wall_s"].sum() + building
    print(f"monte carlo: {seeds} seeds x {facilities} facilities, {days} days hourly GBM, {workers} workers")
    print(f"  wall {wall:.1f} s ({len(ok)} ok, {len(runs) - len(ok)} failed); worker time {worker_s:.1f} s, "
          f"mean {runs['wall_s'].mean():.2f} s/run")
    print(f"  books opened {len(opened)}: {building:.1f} s = {building / worker_s:.1%} of worker time; branching "
          f"each run from it (setup_s) {ok['setup_s'].sum() / worker_s:.1%}")
    row = result.risk.iloc[0]
    print(f"  ES 99 % ${row['es99'] / 100:,.0f} [${row['es99_low'] / 100:,.0f}, ${row['es99_high'] / 100:,.0f}], "
          f"P(loss) {row['p_loss']:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--section", choices=("overhead", "monte-carlo"))
    parser.add_argument("--runs", type=int, default=24)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--facilities", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.section in (None, "overhead"):
        overhead(args.runs)
    if args.section in (None, "monte-carlo"):
        monte_carlo(args.seeds, args.facilities, args.days, args.workers)


if __name__ == "__main__":
    main()

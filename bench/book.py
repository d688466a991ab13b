"""Book import, export and fork, against opening the same book through the per-command API.

    python bench/book.py [--facilities 100000] [--baseline-facilities 10000] [--fork-facilities 10000]
                         [--fork-only | --import-only]

Writes a seeded book CSV (sizes, CVLs 130-300 %, ages spread over a year). Baselines, on the first
`--baseline-facilities` rows when the book is longer (a per-command run of 100,000 takes many
minutes; the output says so and scales them per facility): opening the book through the operator
API (customer, deposit, proposal, approval, collateral: what the synthetic stress book does) and the
one-pass import (`import_positions`, every position held in memory). Then `lanasim import`'s path
on the whole book (checked whole, then read and imported a chunk at a time, actors released after
each chunk), its export, and a fork of a journal of `--fork-facilities` imported facilities at its
last instant: the copy and cut alone, then copy and reopen as a live `Simulation`.
Every step runs in a fresh process: wall and CPU seconds, and that process's peak RSS. Targets:
import of 100,000 <= 60 s and <= 1.5 GB, fork of a 10,000-facility journal <= 2 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domains.credit.terms import std_terms
from domains.money import cents_to_sats_up
from engine.bank.importer import import_chunks, import_positions
from engine.kernel.fork import fork_journal
from engine.simulation import Simulation
from scenarios.book.export import book_rows, branch_at
from scenarios.book.format import COLUMNS, book_chunks, check_book, read_book, write_book

AS_OF, PRICE = date(2024, 6, 1), 6_000_000


def write_csv(path: Path, n: int) -> None:
    rng, lines = random.Random(1), [",".join(COLUMNS)]
    for i in range(n):
        cents = rng.randrange(1_000, 100_000) * 100
        activated = AS_OF - timedelta(days=rng.randrange(0, 300))
        sats = cents_to_sats_up(cents * Decimal(rng.uniform(130, 300)) / 100, PRICE)
        interest = rng.randrange(0, 5_000) if (AS_OF - activated).days > 40 else 0
        lines.append(f"f-{i},b{i}@bank.test,{cents // 100},{cents // 100},{cents // 100},{interest // 100}."
                     f"{interest % 100:02d},{sats // 100_000_000}.{sats % 100_000_000:08d},12,12,"
                     f"{activated.isoformat()},140,125,105")
    path.write_text("\n".join(lines) + "\n")


def _measured(fn: Callable[..., Any], *args: Any) -> tuple[Any, float, float, float]:
    """In the child process: (result, wall s, CPU s, peak RSS MiB of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return (result, time.perf_counter() - wall, time.process_time() - cpu,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def isolated(fn: Callable[..., Any], *args: Any) -> tuple[Any, float, float, float]:
    """`_measured(fn, *args)` in a fresh process (its own peak RSS)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_measured, fn, *args).result()


def show(label: str, wall: float, cpu: float, rss: float, per: int | None = None) -> None:
    each = f"   {cpu * 1000 / per:5.2f} ms CPU/facility" if per else ""
    print(f"{label:<52} {wall:8.2f} s wall {cpu:8.2f} s CPU   peak RSS {rss:6.0f} MiB{each}", flush=True)


def timed(label: str, fn: Callable[..., Any], *args: Any, per: int | None = None) -> tuple[Any, float]:
    """Run `fn(*args)` in a fresh process and print its figures (with `per`: also ms a facility)."""
    result, wall, cpu, rss = isolated(fn, *args)
    show(label, wall, cpu, rss, per)
    return result, wall


def per_command_api(csv: Path, journal: Path) -> int:
    """The baseline: every facility opened through the operator API at the import date."""
    positions = read_book(csv, AS_OF)
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(journal)) as sim:
        sim.price.set(PRICE)
        for p in positions:
            customer = sim.customer.create_customer(p.email)
            sim.deposit.record_deposit(sim.deposit.create_account(customer), 10_00)
            facility = sim.credit.create_proposal(customer, p.amount, std_terms(duration=12))
            sim.credit.conclude_customer_approval(facility)
            sim.credit.update_collateral(facility, p.collateral_sats)
    return len(positions)


def one_pass(csv: Path, journal: Path) -> int:
    """The import as one list of positions, every actor kept to the end; returns how many."""
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(journal)) as sim:
        return len(import_positions(sim, read_book(csv, AS_OF), PRICE))


def imported(csv: Path, journal: Path) -> int:
    """`lanasim import`'s path (no digest: the CLI computes none): the book checked whole, then
    imported a chunk at a time; returns how many."""
    check_book(csv, AS_OF)
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(journal)) as sim:
        return import_chunks(sim, book_chunks(csv, AS_OF), PRICE)


def exported(journal: Path, out: Path) -> int:
    with branch_at(str(journal), None) as sim:
        rows = book_rows(sim)
    with out.open("w", newline="") as handle:
        write_book(rows, handle)
    return len(rows)


def fork_copy(source: Path) -> tuple[float, float]:
    with Simulation(seed=1, journal=str(source)) as sim:
        sim.settle(commit=True)
        started = time.perf_counter(), time.process_time()
        branch = fork_journal(sim.journal.conn, ":memory:", sim.clock.iso, [h.spec for h in sim.kinds.values()])
        assert not isinstance(branch, str)  # in memory: the open connection
        branch.close()
        return time.perf_counter() - started[0], time.process_time() - started[1]


def fork_reopen(source: Path, journal: str) -> tuple[float, float]:
    with Simulation(seed=1, journal=str(source)) as sim:
        sim.settle(commit=True)
        started = time.perf_counter(), time.process_time()
        branch = sim.fork(journal=journal)
        took = time.perf_counter() - started[0], time.process_time() - started[1]
        branch.close()
        return took


def subset(csv: Path, n: int, out: Path) -> Path:
    with csv.open() as handle:
        out.write_text("".join(line for _, line in zip(range(n + 1), handle)))
    return out


def book(work: Path, n: int, m: int) -> float:
    """The import figures; returns the per-command API's CPU ms a facility."""
    csv = work / "book.csv"
    write_csv(csv, n)
    base_csv = csv if m >= n else subset(csv, m, work / "baseline.csv")
    note = "" if m >= n else f" (first {m:,} of {n:,})"
    base = min(m, n)
    api = isolated(per_command_api, base_csv, work / "api.sqlite")
    show(f"per-command API{note}", *api[1:], per=base)
    old = isolated(one_pass, base_csv, work / "one-pass.sqlite")
    show(f"one-pass import{note}", *old[1:], per=base)
    took = isolated(imported, csv, work / "book.sqlite")
    show(f"import, {n:,} facilities", *took[1:], per=n)
    for name, (_, wall, cpu, _) in (("per-command API", api), ("one-pass import", old)):
        print(f"{'import / ' + name + ' (a facility; wall, CPU)':<52} {took[1] / n / (wall / base):8.2f}x"
              f"      {took[2] / n / (cpu / base):8.2f}x")
    timed(f"export, {n:,} facilities", exported, work / "book.sqlite", work / "back.csv", per=n)
    return api[2] * 1000 / base


def forks(work: Path, n: int, source: Path | None, api_ms: float | None) -> None:
    if source is None:
        source = work / "fork-source.sqlite"
        write_csv(work / "fork.csv", n)
        timed(f"import, {n:,} facilities (fork source)", imported, work / "fork.csv", source, per=n)
    print(f"fork of a {n:,}-facility journal at its last instant (the fork alone; RSS: its process's)")
    for label, fn, args in (("  copy and cut", fork_copy, (source,)),
                            ("  copy, cut and reopen the branch (memory)", fork_reopen, (source, ":memory:")),
                            ("  copy, cut and reopen the branch (file)", fork_reopen,
                             (source, str(work / "branch.sqlite")))):
        (wall, cpu), _, _, rss = isolated(fn, *args)
        show(label, wall, cpu, rss)
    if api_ms:
        print(f"  (opening the same book through the per-command API: {api_ms * n / 1000:.1f} s CPU at "
              f"{api_ms:.2f} ms CPU/facility, measured above)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--baseline-facilities", type=int, default=10_000,
                        help="run the per-command baselines on the first N rows (default 10,000)")
    parser.add_argument("--fork-facilities", type=int, default=10_000)
    parser.add_argument("--fork-only", action="store_true", help="measure the fork alone")
    parser.add_argument("--import-only", action="store_true",
                        help="measure `lanasim import`'s path alone (no baselines, export or fork)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.import_only:
            write_csv(work / "book.csv", args.facilities)
            timed(f"import, {args.facilities:,} facilities", imported, work / "book.csv", work / "book.sqlite",
                  per=args.facilities)
            return
        api_ms = None if args.fork_only else book(work, args.facilities, args.baseline_facilities)
        same = not args.fork_only and args.fork_facilities == args.facilities
        forks(work, args.fork_facilities, work / "book.sqlite" if same else None, api_ms)


if __name__ == "__main__":
    main()

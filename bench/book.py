"""Book import, export and fork, against opening the same book through the per-command API.

    python bench/book.py [--facilities 100000] [--fork-facilities 10000]

Writes a seeded book CSV (sizes, CVLs 130-300 %, ages spread over a year), imports it into a journal
file (`lanasim import`'s path), exports it back, and opens the same book through the operator API
(customer, deposit, proposal, approval, collateral: what the synthetic stress book does) as the
baseline. Then forks a journal of `--fork-facilities` imported facilities at its last instant.
Prints wall seconds and peak RSS; targets: import of 100,000 <= 60 s and <= 1.5 GB, fork of a
10,000-facility journal <= 2 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domains.credit.terms import std_terms
from domains.money import cents_to_sats_up
from engine.bank.importer import import_positions
from engine.kernel.fork import fork_journal
from engine.simulation import Simulation
from scenarios.book.export import book_rows, branch_at
from scenarios.book.format import COLUMNS, read_book, write_book

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


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<46} {seconds:8.2f} s   peak RSS {rss_mib():7.0f} MiB", flush=True)
    return result, seconds


def imported(csv: Path, journal: Path) -> int:
    positions = read_book(csv, AS_OF)
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(journal)) as sim:
        import_positions(sim, positions, PRICE)
    return len(positions)


def per_command(csv: Path, journal: Path) -> int:
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


def exported(journal: Path, out: Path) -> int:
    with branch_at(str(journal), None) as sim:
        rows = book_rows(sim)
    with out.open("w", newline="") as handle:
        write_book(rows, handle)
    return len(rows)


def book(work: Path, n: int) -> None:
    write_csv(work / "book.csv", n)
    _, base = timed(f"per-command API, {n:,} facilities", lambda: per_command(work / "book.csv", work / "api.sqlite"))
    _, took = timed(f"import, {n:,} facilities", lambda: imported(work / "book.csv", work / "book.sqlite"))
    print(f"{'import / per-command':<46} {took / base:8.2f}x")
    timed(f"export, {n:,} facilities", lambda: exported(work / "book.sqlite", work / "back.csv"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--fork-facilities", type=int, default=10_000)
    parser.add_argument("--fork-only", action="store_true", help="measure the fork alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.fork_only:
            book(work, args.facilities)
        source = work / "book.sqlite"
        if args.fork_only or args.fork_facilities != args.facilities:
            source = work / "fork-source.sqlite"
            write_csv(work / "fork.csv", args.fork_facilities)
            timed(f"import, {args.fork_facilities:,} facilities (fork source)", lambda: imported(
                work / "fork.csv", source))
        with Simulation(seed=1, journal=str(source)) as sim:
            sim.settle(commit=True)
            timed(f"fork of a {args.fork_facilities:,}-facility journal: copy and cut only",
                  lambda: fork_journal(sim.journal.conn, ":memory:", sim.clock.iso,
                                       [h.spec for h in sim.kinds.values()]).close())
            branch, _ = timed(f"fork of a {args.fork_facilities:,}-facility journal (memory)", lambda: sim.fork())
            branch.close()
            branch, _ = timed(f"fork of a {args.fork_facilities:,}-facility journal (file)",
                              lambda: sim.fork(journal=str(work / "branch.sqlite")))
            branch.close()


if __name__ == "__main__":
    main()

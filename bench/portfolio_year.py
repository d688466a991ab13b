"""Portfolio benchmark: N facilities active for a year — daily accruals, monthly postings, hourly
price updates — journal in a file. Prints wall time, journaled events/s and peak RSS.

The naive baseline in the same run is the storage floor: the year's event and ledger rows, read
back from the journal and written with plain `executemany` into an empty file with the same
schema and pragmas. No engine that journals every accrual and its postings can beat it.
`rows_per_facility_day` is what the year wrote per facility and day (events + ledger rows).

On a shared machine wall time depends on what else runs; the CPU-time figures (`*_cpu_*`)
measure this process only, so their ratio is the steadier one. `year_peak_rss_mb` is the peak
resident memory up to the year's end, `close_peak_rss_mb` up to the end of closing the simulation,
`peak_rss_mb` also covers the storage floor (it reads the year's rows 100,000 at a time);
`live_actors_at_end` counts the entity actors held in memory then.

A second floor, under any kernel: `domain_cpu_us_per_accrual` is the CPU the bank's own rules take
for one facility-day's accrual with nothing journaled, published or indexed — the day end's
`decide`, `apply` and posting template of each cycle, the principal read it accrues on, and
(`..._with_ledger_check`) the ledger's checks of the posting — over the first 30 days of the
opened book (states kept in a dict, the simulation untouched). `domain_ratio_to_floor` sets it
against the storage floor's CPU per facility-day.

Run: `python bench/portfolio_year.py [--facilities 10000] [--days 365] [--threaded 1000] [--mailbox]`.
The threaded comparison runs the same workload on `ThreadingActor` with fewer facilities;
`--mailbox` also runs the deterministic year with each day's accruals sent as one mailbox command
per cycle (the path before the day end's batch: same journal, one process each) for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domains.credit import std_terms
from engine import Simulation
from scenarios.market.paths import GBM

BTC = 100_000_000


def open_portfolio(sim, n: int) -> list[str]:
    """N customers, each with a deposit and a $100k facility collateralized at about 160 %."""
    sim.price.set(7_000_000)
    terms = std_terms(duration=12)
    facilities = []
    for i in range(n):
        customer = sim.customer.create_customer(f"c{i}@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 50_000_00)
        facility = sim.credit.create_proposal(customer, 100_000_00, terms)
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 23 * BTC // 10)
        facilities.append(facility)
    return facilities


def run(n: int, days: int, runtime: str, mailbox: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulation(seed=1, journal=f"{tmp}/portfolio.sqlite", runtime=runtime)
        if mailbox:
            sim.credit.flow.accruals = None  # each accrual its own command, through the cycle's mailbox
        t0 = time.perf_counter()
        facilities = open_portfolio(sim, n)
        setup_s, events0 = time.perf_counter() - t0, sim.journal.last_seq
        domain = domain_work(sim, min(days, 30)) if runtime == "deterministic" and not mailbox else {}
        sim.price.follow(GBM(7_000_000, 0.0, 0.5, 3600, sim.random("price")), every_seconds=3600)
        t0, c0 = time.perf_counter(), time.process_time()
        for done in range(0, days, 30):  # a month at a time, with a progress line on stderr
            sim.advance(days=min(30, days - done))
            spent = time.perf_counter() - t0
            print(f"{runtime}, {n} facilities: day {min(done + 30, days)}/{days}, {spent:.0f} s, "
                  f"{(sim.journal.last_seq - events0) / spent:.0f} events/s", file=sys.stderr, flush=True)
        year_s, year_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        year_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        live = len(sim.registry)
        events = sim.journal.last_seq - events0
        active = sum(1 for f in facilities if sim.credit.facility(f).status.value != "closed")
        t0 = time.perf_counter()
        sim.close()
        close_s = time.perf_counter() - t0
        close_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        floor_s, floor_cpu_s, rows = storage_floor(f"{tmp}/portfolio.sqlite", f"{tmp}/floor.sqlite", events0)
    label = runtime + (" (accruals by mailbox)" if mailbox else "")
    return {"runtime": label, "facilities": n, "days": days, "active_at_end": active, "setup_s": setup_s,
            "year_s": year_s, "events_in_year": events, "events_per_s": events / year_s, "close_s": close_s,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "year_peak_rss_mb": year_rss_mb,
            "close_peak_rss_mb": close_rss_mb,
            "live_actors_at_end": live,
            "storage_floor_s": floor_s, "storage_floor_rows": rows, "ratio_to_floor": year_s / floor_s,
            "year_cpu_s": year_cpu_s, "storage_floor_cpu_s": floor_cpu_s,
            "cpu_ratio_to_floor": year_cpu_s / floor_cpu_s,
            "rows_per_facility_day": rows / (n * days), "us_per_facility_day": year_s / (n * days) * 1e6,
            "cpu_us_per_facility_day": year_cpu_s / (n * days) * 1e6, **domain,
            **({"domain_ratio_to_floor": domain["domain_cpu_us_per_accrual"] / (floor_cpu_s / (n * days) * 1e6)}
               if domain else {})}


def domain_work(sim, days: int) -> dict:
    """CPU microseconds of one accrual's business rules alone (see the module docstring), without and
    with the ledger's checks; the cycles' states are folded in a dict, nothing is sent or staged."""
    from datetime import timedelta

    from domains.credit.commands import AccrueInterest
    from domains.credit.facility.end_of_day import accrual_due_end

    host, principal = sim.kinds["interest-accrual-cycle"], sim.credit.reads.principal
    start = {cycle_id: sim.state("interest-accrual-cycle", cycle_id)
             for cycle_id, _ in sim.credit.kernel.index("interest-accrual-cycle").scan("accruing_from")}
    decide, apply, post, check, now, first = host.decide, host.apply, host.post, host.ledger.check, \
        sim.clock.now, sim.clock.now.date()
    figures = {}
    for name, checked in (("domain_cpu_us_per_accrual", False), ("domain_cpu_us_per_accrual_with_ledger_check", True)):
        states, count, c0 = dict(start), 0, time.process_time()
        for k in range(days):
            day = first + timedelta(days=k)
            for cycle_id, state in states.items():
                if accrual_due_end(state, day) is None:
                    continue
                postings: list = []
                for event in decide(state, AccrueInterest(day, principal(state.facility_id)), now):
                    state = apply(state, event)
                    postings.extend(post(state, event))
                if checked and postings:
                    check(postings)
                states[cycle_id], count = state, count + 1
        figures[name] = (time.process_time() - c0) / max(count, 1) * 1e6
    return figures


def storage_floor(journal: str, target: str, after_seq: int, chunk: int = 100_000) -> tuple[float, float, int]:
    """Seconds (wall, CPU) to write the year's `events` and ledger rows (seq > after_seq) with plain
    `executemany`, 100k rows per call, into a new file with the journal's schema and pragmas. The
    ledger table is whichever the journal has (`ledger_transactions`, or an older layout's
    `ledger_lines`), so the script measures older versions of the engine too."""
    source, sink = sqlite3.connect(journal), sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -262144", "wal_autocheckpoint = 20000"):
        sink.execute(f"PRAGMA {pragma}")
    spent, cpu, written = 0.0, 0.0, 0
    tables = [r[0] for r in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'ledger_transactions', "
        "'ledger_lines') ORDER BY name = 'events' DESC")]
    for table in tables:
        sink.execute(source.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0])
        cursor = source.execute(f"SELECT * FROM {table} WHERE seq > ? ORDER BY rowid", (after_seq,))
        marks = ", ".join("?" * len(cursor.description))
        while rows := cursor.fetchmany(chunk):
            t0, c0 = time.perf_counter(), time.process_time()
            sink.execute("BEGIN")
            sink.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            sink.execute("COMMIT")
            spent, cpu = spent + time.perf_counter() - t0, cpu + time.process_time() - c0
            written += len(rows)
    source.close()
    sink.close()
    return spent, cpu, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--threaded", type=int, default=1_000, help="facilities in the threaded comparison (0: skip)")
    parser.add_argument("--mailbox", action="store_true", help="also run the year with accruals sent one by one")
    parser.add_argument("--one", choices=["deterministic", "threaded", "mailbox"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        runtime = "deterministic" if args.one == "mailbox" else args.one
        print(json.dumps(run(args.facilities, args.days, runtime, mailbox=args.one == "mailbox")))
        return
    runs = [("deterministic", args.facilities)] + ([("mailbox", args.facilities)] if args.mailbox else []) + \
        ([("threaded", args.threaded)] if args.threaded else [])
    for runtime, n in runs:
        cmd = [sys.executable, __file__, "--one", runtime, "--facilities", str(n), "--days", str(args.days)]
        env = dict(os.environ, MALLOC_TRIM_THRESHOLD_="268435456")
        result = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout)
        print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}))


if __name__ == "__main__":
    main()

"""Engine benchmark: commands/s, journal append vs raw executemany, 100k actors, entity loads.

Run: `python bench/engine.py` (all sections, each in a fresh subprocess so peak RSS is its own),
or `python bench/engine.py --section commands|append|actors|load|peer [--quick]`. The `peer`
section needs the `eventsourcing` package (the project's `bench` extra).
Prints figures with a naive baseline measured in the same run; never asserts on time.
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

import attrs
import pykka

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domains.aggregate import Aggregate, EventType
from engine import Simulation
from engine.kernel.codec import Codec
from engine.kernel.journal import Journal
from engine.kernel.schema import EVENTS_INSERT


@attrs.frozen
class Ticked:
    """The one event of the benchmark entity."""

    n: int


@attrs.frozen
class Tick:
    n: int


@attrs.frozen
class Ticker:
    last: int = 0


def _apply(state: Ticker | None, event: Ticked) -> Ticker:
    return Ticker(event.n)


def _decide(state: Ticker | None, command: Tick, at) -> tuple:
    return (Ticked(command.n),)


TICKER = Aggregate(kind="ticker", events=(EventType(Ticked, "bench.ticked"),), apply=_apply, decide=_decide,
                   commands=(Tick,), creates=(Tick,), state=Ticker)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_commands(quick: bool) -> dict:
    n = 50_000 if quick else 300_000
    out = {}
    with tempfile.TemporaryDirectory() as tmp, \
            Simulation(seed=1, journal=f"{tmp}/j.sqlite", aggregates=[TICKER]) as sim:
        sim.execute("ticker", "t", Tick(0))
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(n):
            sim.tell("ticker", "t", Tick(i))
        sim.settle(commit=True)
        out["deterministic_tell_per_s"] = n / (time.perf_counter() - t0)
        out["deterministic_tell_per_cpu_s"] = n / (time.process_time() - c0)  # steadier on a shared machine
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(n):
            sim.execute("ticker", "t", Tick(i))
        sim.settle(commit=True)
        out["deterministic_ask_per_s"] = n / (time.perf_counter() - t0)
        out["deterministic_ask_per_cpu_s"] = n / (time.process_time() - c0)
    m = n // 10
    with tempfile.TemporaryDirectory() as tmp, Simulation(seed=1, journal=f"{tmp}/j.sqlite", aggregates=[TICKER],
                                                          runtime="threaded") as sim:
        sim.execute("ticker", "t", Tick(0))
        t0 = time.perf_counter()
        for i in range(m):
            sim.execute("ticker", "t", Tick(i))
        sim.settle(commit=True)
        out["threaded_ask_per_s"] = m / (time.perf_counter() - t0)
    out["ratio_deterministic_over_threaded"] = out["deterministic_ask_per_s"] / out["threaded_ask_per_s"]
    return out


def bench_append(quick: bool) -> dict:
    chunk, chunks, entities = (100_000, 3, 1_000) if quick else (500_000, 7, 10_000)
    rows_out = []
    with tempfile.TemporaryDirectory() as tmp:
        codec = Codec()
        codec.register(Ticked, "bench.ticked")
        journal = Journal(f"{tmp}/j.sqlite", codec, group_rows=chunk + 1)
        raw = sqlite3.connect(f"{tmp}/raw.sqlite", isolation_level=None)
        for pragma in ("locking_mode = EXCLUSIVE", "journal_mode = WAL", "synchronous = NORMAL",
                       "cache_size = -262144", "wal_autocheckpoint = 20000"):  # the journal's own settings
            raw.execute(f"PRAGMA {pragma}")
        raw.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, entity INTEGER NOT NULL,"
                    " entity_seq INTEGER NOT NULL,"
                    " type TEXT NOT NULL, version INTEGER NOT NULL, payload TEXT NOT NULL, recorded_at TEXT NOT NULL,"
                    " context TEXT)")
        ids = [journal.intern("ticker", f"e{i}") for i in range(entities)]
        heads = [0] * entities
        ctx = '{"command":"c","trace":"c","causation":null,"subject":"system"}'
        for c in range(chunks):
            work = []  # inputs prepared outside the timing, as the raw baseline's rows are
            for i in range(chunk):
                k = (i * 7919) % entities
                work.append((ids[k], heads[k], (Ticked(i),)))
                heads[k] += 1
            append = journal.append
            t0 = time.perf_counter()
            for entity, expected, events in work:
                append(entity, expected, events, "2024-01-01T00:00:00Z", ctx)
            appended = time.perf_counter() - t0
            staged = list(journal._events)  # the identical rows, for the raw baseline
            t0 = time.perf_counter()
            journal.flush()
            flushed = time.perf_counter() - t0
            ours = chunk / (appended + flushed)
            t0 = time.perf_counter()
            raw.execute("BEGIN")
            raw.executemany(EVENTS_INSERT, staged)
            raw.execute("COMMIT")
            base = chunk / (time.perf_counter() - t0)
            rows_out.append({"rows_total": (c + 1) * chunk, "journal_rows_per_s": ours, "raw_rows_per_s": base,
                             "ratio": ours / base, "append_s": appended, "commit_s": flushed})
        t0 = time.perf_counter()
        journal.close()
        index_s = time.perf_counter() - t0
    ours_s = sum(c["append_s"] + c["commit_s"] for c in rows_out)
    raw_s = sum(chunk / c["raw_rows_per_s"] for c in rows_out)
    return {"overall_journal_rows_per_s": chunk * chunks / ours_s, "overall_raw_rows_per_s": chunk * chunks / raw_s,
            "overall_ratio": raw_s / ours_s, "chunks": rows_out, "close_with_stream_index_build_s": index_s}


def bench_actors(quick: bool) -> dict:
    n = 20_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulation(seed=1, journal=f"{tmp}/j.sqlite", aggregates=[TICKER])
        t0 = time.perf_counter()
        for i in range(n):
            sim.tell("ticker", f"e{i}", Tick(i))
        sim.settle(commit=True)
        start_s = time.perf_counter() - t0
        live = len(sim.registry)
        t0 = time.perf_counter()
        stopped = sim.registry.stop_all()
        stop_s = time.perf_counter() - t0
        sim.close()
    return {"actors": n, "live_after_commands": live, "stopped": stopped, "spawn_and_command_s": start_s,
            "stop_s": stop_s, "peak_rss_mb": _peak_rss_mb()}


def bench_pykka_baseline(quick: bool) -> dict:
    """Naive baseline: pykka ThreadingActors in the global registry, start then stop_all."""
    n = 2_000 if quick else 10_000

    class Plain(pykka.ThreadingActor):
        use_daemon_thread = True

        def on_receive(self, message):
            return message

    t0 = time.perf_counter()
    refs = [Plain.start() for _ in range(n)]
    for ref in refs:
        ref.tell(1)
    start_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pykka.ActorRegistry.stop_all()
    return {"actors": n, "start_and_tell_s": start_s, "stop_all_s": time.perf_counter() - t0,
            "peak_rss_mb": _peak_rss_mb()}


def bench_peer(quick: bool) -> dict:
    """The same one-event workload on the peer a Python user would pick, the `eventsourcing`
    library (SQLite file, WAL, synchronous NORMAL), next to ours in the same process: each command
    saves one event of one held aggregate; then a 1,000-event aggregate is loaded. Needs the
    `eventsourcing` package (skipped, saying so, without it)."""
    try:
        from eventsourcing.application import Application
        from eventsourcing.domain import Aggregate as PeerAggregate
        from eventsourcing.domain import event
        from eventsourcing.sqlite import SQLiteConnectionPool
    except ImportError:
        return {"skipped": "the eventsourcing package is not installed (pip install eventsourcing)"}

    class PeerTicker(PeerAggregate):
        @event("Ticked")
        def tick(self, n: int) -> None:
            self.last = n

    n = 20_000 if quick else 100_000
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=f"{tmp}/peer.sqlite")
        create = SQLiteConnectionPool._create_connection

        def normal(pool):  # every pooled connection: WAL (the library's default) and synchronous NORMAL
            connection = create(pool)
            connection._sqlite_conn.execute("PRAGMA synchronous = NORMAL")
            return connection

        SQLiteConnectionPool._create_connection = normal
        app = Application()
        ticker = PeerTicker()
        app.save(ticker)
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(n):
            ticker.tick(n=i)
            app.save(ticker)
        out["peer_events_per_s"] = n / (time.perf_counter() - t0)
        out["peer_events_per_cpu_s"] = n / (time.process_time() - c0)
        target = PeerTicker()
        for i in range(999):
            target.tick(n=i)
        app.save(target)
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            app.repository.get(target.id)
            times.append(time.perf_counter() - t0)
        out["peer_load_1000_events_ms"] = sorted(times)[len(times) // 2] * 1000
        with Simulation(seed=1, journal=f"{tmp}/ours.sqlite", aggregates=[TICKER]) as sim:
            sim.execute("ticker", "t", Tick(0))
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(n):
                sim.tell("ticker", "t", Tick(i))
            sim.settle(commit=True)
            out["ours_events_per_s"] = n / (time.perf_counter() - t0)
            out["ours_events_per_cpu_s"] = n / (time.process_time() - c0)
    out["ratio_ours_over_peer"] = out["ours_events_per_s"] / out["peer_events_per_s"]
    out["cpu_ratio_ours_over_peer"] = out["ours_events_per_cpu_s"] / out["peer_events_per_cpu_s"]
    return out


def bench_load(quick: bool) -> dict:
    others = 50_000 if quick else 500_000
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, spec in (("no_snapshot", TICKER), ("snapshot_every_100", attrs.evolve(TICKER, snapshot_every=100))):
            path = f"{tmp}/{label}.sqlite"
            with Simulation(seed=1, journal=path, aggregates=[spec]) as sim:
                for i in range(others):
                    sim.tell("ticker", f"other{i % 5000}", Tick(i))
                for i in range(1000):
                    sim.tell("ticker", "target", Tick(i))
                sim.settle(commit=True)
                sim.load("ticker", "target")  # first read builds the stream index
                times, cpu = [], []
                kept = sim.kinds["ticker"].folded  # the states loads keep: cleared, so each load folds
                for _ in range(20):
                    kept.clear()
                    t0, c0 = time.perf_counter(), time.process_time()
                    state = sim.load("ticker", "target")
                    times.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
                assert state == Ticker(999)
                out[f"{label}_ms"] = sorted(times)[len(times) // 2] * 1000
                out[f"{label}_cpu_ms"] = sorted(cpu)[len(cpu) // 2] * 1000
    return out


SECTIONS = {"commands": bench_commands, "append": bench_append, "actors": bench_actors,
            "pykka_baseline": bench_pykka_baseline, "load": bench_load, "peer": bench_peer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--section", choices=sorted(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="smaller sizes (CI smoke run)")
    args = parser.parse_args()
    if args.section:
        print(json.dumps(SECTIONS[args.section](args.quick)))
        return
    for name in SECTIONS:
        cmd = [sys.executable, __file__, "--section", name] + (["--quick"] if args.quick else [])
        env = dict(os.environ, MALLOC_TRIM_THRESHOLD_="268435456")
        result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout)
        print(f"== {name}")
        print(json.dumps(result, indent=1, default=lambda v: round(v, 3)))


if __name__ == "__main__":
    main()

"""Profile the simulated days of `portfolio_year.py`'s workload (not its setup) by CPU time.

The tree profiled is the one on PYTHONPATH, so this script also profiles an older checkout (run it
from there with this file's path): `PYTHONPATH=$PWD python bench/profile_days.py --facilities 300
--days 60 [--no-profile | --sample 1] [--top 40] [--sort tottime]`, or `--commands 300000` (one-event
tells and asks, as `bench/engine.py` times them, by CPU). Prints the days' CPU seconds
and the cyclic collector's share, then cProfile's top entries (CPU timer; its per-call overhead
inflates small functions) or, with `--sample`, a statistical profile by CPU time (no such bias).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# bench/ itself must not shadow the `engine` package (bench/engine.py); the tree comes from PYTHONPATH
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import attrs  # noqa: E402

from domains.credit import std_terms  # noqa: E402
from engine import Simulation  # noqa: E402
from scenarios.market.paths import GBM  # noqa: E402

BTC = 100_000_000


def open_portfolio(sim, n: int) -> None:
    """The benchmark's book: N customers, each with a deposit and a $100k facility at about 160 %
    (`portfolio_year.open_portfolio`'s book, copied: bench/ is off the path so an older tree's code
    is what runs, and the same book must open on both)."""
    sim.price.set(7_000_000)
    terms = std_terms(duration=12)
    for i in range(n):
        customer = sim.customer.create_customer(f"c{i}@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 50_000_00)
        facility = sim.credit.create_proposal(customer, 100_000_00, terms)
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 23 * BTC // 10)


@attrs.frozen
class Ticked:
    n: int


@attrs.frozen
class Tick:
    n: int


def _tick(state: object, command: Tick, at: object) -> tuple[Ticked, ...]:
    return (Ticked(command.n),)


def commands(n: int) -> None:
    """`bench/engine.py`'s one-event commands on the tree on PYTHONPATH (its ticker, copied for the
    same reason as the book): n tells, n asks, then n asks each followed by the settle of its
    reactions (what `execute` does now; an older tree's `call`) to one entity, each loop committed, by CPU."""
    from domains.aggregate import Aggregate, EventType
    ticker = Aggregate(kind="ticker", events=(EventType(Ticked, "bench.ticked"),), apply=lambda s, e: e.n,
                       decide=_tick, commands=(Tick,), creates=(Tick,))
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulation(seed=1, journal=f"{tmp}/j.sqlite", aggregates=[ticker])
        commit = sim.flush if hasattr(sim, "flush") else lambda: sim.settle(commit=True)  # an older tree's API
        sim.execute("ticker", "t", Tick(0))
        out = {}
        settled = getattr(sim, "call", None) or sim.execute  # an older tree's execute did not settle; its call did
        for name, issue in (("tell", sim.tell), ("ask", sim.execute), ("ask_settled", settled)):
            c0 = time.process_time()
            for i in range(n):
                issue("ticker", "t", Tick(i))
            sim.settle()
            commit()
            out[f"{name}_per_cpu_s"] = round(n / (time.process_time() - c0))
        sim.close()
    print(" ".join(f"{k} {v}" for k, v in out.items()))


def _gc_timer():
    """Start timing the cyclic collector's passes; the returned function stops and reports
    (CPU seconds, collections per generation)."""
    started: list[float] = []
    spent, counts = [0.0], [0, 0, 0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(time.process_time())
        elif started:
            spent[0] += time.process_time() - started.pop()
            counts[info["generation"]] += 1

    gc.callbacks.append(callback)

    def stop() -> tuple[float, list[int]]:
        gc.callbacks.remove(callback)
        return spent[0], counts
    return stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=300)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--no-profile", action="store_true", help="only time the days")
    parser.add_argument("--sample", type=float, default=0.0,
                        help="sample the stack every N ms of CPU instead of cProfile (no per-call overhead)")
    parser.add_argument("--commands", type=int, default=0,
                        help="instead: time N one-event tells and N asks (bench/engine.py's workload) by CPU")
    args = parser.parse_args()
    if args.commands:
        commands(args.commands)
        return
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulation(seed=1, journal=f"{tmp}/portfolio.sqlite", runtime="deterministic")
        open_portfolio(sim, args.facilities)
        sim.price.follow(GBM(7_000_000, 0.0, 0.5, 3600, sim.random("price")), every_seconds=3600)
        profile = None if args.no_profile or args.sample else cProfile.Profile(time.process_time)
        sampler = _Sampler(args.sample / 1000) if args.sample else None
        spent_in_gc = _gc_timer()
        c0 = time.process_time()
        if profile:
            profile.enable()
        sim.advance(days=args.days)
        if profile:
            profile.disable()
        if sampler:
            sampler.stop()
        cpu = time.process_time() - c0
        gc_s, collections = spent_in_gc()
        per_day = cpu / (args.facilities * args.days) * 1e6
        print(f"days_cpu_s {cpu:.3f}  cpu_us_per_facility_day {per_day:.1f}  gc_cpu_s {gc_s:.3f}  "
              f"collections_by_generation {collections}  live_objects {len(gc.get_objects())}")
        sim.close()
    if profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    if sampler:
        sampler.report(args.top, cpu)


class _Sampler:
    """A statistical profiler: every `interval` s of process CPU, count each function on the stack
    once (inclusive) and the innermost one (self). Shares are estimates with sampling noise."""

    def __init__(self, interval: float) -> None:
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.samples = 0
        signal.signal(signal.SIGPROF, self._tick)
        signal.setitimer(signal.ITIMER_PROF, interval, interval)

    def _tick(self, signum: int, frame) -> None:
        self.samples += 1
        seen = set()
        inner = True
        while frame is not None:
            code = frame.f_code
            name = f"{Path(code.co_filename).parent.name}/{Path(code.co_filename).name}:{code.co_name}"
            if inner:
                self.own[name] += 1
                inner = False
            if name not in seen:
                seen.add(name)
                self.inclusive[name] += 1
            frame = frame.f_back

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)

    def report(self, top: int, cpu: float) -> None:
        per = cpu / max(self.samples, 1)
        print(f"{self.samples} samples; estimated CPU s: inclusive / self")
        for name, n in self.inclusive.most_common(top):
            print(f"{n * per:7.3f} {self.own[name] * per:7.3f}  {name}")
        print("top self:")
        for name, n in self.own.most_common(top):
            print(f"{n * per:7.3f}  {name}")
        files: Counter[str] = Counter()
        for name, n in self.own.items():
            files[name.split(":")[0]] += n
        print("self by file:")
        for file, n in files.most_common(top):
            print(f"{n * per:7.3f}  {file}")


if __name__ == "__main__":
    main()

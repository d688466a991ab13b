"""Price-tick benchmark: the cost of a price update that changes no facility's state, at 1,000 vs
100,000 active facilities (target: ratio <= 2), and of a 10 % drop that moves k facilities (cost
grows with k, not N); against a naive baseline that re-evaluates every facility on a tick.

Also prints what opening the book cost per facility through the per-command API (customer,
deposit account and deposit, proposal, approval, collateral: about 23 events), wall and CPU.

Run: `python bench/price_tick.py [--sizes 1000 100000]` (each size in its own subprocess).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domains.credit import std_terms
from engine import Simulation

PRICE = 7_000_000
BTC = 100_000_000


def open_portfolio(sim, n: int) -> list[str]:
    """N $10k facilities with CVLs spread from 130 % to 400 % at $70,000."""
    sim.price.set(PRICE)
    terms, rng, facilities = std_terms(duration=12), sim.random("portfolio"), []
    for i in range(n):
        customer = sim.customer.create_customer(f"c{i}@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 10_00)
        facility = sim.credit.create_proposal(customer, 10_000_00, terms)
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, int(10_000_00 * rng.uniform(1.30, 4.0) * BTC / PRICE))
        facilities.append(facility)
    return facilities


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(n: int) -> dict:
    with Simulation(seed=1, journal=":memory:") as sim:
        t0, c0 = time.perf_counter(), time.process_time()
        facilities = open_portfolio(sim, n)
        setup_s, setup_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        quiet = sorted(_timed(lambda i=i: sim.price.set(PRICE + (i % 2) * 3_500)) for i in range(41))
        before = sim.outbox.sequence
        drop_s = _timed(lambda: sim.price.set(PRICE * 9 // 10))
        moved = len(sim.outbox.tail(after=before, types=["core.credit.facility-collateralization-changed"]))
        flow = sim.credit.flow
        naive_s = _timed(lambda: [sim.tell(*_send(flow.collateralization(f, _sats(sim, f), PRICE)))
                                  for f in facilities] and sim.settle())
    return {"facilities": n, "setup_s": setup_s, "setup_ms_per_facility": setup_s * 1000 / n,
            "setup_cpu_ms_per_facility": setup_cpu_s * 1000 / n, "quiet_tick_ms": quiet[len(quiet) // 2] * 1000,
            "drop_10pct_ms": drop_s * 1000, "drop_moved_k": moved, "drop_ms_per_moved": drop_s * 1000 / max(1, moved),
            "naive_full_sweep_ms": naive_s * 1000}


def _sats(sim, facility_id: str) -> int:
    return sim.state("collateral", sim.state("credit-facility", facility_id).collateral_id).amount


def _send(send) -> tuple:
    return send.kind, send.id, send.command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    results = []
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout))
        print(json.dumps(results[-1], default=lambda v: round(v, 3)))
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(f"quiet tick ratio {large['facilities']:,} vs {small['facilities']:,}: "
              f"{large['quiet_tick_ms'] / small['quiet_tick_ms']:.2f} (target <= 2)")


if __name__ == "__main__":
    main()

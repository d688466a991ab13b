"""Same seed, same journal and outbox, byte for byte — in other processes with other hash seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_workload(seed: int, hashseed: str, path: Path) -> list[str]:
    env = dict(os.environ, PYTHONHASHSEED=hashseed, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "tests.determinism_workload", str(seed), str(path)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.split()
    return out


def test_same_seed_gives_the_same_journal_and_outbox_across_processes_and_hash_seeds(tmp_path):
    first = run_workload(11, "1", tmp_path / "a.sqlite")
    second = run_workload(11, "4242", tmp_path / "b.sqlite")
    assert first == second
    assert int(first[4]) == 241  # hourly prices for 10 days, both ends included


def test_a_different_seed_gives_other_ids_another_price_path_and_another_journal(tmp_path):
    one = run_workload(11, "0", tmp_path / "a.sqlite")
    other = run_workload(12, "0", tmp_path / "b.sqlite")
    assert one[0] != other[0] and one[1] != other[1] and one[2] != other[2] and one[3] != other[3]


def _portfolio_after(steps: list[int]) -> tuple[str, str]:
    from domains.credit import std_terms
    from engine import Simulation
    from scenarios.market.paths import GBM

    with Simulation(seed=5) as sim:
        sim.price.set(7_000_000)
        for i in range(4):
            customer = sim.customer.create_customer(f"c{i}@bank.test")
            sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_00)
            facility = sim.credit.create_proposal(customer, 50_000_00, std_terms(duration=3))
            sim.credit.conclude_customer_approval(facility)
            sim.credit.update_collateral(facility, 110_000_000 + i * 10_000_000)
        sim.price.follow(GBM(7_000_000, 0.0, 0.9, 3600, sim.random("price")), every_seconds=3600)
        for days in steps:
            sim.advance(days=days)
        return sim.journal.digest(), sim.outbox.digest()


def test_advancing_in_steps_writes_the_journal_one_jump_writes():
    """A notebook stepping day by day, a scenario stepping a month at a time and one long jump
    over postings, due dates and margin calls leave the same journal and outbox."""
    one_jump = _portfolio_after([70])
    assert _portfolio_after([30, 30, 10]) == one_jump
    assert _portfolio_after([1] * 70) == one_jump

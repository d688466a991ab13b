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

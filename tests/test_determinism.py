"""Same seed, same journal, byte for byte — in other processes with other hash seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_workload(seed: int, hashseed: str, path: Path) -> tuple[str, str]:
    env = dict(os.environ, PYTHONHASHSEED=hashseed, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "tests.determinism_workload", str(seed), str(path)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.split()
    return out[0], out[1]


def test_same_seed_gives_the_same_digest_across_processes_and_hash_seeds(tmp_path):
    first = run_workload(11, "1", tmp_path / "a.sqlite")
    second = run_workload(11, "4242", tmp_path / "b.sqlite")
    assert first == second


def test_a_different_seed_gives_different_ids_and_a_different_journal(tmp_path):
    assert run_workload(11, "0", tmp_path / "a.sqlite") != run_workload(12, "0", tmp_path / "b.sqlite")

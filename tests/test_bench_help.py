"""`python bench/X.py --help` is how the README says to find each benchmark's options. Most
scripts gave argparse their docstring's first *line* as the description, so the help stopped
mid-sentence ("... at every group-commit boundary (the files a"); each now gives its first
paragraph, whole."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py") if "ArgumentParser(" in p.read_text())


def test_there_are_benchmarks_with_options():
    assert {"faults.py", "stress.py", "sweep.py", "book.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_describes_the_benchmark_in_whole_sentences(script):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--help"], capture_output=True,
                           text=True, env=env, timeout=60, check=True).stdout
    description = " ".join(shown.split("\n\n")[1].split())  # the paragraph between the usage and the options
    assert description.endswith((".", ".)", ".`")), (script, description)

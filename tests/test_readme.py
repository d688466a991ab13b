"""The README's Python examples run as pasted."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(BLOCKS) >= 2
    for block in BLOCKS:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
        for name, fn in list(namespace.items()):
            if name.startswith("test_") and callable(fn):
                from engine import Simulation

                with Simulation(seed=0, journal=":memory:") as sim:
                    fn(sim)

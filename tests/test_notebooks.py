"""Every notebook under notebooks/ runs top to bottom (code cells in one namespace, in order)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_to_run():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    namespace: dict = {"__name__": "__notebook__"}
    for number, cell in enumerate(cells, 1):
        source = "".join(cell["source"])
        try:
            exec(compile(source, f"{path.name}[cell {number}]", "exec"), namespace)  # noqa: S102
        except Exception as exc:
            pytest.fail(f"{path.name} cell {number} failed: {exc!r}\n{source}")

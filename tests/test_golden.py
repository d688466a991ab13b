"""Golden outputs: every scenario in the library, rerun, gives its saved summary and digest."""

from __future__ import annotations

import json

import pytest

from scenarios.library import scenario_names
from scenarios.library.golden import FOLDER, golden_path, rerun


def test_every_scenario_has_a_golden_file_and_every_golden_file_a_scenario():
    saved = {p.stem for p in FOLDER.glob("*.json")}
    assert saved == set(scenario_names())


@pytest.mark.parametrize("name", scenario_names())
def test_a_fresh_run_gives_the_saved_summary_and_digest(name):
    golden = json.loads(golden_path(name).read_text())
    fresh = rerun(name, golden["seed"], golden["params"])
    changed = {k: (golden["summary"].get(k), fresh.get(k)) for k in golden["summary"].keys() | fresh.keys()
               if golden["summary"].get(k) != fresh.get(k)}
    assert changed == {}, f"{name}: (saved, fresh) differ; if deliberate: python -m scenarios.library.golden {name}"

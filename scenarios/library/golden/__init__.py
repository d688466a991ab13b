"""Saved outputs of every scenario in the library (SimPy's `examples/*.out`): one JSON file per
scenario with the seed and parameters it runs with, its summary and its journal digest.

`tests/test_golden.py` runs each scenario again and diffs. A deliberate change of output is a
reviewed change of these files: regenerate them with

    python -m scenarios.library.golden            # every scenario
    python -m scenarios.library.golden NAME ...   # some
"""

from __future__ import annotations

import json
from pathlib import Path

from scenarios.library import load_scenario, parse_params, scenario_names

__all__ = ["FOLDER", "main", "golden_path", "rerun", "save"]

FOLDER = Path(__file__).parent
SMALL = {  # parameters that keep the golden runs of the stress scenarios fast
    "facilities": "12", "days": "20",
}


def golden_path(name: str) -> Path:
    return FOLDER / f"{name}.json"


def rerun(name: str, seed: int, overrides: dict[str, str]) -> dict:
    """The scenario's summary (JSON-normalised) for `seed` and `overrides`, journal in memory."""
    scenario = load_scenario(name)
    params = parse_params(scenario, [f"{k}={v}" for k, v in overrides.items()])
    summary = scenario.execute(seed=seed, journal=":memory:", params=params)
    return json.loads(json.dumps(summary, default=str, sort_keys=True))


def save(name: str) -> Path:
    """Run `name` with its small parameters and write its golden file."""
    scenario, path = load_scenario(name), golden_path(name)
    saved = json.loads(path.read_text())["params"] if path.exists() else None  # a file keeps its parameters
    overrides = saved if saved is not None else {k: v for k, v in SMALL.items() if k in scenario.params}
    record = {"scenario": name, "seed": 1, "params": overrides, "summary": rerun(name, 1, overrides)}
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def main(names: list[str]) -> None:
    for scenario_name in names or scenario_names():
        print(save(scenario_name))

"""The scenario library and its loader: a scenario is a module of this package with `story(sim, **params)`.

Its module docstring tells the story; `PARAMS` holds the parameters with their defaults (and so
their types); `START` is the simulated start date.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from scenarios.library.params import Param, ScenarioError, as_params, parse

__all__ = ["Param", "Scenario", "ScenarioError", "load_scenario", "parse_params", "scenario_names"]


def scenario_names() -> list[str]:
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(__path__)
                  if not m.name.startswith("_") and hasattr(_import(m.name), "story"))


def _import(module_name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{module_name}")


class Scenario:
    """A loaded scenario module."""

    def __init__(self, name: str, module: ModuleType) -> None:
        self.name, self.module = name, module
        self.params: dict[str, Param] = as_params(getattr(module, "PARAMS", {}))
        self.defaults: dict = {name: p.default for name, p in self.params.items()}

    def execute(self, *, seed: int, journal: str, params: dict, progress=None) -> dict:
        from engine.simulation import Simulation

        with Simulation(seed=seed, start=getattr(self.module, "START", "2024-01-01"), journal=journal) as sim:
            sim.progress = progress
            sim.journal.set_meta(scenario=self.name, params={k: str(v) for k, v in params.items()})
            summary = dict(self.module.story(sim, **params))
            sim.settle(commit=True)
            summary["events journaled"] = sim.journal.last_seq
            summary["outbox events"] = sim.outbox.sequence
            summary["journal digest"] = sim.journal.digest()
        return summary


def load_scenario(name: str) -> Scenario:
    names = scenario_names()
    if name not in names:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(names)}")
    return Scenario(name, _import(name.replace("-", "_")))


def parse_params(scenario: Scenario, assignments: list[str]) -> dict:
    """Defaults overridden by `KEY=VALUE` assignments, converted, range-checked, then the
    scenario's own `check(params)` for relations between parameters."""
    values = parse(scenario.params, assignments, scenario.name)
    check = getattr(scenario.module, "check", None)
    if check is not None:
        check(values)
    return values

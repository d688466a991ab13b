"""The scenario library and its loader: a scenario is a module of this package with `story(sim, **params)`.

Its module docstring tells the story; `PARAMS` holds the parameters with their defaults (and so
their types); `START` is the simulated start date.
"""

from __future__ import annotations

import importlib
import pkgutil
from decimal import Decimal, InvalidOperation
from types import ModuleType

from engine.kernel.codec import dumps

__all__ = ["Scenario", "ScenarioError", "load_scenario", "parse_params", "scenario_names"]


class ScenarioError(Exception):
    """An unknown scenario or a bad parameter (one-line message)."""


def scenario_names() -> list[str]:
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(__path__)
                  if not m.name.startswith("_") and hasattr(_import(m.name), "story"))


def _import(module_name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{module_name}")


class Scenario:
    """A loaded scenario module."""

    def __init__(self, name: str, module: ModuleType) -> None:
        self.name, self.module = name, module
        self.defaults: dict = dict(getattr(module, "PARAMS", {}))

    def execute(self, *, seed: int, journal: str, params: dict, progress=None) -> dict:
        from engine.simulation import Simulation

        with Simulation(seed=seed, start=getattr(self.module, "START", "2024-01-01"), journal=journal) as sim:
            sim.progress = progress
            sim.journal.set_meta(scenario=self.name, params={k: str(v) for k, v in params.items()})
            summary = dict(self.module.story(sim, **params))
            sim.flush()
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
    """Apply `KEY=VALUE` overrides, converting each value to its default's type."""
    params = dict(scenario.defaults)
    for item in assignments:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ScenarioError(f"--set expects KEY=VALUE, got {item!r}")
        if key not in params:
            raise ScenarioError(f"unknown parameter {key!r} for {scenario.name}; known: {', '.join(sorted(params))}")
        params[key] = _convert(key, raw, params[key])
    return params


def _convert(key: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1", "yes")
        if isinstance(default, Decimal):
            return Decimal(raw)
        return type(default)(raw) if default is not None else raw  # type: ignore[call-arg]  # int, float, str
    except (ValueError, InvalidOperation):
        raise ScenarioError(f"parameter {key} expects {type(default).__name__}, got {raw!r} "
                            f"(default {dumps(default)})") from None

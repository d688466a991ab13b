"""The analyst's workbench: the CLI, the scenario library and its building blocks (market, behaviour, book, analysis,
sweep).

`run_stress(...)` runs the stress test from Python (see scenarios.api)."""

from __future__ import annotations

__all__ = ["StressResult", "run_stress"]


def __getattr__(name: str):
    """The API is imported on first use, so `import scenarios.cli` stays light."""
    if name in __all__:
        from scenarios import api

        return getattr(api, name)
    raise AttributeError(name)

"""lanasim engine: the only impure layer (actors, journal, clock, outbox, index, codec).

Its names are imported on first use (PEP 562): every `import engine.kernel.X` runs this file first,
and importing `Simulation` here imported the whole bank (every domain and service, about half a
second), so `lanasim --help` or `verify` paid for a simulation they never start."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.kernel.entity import AlreadyApplied, Executed
    from engine.kernel.errors import (
        ConcurrentModification,
        DuplicateValue,
        EngineError,
        HandlerFailed,
        InvalidInstant,
        JournalExists,
        JournalLocked,
        MalformedCommand,
        NotALanasimJournal,
        NotFound,
        StartOutOfRange,
        TimeInPast,
        UnknownEntity,
        UnknownKind,
        UnsupportedJournalFormat,
    )
    from engine.simulation import Simulation

__all__ = [
    "AlreadyApplied",
    "ConcurrentModification",
    "DuplicateValue",
    "EngineError",
    "Executed",
    "HandlerFailed",
    "InvalidInstant",
    "JournalExists",
    "JournalLocked",
    "MalformedCommand",
    "NotALanasimJournal",
    "NotFound",
    "Simulation",
    "StartOutOfRange",
    "TimeInPast",
    "UnknownEntity",
    "UnknownKind",
    "UnsupportedJournalFormat",
]

_HOMES = {"AlreadyApplied": "engine.kernel.entity", "Executed": "engine.kernel.entity",
          "Simulation": "engine.simulation"}
"""Where each name of `__all__` lives; the rest are the kernel's typed errors (engine.kernel.errors)."""


_SUBMODULES = ("bank", "dispatch", "kernel", "simulation")
"""The subpackages `import engine` bound as attributes when it imported the simulation eagerly."""


def __getattr__(name: str) -> object:
    """`engine.NAME` (and `from engine import NAME`): imported from its module on first use, then kept."""
    if name in _SUBMODULES:
        return import_module(f"engine.{name}")  # the import binds it here
    if name not in __all__:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(import_module(_HOMES.get(name, "engine.kernel.errors")), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

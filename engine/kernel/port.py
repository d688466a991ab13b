"""`Kernel`: the narrow part of the simulation machine a bank service or process manager may use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from engine.kernel.clock import Clock, Jobs
from engine.kernel.entity import Executed, _AlreadyApplied
from engine.kernel.ids import Ids
from engine.kernel.index import IndexTable
from engine.kernel.journal import Journal

__all__ = ["Kernel", "Outcome"]

Outcome = Executed | _AlreadyApplied  # what a command returns: its new events, or `AlreadyApplied`


@attrs.frozen
class Kernel:
    """Commands (`execute` asks and settles, `tell` issues), reads (`state`, `load`, `index`,
    `exists`), ids, the clock and its jobs, the journal (read only) and the hosted kinds."""

    execute: Callable[..., Outcome]
    tell: Callable[..., None]
    state: Callable[[str, str], Any]  # the kind's own state class, which the caller names by `kind`
    load: Callable[..., Any]  # likewise
    index: Callable[[str], IndexTable]
    exists: Callable[[str, str], bool]
    ids: Ids
    clock: Clock
    jobs: Jobs
    journal: Journal
    kinds: frozenset[str]

    @property
    def now(self) -> datetime:
        return self.clock.now

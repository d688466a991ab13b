"""`Kernel`: the narrow part of the simulation machine a bank service or process manager may use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs

from engine.kernel.clock import Clock, Jobs
from engine.kernel.ids import Ids
from engine.kernel.journal import Journal

__all__ = ["Kernel"]


@attrs.frozen
class Kernel:
    """Commands (`execute` asks and settles, `tell` issues), reads (`state`, `load`, `index`,
    `exists`), ids, the clock and its jobs, the journal (read only) and the hosted kinds."""

    execute: Callable[..., object]
    tell: Callable[..., None]
    state: Callable[[str, str], object]
    load: Callable[..., object]
    index: Callable[[str], object]
    exists: Callable[[str, str], bool]
    ids: Ids
    clock: Clock
    jobs: Jobs
    journal: Journal
    kinds: frozenset[str]

    @property
    def now(self) -> datetime:
        return self.clock.now

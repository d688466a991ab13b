"""A run's position in its journal: a new journal records the seed and start, a reopened one is
checked against them and resumes there, and every group commit stores where the run stands."""

from __future__ import annotations

from typing import Any

import attrs

from engine.bank.settings import BankSettings
from engine.kernel.clock import Clock
from engine.kernel.errors import EngineError
from engine.kernel.ids import Ids
from engine.kernel.journal import Journal

__all__ = ["JournalMismatch", "Position", "kept_settings", "resume_clock"]


class JournalMismatch(EngineError):
    """The journal belongs to another run (fields: path, field, journal, given); nothing was written."""


def kept_settings(journal: Journal, meta: dict[str, Any], given: BankSettings | None) -> BankSettings:
    """The run's settings: a new journal keeps those given (Lana's defaults when none are); a
    reopened one runs under those it kept, and refuses others. Before, they were not kept: a journal
    made with a 17:00 closing and branched by `lanasim run SCENARIO --from` (which cannot pass
    settings) closed its days at UTC midnight. A journal made before then kept none: it runs under
    those given, as it did."""
    kept = meta.get("settings")
    if kept is None:
        settings = given if given is not None else BankSettings()
        if "start" not in meta:  # a new journal
            journal.set_meta(settings=_fields(settings))
        return settings
    ours = BankSettings(**kept)
    if given is not None and given != ours:
        raise JournalMismatch(path=journal.path, field="settings", journal=kept, given=_fields(given))
    return ours


def _fields(settings: BankSettings) -> dict[str, object]:
    """The settings as given to `BankSettings` (its derived `schedule` left out): a setting added
    to the class is kept with the others."""
    return attrs.asdict(settings, filter=lambda attribute, _: attribute.init)


def resume_clock(journal: Journal, ids: Ids, start: str | None, meta: dict[str, Any], seed: int,
                 given: int | None, runtime: str) -> Clock:
    """A new journal starts at `start` (default 2024-01-01); an existing one is checked against
    the seed and start given, then resumes at its start, last committed instant and id positions."""
    if "start" not in meta:
        clock = Clock(start if start is not None else "2024-01-01")
        journal.set_meta(engine="lanasim", seed=seed, start=clock.iso, runtime=runtime)
    else:
        clock = Clock(meta["start"])
        at = None if start is None else Clock(start).iso
        for field, ours, theirs in (("seed", given, meta.get("seed")), ("start", at, meta["start"])):
            if ours is not None and theirs is not None and ours != theirs:
                raise JournalMismatch(path=journal.path, field=field, journal=theirs, given=ours)
        resume_at = clock.seconds_until(meta.get("now", meta["start"]))
        if resume_at:
            clock.env.run(until=resume_at)
            clock.sync()
        if "ids" in meta:
            ids.restore(meta["ids"])
        if meta.get("finished"):  # a scenario's finished run is read, never continued (`RunFinished`):
            return clock  # its position and digest stay as it left them (an id a refused call drew is not stored)
        if "digest" in meta:  # the run goes on: the digest of its last close describes it no longer
            journal.stage("DELETE FROM lanasim_meta WHERE key = ?", ("digest",))
    journal.before_commit.append(Position(journal, clock, ids, meta).store)
    return clock


class Position:
    """Reopen is exact: every group commit also stores the run's position (the clock's instant, how
    many entity and command ids were handed out, each named random stream's state) in `lanasim_meta`,
    so a `Simulation` opened on the journal continues where its last commit left off."""

    def __init__(self, journal: Journal, clock: Clock, ids: Ids, meta: dict[str, Any]) -> None:
        self.journal, self.clock, self.ids = journal, clock, ids
        self._stored = {"now": meta.get("now"), "ids": meta.get("ids")}

    def store(self) -> None:
        """Stage the run's position with each group commit (only what changed since the last)."""
        position = {"now": self.clock.iso, "ids": self.ids.state()}
        changed = {key: value for key, value in position.items() if self._stored.get(key) != value}
        if changed:
            self.journal.set_meta(**changed)
            self._stored.update(changed)

"""Deterministic identifiers and named random streams, all derived from the run's seed."""

from __future__ import annotations

import hashlib
import itertools
import random
import uuid

__all__ = ["Ids"]


class Ids:
    """Entity ids (UUID-shaped, from a seeded stream), command ids and named random streams.

    `random.Random(str)` seeds through SHA-512, so streams do not depend on PYTHONHASHSEED.
    Each name gets an independent stream: adding draws to one never shifts another.
    """

    def __init__(self, seed: int, epoch: int = 0) -> None:
        """`epoch` > 0 (the journal's last seq when a journal is reopened or forked) draws entity ids
        from another stream, so a continued journal never repeats an id it already holds."""
        self.seed = seed
        self._entity = random.Random(f"lanasim:{seed}:ids" + (f":{epoch}" if epoch else ""))
        self._commands = itertools.count(1)
        self._streams: dict[str, random.Random] = {}

    def entity(self) -> str:
        return str(uuid.UUID(int=self._entity.getrandbits(128), version=4))

    def command(self) -> str:
        return f"cmd-{next(self._commands)}"

    def derived(self, *parts: object) -> str:
        """A UUID-shaped id that is a pure function of the seed and `parts`."""
        digest = hashlib.sha256(":".join(map(str, (self.seed, *parts))).encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def stream(self, name: str) -> random.Random:
        rng = self._streams.get(name)
        if rng is None:
            rng = self._streams[name] = random.Random(f"lanasim:{self.seed}:stream:{name}")
        return rng

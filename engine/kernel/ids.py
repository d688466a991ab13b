"""Deterministic identifiers and named random streams, all derived from the run's seed; their
positions are part of the run's journaled state (`state`/`restore`), so a reopened run continues."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from domains.validators import is_unicode
from engine.kernel.errors import InvalidArgument

__all__ = ["MAX_STREAM_NAME", "SEED_RANGE", "Ids", "check_seed", "check_stream_name"]

SEED_RANGE = (-2**63, 2**63 - 1)  # a seed is stored in the journal as a 64-bit SQLite integer
MAX_STREAM_NAME = 254  # characters in a named random stream's name (an entity id's limit)

_VERSION_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))  # the version nibble and the variant bits
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant


def _uuid4_text(bits: int) -> str:
    """`str(uuid.UUID(int=bits, version=4))` without building the UUID object (ids are made per
    event and command: the object's checks cost more than the text)."""
    h = "%032x" % (bits & _VERSION_CLEAR | _VERSION_4)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _digest_uuid4_text(digest: bytes) -> str:
    """`_uuid4_text` of the first 16 bytes of `digest` read big-endian, from their hex text (the
    version nibble set to 4, the variant's two bits to 10) without the round trip through an int."""
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def check_seed(seed: object) -> int:
    """`seed` if it is an int of 64 bits (`SEED_RANGE`, bool excluded), else `InvalidArgument`."""
    if type(seed) is not int or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
        raise InvalidArgument(argument="seed", value=seed, problem="a seed is an integer from -2**63 to 2**63 - 1")
    return seed


def check_stream_name(name: object) -> str:
    """`name` if it may name a random stream (a str of 1 to `MAX_STREAM_NAME` characters: the run's
    position stores each stream under its name), else `InvalidArgument`."""
    if type(name) is not str or not 0 < len(name) <= MAX_STREAM_NAME or not is_unicode(name):  # '\ud800': no seed
        shown = name if type(name) is not str or len(name) <= 40 else f"{name[:40]}... ({len(name):,} characters)"
        raise InvalidArgument(argument="name", value=shown,
                              problem=f"a random stream's name is a string of 1-{MAX_STREAM_NAME} characters "
                                      "of valid Unicode")
    return name


class Ids:
    """Entity ids (UUID-shaped, from a seeded stream), command ids and named random streams.

    `random.Random(str)` seeds through SHA-512, so streams do not depend on PYTHONHASHSEED.
    Each name gets an independent stream: adding draws to one never shifts another.

    Reopen is exact: `state()` is what the journal stores at every group commit (how many entity
    ids and command ids were handed out, and each named stream's generator state) and `restore`
    puts a fresh `Ids` of the same seed at that position. Entity ids are fast-forwarded by drawing
    again (a count is a few bytes; drawing a million ids takes a fraction of a second); named streams
    store `random.Random.getstate()` since a scenario may draw any number of values from them.

    `reseed` continues as another seed's run (what a branch of a shared book does); the seed ids are
    drawn from is part of the position, so a run reopened after a reseed draws from the same stream.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._entity = random.Random(f"lanasim:{seed}:ids")
        self._entities = 0
        self._commands = 0
        self._streams: dict[str, random.Random] = {}
        self._numbered: dict[str, Any] = {}  # name -> sha256 state after "<seed>:<name>:" (`numbered`)

    def entity(self) -> str:
        self._entities += 1
        return _uuid4_text(self._entity.getrandbits(128))

    def command(self) -> str:
        """The next command id (`Dispatch.message` counts them itself, the same way)."""
        self._commands += 1
        return f"cmd-{self._commands}"

    def derived(self, *parts: object) -> str:
        """A UUID-shaped id that is a pure function of the seed and `parts`."""
        digest = hashlib.sha256(":".join(map(str, (self.seed, *parts))).encode()).digest()
        return _uuid4_text(int.from_bytes(digest[:16], "big"))

    def numbered(self, name: str, n: int) -> str:
        """`derived(name, n)` for an int `n`, hashing the `<seed>:<name>:` prefix once per name (the
        outbox derives an envelope id from its sequence number for every public event)."""
        prefix = self._numbered.get(name)
        if prefix is None:
            prefix = self._numbered[name] = hashlib.sha256(f"{self.seed}:{name}:".encode())
        h = prefix.copy()
        h.update(b"%d" % n)
        return _digest_uuid4_text(h.digest())

    def stream(self, name: str) -> random.Random:
        """The stream named `name`; a name that is no str of 1-`MAX_STREAM_NAME` characters is
        `InvalidArgument`, refused before the stream exists (its position is journaled by name)."""
        rng = self._streams.get(check_stream_name(name))
        if rng is None:
            rng = self._streams[name] = random.Random(f"lanasim:{self.seed}:stream:{name}")
        return rng

    def reseed(self, seed: int) -> None:
        """Continue as `seed`'s run: entity ids from that seed's stream after as many as were handed
        out, command ids go on, named streams start afresh from `seed` (exactly what reopening a
        branch whose position is reseeded gives: see `engine.kernel.fork.copy_cut`)."""
        handed_out = self._entities
        self.seed, self._streams, self._numbered = seed, {}, {}
        self._entity, self._entities = random.Random(f"lanasim:{seed}:ids"), handed_out
        for _ in range(handed_out):  # the draws `entity()` made, without building their ids
            self._entity.getrandbits(128)

    def state(self) -> dict[str, Any]:
        """The position of every counter and stream (plain JSON values), and the seed drawn from."""
        streams = {}
        for name in sorted(self._streams):
            version, internal, gauss = self._streams[name].getstate()
            streams[name] = [version, list(internal), gauss]
        return {"seed": self.seed, "entities": self._entities, "commands": self._commands, "streams": streams}

    def restore(self, state: dict[str, Any]) -> None:
        """Continue from `state` (as `state()` gave it for the same seed, or after a reseed)."""
        if state.get("seed", self.seed) != self.seed:
            self.reseed(state["seed"])
        draw, skip = self._entity.getrandbits, max(0, state["entities"] - self._entities)
        for _ in range(skip):  # the draws `entity()` made, without building their ids
            draw(128)
        self._entities += skip
        self._commands = state["commands"]
        for name, (version, internal, gauss) in state["streams"].items():
            self.stream(name).setstate((version, tuple(internal), gauss))

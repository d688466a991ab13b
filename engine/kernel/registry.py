"""Per-simulation actor registry keyed by (kind, id), outside pykka's process-global registry.

pykka's `ActorRegistry` is one global list (removal is O(n), so stopping 100,000 actors is
quadratic) shared by every simulation in the process; this one is a dict owned by one simulation.
It also holds the deterministic actors strongly (an `ActorRef` only keeps a weak reference).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pykka
from pykka import ActorRef

__all__ = ["Registry"]

_THREADED: dict[type, bool] = {}  # by actor class: is it a `pykka.ThreadingActor`


def _threaded(actor: object) -> bool:
    """A threaded actor (kept by `release` and `sweep`, stopped by its thread)? Asked of the actor's
    class once: `isinstance` of pykka's actor classes (an ABC's check) cost ~2,500 instructions an
    actor, and `sweep` asks it of every live actor."""
    found = _THREADED.get(actor.__class__)
    if found is None:
        found = _THREADED[actor.__class__] = isinstance(actor, pykka.ThreadingActor)
    return found


class Registry:
    def __init__(self, spawn: Callable[[str, str], pykka.Actor]) -> None:
        self._spawn = spawn
        self._actors: dict[tuple[str, str], pykka.Actor] = {}
        self._lock = threading.Lock()  # threaded runtime: one actor per entity, however many callers race

    def ref(self, kind: str, entity_id: str) -> ActorRef[Any]:
        """The actor of (kind, id), spawned on first use (exactly once, even from racing threads:
        two actors of one entity would both append at the same entity sequence)."""
        actor = self._actors.get((kind, entity_id))
        if actor is None:
            with self._lock:
                actor = self._actors.get((kind, entity_id))
                if actor is None:
                    actor = self._actors[(kind, entity_id)] = self._spawn(kind, entity_id)
        return actor.actor_ref

    def actor(self, kind: str, entity_id: str) -> Any:
        return self._actors.get((kind, entity_id))

    def discard(self, kind: str, entity_id: str) -> None:
        """Forget (and stop) the actor of an entity that was never created."""
        with self._lock:
            actor = self._actors.pop((kind, entity_id), None)
        if actor is None:
            return
        if _threaded(actor):
            actor.actor_ref.stop(block=False)
        else:
            actor._stop()

    def release(self) -> int:
        """Forget every deterministic actor between cascades (each state is in the journal and the
        next command to an entity reloads it), so a long import keeps a chunk's actors, not the
        book's; threaded actors are kept. The dict is cleared in place. Returns how many went."""
        with self._lock:
            idle = [key for key, actor in self._actors.items() if not _threaded(actor)]
            for key in idle:
                self._actors.pop(key)._stop()
        return len(idle)

    def sweep(self, after: int) -> int:
        """Release the deterministic actors found idle by `after` sweeps in a row: no event appended
        (`entity_seq` unchanged), not read (`read` unset) and no alarm armed, whose states are in
        the journal for the next command or read to fold again. Call it only between cascades
        (nothing queued for an actor). A long run then keeps its working set in memory, not every
        entity it ever touched. Returns how many went."""
        with self._lock:
            idle = []
            for key, found in self._actors.items():
                if _threaded(found):
                    continue
                actor: Any = found  # an entity actor (`engine.kernel.entity.EntityBehaviour`)
                seen = actor.entity_seq
                if actor.swept != seen or actor.read or actor.alarm is not None:
                    actor.swept, actor.read, actor.idle = seen, False, 0
                    continue
                actor.idle += 1
                if actor.idle >= after:
                    idle.append(key)
            for key in idle:
                self._actors.pop(key)._stop()
        return len(idle)

    def __len__(self) -> int:
        return len(self._actors)

    def stop_all(self) -> int:
        """Stop every actor this simulation started (threads joined); returns how many."""
        actors, self._actors = self._actors, {}
        threaded = [a for a in actors.values() if _threaded(a)]
        for actor in actors.values():
            if _threaded(actor):
                actor.actor_ref.stop(block=False)
            else:
                actor._stop()  # deterministic runtime: nothing queued can still reach it
        for actor in threaded:
            actor.actor_stopped.wait(timeout=10)
        return len(actors)

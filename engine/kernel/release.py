"""Releasing a chunk's deterministic actors without leaving them as cyclic garbage.

A `SimActor` and its inbox refer to each other, so a released actor (and the entity state it holds)
is freed only by a cyclic collection, which a long run makes rare; a long import released thousands
a chunk and kept them all. Unlinking the inbox first lets reference counting free them at once.
"""

from __future__ import annotations

from engine.kernel.registry import Registry
from engine.kernel.runtime import SimInbox

__all__ = ["release_acyclic"]


def release_acyclic(registry: Registry) -> int:
    """`registry.release()`, each released deterministic actor's inbox first unlinked from it (a
    stopped actor takes no message, so nothing reads the link again). Returns how many went."""
    for actor in list(registry._actors.values()):
        inbox = getattr(actor, "actor_inbox", None)
        if isinstance(inbox, SimInbox):
            inbox._actor = None  # type: ignore[assignment]
    return registry.release()

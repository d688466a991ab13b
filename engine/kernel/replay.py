"""Idempotent creates that are really conflicts: a create command sent to an entity that already
exists is `AlreadyApplied` only when it says what the entity's first event recorded."""

from __future__ import annotations

import enum
from typing import Any

import attrs

from engine.kernel.errors import Conflict

__all__ = ["check_replay"]


def check_replay(kind: str, entity_id: str, command: object, first_event: object) -> None:
    """Raise `Conflict(kind, id, field, stored, given)` for the first field the command shares (by
    name) with the entity's creating event and whose value differs, as TigerBeetle's
    `exists_with_different_*`; fields only one side has are not compared."""
    made: Any = type(command)
    was_made: Any = type(first_event)
    if not attrs.has(made) or not attrs.has(was_made):
        return
    stored = {f.name: getattr(first_event, f.name) for f in attrs.fields(was_made)}
    for field in attrs.fields(made):
        if field.name in stored:
            given, was = _plain(getattr(command, field.name)), _plain(stored[field.name])
            if given != was:
                raise Conflict(kind=kind, id=entity_id, field=field.name, stored=was, given=given)


def _plain(value: object) -> object:
    """Enum members compare by value (a command may carry the string, the event the member)."""
    return value.value if isinstance(value, enum.Enum) else value

"""PermissionSet: a named, fixed list of (object, action) pairs declared by a module."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.access.commands import CreatePermissionSet
from domains.access.events import PermissionSetEvent, PermissionSetInitialized

__all__ = ["COMMANDS", "PermissionSet", "apply", "decide"]

COMMANDS = (CreatePermissionSet,)


@attrs.frozen
class PermissionSet:
    id: str
    name: str
    permissions: tuple[tuple[str, str], ...]


def apply(state: PermissionSet | None, event: PermissionSetEvent) -> PermissionSet:
    match event:
        case PermissionSetInitialized(id=id_, name=name, permissions=permissions):
            return PermissionSet(id_, name, permissions)
        case _:
            assert_never(event)


def decide(state: PermissionSet | None, command: CreatePermissionSet, at: datetime) -> tuple[PermissionSetEvent, ...]:
    """Permission sets are declared once and never change (Lana seeds them at start-up)."""
    if state is not None:
        return ()
    return (PermissionSetInitialized(command.id, command.name, command.permissions),)

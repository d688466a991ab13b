"""Role: a named bundle of permission sets given to users."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.access.commands import AddPermissionSet, CreateRole, RemovePermissionSet
from domains.access.errors import require
from domains.access.events import RoleEvent, RoleInitialized, RolePermissionSetAdded, RolePermissionSetRemoved
from domains.aggregate import evolve

__all__ = ["COMMANDS", "Role", "apply", "decide"]

COMMANDS = (CreateRole, AddPermissionSet, RemovePermissionSet)
RoleCommand = CreateRole | AddPermissionSet | RemovePermissionSet


@attrs.frozen
class Role:
    """`permission_set_ids` is kept sorted so equal roles have equal states."""

    id: str
    name: str
    permission_set_ids: tuple[str, ...]


def apply(state: Role | None, event: RoleEvent) -> Role:
    match event:
        case RoleInitialized(id=id_, name=name, permission_set_ids=ids):
            return Role(id_, name, ids)
        case RolePermissionSetAdded(permission_set_id=set_id):
            role = require(state, "role")
            return evolve(role, permission_set_ids=tuple(sorted((*role.permission_set_ids, set_id))))
        case RolePermissionSetRemoved(permission_set_id=set_id):
            role = require(state, "role")
            return evolve(role, permission_set_ids=tuple(i for i in role.permission_set_ids if i != set_id))
        case _:
            assert_never(event)


def decide(state: Role | None, command: RoleCommand, at: datetime) -> tuple[RoleEvent, ...]:
    match command:
        case CreateRole(id=id_, name=name, permission_set_ids=ids):
            return () if state is not None else (RoleInitialized(id_, name, ids),)
        case AddPermissionSet(permission_set_id=set_id):
            return () if _holds(require(state, "role"), set_id) else (RolePermissionSetAdded(set_id),)
        case RemovePermissionSet(permission_set_id=set_id):
            return (RolePermissionSetRemoved(set_id),) if _holds(require(state, "role"), set_id) else ()
        case _:
            assert_never(command)


def _holds(role: Role, permission_set_id: str) -> bool:
    return permission_set_id in role.permission_set_ids

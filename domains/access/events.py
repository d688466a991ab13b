"""Stored events of User, Role and PermissionSet (Lana `core/access` entity events)."""

from __future__ import annotations

import attrs

__all__ = [
    "PermissionSetEvent", "PermissionSetInitialized", "RoleEvent", "RoleInitialized", "RolePermissionSetAdded",
    "RolePermissionSetRemoved", "UserEvent", "UserInitialized", "UserRoleUpdated",
]


@attrs.frozen
class UserInitialized:
    """An operator user was created with one role."""

    id: str
    email: str
    role_id: str


@attrs.frozen
class UserRoleUpdated:
    """The user was given another role."""

    role_id: str


UserEvent = UserInitialized | UserRoleUpdated


@attrs.frozen
class RoleInitialized:
    """A role was created with its permission sets."""

    id: str
    name: str
    permission_set_ids: tuple[str, ...]


@attrs.frozen
class RolePermissionSetAdded:
    """A permission set was granted to the role."""

    permission_set_id: str


@attrs.frozen
class RolePermissionSetRemoved:
    """A permission set was taken from the role."""

    permission_set_id: str


RoleEvent = RoleInitialized | RolePermissionSetAdded | RolePermissionSetRemoved


@attrs.frozen
class PermissionSetInitialized:
    """A named permission set of (object, action) pairs was declared."""

    id: str
    name: str
    permissions: tuple[tuple[str, str], ...]


PermissionSetEvent = PermissionSetInitialized

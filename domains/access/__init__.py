"""Access module (Lana `core/access`): operator users, roles and permission sets."""

from __future__ import annotations

from domains.access.commands import (
    AddPermissionSet,
    CreatePermissionSet,
    CreateRole,
    CreateUser,
    RemovePermissionSet,
    UpdateUserRole,
)
from domains.access.errors import AccessError, EmptyValue, InvalidEmail, InvalidName, InvalidPermission, NotInitialized
from domains.access.events import (
    PermissionSetInitialized,
    RoleInitialized,
    RolePermissionSetAdded,
    RolePermissionSetRemoved,
    UserInitialized,
    UserRoleUpdated,
)
from domains.access.permission_set import PermissionSet
from domains.access.registry import PERMISSION_SET, ROLE, USER
from domains.access.role import Role
from domains.access.seed import PERMISSION_SETS, ROLES, SUPERUSER
from domains.access.user import User

AGGREGATES = (USER, ROLE, PERMISSION_SET)

__all__ = [
    "AGGREGATES",
    "AccessError",
    "AddPermissionSet",
    "CreatePermissionSet",
    "CreateRole",
    "CreateUser",
    "EmptyValue",
    "InvalidEmail",
    "InvalidName",
    "InvalidPermission",
    "NotInitialized",
    "PERMISSION_SET",
    "PERMISSION_SETS",
    "PermissionSet",
    "PermissionSetInitialized",
    "ROLE",
    "ROLES",
    "RemovePermissionSet",
    "Role",
    "RoleInitialized",
    "RolePermissionSetAdded",
    "RolePermissionSetRemoved",
    "SUPERUSER",
    "USER",
    "UpdateUserRole",
    "User",
    "UserInitialized",
    "UserRoleUpdated",
]

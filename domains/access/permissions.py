"""The (object, action) a user must hold to issue each access-module command (Lana's authz)."""

from __future__ import annotations

from domains.access import commands as c

__all__ = ["required_permission"]

PERMISSIONS: dict[type, tuple[str, str]] = {
    c.CreateUser: ("user/*", "user:create"),
    c.UpdateUserRole: ("user/*", "user:update-role"),
    c.CreateRole: ("role/*", "role:create"),
    c.AddPermissionSet: ("role/*", "role:update"),
    c.RemovePermissionSet: ("role/*", "role:update"),
    c.CreatePermissionSet: ("role/*", "role:update"),
}


def required_permission(command: object) -> tuple[str, str]:
    return PERMISSIONS[type(command)]

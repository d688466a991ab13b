"""Public (outbox) events of the access module: UserCreated and RoleCreated only, as in Lana."""

from __future__ import annotations

from domains.access.events import RoleEvent, RoleInitialized, UserEvent, UserInitialized
from domains.access.role import Role
from domains.access.user import User
from domains.aggregate import Public

__all__ = ["publish_role", "publish_user"]

MODULE = "CoreAccess"


def publish_user(user: User, event: UserEvent) -> tuple[Public, ...]:
    if not isinstance(event, UserInitialized):
        return ()
    entity = {"id": user.id, "email": user.email, "role_id": user.role_id}
    return (Public(MODULE, "UserCreated", {"entity": entity}),)


def publish_role(role: Role, event: RoleEvent) -> tuple[Public, ...]:
    if not isinstance(event, RoleInitialized):
        return ()
    return (Public(MODULE, "RoleCreated", {"entity": {"id": role.id, "name": role.name}}),)

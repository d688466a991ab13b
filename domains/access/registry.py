"""The access module's aggregates as the engine hosts them: stored names, commands, columns."""

from __future__ import annotations

from operator import attrgetter

from domains.access import events as ev
from domains.access import permission_set, role, user
from domains.access.commands import CreatePermissionSet, CreateRole, CreateUser, UpdateUserRole
from domains.access.permissions import required_permission
from domains.access.public import publish_role, publish_user
from domains.aggregate import Aggregate, Column, EventType

__all__ = ["PERMISSION_SET", "ROLE", "USER"]

USER: Aggregate[user.User, ev.UserEvent, CreateUser | UpdateUserRole] = Aggregate(
    kind="user",
    events=(EventType(ev.UserInitialized, "access.user.initialized", 1),
            EventType(ev.UserRoleUpdated, "access.user.role-updated", 1)),
    apply=user.apply, decide=user.decide, commands=user.COMMANDS, creates=(CreateUser,),
    columns=(Column("email", attrgetter("email"), unique=True), Column("role_id", attrgetter("role_id"))),
    publish=publish_user, state=user.User,
    permissions=required_permission,
)

ROLE: Aggregate[role.Role, ev.RoleEvent, role.RoleCommand] = Aggregate(
    kind="role",
    events=(EventType(ev.RoleInitialized, "access.role.initialized", 1),
            EventType(ev.RolePermissionSetAdded, "access.role.permission-set-added", 1),
            EventType(ev.RolePermissionSetRemoved, "access.role.permission-set-removed", 1)),
    apply=role.apply, decide=role.decide, commands=role.COMMANDS, creates=(CreateRole,),
    columns=(Column("name", attrgetter("name"), unique=True),),
    publish=publish_role, state=role.Role,
    permissions=required_permission,
)

PERMISSION_SET: Aggregate[permission_set.PermissionSet, ev.PermissionSetEvent, CreatePermissionSet] = Aggregate(
    kind="permission-set",
    events=(EventType(ev.PermissionSetInitialized, "access.permission-set.initialized", 1),),
    apply=permission_set.apply, decide=permission_set.decide, commands=permission_set.COMMANDS,
    creates=(CreatePermissionSet,),
    columns=(Column("name", attrgetter("name"), unique=True),),
    state=permission_set.PermissionSet,
    permissions=required_permission,
)

"""User: an operator of the bank holding exactly one role."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.access.commands import CreateUser, UpdateUserRole
from domains.access.errors import require
from domains.access.events import UserEvent, UserInitialized, UserRoleUpdated
from domains.aggregate import evolve

__all__ = ["COMMANDS", "User", "apply", "decide"]

COMMANDS = (CreateUser, UpdateUserRole)


@attrs.frozen
class User:
    id: str
    email: str
    role_id: str


def apply(state: User | None, event: UserEvent) -> User:
    match event:
        case UserInitialized(id=id_, email=email, role_id=role_id):
            return User(id_, email, role_id)
        case UserRoleUpdated(role_id=role_id):
            return evolve(require(state, "user"), role_id=role_id)
        case _:
            assert_never(event)


def decide(state: User | None, command: CreateUser | UpdateUserRole, at: datetime) -> tuple[UserEvent, ...]:
    match command:
        case CreateUser(id=id_, email=email, role_id=role_id):
            return () if state is not None else (UserInitialized(id_, email, role_id),)
        case UpdateUserRole(role_id=role_id):
            return _update_role(require(state, "user"), role_id)
        case _:
            assert_never(command)


def _update_role(user: User, role_id: str) -> tuple[UserEvent, ...]:
    """Lana: already applied when the user holds this role."""
    return () if user.role_id == role_id else (UserRoleUpdated(role_id),)

"""Access service: Lana's seeded roles and permission sets, users, and permission lookups."""

from __future__ import annotations

from domains.access import (
    PERMISSION_SETS,
    ROLES,
    CreatePermissionSet,
    CreateRole,
    CreateUser,
    Role,
    UpdateUserRole,
    User,
)
from engine.kernel.authz import SYSTEM
from engine.kernel.errors import InvalidArgument
from engine.kernel.port import Kernel, Outcome

__all__ = ["AccessService"]


class AccessService:
    """The `access` attribute of a `Simulation`."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel

    def seed(self) -> dict[str, str]:
        """Create Lana's permission sets and predefined roles once; returns role name -> id.

        Ids are derived from the names, so seeding again appends nothing and draws no entity id.
        """
        for name, permissions in PERMISSION_SETS:
            set_id = self.kernel.ids.derived("access", "permission-set", name)
            self.kernel.execute("permission-set", set_id, CreatePermissionSet(set_id, name, permissions))
        roles = {}
        for name, set_names in ROLES:
            role_id = roles[name] = self.kernel.ids.derived("access", "role", name)
            set_ids = [self.kernel.ids.derived("access", "permission-set", s) for s in set_names]
            self.kernel.execute("role", role_id, CreateRole(role_id, name, set_ids))
        return roles

    def create_role(self, name: str, permission_sets: list[str] | tuple[str, ...] = (), *,
                    subject: str = SYSTEM) -> str:
        """`permission_sets` are names (a list or tuple: a str was read as its characters, "" as no set,
        None a bare TypeError, so `InvalidArgument`); an unknown name raises `NotFound`, a taken role
        name `DuplicateValue`."""
        if not isinstance(permission_sets, list | tuple):
            raise InvalidArgument(argument="permission_sets", value=permission_sets,
                                  problem="a list of permission set names")
        set_ids = [self.kernel.index("permission-set").find_by_name(n) for n in permission_sets]
        role_id = self.kernel.ids.entity()
        self.kernel.execute("role", role_id, CreateRole(role_id, name, set_ids), subject=subject)
        return role_id

    def create_user(self, email: str, role: str, *, subject: str = SYSTEM) -> str:
        """`role` is a role name (e.g. "bank-manager"); a taken email raises `DuplicateValue`."""
        role_id = self.kernel.index("role").find_by_name(role)
        user_id = self.kernel.ids.entity()
        self.kernel.execute("user", user_id, CreateUser(user_id, email, role_id), subject=subject)
        return user_id

    def update_user_role(self, user_id: str, role: str, *, subject: str = SYSTEM) -> Outcome:
        role_id = self.kernel.index("role").find_by_name(role)
        return self.kernel.execute("user", user_id, UpdateUserRole(role_id), subject=subject)

    def user(self, user_id: str) -> User:
        found: User = self.kernel.state("user", user_id)
        return found

    def role(self, role_id: str) -> Role:
        found: Role = self.kernel.state("role", role_id)
        return found

    def permissions_of(self, user_id: str) -> frozenset[tuple[str, str]]:
        """Every (object, action) pair granted through the user's role."""
        role = self.kernel.state("role", self.kernel.state("user", user_id).role_id)
        granted: set[tuple[str, str]] = set()
        for set_id in role.permission_set_ids:
            granted.update(self.kernel.state("permission-set", set_id).permissions)
        return frozenset(granted)

    def is_allowed(self, user_id: str, obj: str, action: str) -> bool:
        """Whether the user's role grants `action` on `obj` (both text: a list was a bare TypeError)."""
        for name, value in (("obj", obj), ("action", action)):
            if type(value) is not str:
                raise InvalidArgument(argument=name, value=value, problem="a permission's object or action (text)")
        return (obj, action) in self.permissions_of(user_id)

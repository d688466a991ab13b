"""Commands of the access module; each validates its fields on construction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeGuard

import attrs

from domains.access.errors import EmptyValue, InvalidEmail, InvalidName, InvalidPermission
from domains.validators import bounded_text, required

__all__ = ["AddPermissionSet", "CreatePermissionSet", "CreateRole", "CreateUser", "RemovePermissionSet",
           "UpdateUserRole"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_OBJECT = re.compile(r"[a-z][a-z0-9-]*/(\*|[A-Za-z0-9-]+)")
_ACTION = re.compile(r"[a-z][a-z0-9-]*:[a-z][a-z0-9-]*")

Permission = tuple[str, str]


_required = required(EmptyValue)


def _email(value: object) -> str:
    if not isinstance(value, str) or not _EMAIL.fullmatch(value):
        raise InvalidEmail(value=value)
    return bounded_text("email", value)


def _snake_name(_: object, attribute: attrs.Attribute, value: object) -> None:
    if not isinstance(value, str) or not _SNAKE.fullmatch(value):
        raise InvalidName(value=value, rule="snake_case")


def _ids(values: object) -> tuple[str, ...]:
    """Sorted and unique: a role's permission sets are a set, stored in a stable order."""
    ids = tuple(values) if isinstance(values, (list, tuple)) else ()
    if not all(isinstance(v, str) and v for v in ids):
        raise EmptyValue(field="permission_set_ids")
    return tuple(sorted(set(ids)))


def _permissions(values: object) -> tuple[Permission, ...]:
    pairs: set[Permission] = set()
    for item in values if isinstance(values, (list, tuple)) else [values]:
        if not _is_permission(item):
            raise InvalidPermission(value=item)
        pairs.add((item[0], item[1]))
    return tuple(sorted(pairs))


def _is_permission(v: object) -> TypeGuard[Sequence[str]]:
    return (isinstance(v, (list, tuple)) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], str)
            and bool(_OBJECT.fullmatch(v[0])) and bool(_ACTION.fullmatch(v[1])))


@attrs.frozen
class CreateUser:
    id: str = attrs.field(validator=_required)
    email: str = attrs.field(converter=_email)
    role_id: str = attrs.field(validator=_required)


@attrs.frozen
class UpdateUserRole:
    role_id: str = attrs.field(validator=_required)


@attrs.frozen
class CreateRole:
    id: str = attrs.field(validator=_required)
    name: str = attrs.field(validator=_required)
    permission_set_ids: tuple[str, ...] = attrs.field(converter=_ids, default=())


@attrs.frozen
class AddPermissionSet:
    permission_set_id: str = attrs.field(validator=_required)


@attrs.frozen
class RemovePermissionSet:
    permission_set_id: str = attrs.field(validator=_required)


@attrs.frozen
class CreatePermissionSet:
    id: str = attrs.field(validator=_required)
    name: str = attrs.field(validator=_snake_name)
    permissions: tuple[Permission, ...] = attrs.field(converter=_permissions)

"""Typed refusals of the access module; every leaf carries the fields that explain it."""

from __future__ import annotations

from typing import TypeVar

from domains.aggregate import Refusal

__all__ = ["AccessError", "EmptyValue", "InvalidEmail", "InvalidName", "InvalidPermission", "NotInitialized",
           "require"]

S = TypeVar("S")


class AccessError(Refusal):
    """Base of every access-module refusal."""


class InvalidEmail(AccessError):
    """The email is not of the shape `local@domain.tld` (field: value)."""


class InvalidName(AccessError):
    """A role or permission-set name breaks its naming rule (fields: value, rule)."""


class InvalidPermission(AccessError):
    """A permission is not an (`object/...`, `object:action`) pair (field: value)."""


class EmptyValue(AccessError):
    """A required text field is empty (field: field)."""


class NotInitialized(AccessError):
    """A command reached an entity before its first event (field: kind)."""


def require(state: S | None, kind: str) -> S:
    """The state of an entity that must exist (the engine refuses unknown ids before this)."""
    if state is None:
        raise NotInitialized(kind=kind)
    return state

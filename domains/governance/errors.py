"""Typed refusals of governance; every leaf carries the fields that explain it."""

from __future__ import annotations

from typing import TypeVar

from domains.aggregate import Refusal

S = TypeVar("S")

__all__ = [
    "AutoApproveNotAllowed",
    "EmptyValue",
    "GovernanceError",
    "NotInitialized",
    "UnknownProcessType",
    "require",
]


class GovernanceError(Refusal):
    """Base of every governance refusal."""


class EmptyValue(GovernanceError):
    """A required text field is empty (field: field)."""


class UnknownProcessType(GovernanceError):
    """Not one of credit-facility-proposal, disbursal, withdraw (fields: value, known: the process types)."""


class NotInitialized(GovernanceError):
    """A command reached an entity before its first event (field: kind)."""


class AutoApproveNotAllowed(GovernanceError):
    """AutoApprove rules were asked for while auto-approval is disallowed (field: process_type)."""


def require(state: S | None, kind: str) -> S:
    """The state of an entity that must exist (the engine refuses unknown ids before this)."""
    if state is None:
        raise NotInitialized(kind=kind)
    return state

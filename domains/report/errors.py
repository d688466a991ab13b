"""Typed refusals of the report module; every leaf carries the fields that explain it."""

from __future__ import annotations

from typing import TypeVar

from domains.aggregate import Refusal

S = TypeVar("S")

__all__ = [
    "EmptyValue",
    "InvalidRunState",
    "InvalidRunType",
    "InvalidStateTransition",
    "NotInitialized",
    "ReportError",
    "UnknownReport",
    "require",
]


class ReportError(Refusal):
    """Base of every report-module refusal."""


class EmptyValue(ReportError):
    """A required field is empty (field: field)."""


class InvalidRunState(ReportError):
    """Not one of queued, running, success, failed (field: value)."""


class InvalidRunType(ReportError):
    """Not one of scheduled, manual (field: value)."""


class InvalidStateTransition(ReportError):
    """A run only moves queued -> running -> success | failed (or queued -> failed); a finished
    run never changes again (fields: run_id, current, requested)."""


class UnknownReport(ReportError):
    """The bank produces no report of this name (fields: name, known)."""


class NotInitialized(ReportError):
    """A command reached an entity before its first event (field: kind)."""


def require(state: S | None, kind: str) -> S:
    """The state of an entity that must exist (the engine refuses unknown ids before this)."""
    if state is None:
        raise NotInitialized(kind=kind)
    return state

"""Typed engine errors: every one carries its fields and reads as one line."""

from __future__ import annotations

__all__ = [
    "ConcurrentModification",
    "CorruptEvent",
    "DuplicateValue",
    "EngineError",
    "HandlerFailed",
    "JournalLocked",
    "MalformedCommand",
    "NotALanasimJournal",
    "NotFound",
    "ReentrantAsk",
    "SimulationClosed",
    "TimeInPast",
    "UnknownEntity",
    "UnknownEventType",
    "UnknownKind",
    "UnsupportedJournalFormat",
]


class EngineError(Exception):
    """Base class: keyword fields become attributes and the one-line message."""

    def __init__(self, **fields: object) -> None:
        self.fields = fields
        for name, value in fields.items():
            setattr(self, name, value)
        super().__init__(self.describe())

    def describe(self) -> str:
        detail = ", ".join(f"{k}={v!r}" for k, v in self.fields.items())
        return f"{type(self).__name__}({detail})"


class ConcurrentModification(EngineError):
    """A second writer tried to append at an entity sequence that is already taken."""


class DuplicateValue(EngineError):
    """A UNIQUE query-index column already holds this value (fields: kind, column, value)."""


class NotFound(EngineError):
    """No entity matches a lookup (fields: kind, column, value)."""


class UnknownEntity(EngineError):
    """A command addressed an entity id that has never been created (fields: kind, id)."""


class UnknownKind(EngineError):
    """No aggregate of this kind is registered with the simulation (field: kind)."""


class MalformedCommand(EngineError):
    """A message is not a command this kind understands, or failed validation (kind, problem)."""


class UnknownEventType(EngineError):
    """An event name or class that is not registered with the codec (field: name)."""


class CorruptEvent(EngineError):
    """A stored payload cannot be decoded into its registered event type."""


class NotALanasimJournal(EngineError):
    """The file is not a lanasim journal (field: path, problem)."""


class UnsupportedJournalFormat(EngineError):
    """A lanasim journal in a format this version no longer reads (fields: path, format, supported,
    problem); open it with the lanasim version that wrote it."""


class JournalLocked(EngineError):
    """Another simulation holds the journal file for writing (field: path)."""


class HandlerFailed(EngineError):
    """An unexpected exception escaped an entity handler; the actor keeps serving."""


class ReentrantAsk(EngineError):
    """An actor blocked on another actor inside a handler (use events and policies instead)."""


class TimeInPast(EngineError):
    """The clock was asked to go backwards (fields: now, target)."""


class SimulationClosed(EngineError):
    """The simulation was closed; its actors are stopped."""

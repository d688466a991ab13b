"""lanasim engine: the only impure layer (actors, journal, clock, outbox, index, codec)."""

from engine.kernel.entity import AlreadyApplied, Executed
from engine.kernel.errors import (
    ConcurrentModification,
    DuplicateValue,
    EngineError,
    HandlerFailed,
    InvalidInstant,
    JournalExists,
    JournalLocked,
    MalformedCommand,
    NotALanasimJournal,
    NotFound,
    StartOutOfRange,
    TimeInPast,
    UnknownEntity,
    UnknownKind,
    UnsupportedJournalFormat,
)
from engine.simulation import Simulation

__all__ = [
    "AlreadyApplied",
    "ConcurrentModification",
    "DuplicateValue",
    "EngineError",
    "Executed",
    "HandlerFailed",
    "InvalidInstant",
    "JournalExists",
    "JournalLocked",
    "MalformedCommand",
    "NotALanasimJournal",
    "NotFound",
    "Simulation",
    "StartOutOfRange",
    "TimeInPast",
    "UnknownEntity",
    "UnknownKind",
    "UnsupportedJournalFormat",
]

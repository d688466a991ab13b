"""Typed engine errors: every one carries its fields and reads as one line.

Those that refuse a caller's command (bad argument, unknown reference, conflict, duplicate value)
are also `domains.aggregate.Refusal`s, the one base class of every refusal: nothing of the refused
command is staged, so the journal digest is unchanged. The others report a broken journal or runtime."""

from __future__ import annotations

from domains.aggregate import Refusal, fields_text

__all__ = [
    "NOT_ISO",
    "ConcurrentModification",
    "Conflict",
    "CorruptEvent",
    "DuplicateValue",
    "EngineError",
    "HandlerFailed",
    "InvalidArgument",
    "InvalidInstant",
    "JournalExists",
    "JournalLocked",
    "JournalUnreadable",
    "MalformedCommand",
    "NotALanasimJournal",
    "NotFound",
    "ReentrantAsk",
    "Refused",
    "RunFinished",
    "SimulationClosed",
    "SimulationInterrupted",
    "StartOutOfRange",
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
            if name != "reason" or not isinstance(self, Refusal):
                setattr(self, name, value)
        Exception.__init__(self, self.describe())

    def describe(self) -> str:
        return fields_text(type(self).__name__, self.fields)


class Refused(EngineError, Refusal):
    """Base of the engine's refusals (an `EngineError` and a `Refusal`): nothing was staged."""


class InvalidArgument(Refused):
    """An argument has the wrong type or lies outside its range (fields: argument, value, problem)."""


class Conflict(Refused):
    """An id already names something with different content, as TigerBeetle's `exists_with_different_*`
    (fields: kind, id, field, stored, given)."""


class ConcurrentModification(EngineError):
    """A second writer tried to append at an entity sequence that is already taken."""


class DuplicateValue(Refused):
    """A UNIQUE query-index column already holds this value (fields: kind, column, value)."""

    def describe(self) -> str:
        """Its fields, then what they mean: `DuplicateValue(kind='party', column='email', ...)` alone
        left a notebook user who ran a cell twice to guess."""
        kind, column = self.fields.get("kind"), self.fields.get("column")
        article = "an" if str(kind)[:1] in ("a", "e", "i", "o", "u") else "a"
        return (f"{super().describe()}: {article} {kind} with this {column} exists already; each {column} names "
                f"one {kind}")


class NotFound(Refused):
    """No entity matches a lookup (fields: kind, column, value)."""


class UnknownEntity(Refused):
    """A command addressed an entity id that has never been created (fields: kind, id)."""


class UnknownKind(Refused):
    """No aggregate of this kind is registered with the simulation (field: kind)."""


class MalformedCommand(Refused):
    """A message is not a command this kind understands, or failed validation (kind, problem)."""


class UnknownEventType(EngineError):
    """An event name or class that is not registered with the codec (field: name; from the catalog
    check also `close`, the nearest catalogued types, and `hint`)."""


class CorruptEvent(EngineError):
    """A stored payload cannot be decoded into its registered event type."""


class NotALanasimJournal(EngineError):
    """The file is not a lanasim journal (field: path, problem)."""


class JournalExists(NotALanasimJournal):
    """A new journal (a fork, a branch) was to be written where a file exists already (fields: path,
    problem); lanasim never overwrites a file. A `NotALanasimJournal` for the callers that catch
    that (the name it was raised under before)."""


class UnsupportedJournalFormat(EngineError):
    """A lanasim journal in a format this version no longer reads (fields: path, format, supported,
    problem); open it with the lanasim version that wrote it."""


class JournalUnreadable(NotALanasimJournal):
    """SQLite could not open or read the file for a reason of the disk, not of the file (fields: path,
    problem): a full disk (a reader of a journal with a write-ahead log grows its `-shm` file), an
    I/O error, a read-only file system (a resume settles the log into the file). A full disk said
    `not a lanasim journal (disk I/O error)` of a journal that a resume continued once there was
    space. A `NotALanasimJournal` for the callers that catch that."""


class JournalLocked(EngineError):
    """Another simulation holds the journal file for writing (field: path; `here`: one of this
    process)."""

    def describe(self) -> str:
        if self.fields.get("here"):  # this process holds it: a notebook cell that opened it ran twice
            return (f"{self.fields.get('path')}: held by a Simulation of this Python process that was not "
                    "closed (a notebook cell run twice?): close it first (sim.close(), or open it in "
                    "`with Simulation(...) as sim:`); its commands since its clock last moved are "
                    "journaled only when it closes")
        return (f"{self.fields.get('path')}: in use by another lanasim process (a run, a resume or a "
                "simulation writing it): wait for it to finish, or read a copy")


class HandlerFailed(EngineError):
    """An unexpected exception escaped an entity handler; the actor keeps serving."""


class ReentrantAsk(EngineError):
    """An actor blocked on another actor inside a handler (use events and policies instead)."""


class StartOutOfRange(InvalidArgument):
    """A simulation's start outside the years it takes (fields: start, earliest, latest)."""

    def describe(self) -> str:
        return (f"start {self.fields.get('start')} is outside {self.fields.get('earliest')} .. "
                f"{self.fields.get('latest')}, the years a simulation starts in (four-digit years, "
                "with room after the start for the dates a run schedules)")


class InvalidInstant(InvalidArgument):
    """Text that is no instant: not an ISO-8601 date or time, or one naming no real day or hour
    (fields: value, problem). A real instant before the clock's is `TimeInPast`."""

    def describe(self) -> str:
        problem = self.fields.get("problem")
        return (f"an instant is an ISO-8601 date or time (2024-06-01, 2024-06-01T12:00:00Z), got "
                f"{self.fields.get('value')!r}" + ("" if problem == NOT_ISO else f": {problem}"))


NOT_ISO = "not an ISO-8601 date or time"  # InvalidInstant's problem for text of no ISO-8601 shape


class TimeInPast(Refused):
    """The clock was asked to go backwards (fields: now, target); text that is no instant at all
    is `InvalidInstant`."""


class SimulationClosed(Refused):
    """The simulation was closed; its actors are stopped."""

    def describe(self) -> str:
        """It read `SimulationClosed()`: a notebook cell after `sim.close()` said nothing of what to do."""
        return ("the simulation is closed (sim.close(), or the end of its `with` block): open a new one; "
                "Simulation(journal=PATH) opens a journal file again where its last commit left off")


class SimulationInterrupted(Refused):
    """A `KeyboardInterrupt` (Ctrl-C in a notebook) stopped the simulation inside the work of one
    instant (fields: at, journal): a command of that cascade may be lost (an obligation that never
    falls due, a price feed that stops), so going on would run what no seed makes. Its reads still
    work; moving the clock or sending commands is refused. A journal file, closed and opened again
    (`Simulation(journal=PATH)`), continues where its last commit left off and re-derives the rest
    (alarms ring again, reactions read on from their cursors); an in-memory one is run again."""

    def describe(self) -> str:
        journal = self.fields.get("journal")
        then = (f"close it and open {journal} again (Simulation(journal={journal!r})) to continue from its last "
                "commit" if journal != ":memory:" else "its journal is in memory: run it again from the start")
        return (f"the simulation was interrupted at {self.fields.get('at')} in the middle of that instant's work; "
                f"going on could lose a command of it: {then}")


class RunFinished(Refused):
    """The journal holds a finished run of a scenario (`lanasim run`, `run_stress`; fields: journal,
    scenario): a `Simulation` opened on it reads it, but moving its clock or sending commands would
    append to that run without its market, desk and borrowers, and its outputs (`summary.json`,
    `lanasim report`) would no longer be the run's. Fork it to go on from it."""

    def describe(self) -> str:
        return (f"{self.fields.get('journal')} holds the finished run of {self.fields.get('scenario')}: read it, "
                "but to go on from it fork it (sim.fork(), lanasim fork, lanasim run --from): moving its clock or "
                "sending commands would change that run's journal")

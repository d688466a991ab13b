"""The shape every aggregate has: its events, fold, decision and query columns, as pure data.

The engine turns an `Aggregate` into an actor kind; nothing here knows about actors or storage.
"""

from __future__ import annotations

import inspect
import operator
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs

S = TypeVar("S")
E = TypeVar("E")
C = TypeVar("C")

__all__ = ["Aggregate", "Column", "Envelope", "EventType", "Policy", "Public", "Refusal", "Send", "evolve",
           "fields_text", "kebab"]

Envelope = dict[str, Any]  # an outbox envelope as JSON-shaped data (see `Policy`)


class Refusal(Exception):
    """Base of every typed refusal, the domains' and the engine's: bad arguments, business rules,
    unknown references, idempotency conflicts, authorization. A refusal is raised before anything
    of its command is staged, so the journal (and its digest) is unchanged by it. Keyword fields
    become attributes; `reason` is the kebab-case class name unless a field of that name explains it.
    """

    def __init__(self, **fields: object) -> None:
        self.fields = fields
        for name, value in fields.items():
            if name != "reason":
                setattr(self, name, value)
        Exception.__init__(self, fields_text(type(self).__name__, fields))

    @property
    def reason(self) -> str:
        found = self.fields.get("reason")
        return found if isinstance(found, str) else kebab(type(self).__name__)

    def __str__(self) -> str:
        """Its fields, then what the refusal means (`_meaning`): `NonPositiveAmount(field='amount',
        amount=0)` alone left a notebook user to look the class up. A refusal with a message of its
        own (an engine error's `describe`) reads as that. `repr`, and so what a journal records of
        a failed command, is left as it was."""
        text = super().__str__()
        if text != fields_text(type(self).__name__, self.fields):
            return text
        said = _meaning(type(self))
        return f"{text}: {said}" if said else text


def fields_text(name: str, fields: Mapping[str, object]) -> str:
    """`Name(field=value, ...)`: a refusal's or an engine error's message when it says no more."""
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in fields.items())})"


_FIELD_LIST = re.compile(r"\s*\((?:fields?: )?\w+(?:, \w+)*\)")  # "(facility_id, amount)": the fields, shown already


def _meaning(cls: type) -> str:
    """A refusal class's docstring's first paragraph as one line, without the list of its fields in
    parentheses and the final stop: "a payment above the posted outstanding". Empty for a class
    without a docstring of its own."""
    doc = cls.__dict__.get("__doc__")
    if not doc:
        return ""
    text = _FIELD_LIST.sub("", " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())).rstrip(".")
    word = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if word[:1].isupper() and word[1:] == word[1:].lower() else text  # not KYC


@attrs.frozen
class EventType:
    """A stored event class under an explicit registered name and schema version."""

    cls: type
    name: str
    version: int = 1


@attrs.frozen
class Column:
    """A query-index column: its value is read from the state after every command."""

    name: str
    value: Callable[[Any], object]  # reads the aggregate's own state type
    unique: bool = False
    sql_type: str = "TEXT"


@attrs.frozen
class Public:
    """A public (outbox) event: `module` is the Lana module tag, `name` the variant name.

    Tagged (most of Lana's modules, serde `tag = "type"`): `{"module", "type": name, **payload}`.
    Untagged (`tagged=False`: Lana's price and report events, plain serde enums): the variant
    name keys the payload, `{"module", name: payload}`.
    """

    module: str
    name: str
    payload: Mapping[str, object]
    ephemeral: bool = False
    tagged: bool = True


@attrs.frozen
class Aggregate(Generic[S, E, C]):
    """Everything the engine needs to host one kind of entity.

    `decide(state, command, at)` returns new events, `()` when already applied, or raises a
    `Refusal`. `apply(state, event)` is the pure fold; `state` is None before the first event.
    `publish(state, event)` maps one new event (with the state after it) to public events.
    `creates` lists the commands accepted by an entity that does not exist yet; any other
    command to an unknown id is refused by the engine. `upcasters` are (event name, from version,
    pure dict -> dict) steps that turn old stored payloads into the next version. `alarm(state)`
    says when the entity wants to be woken and with which command ("re-evaluate this obligation on
    its due date"); the engine schedules it (surviving restarts). `post(state, event)` maps a new
    event to `domains.accounting.LedgerTransaction`s (checked against velocity limits before
    anything is written). `ledger_tx_ids(event)` are the ids of the ledger transactions the event
    says it posted: `verify` checks `post` posts each and the ledger holds it, so no id a user reads
    names a transaction the ledger does not hold; `ledger_tx_refs(event)` are those it names that
    another entity posts (a facility's concluded cycle names its cycle's posting), which `verify`
    checks the ledger holds. `permissions(command)` names the (object, action) a user acting through
    this command must hold. `state` (an attrs class) enables snapshots every `snapshot_every` events.
    """

    kind: str
    events: tuple[EventType, ...]
    apply: Callable[[S | None, E], S]
    decide: Callable[[S | None, C, datetime], tuple[E, ...]]
    commands: tuple[type, ...]
    creates: tuple[type, ...] = ()
    columns: tuple[Column, ...] = ()
    publish: Callable[[S, E], tuple[Public, ...]] | None = None
    state: type | None = None
    snapshot_every: int | None = None
    upcasters: tuple[tuple[str, int, Callable[[dict[str, Any]], dict[str, Any]]], ...] = ()
    alarm: Callable[[S], tuple[datetime, object] | None] | None = None
    alarm_priority: str = "scenario"  # a job priority by name (price, liquidation, end_of_day, obligations, ...)
    post: Callable[[S, E], tuple[object, ...]] | None = None
    ledger_tx_ids: Callable[[E], tuple[str, ...]] | None = None
    ledger_tx_refs: Callable[[E], tuple[str, ...]] | None = None
    permissions: Callable[[C], tuple[str, str]] | None = None


@attrs.frozen
class Send:
    """A command a policy wants delivered to one entity."""

    kind: str
    id: str
    command: object


@attrs.frozen
class Policy:
    """A pure cross-aggregate reaction: `react(envelope) -> Send...` for the listed event types.

    `envelope` is the outbox envelope (`{id, sequence, event_type, payload, recorded_at,
    trace_id}`); `subject` is the named system actor the commands are issued as.
    """

    name: str
    listens: tuple[str, ...]
    react: Callable[[Envelope], tuple[Send, ...]]
    subject: str = "system"


def kebab(name: str) -> str:
    """`FacilityActivated` -> `facility-activated`."""
    out: list[str] = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("-")
        out.append(ch.lower())
    return "".join(out)


def evolve(instance: T, **changes: object) -> T:
    """A copy of the attrs `instance` with `changes` (keyed as `__init__` takes them), as
    `attrs.evolve` makes it (validators still run), its unchanged values read in one call and passed
    by position (every event of every aggregate comes here)."""
    cls: type[Any] = instance.__class__
    position, read = _FIELDS.get(cls) or _init_fields(cls)
    if position is None:  # keyword-only fields: passed by name, as `attrs.evolve` does
        return attrs.evolve(instance, **changes)  # type: ignore[misc]  # T is any attrs class
    values = list(read(instance))
    for name, value in changes.items():
        at = position.get(name)
        if at is None:
            raise TypeError(f"{cls.__name__}.__init__() got an unexpected keyword argument {name!r}")
        values[at] = value
    copy: T = cls(*values)
    return copy


Reader = Callable[[object], tuple[object, ...]]


def _init_fields(cls: type) -> tuple[dict[str, int] | None, Reader]:
    """The position of each `__init__` argument of the attrs class `cls` (None if one is keyword
    only) and a reader of their values, noted in `_FIELDS` (a class's fields never change)."""
    fields = [f for f in attrs.fields(cls) if f.init]
    position = None if any(f.kw_only for f in fields) else {f.alias: i for i, f in enumerate(fields)}
    read: Reader
    if len(fields) < 2:  # `attrgetter` of one name gives the value, not a 1-tuple
        read = lambda instance: tuple(getattr(instance, f.name) for f in fields)
    else:
        read = operator.attrgetter(*(f.name for f in fields))
    found = _FIELDS[cls] = position, read
    return found


_FIELDS: dict[type, tuple[dict[str, int] | None, Reader]] = {}  # by `_init_fields`


T = TypeVar("T")

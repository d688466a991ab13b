"""The outbox: public events mapped from entity events in the same transaction as them.

Envelope (Lana's documented contract): `{id, sequence, event_type, payload, recorded_at,
trace_id}` with `event_type = core.<module>.<kebab-name>` (`governance.<kebab-name>`; lanasim's own
extension events, which Lana does not publish, `lanasim.<module>.<kebab-name>`), a gap-free
`sequence`, deterministic ids. Payloads keep Lana's tags: `{"module": ..., "type": ..., ...}`, or for
a module whose public enum is untagged (price, report) `{"module": ..., "<Variant>": {...}}`.
Ephemeral (latest-value) events are kept per type as well as in the tail.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from domains.aggregate import Envelope, Public, kebab
from domains.validators import is_unicode
from engine.kernel.codec import dumps, loads
from engine.kernel.errors import InvalidArgument
from engine.kernel.ids import Ids
from engine.kernel.journal import Journal
from engine.kernel.schema import OUTBOX_INSERT

__all__ = ["Outbox", "Stamp", "event_type_of"]

SEQUENCE_MAX = 2**63 - 1  # no sequence is above it: an `after` beyond it reads nothing, as one at it does

MODULES = {
    "CoreAccess": "access", "Accounting": "accounting", "Credit": "credit",
    "CreditCollateral": "credit-collateral", "CreditCollection": "credit-collection",
    "Custody": "custody", "Customer": "customer", "Deposit": "deposit", "Governance": "governance",
    "Price": "price", "Report": "report", "Time": "time",
    "LanasimCredit": "lanasim.credit",
}


@functools.lru_cache(maxsize=1024)  # a few dozen (module, name) pairs, one per public event
def event_type_of(module: str, name: str) -> str:
    prefix = MODULES[module]
    if prefix == "governance" or prefix.startswith("lanasim."):
        return f"{prefix}.{kebab(name)}"
    return f"core.{prefix}.{kebab(name)}"


class Stamp(Protocol):
    """What envelopes are stamped with: the current sim time as ISO text (a `Clock` is one)."""

    @property
    def iso(self) -> str: ...


class Outbox:
    """Stages envelopes with the journal's group transaction; reads them back in order."""

    def __init__(self, journal: Journal, ids: Ids, clock: Stamp,
                 check_types: Callable[[Iterable[str] | str], list[str]] | None = None) -> None:
        """`check_types` validates event-type filters (the bank's catalog, given by the composition
        root); without it any type is accepted."""
        self.journal, self.ids, self.clock = journal, ids, clock
        self.check_types = check_types or (lambda types: [types] if isinstance(types, str) else list(types))
        row = journal.conn.execute("SELECT COALESCE(MAX(sequence), 0) FROM outbox").fetchone()
        self.sequence: int = row[0]
        self.watched: Mapping[str, object] = {}
        self.notify: Callable[[Envelope], None] | None = None
        self._rows: list[tuple[object, ...]] | None = None  # the journal's staged OUTBOX_INSERT rows

    def watch(self, event_types: Mapping[str, object], notify: Callable[[Envelope], None]) -> None:
        """Call `notify(envelope)` (payload still JSON text) for every staged event of these types."""
        self.watched, self.notify = event_types, notify

    def publish(self, mapper: Callable[[Any, Any], Iterable[Public]], state: object, events: Iterable[object],
                seq: int, trace_id: str, held: list[Envelope] | None = None) -> list[Envelope]:
        """Stage the public events of `events`; returns the envelopes watchers are to be told of
        (appended to `held` when given: a batch collects its commands'), which the caller hands to
        `announce` once the command's rows are sure to stay."""
        if held is None:
            held = []
        for event in events:
            for public in mapper(state, event):
                self.stage(public, seq, trace_id, held)
        return held

    def announce(self, held: list[Envelope]) -> None:
        for envelope in held:
            self.notify(envelope)  # type: ignore[misc]

    def stage(self, public: Public, seq: int, trace_id: str, held: list[Envelope] | None = None) -> None:
        event_type = event_type_of(public.module, public.name)
        if public.tagged:
            payload = dumps({"module": public.module, "type": public.name, **public.payload})
        else:  # Lana's plain serde enums (price, report): the variant name keys its fields
            payload = dumps({"module": public.module, public.name: public.payload})
        self.sequence = sequence = self.sequence + 1
        envelope_id, recorded_at = self.ids.numbered("outbox", sequence), self.clock.iso
        rows = self._rows
        if rows is None:  # the journal's list for the statement, fetched at first use (it keeps that place)
            rows = self._rows = self.journal.staged_rows(OUTBOX_INSERT)
        rows.append((sequence, envelope_id, event_type, payload, recorded_at, trace_id, seq))  # ints and text
        if event_type in self.watched and self.notify is not None:
            envelope = {"id": envelope_id, "sequence": sequence, "event_type": event_type, "payload": payload,
                        "recorded_at": recorded_at, "trace_id": trace_id}
            if held is None:
                self.notify(envelope)
            else:
                held.append(envelope)
        if public.ephemeral:
            self.journal.stage("INSERT OR REPLACE INTO ephemeral (event_type, payload, recorded_at, trace_id) "
                               "VALUES (?, ?, ?, ?)", (event_type, payload, recorded_at, trace_id))

    def tail(self, after: int = 0, types: Iterable[str] | str | None = None, where: dict[str, object] | None = None,
             limit: int | None = None) -> list[Envelope]:
        """Envelopes with sequence > after, oldest first; optionally only the given event types
        (unknown ones are an `UnknownEventType` error) and those whose payload matches `where`
        (dotted paths into the payload, e.g. `{"entity.status": "frozen"}`), at most `limit` of
        them (None: all). `after` is an int (a sequence, such as `outbox.sequence` read earlier),
        `limit` None or an int >= 0, `where` a dict: anything else is `InvalidArgument`."""
        if limit is not None:
            limit = _whole("limit", limit, "None or a whole number >= 0")
            if limit < 0:
                raise InvalidArgument(argument="limit", value=limit, problem="None or a whole number >= 0")
        if where is not None and not isinstance(where, dict):
            raise InvalidArgument(argument="where", value=where, problem='a dict of dotted payload paths to '
                                                                         'values, e.g. {"entity.status": "frozen"}')
        if types is not None and where:
            types = self.check_types(types)  # a list: read twice if the paths are checked
        matching = [e for e in self.stream(after, types) if not where or matches(e["payload"], where)]
        if where and not matching:
            self._check_paths(types, where)
        return matching if limit is None else matching[:limit]

    def _check_paths(self, types: Iterable[str] | str | None, where: dict[str, object]) -> None:
        """`InvalidArgument` for a `where` path that no published envelope of the types (at any
        sequence) has, naming the keys there are: a misspelt path (`entity.stauts`) matched nothing,
        and a scenario's check that nothing happened could not fail. Nothing published: no check."""
        unseen, last = dict.fromkeys(where), None
        for envelope in self.stream(0, types):
            last = envelope["payload"]
            unseen = {path: None for path in unseen if lookup(last, path) is MISSING}
            if not unseen:
                return
        if last is not None:
            path = next(iter(unseen))
            raise InvalidArgument(argument="where", value=path,
                                  problem=f"no published {_named(types)} has this path{keys_near(last, path)}")

    def stream(self, after: int = 0, types: Iterable[str] | str | None = None) -> Iterator[Envelope]:
        """`tail`'s envelopes one at a time, read as they are consumed: a long outbox (an imported
        book's, a big stress run's) is never held whole. Types are checked before the first one;
        an `after` that is no int (a bool, a str, None) is `InvalidArgument`."""
        after = _whole("after", after, "a whole number: the sequence to read after")
        self.journal.sync()
        sql = "SELECT sequence, id, event_type, payload, recorded_at, trace_id FROM outbox WHERE sequence > ?"
        params: list[object] = [max(min(after, SEQUENCE_MAX), -SEQUENCE_MAX)]  # SQLite's integers hold no more
        if types is not None:
            types = self.check_types(types)
            sql += f" AND event_type IN ({', '.join('?' * len(types))})"
            params += types
        sql += " ORDER BY sequence"
        return (envelope(*row) for row in self.journal.conn.execute(sql, params))

    def digest(self) -> str:
        """SHA-256 over the outbox rows in sequence order."""
        import hashlib

        self.journal.sync()
        h = hashlib.sha256()
        for row in self.journal.conn.execute("SELECT * FROM outbox ORDER BY sequence"):
            h.update("\x1f".join(map(str, row)).encode() + b"\n")
        return h.hexdigest()

    def latest(self, event_type: str) -> Envelope | None:
        """The current value of an ephemeral event type (None before the first); `event_type` is
        text (anything else, or text SQLite cannot encode, is `InvalidArgument`: it reached SQLite's
        bind, a bare `ProgrammingError` or `OverflowError`)."""
        if type(event_type) is not str or not is_unicode(event_type):
            raise InvalidArgument(argument="event_type", value=event_type, problem="an event type's name (text)")
        self.journal.sync()
        row = self.journal.conn.execute(
            "SELECT payload, recorded_at, trace_id FROM ephemeral WHERE event_type = ?", (event_type,)).fetchone()
        return None if row is None else {"event_type": event_type, "payload": loads(row[0]),
                                         "recorded_at": row[1], "trace_id": row[2]}


def _whole(argument: str, value: object, problem: str) -> int:
    """`value` as an int: an int or any integer type (numpy's, as a DataFrame column gives), never a
    bool or float; else `InvalidArgument` (a str compared with sequences deep inside otherwise)."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise InvalidArgument(argument=argument, value=value, problem=problem)
    return operator.index(value)  # type: ignore[arg-type,unused-ignore]


def envelope(sequence: int, id_: str, event_type: str, payload: str, recorded_at: str, trace_id: str) -> Envelope:
    return {"id": id_, "sequence": sequence, "event_type": event_type, "payload": loads(payload),
            "recorded_at": recorded_at, "trace_id": trace_id}


def lookup(payload: object, path: str) -> object:
    """`lookup(p, "entity.status")` -> p["entity"]["status"]; a missing key gives `MISSING`."""
    for key in path.split("."):
        if not isinstance(payload, dict) or key not in payload:
            return MISSING
        payload = payload[key]
    return payload


MISSING = object()


def keys_near(payload: object, path: str) -> str:
    """Where `path` stops matching `payload`: the keys it has at that level."""
    walked: list[str] = []
    for key in path.split("."):
        if not isinstance(payload, dict) or key not in payload:
            break
        walked.append(key)
        payload = payload[key]
    at = ".".join(walked) or "the payload"
    if not isinstance(payload, dict):
        return f" ({at} is {payload!r}, not an object)"
    return f" ({at} has {', '.join(map(str, payload))})"


def _named(types: Iterable[str] | str | None) -> str:
    return "event" if types is None else types if isinstance(types, str) else " or ".join(types)


def matches(payload: object, where: dict[str, object]) -> bool:
    return all(lookup(payload, path) == expected for path, expected in where.items())

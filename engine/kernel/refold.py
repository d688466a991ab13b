"""Recompute what is derived from the events and compare it with what the journal holds: one pass
over the events in seq order folds every entity (gap-free seq, contiguous entity sequences),
checks each snapshot against the state folded to it, hands each command's postings to the books
(`replay(seq, recorded_at, postings, named)`, `refer(seq, entity, tx_id)`, `finish() -> [BadRow]`),
checks each event posts the ledger transactions it names (`Aggregate.ledger_tx_ids`) and hands them
to the books, which check the ledger holds them and those it names another entity posts
(`Aggregate.ledger_tx_refs`), and compares every index row."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from domains.aggregate import Aggregate, Column
from engine.kernel.chain import BadRow
from engine.kernel.codec import dumps
from engine.kernel.index import IndexTable

if TYPE_CHECKING:
    from engine.kernel.codec import Codec
    from engine.kernel.entity import EntityKind
    from engine.kernel.journal import Journal

__all__ = ["refold"]

_EVENTS = "SELECT seq, entity, entity_seq, type, version, payload, recorded_at, context FROM events ORDER BY seq"


class _Fold:
    def __init__(self, conn: sqlite3.Connection, codec: Codec, specs: dict[str, Aggregate[Any, Any, Any]],
                 books: Sequence[Any]) -> None:
        self.conn, self.codec, self.specs, self.books = conn, codec, specs, books
        self.names = {e: (k, i) for e, k, i in conn.execute("SELECT entity, kind, id FROM entities")}
        self.snapshots = {(e, s): r for r, e, s in conn.execute("SELECT rowid, entity, entity_seq FROM snapshots")}
        self.states: dict[int, object] = {}
        self.heads: dict[int, int] = {}
        self.broken: set[int] = set()
        self.bad: list[BadRow] = []
        self.events = 0
        self.group: list[Any] | None = None  # [entity, context, last seq, recorded_at, postings, named] of a command

    def run(self) -> None:
        expected = 0
        for seq, entity, entity_seq, name, version, payload, recorded_at, context in self.conn.execute(_EVENTS):
            expected += 1
            self.events += 1
            if seq != expected:
                self.bad.append(BadRow("events", f"seq {expected}", f"missing (the next seq is {seq})"))
                expected = seq
            if entity in self.broken:
                continue
            self._event(seq, entity, entity_seq, name, version, payload, recorded_at, context)
        self.flush()

    def _event(self, seq: int, entity: int, entity_seq: int, name: str, version: int, payload: str,
               recorded_at: str, context: str) -> None:
        kind, entity_id = self.names.get(entity, (None, None))
        spec: Any = self.specs.get(kind)  # not None when `problem` is None below
        head = self.heads.get(entity, 0)
        problem = (f"entity {entity} is not in entities" if kind is None else
                   f"unknown kind {kind!r}" if spec is None else
                   f"{kind} {entity_id} entity_seq {entity_seq} follows {head}" if entity_seq != head + 1 else None)
        if problem is None:
            try:
                event = self.codec.decode(name, version, payload)
                state = spec.apply(self.states.get(entity), event)
            except Exception as exc:  # a tampered payload may fail anywhere in decode or apply
                problem = f"{kind} {entity_id} does not fold: {exc!r}"
        if problem is not None:
            self.bad.append(BadRow("events", f"seq {seq}", problem))
            self.broken.add(entity)
            return
        self.states[entity], self.heads[entity] = state, entity_seq
        if spec.post is not None and self.books:
            postings = spec.post(state, event)
            named = () if spec.ledger_tx_ids is None else spec.ledger_tx_ids(event)
            found = self._named(seq, f"{kind} {entity_id}", named, postings) if named else ()
            self._command(entity, context, seq, recorded_at, postings, found)
            refs = () if spec.ledger_tx_refs is None else spec.ledger_tx_refs(event)
            for tx_id in refs:
                for book in self.books:
                    book.refer(seq, f"{kind} {entity_id}", tx_id)
        row = self.snapshots.pop((entity, entity_seq), None)
        if row is not None:
            stored = self.conn.execute("SELECT state FROM snapshots WHERE rowid = ?", (row,)).fetchone()[0]
            if stored != dumps(state):
                self.bad.append(BadRow("snapshots", f"entity {entity} entity_seq {entity_seq}",
                                       f"{kind} {entity_id}: state differs from the events folded to it"))

    def _named(self, seq: int, entity: str, named: Iterable[str],
               postings: Iterable[object]) -> list[tuple[int, str, str]]:
        """An id the event records as a ledger transaction it posted, which it does not post, names
        nothing in the ledger; those it posts, as (seq, entity, tx id), for the books to find in the
        ledger (they check the ledger holds exactly what the events post)."""
        posted = {getattr(tx, "tx_id", None) for tx in postings}
        found = []
        for tx_id in named:
            if tx_id in posted:
                found.append((seq, entity, tx_id))
            else:
                self.bad.append(BadRow("events", f"seq {seq}", f"{entity} names ledger transaction {tx_id}, "
                                       "which it does not post"))
        return found

    def _command(self, entity: int, context: str, seq: int, recorded_at: str, postings: Iterable[object],
                 named: Iterable[tuple[int, str, str]]) -> None:
        """Collect a command's postings and the ids its events name (its events are consecutive and
        share their context)."""
        group = self.group
        if group is not None and group[0] == entity and group[1] == context:
            group[2] = seq
            group[4].extend(postings)
            group[5].extend(named)
            return
        self.flush()
        self.group = [entity, context, seq, recorded_at, list(postings), list(named)]

    def flush(self) -> None:
        """Hand the last command's postings and named ids to the books, tagged with its last event's seq."""
        group, self.group = self.group, None
        if group is not None and group[4]:
            for book in self.books:
                book.replay(group[2], group[3], group[4], group[5])

    def leftovers(self) -> None:
        for entity, entity_seq in sorted(self.snapshots):
            self.bad.append(BadRow("snapshots", f"entity {entity} entity_seq {entity_seq}", "no such event"))


def _columns(spec: Aggregate[Any, Any, Any]) -> tuple[Column, ...]:
    """The kind's index columns, as the engine keeps them (its alarm time included)."""
    alarm = spec.alarm
    if alarm is None:
        return spec.columns

    def alarm_at(state: object) -> str | None:
        found = alarm(state)
        return None if found is None else found[0].strftime("%Y-%m-%dT%H:%M:%SZ")

    return (*spec.columns, Column("alarm_at", alarm_at))


def _index_rows(conn: sqlite3.Connection, fold: _Fold, kind: str, spec: Aggregate[Any, Any, Any]) -> list[BadRow]:
    """The stored index rows of a kind against rows recomputed from its folded states."""
    columns = _columns(spec)
    table = f"index_{kind.replace('-', '_')}"
    found = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    states = {fold.names[e][1]: s for e, s in fold.states.items() if fold.names[e][0] == kind and e not in fold.broken}
    if found is None:
        return [BadRow(table, "-", "table missing")] if states else []
    names = ", ".join(c.name for c in columns)
    scratch = sqlite3.connect(":memory:")  # the same declaration: SQLite's type affinity applied alike
    scratch.execute(found[0])
    getters = [c.value for c in columns]
    scratch.executemany(f"INSERT INTO {table} (id, {names}) VALUES ({', '.join('?' * (len(columns) + 1))})",
                        [(i, *IndexTable.convert(tuple(g(s) for g in getters))) for i, s in states.items()])
    expected = dict((r[0], r[1:]) for r in scratch.execute(f"SELECT id, {names} FROM {table}"))
    scratch.close()
    bad = []
    for entity_id, *stored in conn.execute(f"SELECT id, {names} FROM {table} ORDER BY id"):
        want = expected.pop(entity_id, None)
        if want is None:
            bad.append(BadRow(table, f"id {entity_id}", "no entity of this id"))
        elif tuple(stored) != want:
            column, is_, was = next((c.name, a, b) for c, a, b in zip(columns, stored, want) if a != b)
            bad.append(BadRow(table, f"id {entity_id}", f"{column} is {is_!r}, the events give {was!r}"))
    bad += [BadRow(table, f"id {entity_id}", "missing") for entity_id in sorted(expected)]
    return bad


def refold(journal: Journal, kinds: Mapping[str, EntityKind],
           books: Sequence[Any] = ()) -> tuple[list[BadRow], dict[str, int]]:
    """(problems, counts) of the derived tables recomputed from the events."""
    specs = {kind: host.spec for kind, host in kinds.items()}
    fold = _Fold(journal.conn, journal.codec, specs, list(books))
    fold.run()
    fold.leftovers()
    bad = fold.bad
    for book in fold.books:
        bad += book.finish()
    for kind, spec in sorted(specs.items()):
        if spec.columns or spec.alarm is not None:
            bad += _index_rows(journal.conn, fold, kind, spec)
    return bad, {"events": fold.events, "entities folded": len(fold.states) - len(fold.broken & set(fold.states))}

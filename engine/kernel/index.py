"""Query index: one table per entity kind holding the declared columns, written with the events.

Rows of kinds with a UNIQUE column are written at once inside the open group transaction, so a
duplicate surfaces as `DuplicateValue` before the command's events are staged; other rows are
staged and written at group commit. Lookups: `find_by_<col>`, `maybe_find_by_<col>`,
`list_by_<col>` (keyset cursors, both directions, equality filters).
"""

from __future__ import annotations

import enum
import re
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from domains.aggregate import Column
from domains.validators import NOT_UNICODE, is_unicode
from engine.kernel.errors import DuplicateValue, InvalidArgument, MalformedCommand, NotFound
from engine.kernel.schema import table_names

if TYPE_CHECKING:
    from engine.kernel.journal import Journal

__all__ = ["Cursor", "IndexTable", "Page", "reader"]

Cursor = tuple[int, object, str]  # (column IS NULL, column value, id) of a row in keyset order

_UNIQUE = re.compile(r"UNIQUE constraint failed: \w+\.(\w+)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@attrs.frozen
class Page:
    """One page of ids in sort order with cursors to continue either way."""

    ids: list[str]
    has_next: bool
    has_previous: bool
    start_cursor: Cursor | None
    end_cursor: Cursor | None


_PLAIN: frozenset[type] = frozenset({str, int, float, type(None), bool})


def _sql_value(v: object) -> object:
    """A value as an index row stores it: an enum's value, a date's text, a decimal as a float."""
    f = _CONVERTERS.get(v.__class__, _UNSEEN)
    if f is _UNSEEN:
        f = _converter(v.__class__)
    return v if f is None else f(v)


def _enum_value(v: enum.Enum) -> object:
    return v._value_  # what `.value` returns, without the descriptor call


def _converter(cls: type) -> Callable[[Any], object] | None:
    """How `_sql_value` converts a value of class `cls` (None: as it is), found once per class."""
    found: Callable[[Any], object] | None = (
        _enum_value if issubclass(cls, enum.Enum) else str if issubclass(cls, date)
        else float if issubclass(cls, Decimal) else None)
    _CONVERTERS[cls] = found
    return found


_CONVERTERS: dict[type, Callable[[Any], object] | None] = dict.fromkeys(_PLAIN)
_UNSEEN = _enum_value  # a sentinel no class maps to before `_converter` has looked at it


def _query_value(v: object) -> object:
    """A lookup value as SQLite binds it; anything else (a list, an int beyond 64 bits) is refused."""
    value = _sql_value(v)
    if type(value) not in _PLAIN or (type(value) is int and not -2**63 <= value < 2**63):
        raise InvalidArgument(argument="value", value=v, problem="not a text, number or null to look up")
    if type(value) is str and not is_unicode(value):  # SQLite's bind raised a bare UnicodeEncodeError
        raise InvalidArgument(argument="value", value=v, problem=NOT_UNICODE)
    return value


def reader(getters: list[Callable[[object], object]]) -> Callable[[object], tuple[object, ...]]:
    if len(getters) == 1:
        (a,) = getters
        return lambda state: (a(state),)
    if len(getters) == 2:
        a, b = getters
        return lambda state: (a(state), b(state))
    if len(getters) == 3:
        a, b, c = getters
        return lambda state: (a(state), b(state), c(state))
    return lambda state: tuple([f(state) for f in getters])


class IndexTable:
    """The index table of one kind."""

    def __init__(self, journal: Journal, kind: str, columns: tuple[Column, ...]) -> None:
        self.journal, self.kind, self.columns = journal, kind, columns
        for name in (kind.replace("-", "_"), *(c.name for c in columns), *(c.sql_type for c in columns)):
            if not _IDENTIFIER.fullmatch(name):  # declared by code, and still never formatted unchecked
                raise MalformedCommand(kind=kind, problem=f"{name!r} is not a plain SQL identifier")
        self.table = f"index_{kind.replace('-', '_')}"
        self.names = [c.name for c in columns]
        self.getters = [c.value for c in columns]
        self.unique = any(c.unique for c in columns)
        cols = ", ".join(f"{c.name} {c.sql_type}" for c in columns)
        sets = ", ".join(f"{n} = excluded.{n}" for n in self.names)
        self.upsert = (f"INSERT INTO {self.table} (id, {', '.join(self.names)}) VALUES "
                       f"({', '.join('?' * (len(columns) + 1))}) ON CONFLICT(id) DO UPDATE SET {sets}")
        with journal.lock:
            self.created = self.table not in table_names(journal.conn)
            journal.conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (id TEXT PRIMARY KEY, {cols})")
            lookups = dict(self.lookups())
            for c in columns:
                name = f"{self.table}_{c.name}"
                journal.conn.execute(lookups.get(name) or f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {self.table} "
                                     f"({c.name})")
        self.raw: Callable[[object], tuple[object, ...]] = reader(self.getters)
        """The column values as the state holds them (compared before any conversion): every command
        of an indexed kind reads them, so one, two or three columns are read without a loop."""

    def lookups(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the lookup index of each column that is not UNIQUE: a writer
        that reads none of them may defer them (`Journal.defer_index`); a UNIQUE one is a check."""
        return [(f"{self.table}_{c.name}", f"CREATE INDEX IF NOT EXISTS {self.table}_{c.name} ON {self.table} "
                 f"({c.name}, id)") for c in self.columns if not c.unique]

    def row(self, state: object) -> tuple[object, ...]:
        return self.convert(self.raw(state))

    @staticmethod
    def convert(raw: tuple[object, ...]) -> tuple[object, ...]:
        """The row as SQLite stores it: `_sql_value` of each value, inlined (every command of an
        indexed kind converts its row)."""
        out, get = [], _CONVERTERS.get
        for v in raw:
            f = get(v.__class__, _UNSEEN)
            if f is _UNSEEN:
                f = _converter(v.__class__)
            out.append(v if f is None else f(v))
        return tuple(out)

    def write(self, entity_id: str, row: tuple[object, ...]) -> None:
        if not self.unique:
            self.journal.stage(self.upsert, (entity_id, *row))
            return
        try:
            self.journal.execute_now(self.upsert, (entity_id, *row))
        except sqlite3.IntegrityError as exc:
            m = _UNIQUE.search(str(exc))
            column = m.group(1) if m else "?"
            value = row[self.names.index(column)] if column in self.names else None
            raise DuplicateValue(kind=self.kind, column=column, value=value) from None

    # -- queries ---------------------------------------------------------------------------
    def maybe_find_by(self, column: str, value: object) -> str | None:
        self._check(column)
        self.journal.sync(self.table)
        row = self.journal.conn.execute(
            f"SELECT id FROM {self.table} WHERE {column} = ? ORDER BY id LIMIT 1", (_query_value(value),)).fetchone()
        return row[0] if row else None

    def find_by(self, column: str, value: object) -> str:
        found = self.maybe_find_by(column, value)
        if found is None:
            raise NotFound(kind=self.kind, column=column, value=value)
        return found

    def list_by(self, column: str = "id", *, first: int = 100, after: Cursor | None = None,
                before: Cursor | None = None, descending: bool = False,
                where: dict[str, object] | None = None) -> Page:
        """Keyset page ordered by (column IS NULL, column, id): NULLs last ascending, first descending."""
        if column != "id":
            self._check(column)
        self.journal.sync(self.table)
        back = before is not None
        cursor = before if back else after
        asc = descending == back  # walking backwards flips the scan direction
        op, order = (">", "ASC") if asc else ("<", "DESC")
        clauses, params = [], []
        for col, val in (where or {}).items():
            self._check(col)
            clauses.append(f"{col} IS ?")
            params.append(_query_value(val))
        key = f"({column} IS NULL)"  # 0 for every row when listing by id
        if cursor is not None:
            n, v, i = cursor
            clauses.append(f"({key} {op} ? OR ({key} = ? AND ({column} {op} ? OR ({column} IS ? AND id {op} ?))))")
            params += [n, n, v, v, i]
        sql = (f"SELECT id, {key}, {column} FROM {self.table}"
               + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
               + f" ORDER BY {key} {order}, {column} {order}, id {order} LIMIT ?")
        rows = self.journal.conn.execute(sql, (*params, first + 1)).fetchall()
        more = len(rows) > first
        rows = rows[:first][::-1] if back else rows[:first]
        cursors = [(int(k), v, i) for i, k, v in rows]
        return Page([r[0] for r in rows], more if not back else cursor is not None,
                    more if back else cursor is not None,
                    cursors[0] if cursors else None, cursors[-1] if cursors else None)

    def ids_where(self, column: str, values: Iterable[object]) -> list[str]:
        """Ids whose `column` is one of `values`, in id order."""
        self._check(column)
        self.journal.sync(self.table)
        values = [_query_value(v) for v in values]
        return [r[0] for r in self.journal.conn.execute(
            f"SELECT id FROM {self.table} WHERE {column} IN ({', '.join('?' * len(values))}) ORDER BY id", values)]

    def ids_crossed(self, below: str, above: str, value: float) -> list[str]:
        """Ids whose `below` column is above `value` or whose `above` column is below it (each
        side walks its own index: O(log n + k)), in id order."""
        self._check(below)
        self._check(above)
        self.journal.sync(self.table)
        execute = self.journal.conn.execute  # two range scans; one UNION query would scan the table
        found = {r[0] for r in execute(f"SELECT id FROM {self.table} WHERE {below} > ?", (value,))}
        found.update(r[0] for r in execute(f"SELECT id FROM {self.table} WHERE {above} < ?", (value,)))
        return sorted(found)

    def scan(self, column: str) -> list[tuple[str, object]]:
        """Every (id, value) whose `column` is set, in (value, id) order."""
        self._check(column)
        self.journal.sync(self.table)
        rows: list[tuple[str, object]] = self.journal.conn.execute(
            f"SELECT id, {column} FROM {self.table} WHERE {column} IS NOT NULL ORDER BY {column}, id").fetchall()
        return rows

    def count(self, where: dict[str, object] | None = None) -> int:
        """Rows matching equality filters; every key must be a declared column (`NotFound` otherwise),
        so no caller's string reaches SQL as an identifier."""
        for column in where or {}:
            self._check(column)
        self.journal.sync(self.table)
        clauses = [f"{c} IS ?" for c in (where or {})]
        sql = f"SELECT COUNT(*) FROM {self.table}" + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
        n: int = self.journal.conn.execute(sql, [_query_value(v) for v in (where or {}).values()]).fetchone()[0]
        return n

    def __getattr__(self, name: str) -> Callable[..., Any]:
        for prefix in ("maybe_find_by_", "find_by_", "list_by_"):
            if name.startswith(prefix):
                column = name[len(prefix):]
                method = getattr(self, prefix[:-1])
                return lambda *a, **kw: method(column, *a, **kw)
        raise AttributeError(name)

    def _check(self, column: object) -> None:
        """The whitelist: only declared column names are ever formatted into SQL."""
        if column not in self.names:
            raise NotFound(kind=self.kind, column="<column>", value=column)

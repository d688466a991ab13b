"""Authorization and audit: a user's permissions are checked before `decide`, and every command,
a system principal's included, leaves an audit row in the group transaction of its events (a
refused one journals nothing but its audit record).

A subject is either a user id (a plain `str` naming a user that exists, checked against its
role's permission sets, Lana's `(object, action)` pairs) or a `System` principal (jobs, policies,
alarms, feeds such as `interest-accrual`), which acts unchecked as Lana's system actors do. Only
code builds a `System`: a plain string is never one, so `subject="system"` from a caller is an
unknown user and is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NoReturn

from domains.validators import is_unicode
from engine.kernel.clock import Clock
from engine.kernel.errors import Refused
from engine.kernel.journal import Journal
from engine.kernel.row_check import UnstorableValue
from engine.kernel.schema import AUDIT_TABLE

if TYPE_CHECKING:
    from engine.kernel.entity import EntityKind

__all__ = ["SYSTEM", "SYSTEM_ACTORS", "Authorizer", "System", "Unauthorized", "as_system"]

SYSTEM_ACTORS = frozenset({
    "system", "bank-operator", "end-of-day-producer", "price-feed", "sumsub", "interest-accrual",
    "collateralization-sync", "credit-facility-activation", "disbursal-approval", "obligation-sync",
    "withdrawal-approval", "customer-sync", "deposit-sync", "liquidation-desk", "custodian-sync",
})

_ANY = ("*", "*")  # the permission of a kind that names none

AUDIT_INSERT = ("INSERT INTO audit (recorded_at, subject, object, action, authorized, command) "
                "VALUES (?, ?, ?, ?, ?, ?)")


class System(str):
    """A system principal: its name is what the journal and the audit record as the subject."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"System({str.__repr__(self)})"


SYSTEM = System("system")  # the default principal of the operator API (the bank acting as itself)


def as_system(name: str) -> System:
    """The system principal of a job, policy or alarm named by code."""
    return name if type(name) is System else System(name)


class Unauthorized(Refused):
    """The subject may not issue this command (fields: subject, object, action, reason)."""


class Authorizer:
    """`is_user(subject)` and `permissions_of(user)` answer for users; the audit goes to `journal`."""

    def __init__(self, journal: Journal, clock: Clock, *, is_user: Callable[[str], bool],
                 permissions_of: Callable[[str], frozenset[tuple[str, str]]],
                 extra_system_actors: Iterable[str] = ()) -> None:
        self.journal, self.clock, self.is_user, self.permissions_of = journal, clock, is_user, permissions_of
        self.system = set(SYSTEM_ACTORS) | set(extra_system_actors)
        journal.conn.execute(AUDIT_TABLE)  # journals older than the table (a new one has it from its schema)
        self.rows = journal.staged_rows(AUDIT_INSERT)  # a system principal's rows are appended here directly
        self._last: dict[tuple[object, ...], tuple[object, ...]] = {}  # the last row of each principal and command
        self._checked: set[tuple[str, str]] = set()  # permission pairs known to be storable

    def allow(self, system_actor: str) -> None:
        """Record a named system actor (a consumer's subject); the name alone grants nothing: its
        commands act as `System(name)`."""
        self.system.add(system_actor)

    def check(self, host: EntityKind, command: object, subject: object) -> None:
        """Refuse a subject that is neither a `System` principal nor an existing user whose role
        grants the command's permission; stage the audit row either way."""
        if subject.__class__ is System:  # the hot path: every job's and reaction's command
            row = self.system_row(host, command, subject)
            with self.journal.lock:  # threaded callers: never between a sync's write and its clear
                self.rows.append(row)
            return
        permissions = host.spec.permissions
        required = permissions(command) if permissions is not None else _ANY
        if required.__class__ is not tuple or required not in self._checked:
            self._check_pair(required)
        if not isinstance(subject, str) or type(subject) is not str or not subject or not self.is_user(subject):
            self._refuse(subject, required, command, "unknown subject: neither a user nor a system principal")
        if required not in self.permissions_of(subject):
            self._refuse(subject, required, command, "permission not granted by the user's role")
        self._audit((self.clock.iso, subject, *required, 1, type(command).__name__))

    def system_row(self, host: EntityKind, command: object, subject: System) -> tuple[object, ...]:
        """The audit row of a system principal's command, which the caller stages (appends to
        `rows`, with `journal.lock` held on the threaded runtime): `check`'s path for a `System`."""
        permissions = host.spec.permissions
        required = permissions(command) if permissions is not None else _ANY
        if required.__class__ is not tuple:
            self._check_pair(required)
        iso, key = self.clock.iso, (subject, required, command.__class__)
        row = self._last.get(key)  # a pair with a row kept was checked when it was made
        if row is None or row[0] != iso:  # else the same row again: a job's commands share an instant
            if required not in self._checked:
                self._check_pair(required)
            row = self._last[key] = (iso, str.__str__(subject), *required, 1, command.__class__.__name__)
        return row

    def _check_pair(self, required: object) -> None:
        """A permission is an (object, action) pair of strings (what the audit table stores)."""
        if type(required) is not tuple or len(required) != 2 or not all(type(v) is str for v in required):
            raise UnstorableValue(statement="INSERT INTO audit", value=required,
                                  problem="a permission is an (object, action) pair of strings")
        self._checked.add(required)

    def _audit(self, row: tuple[object, ...]) -> None:
        with self.journal.lock:  # threaded callers: never between a sync's write and its clear
            self.journal.stage(AUDIT_INSERT, row)

    def _refuse(self, subject: object, required: tuple[str, str], command: object, reason: str) -> NoReturn:
        # what the audit row stores: text SQLite can encode (a lone surrogate failed the next commit)
        shown = subject if isinstance(subject, str) and is_unicode(subject) else ascii(subject)
        self._audit((self.clock.iso, shown, *required, 0, type(command).__name__))
        raise Unauthorized(subject=subject, object=required[0], action=required[1], reason=reason)

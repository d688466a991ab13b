"""Authorization and audit: a user's permissions are checked before `decide`; every decision on a
user's command is audited, and a refused one journals nothing but its audit record.

Subjects are user ids (checked against their role's permission sets, Lana's `(object, action)`
pairs) or named system actors (jobs and policies such as `interest-accrual`), which act unchecked
as Lana's system actors do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from engine.kernel.clock import Clock
from engine.kernel.errors import EngineError
from engine.kernel.journal import Journal

__all__ = ["SYSTEM_ACTORS", "Authorizer", "Unauthorized"]

SYSTEM_ACTORS = frozenset({
    "system", "bank-operator", "end-of-day-producer", "price-feed", "sumsub", "interest-accrual",
    "collateralization-sync", "credit-facility-activation", "disbursal-approval", "obligation-sync",
    "withdrawal-approval", "customer-sync", "deposit-sync", "liquidation-desk", "custodian-sync",
})

AUDIT_INSERT = ("INSERT INTO audit (recorded_at, subject, object, action, authorized, command) "
                "VALUES (?, ?, ?, ?, ?, ?)")


class Unauthorized(EngineError):
    """The subject may not issue this command (fields: subject, object, action, reason)."""


class Authorizer:
    """`is_user(subject)` and `permissions_of(user)` answer for users; the audit goes to `journal`."""

    def __init__(self, journal: Journal, clock: Clock, *, is_user: Callable[[str], bool],
                 permissions_of: Callable[[str], frozenset[tuple[str, str]]],
                 extra_system_actors: Iterable[str] = ()) -> None:
        self.journal, self.clock, self.is_user, self.permissions_of = journal, clock, is_user, permissions_of
        self.system = set(SYSTEM_ACTORS) | set(extra_system_actors)
        journal.conn.execute(
            "CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, recorded_at TEXT, subject TEXT, object TEXT,"
            " action TEXT, authorized INTEGER, command TEXT)")

    def allow(self, system_actor: str) -> None:
        """Register a named system actor (a consumer's subject)."""
        self.system.add(system_actor)

    def check(self, host, command: object, subject: str) -> None:
        if subject in self.system:
            return
        required = host.spec.permissions(command) if host.spec.permissions is not None else ("*", "*")
        if not self.is_user(subject):
            self._refuse(subject, required, command, "unknown subject: neither a user nor a system actor")
        if required not in self.permissions_of(subject):
            self._refuse(subject, required, command, "permission not granted by the user's role")
        self.journal.stage(AUDIT_INSERT, (self.clock.iso, subject, *required, 1, type(command).__name__))

    def _refuse(self, subject: str, required: tuple[str, str], command: object, reason: str) -> None:
        self.journal.stage(AUDIT_INSERT, (self.clock.iso, subject, *required, 0, type(command).__name__))
        raise Unauthorized(subject=subject, object=required[0], action=required[1], reason=reason)

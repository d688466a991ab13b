"""Read-only views of a journal file for the CLI: outbox lines, an entity's state, the trial balance
of a period, verification.

The bank's aggregates (every domain) are imported when a view first needs them (`kinds`: an
entity, verification), so `lanasim outbox` reads its rows without them."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from engine.bank.catalog import check_event_types
from engine.kernel.codec import Codec
from engine.kernel.errors import UnknownEntity, UnknownKind
from engine.kernel.ids import Ids
from engine.kernel.journal import Journal
from engine.kernel.outbox import Outbox

if TYPE_CHECKING:
    from collections.abc import Callable

    from domains.accounting.period_balances import PeriodTrialBalance
    from engine.kernel.entity import EntityKind

__all__ = ["JournalView", "open_readonly"]


def __getattr__(name: str) -> Any:
    """`VIEWS` (a facility's read models, `engine.bank.credit_views`), imported on first use."""
    if name == "VIEWS":
        from engine.bank.credit_views import VIEWS

        return VIEWS
    raise AttributeError(f"module 'engine.inspect' has no attribute {name!r}")


class _FixedClock:
    iso = ""


class JournalView:
    """A journal opened read-only with every module's aggregates registered."""

    def __init__(self, path: str) -> None:
        self.journal = Journal(path, Codec(), readonly=True)
        # read only: nothing is staged, so no outbox id is ever drawn from these ids
        self.outbox_reader = Outbox(self.journal, Ids(0), _FixedClock(), check_event_types)

    @cached_property
    def kinds(self) -> dict[str, EntityKind]:
        """Every module's aggregates over the journal, each registering its types in the codec."""
        from engine.bank import modules

        read_kind = _read_kind()
        return {spec.kind: read_kind(spec, self.journal) for spec in modules.aggregates()}

    def outbox(self, after: int = 0, types: list[str] | None = None) -> list[dict]:
        return self.outbox_reader.tail(after=after, types=types)

    def entity(self, kind: str, entity_id: str, as_of: str | None = None) -> object:
        from engine.bank.credit_views import VIEWS
        from engine.kernel.instant import parse_instant

        until = parse_instant(as_of).strftime("%Y-%m-%dT%H:%M:%SZ") if as_of else None
        if kind in VIEWS:  # a facility's read model (repayment-plan, history), folded from the outbox
            return VIEWS[kind](self.outbox_reader, entity_id, parse_instant(until or _last(self.journal)), until)
        host = self.kinds.get(kind)
        if host is None:
            raise UnknownKind(kind=kind)
        state, _ = host.load(entity_id, until=until)
        if state is None:
            raise UnknownEntity(kind=kind, id=entity_id)
        return state

    def trial_balance(self, from_: object = None, until: object = None) -> PeriodTrialBalance:
        """The journal's trial balance from `from_` to `until` (days, both included, by effective
        date; see `Ledger.trial_balance_range`). `until` defaults to the journal's last day, `from_`
        to the first of its month (the `trial-balance` report's period)."""
        from domains.accounting.period_balances import as_day, check_period, period_trial_balance
        from engine.bank.fiscal_reads import effective_period

        last = as_day("until", until) if until is not None else self.last_day()
        first, last = check_period(from_ if from_ is not None else last.replace(day=1), last)
        return period_trial_balance(first, last, *effective_period(self.journal, first, last))

    def last_day(self) -> date:
        """The day of the journal's last outbox envelope: the default `until` of `trial_balance`, and
        the last day a period can hold data for."""
        return date.fromisoformat(_last(self.journal)[:10])

    def verify(self, expect_head: str | None = None) -> dict:
        """Integrity, hash chain and derived tables (index rows, snapshots, ledger lines) of the file,
        which stays byte for byte as it was; see `engine.kernel.verify.verify_journal`."""
        from engine.bank.ledger_check import LedgerReplay
        from engine.kernel.verify import verify_journal

        return verify_journal(self.journal, self.kinds, expect_head=expect_head,
                              books=[LedgerReplay(self.journal.conn)])


def _last(journal: Journal) -> str:
    """The instant of the journal's last outbox envelope (the journal's 'now')."""
    row = journal.conn.execute("SELECT MAX(recorded_at) FROM outbox").fetchone()
    return row[0] or "1970-01-01T00:00:00Z"


@cache
def _read_kind() -> Callable[[Any, Journal], EntityKind]:
    """The class of an EntityKind that only loads (no index table is created on a read-only
    journal), made on first use: the entity module imports the actor runtime."""
    from engine.kernel.entity import EntityKind, register_types

    class _ReadKind(EntityKind):
        def __init__(self, spec, journal) -> None:
            self.spec, self.journal, self.folded = spec, journal, {}
            register_types(spec, journal.codec)

    return _ReadKind


@contextmanager
def open_readonly(path: str):
    view = JournalView(path)
    try:
        yield view
    finally:
        view.journal.close()

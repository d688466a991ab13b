"""`verify`'s ledger book: the ledger rows recomputed from the events' postings, command by command,
against the rows the journal holds (read through the `ledger_entries` view, one row per entry;
a bad entry is named by its transaction's row: view id // 1000), and every ledger transaction an
event names found in the ledger: one it posts among its command's rows, one another entity posts
(`refer`) by one read of the transactions' ids once the events are replayed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from engine.kernel.chain import BadRow

__all__ = ["LedgerReplay"]

_ROWS = ("SELECT id, tx_id, template, account, currency, layer, side, amount, effective, recorded_at, seq "
         "FROM ledger_entries ORDER BY id")
_TABLE = "ledger_transactions"
_LIMIT = 5  # bad rows named of each table (the ledger's, the events'): many bad ledger rows crowd out no event
_NOT_HELD = "{} names ledger transaction {}, which the ledger does not hold"


def _value(member: object) -> object:
    return getattr(member, "value", member)


class LedgerReplay:
    """Feed it each command's postings in seq order (`replay`) and the transactions events name that
    other entities post (`refer`); `finish` names the first bad rows."""

    def __init__(self, conn) -> None:
        self.conn = conn
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ledger_entries'").fetchone()
        self.rows = iter(conn.execute(_ROWS)) if found else iter(())
        self.pending: tuple | None = next(self.rows, None)
        self.bad: list[BadRow] = []
        self.named = Counter[str]()  # bad rows named, by table
        self.replayed = 0
        self.refs: dict[str, list[tuple[int, str]]] = {}  # tx id -> (seq, entity) of the events naming it

    def refer(self, seq: int, entity: str, tx_id: str) -> None:
        """The event at `seq` of `entity` names ledger transaction `tx_id`, which another entity posts."""
        self.refs.setdefault(tx_id, []).append((seq, entity))

    def replay(self, seq: int, recorded_at: str, postings: Iterable,
               named: Iterable[tuple[int, str, str]] = ()) -> None:
        """The command whose last event is at `seq` posts `postings`; `named` are (seq, entity, tx
        id) of the transactions among them its events name."""
        want = sorted((tx.tx_id, tx.template, e.account, _value(e.currency), _value(e.layer), _value(e.side),
                       e.amount, tx.effective.isoformat(), recorded_at, seq)
                      for tx in postings for e in tx.entries)
        self.replayed += len(want)
        while self.pending is not None and self.pending[10] < seq:
            self._bad(self.pending, "no event posts it")
            self.pending = next(self.rows, None)
        stored = []
        while self.pending is not None and self.pending[10] == seq:
            stored.append(self.pending)
            self.pending = next(self.rows, None)
        if sorted(r[1:] for r in stored) == want:
            return
        held = {row[1] for row in stored}
        for at, entity, tx_id in named:
            if tx_id not in held:
                self._bad_event(at, _NOT_HELD.format(entity, tx_id))
        left = Counter(want)
        odd = [row for row in stored if not _take(left, row[1:])]
        missing = sorted(left.elements())
        if odd:
            self._bad(odd[0], f"the events post {_describe(missing[0])}" if missing else "no event posts it")
        else:
            self._bad(None, f"missing: the events post {_describe(missing[0])}", seq)

    def finish(self) -> list[BadRow]:
        while self.pending is not None and self.named[_TABLE] < _LIMIT:
            self._bad(self.pending, "no event posts it")
            self.pending = next(self.rows, None)
        self._referred()
        return self.bad

    def _referred(self) -> None:
        """The named transactions other entities post that the ledger lacks, in the order of the
        events naming them (one read of the ids, only when some are named)."""
        refs = self.refs
        found = refs and self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (_TABLE,)).fetchone()
        if found:
            for (tx_id,) in self.conn.execute(f"SELECT tx_id FROM {_TABLE}"):
                refs.pop(tx_id, None)
        missing = sorted((seq, entity, tx_id) for tx_id, named in refs.items() for seq, entity in named)
        for seq, entity, tx_id in missing:
            self._bad_event(seq, _NOT_HELD.format(entity, tx_id))

    def _bad_event(self, seq: int, problem: str) -> None:
        if self.named["events"] < _LIMIT:
            self.named["events"] += 1
            self.bad.append(BadRow("events", f"seq {seq}", problem))

    def _bad(self, row: tuple | None, problem: str, seq: int | None = None) -> None:
        if self.named[_TABLE] >= _LIMIT:
            return
        self.named[_TABLE] += 1
        if row is None:
            self.bad.append(BadRow(_TABLE, f"seq {seq}", problem))
        else:
            self.bad.append(BadRow(_TABLE, f"id {row[0] // 1000}", f"{_describe(row[1:])}: {problem}"))


def _take(left: Counter, row: tuple) -> bool:
    if left[row] > 0:
        left[row] -= 1
        return True
    return False


def _describe(row: tuple) -> str:
    tx_id, template, account, currency, layer, side, amount, _effective, _recorded_at, seq = row
    return f"{side} {amount} {currency}/{layer} {account} (tx {tx_id}, {template}, seq {seq})"

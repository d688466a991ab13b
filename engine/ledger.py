"""The ledger book: every posted entry a row of `ledger_entries`, written in the journal's group
transaction with the events that caused it; debit/credit totals per (account, currency, layer) kept
in memory (rebuilt from the table on open) for balances now, SQL over the rows for balances then.

`EntityKind.handle` calls `check` before anything of a command is written (a velocity limit
refuses the whole command) and `apply` while holding `journal.lock`, staging the rows. The
rules themselves are pure (`domains.accounting`); this module only keeps and stores the totals.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Sequence

import domains.accounting as accounting
from domains.accounting import (
    BalanceKey, Currency, Layer, LedgerTransaction, Side, TrialBalanceLine, UnknownAccount, apply_entries,
    normal_balance, normal_side,
)
from engine.clock import parse_instant

__all__ = ["ENTRIES_INSERT", "Ledger"]

ENTRIES_INSERT = (
    "INSERT INTO ledger_entries (tx_id, template, account, currency, layer, side, amount, effective, recorded_at, seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ledger_entries (id INTEGER PRIMARY KEY, tx_id TEXT NOT NULL, "
    "template TEXT NOT NULL, account TEXT NOT NULL, currency TEXT NOT NULL, layer TEXT NOT NULL, "
    "side TEXT NOT NULL CHECK (side IN ('debit', 'credit')), amount INTEGER NOT NULL CHECK (amount > 0), "
    "effective TEXT NOT NULL, recorded_at TEXT NOT NULL, seq INTEGER NOT NULL)",
)
_TOTALS = (
    "SELECT account, currency, layer, SUM(CASE side WHEN 'debit' THEN amount ELSE 0 END), "
    "SUM(CASE side WHEN 'credit' THEN amount ELSE 0 END) FROM ledger_entries WHERE recorded_at <= ?{account} "
    "GROUP BY account, currency, layer"
)
_BALANCE_INDEX = "CREATE INDEX IF NOT EXISTS ledger_entries_balance ON ledger_entries (account, currency, layer, recorded_at)"
_ONE_ACCOUNT = " AND account = ? AND currency = ? AND layer = ?"
_END_OF_TIME = "9999"


class Ledger:
    """The double-entry book of one simulation: check, apply, and read balances and trial balances."""

    def __init__(self, journal, clock) -> None:
        self.journal, self.clock = journal, clock
        with journal.lock:
            for statement in _SCHEMA:
                journal.conn.execute(statement)
            journal.defer_index("ledger_entries_balance", _BALANCE_INDEX)  # random account keys: kept off while hot
            self._totals: dict[BalanceKey, tuple[int, int]] = self._read_totals(_END_OF_TIME)

    # -- posting (called by EntityKind.handle under journal.lock) ------------------------
    def check(self, txs: Sequence[LedgerTransaction]) -> None:
        """Raise the typed refusal the first failing transaction earns (amounts, balance, velocity
        limits), each seeing the balances the earlier ones of `txs` would leave. Changes nothing."""
        if len(txs) == 1:  # the common case: no earlier transaction to see through
            accounting.check(self._balance_of, txs[0])
            return
        staged: dict[BalanceKey, tuple[int, int]] = {}
        book = ChainMap(staged, self._totals)

        def balance_of(account: str, currency: Currency, layer: Layer) -> int:
            debits, credits = book.get((account, currency, layer), (0, 0))
            return normal_balance(debits, credits, normal_side(account))

        for tx in txs:
            accounting.check(balance_of, tx)
            staged.update(apply_entries(book, tx.entries))

    def _balance_of(self, account: str, currency: Currency, layer: Layer) -> int:
        debits, credits = self._totals.get((account, currency, layer), _ZERO)
        return normal_balance(debits, credits, normal_side(account))

    def apply(self, txs: Iterable[LedgerTransaction], seq: int) -> None:
        """Post checked transactions: update the totals and stage one row per entry (`seq` = the
        journal seq of the command's last event, `recorded_at` = now)."""
        totals, recorded_at, rows = self._totals, self.clock.iso, []
        for tx in txs:
            effective = tx.effective.isoformat()
            for e in tx.entries:
                key = (e.account, _CURRENCIES[e.currency], _LAYERS[e.layer])
                debits, credits = totals.get(key, _ZERO)
                amount = e.amount
                totals[key] = (debits + amount, credits) if e.side == _DEBIT else (debits, credits + amount)
                rows.append((tx.tx_id, tx.template, e.account, _TEXT[e.currency], _TEXT[e.layer], _TEXT[e.side],
                             amount, effective, recorded_at, seq))
        self.journal.stage_many(ENTRIES_INSERT, rows)

    # -- reading -------------------------------------------------------------------------
    def balance(self, account: str, currency: str = "USD", layer: str = "settled", *, as_of=None) -> int:
        """The account's normal-side balance in one currency and layer, now or as of a sim time
        (a datetime, date = its 00:00 UTC, or ISO string: entries recorded at or before it)."""
        side = normal_side(account)  # an unknown account is refused, not read as zero
        if as_of is None:
            debits, credits = self._totals.get(_key(account, currency, layer), _ZERO)
        else:
            debits, credits = self.debits_credits(account, currency, layer, as_of=as_of)
        return credits - debits if side is Side.CREDIT else debits - credits

    def balances(self, accounts: Sequence[str], currency: str = "USD", layer: str = "settled") -> list[int]:
        """`balance` of each account now, in one call (the credit module reads 3-8 per facility)."""
        totals, cur, lay = self._totals, _CURRENCIES[currency], _LAYERS[layer]
        out = []
        for account in accounts:
            debits, credits = totals.get((account, cur, lay), _ZERO)
            out.append(credits - debits if normal_side(account) is _CREDIT else debits - credits)
        return out

    def debits_credits(self, account: str, currency: str = "USD", layer: str = "settled", *,
                       as_of=None) -> tuple[int, int]:
        """Total debits and total credits posted to the account (§17.4 reads some of these)."""
        key = _key(account, currency, layer)
        normal_side(account)  # an unknown account is refused, not read as zero
        if as_of is None:
            with self.journal.lock:
                return self._totals.get(key, (0, 0))
        return self._read_totals(_instant(as_of), key).get(key, (0, 0))

    def totals(self, as_of=None) -> dict[BalanceKey, tuple[int, int]]:
        """(debits, credits) per (account, currency, layer), now or as of a sim time."""
        if as_of is not None:
            return self._read_totals(_instant(as_of))
        with self.journal.lock:
            return dict(self._totals)

    def trial_balance(self, as_of=None) -> tuple[TrialBalanceLine, ...]:
        """Every account's debits, credits and normal-side balance, per currency and layer."""
        return accounting.trial_balance(self.totals(as_of))

    def is_balanced(self, as_of=None) -> bool:
        """For every currency and layer, total debits equal total credits."""
        return accounting.is_balanced(self.totals(as_of))

    def _read_totals(self, until: str, key: BalanceKey | None = None) -> dict[BalanceKey, tuple[int, int]]:
        """Totals from the stored rows recorded at or before `until` (after a group commit)."""
        journal = self.journal
        with journal.lock:
            if key is not None:  # one account: the index finds its rows; every account: a scan either way
                journal.ensure_index("ledger_entries_balance")
            journal.sync()
            params = (until,) if key is None else (until, key[0], key[1].value, key[2].value)
            rows = journal.conn.execute(_TOTALS.format(account="" if key is None else _ONE_ACCOUNT), params)
            return {(a, Currency(c), Layer(lay)): (d, cr) for a, c, lay, d, cr in rows.fetchall()}


def _key(account: str, currency: str, layer: str) -> BalanceKey:
    try:
        return account, _CURRENCIES[currency], _LAYERS[layer]
    except KeyError:
        raise UnknownAccount(account=account, currency=currency, layer=layer) from None


_ZERO = (0, 0)
_CREDIT, _DEBIT = Side.CREDIT, Side.DEBIT
_CURRENCIES: dict[object, Currency] = {**{c: c for c in Currency}, **{c.value: c for c in Currency}}
_LAYERS: dict[object, Layer] = {**{lay: lay for lay in Layer}, **{lay.value: lay for lay in Layer}}
# a member or its value -> the value as stored (`member.value` is a descriptor call per read)
_TEXT = {key: member.value for enum_ in (Currency, Layer, Side) for member in enum_ for key in (member, member.value)}


def _instant(as_of) -> str:
    return parse_instant(as_of).strftime("%Y-%m-%dT%H:%M:%SZ")

"""The ledger book: every posted entry a row of `ledger_lines`, written in the journal's group
transaction with the events that caused it; debit/credit totals per (account, currency, layer) kept
in memory (rebuilt from the rows on open) for balances now, SQL over the rows for balances then.

Account ids and template names are interned (`ledger_accounts`, `ledger_templates`): a daily
accrual's row holds 119 bytes of values instead of 207, and ledger rows are most of what a
portfolio year writes. The view `ledger_entries` shows every entry with its names, as one table would; SQL
readers (verify, exports, users) read it. A journal from before interning (format 1 with a
`ledger_entries` table) is refused with `UnsupportedJournalFormat`.

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
from engine.kernel.clock import parse_instant
from engine.kernel.errors import UnsupportedJournalFormat
from engine.kernel.schema import FORMAT

__all__ = ["Ledger"]

_COLUMNS = "(tx_id, template, account, currency, layer, side, amount, effective, recorded_at, seq)"
_LINES_INSERT = f"INSERT INTO ledger_lines {_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_ROW_CHECKS = ("currency TEXT NOT NULL, layer TEXT NOT NULL, side TEXT NOT NULL CHECK (side IN ('debit', 'credit')), "
               "amount INTEGER NOT NULL CHECK (amount > 0), effective TEXT NOT NULL, recorded_at TEXT NOT NULL, "
               "seq INTEGER NOT NULL")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ledger_accounts (id INTEGER PRIMARY KEY, account TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS ledger_templates (id INTEGER PRIMARY KEY, template TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS ledger_lines (id INTEGER PRIMARY KEY, tx_id TEXT NOT NULL, "
    f"template INTEGER NOT NULL, account INTEGER NOT NULL, {_ROW_CHECKS})",
    "CREATE VIEW IF NOT EXISTS ledger_entries AS SELECT l.id AS id, l.tx_id AS tx_id, t.template AS template, "
    "a.account AS account, l.currency AS currency, l.layer AS layer, l.side AS side, l.amount AS amount, "
    "l.effective AS effective, l.recorded_at AS recorded_at, l.seq AS seq FROM ledger_lines l "
    "JOIN ledger_accounts a ON a.id = l.account JOIN ledger_templates t ON t.id = l.template",
)
_TOTALS = (
    "SELECT account, currency, layer, SUM(CASE side WHEN 'debit' THEN amount ELSE 0 END), "
    "SUM(CASE side WHEN 'credit' THEN amount ELSE 0 END) FROM {table} WHERE recorded_at <= ?{account} "
    "GROUP BY account, currency, layer"
)
_LINES_INDEX = "CREATE INDEX IF NOT EXISTS ledger_lines_balance ON ledger_lines (account, currency, layer, recorded_at)"
_ONE_ACCOUNT = " AND account = ? AND currency = ? AND layer = ?"
_END_OF_TIME = "9999"


class Ledger:
    """The double-entry book of one simulation: check, apply, and read balances and trial balances."""

    def __init__(self, journal, clock) -> None:
        self.journal, self.clock = journal, clock
        self.exporter = None  # set by the composition root: writes `export_csv` files
        with journal.lock:
            found = journal.conn.execute("SELECT type FROM sqlite_master WHERE name = 'ledger_entries'").fetchone()
            if found is not None and found[0] == "table":  # written before interning: no longer read
                raise UnsupportedJournalFormat(path=journal.path, format=journal.meta().get("format"),
                                               supported=(FORMAT,), problem="ledger_entries table layout")
            for statement in _SCHEMA:
                journal.conn.execute(statement)
            self._insert, self._index = _LINES_INSERT, "ledger_lines_balance"
            journal.defer_index(self._index, _LINES_INDEX)  # random keys: kept off while hot
            self._accounts: dict[str, int] = dict(journal.conn.execute("SELECT account, id FROM ledger_accounts"))
            self._account_names = sorted(self._accounts, key=self._accounts.__getitem__)  # id - 1 -> account
            self._templates: dict[str, int] = dict(journal.conn.execute("SELECT template, id FROM ledger_templates"))
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
        accounts, templates = self._accounts, self._templates
        for tx in txs:
            effective = tx.effective.isoformat()
            template = templates.get(tx.template) or self._intern_template(tx.template)
            for e in tx.entries:
                key = (e.account, _CURRENCIES[e.currency], _LAYERS[e.layer])
                debits, credits = totals.get(key, _ZERO)
                amount = e.amount
                totals[key] = (debits + amount, credits) if e.side == _DEBIT else (debits, credits + amount)
                account = accounts.get(e.account) or self._intern_account(e.account)
                rows.append((tx.tx_id, template, account, _TEXT[e.currency], _TEXT[e.layer], _TEXT[e.side],
                             amount, effective, recorded_at, seq))
        self.journal.stage_many(self._insert, rows)

    def _intern_account(self, account: str) -> int:
        number = self._accounts[account] = len(self._accounts) + 1
        self._account_names.append(account)
        self.journal.stage("INSERT INTO ledger_accounts (id, account) VALUES (?, ?)", (number, account))
        return number

    def _intern_template(self, template: str) -> int:
        number = self._templates[template] = len(self._templates) + 1
        self.journal.stage("INSERT INTO ledger_templates (id, template) VALUES (?, ?)", (number, template))
        return number

    # -- reading -------------------------------------------------------------------------
    def balance(self, account: str, currency: str = "USD", layer: str = "settled", *, as_of=None) -> int:
        """The account's normal-side balance in one currency and layer, now or as of a sim time
        (a datetime, date = its 00:00 UTC, or ISO string: entries recorded at or before it)."""
        side = normal_side(account)  # an unknown account is refused, not read as zero
        if as_of is None:
            debits, credits = self._totals.get(_key(account, currency, layer), _ZERO)
        else:
            debits, credits = self.debits_credits(account, currency, layer, as_of=as_of)
        return normal_balance(debits, credits, side)

    def balances(self, accounts: Sequence[str], currency: str = "USD", layer: str = "settled") -> list[int]:
        """`balance` of each account now, in one call (the credit module reads 3-8 per facility)."""
        totals, cur, lay = self._totals, _CURRENCIES[currency], _LAYERS[layer]
        out = []
        for account in accounts:
            debits, credits = totals.get((account, cur, lay), _ZERO)
            out.append(normal_balance(debits, credits, normal_side(account)))
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

    def entries(self, account: str) -> list[tuple]:
        """The account's entries, oldest first: tx_id, template, currency, layer, side, amount,
        effective, recorded_at (an unknown account is refused)."""
        self.balance(account)
        self.journal.sync()
        return self.journal.conn.execute(
            "SELECT tx_id, template, currency, layer, side, amount, effective, recorded_at FROM ledger_entries "
            "WHERE account = ? ORDER BY id", (account,)).fetchall()

    def export_csv(self, account: str, *, out_dir: str | None = None, subject: str = "system") -> str:
        """Write the account's entries to CSV and record the export; returns the export id."""
        return self.exporter.export_csv(account, out_dir=out_dir, subject=subject)

    def is_balanced(self, as_of=None) -> bool:
        """For every currency and layer, total debits equal total credits."""
        return accounting.is_balanced(self.totals(as_of))

    def _read_totals(self, until: str, key: BalanceKey | None = None) -> dict[BalanceKey, tuple[int, int]]:
        """Totals from the stored rows recorded at or before `until` (after a group commit)."""
        journal = self.journal
        with journal.lock:
            if key is not None:  # one account: the index finds its rows; every account: a scan either way
                journal.ensure_index(self._index)
            journal.sync()
            account: object = None if key is None else key[0]
            if key is not None:
                account = self._accounts.get(key[0])
                if account is None:
                    return {}  # nothing was ever posted to it
            params = (until,) if key is None else (until, account, key[1].value, key[2].value)
            sql = _TOTALS.format(table="ledger_lines",
                                 account="" if key is None else _ONE_ACCOUNT)
            rows = journal.conn.execute(sql, params).fetchall()
            names = self._account_names
            return {(names[a - 1], Currency(c), Layer(lay)): (d, cr)
                    for a, c, lay, d, cr in rows}


def _key(account: str, currency: str, layer: str) -> BalanceKey:
    try:
        return account, _CURRENCIES[currency], _LAYERS[layer]
    except KeyError:
        raise UnknownAccount(account=account, currency=currency, layer=layer) from None


_ZERO = (0, 0)
_DEBIT = Side.DEBIT
_CURRENCIES: dict[object, Currency] = {**{c: c for c in Currency}, **{c.value: c for c in Currency}}
_LAYERS: dict[object, Layer] = {**{lay: lay for lay in Layer}, **{lay.value: lay for lay in Layer}}
# a member or its value -> the value as stored (`member.value` is a descriptor call per read)
_TEXT = {key: member.value for enum_ in (Currency, Layer, Side) for member in enum_ for key in (member, member.value)}


def _instant(as_of) -> str:
    return parse_instant(as_of).strftime("%Y-%m-%dT%H:%M:%SZ")

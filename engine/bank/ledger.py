"""The ledger book: every posted transaction one row of `ledger_transactions` (its entries a JSON
array of `[account id, currency, layer, side, amount]`), written in the journal's group
transaction with the events that caused it; debit/credit totals per (account, currency, layer)
kept in memory (rebuilt from the rows on open) for balances now, the rows for balances then.

One row per transaction, not per entry: a daily accrual is one ledger row next to its event, and
ledger rows are most of what a portfolio year writes. Account ids and template names are
interned (`ledger_accounts`, `ledger_templates`). The view `ledger_entries` shows every entry
with its names, one row per entry, as a table would; SQL readers (verify, exports, users) read
it. A journal whose ledger is in an older layout (a `ledger_entries` table or `ledger_lines`,
one row per entry) is refused with `UnsupportedJournalFormat`.

`EntityKind.handle` calls `check` before anything of a command is written (a velocity limit
refuses the whole command) and `apply` while holding `journal.lock`, staging the rows. The
rules themselves are pure (`domains.accounting`); this module only keeps and stores the totals.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import orjson

import domains.accounting as accounting
from domains.accounting import (
    CONTROLS,
    BalanceKey,
    Currency,
    Entry,
    Layer,
    LedgerTotalOutOfRange,
    LedgerTransaction,
    Side,
    TrialBalanceLine,
    UnknownAccount,
    apply_entries,
    find_category,
    normal_balance,
    normal_side,
)
from domains.accounting.fiscal_close import check_period_open
from domains.accounting.period_balances import PeriodTrialBalance, check_period, period_trial_balance
from engine.bank.fiscal_reads import effective_period
from engine.kernel.authz import SYSTEM
from engine.kernel.clock import Clock, parse_instant
from engine.kernel.errors import InvalidArgument, UnsupportedJournalFormat
from engine.kernel.journal import Journal
from engine.kernel.row_check import check_row
from engine.kernel.schema import FORMAT

__all__ = ["MAX_TOTAL", "Exporter", "Ledger"]

Instant = str | date | datetime  # a sim time as `parse_instant` reads it


class Exporter(Protocol):
    """Writes an account's CSV export (the bank's ledger service, given by the composition root)."""

    def export_csv(self, account: str, *, out_dir: str | None = None, subject: str = "system") -> str: ...

    def close(self) -> None: ...

_INSERT = ("INSERT INTO ledger_transactions (tx_id, template, effective, recorded_at, seq, entries) "
           "VALUES (?, ?, ?, ?, ?, ?)")
_ACCOUNT_INSERT = "INSERT INTO ledger_accounts (id, account) VALUES (?, ?)"
_LEG = "json_extract(e.value, '$[{}]')"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ledger_accounts (id INTEGER PRIMARY KEY, account TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ledger_templates (id INTEGER PRIMARY KEY, template TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS ledger_transactions (id INTEGER PRIMARY KEY, tx_id TEXT NOT NULL, "
    "template INTEGER NOT NULL, effective TEXT NOT NULL, recorded_at TEXT NOT NULL, seq INTEGER NOT NULL, "
    "entries TEXT NOT NULL CHECK (json_valid(entries)))",
    "CREATE VIEW IF NOT EXISTS ledger_entries AS SELECT t.id * 1000 + e.key AS id, t.tx_id AS tx_id, "
    f"p.template AS template, a.account AS account, {_LEG.format(1)} AS currency, {_LEG.format(2)} AS layer, "
    f"{_LEG.format(3)} AS side, {_LEG.format(4)} AS amount, t.effective AS effective, "
    "t.recorded_at AS recorded_at, t.seq AS seq FROM ledger_transactions t, json_each(t.entries) e "
    f"JOIN ledger_accounts a ON a.id = {_LEG.format(0)} JOIN ledger_templates p ON p.id = t.template",
)
# an account's name is unique (interned once): a named index, which a bulk writer may build after its
# rows (`Ledger.lookups`); a file from before holds it as a column constraint (`UNIQUE`) instead
_ACCOUNT_INDEX = ("ledger_accounts_account",
                  "CREATE UNIQUE INDEX IF NOT EXISTS ledger_accounts_account ON ledger_accounts (account)")
_OLD_LAYOUTS = ("ledger_entries", "ledger_lines")  # a table by these names: one row per entry
_END_OF_TIME = "9999"


class Ledger:
    """The double-entry book of one simulation: check, apply, and read balances and trial balances."""

    def __init__(self, journal: Journal, clock: Clock) -> None:
        self.journal, self.clock = journal, clock
        self.exporter: Exporter | None = None  # set by the composition root: writes `export_csv` files
        self.fiscal: Any = None  # set by the composition root: closes months and years (`close_month`)
        self.closed_as_of: date | None = None  # the last closed day: a posting dated on or before it is refused
        with journal.lock:
            old = journal.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
                                       _OLD_LAYOUTS).fetchone()
            if old is not None:  # one row per entry: no longer read
                raise UnsupportedJournalFormat(path=journal.path, format=journal.meta().get("format"),
                                               supported=(FORMAT,), problem=f"{old[0]} table layout")
            for statement in _SCHEMA:
                journal.conn.execute(statement)
            inline = journal.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_autoindex_ledger_accounts_1'").fetchone()
            self._lookups = [] if inline else [_ACCOUNT_INDEX]
            if not inline and not journal.readonly:
                journal.conn.execute(_ACCOUNT_INDEX[1])
            self._past: dict[str, dict[BalanceKey, tuple[int, int]]] = {}  # as-of totals, until the next post
            self._accounts: dict[str, int] = dict(journal.conn.execute("SELECT account, id FROM ledger_accounts"))
            self._account_names = sorted(self._accounts, key=self._accounts.__getitem__)  # id - 1 -> account
            # each account's side and quietness as the chart gives them, noted at its first check or
            # read (`_learn`, `_note`), not for every stored account at opening: a fork's branch of
            # 10,000 facilities spent about a quarter of its reopening noting 76,000 accounts
            self._sides: dict[str, Side] = {}  # of accounts posted or read
            self._quiet: set[str] = set()  # in the chart, under no velocity limit
            self._templates: dict[str, int] = dict(journal.conn.execute("SELECT template, id FROM ledger_templates"))
            self._totals: dict[BalanceKey, tuple[int, int]] = self._read_totals(_END_OF_TIME)

    def lookups(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the index on account names, which only guards what the ledger
        keeps unique itself (it interns each name once): a writer may defer it (`Journal.defer_index`)."""
        return list(self._lookups)

    # -- posting (called by EntityKind.handle under journal.lock) ------------------------
    def check(self, txs: Sequence[LedgerTransaction]) -> None:
        """Raise the typed refusal the first failing transaction earns (amounts, balance, velocity
        limits, a closed period), each seeing the balances the earlier ones of `txs` would leave. Changes nothing."""
        if self.closed_as_of is not None:
            check_period_open(txs, self.closed_as_of)
        self._learn(txs)
        if len(txs) == 1:  # the common case: no earlier transaction to see through
            accounting.check(self._balance_of, txs[0], CONTROLS, self._quiet, self._sides)
            return
        staged: dict[BalanceKey, tuple[int, int]] = {}
        book, sides, quiet = ChainMap(staged, self._totals), self._sides, self._quiet

        def balance_of(account: str, currency: Currency, layer: Layer) -> int:
            debits, credits = book.get((account, currency, layer), (0, 0))
            return normal_balance(debits, credits, sides.get(account) or normal_side(account))

        last = len(txs) - 1
        for i, tx in enumerate(txs):
            accounting.check(balance_of, tx, CONTROLS, quiet, sides)
            if i < last:  # the balances the next one sees
                staged.update(apply_entries(book, tx.entries))

    def _learn(self, txs: Sequence[LedgerTransaction]) -> None:
        """Note the side (and, outside every velocity control, quietness) of each account of `txs` that
        is new and in the chart, from one chart lookup: a command's transactions name its new accounts
        several times, and `check` and `_intern_account` then read them here. An account outside the
        chart is left for `check` to refuse; what is noted is the chart's, true whether or not `txs` post."""
        sides, quiet = self._sides, self._quiet
        for tx in txs:
            for entry in tx.entries:
                account = entry.account
                if account not in quiet and account not in sides:  # `check` reads `quiet` first: asked once
                    category = find_category(account)
                    if category is not None:
                        sides[account] = category.side
                        if _unwatched(account):
                            quiet.add(account)

    def _balance_of(self, account: str, currency: Currency, layer: Layer) -> int:
        debits, credits = self._totals.get((account, currency, layer), _ZERO)
        return normal_balance(debits, credits, self._sides.get(account) or normal_side(account))

    def apply(self, txs: Iterable[LedgerTransaction], seq: int) -> None:
        """Post checked transactions: update the totals and stage one row per transaction (`seq` =
        the journal seq of the command's last event, `recorded_at` = now)."""
        totals, recorded_at = self._totals, self.clock.iso
        rows = self.journal.staged_rows(_INSERT)  # str/int columns only, amounts bounded below: SQLite stores them
        accounts, templates = self._accounts, self._templates
        for tx in txs:
            template = templates.get(tx.template) or self._intern_template(tx.template)
            legs = []
            for e in tx.entries:
                currency, layer = _CURRENCIES[e.currency], _LAYERS[e.layer]
                key = (e.account, currency, layer)
                debits, credits = totals.get(key, _ZERO)
                amount = e.amount
                totals[key] = (debits + amount, credits) if e.side == _DEBIT else (debits, credits + amount)
                if debits + credits + amount > MAX_TOTAL:  # rare: the exact test is in `_refuse_total`
                    _refuse_total(key, totals[key], e)
                account = accounts.get(e.account) or self._intern_account(e.account)
                legs.append((account, currency, layer, _SIDES[e.side], amount))  # orjson writes a member's value
            row = (tx.tx_id, template, tx.effective.isoformat(), recorded_at, seq, orjson.dumps(legs).decode())
            if type(tx.tx_id) is not str:  # the domains derive str ids; anything else is checked as `stage` would
                check_row(_INSERT, row)
            rows.append(row)
        if self._past:
            self._past = {}

    def reload(self) -> None:
        """Re-read the totals and interned names from the rows (a failed command's rows were dropped)."""
        with self.journal.lock:
            self.journal.sync()
            self._accounts = dict(self.journal.conn.execute("SELECT account, id FROM ledger_accounts"))
            self._account_names = sorted(self._accounts, key=self._accounts.__getitem__)
            self._sides, self._quiet = {}, set()  # noted again as they are used, as at opening
            self._templates = dict(self.journal.conn.execute("SELECT template, id FROM ledger_templates"))
            self._past = {}
            self._totals = self._read_totals(_END_OF_TIME)

    def _intern_account(self, account: str) -> int:
        number = self._accounts[account] = len(self._accounts) + 1
        self._account_names.append(account)
        if account not in self._sides:  # else noted when `check` saw it, or a balance was read
            self._note(account)
        # an int id and the account's name (a str: the chart refused anything else), as SQLite stores them
        self.journal.staged_rows(_ACCOUNT_INSERT).append((number, account))
        return number

    def _note(self, account: str) -> Side:
        """Note the account's side and, outside every velocity control, its quietness (an account
        outside the chart is refused): every account in `_sides` is in `_quiet` if it is quiet."""
        side = self._sides[account] = normal_side(account)
        if _unwatched(account):
            self._quiet.add(account)
        return side

    def _intern_template(self, template: str) -> int:
        number = self._templates[template] = len(self._templates) + 1
        self.journal.stage("INSERT INTO ledger_templates (id, template) VALUES (?, ?)", (number, template))
        return number

    # -- reading -------------------------------------------------------------------------
    def balance(self, account: str, currency: str = "USD", layer: str = "settled", *,
                as_of: Instant | None = None) -> int:
        """The account's normal-side balance in one currency and layer, now or as of a sim time
        (a datetime, date = its 00:00 UTC, or ISO string: entries recorded at or before it; an
        instant after now reads the balance now, as `Simulation.load` does)."""
        self.journal.require_open()
        side = normal_side(account)  # an unknown account is refused, not read as zero
        if as_of is None:
            debits, credits = self._totals.get(_key(account, currency, layer), _ZERO)
        else:
            debits, credits = self.debits_credits(account, currency, layer, as_of=as_of)
        return normal_balance(debits, credits, side)

    def balances(self, accounts: Sequence[str], currency: str = "USD", layer: str = "settled") -> list[int]:
        """`balance` of each account now, in one call (the credit module reads 3-8 per facility, the
        day end 3 per accruing cycle). Each account's side is read from the chart once (an unknown
        account is refused) and kept with the book's accounts. A currency or layer the book has not
        (`"usd"`) is refused as `balance` refuses it (it was a bare `KeyError`); so is one account
        name given alone (a str would be read as its characters)."""
        self.journal.require_open()
        if type(accounts) is not tuple and type(accounts) is not list and (  # the readers' own: not asked of the ABC
                isinstance(accounts, str) or not isinstance(accounts, Iterable)):  # None, 5: a bare TypeError
            raise InvalidArgument(argument="accounts", value=accounts, problem="a sequence of account names")
        try:  # a str or a member (every caller's) is looked up as it is
            cur, lay = _CURRENCIES.get(currency), _LAYERS.get(layer)
        except TypeError:  # a list given as a currency: no dict can look it up, refused below
            cur, lay = _CURRENCIES.get(_hashable(currency)), _LAYERS.get(_hashable(layer))
        if cur is None or lay is None:
            raise UnknownAccount(account=next(iter(accounts), ""), currency=currency, layer=layer)
        totals, sides = self._totals, self._sides
        out = []
        try:
            for account in accounts:
                debits, credits = totals.get((account, cur, lay), _ZERO)
                side = sides.get(account)
                if side is None:
                    side = self._note(account)
                out.append(debits - credits if side is _DEBIT else credits - debits)
        except TypeError:  # a list among the names (unhashable): no account of the chart
            raise UnknownAccount(account=account) from None
        return out

    def debits_credits(self, account: str, currency: str = "USD", layer: str = "settled", *,
                       as_of: Instant | None = None) -> tuple[int, int]:
        """Total debits and total credits posted to the account (Lana: core/credit/src/ledger/balance.rs reads some of
        these)."""
        self.journal.require_open()
        key = _key(account, currency, layer)
        normal_side(account)  # an unknown account is refused, not read as zero
        if as_of is None:
            with self.journal.lock:
                return self._totals.get(key, (0, 0))
        return self._read_totals(_instant(as_of)).get(key, (0, 0))

    def totals(self, as_of: Instant | None = None) -> dict[BalanceKey, tuple[int, int]]:
        """(debits, credits) per (account, currency, layer), now or as of a sim time."""
        self.journal.require_open()
        if as_of is not None:
            return dict(self._read_totals(_instant(as_of)))
        with self.journal.lock:
            return dict(self._totals)

    def trial_balance(self, as_of: Instant | None = None) -> tuple[TrialBalanceLine, ...]:
        """Every account's debits, credits and normal-side balance, per currency and layer, over the
        entries recorded by `as_of` (what the book held then; the `trial-balance` report reads by
        effective date instead, as Lana's does)."""
        return accounting.trial_balance(self.totals(as_of))

    def trial_balance_range(self, from_: date | str, until: date | str) -> PeriodTrialBalance:
        """Lana's trial balance: per account its opening balance at the start of `from_`, the debits
        and credits of entries effective from `from_` to `until` (both days included; an entry
        counts for its effective day, not the day it was recorded) and its closing balance at the
        end of `until`, with totals per currency and layer. Days are dates or `YYYY-MM-DD`; a bad
        day, or `until` before `from_`, is `InvalidPeriod`."""
        first, last = check_period(from_, until)
        return period_trial_balance(first, last, *effective_period(self.journal, first, last))

    def entries(self, account: str) -> list[tuple[object, ...]]:
        """The account's entries, oldest first: tx_id, template, currency, layer, side, amount,
        effective, recorded_at (an unknown account is refused)."""
        self.balance(account)
        self.journal.sync()
        rows: list[tuple[object, ...]] = self.journal.conn.execute(
            "SELECT tx_id, template, currency, layer, side, amount, effective, recorded_at FROM ledger_entries "
            "WHERE account = ? ORDER BY id", (account,)).fetchall()
        return rows

    def close_month(self, *, subject: str = SYSTEM) -> date | None:
        """Close the earliest open month that has ended (see `engine.bank.fiscal.FiscalService`)."""
        closed: date | None = self.fiscal.close_month(subject=subject)
        return closed

    def close_year(self, *, subject: str = SYSTEM) -> date:
        """Close the fiscal year whose December is closed: revenue and expenses into retained earnings."""
        closed: date = self.fiscal.close_year(subject=subject)
        return closed

    def export_csv(self, account: str, *, out_dir: str | None = None, subject: str = SYSTEM) -> str:
        """Write the account's entries to CSV and record the export; returns the export id."""
        assert self.exporter is not None, "the composition root sets the exporter"
        return self.exporter.export_csv(account, out_dir=out_dir, subject=subject)

    def is_balanced(self, as_of: Instant | None = None) -> bool:
        """For every currency and layer, total debits equal total credits."""
        return accounting.is_balanced(self.totals(as_of))

    def _read_totals(self, until: str) -> dict[BalanceKey, tuple[int, int]]:
        """Totals from the stored rows recorded at or before `until` (one pass over the rows, kept
        for further reads of the same instant until the next posting)."""
        journal = self.journal
        with journal.lock:
            found = self._past.get(until)
            if found is not None:
                return found
            journal.sync()
            names = self._account_names
            totals: dict[BalanceKey, tuple[int, int]] = {}
            rows = journal.conn.execute("SELECT entries FROM ledger_transactions WHERE recorded_at <= ?", (until,))
            for (entries,) in rows:
                for account, currency, layer, side, amount in orjson.loads(entries):
                    k = (names[account - 1], _CURRENCIES[currency], _LAYERS[layer])
                    debits, credits = totals.get(k, _ZERO)
                    totals[k] = (debits + amount, credits) if side == "debit" else (debits, credits + amount)
            if until != _END_OF_TIME:
                self._past[until] = totals
            return totals


def _unwatched(account: str) -> bool:
    """In a category no velocity control watches (the account is known to be in the chart)."""
    return account.partition(":")[0] not in CONTROLS.categories


def _key(account: str, currency: str, layer: str) -> BalanceKey:
    try:
        return account, _CURRENCIES[currency], _LAYERS[layer]
    except (KeyError, TypeError):  # TypeError: a list or dict, unhashable
        raise UnknownAccount(account=account, currency=currency, layer=layer) from None


def _hashable(value: object) -> object:
    """`value`, or None for one no dict can look up (a list given as a currency: a bare TypeError)."""
    return value if getattr(value, "__hash__", None) is not None else None


_ZERO = (0, 0)
_DEBIT = Side.DEBIT
_CURRENCIES: dict[object, Currency] = {**{c: c for c in Currency}, **{c.value: c for c in Currency}}
_LAYERS: dict[object, Layer] = {**{lay: lay for lay in Layer}, **{lay.value: lay for lay in Layer}}
_SIDES: dict[object, Side] = {**{s: s for s in Side}, **{s.value: s for s in Side}}


def _instant(as_of: Instant) -> str:
    return parse_instant(as_of).strftime("%Y-%m-%dT%H:%M:%SZ")


MAX_TOTAL = 2**63 - 1  # the largest running debit or credit total of one account: SQLite's INTEGER


def _refuse_total(key: BalanceKey, after: tuple[int, int], entry: Entry) -> None:
    """Raise `LedgerTotalOutOfRange` when the total `entry` moved is past `MAX_TOTAL` (the caller
    undoes the command and reloads the totals, so nothing of it stays)."""
    moved = after[0] if entry.side == _DEBIT else after[1]
    if moved > MAX_TOTAL:
        raise LedgerTotalOutOfRange(account=entry.account, currency=str(entry.currency), layer=str(entry.layer),
                                    total=moved - entry.amount, amount=entry.amount)

"""The ledger through the engine: postings ride on entity events, velocity limits refuse whole
commands before anything is written, balances now and as of earlier sim times, reopening."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import assert_never

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domains.accounting import (
    DEPOSIT_OMNIBUS,
    Currency,
    Layer,
    OverdraftPrevented,
    UnbalancedTransaction,
    UnknownAccount,
    initiate_withdrawal,
    record_deposit,
)
from domains.aggregate import Aggregate, EventType
from engine import Executed, Simulation, UnsupportedJournalFormat
from engine.kernel.row_check import UnstorableValue
from tests.support import ACCOUNT


# -- a tiny till: pays in and out of a deposit ledger account (not the bank's deposit module) --
@attrs.frozen
class Opened:
    """A till was opened over a deposit ledger account."""

    account_id: str


@attrs.frozen
class PaidIn:
    """Money was paid in (RECORD_DEPOSIT)."""

    tx_id: str
    amount: int
    on: date


@attrs.frozen
class PaidOut:
    """Money was paid out (INITIATE_WITHDRAW): the ledger's overdraft prevention is the only check."""

    tx_id: str
    amount: int
    on: date


@attrs.frozen
class Open:
    account_id: str


@attrs.frozen
class PayIn:
    tx_id: str
    amount: int


@attrs.frozen
class PayOut:
    tx_id: str
    amount: int


@attrs.frozen
class Till:
    account_id: str
    movements: int = 0


def apply(state: Till | None, event: Opened | PaidIn | PaidOut) -> Till:
    match event:
        case Opened():
            return Till(event.account_id)
        case PaidIn() | PaidOut():
            assert state is not None
            return attrs.evolve(state, movements=state.movements + 1)
        case _:
            assert_never(event)


def decide(state: Till | None, command: object, at: datetime) -> tuple:
    match command:
        case Open():
            return () if state is not None else (Opened(command.account_id),)
        case PayIn():
            return (PaidIn(command.tx_id, command.amount, at.date()),)
        case PayOut():
            return (PaidOut(command.tx_id, command.amount, at.date()),)
    raise AssertionError(command)


def post(state: Till, event: object) -> tuple:
    match event:
        case PaidIn():
            return (record_deposit(event.tx_id, state.account_id, event.amount, event.on),)
        case PaidOut():
            return (initiate_withdrawal(event.tx_id, state.account_id, event.amount, event.on),)
    return ()


TILL = Aggregate(
    kind="till",
    events=(EventType(Opened, "till.opened"), EventType(PaidIn, "till.paid-in"), EventType(PaidOut, "till.paid-out")),
    apply=apply, decide=decide, commands=(Open, PayIn, PayOut), creates=(Open,), post=post, state=Till,
)
SETTLED, PENDING = Layer.SETTLED, Layer.PENDING


@pytest.fixture(params=["file", "memory"])
def sim(request, tmp_path):
    path = str(tmp_path / "journal.sqlite") if request.param == "file" else ":memory:"
    with Simulation(seed=3, journal=path, aggregates=[TILL, ACCOUNT]) as simulation:
        simulation.execute("till", "a1", Open("a1"))
        yield simulation


def entry_rows(sim) -> int:
    sim.journal.flush()
    return sim.journal.conn.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0]


def test_paying_in_credits_the_deposit_account_and_debits_the_omnibus(sim):
    sim.execute("till", "a1", PayIn("t1", 10_000))
    assert sim.ledger.balance("deposit:a1") == 10_000
    assert sim.ledger.balance(DEPOSIT_OMNIBUS) == 10_000
    assert sim.ledger.debits_credits("deposit:a1") == (0, 10_000)
    assert sim.ledger.balance("deposit:a1", "USD", "pending") == 0


def test_a_withdrawal_leaves_the_settled_layer_at_once_and_parks_the_amount_in_pending(sim):
    sim.execute("till", "a1", PayIn("t1", 10_000))
    done = sim.execute("till", "a1", PayOut("t2", 2_500))
    assert sim.ledger.balance("deposit:a1") == 7_500
    assert sim.ledger.balance("deposit:a1", Currency.USD, PENDING) == 2_500
    assert sim.ledger.balance(DEPOSIT_OMNIBUS, layer="pending") == 2_500  # debit-normal
    sim.journal.flush()
    seqs = sim.journal.conn.execute("SELECT DISTINCT seq, template FROM ledger_entries WHERE tx_id = 't2'").fetchall()
    assert seqs == [(done.seq, "INITIATE_WITHDRAW")]


def test_an_overdraft_is_refused_with_its_fields_and_nothing_is_journaled(sim):
    sim.execute("till", "a1", PayIn("t1", 100))
    before = (sim.journal.digest(), sim.journal.last_seq, sim.ledger.trial_balance(), entry_rows(sim))
    with pytest.raises(OverdraftPrevented) as refused:
        sim.execute("till", "a1", PayOut("t2", 101))
    assert (refused.value.account, refused.value.balance, refused.value.amount) == ("deposit:a1", 100, 101)
    after = (sim.journal.digest(), sim.journal.last_seq, sim.ledger.trial_balance(), entry_rows(sim))
    assert after == before
    assert sim.ledger.trial_balance(as_of=sim.now) == before[2]
    assert sim.state("till", "a1").movements == 1
    assert isinstance(sim.execute("till", "a1", PayOut("t3", 100)), Executed)
    assert sim.ledger.balance("deposit:a1") == 0


def test_balances_as_of_an_earlier_sim_time(sim):
    sim.execute("till", "a1", PayIn("t1", 100))
    sim.advance(days=1)
    sim.execute("till", "a1", PayIn("t2", 50))
    sim.advance(hours=3)
    sim.execute("till", "a1", PayOut("t3", 30))
    assert sim.ledger.balance("deposit:a1", as_of="2024-01-01T12:00:00Z") == 100
    assert sim.ledger.balance("deposit:a1", as_of=date(2024, 1, 2)) == 150  # a date is its 00:00 UTC
    assert sim.ledger.balance("deposit:a1", as_of=sim.now) == sim.ledger.balance("deposit:a1") == 120
    assert sim.ledger.balance("deposit:a1", as_of="2023-12-31") == 0
    assert [line.balance for line in sim.ledger.trial_balance(as_of="2024-01-01T23:59:59Z")] == [100, 100]


def test_balances_are_rebuilt_when_a_file_journal_is_reopened(tmp_path):
    path = str(tmp_path / "j.sqlite")
    with Simulation(seed=3, journal=path, aggregates=[TILL]) as first:
        first.execute("till", "a1", Open("a1"))
        first.execute("till", "a1", PayIn("t1", 700))
        first.execute("till", "a1", PayOut("t2", 200))
        lines = first.ledger.trial_balance()
    with Simulation(seed=3, journal=path, aggregates=[TILL]) as again:
        assert again.ledger.trial_balance() == lines
        assert again.ledger.balance("deposit:a1") == 500
        with pytest.raises(OverdraftPrevented) as refused:
            again.execute("till", "a1", PayOut("t3", 501))
        assert refused.value.balance == 500


def test_the_trial_balance_balances_for_every_currency_and_layer(sim):
    sim.execute("till", "a1", Open("a1"))
    sim.execute("till", "b2", Open("b2"))
    for i, (till, amount) in enumerate([("a1", 900), ("b2", 400), ("a1", -300), ("b2", -400)]):
        sim.execute("till", till, PayIn(f"t{i}", amount) if amount > 0 else PayOut(f"t{i}", -amount))
    lines = sim.ledger.trial_balance()
    for layer in (SETTLED, PENDING):
        assert sum(x.debit for x in lines if x.layer is layer) == sum(x.credit for x in lines if x.layer is layer)
    assert sim.ledger.is_balanced() and sim.ledger.is_balanced(as_of=sim.now)
    assert {(x.account, x.layer, x.code, x.balance) for x in lines if x.account == "deposit:a1"} == {
        ("deposit:a1", SETTLED, "21.01.0101", 600), ("deposit:a1", PENDING, "21.01.0101", 300)}


def test_check_sees_the_earlier_transactions_of_the_same_call_and_changes_nothing(sim):
    sim.execute("till", "a1", PayIn("t1", 100))
    book, day = sim.ledger, sim.now.date()
    book.check([initiate_withdrawal("w1", "a1", 60, day)])
    with pytest.raises(OverdraftPrevented) as refused:
        book.check([initiate_withdrawal("w1", "a1", 60, day), initiate_withdrawal("w2", "a1", 60, day)])
    assert (refused.value.balance, refused.value.amount) == (40, 60)
    assert sim.ledger.balance("deposit:a1") == 100 and entry_rows(sim) == 2


def test_an_unbalanced_hand_made_posting_is_refused_by_the_book(sim):
    tx = record_deposit("t1", "a1", 5, sim.now.date())
    with pytest.raises(UnbalancedTransaction) as refused:
        sim.ledger.check([attrs.evolve(tx, entries=tx.entries[:1])])
    assert refused.value.difference == 5 and refused.value.tx_id == "t1"


def test_a_posting_whose_tx_id_sqlite_cannot_store_fails_its_command_alone(sim):
    sim.execute("till", "a1", PayIn("t1", 100))
    with pytest.raises(UnstorableValue):
        sim.execute("till", "a1", PayIn(("t", 2), 5))  # a tuple tx id: not a type a ledger row stores
    sim.execute("till", "a1", PayIn("t3", 1))
    assert sim.ledger.balance("deposit:a1") == 101 and entry_rows(sim) == 4


def test_only_kinds_that_post_are_wired_to_the_ledger(sim):
    assert sim.kinds["till"].ledger is sim.ledger
    assert sim.kinds["account"].ledger is None


@pytest.mark.parametrize("account, currency, layer", [("cash", "USD", "settled"), ("deposit:a1", "EUR", "settled"),
                                                      ("deposit:a1", "USD", "encumbrance")])
def test_reading_an_account_currency_or_layer_outside_the_ledger_is_refused(sim, account, currency, layer):
    with pytest.raises(UnknownAccount) as refused:
        sim.ledger.balance(account, currency, layer)
    assert refused.value.account == account


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(-400, 400).filter(bool), max_size=25))
def test_through_the_engine_the_book_matches_a_model_and_its_stored_rows(amounts):
    with Simulation(seed=1, aggregates=[TILL]) as sim:
        sim.execute("till", "a1", Open("a1"))
        model = 0
        for i, amount in enumerate(amounts):
            try:
                sim.execute("till", "a1", PayIn(f"t{i}", amount) if amount > 0 else PayOut(f"t{i}", -amount))
                model += amount
            except OverdraftPrevented:
                assert model + amount < 0
        assert sim.ledger.balance("deposit:a1") == model >= 0
        assert sim.ledger.totals(as_of=sim.now) == sim.ledger.totals()
        assert sim.ledger.is_balanced()


def withdraw_from_threads(sim, clients: int, tills: int, amount: int) -> list:
    """Each client thread pays `amount` out of till `n % tills` at once; returns the refusals."""
    refused: list = []

    def client(n: int) -> None:
        try:
            sim.execute("till", f"a{n % tills}", PayOut(f"out{n}", amount))
        except OverdraftPrevented as exc:
            refused.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return refused


def test_concurrent_withdrawals_on_the_threaded_runtime_never_overdraw(tmp_path):
    with Simulation(seed=1, journal=str(tmp_path / "t.sqlite"), aggregates=[TILL], runtime="threaded") as sim:
        for i in range(4):
            sim.execute("till", f"a{i}", Open(f"a{i}"))
            sim.execute("till", f"a{i}", PayIn(f"in{i}", 250))
        refused = withdraw_from_threads(sim, clients=32, tills=4, amount=100)
        assert len(refused) == 24 and {sim.ledger.balance(f"deposit:a{i}") for i in range(4)} == {50}
        assert sim.ledger.is_balanced() and sim.ledger.is_balanced(as_of=sim.now)


_LEGACY_TABLE = (
    "CREATE TABLE ledger_entries (id INTEGER PRIMARY KEY, tx_id TEXT NOT NULL, template TEXT NOT NULL, "
    "account TEXT NOT NULL, currency TEXT NOT NULL, layer TEXT NOT NULL, side TEXT NOT NULL "
    "CHECK (side IN ('debit', 'credit')), amount INTEGER NOT NULL CHECK (amount > 0), effective TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL, seq INTEGER NOT NULL)")


def test_each_transaction_is_one_row_with_interned_names_and_the_view_shows_one_row_per_entry(tmp_path):
    path = str(tmp_path / "journal.sqlite")
    with Simulation(seed=3, journal=path, aggregates=[TILL, ACCOUNT]) as sim:
        sim.execute("till", "a1", Open("a1"))
        sim.execute("till", "a1", PayIn("t1", 10_000))
        sim.execute("till", "a1", PayOut("t2", 2_500))
        sim.journal.flush()
        conn = sim.journal.conn
        rows = conn.execute("SELECT tx_id, typeof(template), json_type(entries, '$[0][0]'), "
                            "json_array_length(entries) FROM ledger_transactions ORDER BY id").fetchall()
        assert rows == [("t1", "integer", "integer", 2), ("t2", "integer", "integer", 4)]  # a withdrawal: 4 entries
        assert conn.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0] == 6
        view = conn.execute("SELECT tx_id, template, account, side, amount FROM ledger_entries ORDER BY id").fetchall()
        assert view[:2] == [("t1", "RECORD_DEPOSIT", DEPOSIT_OMNIBUS, "debit", 10_000),
                            ("t1", "RECORD_DEPOSIT", "deposit:a1", "credit", 10_000)]
    with Simulation(seed=3, journal=path, aggregates=[TILL, ACCOUNT]) as again:  # totals rebuilt from the rows
        assert again.ledger.balance("deposit:a1") == 7_500
        assert again.ledger.balance("deposit:a1", "USD", "pending") == 2_500
        assert again.ledger.is_balanced()


@pytest.mark.parametrize("layout", ["entries", "lines"])
def test_a_journal_in_an_old_one_row_per_entry_layout_is_refused_naming_its_format(tmp_path, layout):
    import sqlite3

    path = str(tmp_path / "old.sqlite")
    with Simulation(seed=3, journal=path, aggregates=[TILL, ACCOUNT]):
        pass
    conn = sqlite3.connect(path)
    old = _LEGACY_TABLE if layout == "entries" else _LEGACY_TABLE.replace("ledger_entries", "ledger_lines")
    conn.executescript("DROP VIEW ledger_entries; DROP TABLE ledger_transactions; DROP TABLE ledger_accounts; "
                       f"DROP TABLE ledger_templates; {old};"
                       "UPDATE lanasim_meta SET value = '\"lanasim-journal/1\"' WHERE key = 'format';"
                       "DROP TABLE chain;")  # format 1 predates the hash chain
    conn.commit()
    conn.close()
    with pytest.raises(UnsupportedJournalFormat) as err:
        Simulation(seed=3, journal=path, aggregates=[TILL, ACCOUNT])
    found = (err.value.path, err.value.format, err.value.supported)
    assert found == (path, "lanasim-journal/1", ("lanasim-journal/4",))
    assert "\n" not in str(err.value)
    with Simulation(seed=3, journal=str(tmp_path / "new.sqlite"), aggregates=[TILL, ACCOUNT]):
        pass  # the refused file's lock was released: nothing else is held

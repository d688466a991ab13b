"""Tamper evidence: every journaled row is hash-chained per group commit, and `verify` names the
first edited, deleted or reordered row of any table in a copy of a journal, and a truncated tail."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from engine import Simulation
from engine.inspect import open_readonly
from engine.kernel.chain import rebuild
from engine.kernel.codec import Codec
from engine.kernel.entity import register_types
from engine.kernel.journal import Journal
from engine.kernel.verify import verify_journal
from tests.support import ACCOUNT, Deposit, Open


class _Host:
    spec = ACCOUNT


def verify_accounts(path, expect_head: str | None = None) -> dict:
    """`verify` of a journal written by the test account aggregate only."""
    journal = Journal(str(path), Codec(), readonly=True)
    register_types(ACCOUNT, journal.codec)
    try:
        return verify_journal(journal, {"account": _Host()}, expect_head=expect_head)
    finally:
        journal.close()


def verify_bank(path, expect_head: str | None = None) -> dict:
    with open_readonly(str(path)) as view:
        return view.verify(expect_head=expect_head)


def tampered(original, tmp_path, sql: str):
    copy = tmp_path / "copy.sqlite"
    shutil.copy(original, copy)
    conn = sqlite3.connect(copy)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    return copy


def first_bad(report: dict) -> tuple[str, str]:
    assert not report["ok"], report
    return report["first bad row"]["table"], report["first bad row"]["key"]


@pytest.fixture(scope="module")
def accounts(tmp_path_factory):
    """Two accounts over three commits; 25 deposits on `a` give snapshots at entity_seq 10 and 20."""
    path = tmp_path_factory.mktemp("accounts") / "journal.sqlite"
    with Simulation(seed=3, journal=str(path), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Open("a", "a@bank.test"))
        sim.execute("account", "b", Open("b", "b@bank.test"))
        sim.settle(commit=True)
        for amount in range(1, 26):
            sim.execute("account", "a", Deposit(amount))
        sim.advance(days=1)
        sim.execute("account", "b", Deposit(7))
    return path


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    """The whole bank: users (an audited freeze), customers, deposit accounts and their ledger lines."""
    path = tmp_path_factory.mktemp("bank") / "journal.sqlite"
    with Simulation(seed=5, journal=str(path)) as sim:
        sim.access.seed()
        sim.price.set(4_000_000)
        manager = sim.access.create_user("manager@bank.test", "bank-manager")
        for name in ("ann", "bob", "cy"):
            customer = sim.customer.create_customer(f"{name}@example.com")
            sim.deposit.record_deposit(sim.deposit.create_account(customer), 10_000)
        sim.advance(days=1)
        sim.customer.freeze_customer(customer, subject=manager)
        sim.advance(days=1)
    return path


def test_a_clean_journal_verifies_ok_with_its_chain_head(accounts, bank):
    for report in (verify_accounts(accounts), verify_bank(bank)):
        assert report["ok"] and report["first bad row"] is None, report["problems"]
        assert report["chain links"] >= 3 and len(report["chain head"]) == 64


def test_the_chain_head_is_kept_in_run_metadata(accounts):
    report = verify_accounts(accounts)
    with open_readonly(str(accounts)) as view:
        assert view.journal.meta()["chain_head"] == report["chain head"]


@pytest.mark.parametrize("sql, table, key", [
    ("UPDATE events SET payload = replace(payload, '7', '70') WHERE seq = 28", "events", "seq 28"),
    ("DELETE FROM events WHERE seq = 5", "events", "seq 5"),
    ("UPDATE events SET seq = -6 WHERE seq = 6; UPDATE events SET seq = 6 WHERE seq = 7;"
     "UPDATE events SET seq = 7 WHERE seq = -6", "events", "seq 6"),
    ("UPDATE outbox SET trace_id = 'x' WHERE sequence = 2", "outbox", "sequence 2"),
    ("DELETE FROM outbox WHERE sequence = 1", "outbox", "sequence 1"),
    ("UPDATE snapshots SET state = replace(state, 'a@bank', 'z@bank') WHERE entity_seq = 10", "snapshots",
     "entity 1 entity_seq 10"),
    ("DELETE FROM snapshots WHERE entity_seq = 20", "snapshots", "rowid 2"),
    ("UPDATE entities SET id = 'c' WHERE id = 'b'", "entities", "entity 2"),
    ("UPDATE lanasim_meta SET value = '\"2030-01-01T00:00:00Z\"' WHERE key = 'now'", "lanasim_meta", "key now"),
    ("DELETE FROM lanasim_meta WHERE key = 'seed'", "lanasim_meta", "key seed"),
    ("UPDATE index_account SET balance = 0 WHERE id = 'a'", "index_account", "id a"),
    ("DELETE FROM index_account WHERE id = 'b'", "index_account", "id b"),
    ("UPDATE index_account SET owner = CASE id WHEN 'a' THEN 'b' ELSE 'a' END", "index_account", "id a"),
])
def test_an_edited_deleted_or_reordered_row_of_the_account_journal_is_named(accounts, tmp_path, sql, table, key):
    assert first_bad(verify_accounts(tampered(accounts, tmp_path, sql))) == (table, key)


_TIMES_100 = ("UPDATE ledger_transactions SET entries = json_set(entries, '$[0][4]', "
              "json_extract(entries, '$[0][4]') * 100) WHERE id = 2")  # the first entry's amount


def test_the_bank_fixture_writes_every_table_the_tamper_cases_edit(bank):
    conn = sqlite3.connect(bank)
    counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("audit", "ledger_transactions", "cursors", "ephemeral", "index_deposit_account")}
    conn.close()
    assert all(counts.values()), counts


@pytest.mark.parametrize("sql, table, key", [
    (_TIMES_100, "ledger_transactions", "id 2"),
    ("UPDATE ledger_transactions SET entries = json_set(entries, '$[0][0]', (SELECT MAX(id) FROM ledger_accounts)) "
     "WHERE id = 1", "ledger_transactions", "id 1"),
    ("DELETE FROM ledger_transactions WHERE id = 3", "ledger_transactions", "id 3"),
    ("UPDATE audit SET authorized = 0 WHERE id = 1", "audit", "id 1"),
    ("DELETE FROM audit WHERE id = 1", "audit", "id 1"),
    ("UPDATE ledger_accounts SET account = 'bank-cash' WHERE id = 1", "ledger_accounts", "id 1"),
    ("UPDATE cursors SET sequence = 0 WHERE consumer = (SELECT MIN(consumer) FROM cursors)", "cursors", None),
    ("DELETE FROM ephemeral", "ephemeral", None),
    ("UPDATE index_deposit_account SET status = 'frozen' WHERE rowid = 1", "index_deposit_account", None),
])
def test_an_edited_or_deleted_row_of_the_bank_journal_is_named(bank, tmp_path, sql, table, key):
    found = first_bad(verify_bank(tampered(bank, tmp_path, sql)))
    assert found[0] == table and (key is None or found[1] == key), found


def test_an_edited_ledger_amount_is_also_caught_by_replaying_the_postings(bank, tmp_path):
    report = verify_bank(tampered(bank, tmp_path, _TIMES_100))
    assert any(p.startswith("ledger_transactions id 2: ") and "the events post" in p for p in report["problems"])


def test_rows_appended_after_the_last_commit_are_named(accounts, tmp_path):
    sql = ("INSERT INTO outbox SELECT sequence + 1000, id, event_type, payload, recorded_at, trace_id, seq "
           "FROM outbox WHERE sequence = 1")
    assert first_bad(verify_accounts(tampered(accounts, tmp_path, sql))) == ("outbox", "sequence 1001")


def test_an_edited_chain_link_is_named(accounts, tmp_path):
    sql = "UPDATE chain SET state = replace(state, '\"lanasim_meta\":{', '\"lanasim_meta\":{\"x\":\"0\",') WHERE n = 2"
    assert first_bad(verify_accounts(tampered(accounts, tmp_path, sql))) == ("chain", "n 2")


def test_a_truncated_tail_is_detected_with_the_expected_head(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Simulation(seed=3, journal=str(path), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Open("a", "a@bank.test"))
    earlier = tmp_path / "earlier.sqlite"
    shutil.copy(path, earlier)
    early_head = verify_accounts(earlier)["chain head"]
    with Simulation(seed=3, journal=str(path), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Deposit(5))
    head = verify_accounts(path)["chain head"]
    assert head != early_head
    assert verify_accounts(path, expect_head=early_head)["ok"]  # a journal that grew still holds the old head
    report = verify_accounts(earlier, expect_head=head)
    assert verify_accounts(earlier)["ok"] and first_bad(report) == ("chain", "head")
    assert "truncated" in report["first bad row"]["problem"]


def test_a_copied_prefix_gets_a_valid_chain_by_rebuilding_it(accounts, tmp_path):
    copy = tampered(accounts, tmp_path, "DELETE FROM events WHERE seq > 20; DELETE FROM outbox WHERE seq > 20;"
                                        "DELETE FROM snapshots WHERE seq > 20; DROP TABLE index_account;")
    assert not verify_accounts(copy)["ok"]
    conn = sqlite3.connect(copy, isolation_level=None)
    head = rebuild(conn)
    conn.close()
    assert verify_accounts(copy, expect_head=head)["first bad row"] == {
        "table": "index_account", "key": "-", "problem": "table missing"}
    with Simulation(seed=3, journal=str(copy), aggregates=[ACCOUNT]):
        pass  # reopening rebuilds the index from the events, and its commit extends the chain
    report = verify_accounts(copy, expect_head=head)
    assert report["ok"] and report["chain links"] == 2 and report["events"] == 20, report["problems"]


def test_the_same_seed_and_commands_give_the_same_chain_head(tmp_path):
    heads = []
    for name in ("one", "two"):
        with Simulation(seed=3, journal=str(tmp_path / f"{name}.sqlite"), aggregates=[ACCOUNT]) as sim:
            sim.execute("account", "a", Open("a", "a@bank.test"))
            sim.advance(days=1)
            sim.execute("account", "a", Deposit(5))
        heads.append(verify_accounts(tmp_path / f"{name}.sqlite")["chain head"])
    assert heads[0] == heads[1] and heads[0] is not None


def test_a_table_holding_blobs_is_chained_too(tmp_path):
    from engine.kernel.chain_check import check_chain

    path = tmp_path / "blobs.sqlite"
    journal = Journal(str(path), Codec())
    journal.conn.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY, data BLOB)")
    journal.stage_many("INSERT INTO extra (data) VALUES (?)", [(b"\x00\x01",), (b"\xff",)])
    journal.flush()
    journal.close()
    assert check_chain(sqlite3.connect(path))[0] == []
    copy = tampered(path, tmp_path, "UPDATE extra SET data = x'fe' WHERE id = 2")
    assert check_chain(sqlite3.connect(copy))[0][0].key == "id 2"

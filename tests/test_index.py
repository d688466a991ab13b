"""Query index: lookups, typed uniqueness errors, keyset paging both ways, filters."""

from __future__ import annotations

import pytest

from engine import DuplicateValue, NotFound
from tests.conftest import open_account
from tests.support import Deposit, Open


@pytest.fixture
def accounts(bank):
    for i, amount in enumerate([50, 10, 30, 10, 40, 20, 0]):
        open_account(bank, f"acc{i}", deposit=amount)
    return bank


def test_find_by_unique_column_returns_the_entity_id(accounts):
    index = accounts.index("account")
    assert index.find_by_email("acc3@bank.test") == "acc3"
    assert index.maybe_find_by_email("nobody@bank.test") is None
    with pytest.raises(NotFound) as err:
        index.find_by_email("nobody@bank.test")
    assert (err.value.kind, err.value.column, err.value.value) == ("account", "email", "nobody@bank.test")


def test_index_rows_follow_the_state_after_every_command(accounts):
    accounts.execute("account", "acc6", Deposit(99))
    assert accounts.index("account").list_by_balance(where={"balance": 99}).ids == ["acc6"]


def test_duplicate_value_names_the_column_and_value(accounts):
    with pytest.raises(DuplicateValue) as err:
        accounts.execute("account", "new", Open("new", "acc0@bank.test"))
    assert (err.value.column, err.value.value) == ("email", "acc0@bank.test")
    assert str(err.value).endswith(": an account with this email exists already; each email names one account")


def test_keyset_pages_forward_cover_every_row_once_in_order(accounts):
    index, seen, after = accounts.index("account"), [], None
    while True:
        page = index.list_by_balance(first=3, after=after)
        seen += page.ids
        if not page.has_next:
            break
        after = page.end_cursor
    assert seen == ["acc6", "acc1", "acc3", "acc5", "acc2", "acc4", "acc0"]


def test_keyset_pages_backward_return_the_previous_rows_in_order(accounts):
    index = accounts.index("account")
    last = index.list_by_balance(first=3, after=index.list_by_balance(first=4).end_cursor)
    back = index.list_by_balance(first=2, before=last.start_cursor)
    assert last.ids == ["acc2", "acc4", "acc0"] and last.has_previous
    assert back.ids == ["acc3", "acc5"] and back.has_previous and back.has_next


def test_descending_order_and_equality_filters(accounts):
    index = accounts.index("account")
    assert index.list_by_balance(first=2, descending=True).ids == ["acc0", "acc4"]
    assert index.list_by_balance(where={"balance": 10}).ids == ["acc1", "acc3"]
    assert index.count(where={"balance": 10}) == 2


def test_unknown_column_is_a_typed_error(accounts):
    with pytest.raises(NotFound) as err:
        accounts.index("account").list_by_colour()
    assert err.value.value == "colour"


def test_listing_by_id_pages_in_id_order(accounts):
    index = accounts.index("account")
    first = index.list_by("id", first=4)
    rest = index.list_by("id", after=first.end_cursor)
    assert first.ids + rest.ids == sorted(f"acc{i}" for i in range(7)) and not rest.has_next


def test_an_index_read_mid_run_sees_every_row_staged_so_far_and_the_journal_still_verifies(tmp_path):
    """A query of one index table writes that table's staged rows only; the others (events, outbox,
    ledger, audit) are written later, each table's rows in order, and the chain covers them all."""
    from engine import Simulation
    from engine.inspect import open_readonly

    path = tmp_path / "j.sqlite"
    with Simulation(seed=2, start="2024-01-01", journal=str(path)) as sim:
        accounts = sim.index("deposit-account")
        for i in range(3):
            customer = sim.customer.create_customer(f"p{i}@bank.test")
            account = sim.deposit.create_account(customer)
            assert accounts.count() == i + 1
            assert sim.deposit.accounts_of(customer) == [account]
            sim.deposit.record_deposit(account, 100_00 * (i + 1))
        events = sim.journal.last_seq
    with open_readonly(str(path)) as view:
        report = view.verify()
    assert report["ok"] and report["events"] == events

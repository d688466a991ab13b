"""Authorization cannot be skipped by a string, every command leaves an audit row, no caller's string
becomes an SQL identifier, and a withdrawal and its approval process are one operation on the
threaded runtime too (issue 11, items 5 and 7)."""

from __future__ import annotations

import threading

import pytest

from domains.aggregate import Refusal
from domains.customer import FreezeCustomer
from engine import Simulation
from engine.kernel.authz import System, Unauthorized
from engine.kernel.errors import NotFound


@pytest.fixture
def bank():
    with Simulation(seed=4, journal=":memory:") as sim:
        sim.access.seed()
        sim.manager = sim.access.create_user("manager@bank.test", "bank-manager")
        sim.ada = sim.customer.create_customer("ada@bank.test")
        yield sim


def audit(sim) -> list[tuple]:
    sim.journal.sync()
    return sim.journal.conn.execute(
        "SELECT subject, action, authorized, command FROM audit ORDER BY id").fetchall()


@pytest.mark.parametrize("forged", ["system", "obligation-sync", "interest-accrual", "price-feed", "", "ada"])
def test_a_string_naming_a_system_actor_or_nobody_is_refused(bank, forged):
    before = bank.journal.digest()
    with pytest.raises(Unauthorized) as err:
        bank.customer.freeze_customer(bank.ada, subject=forged)
    assert (err.value.subject, err.value.action) == (forged, "customer:freeze")
    assert "unknown subject" in err.value.reason
    assert bank.journal.digest() == before
    assert audit(bank)[-1] == (forged, "customer:freeze", 0, "FreezeCustomer")


@pytest.mark.parametrize("forged", [None, 7, ("system",)])
def test_a_subject_that_is_not_a_string_is_refused(bank, forged):
    with pytest.raises(Unauthorized):
        bank.execute("customer", bank.ada, FreezeCustomer(), subject=forged)
    assert bank.customer.customer(bank.ada).status.value == "active"


def test_a_user_subject_acts_within_its_role_and_a_system_principal_acts_as_itself(bank):
    bank.customer.freeze_customer(bank.ada, subject=bank.manager)
    assert audit(bank)[-1] == (bank.manager, "customer:freeze", 1, "FreezeCustomer")
    bank.customer.unfreeze_customer(bank.ada, subject=System("bank-operator"))
    assert audit(bank)[-1] == ("bank-operator", "customer:unfreeze", 1, "UnfreezeCustomer")
    assert bank.journal.stream("customer", bank.ada)[-1].context["subject"] == "bank-operator"


def test_every_command_of_a_day_system_ones_included_leaves_an_audit_row(bank):
    account = bank.deposit.create_account(bank.ada)
    bank.deposit.record_deposit(account, 10_00)
    bank.advance(days=2)
    rows = audit(bank)
    commands = bank.journal.conn.execute("SELECT COUNT(DISTINCT json_extract(context, '$.command')) FROM events")
    assert len(rows) >= commands.fetchone()[0]
    subjects = {subject for subject, *_ in rows}
    assert {"system", "end-of-day-producer"} <= subjects
    assert all(authorized == 1 for _, _, authorized, _ in rows)


def test_index_filters_accept_only_declared_columns(bank):
    index = bank.index("customer")
    assert index.count(where={"status": "active"}) == 1
    for key in ("1=1 OR id", "id; DROP TABLE events", "status IS NULL OR 1"):
        with pytest.raises(NotFound) as err:
            index.count(where={key: "x"})
        assert (err.value.kind, err.value.value) == ("customer", key)
        with pytest.raises(NotFound):
            index.list_by("id", where={key: "x"})


def stored(sim, kind: str) -> list[str]:
    """Ids of the entities of `kind` with at least one journaled event."""
    return [i for i in sim.journal.entity_ids(kind) if sim.journal.exists(kind, i)]


def withdraw_from_threads(sim, accounts, each: int, amount: int) -> list:
    outcomes: list = []
    lock = threading.Lock()

    def caller(account: str) -> None:
        for _ in range(each):
            try:
                result = ("ok", sim.deposit.initiate_withdrawal(account, amount))
            except Exception as exc:  # the test sorts every outcome
                result = ("refused", exc)
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=caller, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_eight_threads_of_four_withdrawals_each_all_succeed_with_their_approval_processes():
    with Simulation(seed=1, journal=":memory:", runtime="threaded") as sim:
        customer = sim.customer.create_customer("t@bank.test")
        accounts = [sim.deposit.create_account(customer) for _ in range(8)]
        for account in accounts:
            sim.deposit.record_deposit(account, 10_000)
        outcomes = withdraw_from_threads(sim, accounts, 4, 100)
        sim.settle(commit=True)
        assert [o for o in outcomes if o[0] != "ok"] == []
        withdrawals = stored(sim, "withdrawal")
        assert sorted(withdrawals) == sorted(o[1] for o in outcomes)
        assert set(withdrawals) <= set(stored(sim, "approval-process"))
        assert all(sim.deposit.balance(a) == 9_600 for a in accounts)
        audited = [row for row in audit(sim) if row[3] in ("InitiateWithdrawal", "StartApprovalProcess")]
        assert len(audited) == 2 * 32  # every command from every thread is audited


def test_racing_withdrawals_on_one_account_either_succeed_with_a_process_or_are_refused_leaving_nothing():
    with Simulation(seed=2, journal=":memory:", runtime="threaded") as sim:
        customer = sim.customer.create_customer("r@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 1_000)
        outcomes = withdraw_from_threads(sim, [account] * 8, 4, 100)
        sim.settle(commit=True)
        succeeded = [o[1] for o in outcomes if o[0] == "ok"]
        refusals = [o[1] for o in outcomes if o[0] == "refused"]
        assert len(succeeded) == 10 and len(refusals) == 22
        assert all(isinstance(exc, Refusal) for exc in refusals), refusals
        assert sorted(stored(sim, "withdrawal")) == sorted(succeeded)
        assert set(succeeded) <= set(stored(sim, "approval-process"))
        assert sim.deposit.balance(account) == 0

"""Nothing acknowledged is ever lost: a failing command leaves nothing of itself and nothing else;
a failing write or commit (a full disk, an I/O error) keeps every acknowledged row for the next
commit; a run crashed at a group-commit boundary verifies and resumes to the uninterrupted journal."""

from __future__ import annotations

import json
import sqlite3

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Simulation
from engine.kernel.journal_commit import JournalWriteFailed
from engine.kernel.row_check import UnstorableValue
from engine.kernel.verify import verify_journal
from scenarios.library import scenario_names
from scenarios.library.crashes import crash_image, crash_run, fault_run
from tests.conftest import open_account
from tests.support import ACCOUNT, Deposit, Deposited, NonPositiveAmount, Withdraw
from tests.support import publish as account_publish


def deposits(path) -> list[int]:
    """The amounts of account a's deposits as the file holds them (committed rows only)."""
    conn = sqlite3.connect(str(path))
    try:
        return [json.loads(p)["amount"] for (p,) in conn.execute(
            "SELECT payload FROM events WHERE type = 'test.account.deposited' ORDER BY seq")]
    finally:
        conn.close()


def verified(path) -> dict:
    """`verify` of a journal of the test account, reopened by a simulation hosting it."""
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        sim.settle(commit=True)  # the reopen's own metadata change, sealed into the chain
        return verify_journal(sim.journal, sim.kinds)


def test_an_amount_sqlite_cannot_store_fails_that_command_alone_and_the_deposits_before_it_commit(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        open_account(sim, "a", deposit=5)
        sim.execute("account", "a", Deposit(7))
        with pytest.raises(UnstorableValue) as refused:
            sim.execute("account", "a", Deposit(2**63))  # the balance column is a 64-bit integer
        assert refused.value.value == 2**63 + 12 and "64-bit" in refused.value.problem
        assert sim.state("account", "a").balance == 12 and sim.index("account").find_by_balance(12) == "a"
        sim.settle(commit=True)
        sim.execute("account", "a", Deposit(1))  # the simulation goes on, and what it accepts commits
    assert deposits(path) == [5, 7, 1]


def _faulty_publish(state, event):
    if isinstance(event, Deposited) and event.amount == 13:
        raise RuntimeError("a bug in the outbox mapper")
    return account_publish(state, event)


FAULTY = attrs.evolve(ACCOUNT, publish=_faulty_publish)


def test_an_exception_that_is_not_a_refusal_leaves_nothing_of_its_command(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path), aggregates=[FAULTY]) as sim:
        open_account(sim, "a", deposit=5)
        before = (sim.journal.last_seq, sim.outbox.sequence, sim.journal.digest(), sim.index("account").count())
        with pytest.raises(RuntimeError, match="outbox mapper"):
            sim.execute("account", "a", Deposit(13))
        after = (sim.journal.last_seq, sim.outbox.sequence, sim.journal.digest(), sim.index("account").count())
        assert after == before and sim.state("account", "a").balance == 5
        assert sim.index("account").find_by_balance(5) == "a"
        sim.execute("account", "a", Deposit(2))
    assert deposits(path) == [5, 2]


def test_a_refusal_leaves_the_account_as_it_was_and_the_run_goes_on(bank):
    open_account(bank, "a", deposit=5)
    with pytest.raises(NonPositiveAmount):
        bank.execute("account", "a", Withdraw(0))
    bank.execute("account", "a", Withdraw(5))
    assert bank.state("account", "a").balance == 0


def test_a_full_disk_at_commit_keeps_every_acknowledged_row_until_a_commit_succeeds(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        open_account(sim, "a", deposit=1)
        sim.settle(commit=True)
        pages = sim.journal.conn.execute("PRAGMA page_count").fetchone()[0]
        sim.journal.conn.execute(f"PRAGMA max_page_count = {pages + 1}")  # the disk is all but full
        for n in range(2, 2_000):
            sim.execute("account", "a", Deposit(n))  # acknowledged: staged in the open group
        with pytest.raises(JournalWriteFailed) as failed:
            sim.settle(commit=True)
        assert "full" in failed.value.error and failed.value.retained > 2_000
        sim.journal.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        sim.execute("account", "a", Deposit(1))
    assert deposits(path) == [1, *range(2, 2_000), 1]


def test_an_io_error_at_a_write_rolls_back_the_group_and_the_next_flush_writes_it_again(tmp_path):
    path = tmp_path / "j.sqlite"
    failures = iter([True, False])

    def fault(point: str) -> None:
        if point == "write" and next(failures, False):
            raise sqlite3.OperationalError("disk I/O error")

    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        open_account(sim, "a", deposit=3)
        sim.journal.fault = fault
        with pytest.raises(JournalWriteFailed) as failed:
            sim.load("account", "a")  # a read of the journal writes the staged group first
        assert failed.value.error == "OperationalError('disk I/O error')"
        assert sim.index("account").count() == 1  # written again by the next read
    assert deposits(path) == [3]


def test_a_crash_image_after_a_commit_holds_every_acknowledged_event_and_verifies(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        open_account(sim, "a", deposit=3)
        sim.execute("account", "a", Deposit(4))
        sim.settle(commit=True)
        sim.execute("account", "a", Deposit(99))  # acknowledged after the commit: not yet durable
        image = crash_image(path, tmp_path / "killed")
        assert deposits(image) == [3, 4]
        report = verified(image)
        assert report["ok"] and report["events"] == 3


AMOUNTS = st.one_of(st.integers(-3, 50), st.integers(2**62, 2**64), st.just(2**63 - 1))
STEPS = st.lists(st.tuples(st.sampled_from(["deposit", "withdraw", "commit", "advance"]), AMOUNTS), max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_no_program_of_commands_loses_an_acknowledged_event_at_close(tmp_path_factory, steps):
    path = tmp_path_factory.mktemp("fuzz") / "j.sqlite"
    acknowledged = []
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        open_account(sim, "a")
        for verb, amount in steps:
            try:
                if verb == "deposit":
                    acknowledged.append(sim.execute("account", "a", Deposit(amount)).seq)
                elif verb == "withdraw":
                    acknowledged.append(sim.execute("account", "a", Withdraw(amount)).seq)
                elif verb == "commit":
                    sim.settle(commit=True)
                else:
                    sim.advance(seconds=amount % 100_000)
            except Exception as refused:  # a refusal, and only a refusal, may end a step
                assert type(refused).__name__ in {"NonPositiveAmount", "InsufficientFunds", "UnstorableValue"}
    conn = sqlite3.connect(str(path))
    stored = {seq for (seq,) in conn.execute("SELECT seq FROM events")}
    conn.close()
    assert set(acknowledged) <= stored and verified(path)["ok"]


SMALL = {"facilities": "3", "days": "2", "lead_days": "1"}  # stress presets: a small book over a few days


@pytest.mark.parametrize("name", scenario_names())
def test_every_scenario_crashed_at_a_commit_boundary_verifies_and_resumes_to_the_uninterrupted_digest(
        name, tmp_path):
    from scenarios.library import load_scenario

    params = load_scenario(name).params
    overrides = {k: v for k, v in SMALL.items() if k in params and "facilities" in params}
    if "days" in params and "facilities" not in params:
        overrides["days"] = str(min(params["days"].default, 20))
    report = crash_run(name, tmp_path, overrides=overrides, picked=lambda k, n: k == n // 2)
    assert report.crashes == 1 and report.commits > 3
    assert (report.losses, report.verify_failures, report.resume_mismatches) == (0, [], [])


@pytest.mark.parametrize("point, at", [("write", 3), ("commit", 6)])
def test_a_write_error_stops_the_run_without_losing_what_it_acknowledged_and_it_resumes(point, at, tmp_path):
    report = fault_run("timely-payments", tmp_path, point=point, at=at, overrides={"days": "40"})
    assert (report.faults, report.losses, report.resumed_digest_ok) == (1, 0, True)


def test_a_command_that_fails_after_its_unique_index_row_was_written_takes_that_row_back(tmp_path):
    with Simulation(seed=1, journal=str(tmp_path / "j.sqlite"), aggregates=[FAULTY]) as sim:
        open_account(sim, "a", deposit=5)
        with pytest.raises(RuntimeError):
            sim.execute("account", "a", Deposit(13))  # the balance row was upserted at once, then the mapper failed
        assert sim.index("account").find_by_balance(5) == "a" and sim.index("account").maybe_find_by_balance(18) is None
        sim.execute("account", "a", Deposit(1))
        assert sim.index("account").find_by_balance(6) == "a"


def test_a_users_command_that_fails_without_a_refusal_leaves_no_audit_row_and_others_keep_theirs(tmp_path):
    from engine.kernel.authz import Unauthorized

    with Simulation(seed=9, journal=str(tmp_path / "j.sqlite")) as sim:
        sim.access.seed()
        manager = sim.access.create_user("bob@bank.test", "bank-manager")
        customer = sim.customer.create_customer("ada@bank.test")
        def audit() -> list[tuple]:
            sim.journal.sync()
            return sim.journal.conn.execute("SELECT action, authorized FROM audit ORDER BY id").fetchall()

        sim.settle(commit=True)
        before = audit()
        kind = sim.kinds["customer"]
        decide = kind.decide
        kind.decide = lambda state, command, now: (_ for _ in ()).throw(RuntimeError("a bug in decide"))
        with pytest.raises(RuntimeError):
            sim.customer.freeze_customer(customer, subject=manager)
        kind.decide = decide
        assert audit() == before
        sim.customer.freeze_customer(customer, subject=manager)
        assert audit()[len(before):] == [("customer:freeze", 1)]
        accountant = sim.access.create_user("carol@bank.test", "accountant")
        with pytest.raises(Unauthorized):
            sim.customer.unfreeze_customer(customer, subject=accountant)
        assert audit()[len(before):] == [("customer:freeze", 1), ("user:create", 1), ("customer:unfreeze", 0)]


def test_a_close_whose_last_commit_fails_says_what_it_lost_every_time_and_releases_the_file(tmp_path):
    path = tmp_path / "j.sqlite"
    sim = Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT])
    open_account(sim, "a", deposit=5)
    sim.settle(commit=True)
    sim.execute("account", "a", Deposit(7))  # acknowledged, in the group the close commits

    def broken_hook() -> None:  # a bug in what stages the run's metadata at each commit
        raise TypeError("Dict key must be str")

    sim.journal.before_commit.append(broken_hook)
    for _ in range(2):  # a second close does not pretend the first succeeded
        with pytest.raises(JournalWriteFailed) as failed:
            sim.close()
        assert failed.value.error == "TypeError('Dict key must be str')" and failed.value.retained > 0
    assert deposits(path) == [5]  # the committed prefix, in a file another simulation opens
    assert verified(path)["ok"]

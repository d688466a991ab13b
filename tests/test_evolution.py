"""Time travel, snapshots and schema evolution (upcasting a checked-in v1 journal)."""

from __future__ import annotations

import shutil
from pathlib import Path

from engine import Simulation
from tests.conftest import open_account
from tests.support import ACCOUNT, Account, Deposit

V1_JOURNAL = Path(__file__).parent / "fixtures" / "v1_journal.sqlite"


def test_an_entity_can_be_loaded_as_of_a_sim_time_or_a_seq(bank):
    open_account(bank, "a", deposit=100)  # seq 1, 2 on 2024-01-01
    bank.advance(days=2)
    bank.execute("account", "a", Deposit(50))  # seq 3 on 2024-01-03
    assert bank.load("account", "a", as_of="2024-01-02").balance == 100
    assert bank.load("account", "a", as_of="2024-01-03T00:00:00Z").balance == 150
    assert bank.load("account", "a", seq=1).balance == 0
    assert bank.load("account", "a", as_of="2023-12-31") is None


def test_loading_from_a_snapshot_gives_the_same_state_as_a_full_replay(bank):
    open_account(bank, "a")
    for i in range(1, 26):
        bank.execute("account", "a", Deposit(i))
    bank.settle(commit=True)
    snapshots = bank.journal.conn.execute("SELECT entity_seq FROM snapshots ORDER BY entity_seq").fetchall()
    assert [s for (s,) in snapshots] == [10, 20]
    full = bank.load("account", "a", use_snapshot=False)
    assert bank.load("account", "a") == full == bank.state("account", "a") == Account("a", "a@bank.test", 325, 25)
    assert bank.load("account", "a", seq=15) == bank.load("account", "a", seq=15, use_snapshot=False)


def test_a_v1_event_in_a_checked_in_journal_is_upcast_on_load(tmp_path):
    path = tmp_path / "v1.sqlite"
    shutil.copy(V1_JOURNAL, path)
    with Simulation(seed=0, journal=str(path), aggregates=[ACCOUNT]) as sim:
        stored = sim.journal.stream("account", "acc-1")
        assert (stored[0].name, stored[0].version) == ("test.account.opened", 1)
        assert stored[0].event.email == "ada@legacy.invalid"
        assert sim.state("account", "acc-1") == Account("ada", "ada@legacy.invalid", 500, 1)
        assert sim.index("account").find_by_email("ada@legacy.invalid") == "acc-1"
        sim.execute("account", "acc-1", Deposit(1))
        assert sim.state("account", "acc-1").balance == 501

"""A journal keeps the bank settings it was made with (Lana's `closing-time`, `timezone` and
`allow-auto-approval`): a reopen, a fork and a stress run `--from` it run under them without being
told, and a reopen with other settings is refused. Before, the
settings were not kept: `lanasim run SCENARIO --from` (which cannot pass settings) closed the days
of a bank closing at 17:00 in El Salvador at UTC midnight, from the branch point on."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from domains.credit import std_terms
from engine import Simulation
from engine.bank.settings import BankSettings
from engine.position import JournalMismatch
from scenarios.cli import main

SALVADOR = BankSettings(closing_time="17:00", timezone="America/El_Salvador")


def closings(journal) -> list[str]:
    with closing(sqlite3.connect(journal)) as conn:
        return [r[0] for r in conn.execute("SELECT recorded_at FROM outbox WHERE event_type = "
                                           "'core.time.end-of-day' ORDER BY sequence")]


@pytest.fixture
def salvador(tmp_path):
    """A bank closing at 17:00 in El Salvador (23:00 UTC) with one facility, three days in."""
    journal = tmp_path / "sv.sqlite"
    with Simulation(seed=3, start="2024-05-01", journal=str(journal), settings=SALVADOR) as sim:
        sim.price.set(6_000_000)
        customer = sim.customer.create_customer("sv@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_00)
        facility = sim.credit.create_proposal(customer, 50_000_00, std_terms(duration=12))
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 125_000_000)
        sim.advance(days=3)
    assert closings(journal) == ["2024-05-01T23:00:00Z", "2024-05-02T23:00:00Z", "2024-05-03T23:00:00Z"]
    return journal


def test_a_journal_reopened_without_settings_runs_under_its_own(salvador):
    with Simulation(journal=str(salvador)) as sim:
        assert sim.settings == SALVADOR
        sim.advance(days=1)
    assert closings(salvador)[-1] == "2024-05-04T23:00:00Z"


def test_a_reopen_with_other_settings_is_refused_and_the_journal_left_as_it_was(salvador):
    with pytest.raises(JournalMismatch) as refused:
        Simulation(journal=str(salvador), settings=BankSettings())
    assert refused.value.field == "settings"
    assert refused.value.journal == {"allow_auto_approval": True, "closing_time": "17:00",
                                     "timezone": "America/El_Salvador"}
    assert main(["verify", str(salvador)]) == 0
    assert closings(salvador)[-1] == "2024-05-03T23:00:00Z"  # nothing ran
    with Simulation(journal=str(salvador), settings=SALVADOR) as sim:  # the same ones are welcome
        assert sim.settings == SALVADOR


def test_a_stress_from_the_journal_and_a_fork_of_it_close_its_days_at_its_closing_time(salvador, tmp_path):
    out, fork = tmp_path / "run", tmp_path / "fork.sqlite"
    assert main(["run", "stress", "--from", str(salvador), "--set", "days=3", "--set", "path=ftx-2022",
                 "--out", str(out)]) == 0
    assert closings(out / "journal.sqlite")[-3:] == ["2024-05-04T23:00:00Z", "2024-05-05T23:00:00Z",
                                                     "2024-05-06T23:00:00Z"]
    assert main(["fork", str(salvador), "--at", "2024-05-03T12:00:00Z", "--journal", str(fork)]) == 0
    with Simulation(journal=str(fork)) as sim:
        assert sim.settings == SALVADOR


def test_a_journal_made_with_the_defaults_refuses_other_settings_too(tmp_path):
    journal = tmp_path / "utc.sqlite"
    with Simulation(seed=1, journal=str(journal)) as sim:
        sim.advance(days=1)
    with pytest.raises(JournalMismatch) as refused:
        Simulation(journal=str(journal), settings=SALVADOR)
    assert refused.value.journal == {"allow_auto_approval": True, "closing_time": "00:00", "timezone": "UTC"}


def test_a_journal_made_before_settings_were_kept_runs_under_those_given(tmp_path, monkeypatch):
    """As every journal did before: nothing to compare them with."""
    journal = tmp_path / "old.sqlite"
    with monkeypatch.context() as old:  # made as an older lanasim made it: no settings kept
        old.setattr("engine.simulation.kept_settings", lambda journal, meta, given: BankSettings())
        with Simulation(seed=1, journal=str(journal)) as sim:
            sim.advance(days=1)
    with closing(sqlite3.connect(journal)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM lanasim_meta WHERE key = 'settings'").fetchone()[0] == 0
    with Simulation(journal=str(journal), settings=SALVADOR) as sim:
        assert sim.settings == SALVADOR
        sim.advance(days=3)
    assert closings(journal)[-1] == "2024-01-04T23:00:00Z"

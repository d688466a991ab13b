"""The day end accrues every due cycle in one batch: the journal, audit trail and ledger are what one
command per cycle would have written; a batch that fails leaves nothing; posted cycles leave memory."""

from __future__ import annotations

from datetime import date

import pytest

from domains.credit import std_terms
from domains.credit.facility import AccrueInterest, InterestAccrualNotCompletedYet, PostAccruedInterest
from engine import Simulation
from engine.kernel.authz import System
from engine.kernel.errors import UnknownEntity

BTC = 100_000_000
CYCLE = "interest-accrual-cycle"


def open_book(sim: Simulation, n: int = 3) -> list[str]:
    sim.price.set(7_000_000)
    facilities = []
    for i in range(n):
        customer = sim.customer.create_customer(f"c{i}@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 50_000_00)
        facility = sim.credit.create_proposal(customer, (100 + i) * 1_000_00, std_terms(duration=12))
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 23 * BTC // 10)
        facilities.append(facility)
    return facilities


def run(batched: bool, days: int = 40) -> tuple[str, list[tuple], list[tuple]]:
    with Simulation(seed=3, start="2024-01-01") as sim:
        if not batched:
            sim.credit.flow.accruals = None  # each accrual its own command, through the mailbox
        open_book(sim)
        sim.advance(days=days)
        sim.journal.flush()
        conn = sim.journal.conn
        audit = conn.execute("SELECT recorded_at, subject, object, action, authorized, command FROM audit "
                             "ORDER BY id").fetchall()
        ledger = conn.execute("SELECT tx_id, template, account, side, amount, effective, recorded_at, seq "
                              "FROM ledger_entries ORDER BY id").fetchall()
        return sim.journal.digest(), audit, ledger


def test_a_batched_day_end_journals_audits_and_posts_exactly_what_one_command_per_cycle_would():
    batched, one_by_one = run(batched=True), run(batched=False)
    assert batched[0] == one_by_one[0]  # the journal digest: same events, order, contexts
    assert batched[1] == one_by_one[1]  # one audit row per accrual, as before
    assert batched[2] == one_by_one[2]
    assert any(row[5] == "AccrueInterest" for row in batched[1])


def test_a_batch_in_which_one_command_is_refused_leaves_nothing_and_raises_that_refusal():
    with Simulation(seed=3, start="2024-01-01") as sim:
        open_book(sim, 2)
        sim.advance(days=3)
        (first, _), (second, _) = sim.index(CYCLE).scan("accruing_from")[:2]
        batch = sim.credit.flow.accruals
        states = [sim.state(CYCLE, first), sim.state(CYCLE, second)]
        seq, audited = sim.journal.last_seq, sim.journal.conn.execute("SELECT COUNT(*) FROM audit").fetchone()
        with pytest.raises(InterestAccrualNotCompletedYet):
            batch.run([(first, AccrueInterest(date(2024, 1, 4), 100_000_00)), (second, PostAccruedInterest("o-1"))],
                      subject=System("credit-flow"))
        assert sim.journal.last_seq == seq
        assert [sim.state(CYCLE, first), sim.state(CYCLE, second)] == states
        sim.journal.flush()
        assert sim.journal.conn.execute("SELECT COUNT(*) FROM audit").fetchone() == audited
        failed = sim.journal.conn.execute("SELECT kind, entity_id, command FROM failures").fetchall()
        assert failed == [(CYCLE, second, "PostAccruedInterest")]
        with pytest.raises(UnknownEntity):
            batch.run([("no-such-cycle", AccrueInterest(date(2024, 1, 4), 1))], subject=System("credit-flow"))


def test_a_posted_cycle_leaves_memory_after_the_next_day_end_and_is_still_read_from_the_journal():
    with Simulation(seed=3, start="2024-01-01") as sim:
        facility = open_book(sim, 1)[0]
        sim.advance(days=32)  # January's cycle is posted on 1 February, dropped at the next day end
        january = f"{facility}-cycle-1"
        assert sim.registry.actor(CYCLE, january) is None
        assert sim.registry.actor(CYCLE, f"{facility}-cycle-2") is not None
        posted = sim.state(CYCLE, january)
        assert posted.posted and posted.accrued_through == date(2024, 1, 31) and posted.total > 0

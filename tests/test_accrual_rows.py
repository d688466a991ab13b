"""What a quiet day of interest accrual writes: per facility, its accrual event and one ledger row
(the transaction, not one row per entry), and nothing of the facility itself; besides, the audit
trail records each command (system commands included)."""

from __future__ import annotations

from domains.credit import std_terms
from engine import Simulation

BTC = 100_000_000
FACILITIES = 4


def written_since(sim, seq: int) -> dict[str, int]:
    sim.journal.flush()
    conn = sim.journal.conn
    kinds = dict(conn.execute("SELECT k.kind, COUNT(*) FROM events e JOIN entities k ON k.entity = e.entity "
                              "WHERE e.seq > ? GROUP BY k.kind", (seq,)))
    return {**kinds, "ledger rows": conn.execute("SELECT COUNT(*) FROM ledger_transactions WHERE seq > ?",
                                                 (seq,)).fetchone()[0]}


def audit_rows(sim) -> int:
    sim.journal.flush()
    return sim.journal.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]


def test_a_quiet_accrual_day_writes_at_most_two_rows_per_facility_its_event_and_one_ledger_row():
    with Simulation(seed=1, start="2024-01-01") as sim:
        sim.price.set(7_000_000)
        for i in range(FACILITIES):
            customer = sim.customer.create_customer(f"c{i}@bank.test")
            sim.deposit.record_deposit(sim.deposit.create_account(customer), 50_000_00)
            facility = sim.credit.create_proposal(customer, 100_000_00, std_terms(duration=12))
            sim.credit.conclude_customer_approval(facility)
            sim.credit.update_collateral(facility, 23 * BTC // 10)
        sim.advance(days=5)  # mid-January: no cycle ends, no obligation ages, the price holds
        before, audited = sim.journal.last_seq, audit_rows(sim)
        sim.advance(days=1)
        written, audited = written_since(sim, before), audit_rows(sim) - audited
    assert written.pop("interest-accrual-cycle") == FACILITIES  # one accrual each
    assert written.pop("ledger rows") == FACILITIES  # each accrual's transaction is one row
    assert written.pop("calendar") == 1  # the day end itself, once for the whole bank
    assert written == {}  # the facilities, obligations and everything else wrote nothing
    assert audited == FACILITIES + 1  # besides: the audit record of each command, the day end's included

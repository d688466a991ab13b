"""Operator calls from several threads on the threaded runtime (payments, pay-offs, disbursals,
approvals, denials, collateral updates, completions, prices), interleaved as the threads happen to
run: whatever the interleaving, no call fails inside the bank (a reaction, a handler, a write),
only by a refusal; a closed facility owes nothing and holds no disbursal awaiting its decision; and
the journal verifies (ledger balanced, chain whole, derived tables as the events say). This fuzz
found a payment Lana's ledger accepts against a disbursal awaiting approval, whose denial then
failed (`CreditService.record_payment`); 120 trials of 3-4 threads after the fix: no problem."""

from __future__ import annotations

import random
import threading

import pytest

from domains.aggregate import Refusal
from domains.credit import DisbursalPolicy, FacilityStatus, std_terms
from domains.credit.primitives import DisbursalStatus
from engine import Simulation
from engine.inspect import open_readonly
from engine.kernel.errors import EngineError, HandlerFailed
from engine.kernel.journal_commit import JournalWriteFailed
from engine.kernel.reaction import ReactionFailed
from tests.test_credit_bad_input import disbursal_committee_of_one

pytestmark = pytest.mark.timeout(300)
BTC = 100_000_000
MULTIPLE = std_terms(duration=12, disbursal_policy=DisbursalPolicy.MULTIPLE)
OPERATIONS = ["pay", "pay", "disburse", "disburse", "approve", "approve", "deny", "collateral", "complete", "payoff",
              "price"]


def _operator(sim, facilities: list[str], member: str, awaiting: list[str], lock: threading.Lock, seed: float,
              failures: list[str]) -> None:
    """60 random operator calls; a failure that is not a refusal is recorded in `failures`."""
    r = random.Random(seed)
    for _ in range(60):
        f, op = r.choice(facilities), r.choice(OPERATIONS)
        try:
            if op == "pay":
                sim.credit.record_payment(f, r.choice([1_00, 10_000_00, 50_000_00]))
            elif op == "payoff":
                books = sim.credit.books(f)
                if books.outstanding + books.defaulted:
                    sim.credit.record_payment(f, books.outstanding + books.defaulted)
                sim.credit.complete_facility(f)
            elif op == "disburse":
                disbursal = sim.credit.initiate_disbursal(f, r.choice([1_000_00, 20_000_00, 60_000_00]))
                with lock:
                    awaiting.append(disbursal)
            elif op in ("approve", "deny"):
                with lock:
                    if not awaiting:
                        continue
                    disbursal = awaiting.pop(r.randrange(len(awaiting)))
                if op == "approve":
                    sim.governance.approve(disbursal, member)
                else:
                    sim.governance.deny(disbursal, member, "no")
            elif op == "collateral":
                sim.credit.update_collateral(f, r.choice([BTC // 2, BTC, 2 * BTC, 5 * BTC]))
            elif op == "complete":
                sim.credit.complete_facility(f)
            else:
                sim.price.set(r.choice([3_000_000, 5_000_000, 7_000_000, 9_000_000]))
        except (HandlerFailed, ReactionFailed, JournalWriteFailed) as failed:
            failures.append(f"{op}: {failed!r}")
        except (Refusal, EngineError):
            pass  # the bank's answer to a call that does not fit (paid off, closed, below the margin...)
        except Exception as failed:
            failures.append(f"{op}: {failed!r}")


@pytest.mark.parametrize("seed", range(6))
def test_concurrent_operator_calls_leave_closed_facilities_settled_and_a_journal_that_verifies(tmp_path, seed):
    journal, failures = str(tmp_path / "j.sqlite"), []
    with Simulation(seed=seed, start="2024-01-01", runtime="threaded", journal=journal) as sim:
        sim.price.set(7_000_000)
        member = disbursal_committee_of_one(sim)
        facilities = []
        for i in range(3):
            customer = sim.customer.create_customer(f"c{i}@bank.test")
            sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_000_00)
            facility = sim.credit.create_proposal(customer, 100_000_00, MULTIPLE)
            sim.credit.conclude_customer_approval(facility)
            sim.credit.update_collateral(facility, 2 * BTC)
            facilities.append(facility)
        awaiting: list[str] = []
        lock, r = threading.Lock(), random.Random(seed)
        threads = [threading.Thread(target=_operator, args=(sim, facilities, member, awaiting, lock, r.random(),
                                                            failures)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        sim.settle(commit=True)
        assert failures == []
        assert sim.journal.conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 0
        for facility in facilities:
            state = sim.state("credit-facility", facility)
            if state.status is FacilityStatus.CLOSED:
                books = sim.credit.books(facility)
                assert books.outstanding + books.defaulted == 0
                assert [d for d, _ in state.disbursals
                        if sim.state("disbursal", d).status is DisbursalStatus.NEW] == []
    with open_readonly(journal) as view:
        report = view.verify()
    assert report["ok"], report["problems"]

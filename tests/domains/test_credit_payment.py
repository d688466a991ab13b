"""Payments, allocations (interest first, then oldest), the pure policies, permissions and the registry."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
from hypothesis import given
from hypothesis import strategies as st

from domains.access.seed import PERMISSION_SETS
from domains.aggregate import Send
from domains.credit import AGGREGATES, PAYMENT, PAYMENT_ALLOCATION, PERMISSIONS, POLICIES, ObligationType
from domains.credit.collateral import ReleaseCollateral
from domains.credit.collection import (
    PaymentAllocationInitialized,
    PaymentInitialized,
    RecordAllocation,
    RecordPayment,
    allocate,
    post_allocation,
    post_payment,
)
from domains.credit.facility import ConcludeApprovalProcess

DAY = date(2024, 2, 1)
AT = datetime(2024, 2, 1, 10, 15, tzinfo=UTC)  # the sim instant a command runs
INTR, D = ObligationType.INTEREST, ObligationType.DISBURSAL


@attrs.frozen
class Owed:
    id: str
    obligation_type: ObligationType
    effective: date
    outstanding: int


def test_a_payment_is_recorded_once_and_posted_from_its_source():
    command = RecordPayment("pay-1", "f-1", 700, "deposit:d-1", DAY)
    (created,) = PAYMENT.decide(None, command, AT)
    assert created == PaymentInitialized("pay-1", "f-1", 700, "deposit:d-1", DAY, AT)
    assert PAYMENT.decide(PAYMENT.apply(None, created), command, AT) == ()
    (tx,) = post_payment(PAYMENT.apply(None, created), created)
    assert [(e.account, e.side.value) for e in tx.entries] == [
        ("deposit:d-1", "debit"), ("payment-holding:f-1", "credit"),
        ("uncovered-outstanding:f-1", "debit"), ("payments-made-omnibus", "credit")]


def test_a_payment_is_public_with_its_creation_instant_as_recorded_at():
    created = PaymentInitialized("pay-1", "f-1", 700, "deposit:d-1", DAY, AT)
    (public,) = PAYMENT.publish(PAYMENT.apply(None, created), created)
    assert (public.module, public.name, public.payload) == ("CreditCollection", "PaymentCreated", {"entity": {
        "id": "pay-1", "beneficiary_id": "f-1", "amount": 700, "recorded_at": "2024-02-01T10:15:00Z",
        "effective": "2024-02-01"}})


def test_an_allocation_credits_the_obligations_receivable_in_its_bucket():
    command = RecordAllocation("al-1", "pay-1", "ob-1", "interest", "f-1", 300, "overdue", 1, DAY)
    (created,) = PAYMENT_ALLOCATION.decide(None, command, AT)
    assert created == PaymentAllocationInitialized("al-1", "pay-1", "ob-1", INTR, "f-1", 300, "overdue", 1, DAY, AT)
    (tx,) = post_allocation(PAYMENT_ALLOCATION.apply(None, created), created)
    assert [(e.account, e.side.value, e.amount) for e in tx.entries] == [
        ("payment-holding:f-1", "debit", 300), ("interest-receivable-overdue:f-1", "credit", 300)]
    (public,) = PAYMENT_ALLOCATION.publish(PAYMENT_ALLOCATION.apply(None, created), created)
    assert (public.module, public.name, public.payload) == ("CreditCollection", "PaymentAllocationCreated", {
        "entity": {"id": "al-1", "payment_id": "pay-1", "obligation_id": "ob-1", "obligation_type": "Interest",
                   "beneficiary_id": "f-1", "amount": 300, "recorded_at": "2024-02-01T10:15:00Z",
                   "effective": "2024-02-01"}})


def test_allocation_pays_all_interest_before_any_principal_oldest_first():
    owed = [Owed("principal-old", D, date(2024, 1, 1), 500), Owed("interest-new", INTR, date(2024, 2, 29), 30),
            Owed("interest-old", INTR, date(2024, 1, 31), 20)]
    assert allocate(540, owed) == [("interest-old", 20), ("interest-new", 30), ("principal-old", 490)]


def test_allocation_skips_paid_obligations_keeps_creation_order_on_ties_and_stops_when_exhausted():
    owed = [Owed("a", INTR, DAY, 0), Owed("b", INTR, DAY, 10), Owed("c", INTR, DAY, 10), Owed("d", D, DAY, 10)]
    assert allocate(15, owed) == [("b", 10), ("c", 5)]


def test_governance_concluding_a_proposal_process_concludes_the_proposal():
    (policy,) = [p for p in POLICIES if "governance.approval-process-concluded" in p.listens]
    envelope = {"payload": {"entity": {"id": "f-1", "process_type": "credit-facility-proposal", "status": "Denied",
                                       "target_ref": "f-1"}}}
    assert policy.react(envelope) == (Send("credit-facility-proposal", "f-1", ConcludeApprovalProcess(False)),)
    envelope["payload"]["entity"]["status"] = "Approved"
    assert policy.react(envelope) == (Send("credit-facility-proposal", "f-1", ConcludeApprovalProcess(True)),)
    envelope["payload"]["entity"]["process_type"] = "disbursal"
    assert policy.react(envelope) == ()


def test_a_completed_facility_releases_its_collateral_on_the_completion_date():
    (policy,) = [p for p in POLICIES if "core.credit.facility-completed" in p.listens]
    envelope = {"payload": {"entity": {"collateral_id": "col-1", "completed_at": "2024-04-01T10:00:00Z"}}}
    assert policy.react(envelope) == (Send("collateral", "col-1", ReleaseCollateral(date(2024, 4, 1))),)


def test_every_command_needs_a_permission_some_seeded_set_grants():
    granted = {pair for _, pairs in PERMISSION_SETS for pair in pairs}
    commands = {command for spec in AGGREGATES for command in spec.commands}
    assert commands == set(PERMISSIONS)
    assert {PERMISSIONS[c] for c in commands} - granted == set()


def test_every_event_is_registered_under_a_unique_credit_name():
    names = [et.name for spec in AGGREGATES for et in spec.events]
    assert len(names) == len(set(names)) and all(n.startswith("credit.") for n in names)
    assert [spec.kind for spec in AGGREGATES] == [
        "terms-template", "credit-facility-proposal", "pending-credit-facility", "collateral", "credit-facility",
        "interest-accrual-cycle", "disbursal", "obligation", "payment", "payment-allocation", "liquidation"]


@given(payment=st.integers(1, 10_000), amounts=st.lists(st.tuples(st.booleans(), st.integers(0, 3_000)), max_size=8))
def test_allocation_spends_what_is_owed_and_never_overpays_an_obligation(payment, amounts):
    owed = [Owed(f"o{i}", INTR if interest else D, DAY, amount) for i, (interest, amount) in enumerate(amounts)]
    allocations = allocate(payment, owed)
    by_id = {o.id: o.outstanding for o in owed}
    assert sum(a for _, a in allocations) == min(payment, sum(by_id.values()))
    assert all(0 < a <= by_id[i] for i, a in allocations)

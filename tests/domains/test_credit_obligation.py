"""Obligations: aging on scheduled dates (several states in one late run), payments, alarms, postings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest

from domains.credit import OBLIGATION, ObligationType
from domains.credit.collection import (
    AllocatePayment,
    AllocationAboveOutstanding,
    CreateObligation,
    DefaultedRecorded,
    DueRecorded,
    ObligationCompleted,
    ObligationInitialized,
    OverdueRecorded,
    PaymentAllocated,
    TransitionObligation,
    post_obligation,
)
from tests.domains.support import fold

AT = datetime(2024, 6, 1, tzinfo=UTC)
DUE, OVERDUE, DEFAULTED = date(2024, 3, 31), date(2024, 5, 20), date(2024, 6, 19)
CREATED = ObligationInitialized("ob-1", "f-1", ObligationType.INTEREST, 1_000, "ref-1", DUE, OVERDUE, None, None,
                                date(2024, 3, 31), AT)
DEFAULTING = ObligationInitialized("ob-1", "f-1", ObligationType.DISBURSAL, 1_000, "ref-1", DUE, OVERDUE, None,
                                   DEFAULTED, date(2024, 1, 1))


def state(*events):
    return fold(OBLIGATION, *events)


def when(history, command):
    return OBLIGATION.decide(state(*history), command, AT)


def test_an_obligation_must_be_for_a_positive_amount_and_is_created_once():
    command = CreateObligation("ob-1", "f-1", "interest", 1_000, "ref-1", DUE, OVERDUE, None, None, date(2024, 3, 31))
    assert when((), command) == (CREATED,)
    assert when((CREATED,), command) == ()


def test_nothing_happens_before_the_due_date():
    assert when((CREATED,), TransitionObligation(date(2024, 3, 30))) == ()


def test_a_late_run_jumps_not_yet_due_to_due_to_overdue_at_the_scheduled_dates():
    events = when((CREATED,), TransitionObligation(date(2024, 6, 1)))
    assert events == (DueRecorded(1_000, DUE), OverdueRecorded(1_000, OVERDUE))
    assert state(CREATED, *events).status.value == "overdue"


def test_the_configurable_defaulted_date_makes_defaulted_reachable():
    events = when((DEFAULTING,), TransitionObligation(date(2024, 7, 1)))
    assert events == (DueRecorded(1_000, DUE), OverdueRecorded(1_000, OVERDUE), DefaultedRecorded(1_000, DEFAULTED))
    assert when((DEFAULTING, *events), TransitionObligation(date(2025, 1, 1))) == ()


def test_aging_moves_the_outstanding_amount_between_receivable_buckets():
    events = (DueRecorded(1_000, DUE), OverdueRecorded(1_000, OVERDUE), DefaultedRecorded(1_000, DEFAULTED))
    final = state(DEFAULTING, *events)
    moves = [[(e.account, e.side.value) for e in tx.entries] for ev in events for tx in post_obligation(final, ev)]
    assert moves == [
        [("disbursed-receivable-due:f-1", "debit"), ("disbursed-receivable-not-yet-due:f-1", "credit")],
        [("disbursed-receivable-overdue:f-1", "debit"), ("disbursed-receivable-due:f-1", "credit")],
        [("disbursed-defaulted:f-1", "debit"), ("disbursed-receivable-overdue:f-1", "credit")]]
    assert [tx.effective for ev in events for tx in post_obligation(final, ev)] == [DUE, OVERDUE, DEFAULTED]


def test_the_alarm_rings_at_midnight_utc_of_the_next_transition():
    assert OBLIGATION.alarm(state(CREATED)) == (datetime(2024, 3, 31, tzinfo=UTC), TransitionObligation(DUE))
    assert OBLIGATION.alarm(state(CREATED, DueRecorded(1_000, DUE))) == (
        datetime(2024, 5, 20, tzinfo=UTC), TransitionObligation(OVERDUE))
    assert OBLIGATION.alarm(state(CREATED, DueRecorded(1_000, DUE), OverdueRecorded(1_000, OVERDUE))) is None


def test_a_partial_payment_lowers_the_outstanding_and_ages_what_is_left():
    paid = when((CREATED,), AllocatePayment("pay-1", "alloc-1", 400, date(2024, 3, 1)))
    assert paid == (PaymentAllocated("pay-1", "alloc-1", 400, date(2024, 3, 1)),)
    assert when((CREATED, *paid), TransitionObligation(DUE)) == (DueRecorded(600, DUE),)


def test_paying_in_full_completes_even_before_the_due_date_and_stops_the_alarm():
    paid = when((CREATED,), AllocatePayment("pay-1", "alloc-1", 1_000, date(2024, 3, 1)))
    assert paid[-1] == ObligationCompleted(date(2024, 3, 1))
    assert OBLIGATION.alarm(state(CREATED, *paid)) is None
    assert when((CREATED, *paid), TransitionObligation(date(2024, 12, 31))) == ()


def test_the_same_payment_twice_changes_nothing():
    paid = (CREATED, PaymentAllocated("pay-1", "alloc-1", 400, date(2024, 3, 1)))
    assert when(paid, AllocatePayment("pay-1", "alloc-1", 400, date(2024, 3, 1))) == ()


def test_an_allocation_above_the_outstanding_is_refused_with_both_amounts():
    with pytest.raises(AllocationAboveOutstanding) as refused:
        when((CREATED,), AllocatePayment("pay-1", "alloc-1", 1_001, date(2024, 3, 1)))
    assert (refused.value.obligation_id, refused.value.amount, refused.value.outstanding) == ("ob-1", 1_001, 1_000)


def test_transitions_are_public_with_the_schedule():
    events = when((CREATED,), TransitionObligation(date(2024, 6, 1)))
    final = state(CREATED, *events)
    published = [p for e in events for p in OBLIGATION.publish(final, e)]
    assert [p.name for p in published] == ["ObligationDue", "ObligationOverdue"]
    assert published[0].payload["entity"] == {
        "id": "ob-1", "obligation_type": "Interest", "beneficiary_id": "f-1", "initial_amount": 1_000,
        "outstanding_amount": 1_000, "due_at": "2024-03-31", "overdue_at": "2024-05-20", "defaulted_at": None,
        "recorded_at": "2024-06-01T00:00:00Z", "effective": "2024-03-31"}


def test_every_public_obligation_event_carries_the_instant_it_was_created_not_the_events():
    created = attrs.evolve(CREATED, created_at=datetime(2024, 3, 30, 17, 5, tzinfo=UTC))
    events = (created, *OBLIGATION.decide(state(created), TransitionObligation(date(2024, 6, 1)), AT))
    final = state(*events)
    assert {p.payload["entity"]["recorded_at"] for e in events for p in OBLIGATION.publish(final, e)} == {
        "2024-03-30T17:05:00Z"}


def test_an_obligation_journaled_without_its_creation_instant_is_public_at_midnight_of_its_effective_day():
    journaled_before = attrs.evolve(DEFAULTING, created_at=None)
    (public,) = OBLIGATION.publish(state(journaled_before), journaled_before)
    assert public.payload["entity"]["recorded_at"] == "2024-01-01T00:00:00Z"
    assert public.payload["entity"]["obligation_type"] == "Disbursal"

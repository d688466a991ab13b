"""The interest accrual cycle as its own aggregate (given its events -> when a command -> then
these events): one period per day end, the posting once fully accrued, and the facility's
conclusion of the posted cycle with the start of the next one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domains.credit import CREDIT_FACILITY, INTEREST_ACCRUAL_CYCLE, Period, std_terms
from domains.credit.facility import (
    AccrualCycleInitialized,
    AccrueInterest,
    ActivateFacility,
    ConcludeAccrualCycle,
    ImportAccrualCycle,
    InterestAccrualCycleConcluded,
    InterestAccrualCycleStarted,
    InterestAccrualNotCompletedYet,
    InterestAccrualsPosted,
    InterestAccrued,
    PostAccruedInterest,
    StartAccrualCycle,
    accruing_from,
    next_accrual_end,
    post_accrual_cycle,
    post_cycle,
)
from tests.domains.support import fold

AT = datetime(2023, 12, 15, 9, 0, tzinfo=UTC)
AMOUNT = 1_000_000_000  # $10M
DAILY = 328_768  # $10M x 12% / 365, rounded up
MATURITY = date(2024, 3, 15)
FIRST = Period(date(2023, 12, 15), date(2023, 12, 31))


def started(idx=1, period=FIRST):
    """Given: the facility's `idx`-th cycle over `period` was created."""
    return INTEREST_ACCRUAL_CYCLE.decide(None, StartAccrualCycle(
        f"f-1-cycle-{idx}", "f-1", idx, period, MATURITY, std_terms()), AT)


def when(history, command):
    return INTEREST_ACCRUAL_CYCLE.decide(fold(INTEREST_ACCRUAL_CYCLE, *history), command, AT)


def accrued_through(last: date, principal=AMOUNT, history=None):
    """Given: the first cycle accrued day by day up to `last`."""
    events = list(history or started())
    day = fold(INTEREST_ACCRUAL_CYCLE, *events).period.start
    while day <= last:
        events += when(events, AccrueInterest(day, principal))
        day += timedelta(days=1)
    return events


def test_starting_a_cycle_records_its_period_maturity_and_terms_once():
    (initialized,) = started()
    assert initialized == AccrualCycleInitialized("f-1-cycle-1", "f-1", 1, FIRST, MATURITY, std_terms())
    assert when([initialized], StartAccrualCycle("f-1-cycle-1", "f-1", 1, FIRST, MATURITY, std_terms())) == ()


def test_the_activation_day_is_accrued_once_that_day_has_come():
    assert when(started(), AccrueInterest(date(2023, 12, 15), AMOUNT)) == (
        InterestAccrued(1, Period(date(2023, 12, 15), date(2023, 12, 15)), DAILY, date(2023, 12, 15)),)
    assert when(started(), AccrueInterest(date(2023, 12, 14), AMOUNT)) == ()


def test_a_late_run_accrues_exactly_one_period_per_command():
    events = when(started(), AccrueInterest(date(2024, 1, 20), AMOUNT))
    assert [e.period for e in events] == [Period(date(2023, 12, 15), date(2023, 12, 15))]


def test_zero_principal_still_records_a_zero_accrual_but_posts_nothing():
    history = started()
    (accrued,) = when(history, AccrueInterest(date(2023, 12, 15), 0))
    assert accrued.amount == 0
    assert post_accrual_cycle(fold(INTEREST_ACCRUAL_CYCLE, *history, accrued), accrued) == ()


def test_each_accrual_posts_one_pending_receivable_against_income_effective_its_day():
    history = started()
    (accrued,) = when(history, AccrueInterest(date(2023, 12, 15), AMOUNT))
    (tx,) = post_accrual_cycle(fold(INTEREST_ACCRUAL_CYCLE, *history, accrued), accrued)
    assert (tx.template, tx.tx_id, tx.effective, {e.amount for e in tx.entries}) == (
        "CREDIT_FACILITY_ACCRUE_INTEREST", "f-1-interest-accrual-2023-12-15", date(2023, 12, 15), {DAILY})


def test_a_fully_accrued_cycle_posts_its_total_effective_on_its_last_day():
    events = accrued_through(date(2023, 12, 31))
    assert when(events, AccrueInterest(date(2024, 1, 1), AMOUNT)) == ()  # nothing left to accrue
    assert when(events, PostAccruedInterest("ob-1")) == (
        InterestAccrualsPosted(1, FIRST, 17 * DAILY, "ob-1", date(2023, 12, 31), "f-1-interest-accrual-cycle-1"),)


def test_posting_before_the_cycle_is_accrued_is_refused_with_the_next_accrual_end():
    with pytest.raises(InterestAccrualNotCompletedYet) as refused:
        when(started(), PostAccruedInterest("ob-1"))
    assert (refused.value.cycle_idx, refused.value.next_accrual_end) == (1, date(2023, 12, 15))


def test_a_posted_cycle_posts_and_accrues_nothing_more():
    events = accrued_through(date(2023, 12, 31))
    events += when(events, PostAccruedInterest("ob-1"))
    assert when(events, PostAccruedInterest("ob-1")) == ()
    assert next_accrual_end(fold(INTEREST_ACCRUAL_CYCLE, *events)) is None


def test_the_posting_moves_the_accrued_interest_to_the_settled_receivable_and_is_public():
    events = accrued_through(date(2023, 12, 31))
    (posted,) = when(events, PostAccruedInterest("ob-1"))
    cycle = fold(INTEREST_ACCRUAL_CYCLE, *events, posted)
    (tx,) = post_accrual_cycle(cycle, posted)
    assert (tx.template, tx.tx_id, tx.effective, {e.amount for e in tx.entries}) == (
        "CREDIT_FACILITY_POST_ACCRUED_INTEREST", "f-1-interest-accrual-cycle-1", date(2023, 12, 31), {17 * DAILY})
    (public,) = INTEREST_ACCRUAL_CYCLE.publish(cycle, posted)
    assert public.name == "AccrualPosted" and public.payload["entity"] == {
        "id": "f-1-cycle-1", "credit_facility_id": "f-1", "period": {
            "interval": {"type": "end_of_month"}, "start": "2023-12-15T00:00:00Z", "end": "2023-12-31T23:59:59Z"},
        "due_at": "2023-12-31",
        "posting": {"tx_id": "f-1-interest-accrual-cycle-1", "amount": 17 * DAILY, "effective": "2023-12-31"}}


def test_a_zero_cycle_posts_no_obligation_no_ledger_and_a_public_event_without_posting():
    events = accrued_through(date(2023, 12, 31), principal=0)
    (posted,) = when(events, PostAccruedInterest("ob-1"))
    assert (posted.total, posted.obligation_id) == (0, None)
    cycle = fold(INTEREST_ACCRUAL_CYCLE, *events, posted)
    assert post_accrual_cycle(cycle, posted) == ()
    (public,) = INTEREST_ACCRUAL_CYCLE.publish(cycle, posted)
    assert (public.payload["entity"]["posting"], public.payload["entity"]["due_at"]) == (None, "2023-12-31")
    assert [type(s.command) for s in post_cycle(fold(INTEREST_ACCRUAL_CYCLE, *events), "ob-1")] == [
        PostAccruedInterest, ConcludeAccrualCycle, StartAccrualCycle]


def test_the_next_accrual_end_column_follows_the_cycle_and_waits_at_its_end_for_the_posting():
    assert next_accrual_end(fold(INTEREST_ACCRUAL_CYCLE, *started())) == date(2023, 12, 15)
    assert next_accrual_end(fold(INTEREST_ACCRUAL_CYCLE, *accrued_through(date(2023, 12, 15)))) == date(2023, 12, 16)
    assert next_accrual_end(fold(INTEREST_ACCRUAL_CYCLE, *accrued_through(date(2023, 12, 31)))) == date(2023, 12, 31)


def test_the_day_end_index_column_stays_on_the_first_day_while_accruing_so_a_quiet_day_writes_no_row():
    days = [accruing_from(fold(INTEREST_ACCRUAL_CYCLE, *accrued_through(last)))
            for last in (date(2023, 12, 14), date(2023, 12, 15), date(2023, 12, 31))]
    assert days == [date(2023, 12, 15)] * 3
    events = accrued_through(date(2023, 12, 31))
    assert accruing_from(fold(INTEREST_ACCRUAL_CYCLE, *events, *when(events, PostAccruedInterest("ob-1")))) is None


def test_posting_a_cycle_creates_its_obligation_then_posts_concludes_and_starts_the_next():
    cycle = fold(INTEREST_ACCRUAL_CYCLE, *accrued_through(date(2023, 12, 31)))
    obligation, post, conclude, start = post_cycle(cycle, "ob-1")
    assert (obligation.id, obligation.command.amount, obligation.command.due_date, obligation.command.reference) == (
        "ob-1", 17 * DAILY, date(2023, 12, 31), "f-1-interest-accrual-cycle-1")
    assert (post.kind, post.id, post.command) == ("interest-accrual-cycle", "f-1-cycle-1", PostAccruedInterest("ob-1"))
    assert (conclude.kind, conclude.id, conclude.command) == (
        "credit-facility", "f-1", ConcludeAccrualCycle(1, "f-1-interest-accrual-cycle-1", "ob-1"))
    assert (start.id, start.command.period) == ("f-1-cycle-2", Period(date(2024, 1, 1), date(2024, 1, 31)))


def test_the_last_cycle_ends_on_the_maturity_day_and_starts_no_other():
    last = Period(date(2024, 3, 1), MATURITY)
    cycle = fold(INTEREST_ACCRUAL_CYCLE, *accrued_through(MATURITY, history=started(4, last)))
    assert [type(s.command) for s in post_cycle(cycle, "ob-4")][-1] is ConcludeAccrualCycle


def facility():
    command = ActivateFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT, std_terms(),
                               230_000_000, 5_000_000_000, AT, "fee-tx", "disb-1")
    return list(CREDIT_FACILITY.decide(None, command, AT))


def test_the_facility_concludes_the_posted_cycle_and_starts_the_next_once():
    history = facility()
    concluded = CREDIT_FACILITY.decide(fold(CREDIT_FACILITY, *history),
                                       ConcludeAccrualCycle(1, "f-1-interest-accrual-cycle-1", "ob-1"), AT)
    assert concluded == (InterestAccrualCycleConcluded(1, "f-1-interest-accrual-cycle-1", "ob-1"),
                         InterestAccrualCycleStarted("f-1-cycle-2", 2, Period(date(2024, 1, 1), date(2024, 1, 31))))
    again = CREDIT_FACILITY.decide(fold(CREDIT_FACILITY, *history, *concluded),
                                   ConcludeAccrualCycle(1, "f-1-interest-accrual-cycle-1", "ob-1"), AT)
    assert again == ()


def test_over_a_leap_february_every_day_from_activation_to_maturity_is_charged_once():
    periods = [FIRST, Period(date(2024, 1, 1), date(2024, 1, 31)), Period(date(2024, 2, 1), date(2024, 2, 29)),
               Period(date(2024, 3, 1), MATURITY)]
    cycles = [accrued_through(p.end, history=started(i, p)) for i, p in enumerate(periods, 1)]
    accrued = [e for events in cycles for e in events if isinstance(e, InterestAccrued)]
    assert sum(e.period.days for e in accrued) == (MATURITY - date(2023, 12, 15)).days + 1 == 92
    assert fold(INTEREST_ACCRUAL_CYCLE, *cycles[2]).total == 29 * DAILY


def test_an_imported_cycle_records_what_was_accrued_before_the_import_and_its_posting_once():
    start = StartAccrualCycle("f-1-cycle-1", "f-1", 1, FIRST, MATURITY, std_terms())
    days = Period(date(2023, 12, 15), date(2023, 12, 20))
    current = INTEREST_ACCRUAL_CYCLE.decide(None, ImportAccrualCycle(start, days, 6 * DAILY), AT)
    assert current[1:] == (InterestAccrued(1, days, 6 * DAILY, date(2023, 12, 20)),)
    assert next_accrual_end(fold(INTEREST_ACCRUAL_CYCLE, *current)) == date(2023, 12, 21)  # the day end goes on
    posted = INTEREST_ACCRUAL_CYCLE.decide(None, ImportAccrualCycle(start, FIRST, 812_33, "o-1"), AT)
    assert posted[2] == InterestAccrualsPosted(1, FIRST, 812_33, "o-1", FIRST.end, "f-1-interest-accrual-cycle-1")
    assert accruing_from(fold(INTEREST_ACCRUAL_CYCLE, *posted)) is None  # never selected by a day end again
    assert when(posted, ImportAccrualCycle(start, FIRST, 812_33, "o-1")) == ()

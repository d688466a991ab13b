"""What a facility's day end and a payment ask of the bank (given a state -> when the day ends or a
payment arrives -> then these commands): accruals, maturity, cycle postings and allocations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from typing import NamedTuple

import attrs

from domains.credit import (
    CREDIT_FACILITY,
    INTEREST_ACCRUAL_CYCLE,
    FacilityStatus,
    ObligationStatus,
    ObligationType,
    Period,
    std_terms,
)
from domains.credit.collection import AllocatePayment, CreateObligation, RecordAllocation, allocation_commands
from domains.credit.facility import (
    PendingFacility,
    PostAccruedInterest,
    accrual_due_end,
    activate,
    due_to_mature,
    ends_cycle,
    post_cycle,
)
from tests.domains.support import fold

AT = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
PRICE, AMOUNT = 5_000_000, 100_000_00


def facility():
    """Activated on Jan 10 for 3 months (std terms: daily accruals in monthly cycles)."""
    return fold(CREDIT_FACILITY, *CREDIT_FACILITY.decide(None, activation()[0].command, AT))


def activation():
    pending = PendingFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT, std_terms(), AT,
                              collateral=300_000_000, price=PRICE)
    numbers = count(1)
    return activate(pending, PRICE, AT, lambda: f"id-{next(numbers)}")


def cycle():
    """The facility's first cycle, created with its activation."""
    start = next(s for s in activation() if s.kind == "interest-accrual-cycle")
    return fold(INTEREST_ACCRUAL_CYCLE, *INTEREST_ACCRUAL_CYCLE.decide(None, start.command, AT))


def test_the_activation_creates_the_first_cycle_from_the_activation_day_to_month_end():
    assert (cycle().id, cycle().period) == ("f-1-cycle-1", Period(date(2024, 1, 10), date(2024, 1, 31)))


def test_no_accrual_is_due_before_the_first_period_ends():
    assert accrual_due_end(cycle(), date(2024, 1, 9)) is None


def test_the_day_that_ended_is_due_without_completing_the_cycle():
    c = cycle()
    assert c.next_accrual() == Period(date(2024, 1, 10), date(2024, 1, 10))
    end = accrual_due_end(c, date(2024, 1, 10))
    assert end == date(2024, 1, 10) and not ends_cycle(c, end)


def test_the_cycles_last_day_completes_it():
    c = attrs.evolve(cycle(), accrued_through=date(2024, 1, 30))
    end = accrual_due_end(c, date(2024, 2, 2))  # a late day end still accrues the next period only
    assert end == date(2024, 1, 31) and ends_cycle(c, end)


def test_a_posted_cycle_is_never_due():
    assert accrual_due_end(attrs.evolve(cycle(), posted=True), date(2024, 1, 20)) is None


def test_an_active_facility_matures_on_its_maturity_date_and_not_the_day_before():
    f = facility()
    assert (due_to_mature(f, date(2024, 4, 9)), due_to_mature(f, date(2024, 4, 10))) == (False, True)


def test_a_matured_facility_does_not_mature_again():
    assert not due_to_mature(attrs.evolve(facility(), status=FacilityStatus.MATURED), date(2024, 5, 1))


def test_a_cycle_with_interest_posts_an_interest_obligation_due_on_its_last_day():
    c = attrs.evolve(cycle(), accrued_through=date(2024, 1, 31), total=1_234)
    obligation, posted, *_ = post_cycle(c, "o-1")
    assert isinstance(obligation.command, CreateObligation)
    assert (obligation.command.obligation_type, obligation.command.amount, obligation.command.due_date) == \
        (ObligationType.INTEREST, 1_234, c.period.end)
    assert obligation.command.reference == f"f-1-interest-accrual-cycle-{c.idx}"
    assert (posted.kind, posted.id, posted.command) == ("interest-accrual-cycle", "f-1-cycle-1",
                                                        PostAccruedInterest("o-1"))


def test_a_cycle_without_interest_posts_without_an_obligation():
    assert CreateObligation not in [type(s.command) for s in post_cycle(cycle(), "o-1")]


class Owed(NamedTuple):
    """What allocation reads of an obligation."""

    id: str
    obligation_type: ObligationType
    effective: date
    outstanding: int
    status: ObligationStatus = ObligationStatus.DUE
    beneficiary_id: str = "f-1"
    payment_ids: tuple[str, ...] = ()


def test_a_payment_is_allocated_interest_first_each_allocation_numbered_after_earlier_payments():
    principal = Owed("o-p", ObligationType.DISBURSAL, date(2024, 1, 10), 500_00)
    interest = Owed("o-i", ObligationType.INTEREST, date(2024, 2, 1), 100_00, ObligationStatus.OVERDUE, "f-1", ("p-0",))
    numbers = count(1)
    sends = allocation_commands("p-1", 300_00, date(2024, 2, 5), [principal, interest], lambda: f"a-{next(numbers)}")
    assert [s.command for s in sends] == [
        RecordAllocation("a-1", "p-1", "o-i", ObligationType.INTEREST, "f-1", 100_00, "overdue", 2, date(2024, 2, 5)),
        AllocatePayment("p-1", "a-1", 100_00, date(2024, 2, 5)),
        RecordAllocation("a-2", "p-1", "o-p", ObligationType.DISBURSAL, "f-1", 200_00, "due", 1, date(2024, 2, 5)),
        AllocatePayment("p-1", "a-2", 200_00, date(2024, 2, 5)),
    ]

"""An import records each obligation and collateral of a facility in one command: the events its
create command and the alarms or update that follow would record, in the same order."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domains.credit.collateral import collateral
from domains.credit.collection import obligation
from domains.credit.commands import (
    CreateCollateral,
    CreateObligation,
    ImportCollateral,
    ImportObligation,
    TransitionObligation,
    UpdateCollateral,
)
from domains.credit.primitives import ObligationStatus, ObligationType

AT = datetime(2024, 3, 10, tzinfo=UTC)
DUE = date(2024, 1, 15)


def _create(overdue: date | None, defaulted: date | None) -> CreateObligation:
    return CreateObligation("ob-1", "fac-1", ObligationType.INTEREST, 81_233, "fac-1-interest-accrual-cycle-2", DUE,
                            overdue, None, defaulted, DUE)


def _through_alarms(create: CreateObligation, as_of: date) -> tuple[object, ...]:
    """The create command, then each alarm's transition while its date is on or before `as_of`."""
    events = list(obligation.decide(None, create, AT))
    state = obligation.apply(None, events[0])
    while (alarm := obligation.alarm(state)) is not None and alarm[1].day <= as_of:
        step = obligation.decide(state, alarm[1], AT)
        for event in step:
            state = obligation.apply(state, event)
        events += step
    return tuple(events)


def test_an_imported_obligation_past_its_dates_records_every_status_it_has_reached():
    create = _create(date(2024, 2, 4), date(2024, 3, 5))
    events = obligation.decide(None, ImportObligation(create, AT.date()), AT)
    assert events == _through_alarms(create, AT.date())
    state = None
    for event in events:
        state = obligation.apply(state, event)
    assert state is not None and state.status is ObligationStatus.DEFAULTED and state.outstanding == 81_233


def test_an_imported_obligation_not_yet_due_is_only_created_and_waits_for_its_alarm():
    create = _create(None, None)
    events = obligation.decide(None, ImportObligation(create, date(2024, 1, 14)), AT)
    assert events == obligation.decide(None, create, AT)
    assert obligation.alarm(obligation.apply(None, events[0])) == (datetime(2024, 1, 15, tzinfo=UTC),
                                                                   TransitionObligation(DUE))


def test_an_imported_obligation_already_recorded_changes_nothing():
    create = _create(None, None)
    state = obligation.apply(None, obligation.decide(None, create, AT)[0])
    assert obligation.decide(state, ImportObligation(create, AT.date()), AT) == ()


def test_imported_collateral_is_its_creation_and_its_manual_update_in_one_command():
    create = CreateCollateral("col-1", "fac-1")
    events = collateral.decide(None, ImportCollateral(create, 250_000_000, AT.date()), AT)
    created = collateral.decide(None, create, AT)
    updated = collateral.decide(collateral.apply(None, created[0]), UpdateCollateral(250_000_000, AT.date()), AT)
    assert events == created + updated and len(events) == 2


def test_imported_collateral_of_zero_sats_is_only_created():
    create = CreateCollateral("col-1", "fac-1")
    assert collateral.decide(None, ImportCollateral(create, 0, AT.date()), AT) == collateral.decide(None, create, AT)

"""Importing a facility that was activated before the journal began (a lanasim extension).

The import records the position as facts: the facility's `FacilityInitialized` dated at the true
activation (so maturity = activation + duration months); then, when interest was posted and is
unpaid, the last completed accrual cycle (its own aggregate) accrued and posted at once for that
amount (its obligation is due on that cycle's last day) and concluded by the facility; then the
cycle that contains the import date, with the days of it before the import date accrued as one
period on the imported principal (Lana's rounding: rounded up to the cent). A facility whose last
cycle ended before the import is matured.

The bank activates a facility fully collateralized; an imported one in any other state at the
import price records the change to it (`CollateralizationStateChanged`, so a margin call is
announced as the bank announces one), and one under its liquidation CVL starts its partial
liquidation at once (`PartialLiquidationInitiated`, into `liquidation_id`), as entering that state
does."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import cast

import attrs

from domains.aggregate import Send
from domains.credit.collateral.collateralization import CollateralizationState, classify
from domains.credit.collection.schedule import obligation_dates
from domains.credit.commands import ImportAccrualCycle, StartAccrualCycle
from domains.credit.errors import CreditError, MissingId
from domains.credit.facility import events as ev
from domains.credit.facility.accrual_cycle import KIND as CYCLE
from domains.credit.facility.cycle import AccrualCycle, cycle_id, cycle_periods_at, posting_tx_id
from domains.credit.facility.margin import ratio_of
from domains.credit.math import add_months, cvl, interest_for_period, liquidation_amounts
from domains.credit.periods import Period
from domains.credit.primitives import Outstanding
from domains.credit.terms import InterestInterval, TermValues

__all__ = ["ImportFacility", "ImportInconsistent", "cycles_at", "imported_cycles", "imported_events",
           "imported_state", "inconsistency", "owed_at_import"]


class ImportInconsistent(CreditError):
    """An imported position contradicts itself (facility_id, problem)."""


@attrs.frozen
class ImportFacility:
    """An existing facility as of `as_of` (00:00 UTC): `disbursed` paid out so far (as one initial
    disbursal, `initial_disbursal_id`), `principal` and posted `interest` still owed, collateral at
    `price`; `interest_obligation_id` names the obligation of the posted interest (if > 0), and
    `liquidation_id` the partial liquidation a facility under its liquidation CVL starts."""

    id: str
    customer_id: str
    customer_type: str
    collateral_id: str
    disbursal_credit_account_id: str
    amount: int
    terms: TermValues
    collateral_sats: int
    price: int
    activated_at: datetime
    as_of: date
    disbursed: int
    principal: int
    interest: int
    initial_disbursal_id: str | None = None
    interest_obligation_id: str | None = None
    liquidation_id: str | None = None


def imported_state(c: ImportFacility, owed: int | None = None) -> CollateralizationState:
    """The facility's collateralization at the import price, on what it owes (`owed`, default
    `owed_at_import`)."""
    return classify(cvl(c.collateral_sats, owed_at_import(c) if owed is None else owed, c.price), c.terms)


def owed_at_import(c: ImportFacility) -> int:
    """Principal and posted interest owed, less what the import date has defaulted already: the
    bank's CVL and a liquidation's size leave defaulted balances out (Lana's `total_outstanding`),
    so a book whose interest had defaulted started a liquidation the bank's books did not call for
    (and then left it as a margin call, its liquidation still running)."""
    maturity, _, previous, _ = _calendar(c.terms.accrual_cycle_interval, c.activated_at.date(), c.terms.duration,
                                         c.as_of)
    principal = 0 if _defaulted_by(c, maturity) else c.principal
    interest = 0 if previous is None or _defaulted_by(c, previous.end) else c.interest
    return principal + interest


def _defaulted_by(c: ImportFacility, due: date) -> bool:
    """Whether an obligation due on `due` is Defaulted by the import date (as `ImportObligation` records it)."""
    defaulted = obligation_dates(c.terms, due)["defaulted_date"]
    return defaulted is not None and defaulted <= c.as_of


def cycles_at(facility_id: str, terms: TermValues, activated: date,
              as_of: date) -> tuple[AccrualCycle | None, AccrualCycle | None]:
    """(last cycle ended before `as_of` or None, cycle containing `as_of` or None), cycles truncated
    at maturity as the facility runs them (`first_cycle`, `next_cycle`: walked as periods, the two
    cycles named at the end)."""
    _, idx, previous, period = _calendar(terms.accrual_cycle_interval, activated, terms.duration, as_of)
    return (None if previous is None else AccrualCycle(cycle_id(facility_id, idx - 1), idx - 1, previous),
            None if period is None else AccrualCycle(cycle_id(facility_id, idx), idx, period))


@lru_cache(maxsize=4096)
def _calendar(interval: InterestInterval, activated: date, duration: int,
              as_of: date) -> tuple[date, int, Period | None, Period | None]:
    """(maturity, idx, previous period, current period) of `cycle_periods_at` for a facility
    activated on `activated` for `duration` months: a pure function of the calendar, which a book's
    facilities share (a few terms, an activation date a day), asked about four times a facility
    (the book's check, the import's collateralization, the facility's events and its cycles). The
    periods are frozen values, shared safely. Bounded: a book of every distinct date still holds a
    few hundred KB."""
    maturity = add_months(activated, duration)
    return maturity, *cycle_periods_at(interval, activated, maturity, as_of)


def inconsistency(amount: int, disbursed: int, principal: int, interest: int, terms: TermValues,
                  activated: date, as_of: date) -> str | None:
    """Why these amounts cannot describe one facility at `as_of`, or None."""
    ended = interest <= 0 or _calendar(terms.accrual_cycle_interval, activated, terms.duration, as_of)[2] is not None
    return _inconsistency(amount, disbursed, principal, interest, terms, activated, as_of, ended)


def _inconsistency(amount: int, disbursed: int, principal: int, interest: int, terms: TermValues,
                   activated: date, as_of: date, ended: bool) -> str | None:
    """`inconsistency`, told whether a cycle has ended by `as_of` (the cycles walked once)."""
    if disbursed > amount:
        return f"disbursed {disbursed} cents is above the facility's {amount}"
    if principal > disbursed:
        return f"principal outstanding {principal} cents is above the {disbursed} disbursed"
    if terms.is_single_disbursal and disbursed != amount:
        return "single_disbursal terms pay out the whole facility at activation (set disbursal_policy)"
    if activated > as_of:
        return f"activated on {activated}, after the import date {as_of}"
    if interest > 0 and not ended:
        return "interest is posted at the end of an accrual cycle, and none has ended by the import date"
    return None


def imported_events(c: ImportFacility) -> tuple[ev.FacilityEvent, ...]:
    """The facility's events for an import (see the module docstring for the rule); the cycles'
    own figures are `imported_cycles`."""
    previous, current = _checked(c)
    maturity = _calendar(c.terms.accrual_cycle_interval, c.activated_at.date(), c.terms.duration, c.as_of)[0]
    owed = owed_at_import(c)
    state = imported_state(c, owed)
    events: list[ev.FacilityEvent] = [ev.FacilityInitialized(
        c.id, c.id, c.customer_id, c.customer_type, c.collateral_id, c.disbursal_credit_account_id, c.amount,
        c.terms, c.activated_at, maturity, f"{c.id}-activation", 0, None,
        c.initial_disbursal_id if c.disbursed else None, c.disbursed, state, c.collateral_sats,
        Outstanding(c.principal, c.interest), c.price, ratio_of(c.collateral_sats, owed)),
        ev.FacilityImported(c.as_of, c.disbursed, c.principal, c.interest), *_collateralization(c, state, owed)]
    if c.interest > 0:
        last = cast(AccrualCycle, previous)  # `inconsistency` refused None
        events += [ev.InterestAccrualCycleStarted(last.id, last.idx, last.period),
                   ev.InterestAccrualCycleConcluded(last.idx, posting_tx_id(c.id, last.idx), c.interest_obligation_id)]
    if current is not None:
        events.append(ev.InterestAccrualCycleStarted(current.id, current.idx, current.period))
    if maturity <= c.as_of:
        events.append(ev.FacilityMatured())
    return tuple(events)


def _collateralization(c: ImportFacility, state: CollateralizationState, owed: int) -> tuple[ev.FacilityEvent, ...]:
    """The change from the activation's full collateralization to `state`, and the partial
    liquidation that entering UnderLiquidationThreshold starts, sized on `owed` (see the module docstring)."""
    if state is CollateralizationState.FULLY_COLLATERALIZED:
        return ()
    changed = ev.CollateralizationStateChanged(state, c.collateral_sats, Outstanding(c.principal, c.interest), c.price)
    if state is not CollateralizationState.UNDER_LIQUIDATION_THRESHOLD:
        return (changed,)
    if c.liquidation_id is None:
        raise MissingId(field="liquidation_id")
    receive, sell = liquidation_amounts(owed, c.collateral_sats, c.price, c.terms.initial_cvl)
    return (changed, ev.PartialLiquidationInitiated(c.liquidation_id, c.price, receive, sell))


def imported_cycles(c: ImportFacility) -> tuple[Send, ...]:
    """The accrual cycles' commands for an import: the posted unpaid interest as the last ended
    cycle accrued and posted at once for that amount (into `interest_obligation_id`), then the cycle
    containing the import date with its days before the import date accrued as one period on the
    imported principal (rounded up to the cent)."""
    previous, current = _checked(c)
    maturity = _calendar(c.terms.accrual_cycle_interval, c.activated_at.date(), c.terms.duration, c.as_of)[0]
    sends = []
    if c.interest > 0:
        last = cast(AccrualCycle, previous)
        sends.append(_cycle(c, last, maturity, last.period, c.interest, c.interest_obligation_id))
    if current is not None:
        days = Period(current.period.start, c.as_of - timedelta(days=1)) if c.as_of > current.period.start else None
        amount = 0 if days is None else interest_for_period(c.principal, days.days, c.terms.annual_rate)
        sends.append(_cycle(c, current, maturity, days, amount, None))
    return tuple(sends)


def _checked(c: ImportFacility) -> tuple[AccrualCycle | None, AccrualCycle | None]:
    """The command's (last ended, current) cycles, walked once; `ImportInconsistent` if it contradicts itself."""
    activated = c.activated_at.date()
    cycles = cycles_at(c.id, c.terms, activated, c.as_of)
    problem = _inconsistency(c.amount, c.disbursed, c.principal, c.interest, c.terms, activated, c.as_of,
                             cycles[0] is not None)
    if problem is not None:
        raise ImportInconsistent(facility_id=c.id, problem=problem)
    return cycles


def _cycle(c: ImportFacility, cycle: AccrualCycle, maturity: date, accrued: Period | None, amount: int,
           obligation_id: str | None) -> Send:
    start = StartAccrualCycle(cycle.id, c.id, cycle.idx, cycle.period, maturity, c.terms)
    return Send(CYCLE, cycle.id, ImportAccrualCycle(start, accrued, amount, obligation_id))

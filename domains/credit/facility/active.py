"""Credit facility (Lana: core/credit/src/credit_facility/entity.rs; core/credit/src/lib.rs): activation, maturity and
completion; interest accrual
lives in `accrual`, collateralization, liquidation and the disbursal gate in `margin`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.credit import commands as cmd
from domains.credit.collateral.collateralization import CollateralizationState, classify
from domains.credit.errors import DisbursalNotConcluded, MissingId, OutstandingAmount, require
from domains.credit.facility import accrual, margin
from domains.credit.facility import events as ev
from domains.credit.facility.activation import ActivationAmounts, activation_amounts
from domains.credit.facility.cycle import AccrualCycle, first_cycle
from domains.credit.facility.imported import ImportFacility, imported_events
from domains.credit.facility.margin import ratio_of
from domains.credit.math import cvl
from domains.credit.primitives import FacilityStatus, Outstanding
from domains.credit.terms import TermValues

__all__ = ["COMMANDS", "Facility", "apply", "decide"]

KIND = "credit-facility"


@attrs.frozen
class Facility:
    """`collateral`, `outstanding` (payable part) and `price` are those of the last state change;
    `ratio` is sats per outstanding cent (None: nothing outstanding)."""

    id: str
    pending_facility_id: str
    customer_id: str
    customer_type: str
    collateral_id: str
    disbursal_credit_account_id: str
    amount: int
    terms: TermValues
    activated_at: datetime
    maturity_date: date
    activation_tx_id: str
    structuring_fee: int
    structuring_fee_tx_id: str | None
    initial_disbursal_id: str | None
    collateralization_state: CollateralizationState
    collateral: int
    outstanding: Outstanding
    price: int
    ratio: Decimal | None
    status: FacilityStatus = FacilityStatus.ACTIVE
    cycle: AccrualCycle | None = None
    liquidation: ev.PartialLiquidationInitiated | None = None
    liquidation_running: bool = False
    disbursals: tuple[tuple[str, int], ...] = ()
    completed_at: datetime | None = None

    @property
    def disbursed_total(self) -> int:
        return sum(amount for _, amount in self.disbursals)


def apply(state: Facility | None, event: ev.FacilityEvent) -> Facility:
    match event:
        case ev.FacilityInitialized():
            return _initialized(event)
        case ev.InterestAccrualCycleStarted() | ev.InterestAccrualCycleConcluded():
            return accrual.evolve(require(state, KIND), event)
        case (ev.CollateralizationStateChanged() | ev.CollateralizationRatioChanged() | ev.PartialLiquidationInitiated()
              | ev.ProceedsFromPartialLiquidationApplied() | ev.FacilityDisbursalRecorded()
              | ev.FacilityDisbursalCancelled()):
            return margin.evolve(require(state, KIND), event)
        case ev.FacilityMatured():
            return evolve(require(state, KIND), status=FacilityStatus.MATURED)
        case ev.FacilityImported():
            return require(state, KIND)
        case ev.FacilityCompleted(completed_at=completed_at):
            return evolve(require(state, KIND), status=FacilityStatus.CLOSED, completed_at=completed_at)
        case _:
            assert_never(event)


def _initialized(e: ev.FacilityInitialized) -> Facility:
    initial = ((e.initial_disbursal_id, e.initial_disbursal_amount),) if e.initial_disbursal_id else ()
    return Facility(e.id, e.pending_facility_id, e.customer_id, e.customer_type, e.collateral_id,
                    e.disbursal_credit_account_id, e.amount, e.terms, e.activated_at, e.maturity_date,
                    e.activation_tx_id, e.structuring_fee, e.structuring_fee_tx_id, e.initial_disbursal_id,
                    e.collateralization_state, e.collateral, e.outstanding, e.price, e.collateralization_ratio,
                    disbursals=initial)


def decide(state: Facility | None, command: object, at: datetime) -> tuple[ev.FacilityEvent, ...]:
    if isinstance(command, cmd.ActivateFacility):
        return () if state is not None else _activate(command)
    if isinstance(command, ImportFacility):  # a facility activated before the journal began
        return () if state is not None else imported_events(command)
    f = require(state, KIND)
    match command:
        case cmd.Mature(day=day):
            return _mature(f, day)
        case cmd.CompleteFacility(outstanding_cents=outstanding, unconcluded_disbursal_id=unconcluded):
            return _complete(f, outstanding, unconcluded, at)
        case cmd.ConcludeAccrualCycle():
            return accrual.decide(f, command)
    return margin.decide(f, command)


def _activate(c: cmd.ActivateFacility) -> tuple[ev.FacilityEvent, ...]:
    """Maturity = activation + duration months; the first cycle starts on the activation day."""
    plan = activation_amounts(c.amount, c.terms, c.activated_at)
    cycle = first_cycle(c.id, c.terms, c.activated_at.date(), plan.maturity)
    return _initialized_event(c, plan), ev.InterestAccrualCycleStarted(cycle.id, cycle.idx, cycle.period)


def _initialized_event(c: cmd.ActivateFacility, plan: ActivationAmounts) -> ev.FacilityInitialized:
    """The amounts are the activation's (`activation_amounts`); the initial state is measured
    against the full amount, as Lana's pending completion does."""
    fee, initial, disbursed = plan.fee, plan.initial_disbursal, plan.disbursed
    state = classify(cvl(c.collateral_sats, c.amount, c.price), c.terms)
    return ev.FacilityInitialized(
        c.id, c.pending_facility_id, c.customer_id, c.customer_type, c.collateral_id, c.disbursal_credit_account_id,
        c.amount, c.terms, c.activated_at, plan.maturity, f"{c.id}-activation", fee,
        _needed(c.structuring_fee_tx_id, "structuring_fee_tx_id", fee),
        _needed(c.initial_disbursal_id, "initial_disbursal_id", initial), initial, state, c.collateral_sats,
        Outstanding(disbursed), c.price, ratio_of(c.collateral_sats, disbursed))


def _needed(value: str | None, field: str, amount: int) -> str | None:
    """An id the activation needs iff `amount` > 0 (recorded as None otherwise)."""
    if amount == 0:
        return None
    if value is None:
        raise MissingId(field=field)
    return value


def _mature(f: Facility, day: date) -> tuple[ev.FacilityEvent, ...]:
    """Once, for an Active facility whose maturity date has come; a closed one never matures."""
    if f.status is not FacilityStatus.ACTIVE or f.maturity_date > day:
        return ()
    return (ev.FacilityMatured(),)


def _complete(f: Facility, outstanding: int, unconcluded: str | None, at: datetime) -> tuple[ev.FacilityEvent, ...]:
    """Nothing outstanding or defaulted (Lana's `CreditFacility::complete`), and no disbursal still
    awaiting its approval or its settlement.

    The second is not Lana's rule, and its absence is a bug there: a disbursal initiated and not yet
    approved posts nothing to the receivables its balances read, so the facility completes, and the
    approval job then settles the disbursal on the closed facility
    (`core/credit/src/disbursal/jobs/approve.rs` checks no status): principal disbursed and owed on a
    facility that takes no payment (`PaymentOnClosedFacility`). Here completion is refused until the
    operator denies the disbursal, or it is approved and settled (and then owed)."""
    if f.status is FacilityStatus.CLOSED:
        return ()
    if outstanding > 0:
        raise OutstandingAmount(facility_id=f.id, outstanding=outstanding)
    if unconcluded is not None:
        raise DisbursalNotConcluded(facility_id=f.id, disbursal_id=unconcluded)
    return (ev.FacilityCompleted(at),)


COMMANDS = (cmd.ActivateFacility, cmd.ConcludeAccrualCycle, cmd.UpdateCollateralization,
            cmd.ApplyLiquidationProceeds, cmd.RecordDisbursalInitiated, cmd.RecordDisbursalCancelled, cmd.Mature,
            cmd.CompleteFacility, ImportFacility)

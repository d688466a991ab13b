"""A facility's collateralization (Lana: core/credit/terms/src/cvl.rs; core/price/src/lib.rs;
core/credit/collateral/src/liquidation/payment.rs): state with hysteresis, the price-free
ratio, partial liquidation on entering UnderLiquidationThreshold, and the disbursal gate."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, assert_never

from domains.aggregate import evolve as replaced
from domains.credit import commands as cmd
from domains.credit.collateral.collateralization import CollateralizationState, next_state
from domains.credit.errors import (
    BelowMarginLimit,
    DisbursalAboveFacilityAmount,
    DisbursalOnInactiveFacility,
    DisbursalPastMaturityDate,
    MissingId,
    NonPositiveAmount,
    NoSuchLiquidationInitiated,
    OnlyOneDisbursalAllowed,
)
from domains.credit.facility import events as ev
from domains.credit.math import cvl, liquidation_amounts
from domains.credit.primitives import FacilityStatus, Outstanding

if TYPE_CHECKING:
    from domains.credit.facility.active import Facility

__all__ = ["assert_disbursal_allowed", "decide", "evolve", "ratio_of"]

S = CollateralizationState
MarginEvent = (ev.CollateralizationStateChanged | ev.CollateralizationRatioChanged | ev.PartialLiquidationInitiated
               | ev.ProceedsFromPartialLiquidationApplied | ev.FacilityDisbursalRecorded
               | ev.FacilityDisbursalCancelled)


def evolve(f: Facility, event: MarginEvent) -> Facility:
    match event:
        case ev.CollateralizationStateChanged(state=state, collateral=sats, outstanding=owed, price=price):
            return replaced(f, collateralization_state=state, collateral=sats, outstanding=owed, price=price)
        case ev.CollateralizationRatioChanged(ratio=ratio):
            return replaced(f, ratio=ratio)
        case ev.PartialLiquidationInitiated():
            return replaced(f, liquidation=event, liquidation_running=True)
        case ev.ProceedsFromPartialLiquidationApplied():
            return replaced(f, liquidation_running=False)
        case ev.FacilityDisbursalRecorded(disbursal_id=id_, amount=amount):
            return replaced(f, disbursals=(*f.disbursals, (id_, amount)))
        case ev.FacilityDisbursalCancelled(disbursal_id=id_):
            return replaced(f, disbursals=tuple(d for d in f.disbursals if d[0] != id_))
        case _:
            assert_never(event)


def decide(f: Facility, command: object) -> tuple[ev.FacilityEvent, ...]:
    match command:
        case cmd.UpdateCollateralization():
            return _update(f, command)
        case cmd.ApplyLiquidationProceeds(liquidation_id=liquidation_id):
            return _apply_proceeds(f, liquidation_id)
        case cmd.RecordDisbursalInitiated(disbursal_id=id_, amount=amount):
            return _record_disbursal(f, id_, amount)
        case cmd.RecordDisbursalCancelled(disbursal_id=id_):
            return tuple(ev.FacilityDisbursalCancelled(d, amount) for d, amount in f.disbursals if d == id_)
    raise TypeError(f"not a credit-facility command: {command!r}")


def ratio_of(collateral_sats: int, outstanding_cents: int) -> Decimal | None:
    """Sats per outstanding cent (CVL % = ratio × price / 1,000,000); None when nothing is owed."""
    return Decimal(collateral_sats) / outstanding_cents if outstanding_cents else None


def _update(f: Facility, c: cmd.UpdateCollateralization) -> tuple[ev.FacilityEvent, ...]:
    ratio = ratio_of(c.collateral_sats, c.outstanding_cents)
    ratio_changed = () if ratio == f.ratio else (ev.CollateralizationRatioChanged(ratio),)
    new = _target(f, c)
    if new is None:
        return ratio_changed
    owed = Outstanding(c.payable_disbursed, c.payable_interest)
    changed = ev.CollateralizationStateChanged(new, c.collateral_sats, owed, c.price)
    return (*ratio_changed, changed, *_maybe_liquidate(f, c, new))


def _target(f: Facility, c: cmd.UpdateCollateralization) -> S | None:
    """The state to record (None: unchanged); a closed facility is forced to NoCollateral."""
    if f.status is FacilityStatus.CLOSED:
        return None if f.collateralization_state is S.NO_COLLATERAL else S.NO_COLLATERAL
    return next_state(cvl(c.collateral_sats, c.outstanding_cents, c.price), f.collateralization_state, f.terms)


def _maybe_liquidate(f: Facility, c: cmd.UpdateCollateralization, new: S) -> tuple[ev.FacilityEvent, ...]:
    """Only on entering UnderLiquidationThreshold, with something owed and none running. As in Lana
    (`CreditFacility::update_collateralization` calls `maybe_initiate_partial_liquidation` only when
    the state changes), a facility still under the threshold once its liquidation's proceeds are
    applied starts no second one until it leaves that state and enters it again."""
    if new is not S.UNDER_LIQUIDATION_THRESHOLD or c.outstanding_cents <= 0 or f.liquidation_running:
        return ()
    if c.next_liquidation_id is None:
        raise MissingId(field="next_liquidation_id")
    receive, sell = liquidation_amounts(c.outstanding_cents, c.collateral_sats, c.price, f.terms.initial_cvl)
    return (ev.PartialLiquidationInitiated(c.next_liquidation_id, c.price, receive, sell),)


def _apply_proceeds(f: Facility, liquidation_id: str) -> tuple[ev.FacilityEvent, ...]:
    running = f.liquidation.liquidation_id if f.liquidation is not None else None
    if running == liquidation_id and not f.liquidation_running:
        return ()
    if running != liquidation_id:
        raise NoSuchLiquidationInitiated(facility_id=f.id, liquidation_id=liquidation_id)
    return (ev.ProceedsFromPartialLiquidationApplied(liquidation_id),)


def _record_disbursal(f: Facility, disbursal_id: str, amount: int) -> tuple[ev.FacilityEvent, ...]:
    if any(d == disbursal_id for d, _ in f.disbursals):
        return ()
    _ensure_within_amount(f, amount)
    return (ev.FacilityDisbursalRecorded(disbursal_id, amount),)


def assert_disbursal_allowed(f: Facility, at: datetime, amount: int, cvl_with_new: Decimal | None) -> None:
    """Lana's `assert_disbursal_allowed` (+ the amount limit the ledger would enforce)."""
    if amount <= 0:
        raise NonPositiveAmount(field="amount", amount=amount)
    if f.status is not FacilityStatus.ACTIVE:
        raise DisbursalOnInactiveFacility(facility_id=f.id, status=f.status)
    if f.terms.is_single_disbursal:
        raise OnlyOneDisbursalAllowed(facility_id=f.id)
    if at >= datetime.combine(f.maturity_date, time(), UTC):
        raise DisbursalPastMaturityDate(facility_id=f.id, maturity_date=f.maturity_date)
    if cvl_with_new is not None and cvl_with_new < f.terms.margin_call_cvl:
        raise BelowMarginLimit(cvl=cvl_with_new, margin_call_cvl=f.terms.margin_call_cvl)
    _ensure_within_amount(f, amount)


def _ensure_within_amount(f: Facility, amount: int) -> None:
    remaining = f.amount - f.disbursed_total
    if amount > remaining:
        raise DisbursalAboveFacilityAmount(facility_id=f.id, amount=amount, remaining=remaining)

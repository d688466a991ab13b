"""Ledger postings of the credit module's events (LANA.md §17.2), built with the accounting
templates. Derived tx ids: `<id>-proposal`, `<id>-interest-accrual-<period end>`, `<id>-due` ..."""

from __future__ import annotations

from typing import cast

from domains.accounting import templates_collateral as collateral_tx
from domains.accounting import templates_collection as collection_tx
from domains.accounting import templates_credit as credit_tx
from domains.accounting.primitives import LedgerTransaction
from domains.credit import collection_events as cev
from domains.credit import events as ev
from domains.credit import liquidation_events as lev
from domains.credit.collateral import Collateral
from domains.credit.disbursal import Disbursal
from domains.credit.facility import Facility
from domains.credit.liquidation import Liquidation
from domains.credit.obligation import Obligation
from domains.credit.payment import Payment, PaymentAllocation
from domains.credit.pending_facility import PendingFacility
from domains.credit.primitives import Direction, ObligationStatus, bucket_of

__all__ = ["post_allocation", "post_collateral", "post_disbursal", "post_facility", "post_liquidation",
           "post_obligation", "post_payment", "post_pending_facility"]

Postings = tuple[LedgerTransaction, ...]


def post_pending_facility(p: PendingFacility, event: ev.PendingFacilityEvent) -> Postings:
    """CREATE_CREDIT_FACILITY_PROPOSAL (pending layer) when the pending facility is created."""
    if not isinstance(event, ev.PendingFacilityInitialized):
        return ()
    return (credit_tx.create_facility_proposal(f"{p.id}-proposal", facility_id=p.id, amount=p.amount,
                                               effective=event.created_at.date()),)


def post_facility(f: Facility, event: ev.FacilityEvent) -> Postings:
    if event.__class__ is ev.InterestAccrued:  # every facility, every day: no pattern walk
        accrued = cast(ev.InterestAccrued, event)
        if accrued.amount <= 0:
            return ()
        day = accrued.accrued_at
        return (credit_tx.accrue_interest(f"{f.id}-interest-accrual-{day.isoformat()}", facility_id=f.id,
                                          amount=accrued.amount, effective=day),)
    match event:
        case ev.FacilityInitialized():
            return _activation(event)
        case ev.InterestAccrualsPosted(total=total, tx_id=tx_id, effective=day) if total > 0:
            return (credit_tx.post_accrued_interest(tx_id, facility_id=f.id, amount=total, effective=day),)
    return ()


def _activation(e: ev.FacilityInitialized) -> Postings:
    """ACTIVATE_CREDIT_FACILITY, and ADD_STRUCTURING_FEE from the customer's deposit if the fee > 0."""
    day = e.activated_at.date()
    activation = credit_tx.activate_facility(e.activation_tx_id, facility_id=e.id, amount=e.amount, effective=day)
    if e.structuring_fee == 0 or e.structuring_fee_tx_id is None:
        return (activation,)
    fee = credit_tx.add_structuring_fee(e.structuring_fee_tx_id, facility_id=e.id, amount=e.structuring_fee,
                                        deposit_account_id=e.disbursal_credit_account_id, effective=day)
    return activation, fee


def post_collateral(c: Collateral, event: cev.CollateralEvent) -> Postings:
    """ADD_COLLATERAL / REMOVE_COLLATERAL (BTC) for the absolute difference; SEND_COLLATERAL_TO_LIQUIDATION
    for sats sent to the running liquidation."""
    match event:
        case cev.CollateralUpdatedViaManualInput() | cev.CollateralUpdatedViaCustodianSync():
            template = collateral_tx.add_collateral if event.direction is Direction.ADD else \
                collateral_tx.remove_collateral
            return (template(event.tx_id, collateral_id=c.id, amount=event.abs_diff, effective=event.effective),)
        case cev.CollateralReleased(tx_id=tx_id, abs_diff=sats, effective=day) if sats > 0:
            return (collateral_tx.remove_collateral(tx_id, collateral_id=c.id, amount=sats, effective=day),)
        case lev.CollateralUpdatedViaLiquidation(tx_id=tx_id, abs_diff=sats, effective=day):
            return (collateral_tx.send_collateral_to_liquidation(tx_id, collateral_id=c.id, amount=sats,
                                                                 effective=day),)
    return ()


def post_liquidation(liq: Liquidation, event: lev.LiquidationEvent) -> Postings:
    """RECEIVE_PROCEEDS_FROM_LIQUIDATION once: the cents into the facility's proceeds account, every
    sat sent out from in-liquidation to liquidated."""
    if not isinstance(event, lev.ProceedsReceivedAndLiquidationCompleted):
        return ()
    return (collateral_tx.receive_proceeds_from_liquidation(
        event.ledger_tx_id, facility_id=liq.facility_id, collateral_id=liq.collateral_id, amount=event.amount,
        sent_total=liq.sent_total, effective=event.effective),)


def post_disbursal(d: Disbursal, event: cev.DisbursalEvent) -> Postings:
    """INITIAL_DISBURSAL for the pre-approved one; INITIATE then CONFIRM or CANCEL otherwise."""
    match event:
        case cev.DisbursalInitialized(effective=day) if not d.pre_approved:
            return (credit_tx.initiate_disbursal(d.id, facility_id=d.facility_id, amount=d.amount, effective=day),)
        case cev.DisbursalSettled(tx_id=tx_id, effective=day):
            template = credit_tx.initial_disbursal if d.pre_approved else credit_tx.confirm_disbursal
            return (template(tx_id, facility_id=d.facility_id, deposit_account_id=d.disbursal_credit_account_id,
                             amount=d.amount, effective=day),)
        case cev.DisbursalCancelled(tx_id=tx_id, effective=day):
            return (credit_tx.cancel_disbursal(tx_id, facility_id=d.facility_id, amount=d.amount, effective=day),)
    return ()


def post_obligation(o: Obligation, event: cev.ObligationEvent) -> Postings:
    """RECORD_OBLIGATION_DUE/OVERDUE/DEFAULTED_BALANCE: the outstanding amount moves bucket."""
    kind, owner = o.obligation_type.value, o.beneficiary_id
    match event:
        case cev.DueRecorded(amount=amount, effective=day):
            return (collection_tx.record_obligation_due(f"{o.id}-due", facility_id=owner, obligation_type=kind,
                                                        amount=amount, effective=day),)
        case cev.OverdueRecorded(amount=amount, effective=day):
            return (collection_tx.record_obligation_overdue(f"{o.id}-overdue", facility_id=owner, obligation_type=kind,
                                                            amount=amount, effective=day),)
        case cev.DefaultedRecorded(amount=amount, effective=day):
            return (collection_tx.record_obligation_defaulted(
                f"{o.id}-defaulted", facility_id=owner, obligation_type=kind, amount=amount, effective=day,
                from_bucket=bucket_of(_defaulted_from(o))),)
    return ()


def _defaulted_from(o: Obligation) -> ObligationStatus:
    """Overdue if it went overdue first (overdue date on or before the defaulted date), else Due."""
    went_overdue = o.overdue_date is not None and o.defaulted_date is not None and o.overdue_date <= o.defaulted_date
    return ObligationStatus.OVERDUE if went_overdue else ObligationStatus.DUE


def post_payment(p: Payment, event: cev.PaymentInitialized) -> Postings:
    return (collection_tx.record_payment(p.id, facility_id=p.facility_id, source_account=p.source_account,
                                         amount=p.amount, effective=p.effective),)


def post_allocation(a: PaymentAllocation, event: cev.PaymentAllocationInitialized) -> Postings:
    """DR payment holding, CR the obligation's receivable in its bucket at allocation time."""
    return (collection_tx.record_payment_allocation(a.id, facility_id=a.facility_id, amount=a.amount,
                                                    obligation_type=a.obligation_type.value,
                                                    bucket=a.receivable_bucket, effective=a.effective),)

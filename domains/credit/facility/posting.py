"""Ledger postings of facilities, their accrual cycles, pending facilities and disbursals; derived tx ids:
`<id>-proposal`, `<id>-interest-accrual-<period end>` ..."""

from __future__ import annotations

from domains.accounting import templates_credit as credit_tx
from domains.accounting.primitives import LedgerTransaction
from domains.credit.facility import disbursal_events as cev
from domains.credit.facility import events as ev
from domains.credit.facility.accrual_cycle import InterestAccrualCycle
from domains.credit.facility.active import Facility
from domains.credit.facility.disbursal import Disbursal
from domains.credit.facility.pending import PendingFacility

__all__ = ["accrual_cycle_ledger_tx_ids", "disbursal_ledger_tx_ids", "facility_ledger_tx_ids",
           "facility_ledger_tx_refs", "post_accrual_cycle", "post_disbursal", "post_facility", "post_pending_facility"]

Postings = tuple[LedgerTransaction, ...]


def post_pending_facility(p: PendingFacility, event: ev.PendingFacilityEvent) -> Postings:
    """CREATE_CREDIT_FACILITY_PROPOSAL (pending layer) when the pending facility is created."""
    if not isinstance(event, ev.PendingFacilityInitialized):
        return ()
    return (credit_tx.create_facility_proposal(f"{p.id}-proposal", facility_id=p.id, amount=p.amount,
                                               effective=event.created_at.date()),)


def post_facility(f: Facility, event: ev.FacilityEvent) -> Postings:
    """The activation's postings; the facility's other events post nothing."""
    return _activation(event) if isinstance(event, ev.FacilityInitialized) else ()


def post_accrual_cycle(c: InterestAccrualCycle, event: ev.AccrualCycleEvent) -> Postings:
    """CREDIT_FACILITY_ACCRUE_INTEREST per non-zero accrual (pending layer), and
    CREDIT_FACILITY_POST_ACCRUED_INTEREST for a posted cycle whose total is positive."""
    match event:
        case ev.InterestAccrued(amount=amount, accrued_at=day) if amount > 0:
            return (credit_tx.accrue_interest(f"{c.facility_id}-interest-accrual-{day.isoformat()}",
                                              facility_id=c.facility_id, amount=amount, effective=day),)
        case ev.InterestAccrualsPosted(total=total, tx_id=tx_id, effective=day) if total > 0:
            return (credit_tx.post_accrued_interest(tx_id, facility_id=c.facility_id, amount=total, effective=day),)
    return ()


def _activation(e: ev.FacilityInitialized) -> Postings:
    """ACTIVATE_CREDIT_FACILITY. The structuring fee is charged by the initial disbursal, after it
    credits the deposit account (`post_disbursal`), as Lana posts activation, initial disbursal,
    then fee; charged here, before the disbursal's command, a customer whose deposit held less
    than the fee was refused activation (an overdraft of the deposit account)."""
    day = e.activated_at.date()
    return (credit_tx.activate_facility(e.activation_tx_id, facility_id=e.id, amount=e.amount, effective=day),)


def post_disbursal(d: Disbursal, event: cev.DisbursalEvent) -> Postings:
    """INITIAL_DISBURSAL for the pre-approved one, then its facility's ADD_STRUCTURING_FEE; INITIATE
    then CONFIRM or CANCEL otherwise."""
    match event:
        case cev.DisbursalInitialized(effective=day) if not d.pre_approved:
            return (credit_tx.initiate_disbursal(d.id, facility_id=d.facility_id, amount=d.amount, effective=day),)
        case cev.DisbursalSettled(tx_id=tx_id, effective=day):
            template = credit_tx.initial_disbursal if d.pre_approved else credit_tx.confirm_disbursal
            return (template(tx_id, facility_id=d.facility_id, deposit_account_id=d.disbursal_credit_account_id,
                             amount=d.amount, effective=day),)
        case cev.DisbursalCancelled(tx_id=tx_id, effective=day):
            return (credit_tx.cancel_disbursal(tx_id, facility_id=d.facility_id, amount=d.amount, effective=day),)
        case cev.StructuringFeeCharged(tx_id=tx_id, amount=fee, effective=day):
            return (credit_tx.add_structuring_fee(tx_id, facility_id=d.facility_id, amount=fee,
                                                  deposit_account_id=d.disbursal_credit_account_id, effective=day),)
    return ()


def facility_ledger_tx_ids(event: ev.FacilityEvent) -> tuple[str, ...]:
    """The activation's transaction (`verify` checks it is posted)."""
    return (event.activation_tx_id,) if isinstance(event, ev.FacilityInitialized) else ()


def facility_ledger_tx_refs(event: ev.FacilityEvent) -> tuple[str, ...]:
    """The transactions the facility names that others post: the structuring fee its initial
    disbursal charges, and a concluded cycle's posting, which its cycle posts only when it accrued
    something (it then names an obligation; one that accrued nothing names a transaction that
    does not exist, as the cycle's `AccrualPosted` shows no posting)."""
    match event:
        case ev.FacilityInitialized(structuring_fee_tx_id=str(tx_id)):
            return (tx_id,)
        case ev.InterestAccrualCycleConcluded(tx_id=tx_id, obligation_id=str()):
            return (tx_id,)
    return ()


def accrual_cycle_ledger_tx_ids(event: ev.AccrualCycleEvent) -> tuple[str, ...]:
    """The posting of a cycle whose total is positive (one of 0 posts nothing; its `tx_id` names no
    transaction and its `AccrualPosted` none). A day's accrual names none (its id is derived)."""
    if isinstance(event, ev.InterestAccrualsPosted) and event.total > 0:
        return (event.tx_id,)
    return ()


def disbursal_ledger_tx_ids(event: cev.DisbursalEvent) -> tuple[str, ...]:
    """The settlement's, the cancellation's and the structuring fee's transactions, and the
    initiation's of a disbursal that awaits approval (the disbursal's id; a pre-approved one posts
    nothing until it settles)."""
    match event:
        case cev.DisbursalInitialized(id=tx_id, pre_approved=False):
            return (tx_id,)
        case cev.DisbursalSettled(tx_id=tx_id) | cev.DisbursalCancelled(tx_id=tx_id) | \
                cev.StructuringFeeCharged(tx_id=tx_id):
            return (tx_id,)
    return ()

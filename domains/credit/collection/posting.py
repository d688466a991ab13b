"""Ledger postings of obligations, payments and allocations: due, overdue and
defaulted moves between receivable buckets, payments and their allocations."""

from __future__ import annotations

from domains.accounting import templates_collection as collection_tx
from domains.accounting.primitives import LedgerTransaction
from domains.credit.collection import events as cev
from domains.credit.collection.obligation import Obligation
from domains.credit.collection.payment import Payment, PaymentAllocation
from domains.credit.primitives import ObligationStatus, bucket_of

__all__ = ["allocation_ledger_tx_ids", "payment_ledger_tx_ids", "post_allocation", "post_obligation", "post_payment"]

Postings = tuple[LedgerTransaction, ...]


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


def payment_ledger_tx_ids(event: cev.PaymentInitialized) -> tuple[str, ...]:
    """The payment's transaction, whose id is the payment's (Lana's payment carries a `ledger_tx_id`
    of its own); `verify` checks it is posted. An obligation's moves between buckets name none
    (their ids are derived from the obligation's)."""
    return (event.id,)


def allocation_ledger_tx_ids(event: cev.PaymentAllocationInitialized) -> tuple[str, ...]:
    """The allocation's transaction, whose id is the allocation's (the facility's history shows it
    as the Payment entry's `tx_id`)."""
    return (event.id,)

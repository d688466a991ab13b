"""Collection templates (Lana: core/credit/src/ledger/templates, `core/credit/collection/src/ledger/templates`):
obligations age from
bucket to bucket, payments arrive and are allocated to obligations. All USD, settled.

`obligation_type` is `ObligationType` (or its value "disbursal" / "interest"); buckets are
`ReceivableBucket` values; amounts are int cents > 0.
"""

from __future__ import annotations

from datetime import date

from domains.accounting.chart import PAYMENTS_MADE_OMNIBUS, payment_holding, receivable, uncovered_outstanding
from domains.accounting.primitives import LedgerTransaction, ReceivableBucket, entry_pair
from domains.accounting.template import positive, transaction

__all__ = [
    "RECORD_OBLIGATION_DEFAULTED_BALANCE",
    "RECORD_OBLIGATION_DUE_BALANCE",
    "RECORD_OBLIGATION_OVERDUE_BALANCE",
    "RECORD_PAYMENT",
    "RECORD_PAYMENT_ALLOCATION",
    "record_obligation_defaulted",
    "record_obligation_due",
    "record_obligation_overdue",
    "record_payment",
    "record_payment_allocation",
]

RECORD_OBLIGATION_DUE_BALANCE = "RECORD_OBLIGATION_DUE_BALANCE"
RECORD_OBLIGATION_OVERDUE_BALANCE = "RECORD_OBLIGATION_OVERDUE_BALANCE"
RECORD_OBLIGATION_DEFAULTED_BALANCE = "RECORD_OBLIGATION_DEFAULTED_BALANCE"
RECORD_PAYMENT = "RECORD_PAYMENT"
RECORD_PAYMENT_ALLOCATION = "RECORD_PAYMENT_ALLOCATION"
B = ReceivableBucket


def _move(template: str, tx_id: str, facility_id: str, obligation_type: str, source: str, target: str,
          amount: int, effective: date) -> LedgerTransaction:
    """S: DR the `target` bucket's receivable, CR the `source` bucket's, of the obligation's type."""
    cents = positive(template, amount)
    return transaction(tx_id, template, effective,
                       entry_pair(receivable(facility_id, obligation_type, target),
                                  receivable(facility_id, obligation_type, source), cents))


def record_obligation_due(tx_id: str, *, facility_id: str, obligation_type: str, amount: int, effective: date,
                          from_bucket: str = B.NOT_YET_DUE) -> LedgerTransaction:
    """S: CR receivable not-yet-due, DR receivable due (the obligation's outstanding amount)."""
    return _move(RECORD_OBLIGATION_DUE_BALANCE, tx_id, facility_id, obligation_type, from_bucket, B.DUE, amount,
                 effective)


def record_obligation_overdue(tx_id: str, *, facility_id: str, obligation_type: str, amount: int, effective: date,
                              from_bucket: str = B.DUE) -> LedgerTransaction:
    """S: CR receivable due, DR receivable overdue."""
    return _move(RECORD_OBLIGATION_OVERDUE_BALANCE, tx_id, facility_id, obligation_type, from_bucket, B.OVERDUE,
                 amount, effective)


def record_obligation_defaulted(tx_id: str, *, facility_id: str, obligation_type: str, amount: int, effective: date,
                                from_bucket: str = B.OVERDUE) -> LedgerTransaction:
    """S: CR the current receivable (`from_bucket`), DR defaulted."""
    return _move(RECORD_OBLIGATION_DEFAULTED_BALANCE, tx_id, facility_id, obligation_type,
                 from_bucket, B.DEFAULTED, amount, effective)


def record_payment(tx_id: str, *, facility_id: str, source_account: str, amount: int,
                   effective: date) -> LedgerTransaction:
    """S: DR the payment source (a deposit or proceeds ledger account id), CR payment holding;
    S: DR uncovered outstanding (its limit refuses paying more than is owed), CR payments-made omnibus."""
    cents = positive(RECORD_PAYMENT, amount)
    return transaction(tx_id, RECORD_PAYMENT, effective,
                       entry_pair(source_account, payment_holding(facility_id), cents),
                       entry_pair(uncovered_outstanding(facility_id), PAYMENTS_MADE_OMNIBUS, cents))


def record_payment_allocation(tx_id: str, *, facility_id: str, obligation_type: str, bucket: str, amount: int,
                              effective: date) -> LedgerTransaction:
    """S: DR payment holding, CR the obligation's receivable in its current bucket."""
    cents = positive(RECORD_PAYMENT_ALLOCATION, amount)
    return transaction(tx_id, RECORD_PAYMENT_ALLOCATION, effective,
                       entry_pair(payment_holding(facility_id), receivable(facility_id, obligation_type, bucket),
                                  cents))

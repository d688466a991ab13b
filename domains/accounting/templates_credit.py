"""Credit facility templates (Lana: core/credit/src/ledger/templates, `core/credit/src/ledger/templates`,
`.../collection/...`): USD.

Every function takes the transaction id first and keyword-only arguments after it; amounts are
int cents > 0 (`NonPositiveAmount` / `NotMinorUnits` otherwise).
"""

from __future__ import annotations

from datetime import date

from domains.accounting.chart import (
    FACILITY_OMNIBUS,
    INTEREST_ADDED_TO_OBLIGATIONS_OMNIBUS,
    deposit_account,
    facility,
    fee_income,
    interest_income,
    receivable,
    uncovered_outstanding,
)
from domains.accounting.primitives import Entry, Layer, LedgerTransaction, ObligationType, ReceivableBucket, entry_pair
from domains.accounting.template import positive, transaction

__all__ = [
    "ACCRUE_INTEREST",
    "ACTIVATE_CREDIT_FACILITY",
    "ADD_STRUCTURING_FEE",
    "CANCEL_DISBURSAL",
    "CONFIRM_DISBURSAL",
    "CREATE_CREDIT_FACILITY_PROPOSAL",
    "INITIAL_DISBURSAL",
    "INITIATE_DISBURSAL",
    "POST_ACCRUED_INTEREST",
    "accrue_interest",
    "activate_facility",
    "add_structuring_fee",
    "cancel_disbursal",
    "confirm_disbursal",
    "create_facility_proposal",
    "initial_disbursal",
    "initiate_disbursal",
    "post_accrued_interest",
]

CREATE_CREDIT_FACILITY_PROPOSAL = "CREATE_CREDIT_FACILITY_PROPOSAL"
ACTIVATE_CREDIT_FACILITY = "ACTIVATE_CREDIT_FACILITY"
INITIAL_DISBURSAL = "INITIAL_DISBURSAL"
ADD_STRUCTURING_FEE = "ADD_STRUCTURING_FEE"
INITIATE_DISBURSAL = "INITIATE_CREDIT_FACILITY_DISBURSAL"
CONFIRM_DISBURSAL = "CONFIRM_DISBURSAL"
CANCEL_DISBURSAL = "CANCEL_DISBURSAL"
ACCRUE_INTEREST = "CREDIT_FACILITY_ACCRUE_INTEREST"
POST_ACCRUED_INTEREST = "CREDIT_FACILITY_POST_ACCRUED_INTEREST"
P = Layer.PENDING
NOT_YET_DUE = ReceivableBucket.NOT_YET_DUE
# module constants: an Enum attribute read is a descriptor call
_DISBURSAL, _INTEREST = ObligationType.DISBURSAL, ObligationType.INTEREST


def create_facility_proposal(tx_id: str, *, facility_id: str, amount: int, effective: date) -> LedgerTransaction:
    """P: DR facility omnibus, CR facility (the pending limit)."""
    cents = positive(CREATE_CREDIT_FACILITY_PROPOSAL, amount)
    return transaction(tx_id, CREATE_CREDIT_FACILITY_PROPOSAL, effective,
                       entry_pair(FACILITY_OMNIBUS, facility(facility_id), cents, layer=P))


def activate_facility(tx_id: str, *, facility_id: str, amount: int, effective: date) -> LedgerTransaction:
    """P: DR facility, CR omnibus (reverses the proposal); S: DR omnibus, CR facility."""
    cents, limit = positive(ACTIVATE_CREDIT_FACILITY, amount), facility(facility_id)
    return transaction(tx_id, ACTIVATE_CREDIT_FACILITY, effective,
                       entry_pair(limit, FACILITY_OMNIBUS, cents, layer=P), entry_pair(FACILITY_OMNIBUS, limit, cents))


def _disburse(facility_id: str, deposit_account_id: str, cents: int) -> tuple[Entry, Entry]:
    """S: DR disbursed receivable not-yet-due, CR the customer's deposit account."""
    return entry_pair(receivable(facility_id, _DISBURSAL, NOT_YET_DUE),
                      deposit_account(deposit_account_id), cents)


def initial_disbursal(tx_id: str, *, facility_id: str, deposit_account_id: str, amount: int,
                      effective: date) -> LedgerTransaction:
    """S: DR facility, CR uncovered outstanding; S: DR disbursed receivable not-yet-due, CR deposit."""
    cents = positive(INITIAL_DISBURSAL, amount)
    return transaction(tx_id, INITIAL_DISBURSAL, effective,
                       entry_pair(facility(facility_id), uncovered_outstanding(facility_id), cents),
                       _disburse(facility_id, deposit_account_id, cents))


def add_structuring_fee(tx_id: str, *, facility_id: str, deposit_account_id: str, amount: int,
                        effective: date) -> LedgerTransaction:
    """S: DR the customer's deposit account, CR fee income."""
    cents = positive(ADD_STRUCTURING_FEE, amount)
    return transaction(tx_id, ADD_STRUCTURING_FEE, effective,
                       entry_pair(deposit_account(deposit_account_id), fee_income(facility_id), cents))


def initiate_disbursal(tx_id: str, *, facility_id: str, amount: int, effective: date) -> LedgerTransaction:
    """S: DR facility, CR uncovered outstanding (the disbursal limit applies); P: the reverse."""
    cents = positive(INITIATE_DISBURSAL, amount)
    limit, uncovered = facility(facility_id), uncovered_outstanding(facility_id)
    return transaction(tx_id, INITIATE_DISBURSAL, effective, entry_pair(limit, uncovered, cents),
                       entry_pair(uncovered, limit, cents, layer=P))


def confirm_disbursal(tx_id: str, *, facility_id: str, deposit_account_id: str, amount: int,
                      effective: date) -> LedgerTransaction:
    """P: DR facility, CR uncovered outstanding (clears pending); S: DR receivable, CR deposit."""
    cents = positive(CONFIRM_DISBURSAL, amount)
    return transaction(tx_id, CONFIRM_DISBURSAL, effective,
                       entry_pair(facility(facility_id), uncovered_outstanding(facility_id), cents, layer=P),
                       _disburse(facility_id, deposit_account_id, cents))


def cancel_disbursal(tx_id: str, *, facility_id: str, amount: int, effective: date) -> LedgerTransaction:
    """P: DR facility, CR uncovered outstanding; S: DR uncovered outstanding, CR facility."""
    cents = positive(CANCEL_DISBURSAL, amount)
    limit, uncovered = facility(facility_id), uncovered_outstanding(facility_id)
    return transaction(tx_id, CANCEL_DISBURSAL, effective, entry_pair(limit, uncovered, cents, layer=P),
                       entry_pair(uncovered, limit, cents))


def accrue_interest(tx_id: str, *, facility_id: str, amount: int, effective: date) -> LedgerTransaction:
    """P: DR interest receivable not-yet-due, CR interest income (a daily accrual)."""
    cents = positive(ACCRUE_INTEREST, amount)
    return transaction(tx_id, ACCRUE_INTEREST, effective,
                       entry_pair(receivable(facility_id, _INTEREST, NOT_YET_DUE),
                                  interest_income(facility_id), cents, layer=P))


def post_accrued_interest(tx_id: str, *, facility_id: str, amount: int, effective: date) -> LedgerTransaction:
    """P: DR income, CR receivable (reverse the accruals); S: DR receivable not-yet-due, CR income;
    S: DR interest-added-to-obligations omnibus, CR uncovered outstanding."""
    cents = positive(POST_ACCRUED_INTEREST, amount)
    owed, income = receivable(facility_id, _INTEREST, NOT_YET_DUE), interest_income(facility_id)
    return transaction(tx_id, POST_ACCRUED_INTEREST, effective, entry_pair(income, owed, cents, layer=P),
                       entry_pair(owed, income, cents),
                       entry_pair(INTEREST_ADDED_TO_OBLIGATIONS_OMNIBUS, uncovered_outstanding(facility_id), cents))


"""Accounting (Lana's Cala ledger, §17): the chart of accounts, transaction templates, balances and
the velocity limits a posting must pass. Pure: the engine's `Ledger` keeps the book.

The ledger itself has no aggregate: postings ride on other aggregates' events (`Aggregate.post`);
ledger-account CSV exports are the module's one aggregate.
"""

from __future__ import annotations

from domains.accounting.balances import (
    BalanceKey, TrialBalanceLine, apply_entries, imbalances, is_balanced, key_of, normal_balance, trial_balance,
)
from domains.accounting.chart import (
    CATEGORIES, COLLATERAL_OMNIBUS, Category, DEPOSIT_OMNIBUS, FACILITY_OMNIBUS,
    INTEREST_ADDED_TO_OBLIGATIONS_OMNIBUS, LIQUIDATION_PROCEEDS_OMNIBUS, PAYMENTS_MADE_OMNIBUS, category_of,
    chart_code, collateral, collateral_in_liquidation, deposit_account, facility, fee_income, frozen_deposit,
    interest_income, liquidated_collateral, normal_side, payment_holding, proceeds_from_liquidation, receivable,
    uncovered_outstanding,
)
from domains.accounting.export import CSV_EXPORT, CsvExport, CsvExportUploaded, RecordCsvExport
from domains.accounting.errors import (
    AccountingError, DisbursalLimitExceeded, NonPositiveAmount, NotMinorUnits, OverdraftPrevented,
    PaymentAboveOutstanding, UnbalancedTransaction, UnknownAccount, VelocityLimitExceeded,
)
from domains.accounting.fiscal_year import FISCAL_YEAR
from domains.accounting.primitives import (
    Currency, Entry, Layer, LedgerTransaction, ObligationType, ReceivableBucket, Side, entry_pair,
)
from domains.accounting.templates_collateral import (
    ADD_COLLATERAL, RECEIVE_PROCEEDS_FROM_LIQUIDATION, REMOVE_COLLATERAL, SEND_COLLATERAL_TO_LIQUIDATION,
    add_collateral, receive_proceeds_from_liquidation, remove_collateral, send_collateral_to_liquidation,
)
from domains.accounting.templates_collection import (
    RECORD_OBLIGATION_DEFAULTED_BALANCE, RECORD_OBLIGATION_DUE_BALANCE, RECORD_OBLIGATION_OVERDUE_BALANCE,
    RECORD_PAYMENT, RECORD_PAYMENT_ALLOCATION, record_obligation_defaulted, record_obligation_due,
    record_obligation_overdue, record_payment, record_payment_allocation,
)
from domains.accounting.templates_credit import (
    ACCRUE_INTEREST, ACTIVATE_CREDIT_FACILITY, ADD_STRUCTURING_FEE, CANCEL_DISBURSAL, CONFIRM_DISBURSAL,
    CREATE_CREDIT_FACILITY_PROPOSAL, INITIAL_DISBURSAL, INITIATE_DISBURSAL, POST_ACCRUED_INTEREST, accrue_interest,
    activate_facility, add_structuring_fee, cancel_disbursal, confirm_disbursal, create_facility_proposal,
    initial_disbursal, initiate_disbursal, post_accrued_interest,
)
from domains.accounting.templates_deposit import (
    CANCEL_WITHDRAW, CONFIRM_WITHDRAW, DENY_WITHDRAW, FREEZE_ACCOUNT, INITIATE_WITHDRAW, RECORD_DEPOSIT,
    REVERT_DEPOSIT, REVERT_WITHDRAW, UNFREEZE_ACCOUNT, cancel_withdrawal, confirm_withdrawal, deny_withdrawal,
    freeze_account, initiate_withdrawal, record_deposit, revert_deposit, revert_withdrawal, unfreeze_account,
)
from domains.accounting.velocity import (
    BalanceOf, CONTROLS, Controls, VelocityControl, check, check_amounts, check_balanced, check_limits,
)

AGGREGATES = (CSV_EXPORT, FISCAL_YEAR)

__all__ = [
    "CSV_EXPORT",
    "CsvExport",
    "CsvExportUploaded",
    "RecordCsvExport",
    "ACCRUE_INTEREST",
    "ACTIVATE_CREDIT_FACILITY",
    "ADD_COLLATERAL",
    "ADD_STRUCTURING_FEE",
    "AGGREGATES",
    "AccountingError",
    "BalanceKey",
    "BalanceOf",
    "CANCEL_DISBURSAL",
    "CANCEL_WITHDRAW",
    "CATEGORIES",
    "COLLATERAL_OMNIBUS",
    "CONFIRM_DISBURSAL",
    "CONFIRM_WITHDRAW",
    "CONTROLS",
    "CREATE_CREDIT_FACILITY_PROPOSAL",
    "Category",
    "Controls",
    "Currency",
    "DENY_WITHDRAW",
    "DEPOSIT_OMNIBUS",
    "DisbursalLimitExceeded",
    "Entry",
    "FACILITY_OMNIBUS",
    "FREEZE_ACCOUNT",
    "INITIAL_DISBURSAL",
    "INITIATE_DISBURSAL",
    "INITIATE_WITHDRAW",
    "INTEREST_ADDED_TO_OBLIGATIONS_OMNIBUS",
    "LIQUIDATION_PROCEEDS_OMNIBUS",
    "Layer",
    "LedgerTransaction",
    "NonPositiveAmount",
    "NotMinorUnits",
    "ObligationType",
    "OverdraftPrevented",
    "PAYMENTS_MADE_OMNIBUS",
    "POST_ACCRUED_INTEREST",
    "PaymentAboveOutstanding",
    "RECEIVE_PROCEEDS_FROM_LIQUIDATION",
    "RECORD_DEPOSIT",
    "RECORD_OBLIGATION_DEFAULTED_BALANCE",
    "RECORD_OBLIGATION_DUE_BALANCE",
    "RECORD_OBLIGATION_OVERDUE_BALANCE",
    "RECORD_PAYMENT",
    "RECORD_PAYMENT_ALLOCATION",
    "REMOVE_COLLATERAL",
    "REVERT_DEPOSIT",
    "REVERT_WITHDRAW",
    "ReceivableBucket",
    "SEND_COLLATERAL_TO_LIQUIDATION",
    "Side",
    "TrialBalanceLine",
    "UNFREEZE_ACCOUNT",
    "UnbalancedTransaction",
    "UnknownAccount",
    "VelocityControl",
    "VelocityLimitExceeded",
    "accrue_interest",
    "activate_facility",
    "add_collateral",
    "add_structuring_fee",
    "apply_entries",
    "cancel_disbursal",
    "cancel_withdrawal",
    "category_of",
    "chart_code",
    "check",
    "check_amounts",
    "check_balanced",
    "check_limits",
    "collateral",
    "collateral_in_liquidation",
    "confirm_disbursal",
    "confirm_withdrawal",
    "create_facility_proposal",
    "deny_withdrawal",
    "deposit_account",
    "entry_pair",
    "facility",
    "fee_income",
    "freeze_account",
    "frozen_deposit",
    "imbalances",
    "initial_disbursal",
    "initiate_disbursal",
    "initiate_withdrawal",
    "interest_income",
    "is_balanced",
    "key_of",
    "liquidated_collateral",
    "normal_balance",
    "normal_side",
    "payment_holding",
    "post_accrued_interest",
    "proceeds_from_liquidation",
    "receivable",
    "receive_proceeds_from_liquidation",
    "record_deposit",
    "record_obligation_defaulted",
    "record_obligation_due",
    "record_obligation_overdue",
    "record_payment",
    "record_payment_allocation",
    "remove_collateral",
    "revert_deposit",
    "revert_withdrawal",
    "send_collateral_to_liquidation",
    "trial_balance",
    "uncovered_outstanding",
    "unfreeze_account",
]

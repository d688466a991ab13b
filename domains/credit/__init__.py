"""Credit module (Lana `core/credit` with its collateral and collection sub-crates), in three
sub-packages: `facility`, `collateral`, `collection`. The root holds what they share (terms, money
math, statuses, periods, errors, commands) and how the engine hosts them (aggregates, policies)."""

from __future__ import annotations

from domains.credit.errors import InvalidTerms, MissingId, NonPositiveAmount
from domains.credit.math import INFINITE, add_months, cvl, interest_for_period, liquidation_amounts, one_time_fee
from domains.credit.periods import Period, first_period, next_period, truncate
from domains.credit.permissions import PERMISSIONS
from domains.credit.policies import (
    POLICIES,
    complete_collateral_liquidation,
    count_collateral_sent_out,
    start_liquidation,
)
from domains.credit.primitives import (
    Direction,
    FacilityStatus,
    LiquidationStatus,
    ObligationStatus,
    ObligationType,
    Outstanding,
    ProposalStatus,
)
from domains.credit.registry import (
    COLLATERAL,
    CREDIT_FACILITY,
    DISBURSAL,
    INTEREST_ACCRUAL_CYCLE,
    LIQUIDATION,
    OBLIGATION,
    PAYMENT,
    PAYMENT_ALLOCATION,
    PENDING_CREDIT_FACILITY,
    PROPOSAL,
    TERMS_TEMPLATE,
)
from domains.credit.terms import DisbursalPolicy, InterestInterval, TermValues, std_terms

AGGREGATES = (TERMS_TEMPLATE, PROPOSAL, PENDING_CREDIT_FACILITY, COLLATERAL, CREDIT_FACILITY, INTEREST_ACCRUAL_CYCLE,
              DISBURSAL, OBLIGATION, PAYMENT, PAYMENT_ALLOCATION, LIQUIDATION)

__all__ = [
    "AGGREGATES", "COLLATERAL", "CREDIT_FACILITY", "DISBURSAL", "INFINITE", "INTEREST_ACCRUAL_CYCLE", "LIQUIDATION",
    "OBLIGATION", "PAYMENT",
    "PAYMENT_ALLOCATION", "PENDING_CREDIT_FACILITY", "PERMISSIONS", "POLICIES", "PROPOSAL", "TERMS_TEMPLATE",
    "Direction", "DisbursalPolicy", "FacilityStatus", "InterestInterval", "InvalidTerms", "LiquidationStatus",
    "MissingId", "NonPositiveAmount", "ObligationStatus", "ObligationType", "Outstanding", "Period",
    "ProposalStatus", "TermValues", "add_months", "complete_collateral_liquidation", "count_collateral_sent_out",
    "cvl", "first_period", "interest_for_period", "liquidation_amounts", "next_period", "one_time_fee",
    "start_liquidation", "std_terms", "truncate",
]

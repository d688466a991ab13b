"""Commands of the credit module. Ids, prices, balances and dates come in; nothing is looked up.

Amounts that must be positive are checked on construction (`NonPositiveAmount(field, amount)`; a
value that is not an int at all is `domains.validators.WrongType`).
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from domains.credit.errors import MissingId, NonPositiveAmount
from domains.credit.periods import Period
from domains.credit.primitives import ObligationType
from domains.credit.terms import TermValues
from domains.validators import MAX_SATS, amount, instance_of, optional_text, required

__all__ = [
    "AccrueInterest", "ActivateFacility", "AllocatePayment", "ApplyLiquidationProceeds", "CompleteFacility",
    "CompletePendingFacility", "ConcludeAccrualCycle", "ConcludeApprovalProcess", "ConcludeCustomerApproval",
    "ConcludeDisbursalApproval",
    "CreateCollateral", "CreateObligation", "CreatePendingFacility", "CreateProposal", "CreateTermsTemplate",
    "ImportAccrualCycle", "ImportCollateral", "ImportObligation",
    "InitiateDisbursal", "Mature", "PostAccruedInterest", "RecordAllocation",
    "RecordDisbursalCancelled",
    "RecordDisbursalInitiated", "RecordPayment", "ReleaseCollateral", "StartAccrualCycle",
    "SyncCollateralFromCustodian",
    "TransitionObligation", "UpdateCollateral", "UpdateCollateralization", "UpdatePendingCollateralization",
    "UpdateTermValues",
]


def _obligation_type(value: object) -> ObligationType:
    """The member for a member or its value (commands built from JSON carry the string)."""
    return ObligationType(value)


_positive = amount(NonPositiveAmount)  # cents in [1, MAX_CENTS]
_cents = amount(NonPositiveAmount, minimum=0)  # cents in [0, MAX_CENTS]
_positive_sats = amount(NonPositiveAmount, maximum=MAX_SATS, unit="satoshis")  # sats in [1, MAX_SATS]
_sats = amount(maximum=MAX_SATS, minimum=None, unit="satoshis")  # absolute sats; the sign is the domain's rule
_terms = instance_of(TermValues, "TermValues")
_text = required(MissingId)


@attrs.frozen
class CreateTermsTemplate:
    id: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    values: TermValues = attrs.field(validator=_terms)


@attrs.frozen
class UpdateTermValues:
    values: TermValues = attrs.field(validator=_terms)


@attrs.frozen
class CreateProposal:
    id: str = attrs.field(validator=_text)
    customer_id: str = attrs.field(validator=_text)
    customer_type: str = attrs.field(validator=_text)
    disbursal_credit_account_id: str = attrs.field(validator=_text)
    amount: int = attrs.field(validator=_positive)
    terms: TermValues = attrs.field(validator=_terms)
    # a custodian-backed facility's collateral wallet
    custody_wallet_id: str | None = attrs.field(default=None, validator=optional_text)


@attrs.frozen
class ConcludeCustomerApproval:
    approved: bool = attrs.field(validator=instance_of(bool, "bool"))


@attrs.frozen
class ConcludeApprovalProcess:
    approved: bool


@attrs.frozen
class CreatePendingFacility:
    id: str
    proposal_id: str
    customer_id: str
    customer_type: str
    collateral_id: str
    disbursal_credit_account_id: str
    amount: int = attrs.field(validator=_positive)
    terms: TermValues


@attrs.frozen
class UpdatePendingCollateralization:
    collateral_sats: int
    price: int


@attrs.frozen
class CompletePendingFacility:
    collateral_sats: int
    price: int


@attrs.frozen
class CreateCollateral:
    id: str
    secured_loan_id: str
    custody_wallet_id: str | None = None


@attrs.frozen
class UpdateCollateral:
    """An operator's manual update to a new absolute amount of sats."""

    sats: int = attrs.field(validator=_sats)
    effective: date


@attrs.frozen
class ImportCollateral:
    """Create an imported facility's collateral holding `sats` (a lanasim extension): its
    `CollateralInitialized` and, when `sats` > 0, the manual update to it, in one command."""

    create: CreateCollateral
    sats: int = attrs.field(validator=_sats)
    effective: date


@attrs.frozen
class SyncCollateralFromCustodian:
    """The custody wallet's balance, as the new absolute amount of sats."""

    sats: int = attrs.field(validator=_sats)
    effective: date


@attrs.frozen
class ReleaseCollateral:
    effective: date


@attrs.frozen
class ActivateFacility:
    id: str
    pending_facility_id: str
    customer_id: str
    customer_type: str
    collateral_id: str
    disbursal_credit_account_id: str
    amount: int = attrs.field(validator=_positive)
    terms: TermValues
    collateral_sats: int
    price: int
    activated_at: datetime
    structuring_fee_tx_id: str | None = None
    initial_disbursal_id: str | None = None


@attrs.frozen
class StartAccrualCycle:
    """Create a facility's `idx`-th interest accrual cycle over `period` (sent with the facility's
    activation and with the posting of the cycle before)."""

    id: str
    facility_id: str
    idx: int
    period: Period
    facility_maturity_date: date
    terms: TermValues


@attrs.frozen
class ImportAccrualCycle:
    """Create an imported facility's cycle as of the import (a lanasim extension): `accrued`, the
    days accrued before the import, as one accrual of `amount` cents (None: nothing accrued), and,
    when `obligation_id` is given, the cycle posted at once into that obligation."""

    start: StartAccrualCycle
    accrued: Period | None
    amount: int
    obligation_id: str | None = None


@attrs.frozen
class AccrueInterest:
    """Accrue the cycle's next period if it has ended by `day`; `principal_cents`: the facility's
    disbursed outstanding excluding defaulted, read from the ledger."""

    day: date
    principal_cents: int


@attrs.frozen
class PostAccruedInterest:
    """Post the fully accrued cycle; `obligation_id` names the interest obligation (unused if 0)."""

    obligation_id: str


@attrs.frozen
class ConcludeAccrualCycle:
    """The facility's cycle `idx` was posted (`obligation_id` None when it accrued nothing): the
    facility concludes it and starts the next one, if any."""

    idx: int
    tx_id: str
    obligation_id: str | None


@attrs.frozen
class UpdateCollateralization:
    """`outstanding_cents`: total posted outstanding (no defaulted, no unposted accruals).
    `payable_*` (due + overdue parts) only feed the public payload, as in Lana."""

    collateral_sats: int
    price: int
    outstanding_cents: int
    next_liquidation_id: str | None = None
    payable_disbursed: int = 0
    payable_interest: int = 0


@attrs.frozen
class ApplyLiquidationProceeds:
    liquidation_id: str


@attrs.frozen
class RecordDisbursalInitiated:
    disbursal_id: str
    amount: int = attrs.field(validator=_positive)


@attrs.frozen
class RecordDisbursalCancelled:
    """A denied disbursal gives its amount back to the facility's limit."""

    disbursal_id: str


@attrs.frozen
class Mature:
    day: date


@attrs.frozen
class CompleteFacility:
    """`outstanding_cents` owed (defaulted included) and the earliest of the facility's disbursals
    not yet concluded (`unconcluded_disbursal_id`, None when none is), as the books say now."""

    outstanding_cents: int
    unconcluded_disbursal_id: str | None = None


@attrs.frozen
class InitiateDisbursal:
    """`pre_approved`: Lana's initial disbursal at activation, settled at once into `obligation_id`
    (effective = `effective`, else the decision's date), then charging the facility's
    `structuring_fee` (if any) under `structuring_fee_tx_id`."""

    id: str
    facility_id: str
    amount: int = attrs.field(validator=_positive)
    disbursal_credit_account_id: str
    due_date: date
    overdue_date: date | None = None
    liquidation_date: date | None = None
    defaulted_date: date | None = None
    pre_approved: bool = False
    obligation_id: str | None = None
    effective: date | None = None
    structuring_fee: int = 0
    structuring_fee_tx_id: str | None = None


@attrs.frozen
class ConcludeDisbursalApproval:
    approved: bool
    obligation_id: str | None
    effective: date


@attrs.frozen
class CreateObligation:
    id: str
    beneficiary_id: str
    obligation_type: ObligationType = attrs.field(converter=_obligation_type)
    amount: int = attrs.field(validator=_positive)
    reference: str
    due_date: date
    overdue_date: date | None
    liquidation_date: date | None
    defaulted_date: date | None
    effective: date


@attrs.frozen
class TransitionObligation:
    day: date


@attrs.frozen
class ImportObligation:
    """Create an imported facility's obligation as of the import (a lanasim extension): its
    `ObligationInitialized` and, in the same command, every status its dates have reached by
    `as_of` (what its alarms would record one command each)."""

    create: CreateObligation
    as_of: date


@attrs.frozen
class AllocatePayment:
    payment_id: str
    allocation_id: str
    amount: int = attrs.field(validator=_positive)
    effective: date


@attrs.frozen
class RecordPayment:
    """`source_account`: the ledger account paid from (deposit or proceeds-from-liquidation)."""

    id: str
    facility_id: str
    amount: int = attrs.field(validator=_positive)
    source_account: str
    effective: date


@attrs.frozen
class RecordAllocation:
    id: str
    payment_id: str
    obligation_id: str
    obligation_type: ObligationType = attrs.field(converter=_obligation_type)
    facility_id: str
    amount: int = attrs.field(validator=_positive)
    receivable_bucket: str
    allocation_idx: int
    effective: date

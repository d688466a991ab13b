"""Value types of the credit module: statuses, obligation types and buckets, outstanding amounts."""

from __future__ import annotations

import enum
from types import MappingProxyType

import attrs

from domains.accounting import primitives as _accounting

__all__ = [
    "Direction", "DisbursalStatus", "FacilityStatus", "LiquidationStatus", "ObligationStatus", "ObligationType",
    "Outstanding", "ProposalStatus", "bucket_of",
]


class ProposalStatus(str, enum.Enum):
    PENDING_CUSTOMER_APPROVAL = "pending_customer_approval"
    CUSTOMER_DENIED = "customer_denied"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    DENIED = "denied"


class FacilityStatus(str, enum.Enum):
    ACTIVE = "active"
    MATURED = "matured"
    CLOSED = "closed"


class DisbursalStatus(str, enum.Enum):
    NEW = "new"
    DENIED = "denied"
    CONFIRMED = "confirmed"


# What an obligation is owed for: principal (`disbursal`) or `interest` — one enum for the credit
# module and the ledger's receivable accounts.
ObligationType = _accounting.ObligationType


class ObligationStatus(str, enum.Enum):
    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    OVERDUE = "overdue"
    DEFAULTED = "defaulted"
    PAID = "paid"


class Direction(str, enum.Enum):
    """Which way a collateral update moved the amount."""

    ADD = "add"
    REMOVE = "remove"


class LiquidationStatus(str, enum.Enum):
    """A partial liquidation is open until the liquidator's proceeds are recorded."""

    OPEN = "open"
    COMPLETED = "completed"


@attrs.frozen
class Outstanding:
    """Owed amounts in cents, split as Lana reports them: principal (`disbursed`) and `interest`."""

    disbursed: int = 0
    interest: int = 0


_BUCKETS = MappingProxyType({ObligationStatus.NOT_YET_DUE: "not-yet-due", ObligationStatus.DUE: "due",
                             ObligationStatus.OVERDUE: "overdue", ObligationStatus.DEFAULTED: "defaulted"})


def bucket_of(status: ObligationStatus) -> str:
    """The ledger receivable bucket an obligation's outstanding sits in (a paid one has none)."""
    return _BUCKETS[status]

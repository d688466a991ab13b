"""Refusals the credit operator API applies before any command is sent: only an
active customer with an active deposit account gets a proposal; a closed facility takes no payment."""

from __future__ import annotations

from collections.abc import Iterable

from domains.credit.errors import CustomerNotEligible, PaymentOnClosedFacility
from domains.credit.primitives import FacilityStatus

__all__ = ["deposit_account_for_proposal", "require_eligible", "require_open_for_payment"]


def require_eligible(customer_id: str, status: str) -> None:
    """Raise `CustomerNotEligible` unless the customer's status is `active`."""
    if status != "active":
        raise CustomerNotEligible(customer_id=customer_id, status=status)


def deposit_account_for_proposal(customer_id: str, accounts: Iterable[tuple[str, str]]) -> str:
    """The first active account among (account id, status) pairs; none: `CustomerNotEligible`."""
    for account_id, status in accounts:
        if status == "active":
            return account_id
    raise CustomerNotEligible(customer_id=customer_id, status="no active deposit account")


def require_open_for_payment(facility_id: str, status: FacilityStatus) -> None:
    """Raise `PaymentOnClosedFacility` for a closed facility (active and matured ones take payments)."""
    if status is FacilityStatus.CLOSED:
        raise PaymentOnClosedFacility(facility_id=facility_id)

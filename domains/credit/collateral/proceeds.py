"""A partial liquidation's proceeds become a payment from the facility's
proceeds-from-liquidation account, sized here against what the facility owes."""

from __future__ import annotations

from datetime import date
from typing import Any

from domains.accounting import chart
from domains.aggregate import Send
from domains.credit.commands import ApplyLiquidationProceeds, RecordPayment

__all__ = ["payable", "record_proceeds"]


def payable(proceeds: int, owed: int, uncovered: int) -> int:
    """The proceeds, but no more than the facility's obligations owe (`owed`, defaulted ones
    included: the payment pays them too, interest first) nor its uncovered outstanding
    (`uncovered`): a payment above it would break that account's velocity limit, and only
    obligations take a payment. The surplus stays in the proceeds-from-liquidation account, where an
    operator would return it to the borrower; a run reports it as `proceeds_surplus_cents`.

    Lana's job (`core/credit/src/credit_facility/jobs/record_liquidation_proceeds.rs`) records a
    payment of the whole proceeds, and its collection ledger refuses a payment above what the
    obligations owe (`PaymentAmountGreaterThanOutstandingObligations`,
    `core/credit/collection/src/ledger/mod.rs`): the job fails in its transaction and fails again at
    each retry, so no part of the proceeds pays the debt and the liquidation is never acknowledged
    (no later liquidation of the facility can start). That is a bug; this pays what is owed instead."""
    return max(0, min(proceeds, owed, uncovered))


def record_proceeds(proceeds: dict[str, Any], owed: int, uncovered: int) -> tuple[Send, ...]:
    """A `liquidation-proceeds-received` payload -> a payment (the event's payment id, effective on
    the proceeds' date; none when nothing is payable), then the facility's `ApplyLiquidationProceeds`."""
    facility_id, payment_id = proceeds["secured_loan_id"], proceeds["payment_id"]
    amount = payable(proceeds["amount"], owed, uncovered)
    payment = () if amount == 0 else (Send("payment", payment_id, RecordPayment(
        payment_id, facility_id, amount, chart.proceeds_from_liquidation(facility_id),
        date.fromisoformat(proceeds["effective"]))),)
    return (*payment, Send("credit-facility", facility_id, ApplyLiquidationProceeds(proceeds["liquidation_id"])))

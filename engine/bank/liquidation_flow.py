"""Partial liquidation's process manager (LANA.md §10 step 4, Lana's `record-liquidation-proceeds`):
the liquidator's proceeds become a payment from the facility's proceeds-from-liquidation account,
allocated like any payment (interest first), and the facility may start another liquidation.

Opening a liquidation, counting what its collateral sends out and ending it on the collateral are
pure reactions (`domains.credit.policies`); this consumer reads the ledger to size the payment.
"""

from __future__ import annotations

from datetime import date

from domains.accounting import chart
from domains.aggregate import Policy, Send
from domains.credit import commands as c

__all__ = ["LiquidationFlow"]

FACILITY_KIND = "credit-facility"
PROCEEDS_RECEIVED = "core.credit-collateral.liquidation-proceeds-received"


class LiquidationFlow:
    """Engine-side consumer of one simulation's liquidation proceeds."""

    def __init__(self, sim) -> None:
        self.sim = sim
        sim.reactions.add(Policy("credit.record-liquidation-proceeds", (PROCEEDS_RECEIVED,), self.record_proceeds,
                                 subject="liquidation-flow"))

    def record_proceeds(self, envelope: dict) -> tuple[Send, ...]:
        """A payment (the event's id, effective on the proceeds' date), then the facility's
        `ApplyLiquidationProceeds`; nothing to pay (nothing owed) records no payment."""
        proceeds = envelope["payload"]
        facility_id, payment_id = proceeds["secured_loan_id"], proceeds["payment_id"]
        amount = self.payable(facility_id, proceeds["amount"])
        payment = () if amount == 0 else (Send("payment", payment_id, c.RecordPayment(
            payment_id, facility_id, amount, chart.proceeds_from_liquidation(facility_id),
            date.fromisoformat(proceeds["effective"]))),)
        return (*payment, Send(FACILITY_KIND, facility_id, c.ApplyLiquidationProceeds(proceeds["liquidation_id"])))

    def payable(self, facility_id: str, proceeds: int) -> int:
        """The proceeds, but no more than the facility owes: a payment above its uncovered outstanding
        would break that account's velocity limit (§17.3), and only obligations can take a payment.
        The surplus stays in the facility's proceeds-from-liquidation account (Lana has no rule for
        it; an operator would return it to the borrower)."""
        owed = self.sim.credit.books(facility_id).outstanding
        uncovered = self.sim.ledger_book.balance(chart.uncovered_outstanding(facility_id))
        return max(0, min(proceeds, owed, uncovered))

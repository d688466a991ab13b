"""Partial liquidation's process manager (Lana's `record-liquidation-proceeds`):
the liquidator's proceeds become a payment from the facility's proceeds-from-liquidation account,
allocated like any payment (interest first), and the facility may start another liquidation.

Opening a liquidation, counting what its collateral sends out and ending it on the collateral are
pure reactions (`domains.credit.policies`); this consumer reads what the facility owes and lets the
domain (`domains.credit.proceeds`) size the payment.
"""

from __future__ import annotations

from domains.aggregate import Envelope, Policy, Send
from domains.credit.collateral import payable, record_proceeds
from engine.bank.credit_reads import CreditReads, Owed
from engine.bank.ports import ReactionRegistry

__all__ = ["LiquidationFlow"]

PROCEEDS_RECEIVED = "core.credit-collateral.liquidation-proceeds-received"


class LiquidationFlow:
    """Engine-side consumer of one simulation's liquidation proceeds; `reactions` is where it
    registers, `reads` the credit read model."""

    def __init__(self, reactions: ReactionRegistry, reads: CreditReads) -> None:
        self.reads = reads
        reactions.add(Policy("credit.record-liquidation-proceeds", (PROCEEDS_RECEIVED,), self.record_proceeds,
                             subject="liquidation-flow"))

    def record_proceeds(self, envelope: Envelope) -> tuple[Send, ...]:
        proceeds = envelope["payload"]
        facility_id = proceeds["secured_loan_id"]
        return record_proceeds(proceeds, *self._owed(facility_id))

    def payable(self, facility_id: str, proceeds: int) -> int:
        """What of `proceeds` the facility can take as a payment now (see `domains.credit.proceeds`)."""
        return payable(proceeds, *self._owed(facility_id))

    def _owed(self, facility_id: str) -> Owed:
        return self.reads.owed(facility_id)

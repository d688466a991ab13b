"""Pure reactions of the credit module that need no reads: the bank's verdict on a proposal
reaches the proposal, a completed facility releases its collateral, and a partial liquidation
(Lana: core/credit/collateral/src/liquidation/payment.rs) is opened, counts what its collateral sends out and ends on
the collateral.

Governance's `disbursal` conclusions are the engine's (they need obligation ids and dates), and so
are liquidation proceeds (they become a payment sized against the ledger).
"""

from __future__ import annotations

from datetime import date, datetime

from domains.aggregate import Envelope, Policy, Send
from domains.credit.collateral.commands import (
    RecordCollateralSentOut,
    RecordLiquidationCompleted,
    RecordLiquidationStarted,
    StartLiquidation,
)
from domains.credit.commands import ConcludeApprovalProcess, ReleaseCollateral

__all__ = ["POLICIES", "complete_collateral_liquidation", "conclude_proposal", "count_collateral_sent_out",
           "release_collateral", "start_liquidation"]

PROPOSAL_PROCESS = "credit-facility-proposal"


def conclude_proposal(envelope: Envelope) -> tuple[Send, ...]:
    """`governance.approval-process-concluded` of a proposal's process -> ConcludeApprovalProcess."""
    entity = envelope["payload"]["entity"]
    if entity["process_type"] != PROPOSAL_PROCESS:
        return ()
    approved = entity["status"] == "Approved"  # governance's status, Lana's variant name
    return (Send("credit-facility-proposal", entity["target_ref"], ConcludeApprovalProcess(approved)),)


def release_collateral(envelope: Envelope) -> tuple[Send, ...]:
    """`core.credit.facility-completed` -> ReleaseCollateral effective on the completion date."""
    entity = envelope["payload"]["entity"]
    completed = datetime.strptime(entity["completed_at"], "%Y-%m-%dT%H:%M:%SZ").date()
    return (Send("collateral", entity["collateral_id"], ReleaseCollateral(completed)),)


def start_liquidation(envelope: Envelope) -> tuple[Send, ...]:
    """`core.credit.partial-liquidation-initiated` -> the liquidation (the trigger's id) is opened and
    its collateral marks it running (Lana's `record-liquidation-started`)."""
    entity = envelope["payload"]["entity"]
    trigger, collateral_id = entity["liquidation_trigger"], entity["collateral_id"]
    liquidation_id = trigger["liquidation_id"]
    return (Send("liquidation", liquidation_id, StartLiquidation(
                liquidation_id, entity["id"], collateral_id, trigger["trigger_price"],
                trigger["initially_expected_to_receive"], trigger["initially_estimated_to_liquidate"])),
            Send("collateral", collateral_id, RecordLiquidationStarted(liquidation_id)))


def count_collateral_sent_out(envelope: Envelope) -> tuple[Send, ...]:
    """`core.credit-collateral.liquidation-collateral-sent-out` -> the liquidation's sent total."""
    payload = envelope["payload"]
    return (Send("liquidation", payload["liquidation_id"], RecordCollateralSentOut(
        payload["amount"], payload["ledger_tx_id"], date.fromisoformat(payload["effective"]))),)


def complete_collateral_liquidation(envelope: Envelope) -> tuple[Send, ...]:
    """`core.credit-collateral.liquidation-proceeds-received` -> the collateral's liquidation ends."""
    payload = envelope["payload"]
    return (Send("collateral", payload["collateral_id"], RecordLiquidationCompleted(payload["liquidation_id"])),)


POLICIES = (
    Policy("credit.conclude-proposal-approval", ("governance.approval-process-concluded",), conclude_proposal),
    Policy("credit.release-collateral-on-completion", ("core.credit.facility-completed",), release_collateral),
    Policy("credit.record-liquidation-started", ("core.credit.partial-liquidation-initiated",), start_liquidation),
    Policy("credit.count-collateral-sent-to-liquidation", ("core.credit-collateral.liquidation-collateral-sent-out",),
           count_collateral_sent_out),
    Policy("credit.complete-collateral-liquidation", ("core.credit-collateral.liquidation-proceeds-received",),
           complete_collateral_liquidation),
)

"""Pure reactions of the credit module that need no reads: the bank's verdict on a proposal
reaches the proposal, and a completed facility releases its collateral.

Governance's `disbursal` conclusions are the engine's (they need obligation ids and dates).
"""

from __future__ import annotations

from datetime import datetime

from domains.aggregate import Policy, Send
from domains.credit.commands import ConcludeApprovalProcess, ReleaseCollateral

__all__ = ["POLICIES", "conclude_proposal", "release_collateral"]

PROPOSAL_PROCESS = "credit-facility-proposal"


def conclude_proposal(envelope: dict) -> tuple[Send, ...]:
    """`governance.approval-process-concluded` of a proposal's process -> ConcludeApprovalProcess."""
    entity = envelope["payload"]["entity"]
    if entity["process_type"] != PROPOSAL_PROCESS:
        return ()
    approved = entity["status"] == "approved"
    return (Send("credit-facility-proposal", entity["target_ref"], ConcludeApprovalProcess(approved)),)


def release_collateral(envelope: dict) -> tuple[Send, ...]:
    """`core.credit.facility-completed` -> ReleaseCollateral effective on the completion date."""
    entity = envelope["payload"]["entity"]
    completed = datetime.strptime(entity["completed_at"], "%Y-%m-%dT%H:%M:%SZ").date()
    return (Send("collateral", entity["collateral_id"], ReleaseCollateral(completed)),)


POLICIES = (
    Policy("credit.conclude-proposal-approval", ("governance.approval-process-concluded",), conclude_proposal),
    Policy("credit.release-collateral-on-completion", ("core.credit.facility-completed",), release_collateral),
)

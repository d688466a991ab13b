"""Pure reactions of the deposit module to other modules' public events."""

from __future__ import annotations

from datetime import date

from domains.aggregate import Envelope, Policy, Send
from domains.deposit.commands import ConcludeWithdrawalApproval, RecordActivity
from domains.governance import ApprovalProcessStatus, ProcessType

__all__ = ["ACCOUNT_ACTIVITY", "POLICIES", "WITHDRAW_APPROVAL", "conclude_withdrawal", "record_activity"]

APPROVAL_CONCLUDED = "governance.approval-process-concluded"
# Lana's `update-deposit-account-activity-date` handler: these movements count as activity.
MONEY_MOVED = ("core.deposit.deposit-initialized", "core.deposit.deposit-reverted", "core.deposit.withdrawal-confirmed")


def conclude_withdrawal(envelope: Envelope) -> tuple[Send, ...]:
    """A concluded `withdraw` process decides its withdrawal (Lana `execute-withdraw-approval`)."""
    entity = envelope["payload"]["entity"]
    if entity["process_type"] != ProcessType.WITHDRAW.value:
        return ()
    approved = entity["status"] == ApprovalProcessStatus.APPROVED.value.capitalize()  # Lana's variant: Approved
    return (Send("withdrawal", entity["target_ref"], ConcludeWithdrawalApproval(approved)),)


def record_activity(envelope: Envelope) -> tuple[Send, ...]:
    """Money moved on an account: its last activity is the day the event was recorded."""
    account_id = envelope["payload"]["entity"]["deposit_account_id"]
    return (Send("deposit-account", account_id, RecordActivity(date.fromisoformat(envelope["recorded_at"][:10]))),)


WITHDRAW_APPROVAL = Policy("withdraw-approval", (APPROVAL_CONCLUDED,), conclude_withdrawal,
                           subject="withdrawal-approval")

ACCOUNT_ACTIVITY = Policy("deposit-account-activity", MONEY_MOVED, record_activity, subject="deposit-sync")

POLICIES = (WITHDRAW_APPROVAL, ACCOUNT_ACTIVITY)

"""Pure reactions of the deposit module to other modules' public events."""

from __future__ import annotations

from datetime import date

from domains.aggregate import Envelope, Policy, Send
from domains.deposit.commands import ConcludeWithdrawalApproval, RecordActivity
from domains.deposit.primitives import WithdrawalStatus
from domains.governance import ApprovalProcessStatus, ProcessType
from domains.wire import pascal

__all__ = ["ACCOUNT_ACTIVITY", "POLICIES", "WITHDRAW_APPROVAL", "activity_on", "conclude_withdrawal",
           "record_activity"]

APPROVAL_CONCLUDED = "governance.approval-process-concluded"
WITHDRAWAL_CONCLUDED = "core.deposit.withdrawal-approval-concluded"
# The public deposit events whose ledger entries on the account count as activity (as Lana derives the
# last activity from the account's ledger history): a deposit (RECORD_DEPOSIT_CR), its revert
# (REVERT_DEPOSIT_DR, which Lana counts as an unknown entry) and a denied withdrawal's refund
# (DENY_WITHDRAW_*, unknown entries too). An approval posts nothing, and a confirmation only leaves
# the account's pending layer (CONFIRM_WITHDRAW_PENDING_DR, ignored), so neither counts. The
# initiation, cancel and revert of a withdrawal have no public event: the deposit service records
# them; the credit module's disbursals and payments from the account are recorded by a bank-side
# consumer that finds their account.
MONEY_MOVED = ("core.deposit.deposit-initialized", "core.deposit.deposit-reverted", WITHDRAWAL_CONCLUDED)


def conclude_withdrawal(envelope: Envelope) -> tuple[Send, ...]:
    """A concluded `withdraw` process decides its withdrawal (Lana `execute-withdraw-approval`)."""
    entity = envelope["payload"]["entity"]
    if entity["process_type"] != ProcessType.WITHDRAW.value:
        return ()
    approved = entity["status"] == pascal(ApprovalProcessStatus.APPROVED)
    return (Send("withdrawal", entity["target_ref"], ConcludeWithdrawalApproval(approved)),)


def activity_on(account_id: str, envelope: Envelope) -> Send:
    """Money moved on the account: its last activity is the day `envelope` was recorded (Lana: the
    entry's creation time, not its effective date)."""
    return Send("deposit-account", account_id, RecordActivity(date.fromisoformat(envelope["recorded_at"][:10])))


def record_activity(envelope: Envelope) -> tuple[Send, ...]:
    """A deposit, its revert, or a withdrawal's denial (an approval moves nothing)."""
    entity = envelope["payload"]["entity"]
    if envelope["event_type"] == WITHDRAWAL_CONCLUDED and entity["status"] != pascal(WithdrawalStatus.DENIED):
        return ()
    return (activity_on(entity["deposit_account_id"], envelope),)


WITHDRAW_APPROVAL = Policy("withdraw-approval", (APPROVAL_CONCLUDED,), conclude_withdrawal,
                           subject="withdrawal-approval")

ACCOUNT_ACTIVITY = Policy("deposit-account-activity", MONEY_MOVED, record_activity, subject="deposit-sync")

POLICIES = (WITHDRAW_APPROVAL, ACCOUNT_ACTIVITY)

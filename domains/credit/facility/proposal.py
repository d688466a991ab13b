"""Credit facility proposal: customer approval, then the bank's approval process (Lana: core/credit/src/credit_facility_proposal/entity.rs)."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import Send, evolve
from domains.credit import commands as cmd
from domains.credit.errors import ApprovalProcessNotStarted, require
from domains.credit.facility import events as ev
from domains.credit.primitives import ProposalStatus
from domains.credit.terms import TermValues

__all__ = ["COMMANDS", "Proposal", "apply", "decide", "open_pending_facility"]

Status = ProposalStatus


@attrs.frozen
class Proposal:
    """`status` is the status carried by the latest event."""

    id: str
    customer_id: str
    customer_type: str
    disbursal_credit_account_id: str
    amount: int
    terms: TermValues
    created_at: datetime
    status: ProposalStatus = Status.PENDING_CUSTOMER_APPROVAL
    approval_process_id: str | None = None
    custody_wallet_id: str | None = None


def apply(state: Proposal | None, event: ev.ProposalEvent) -> Proposal:
    match event:
        case ev.ProposalInitialized():
            return Proposal(event.id, event.customer_id, event.customer_type, event.disbursal_credit_account_id,
                            event.amount, event.terms, event.created_at, event.status,
                            custody_wallet_id=event.custody_wallet_id)
        case ev.ProposalCustomerApprovalConcluded(status=status) | ev.ProposalApprovalProcessConcluded(status=status):
            return evolve(require(state, "credit-facility-proposal"), status=status)
        case ev.ProposalApprovalProcessStarted(approval_process_id=process_id, status=status):
            return evolve(require(state, "credit-facility-proposal"), status=status,
                                approval_process_id=process_id)
        case _:
            assert_never(event)


def decide(state: Proposal | None, command: object, at: datetime) -> tuple[ev.ProposalEvent, ...]:
    match command:
        case cmd.CreateProposal():
            return () if state is not None else (_initialized(command, at),)
        case cmd.ConcludeCustomerApproval(approved=approved):
            return _conclude_customer_approval(require(state, "credit-facility-proposal"), approved)
        case cmd.ConcludeApprovalProcess(approved=approved):
            return _conclude_approval_process(require(state, "credit-facility-proposal"), approved)
    raise TypeError(f"not a proposal command: {command!r}")


def _initialized(c: cmd.CreateProposal, at: datetime) -> ev.ProposalInitialized:
    return ev.ProposalInitialized(c.id, c.customer_id, c.customer_type, c.disbursal_credit_account_id, c.amount,
                                  c.terms, Status.PENDING_CUSTOMER_APPROVAL, at, c.custody_wallet_id)


def _conclude_customer_approval(p: Proposal, approved: bool) -> tuple[ev.ProposalEvent, ...]:
    if p.status is not Status.PENDING_CUSTOMER_APPROVAL:
        return ()
    if not approved:
        return (ev.ProposalCustomerApprovalConcluded(Status.CUSTOMER_DENIED),)
    return (ev.ProposalCustomerApprovalConcluded(Status.PENDING_APPROVAL),
            ev.ProposalApprovalProcessStarted(p.id, Status.PENDING_APPROVAL))


def _conclude_approval_process(p: Proposal, approved: bool) -> tuple[ev.ProposalEvent, ...]:
    if p.status in (Status.APPROVED, Status.DENIED):
        return ()
    if p.approval_process_id is None:
        raise ApprovalProcessNotStarted(proposal_id=p.id)
    status = Status.APPROVED if approved else Status.DENIED
    return (ev.ProposalApprovalProcessConcluded(p.approval_process_id, status),)


COMMANDS = (cmd.CreateProposal, cmd.ConcludeCustomerApproval, cmd.ConcludeApprovalProcess)


def open_pending_facility(p: Proposal, collateral_id: str) -> tuple[Send, ...]:
    """An approved proposal opens its collateral (on the proposal's custody wallet, if any) and its
    pending facility, both under the proposal's id."""
    return (Send("collateral", collateral_id, cmd.CreateCollateral(collateral_id, p.id, p.custody_wallet_id)),
            Send("pending-credit-facility", p.id, cmd.CreatePendingFacility(
                p.id, p.id, p.customer_id, p.customer_type, collateral_id, p.disbursal_credit_account_id, p.amount,
                p.terms)))

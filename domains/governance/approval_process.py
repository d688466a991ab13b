"""Approval process: auto-approved at creation, or decided by a committee's unanimous vote.

Eligible voters are the committee's *current* members, passed in each vote command (the caller
reads the committee), so `decide` stays pure. Any denial denies; approval needs every current
member; an empty committee has no eligible voter and so never concludes by vote. A vote by a
non-member, a second vote by a member, or a vote on a concluded process is ignored: no event, the
command's outcome `AlreadyApplied`, as Lana's `approve`/`deny` return `Idempotent::AlreadyApplied`
and its governance service returns the process unchanged, without an error
(core/governance/src/approval_process/entity.rs, lib.rs `approve_process`).
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.governance import commands as cmd
from domains.governance import events as ev
from domains.governance.errors import require
from domains.governance.primitives import ApprovalProcessStatus, ApprovalRules, ProcessType

__all__ = ["COMMANDS", "ApprovalProcess", "apply", "decide"]

Status = ApprovalProcessStatus


@attrs.frozen
class ApprovalProcess:
    id: str
    process_type: ProcessType
    rules: ApprovalRules
    target_ref: str
    status: ApprovalProcessStatus = Status.IN_PROGRESS
    approvers: tuple[str, ...] = ()
    deniers: tuple[str, ...] = ()

    @property
    def voters(self) -> tuple[str, ...]:
        return self.approvers + self.deniers


def apply(state: ApprovalProcess | None, event: ev.ApprovalProcessEvent) -> ApprovalProcess:
    if isinstance(event, ev.ApprovalProcessInitialized):
        return ApprovalProcess(event.id, event.process_type, event.rules, event.target_ref)
    p = require(state, "approval-process")
    match event:
        case ev.ApprovalProcessApproved(approver_id=voter):
            return evolve(p, approvers=(*p.approvers, voter))
        case ev.ApprovalProcessDenied(denier_id=voter):
            return evolve(p, deniers=(*p.deniers, voter))
        case ev.ApprovalProcessConcluded(approved=approved):
            return evolve(p, status=Status.APPROVED if approved else Status.DENIED)
        case _:
            assert_never(event)


def decide(state: ApprovalProcess | None, command: object, at: datetime) -> tuple[ev.ApprovalProcessEvent, ...]:
    match command:
        case cmd.StartApprovalProcess():
            return () if state is not None else _start(command)
        case cmd.ApproveProcess():
            return _approve(require(state, "approval-process"), command)
        case cmd.DenyProcess():
            return _deny(require(state, "approval-process"), command)
    raise TypeError(f"not an approval-process command: {command!r}")


def _start(c: cmd.StartApprovalProcess) -> tuple[ev.ApprovalProcessEvent, ...]:
    """With AutoApprove the process concludes in the same command (Lana: at creation)."""
    started = ev.ApprovalProcessInitialized(c.id, c.process_type, c.rules, c.target_ref)
    return (started, ev.ApprovalProcessConcluded(True)) if c.rules.auto_approve else (started,)


def _approve(p: ApprovalProcess, c: cmd.ApproveProcess) -> tuple[ev.ApprovalProcessEvent, ...]:
    if not _may_vote(p, c.approver_id, c.eligible):
        return ()
    voted = ev.ApprovalProcessApproved(c.approver_id)
    if _unanimous(c.eligible, (*p.approvers, c.approver_id)):
        return (voted, ev.ApprovalProcessConcluded(True))
    return (voted,)


def _deny(p: ApprovalProcess, c: cmd.DenyProcess) -> tuple[ev.ApprovalProcessEvent, ...]:
    if not _may_vote(p, c.denier_id, c.eligible):
        return ()
    return (ev.ApprovalProcessDenied(c.denier_id, c.reason), ev.ApprovalProcessConcluded(False))


def _may_vote(p: ApprovalProcess, voter: str, eligible: tuple[str, ...]) -> bool:
    """An open process and a current member who has not voted yet: any other vote is ignored."""
    return p.status is Status.IN_PROGRESS and voter in eligible and voter not in p.voters


def _unanimous(eligible: tuple[str, ...], approvers: tuple[str, ...]) -> bool:
    return bool(eligible) and set(eligible) <= set(approvers)


COMMANDS = (cmd.StartApprovalProcess, cmd.ApproveProcess, cmd.DenyProcess)

"""Governance's aggregates as the engine hosts them: stored names, commands, columns."""

from __future__ import annotations

from operator import attrgetter

from domains.aggregate import Aggregate, Column, EventType
from domains.governance import approval_policy, approval_process, committee
from domains.governance import events as ev
from domains.governance.commands import CreateCommittee, InitPolicy, StartApprovalProcess
from domains.governance.permissions import required_permission
from domains.governance.public import publish_approval_process

__all__ = ["APPROVAL_POLICY", "APPROVAL_PROCESS", "COMMITTEE"]


def _named(prefix: str, *pairs: tuple[type, str]) -> tuple[EventType, ...]:
    return tuple(EventType(cls, f"governance.{prefix}.{name}", 1) for cls, name in pairs)


APPROVAL_POLICY: Aggregate[approval_policy.ApprovalPolicy, ev.PolicyEvent, object] = Aggregate(
    kind="approval-policy",
    events=_named("policy", (ev.PolicyInitialized, "initialized"), (ev.ApprovalRulesUpdated, "approval-rules-updated")),
    apply=approval_policy.apply, decide=approval_policy.decide, commands=approval_policy.COMMANDS,
    creates=(InitPolicy,), state=approval_policy.ApprovalPolicy, permissions=required_permission,
)

COMMITTEE: Aggregate[committee.Committee, ev.CommitteeEvent, object] = Aggregate(
    kind="committee",
    events=_named("committee", (ev.CommitteeInitialized, "initialized"), (ev.CommitteeMemberAdded, "member-added"),
                  (ev.CommitteeMemberRemoved, "member-removed")),
    apply=committee.apply, decide=committee.decide, commands=committee.COMMANDS, creates=(CreateCommittee,),
    columns=(Column("name", attrgetter("name"), unique=True),),
    state=committee.Committee, permissions=required_permission,
)

APPROVAL_PROCESS: Aggregate[approval_process.ApprovalProcess, ev.ApprovalProcessEvent, object] = Aggregate(
    kind="approval-process",
    events=_named("approval-process", (ev.ApprovalProcessInitialized, "initialized"),
                  (ev.ApprovalProcessApproved, "approved"), (ev.ApprovalProcessDenied, "denied"),
                  (ev.ApprovalProcessConcluded, "concluded")),
    apply=approval_process.apply, decide=approval_process.decide, commands=approval_process.COMMANDS,
    creates=(StartApprovalProcess,),
    columns=(Column("process_type", attrgetter("process_type")), Column("status", attrgetter("status")),
             Column("target_ref", attrgetter("target_ref"))),
    publish=publish_approval_process, state=approval_process.ApprovalProcess, permissions=required_permission,
)

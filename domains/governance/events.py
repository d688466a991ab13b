"""Stored events of approval policies, committees and approval processes (Lana `core/governance`)."""

from __future__ import annotations

import attrs

from domains.governance.primitives import ApprovalRules, ProcessType

__all__ = [
    "ApprovalProcessApproved", "ApprovalProcessConcluded", "ApprovalProcessDenied", "ApprovalProcessEvent",
    "ApprovalProcessInitialized", "ApprovalRulesUpdated", "CommitteeEvent", "CommitteeInitialized",
    "CommitteeMemberAdded", "CommitteeMemberRemoved", "PolicyEvent", "PolicyInitialized",
]


@attrs.frozen
class PolicyInitialized:
    """The approval policy of a process type was created with its rules."""

    id: str
    process_type: ProcessType
    rules: ApprovalRules


@attrs.frozen
class ApprovalRulesUpdated:
    """The policy's rules were replaced; processes already started keep their snapshot."""

    rules: ApprovalRules


PolicyEvent = PolicyInitialized | ApprovalRulesUpdated


@attrs.frozen
class CommitteeInitialized:
    """A committee was created, without members."""

    id: str
    name: str


@attrs.frozen
class CommitteeMemberAdded:
    """A user joined the committee."""

    member_id: str


@attrs.frozen
class CommitteeMemberRemoved:
    """A user left the committee."""

    member_id: str


CommitteeEvent = CommitteeInitialized | CommitteeMemberAdded | CommitteeMemberRemoved


@attrs.frozen
class ApprovalProcessInitialized:
    """An approval process started under a snapshot of its policy's rules."""

    id: str
    process_type: ProcessType
    rules: ApprovalRules
    target_ref: str


@attrs.frozen
class ApprovalProcessApproved:
    """A committee member voted for."""

    approver_id: str


@attrs.frozen
class ApprovalProcessDenied:
    """A committee member voted against, giving a reason."""

    denier_id: str
    reason: str


@attrs.frozen
class ApprovalProcessConcluded:
    """The process reached its decision."""

    approved: bool


ApprovalProcessEvent = (ApprovalProcessInitialized | ApprovalProcessApproved | ApprovalProcessDenied
                        | ApprovalProcessConcluded)

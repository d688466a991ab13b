"""Governance module (Lana `core/governance`): approval policies per process type, committees and
approval processes concluded automatically or by a committee's unanimous vote."""

from __future__ import annotations

from domains.governance.approval_policy import ApprovalPolicy
from domains.governance.approval_process import ApprovalProcess
from domains.governance.commands import (
    AddCommitteeMember,
    ApproveProcess,
    CreateCommittee,
    DenyProcess,
    InitPolicy,
    RemoveCommitteeMember,
    StartApprovalProcess,
    UpdateApprovalRules,
)
from domains.governance.committee import Committee
from domains.governance.errors import (
    AutoApproveNotAllowed,
    EmptyValue,
    GovernanceError,
    NotInitialized,
    UnknownProcessType,
)
from domains.governance.events import (
    ApprovalProcessApproved,
    ApprovalProcessConcluded,
    ApprovalProcessDenied,
    ApprovalProcessEvent,
    ApprovalProcessInitialized,
    ApprovalRulesUpdated,
    CommitteeEvent,
    CommitteeInitialized,
    CommitteeMemberAdded,
    CommitteeMemberRemoved,
    PolicyEvent,
    PolicyInitialized,
)
from domains.governance.primitives import (
    AUTO_APPROVE,
    DEFAULT_COMMITTEE_NAME,
    ApprovalProcessStatus,
    ApprovalRules,
    ProcessType,
)
from domains.governance.registry import APPROVAL_POLICY, APPROVAL_PROCESS, COMMITTEE

AGGREGATES = (APPROVAL_POLICY, COMMITTEE, APPROVAL_PROCESS)

__all__ = [
    "AGGREGATES",
    "APPROVAL_POLICY",
    "APPROVAL_PROCESS",
    "AUTO_APPROVE",
    "AddCommitteeMember",
    "AutoApproveNotAllowed",
    "ApprovalPolicy",
    "ApprovalProcess",
    "ApprovalProcessApproved",
    "ApprovalProcessConcluded",
    "ApprovalProcessDenied",
    "ApprovalProcessEvent",
    "ApprovalProcessInitialized",
    "ApprovalProcessStatus",
    "ApprovalRules",
    "ApprovalRulesUpdated",
    "ApproveProcess",
    "COMMITTEE",
    "DEFAULT_COMMITTEE_NAME",
    "Committee",
    "CommitteeEvent",
    "CommitteeInitialized",
    "CommitteeMemberAdded",
    "CommitteeMemberRemoved",
    "CreateCommittee",
    "DenyProcess",
    "EmptyValue",
    "GovernanceError",
    "InitPolicy",
    "NotInitialized",
    "PolicyEvent",
    "PolicyInitialized",
    "ProcessType",
    "RemoveCommitteeMember",
    "StartApprovalProcess",
    "UnknownProcessType",
    "UpdateApprovalRules",
]

"""The (object, action) a user must hold to issue each governance command (Lana's authz)."""

from __future__ import annotations

from domains.governance import commands as c

__all__ = ["required_permission"]

PERMISSIONS: dict[type, tuple[str, str]] = {
    c.InitPolicy: ("policy/*", "policy:create"),
    c.UpdateApprovalRules: ("policy/*", "policy:update-rules"),
    c.CreateCommittee: ("committee/*", "committee:create"),
    c.AddCommitteeMember: ("committee/*", "committee:add-member"),
    c.RemoveCommitteeMember: ("committee/*", "committee:remove-member"),
    c.StartApprovalProcess: ("approval-process/*", "approval-process:create"),
    c.ApproveProcess: ("approval-process/*", "approval-process:approve"),
    c.DenyProcess: ("approval-process/*", "approval-process:deny"),
}


def required_permission(command: object) -> tuple[str, str]:
    return PERMISSIONS[type(command)]

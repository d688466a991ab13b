"""Approval policy: one per process type, holding the rules new approval processes snapshot."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.governance import commands as cmd
from domains.governance import events as ev
from domains.governance.errors import AutoApproveNotAllowed, require
from domains.governance.primitives import ApprovalRules, ProcessType

__all__ = ["COMMANDS", "ApprovalPolicy", "apply", "decide"]


@attrs.frozen
class ApprovalPolicy:
    """Keyed by its process type's value (`"withdraw"`): one policy per type, found without a lookup."""

    id: str
    process_type: ProcessType
    rules: ApprovalRules


def apply(state: ApprovalPolicy | None, event: ev.PolicyEvent) -> ApprovalPolicy:
    match event:
        case ev.PolicyInitialized():
            return ApprovalPolicy(event.id, event.process_type, event.rules)
        case ev.ApprovalRulesUpdated(rules=rules):
            return evolve(require(state, "approval-policy"), rules=rules)
        case _:
            assert_never(event)


def decide(state: ApprovalPolicy | None, command: object, at: datetime) -> tuple[ev.PolicyEvent, ...]:
    match command:
        case cmd.InitPolicy():
            if state is not None:
                return ()
            _allowed(command.process_type, command.rules, command.auto_approval_allowed)
            return (ev.PolicyInitialized(command.process_type.value, command.process_type, command.rules),)
        case cmd.UpdateApprovalRules(rules=rules):
            policy = require(state, "approval-policy")
            _allowed(policy.process_type, rules, command.auto_approval_allowed)
            return () if policy.rules == rules else (ev.ApprovalRulesUpdated(rules),)
    raise TypeError(f"not a policy command: {command!r}")


def _allowed(process_type: ProcessType, rules: ApprovalRules, auto_approval_allowed: bool) -> None:
    """Lana refuses AutoApprove rules when `AllowAutoApproval` is off, on creation and on update
    (`core/governance/src/policy/entity.rs`: `AutoApproveNotAllowed`)."""
    if rules.auto_approve and not auto_approval_allowed:
        raise AutoApproveNotAllowed(process_type=process_type)


COMMANDS = (cmd.InitPolicy, cmd.UpdateApprovalRules)

"""Commands of governance; each validates its fields on construction."""

from __future__ import annotations

import attrs

from domains.governance.errors import EmptyValue, UnknownProcessType
from domains.governance.primitives import AUTO_APPROVE, ApprovalRules, ProcessType
from domains.validators import bounded_text, required

__all__ = [
    "AddCommitteeMember", "ApproveProcess", "CreateCommittee", "DenyProcess", "InitPolicy",
    "RemoveCommitteeMember", "StartApprovalProcess", "UpdateApprovalRules",
]


def _process_type(value: object) -> ProcessType:
    try:
        return ProcessType(value)
    except ValueError:
        raise UnknownProcessType(value=value, known=tuple(t.value for t in ProcessType)) from None


_required = required(EmptyValue)


def _members(values: object) -> tuple[str, ...]:
    """Current committee members, sorted: the order never depends on how they were read."""
    return tuple(sorted(set(values)))  # type: ignore[call-overload]


@attrs.frozen
class InitPolicy:
    """Create the policy of a process type if it does not exist (Lana `init_policy`)."""

    process_type: ProcessType = attrs.field(converter=_process_type)
    rules: ApprovalRules = AUTO_APPROVE
    auto_approval_allowed: bool = True  # Lana's `AllowAutoApproval` domain config


@attrs.frozen
class UpdateApprovalRules:
    rules: ApprovalRules
    auto_approval_allowed: bool = True  # Lana's `AllowAutoApproval` domain config


@attrs.frozen
class CreateCommittee:
    id: str = attrs.field(validator=_required)
    name: str = attrs.field(validator=_required)


@attrs.frozen
class AddCommitteeMember:
    member_id: str = attrs.field(validator=_required)


@attrs.frozen
class RemoveCommitteeMember:
    member_id: str = attrs.field(validator=_required)


@attrs.frozen
class StartApprovalProcess:
    """`rules` is the policy's current rules, read by the caller: the process keeps this snapshot."""

    id: str = attrs.field(validator=_required)
    process_type: ProcessType = attrs.field(converter=_process_type)
    rules: ApprovalRules
    target_ref: str = attrs.field(validator=_required)


@attrs.frozen
class ApproveProcess:
    """`eligible` is the committee's membership at vote time, read by the caller (Lana reads it too)."""

    approver_id: str = attrs.field(validator=_required)
    eligible: tuple[str, ...] = attrs.field(converter=_members)


@attrs.frozen
class DenyProcess:
    denier_id: str = attrs.field(validator=_required)
    reason: str = attrs.field(validator=lambda _, a, v: bounded_text(a.name, v))
    eligible: tuple[str, ...] = attrs.field(converter=_members)

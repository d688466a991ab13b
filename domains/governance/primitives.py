"""Value types of governance: the process types, approval rules and a process's status."""

from __future__ import annotations

import enum

import attrs

__all__ = ["AUTO_APPROVE", "DEFAULT_COMMITTEE_NAME", "ApprovalProcessStatus", "ApprovalRules", "ProcessType"]


class ProcessType(str, enum.Enum):
    """What an approval process decides on; each module creates its policy on first use."""

    CREDIT_FACILITY_PROPOSAL = "credit-facility-proposal"
    DISBURSAL = "disbursal"
    WITHDRAW = "withdraw"


class ApprovalProcessStatus(str, enum.Enum):
    IN_PROGRESS = "in-progress"
    APPROVED = "approved"
    DENIED = "denied"


@attrs.frozen
class ApprovalRules:
    """Lana's `ApprovalRules`: `AutoApprove` (no committee) or `Committee{committee_id}`.

    One class rather than a union of two, so stored events decode to a typed value.
    """

    committee_id: str | None = None

    @property
    def auto_approve(self) -> bool:
        return self.committee_id is None


AUTO_APPROVE = ApprovalRules()
DEFAULT_COMMITTEE_NAME = "default"  # Lana `core/governance/src/primitives.rs`

"""Governance service: Lana's governance API — committees, policies per process type, votes — and
`start_process`, which other modules' services use to put a decision to governance."""

from __future__ import annotations

import threading

from domains.governance import (
    AUTO_APPROVE,
    DEFAULT_COMMITTEE_NAME,
    AddCommitteeMember,
    ApprovalPolicy,
    ApprovalProcess,
    ApprovalRules,
    ApproveProcess,
    Committee,
    CreateCommittee,
    DenyProcess,
    InitPolicy,
    ProcessType,
    RemoveCommitteeMember,
    StartApprovalProcess,
    UnknownProcessType,
    UpdateApprovalRules,
)
from engine.kernel.authz import SYSTEM
from engine.kernel.errors import UnknownEntity
from engine.kernel.port import Kernel, Outcome

__all__ = ["GovernanceService"]


class GovernanceService:
    """The `governance` attribute of a `Simulation`.

    `allow_auto_approval=False` is Lana's `allow-auto-approval = false` (`core/governance/src/lib.rs`,
    `init_policy`): every policy starts with the committee named "default" (created on first use,
    empty until `bootstrap_default_committee` adds a member) and AutoApprove rules are refused
    with `AutoApproveNotAllowed`. Lana's `init_policy` instead fails with `DefaultCommitteeNotFound`
    until the default committee has been bootstrapped; here a process started before that waits in
    the empty committee, which no vote can conclude (Lana's rules deny it only on a vote, which an
    empty committee never casts)."""

    def __init__(self, kernel: Kernel, *, allow_auto_approval: bool = True,
                 serial: threading.RLock) -> None:
        """`serial`: held by a vote, whose cascade may settle a disbursal into a deposit account or
        cancel a withdrawal (`DepositService`), with the committee's members read for it."""
        self.kernel = kernel
        self.serial = serial
        self.allow_auto_approval = allow_auto_approval
        self._policies_ready = False

    # -- committees --------------------------------------------------------------------
    def create_committee(self, name: str, *, subject: str = SYSTEM) -> str:
        """A taken name raises `DuplicateValue(kind="committee", column="name")`."""
        committee_id = self.kernel.ids.entity()
        self.kernel.execute("committee", committee_id, CreateCommittee(committee_id, name), subject=subject)
        return committee_id

    def add_member(self, committee_id: str, user_id: str, *, subject: str = SYSTEM) -> Outcome:
        """Members are users: an unknown user raises `UnknownEntity(kind="user")`."""
        command = AddCommitteeMember(user_id)
        self.kernel.state("user", user_id)
        return self.kernel.execute("committee", committee_id, command, subject=subject)

    def remove_member(self, committee_id: str, user_id: str, *, subject: str = SYSTEM) -> Outcome:
        """Not between a vote's read of the members and the vote (`serial`): the vote of a member
        removed on another thread in between was counted."""
        with self.serial:
            return self.kernel.execute("committee", committee_id, RemoveCommitteeMember(user_id), subject=subject)

    def default_committee(self) -> str:
        """The id of the committee named "default", created (without members) if missing."""
        found = self.kernel.index("committee").maybe_find_by("name", DEFAULT_COMMITTEE_NAME)
        return found if found is not None else self.create_committee(DEFAULT_COMMITTEE_NAME)

    def bootstrap_default_committee(self, user_id: str) -> str:
        """Lana's `bootstrap_default_committee`: the default committee with `user_id` a member
        (idempotent); returns the committee id. A `user_id` that is no user's is refused before
        the committee is created (it was created, then the member refused: a refusal that journaled)."""
        AddCommitteeMember(user_id)  # a value that is no id: `EmptyValue`, `TextTooLong`, `WrongType`
        self.kernel.state("user", user_id)  # `UnknownEntity`
        committee_id = self.default_committee()
        self.add_member(committee_id, user_id)
        return committee_id

    # -- policies ----------------------------------------------------------------------
    def set_policy(self, process_type: str, committee_id: str | None = None, *, subject: str = SYSTEM) -> Outcome:
        """Committee rules for a process type, or AutoApprove without a committee. Processes already
        started keep the rules they were started with."""
        process_type = _process_type(process_type)
        if committee_id is not None:
            self.kernel.state("committee", committee_id)  # UnknownEntity for a committee never created
        self._ensure_policies()
        rules = AUTO_APPROVE if committee_id is None else ApprovalRules(committee_id)
        command = UpdateApprovalRules(rules, self.allow_auto_approval)
        return self.kernel.execute("approval-policy", process_type.value, command, subject=subject)

    def policy(self, process_type: str) -> ApprovalPolicy:
        """The approval policy of a process type ("credit-facility-proposal", "disbursal",
        "withdraw"; `UnknownProcessType` for another): its `rules` say who approves (a committee,
        or none: auto-approval; with `BankSettings(allow_auto_approval=False)` the "default" one)."""
        self._ensure_policies()
        found: ApprovalPolicy = self.kernel.state("approval-policy", _process_type(process_type).value)
        return found

    # -- processes ---------------------------------------------------------------------
    def start_process(self, process_type: str, target_ref: str, process_id: str | None = None, *,
                      subject: str = SYSTEM) -> str:
        """Start an approval process under the policy's current rules; with AutoApprove it concludes
        (and its conclusion's reactions run) before this returns. Lana shares ids: pass the target's
        id as `process_id` where Lana does (withdrawal, disbursal, proposal). A `target_ref` that
        names no entity of the process type's kind is `UnknownEntity`, before the process is started
        (it was started and auto-approved, and its conclusion's reaction failed: `ReactionFailed`)."""
        target_kind = _TARGETS[_process_type(process_type)]
        if not self.kernel.exists(target_kind, target_ref):  # before the policies are made on first use
            raise UnknownEntity(kind=target_kind, id=target_ref)
        rules = self.policy(process_type).rules
        process_id = process_id or self.kernel.ids.entity()
        command = StartApprovalProcess(process_id, process_type, rules, target_ref)
        self.kernel.execute("approval-process", process_id, command, subject=subject)
        return process_id

    def approve(self, process_id: str, user_id: str) -> Outcome:
        """The voting user is the acting subject (Lana: the approver is the caller)."""
        with self.serial:
            command = ApproveProcess(user_id, self._eligible(process_id))
            return self.kernel.execute("approval-process", process_id, command, subject=user_id)

    def deny(self, process_id: str, user_id: str, reason: str = "") -> Outcome:
        with self.serial:
            command = DenyProcess(user_id, reason, self._eligible(process_id))
            return self.kernel.execute("approval-process", process_id, command, subject=user_id)

    # -- reads -------------------------------------------------------------------------
    def process(self, process_id: str) -> ApprovalProcess:
        found: ApprovalProcess = self.kernel.state("approval-process", process_id)
        return found

    def committee(self, committee_id: str) -> Committee:
        found: Committee = self.kernel.state("committee", committee_id)
        return found

    # -- steps -------------------------------------------------------------------------
    def _eligible(self, process_id: str) -> tuple[str, ...]:
        """The current members of the process's committee (none under AutoApprove)."""
        committee_id = self.kernel.state("approval-process", process_id).rules.committee_id
        return () if committee_id is None else self.kernel.state("committee", committee_id).members

    def _ensure_policies(self) -> None:
        """Lana's modules `init_policy` at start-up; here on first use, once per simulation (a policy
        publishes nothing, so there is no cascade to settle)."""
        if self._policies_ready:
            return
        allowed = self.allow_auto_approval
        rules = AUTO_APPROVE if allowed else ApprovalRules(self.default_committee())
        for process_type in ProcessType:
            self.kernel.execute("approval-policy", process_type.value, InitPolicy(process_type, rules, allowed))
        self._policies_ready = True


_TARGETS = {ProcessType.CREDIT_FACILITY_PROPOSAL: "credit-facility-proposal", ProcessType.DISBURSAL: "disbursal",
            ProcessType.WITHDRAW: "withdrawal"}
"""The kind of entity each process type decides on (its `target_ref`)."""


def _process_type(value: object) -> ProcessType:
    try:
        return ProcessType(value)
    except ValueError:
        raise UnknownProcessType(value=value, known=tuple(t.value for t in ProcessType)) from None

"""Governance without auto-approval (Lana's `allow-auto-approval = false`): given a policy ->
when rules are asked for -> then events or `AutoApproveNotAllowed`; and a withdrawal through the
whole stack waits for the default committee."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domains.deposit import WithdrawalStatus
from domains.governance import (
    APPROVAL_POLICY,
    AUTO_APPROVE,
    ApprovalProcessStatus,
    ApprovalRules,
    ApprovalRulesUpdated,
    AutoApproveNotAllowed,
    InitPolicy,
    PolicyInitialized,
    ProcessType,
    UpdateApprovalRules,
)
from engine.bank.settings import BankSettings
from engine.simulation import Simulation
from tests.domains.support import fold

AT = datetime(2024, 1, 1, tzinfo=UTC)
DEFAULT = ApprovalRules("default-committee")
POLICY = PolicyInitialized("withdraw", ProcessType.WITHDRAW, DEFAULT)


def when(history, command):
    return APPROVAL_POLICY.decide(fold(APPROVAL_POLICY, *history), command, AT)


def test_given_no_auto_approval_a_new_policy_with_committee_rules_is_initialized():
    assert when([], InitPolicy("withdraw", DEFAULT, auto_approval_allowed=False)) == (POLICY,)


def test_given_no_auto_approval_a_new_auto_approving_policy_is_refused_with_its_process_type():
    with pytest.raises(AutoApproveNotAllowed) as refused:
        when([], InitPolicy("withdraw", AUTO_APPROVE, auto_approval_allowed=False))
    assert refused.value.process_type is ProcessType.WITHDRAW


def test_given_no_auto_approval_switching_a_policy_to_auto_approve_is_refused():
    with pytest.raises(AutoApproveNotAllowed):
        when([POLICY], UpdateApprovalRules(AUTO_APPROVE, auto_approval_allowed=False))


def test_given_no_auto_approval_moving_a_policy_to_another_committee_is_allowed():
    board = ApprovalRules("board")
    assert when([POLICY], UpdateApprovalRules(board, auto_approval_allowed=False)) == (ApprovalRulesUpdated(board),)


def test_given_auto_approval_allowed_auto_approve_rules_are_accepted_as_before():
    assert when([POLICY], UpdateApprovalRules(AUTO_APPROVE)) == (ApprovalRulesUpdated(AUTO_APPROVE),)


# -- scenario: a withdrawal under `allow_auto_approval=False` ---------------------------------------
def test_without_auto_approval_a_withdrawal_waits_for_the_default_committee():
    with Simulation(seed=3, settings=BankSettings(allow_auto_approval=False)) as sim:
        sim.access.seed()
        admin = sim.access.create_user("root@bank.test", "bank-manager")
        committee = sim.governance.bootstrap_default_committee(admin)
        customer = sim.customer.create_customer("ann@example.com")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 10_000)
        withdrawal = sim.deposit.initiate_withdrawal(account, 3_000)
        assert sim.governance.policy("withdraw").rules == ApprovalRules(committee)
        assert sim.deposit.withdrawal(withdrawal).status is not WithdrawalStatus.PENDING_CONFIRMATION
        sim.governance.approve(withdrawal, admin)
        assert sim.governance.process(withdrawal).status is ApprovalProcessStatus.APPROVED
        assert sim.deposit.withdrawal(withdrawal).status is WithdrawalStatus.PENDING_CONFIRMATION


def test_without_auto_approval_the_service_refuses_an_auto_approving_policy():
    with Simulation(seed=3, settings=BankSettings(allow_auto_approval=False)) as sim:
        with pytest.raises(AutoApproveNotAllowed):
            sim.governance.set_policy("disbursal", None)
        assert sim.governance.committee(sim.governance.default_committee()).name == "default"


def test_by_default_every_policy_still_auto_approves():
    with Simulation(seed=3) as sim:
        assert sim.governance.policy("withdraw").rules == AUTO_APPROVE

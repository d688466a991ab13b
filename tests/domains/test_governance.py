"""Governance: approval policies, committees and approval processes, given events -> when a
command -> then events or a refusal with its fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domains.governance import (
    APPROVAL_POLICY,
    APPROVAL_PROCESS,
    AUTO_APPROVE,
    COMMITTEE,
    AddCommitteeMember,
    ApprovalProcessApproved,
    ApprovalProcessConcluded,
    ApprovalProcessDenied,
    ApprovalProcessInitialized,
    ApprovalProcessStatus,
    ApprovalRules,
    ApprovalRulesUpdated,
    ApproveProcess,
    CommitteeInitialized,
    CommitteeMemberAdded,
    CommitteeMemberRemoved,
    CreateCommittee,
    DenyProcess,
    EmptyValue,
    InitPolicy,
    PolicyInitialized,
    ProcessType,
    RemoveCommitteeMember,
    StartApprovalProcess,
    UnknownProcessType,
    UpdateApprovalRules,
)
from domains.governance.public import publish_approval_process
from tests.domains.support import fold

AT = datetime(2024, 1, 1, tzinfo=UTC)
WITHDRAW = ProcessType.WITHDRAW
BY_BOARD = ApprovalRules("board")
POLICY = PolicyInitialized("withdraw", WITHDRAW, AUTO_APPROVE)
BOARD = CommitteeInitialized("board", "board")
STARTED = ApprovalProcessInitialized("p-1", WITHDRAW, BY_BOARD, "w-1")


state = fold  # the state `spec.apply` builds from the events


def when(spec, history, command):
    return spec.decide(state(spec, *history), command, AT)


# -- commands validate on construction ------------------------------------------------------------
def test_an_unknown_process_type_is_refused_with_its_value():
    with pytest.raises(UnknownProcessType) as refused:
        InitPolicy("mortgage")
    assert refused.value.value == "mortgage"


def test_an_empty_committee_name_is_refused_by_field():
    with pytest.raises(EmptyValue) as refused:
        CreateCommittee("c-1", " ")
    assert refused.value.field == "name"


def test_eligible_voters_are_sorted_and_deduplicated():
    assert ApproveProcess("u-1", ["u-3", "u-1", "u-3"]).eligible == ("u-1", "u-3")


# -- policy ---------------------------------------------------------------------------------------
def test_a_policy_starts_auto_approving_keyed_by_its_process_type():
    assert when(APPROVAL_POLICY, [], InitPolicy("withdraw")) == (POLICY,)
    assert state(APPROVAL_POLICY, POLICY).id == "withdraw"


def test_initialising_an_existing_policy_changes_nothing():
    assert when(APPROVAL_POLICY, [POLICY], InitPolicy("withdraw", BY_BOARD)) == ()


def test_rules_change_once_and_setting_the_same_rules_again_changes_nothing():
    assert when(APPROVAL_POLICY, [POLICY], UpdateApprovalRules(BY_BOARD)) == (ApprovalRulesUpdated(BY_BOARD),)
    assert when(APPROVAL_POLICY, [POLICY, ApprovalRulesUpdated(BY_BOARD)], UpdateApprovalRules(BY_BOARD)) == ()
    assert state(APPROVAL_POLICY, POLICY, ApprovalRulesUpdated(BY_BOARD)).rules.committee_id == "board"


# -- committee ------------------------------------------------------------------------------------
def test_members_join_once_and_leave_once():
    joined = CommitteeMemberAdded("u-1")
    assert when(COMMITTEE, [BOARD], AddCommitteeMember("u-1")) == (joined,)
    assert when(COMMITTEE, [BOARD, joined], AddCommitteeMember("u-1")) == ()
    assert when(COMMITTEE, [BOARD, joined], RemoveCommitteeMember("u-1")) == (CommitteeMemberRemoved("u-1"),)
    assert when(COMMITTEE, [BOARD], RemoveCommitteeMember("u-1")) == ()


def test_members_are_kept_sorted_whatever_the_join_order():
    board = state(COMMITTEE, BOARD, CommitteeMemberAdded("u-2"), CommitteeMemberAdded("u-1"))
    assert board.members == ("u-1", "u-2")


def test_creating_a_committee_twice_changes_nothing():
    assert when(COMMITTEE, [], CreateCommittee("board", "board")) == (BOARD,)
    assert when(COMMITTEE, [BOARD], CreateCommittee("board", "other")) == ()


# -- approval process -----------------------------------------------------------------------------
def test_an_auto_approved_process_concludes_at_creation():
    events = when(APPROVAL_PROCESS, [], StartApprovalProcess("p-1", "withdraw", AUTO_APPROVE, "w-1"))
    assert events == (ApprovalProcessInitialized("p-1", WITHDRAW, AUTO_APPROVE, "w-1"),
                      ApprovalProcessConcluded(True))


def test_a_committee_process_waits_for_votes():
    assert when(APPROVAL_PROCESS, [], StartApprovalProcess("p-1", "withdraw", BY_BOARD, "w-1")) == (STARTED,)
    assert state(APPROVAL_PROCESS, STARTED).status is ApprovalProcessStatus.IN_PROGRESS


def test_approval_concludes_only_when_every_current_member_approved():
    first = when(APPROVAL_PROCESS, [STARTED], ApproveProcess("u-1", ("u-1", "u-2")))
    assert first == (ApprovalProcessApproved("u-1"),)
    last = when(APPROVAL_PROCESS, [STARTED, *first], ApproveProcess("u-2", ("u-1", "u-2")))
    assert last == (ApprovalProcessApproved("u-2"), ApprovalProcessConcluded(True))


def test_a_member_removed_after_the_others_voted_no_longer_blocks_approval():
    voted = [STARTED, ApprovalProcessApproved("u-1")]
    assert when(APPROVAL_PROCESS, voted, ApproveProcess("u-2", ("u-1", "u-2")))[-1] == ApprovalProcessConcluded(True)


def test_one_denial_denies():
    events = when(APPROVAL_PROCESS, [STARTED], DenyProcess("u-2", "no collateral", ("u-1", "u-2")))
    assert events == (ApprovalProcessDenied("u-2", "no collateral"), ApprovalProcessConcluded(False))
    assert state(APPROVAL_PROCESS, STARTED, *events).status is ApprovalProcessStatus.DENIED


def test_a_non_member_vote_is_ignored_as_lana_ignores_it():
    assert when(APPROVAL_PROCESS, [STARTED], ApproveProcess("u-9", ("u-1",))) == ()
    assert when(APPROVAL_PROCESS, [STARTED], DenyProcess("u-9", "no", ("u-1",))) == ()


def test_an_empty_committee_cannot_conclude_by_vote():
    assert when(APPROVAL_PROCESS, [STARTED], ApproveProcess("u-1", ())) == ()
    assert state(APPROVAL_PROCESS, STARTED).status is ApprovalProcessStatus.IN_PROGRESS


@pytest.mark.parametrize("second", [ApproveProcess("u-1", ("u-1", "u-2")), DenyProcess("u-1", "", ("u-1", "u-2"))])
def test_a_member_votes_once_and_a_second_vote_is_ignored(second):
    assert when(APPROVAL_PROCESS, [STARTED, ApprovalProcessApproved("u-1")], second) == ()


def test_a_vote_on_a_concluded_process_is_ignored():
    concluded = [STARTED, ApprovalProcessDenied("u-1", "no"), ApprovalProcessConcluded(False)]
    assert when(APPROVAL_PROCESS, concluded, ApproveProcess("u-2", ("u-1", "u-2"))) == ()
    assert state(APPROVAL_PROCESS, *concluded).status is ApprovalProcessStatus.DENIED


def test_starting_a_process_twice_changes_nothing():
    assert when(APPROVAL_PROCESS, [STARTED], StartApprovalProcess("p-1", "withdraw", AUTO_APPROVE, "w-1")) == ()


def test_only_the_conclusion_is_public_with_status_and_target():
    concluded = state(APPROVAL_PROCESS, STARTED, ApprovalProcessConcluded(True))
    assert publish_approval_process(concluded, ApprovalProcessApproved("u-1")) == ()
    (public,) = publish_approval_process(concluded, ApprovalProcessConcluded(True))
    assert (public.module, public.name) == ("Governance", "ApprovalProcessConcluded")
    assert public.payload == {"entity": {"id": "p-1", "process_type": "withdraw", "status": "Approved",
                                         "target_ref": "w-1"}}


def test_an_unknown_process_type_names_the_known_ones():
    with pytest.raises(UnknownProcessType) as refused:
        InitPolicy("deposit-withdraw")
    assert refused.value.known == ("credit-facility-proposal", "disbursal", "withdraw")
    assert "known=('credit-facility-proposal', 'disbursal', 'withdraw')" in str(refused.value)

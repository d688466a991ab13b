"""Deposit module: DepositAccount, Deposit and Withdrawal decisions (given events -> when a command
-> then events or a refusal with its fields), their postings, public events and policy."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domains.accounting import CANCEL_WITHDRAW, DENY_WITHDRAW, FREEZE_ACCOUNT, INITIATE_WITHDRAW
from domains.deposit import (
    DEPOSIT,
    DEPOSIT_ACCOUNT,
    WITHDRAWAL,
    AccountClosed,
    AccountFrozen,
    AccountStatus,
    Activity,
    AlreadyCancelled,
    AlreadyConfirmed,
    AlreadyDenied,
    BalanceIsNotZero,
    CancelWithdrawal,
    CloseAccount,
    ConcludeWithdrawalApproval,
    ConfirmWithdrawal,
    CustomerNotEligible,
    DepositAccountActivityRecorded,
    DepositAccountActivityUpdated,
    DepositAccountClosed,
    DepositAccountFrozen,
    DepositAccountInitialized,
    DepositAccountUnfrozen,
    DepositInitialized,
    DepositReverted,
    DepositStatus,
    FreezeAccount,
    InitiateWithdrawal,
    InsufficientBalance,
    NonPositiveAmount,
    NotApproved,
    NotConfirmed,
    OpenAccount,
    RecordActivity,
    RecordDeposit,
    RevertDeposit,
    RevertWithdrawal,
    UnfreezeAccount,
    UpdateActivity,
    WithdrawalApprovalConcluded,
    WithdrawalCancelled,
    WithdrawalConfirmed,
    WithdrawalDenied,
    WithdrawalInitialized,
    WithdrawalReverted,
    WithdrawalStatus,
    activity_of,
)
from domains.deposit.account import alarm as account_alarm
from domains.deposit.policies import ACCOUNT_ACTIVITY, conclude_withdrawal, record_activity
from domains.deposit.posting import post_account, post_withdrawal
from domains.deposit.public import publish_deposit, publish_withdrawal
from domains.validators import WrongType
from tests.domains.support import fold

AT = datetime(2024, 1, 1, tzinfo=UTC)
DAY = AT.date()
ACTIVE, FROZEN, CLOSED = AccountStatus.ACTIVE, AccountStatus.FROZEN, AccountStatus.CLOSED
W = WithdrawalStatus
OPENED = DepositAccountInitialized("a-1", "c-1", ACTIVE, Activity.ACTIVE, DAY)
FROZE = DepositAccountFrozen(FROZEN, 700, "a-1:freeze:1", DAY)
DEPOSITED = DepositInitialized("d-1", "d-1", "a-1", 500, "ref", DepositStatus.CONFIRMED, DAY)
INITIATED = WithdrawalInitialized("w-1", "w-1", "a-1", 300, "ref", "w-1", W.PENDING_APPROVAL, DAY)
APPROVED = WithdrawalApprovalConcluded("w-1", True, W.PENDING_CONFIRMATION)
DENIED = (WithdrawalApprovalConcluded("w-1", False, W.DENIED), WithdrawalDenied("w-1:deny", W.DENIED, DAY))
CANCELLED = WithdrawalCancelled("w-1:cancel", W.CANCELLED, DAY)
CONFIRMED = WithdrawalConfirmed("w-1:confirm", W.CONFIRMED, DAY)


state = fold  # the state `spec.apply` builds from the events


def when(spec, history, command, at=AT):
    return spec.decide(state(spec, *history), command, at)


# -- commands validate on construction ------------------------------------------------------------
@pytest.mark.parametrize("amount", [0, -5])
def test_an_amount_that_is_not_positive_cents_is_refused_with_its_value(amount):
    with pytest.raises(NonPositiveAmount) as refused:
        RecordDeposit("d-1", "a-1", amount, "ref", "active")
    assert refused.value.amount == amount


@pytest.mark.parametrize("amount", [1.5, True, "100", None])
def test_an_amount_that_is_not_an_int_is_refused_as_the_wrong_type(amount):
    with pytest.raises(WrongType) as refused:
        RecordDeposit("d-1", "a-1", amount, "ref", "active")
    assert (refused.value.field, refused.value.value) == ("amount", amount)


def test_a_withdrawal_of_nothing_is_refused_before_reaching_the_account():
    with pytest.raises(NonPositiveAmount) as refused:
        InitiateWithdrawal("w-1", "a-1", 0, "ref", "active", 1_000)
    assert refused.value.amount == 0


# -- deposit account ------------------------------------------------------------------------------
def test_an_active_customer_opens_an_active_account_dated_today():
    assert when(DEPOSIT_ACCOUNT, [], OpenAccount("a-1", "c-1", "active")) == (OPENED,)


def test_a_frozen_customer_cannot_open_an_account():
    with pytest.raises(CustomerNotEligible) as refused:
        when(DEPOSIT_ACCOUNT, [], OpenAccount("a-1", "c-1", "frozen"))
    assert (refused.value.customer_id, refused.value.status) == ("c-1", "frozen")


def test_freezing_moves_the_settled_balance_aside_once():
    assert when(DEPOSIT_ACCOUNT, [OPENED], FreezeAccount(700)) == (FROZE,)
    assert when(DEPOSIT_ACCOUNT, [OPENED, FROZE], FreezeAccount(700)) == ()
    (tx,) = post_account(state(DEPOSIT_ACCOUNT, OPENED, FROZE), FROZE)
    assert (tx.template, tx.tx_id) == (FREEZE_ACCOUNT, "a-1:freeze:1")


def test_freezing_an_empty_account_posts_nothing_and_names_no_transaction():
    (frozen,) = when(DEPOSIT_ACCOUNT, [OPENED], FreezeAccount(0))
    assert (frozen.amount, frozen.ledger_tx_id) == (0, None)
    assert post_account(state(DEPOSIT_ACCOUNT, OPENED, frozen), frozen) == ()
    (unfrozen,) = when(DEPOSIT_ACCOUNT, [OPENED, frozen], UnfreezeAccount())
    assert (unfrozen.amount, unfrozen.ledger_tx_id) == (0, None)
    assert post_account(state(DEPOSIT_ACCOUNT, OPENED, frozen, unfrozen), unfrozen) == ()
    # the next freeze with money keeps its number: the empty one counted
    assert when(DEPOSIT_ACCOUNT, [OPENED, frozen, unfrozen], FreezeAccount(700))[0].ledger_tx_id == "a-1:freeze:2"


def test_unfreezing_brings_back_what_was_frozen_and_is_a_no_op_otherwise():
    assert when(DEPOSIT_ACCOUNT, [OPENED, FROZE], UnfreezeAccount()) == (
        DepositAccountUnfrozen(ACTIVE, 700, "a-1:unfreeze:1", DAY),)
    assert when(DEPOSIT_ACCOUNT, [OPENED], UnfreezeAccount()) == ()


def test_a_closed_account_cannot_be_frozen():
    with pytest.raises(AccountClosed) as refused:
        when(DEPOSIT_ACCOUNT, [OPENED, DepositAccountClosed(CLOSED)], FreezeAccount(0))
    assert refused.value.account_id == "a-1"


def test_closing_needs_nothing_settled_and_nothing_pending():
    with pytest.raises(BalanceIsNotZero) as refused:
        when(DEPOSIT_ACCOUNT, [OPENED], CloseAccount(0, pending=300))
    assert (refused.value.account_id, refused.value.balance, refused.value.pending) == ("a-1", 0, 300)
    assert when(DEPOSIT_ACCOUNT, [OPENED], CloseAccount(0)) == (DepositAccountClosed(CLOSED),)


def test_a_frozen_account_cannot_be_closed():
    with pytest.raises(AccountFrozen) as refused:
        when(DEPOSIT_ACCOUNT, [OPENED, FROZE], CloseAccount(0))
    assert refused.value.account_id == "a-1"


@pytest.mark.parametrize(("idle_days", "activity"), [
    (365, Activity.ACTIVE), (366, Activity.INACTIVE), (3650, Activity.INACTIVE), (3651, Activity.ESCHEATABLE)])
def test_activity_follows_the_idle_days_thresholds(idle_days, activity):
    """Lana: inactive when the last activity is before the closing instant (D 00:00) minus 365 days."""
    assert activity_of(DAY, DAY + timedelta(days=idle_days)) is activity


def test_money_moving_records_the_day_once():
    assert when(DEPOSIT_ACCOUNT, [OPENED], RecordActivity(DAY + timedelta(days=3))) == (
        DepositAccountActivityRecorded(DAY + timedelta(days=3)),)
    assert when(DEPOSIT_ACCOUNT, [OPENED], RecordActivity(DAY)) == ()


def test_the_end_of_a_day_reclassifies_from_the_last_activity():
    later = DAY + timedelta(days=400)
    assert when(DEPOSIT_ACCOUNT, [OPENED], UpdateActivity(later)) == (
        DepositAccountActivityUpdated(Activity.INACTIVE, later),)
    recent = DepositAccountActivityRecorded(later - timedelta(days=10))
    assert when(DEPOSIT_ACCOUNT, [OPENED, recent], UpdateActivity(later)) == ()


def test_an_escheatable_account_never_changes_class_nor_wakes_again():
    escheatable = [OPENED, DepositAccountActivityUpdated(Activity.ESCHEATABLE, DAY + timedelta(days=3650)),
                   DepositAccountActivityRecorded(DAY + timedelta(days=3651))]
    assert when(DEPOSIT_ACCOUNT, escheatable, UpdateActivity(DAY + timedelta(days=3652))) == ()
    assert account_alarm(state(DEPOSIT_ACCOUNT, *escheatable)) is None


def test_an_active_account_wakes_when_a_year_without_activity_ends():
    when_, command = account_alarm(state(DEPOSIT_ACCOUNT, OPENED))
    assert (when_, command) == (AT + timedelta(days=366), UpdateActivity(DAY + timedelta(days=366)))


def test_an_inactive_account_wakes_the_day_after_new_activity_else_at_the_escheat_threshold():
    inactive = [OPENED, DepositAccountActivityUpdated(Activity.INACTIVE, DAY + timedelta(days=366))]
    assert account_alarm(state(DEPOSIT_ACCOUNT, *inactive))[1] == UpdateActivity(DAY + timedelta(days=3651))
    revived = [*inactive, DepositAccountActivityRecorded(DAY + timedelta(days=400))]
    assert account_alarm(state(DEPOSIT_ACCOUNT, *revived))[1] == UpdateActivity(DAY + timedelta(days=401))
    assert when(DEPOSIT_ACCOUNT, revived, UpdateActivity(DAY + timedelta(days=401))) == (
        DepositAccountActivityUpdated(Activity.ACTIVE, DAY + timedelta(days=401)),)


# -- deposit --------------------------------------------------------------------------------------
def test_a_deposit_is_confirmed_at_once_and_published():
    assert when(DEPOSIT, [], RecordDeposit("d-1", "a-1", 500, "ref", "active")) == (DEPOSITED,)
    (public,) = publish_deposit(state(DEPOSIT, DEPOSITED), DEPOSITED)
    assert public.payload == {"entity": {"id": "d-1", "deposit_account_id": "a-1", "amount": 500}}


@pytest.mark.parametrize(("status", "refusal"), [("frozen", AccountFrozen), ("closed", AccountClosed)])
def test_a_deposit_to_a_frozen_or_closed_account_is_refused_with_the_account(status, refusal):
    with pytest.raises(refusal) as refused:
        when(DEPOSIT, [], RecordDeposit("d-1", "a-1", 500, "ref", status))
    assert refused.value.account_id == "a-1"


def test_a_deposit_reverts_once_and_only_while_covered():
    assert when(DEPOSIT, [DEPOSITED], RevertDeposit(ACTIVE, 500)) == (
        DepositReverted("d-1:revert", DepositStatus.REVERTED, DAY),)
    assert when(DEPOSIT, [DEPOSITED, DepositReverted("d-1:revert", DepositStatus.REVERTED, DAY)],
                RevertDeposit(ACTIVE, 0)) == ()
    with pytest.raises(InsufficientBalance) as refused:
        when(DEPOSIT, [DEPOSITED], RevertDeposit(ACTIVE, 499))
    assert (refused.value.account_id, refused.value.balance, refused.value.amount) == ("a-1", 499, 500)


# -- withdrawal -----------------------------------------------------------------------------------
def test_a_withdrawal_takes_the_funds_and_awaits_approval_under_its_own_id():
    assert when(WITHDRAWAL, [], InitiateWithdrawal("w-1", "a-1", 300, "ref", "active", 300)) == (INITIATED,)
    (tx,) = post_withdrawal(state(WITHDRAWAL, INITIATED), INITIATED)
    assert (tx.template, tx.tx_id) == (INITIATE_WITHDRAW, "w-1")


def test_a_withdrawal_above_the_balance_is_refused_with_both_amounts():
    with pytest.raises(InsufficientBalance) as refused:
        when(WITHDRAWAL, [], InitiateWithdrawal("w-1", "a-1", 300, "ref", "active", 299))
    assert (refused.value.account_id, refused.value.balance, refused.value.amount) == ("a-1", 299, 300)


def test_approval_awaits_confirmation_and_denial_refunds():
    assert when(WITHDRAWAL, [INITIATED], ConcludeWithdrawalApproval(True)) == (APPROVED,)
    assert when(WITHDRAWAL, [INITIATED], ConcludeWithdrawalApproval(False)) == DENIED
    (tx,) = post_withdrawal(state(WITHDRAWAL, INITIATED, *DENIED), DENIED[1])
    assert (tx.template, tx.tx_id) == (DENY_WITHDRAW, "w-1:deny")


def test_a_second_conclusion_changes_nothing():
    assert when(WITHDRAWAL, [INITIATED, APPROVED], ConcludeWithdrawalApproval(False)) == ()


def test_a_conclusion_after_a_cancel_changes_nothing_so_no_second_refund():
    assert when(WITHDRAWAL, [INITIATED, CANCELLED], ConcludeWithdrawalApproval(False)) == ()
    assert when(WITHDRAWAL, [INITIATED, CANCELLED], ConcludeWithdrawalApproval(True)) == ()


def test_a_denied_withdrawal_cannot_be_cancelled_so_no_second_refund():
    with pytest.raises(AlreadyDenied) as refused:
        when(WITHDRAWAL, [INITIATED, *DENIED], CancelWithdrawal(ACTIVE))
    assert refused.value.withdrawal_id == "w-1"


def test_a_cancel_refunds_before_confirmation():
    (cancelled,) = when(WITHDRAWAL, [INITIATED, APPROVED], CancelWithdrawal(ACTIVE))
    assert cancelled == CANCELLED
    assert post_withdrawal(state(WITHDRAWAL, INITIATED, APPROVED, CANCELLED), CANCELLED)[0].template == CANCEL_WITHDRAW


def test_confirmation_needs_an_approval():
    with pytest.raises(NotApproved) as refused:
        when(WITHDRAWAL, [INITIATED], ConfirmWithdrawal(ACTIVE))
    assert (refused.value.withdrawal_id, refused.value.status) == ("w-1", W.PENDING_APPROVAL)
    assert when(WITHDRAWAL, [INITIATED, APPROVED], ConfirmWithdrawal(ACTIVE)) == (CONFIRMED,)


def test_a_cancelled_withdrawal_can_be_neither_confirmed_nor_reverted():
    for command in (ConfirmWithdrawal(ACTIVE), RevertWithdrawal(ACTIVE)):
        with pytest.raises(AlreadyCancelled) as refused:
            when(WITHDRAWAL, [INITIATED, APPROVED, CANCELLED], command)
        assert refused.value.withdrawal_id == "w-1"


def test_a_confirmed_withdrawal_cannot_be_cancelled_but_reverts_once():
    with pytest.raises(AlreadyConfirmed) as refused:
        when(WITHDRAWAL, [INITIATED, APPROVED, CONFIRMED], CancelWithdrawal(ACTIVE))
    assert refused.value.withdrawal_id == "w-1"
    reverted = WithdrawalReverted("w-1:revert", W.REVERTED, DAY)
    assert when(WITHDRAWAL, [INITIATED, APPROVED, CONFIRMED], RevertWithdrawal(ACTIVE)) == (reverted,)
    assert when(WITHDRAWAL, [INITIATED, APPROVED, CONFIRMED, reverted], RevertWithdrawal(ACTIVE)) == ()


def test_only_a_confirmed_withdrawal_reverts():
    with pytest.raises(NotConfirmed) as refused:
        when(WITHDRAWAL, [INITIATED, APPROVED], RevertWithdrawal(ACTIVE))
    assert (refused.value.withdrawal_id, refused.value.status) == ("w-1", W.PENDING_CONFIRMATION)


@pytest.mark.parametrize("command", [ConfirmWithdrawal(FROZEN), CancelWithdrawal(FROZEN)])
def test_withdrawal_commands_on_a_frozen_account_are_refused_with_the_account(command):
    with pytest.raises(AccountFrozen) as refused:
        when(WITHDRAWAL, [INITIATED, APPROVED], command)
    assert refused.value.account_id == "a-1"


def test_the_approval_conclusion_is_public_with_the_resulting_status():
    (public,) = publish_withdrawal(state(WITHDRAWAL, INITIATED, *DENIED), DENIED[0])
    assert public.payload == {"entity": {"id": "w-1", "deposit_account_id": "a-1", "amount": 300,
                                         "status": "Denied"}}


_COMMANDS = st.sampled_from([ConcludeWithdrawalApproval(True), ConcludeWithdrawalApproval(False),
                             ConfirmWithdrawal(ACTIVE), CancelWithdrawal(ACTIVE), RevertWithdrawal(ACTIVE)])


@given(st.lists(_COMMANDS, max_size=8))
def test_a_withdrawal_gives_back_at_most_what_it_took(commands):
    """Refunds (deny, cancel) and reverts never exceed one per withdrawal, whatever the order."""
    history: list = [INITIATED]
    for command in commands:
        with contextlib.suppress(AlreadyCancelled, AlreadyConfirmed, AlreadyDenied, NotApproved, NotConfirmed):
            history += when(WITHDRAWAL, history, command)
    returned = [e for e in history if isinstance(e, (WithdrawalDenied, WithdrawalCancelled, WithdrawalReverted))]
    assert len(returned) <= 1


# -- policy ---------------------------------------------------------------------------------------
def _concluded(process_type: str, status: str) -> dict:
    return {"payload": {"entity": {"id": "w-1", "process_type": process_type, "status": status,
                                   "target_ref": "w-1"}}}


def test_a_concluded_withdraw_process_decides_its_withdrawal():
    (send,) = conclude_withdrawal(_concluded("withdraw", "Denied"))
    assert (send.kind, send.id, send.command) == ("withdrawal", "w-1", ConcludeWithdrawalApproval(False))
    (send,) = conclude_withdrawal(_concluded("withdraw", "Approved"))
    assert send.command == ConcludeWithdrawalApproval(True)


def test_other_process_types_are_not_the_deposit_module_s_business():
    assert conclude_withdrawal(_concluded("disbursal", "Approved")) == ()


def _deposit_event(event_type: str, **entity: object) -> dict:
    return {"event_type": f"core.deposit.{event_type}", "recorded_at": "2024-03-05T17:30:00Z",
            "payload": {"entity": {"id": "d-1", "deposit_account_id": "a-1", "amount": 500, **entity}}}


@pytest.mark.parametrize("event_type", ["deposit-initialized", "deposit-reverted"])
def test_money_moving_records_activity_on_the_day_the_event_was_recorded(event_type):
    (send,) = record_activity(_deposit_event(event_type))
    assert (send.kind, send.id, send.command) == ("deposit-account", "a-1", RecordActivity(datetime(2024, 3, 5).date()))


def test_a_denied_withdrawal_s_refund_is_activity_and_an_approval_is_not():
    (send,) = record_activity(_deposit_event("withdrawal-approval-concluded", status="Denied"))
    assert (send.id, send.command) == ("a-1", RecordActivity(datetime(2024, 3, 5).date()))
    assert record_activity(_deposit_event("withdrawal-approval-concluded", status="PendingConfirmation")) == ()


def test_a_withdrawal_s_confirmation_is_not_among_the_movements_the_activity_policy_counts():
    assert "core.deposit.withdrawal-confirmed" not in ACCOUNT_ACTIVITY.listens


"""Accounting: the chart, every Lana: core/credit/src/ledger/templates template leg by leg, balance arithmetic and the
Lana: core/credit/src/ledger/velocity limits."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domains.accounting import (
    CATEGORIES,
    CONTROLS,
    DEPOSIT_OMNIBUS,
    AccountingError,
    Currency,
    DisbursalLimitExceeded,
    Entry,
    Layer,
    LedgerTransaction,
    NonPositiveAmount,
    NotMinorUnits,
    ObligationType,
    OverdraftPrevented,
    PaymentAboveOutstanding,
    ReceivableBucket,
    Side,
    UnbalancedTransaction,
    UnknownAccount,
    VelocityLimitExceeded,
    accrue_interest,
    activate_facility,
    add_collateral,
    add_structuring_fee,
    apply_entries,
    cancel_disbursal,
    cancel_withdrawal,
    chart_code,
    check,
    check_balanced,
    confirm_disbursal,
    confirm_withdrawal,
    create_facility_proposal,
    deny_withdrawal,
    deposit_account,
    facility,
    freeze_account,
    imbalances,
    initial_disbursal,
    initiate_disbursal,
    initiate_withdrawal,
    is_balanced,
    normal_balance,
    normal_side,
    post_accrued_interest,
    receivable,
    receive_proceeds_from_liquidation,
    record_deposit,
    record_obligation_defaulted,
    record_obligation_due,
    record_obligation_overdue,
    record_payment,
    record_payment_allocation,
    remove_collateral,
    revert_deposit,
    revert_withdrawal,
    send_collateral_to_liquidation,
    trial_balance,
    uncovered_outstanding,
    unfreeze_account,
)
from domains.aggregate import Refusal

DAY = date(2024, 3, 1)
F, D, C = "f1", "d1", "c1"
INTEREST, DISBURSAL = ObligationType.INTEREST, ObligationType.DISBURSAL
KW = {"facility_id": F, "effective": DAY}

# template -> (build(tx_id, amount), expected code, legs "LAYER CURRENCY SIDE account" in order)
TEMPLATES = {
    "record_deposit": (lambda a: record_deposit("t", D, a, DAY), "RECORD_DEPOSIT",
                       ["S USD DR deposit-omnibus", "S USD CR deposit:d1"]),
    "revert_deposit": (lambda a: revert_deposit("t", D, a, DAY), "REVERT_DEPOSIT",
                       ["S USD DR deposit:d1", "S USD CR deposit-omnibus"]),
    "initiate_withdrawal": (lambda a: initiate_withdrawal("t", D, a, DAY), "INITIATE_WITHDRAW",
                            ["S USD DR deposit:d1", "S USD CR deposit-omnibus",
                             "P USD DR deposit-omnibus", "P USD CR deposit:d1"]),
    "confirm_withdrawal": (lambda a: confirm_withdrawal("t", D, a, DAY), "CONFIRM_WITHDRAW",
                           ["P USD DR deposit:d1", "P USD CR deposit-omnibus"]),
    "deny_withdrawal": (lambda a: deny_withdrawal("t", D, a, DAY), "DENY_WITHDRAW",
                        ["P USD DR deposit:d1", "P USD CR deposit-omnibus",
                         "S USD DR deposit-omnibus", "S USD CR deposit:d1"]),
    "cancel_withdrawal": (lambda a: cancel_withdrawal("t", D, a, DAY), "CANCEL_WITHDRAW",
                          ["P USD DR deposit:d1", "P USD CR deposit-omnibus",
                           "S USD DR deposit-omnibus", "S USD CR deposit:d1"]),
    "revert_withdrawal": (lambda a: revert_withdrawal("t", D, a, DAY), "REVERT_WITHDRAW",
                          ["S USD DR deposit-omnibus", "S USD CR deposit:d1"]),
    "freeze_account": (lambda a: freeze_account("t", D, a, DAY), "FREEZE_ACCOUNT",
                       ["S USD DR deposit:d1", "S USD CR frozen-deposit:d1"]),
    "unfreeze_account": (lambda a: unfreeze_account("t", D, a, DAY), "UNFREEZE_ACCOUNT",
                         ["S USD DR frozen-deposit:d1", "S USD CR deposit:d1"]),
    "create_facility_proposal": (lambda a: create_facility_proposal("t", amount=a, **KW),
                                 "CREATE_CREDIT_FACILITY_PROPOSAL",
                                 ["P USD DR facility-omnibus", "P USD CR facility:f1"]),
    "activate_facility": (lambda a: activate_facility("t", amount=a, **KW), "ACTIVATE_CREDIT_FACILITY",
                          ["P USD DR facility:f1", "P USD CR facility-omnibus",
                           "S USD DR facility-omnibus", "S USD CR facility:f1"]),
    "initial_disbursal": (lambda a: initial_disbursal("t", deposit_account_id=D, amount=a, **KW), "INITIAL_DISBURSAL",
                          ["S USD DR facility:f1", "S USD CR uncovered-outstanding:f1",
                           "S USD DR disbursed-receivable-not-yet-due:f1", "S USD CR deposit:d1"]),
    "add_structuring_fee": (lambda a: add_structuring_fee("t", deposit_account_id=D, amount=a, **KW),
                            "ADD_STRUCTURING_FEE", ["S USD DR deposit:d1", "S USD CR fee-income:f1"]),
    "initiate_disbursal": (lambda a: initiate_disbursal("t", amount=a, **KW), "INITIATE_CREDIT_FACILITY_DISBURSAL",
                           ["S USD DR facility:f1", "S USD CR uncovered-outstanding:f1",
                            "P USD DR uncovered-outstanding:f1", "P USD CR facility:f1"]),
    "confirm_disbursal": (lambda a: confirm_disbursal("t", deposit_account_id=D, amount=a, **KW), "CONFIRM_DISBURSAL",
                          ["P USD DR facility:f1", "P USD CR uncovered-outstanding:f1",
                           "S USD DR disbursed-receivable-not-yet-due:f1", "S USD CR deposit:d1"]),
    "cancel_disbursal": (lambda a: cancel_disbursal("t", amount=a, **KW), "CANCEL_DISBURSAL",
                         ["P USD DR facility:f1", "P USD CR uncovered-outstanding:f1",
                          "S USD DR uncovered-outstanding:f1", "S USD CR facility:f1"]),
    "accrue_interest": (lambda a: accrue_interest("t", amount=a, **KW), "CREDIT_FACILITY_ACCRUE_INTEREST",
                        ["P USD DR interest-receivable-not-yet-due:f1", "P USD CR interest-income:f1"]),
    "post_accrued_interest": (lambda a: post_accrued_interest("t", amount=a, **KW),
                              "CREDIT_FACILITY_POST_ACCRUED_INTEREST",
                              ["P USD DR interest-income:f1", "P USD CR interest-receivable-not-yet-due:f1",
                               "S USD DR interest-receivable-not-yet-due:f1", "S USD CR interest-income:f1",
                               "S USD DR interest-added-to-obligations-omnibus", "S USD CR uncovered-outstanding:f1"]),
    "record_obligation_due": (lambda a: record_obligation_due("t", obligation_type=INTEREST, amount=a, **KW),
                              "RECORD_OBLIGATION_DUE_BALANCE",
                              ["S USD DR interest-receivable-due:f1", "S USD CR interest-receivable-not-yet-due:f1"]),
    "record_obligation_overdue": (lambda a: record_obligation_overdue("t", obligation_type=DISBURSAL, amount=a, **KW),
                                  "RECORD_OBLIGATION_OVERDUE_BALANCE",
                                  ["S USD DR disbursed-receivable-overdue:f1",
                                   "S USD CR disbursed-receivable-due:f1"]),
    "record_obligation_defaulted": (lambda a: record_obligation_defaulted(
        "t", obligation_type="disbursal", amount=a, from_bucket="due", **KW), "RECORD_OBLIGATION_DEFAULTED_BALANCE",
        ["S USD DR disbursed-defaulted:f1", "S USD CR disbursed-receivable-due:f1"]),
    "record_payment": (lambda a: record_payment("t", source_account=deposit_account(D), amount=a, **KW),
                       "RECORD_PAYMENT", ["S USD DR deposit:d1", "S USD CR payment-holding:f1",
                                          "S USD DR uncovered-outstanding:f1", "S USD CR payments-made-omnibus"]),
    "record_payment_allocation": (lambda a: record_payment_allocation(
        "t", obligation_type=INTEREST, bucket=ReceivableBucket.OVERDUE, amount=a, **KW), "RECORD_PAYMENT_ALLOCATION",
        ["S USD DR payment-holding:f1", "S USD CR interest-receivable-overdue:f1"]),
    "add_collateral": (lambda a: add_collateral("t", collateral_id=C, amount=a, effective=DAY), "ADD_COLLATERAL",
                       ["S BTC DR collateral-omnibus", "S BTC CR collateral:c1"]),
    "remove_collateral": (lambda a: remove_collateral("t", collateral_id=C, amount=a, effective=DAY),
                          "REMOVE_COLLATERAL", ["S BTC DR collateral:c1", "S BTC CR collateral-omnibus"]),
    "send_collateral_to_liquidation": (lambda a: send_collateral_to_liquidation(
        "t", collateral_id=C, amount=a, effective=DAY), "SEND_COLLATERAL_TO_LIQUIDATION",
        ["S BTC DR collateral:c1", "S BTC CR collateral-in-liquidation:c1"]),
    "receive_proceeds_from_liquidation": (lambda a: receive_proceeds_from_liquidation(
        "t", collateral_id=C, amount=a, sent_total=a, **KW), "RECEIVE_PROCEEDS_FROM_LIQUIDATION",
        ["S USD DR liquidation-proceeds-omnibus", "S USD CR proceeds-from-liquidation:f1",
         "S BTC DR collateral-in-liquidation:c1", "S BTC CR liquidated-collateral:c1"]),
}


def leg(entry: Entry) -> str:
    side = "DR" if entry.side is Side.DEBIT else "CR"
    return f"{entry.layer.value[0].upper()} {entry.currency.value} {side} {entry.account}"


def sums(tx: LedgerTransaction) -> dict:
    out: dict = {}
    for e in tx.entries:
        debit, credit = out.get((e.currency, e.layer), (0, 0))
        out[(e.currency, e.layer)] = (debit + e.amount, credit) if e.side is Side.DEBIT else (debit, credit + e.amount)
    return out


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_each_template_posts_the_legs_of_its_17_2_row(name):
    build, code, legs = TEMPLATES[name]
    tx = build(500)
    assert (tx.tx_id, tx.template, tx.effective) == ("t", code, DAY)
    assert [leg(e) for e in tx.entries] == legs


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@given(amount=st.integers(min_value=1, max_value=10**15))
def test_every_template_balances_for_every_currency_and_layer(name, amount):
    tx = TEMPLATES[name][0](amount)
    check_balanced(tx)
    assert all(debit == credit for debit, credit in sums(tx).values())
    assert {e.amount for e in tx.entries if e.currency is Currency.USD} <= {amount}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@pytest.mark.parametrize("amount", [0, -5])
def test_templates_refuse_zero_and_negative_amounts(name, amount):
    build, code, _ = TEMPLATES[name]
    with pytest.raises(NonPositiveAmount) as refused:
        build(amount)
    assert (refused.value.template, refused.value.amount) == (code, amount)


@pytest.mark.parametrize("amount", [1.5, True, "100"])
def test_templates_refuse_amounts_that_are_not_int_minor_units(amount):
    with pytest.raises(NotMinorUnits) as refused:
        record_deposit("t", D, amount, DAY)
    assert refused.value.amount == amount and refused.value.template == "RECORD_DEPOSIT"


def test_proceeds_carry_cents_and_the_sats_sent_separately():
    tx = receive_proceeds_from_liquidation("t", facility_id=F, collateral_id=C, amount=700, sent_total=9, effective=DAY)
    assert [(e.currency, e.amount) for e in tx.entries] == [(Currency.USD, 700)] * 2 + [(Currency.BTC, 9)] * 2


def test_proceeds_of_zero_cents_post_the_sats_sent_alone():
    """A sale of dust that fetched nothing still moves its sats from in-liquidation to liquidated."""
    tx = receive_proceeds_from_liquidation("t", facility_id=F, collateral_id=C, amount=0, sent_total=9, effective=DAY)
    assert [(leg(e), e.amount) for e in tx.entries] == [("S BTC DR collateral-in-liquidation:c1", 9),
                                                         ("S BTC CR liquidated-collateral:c1", 9)]
    check_balanced(tx)


# -- the chart ---------------------------------------------------------------------------------
NORMAL_SIDES = {
    "deposit": "credit", "frozen-deposit": "credit", "deposit-omnibus": "debit", "facility": "credit",
    "uncovered-outstanding": "credit", "payment-holding": "credit", "proceeds-from-liquidation": "credit",
    "disbursed-receivable-not-yet-due": "debit", "disbursed-receivable-due": "debit",
    "disbursed-receivable-overdue": "debit", "disbursed-defaulted": "debit",
    "interest-receivable-not-yet-due": "debit", "interest-receivable-due": "debit",
    "interest-receivable-overdue": "debit", "interest-defaulted": "debit", "interest-income": "credit",
    "fee-income": "credit", "facility-omnibus": "debit", "collateral-omnibus": "debit",
    "liquidation-proceeds-omnibus": "debit", "interest-added-to-obligations-omnibus": "debit",
    "payments-made-omnibus": "credit", "collateral": "credit", "collateral-in-liquidation": "credit",
    "liquidated-collateral": "credit", "retained-earnings": "credit", "retained-losses": "debit",
}


def test_every_category_has_the_normal_side_of_17_1():
    assert set(CATEGORIES) == set(NORMAL_SIDES)
    for name, side in NORMAL_SIDES.items():
        account = name if CATEGORIES[name].shared else f"{name}:x"
        assert normal_side(account) is Side(side), name


@pytest.mark.parametrize("account", ["savings:d1", "deposit", "deposit:", "deposit-omnibus:d1", ""])
def test_an_account_outside_the_chart_is_refused_with_its_id(account):
    with pytest.raises(UnknownAccount) as refused:
        normal_side(account)
    assert refused.value.account == account


def test_receivable_ids_follow_obligation_type_and_bucket():
    assert receivable(F, "interest", "not-yet-due") == "interest-receivable-not-yet-due:f1"
    assert receivable(F, DISBURSAL, ReceivableBucket.OVERDUE) == "disbursed-receivable-overdue:f1"
    assert receivable(F, INTEREST, ReceivableBucket.DEFAULTED) == "interest-defaulted:f1"
    with pytest.raises(UnknownAccount):
        receivable(F, "fee", "due")


def test_chart_codes_follow_lanas_example_mapping():
    assert chart_code("interest-income:f1") == "41.01"
    assert chart_code("fee-income:f1") == "41.02"
    assert chart_code(DEPOSIT_OMNIBUS) == "11.01.0101"
    assert chart_code(deposit_account(D)) == "21.01.0101"
    assert chart_code(receivable(F, INTEREST, "due")) == "11.02.0201"
    assert chart_code(receivable(F, DISBURSAL, "defaulted")) == "11.02.0203"


# -- balances ----------------------------------------------------------------------------------
def test_normal_side_balance_reads_credits_minus_debits_on_a_credit_account_and_back():
    assert normal_balance(30, 100, Side.CREDIT) == 70
    assert normal_balance(30, 100, Side.DEBIT) == -70
    assert normal_balance(0, 0, Side.DEBIT) == 0


def test_applying_entries_returns_new_totals_of_the_touched_keys_only():
    book = {("deposit:d1", Currency.USD, Layer.SETTLED): (5, 100), ("deposit:d2", Currency.USD, Layer.SETTLED): (0, 7)}
    touched = apply_entries(book, initiate_withdrawal("t", D, 40, DAY).entries)
    assert touched == {("deposit:d1", Currency.USD, Layer.SETTLED): (45, 100),
                       (DEPOSIT_OMNIBUS, Currency.USD, Layer.SETTLED): (0, 40),
                       (DEPOSIT_OMNIBUS, Currency.USD, Layer.PENDING): (40, 0),
                       ("deposit:d1", Currency.USD, Layer.PENDING): (0, 40)}
    assert book[("deposit:d1", Currency.USD, Layer.SETTLED)] == (5, 100)


def test_trial_balance_lines_carry_codes_and_normal_side_balances():
    book = apply_entries({}, record_deposit("t", D, 250, DAY).entries)
    lines = trial_balance(book)
    assert [(x.account, x.code, x.debit, x.credit, x.balance) for x in lines] == [
        (DEPOSIT_OMNIBUS, "11.01.0101", 250, 0, 250), ("deposit:d1", "21.01.0101", 0, 250, 250)]
    assert is_balanced(book)


def test_imbalances_name_the_currency_and_layer_that_do_not_balance():
    book = {("deposit:d1", Currency.USD, Layer.SETTLED): (0, 10), ("collateral:c", Currency.BTC, Layer.SETTLED): (3, 3)}
    assert imbalances(book) == {(Currency.USD, Layer.SETTLED): -10}
    assert not is_balanced(book)


# -- rules a posting must pass -----------------------------------------------------------------
def balances(settled: dict | None = None):
    """A `balance_of` for `check`: settled USD normal-side balances by account, zero elsewhere."""
    book = settled or {}
    return lambda account, currency, layer: book.get(account, 0) if (currency, layer) == (Currency.USD, Layer.SETTLED) \
        else 0


def test_overdraft_prevention_refuses_a_withdrawal_above_the_settled_balance():
    with pytest.raises(OverdraftPrevented) as refused:
        check(balances({"deposit:d1": 99}), initiate_withdrawal("t", D, 100, DAY))
    assert (refused.value.account, refused.value.balance, refused.value.amount) == ("deposit:d1", 99, 100)
    assert refused.value.template == "INITIATE_WITHDRAW"
    assert isinstance(refused.value, VelocityLimitExceeded) and isinstance(refused.value, AccountingError)
    assert isinstance(refused.value, Refusal) and refused.value.reason == "overdraft-prevented"


def test_withdrawing_exactly_the_balance_and_crediting_an_empty_account_pass():
    check(balances({"deposit:d1": 100}), initiate_withdrawal("t", D, 100, DAY))
    check(balances(), record_deposit("t", D, 1, DAY))
    check(balances(), confirm_withdrawal("t", D, 5, DAY))  # pending layer: no limit


def test_disbursal_limit_refuses_drawing_more_than_the_facility_has_left():
    with pytest.raises(DisbursalLimitExceeded) as refused:
        check(balances({"facility:f1": 1_000}), initiate_disbursal("t", amount=1_001, **KW))
    assert (refused.value.account, refused.value.balance, refused.value.amount) == (facility(F), 1_000, 1_001)


def test_uncovered_outstanding_limit_refuses_paying_more_than_is_owed():
    tx = record_payment("t", source_account=deposit_account(D), amount=501, **KW)
    with pytest.raises(PaymentAboveOutstanding) as refused:
        check(balances({"deposit:d1": 10_000, "uncovered-outstanding:f1": 500}), tx)
    assert (refused.value.account, refused.value.balance, refused.value.amount) == (uncovered_outstanding(F), 500, 501)


def test_a_payment_from_an_empty_deposit_account_is_an_overdraft_first():
    tx = record_payment("t", source_account=deposit_account(D), amount=10, **KW)
    with pytest.raises(OverdraftPrevented):
        check(balances({"uncovered-outstanding:f1": 500}), tx)


def test_controls_cover_the_three_limits_of_17_3_on_settled_usd():
    assert {(c.category, c.refusal) for c in CONTROLS} == {
        ("deposit", OverdraftPrevented), ("facility", DisbursalLimitExceeded),
        ("uncovered-outstanding", PaymentAboveOutstanding)}
    assert {(c.currency, c.layer) for c in CONTROLS} == {(Currency.USD, Layer.SETTLED)}


def test_an_unbalanced_transaction_is_refused_with_its_difference():
    tx = LedgerTransaction("t9", "MANUAL", (Entry(DEPOSIT_OMNIBUS, Side.DEBIT, 10), Entry("deposit:d1", Side.CREDIT, 7),
                                            Entry("collateral:c", Side.CREDIT, 1, Currency.BTC)), DAY)
    with pytest.raises(UnbalancedTransaction) as refused:
        check(balances(), tx)
    assert (refused.value.tx_id, refused.value.currency, refused.value.layer) == ("t9", Currency.USD, Layer.SETTLED)
    assert refused.value.difference == 3


def test_a_hand_made_entry_on_an_unknown_account_or_of_zero_is_refused():
    unknown = LedgerTransaction("t", "MANUAL", (Entry("cash", Side.DEBIT, 5), Entry("deposit:d1", Side.CREDIT, 5)), DAY)
    with pytest.raises(UnknownAccount):
        check(balances(), unknown)
    legs = (Entry(DEPOSIT_OMNIBUS, Side.DEBIT, 0), Entry("deposit:d1", Side.CREDIT, 0))
    zero = LedgerTransaction("t", "MANUAL", legs, DAY)
    with pytest.raises(NonPositiveAmount):
        check(balances(), zero)


def test_accounts_the_caller_knows_are_quiet_skip_the_chart_but_not_the_amount_and_balance_checks():
    tx = LedgerTransaction("t", "MANUAL", (Entry("cash", Side.DEBIT, 5), Entry("till", Side.CREDIT, 5)), DAY)
    check(balances(), tx, CONTROLS, {"cash", "till"})  # the caller vouches for them: not looked up
    with pytest.raises(UnknownAccount):
        check(balances(), tx, CONTROLS, {"cash"})  # "till" is still looked up
    unbalanced = LedgerTransaction("t", "MANUAL", (Entry("cash", Side.DEBIT, 5), Entry("till", Side.CREDIT, 4)), DAY)
    with pytest.raises(UnbalancedTransaction):
        check(balances(), unbalanced, CONTROLS, {"cash", "till"})


def test_known_sides_stand_in_for_the_chart_and_the_limits_still_hold():
    tx = initiate_withdrawal("t", D, 100, DAY)
    known = {deposit_account(D): Side.CREDIT, DEPOSIT_OMNIBUS: Side.DEBIT}
    check(balances({"deposit:d1": 100}), tx, CONTROLS, (), known)
    with pytest.raises(OverdraftPrevented) as refused:
        check(balances({"deposit:d1": 99}), tx, CONTROLS, (), known)
    assert (refused.value.balance, refused.value.amount) == (99, 100)
    odd = LedgerTransaction("t", "MANUAL", (Entry("cash", Side.DEBIT, 5), Entry("deposit:d1", Side.CREDIT, 5)), DAY)
    check(balances(), odd, CONTROLS, (), {"cash": Side.DEBIT})  # the caller vouches for "cash"
    with pytest.raises(UnknownAccount) as unknown:
        check(balances(), odd, CONTROLS, (), known)
    assert unknown.value.account == "cash"


def test_an_unbalanced_transaction_is_refused_before_its_unknown_account_and_that_before_a_limit():
    legs = (Entry("cash", Side.DEBIT, 5), Entry("deposit:d1", Side.DEBIT, 5), Entry(DEPOSIT_OMNIBUS, Side.CREDIT, 4))
    with pytest.raises(UnbalancedTransaction):
        check(balances(), LedgerTransaction("t", "MANUAL", legs, DAY))
    legs = (Entry("deposit:d1", Side.DEBIT, 5), Entry("cash", Side.CREDIT, 5))  # an overdraft too
    with pytest.raises(UnknownAccount):
        check(balances(), LedgerTransaction("t", "MANUAL", legs, DAY))


DEPOSIT_MOVES = st.lists(st.tuples(st.sampled_from([record_deposit, initiate_withdrawal, revert_deposit,
                                                    cancel_withdrawal, freeze_account, unfreeze_account]),
                                   st.integers(1, 500)), max_size=40)


@given(moves=DEPOSIT_MOVES)
def test_a_book_posted_only_through_checks_always_balances_and_never_overdraws(moves):
    book: dict = {}

    def balance_of(account, currency, layer):
        return normal_balance(*book.get((account, currency, layer), (0, 0)), normal_side(account))

    for template, amount in moves:
        tx = template("t", D, amount, DAY)
        try:
            check(balance_of, tx)
        except VelocityLimitExceeded:
            continue
        book.update(apply_entries(book, tx.entries))
        assert is_balanced(book)
        assert balance_of("deposit:d1", Currency.USD, Layer.SETTLED) >= 0

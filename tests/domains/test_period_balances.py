"""The trial balance over a period (Lana's range report): opening, the period's debits and credits,
closing, and totals that balance; a bad day or an inverted range is refused."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domains.accounting import (
    Currency,
    InvalidPeriod,
    Layer,
    Side,
    apply_entries,
    initiate_withdrawal,
    normal_side,
    period_trial_balance,
    record_deposit,
    trial_balance,
)
from domains.accounting.period_balances import as_day, check_period

JAN1, JAN31 = date(2024, 1, 1), date(2024, 1, 31)
SETTLED = (Currency.USD, Layer.SETTLED)


def book(*txs):
    totals: dict = {}
    for tx in txs:
        totals.update(apply_entries(totals, tx.entries))
    return totals


def line(period, account, layer=Layer.SETTLED):
    return next(x for x in period.lines if (x.account, x.currency, x.layer) == (account, Currency.USD, layer))


def test_a_posting_before_the_period_shows_only_in_the_opening_balance():
    before = book(record_deposit("t1", "d1", 100, date(2023, 12, 31)))
    period = period_trial_balance(JAN1, JAN31, before, before)
    deposit = line(period, "deposit:d1")
    assert (deposit.opening, deposit.debit, deposit.credit, deposit.closing) == (100, 0, 0, 100)


def test_a_posting_inside_the_period_shows_in_its_debits_or_credits_and_in_the_closing_balance():
    before = book(record_deposit("t1", "d1", 100, date(2023, 12, 31)))
    through = book(record_deposit("t1", "d1", 100, date(2023, 12, 31)), initiate_withdrawal("t2", "d1", 30, JAN31))
    period = period_trial_balance(JAN1, JAN31, before, through)
    deposit = line(period, "deposit:d1")
    assert (deposit.opening, deposit.debit, deposit.credit, deposit.closing) == (100, 30, 0, 70)
    pending = line(period, "deposit:d1", Layer.PENDING)  # the layer Lana carries beside settled
    assert (pending.opening, pending.debit, pending.credit, pending.closing) == (0, 0, 30, 30)


amounts = st.lists(st.tuples(st.booleans(), st.integers(1, 10**9), st.sampled_from(["d1", "d2"])), max_size=12)


@given(before=amounts, during=amounts)
def test_every_line_opens_moves_and_closes_on_its_normal_side_and_the_totals_balance(before, during):
    def txs(moves, day, tag):
        return [(initiate_withdrawal if out else record_deposit)(f"{tag}{i}", d, amount, day)
                for i, (out, amount, d) in enumerate(moves)]

    opening = book(*txs(before, date(2023, 12, 1), "b"))
    closing = book(*txs(before, date(2023, 12, 1), "b"), *txs(during, JAN1, "p"))
    period = period_trial_balance(JAN1, JAN31, opening, closing)
    for x in period.lines:
        moved = x.debit - x.credit if normal_side(x.account) == Side.DEBIT else x.credit - x.debit
        assert x.opening + moved == x.closing
    for total in period.totals:
        assert total.debit == total.credit and total.opening == 0 == total.closing
        assert total.debit == sum(x.debit for x in period.lines if (x.currency, x.layer) == (total.currency,
                                                                                              total.layer))


def test_a_period_that_starts_with_the_book_is_the_as_of_trial_balance_with_opening_zero():
    totals = book(record_deposit("t1", "d1", 100, JAN1), initiate_withdrawal("t2", "d1", 30, JAN31))
    period = period_trial_balance(JAN1, JAN31, {}, totals)
    assert [(x.account, x.layer, x.debit, x.credit, x.closing) for x in period.lines] == \
        [(x.account, x.layer, x.debit, x.credit, x.balance) for x in trial_balance(totals)]
    assert {x.opening for x in period.lines} == {0}


def test_the_totals_read_as_one_debit_normal_account_per_currency_and_layer():
    totals = book(record_deposit("t1", "d1", 100, JAN1))
    period = period_trial_balance(JAN1, JAN31, {}, totals)
    assert period.rows()[-1] == ("TOTAL", "", Currency.USD, Layer.SETTLED, 0, 100, 100, 0)


@pytest.mark.parametrize(("from_", "until", "argument"), [
    ("2024-02-01", "2024-01-31", "until"), ("2024-13-01", "2024-01-31", "from_"), ("2024-01-01", "soon", "until"),
    (20240101, "2024-01-31", "from_"), (None, "2024-01-31", "from_")])
def test_a_day_that_is_no_day_or_a_period_ending_before_it_starts_is_refused_by_name(from_, until, argument):
    with pytest.raises(InvalidPeriod) as refused:
        check_period(from_, until)
    assert refused.value.argument == argument and "\n" not in str(refused.value)


def test_a_day_is_a_date_an_iso_day_or_a_datetime_s_day_and_a_one_day_period_is_a_period():
    assert as_day("from_", datetime(2024, 1, 31, 23, 59)) == as_day("from_", "2024-01-31") == JAN31
    assert check_period(JAN31, "2024-01-31") == (JAN31, JAN31)

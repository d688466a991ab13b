"""Fiscal periods (Lana's `FiscalYear`): given the year's events -> when a close is asked for ->
then MonthClosed / YearClosed or a refusal with its fields; the closing transaction; closed periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domains.accounting import Entry, LedgerTransaction, Side, is_balanced, key_of
from domains.accounting.fiscal_close import (
    CLOSE_FISCAL_YEAR,
    ClosingBalance,
    PeriodClosed,
    check_period_open,
    closing_transaction,
    section_of,
)
from domains.accounting.fiscal_year import (
    FISCAL_YEAR,
    CloseFiscalMonth,
    CloseFiscalYear,
    FiscalYearClosed,
    FiscalYearInitialized,
    InitializeFiscalYear,
    LastMonthNotClosed,
    MonthClosed,
    MonthHasNotEnded,
)
from tests.domains.support import fold

OPENED = FiscalYearInitialized("fiscal-year-2024", "2024", date(2024, 1, 1))
FEB_2 = datetime(2024, 2, 2, tzinfo=UTC)


def months_closed_through(month: int) -> list:
    """The year opened on 1 January and its months closed through `month` (1-12)."""
    firsts = [date(2024 + m // 12, m % 12 + 1, 1) for m in range(1, month + 1)]  # the day after each month
    return [OPENED] + [MonthClosed(date.fromordinal(d.toordinal() - 1), FEB_2) for d in firsts]


def when(history, command, at=FEB_2):
    return FISCAL_YEAR.decide(fold(FISCAL_YEAR, *history), command, at)


def test_given_nothing_when_initialized_then_the_year_opens_on_its_date():
    assert when([], InitializeFiscalYear(date(2024, 1, 1))) == (OPENED,)


def test_given_an_open_year_when_a_month_is_closed_then_the_earliest_month_closes_first():
    assert when([OPENED], CloseFiscalMonth()) == (MonthClosed(date(2024, 1, 31), FEB_2),)


def test_given_january_closed_when_a_month_is_closed_then_february_is_next_and_must_have_ended():
    with pytest.raises(MonthHasNotEnded) as refused:
        when(months_closed_through(1), CloseFiscalMonth())
    assert (refused.value.month_closed_as_of, refused.value.today) == (date(2024, 2, 29), date(2024, 2, 2))


def test_given_a_month_ending_today_it_is_not_yet_closed():
    with pytest.raises(MonthHasNotEnded):
        when([OPENED], CloseFiscalMonth(), datetime(2024, 1, 31, 23, tzinfo=UTC))


def test_given_a_year_opened_mid_month_its_first_close_is_that_month_end():
    opened = FiscalYearInitialized("fiscal-year-2024", "2024", date(2024, 3, 15))
    assert fold(FISCAL_YEAR, opened).next_month_to_close() == date(2024, 3, 31)


def test_given_december_open_when_the_year_is_closed_then_it_is_refused_with_the_next_month():
    with pytest.raises(LastMonthNotClosed) as refused:
        when(months_closed_through(11), CloseFiscalYear("tx"))
    assert refused.value.next_month == date(2024, 12, 31)


def test_given_december_closed_when_the_year_is_closed_then_it_closes_as_of_31_december():
    at = datetime(2025, 1, 2, tzinfo=UTC)
    balances = (ClosingBalance("interest-income:f1", 500),)
    assert when(months_closed_through(12), CloseFiscalYear("tx", balances), at) == \
        (FiscalYearClosed("tx", date(2024, 12, 31), at, balances),)
    closed = fold(FISCAL_YEAR, *months_closed_through(12), FiscalYearClosed("tx", date(2024, 12, 31), at, balances))
    assert when([*months_closed_through(12), FiscalYearClosed("tx", date(2024, 12, 31), at)],
                CloseFiscalYear("tx"), at) == ()
    assert FISCAL_YEAR.post(closed, FiscalYearClosed("tx", date(2024, 12, 31), at, balances))[0].template == \
        CLOSE_FISCAL_YEAR


# -- the closing transaction --------------------------------------------------------------------
def test_a_net_gain_closes_revenue_into_retained_earnings():
    tx = closing_transaction("tx", (ClosingBalance("interest-income:f1", 900), ClosingBalance("fee-income:f1", 100)),
                             date(2024, 12, 31))
    assert tx.entries == (Entry("interest-income:f1", Side.DEBIT, 900), Entry("fee-income:f1", Side.DEBIT, 100),
                          Entry("retained-earnings", Side.CREDIT, 1000))
    totals: dict = {}
    for e in tx.entries:
        d, c = totals.get(key_of(e), (0, 0))
        totals[key_of(e)] = (d + e.amount, c) if e.side is Side.DEBIT else (d, c + e.amount)
    assert is_balanced(totals)


def test_a_negative_revenue_balance_closes_into_retained_losses():
    tx = closing_transaction("tx", (ClosingBalance("interest-income:f1", -300),), date(2024, 12, 31))
    assert tx.entries == (Entry("interest-income:f1", Side.CREDIT, 300), Entry("retained-losses", Side.DEBIT, 300))


def test_nothing_to_close_posts_nothing():
    assert closing_transaction("tx", (ClosingBalance("interest-income:f1", 0),), date(2024, 12, 31)) is None


def test_a_net_income_of_zero_closes_the_accounts_against_each_other_with_no_retained_earnings_entry():
    """Lana adds a 0 entry on a new retained-earnings account; no entry here holds 0 (see the docstring)."""
    tx = closing_transaction("tx", (ClosingBalance("interest-income:f1", 500), ClosingBalance("fee-income:f1", -500)),
                             date(2024, 12, 31))
    assert tx.entries == (Entry("interest-income:f1", Side.DEBIT, 500), Entry("fee-income:f1", Side.CREDIT, 500))


def test_a_year_with_nothing_to_close_is_closed_naming_no_ledger_transaction():
    """Its close posts nothing: the id it named (`tx`) was in no ledger."""
    at = datetime(2025, 1, 2, tzinfo=UTC)
    assert when(months_closed_through(12), CloseFiscalYear("tx"), at) == \
        (FiscalYearClosed(None, date(2024, 12, 31), at),)
    closed = FiscalYearClosed(None, date(2024, 12, 31), at)
    assert fold(FISCAL_YEAR, *months_closed_through(12), closed).closed_as_of == date(2024, 12, 31)
    assert FISCAL_YEAR.post(fold(FISCAL_YEAR, *months_closed_through(12), closed), closed) == ()
    assert FISCAL_YEAR.ledger_tx_ids(closed) == ()


def test_sections_follow_the_first_digit_of_the_chart_code():
    assert [section_of(a) for a in ("deposit-omnibus", "deposit:a", "retained-earnings", "interest-income:f",
                                    "facility:f")] == ["assets", "liabilities", "equity", "revenue", "off_balance"]


# -- closed periods -----------------------------------------------------------------------------
def _tx(template: str, effective: date) -> LedgerTransaction:
    return LedgerTransaction("t1", template, (), effective)


def test_a_posting_dated_on_the_closed_day_is_refused_with_its_dates():
    with pytest.raises(PeriodClosed) as refused:
        check_period_open([_tx("RECORD_PAYMENT", date(2024, 1, 31))], date(2024, 1, 31))
    assert (refused.value.effective, refused.value.closed_as_of, refused.value.template) == \
        (date(2024, 1, 31), date(2024, 1, 31), "RECORD_PAYMENT")


def test_a_posting_dated_after_the_closed_day_and_a_closing_transaction_pass():
    check_period_open([_tx("RECORD_PAYMENT", date(2024, 2, 1)), _tx(CLOSE_FISCAL_YEAR, date(2024, 1, 31))],
                      date(2024, 1, 31))

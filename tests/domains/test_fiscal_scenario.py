"""Fiscal periods through the whole stack: a year of one facility's interest closed month by month,
then into retained earnings; closed periods refuse postings, also after the journal is reopened;
balance sheet and profit and loss reports as CSV report runs."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from domains.accounting import LedgerTransaction, entry_pair
from domains.accounting.fiscal_close import PeriodClosed
from domains.accounting.fiscal_year import LastMonthNotClosed, MonthHasNotEnded
from domains.credit import DisbursalPolicy, std_terms
from engine import Simulation

BTC = 100_000_000


def open_facility(sim) -> str:
    sim.price.set(7_000_000)
    customer = sim.customer.create_customer("fiscal@bank.test")
    sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_00)
    facility = sim.credit.create_proposal(customer, 100_000_00, std_terms(duration=24,
                                                                          disbursal_policy=DisbursalPolicy.MULTIPLE))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, 10 * BTC)
    sim.credit.initiate_disbursal(facility, 50_000_00)
    return facility


def rows(output) -> dict[tuple[str, str], int]:
    with open(output.paths[0], newline="") as file:
        return {(r["section"], r["account"]): int(r["amount"]) for r in csv.DictReader(file)}


def deposit_dated(day: date) -> LedgerTransaction:
    return LedgerTransaction("late", "RECORD_DEPOSIT", entry_pair("deposit-omnibus", "deposit:x", 100), day)


def test_a_year_closed_month_by_month_moves_its_net_income_into_retained_earnings(tmp_path):
    with Simulation(seed=11, start="2024-01-01", journal=str(tmp_path / "j.db")) as sim:
        open_facility(sim)
        sim.advance(days=45)
        assert sim.ledger.close_month() == date(2024, 1, 31)
        with pytest.raises(MonthHasNotEnded):
            sim.ledger.close_month()
        with pytest.raises(PeriodClosed) as refused:
            sim.ledger.check([deposit_dated(date(2024, 1, 31))])
        assert refused.value.closed_as_of == date(2024, 1, 31)
        sim.ledger.check([deposit_dated(date(2024, 2, 1))])  # the open month takes it
        sim.run_until("2025-01-02")
        with pytest.raises(LastMonthNotClosed):
            sim.ledger.close_year()
        closed = [sim.ledger.close_month() for _ in range(11)]
        assert closed[-1] == date(2024, 12, 31) and sim.ledger.close_month() is None
        income = rows(sim.report.run("profit-and-loss", "2024-12-31"))[("net", "NET-INCOME")]
        assert income > 0
        assert sim.ledger.close_year() == date(2024, 12, 31)
        assert sim.ledger.balance("retained-earnings") == income
        sheet = rows(sim.report.run("balance-sheet", "2024-12-31"))
        assert sheet[("equity", "current-earnings")] == 0 and sheet[("equity", "retained-earnings")] == income
        assert sheet[("check", "assets-minus-liabilities-and-equity")] == 0
        assert rows(sim.report.run("profit-and-loss", "2024-12-31"))[("net", "NET-INCOME")] == income
        assert sim.ledger.is_balanced()
    with Simulation(journal=str(tmp_path / "j.db")) as reopened:
        with pytest.raises(PeriodClosed):
            reopened.ledger.check([deposit_dated(date(2024, 12, 31))])
        reopened.run_until("2025-02-01")
        assert reopened.ledger.close_month() == date(2025, 1, 31)  # the next year opens on 1 January


def test_the_trial_balance_of_a_month_end_counts_the_month_s_interest_posted_at_the_next_midnight(tmp_path):
    """January's interest is posted at 00:00 on 1 February, effective 31 January: the trial balance of
    31 January counts it, as Lana's (read by effective date) and the profit and loss do."""
    with Simulation(seed=11, start="2024-01-01", journal=str(tmp_path / "j.db")) as sim:
        open_facility(sim)
        sim.run_until("2024-02-02")
        with open(sim.report.run("trial-balance", "2024-01-31").paths[0], newline="") as file:
            trial = {(r["account"], r["layer"]): int(r["closing"]) for r in csv.DictReader(file)
                     if r["currency"] == "USD"}
        income = rows(sim.report.run("profit-and-loss", "2024-01-31"))
    revenue = {account: amount for (section, account), amount in income.items()
               if section == "revenue" and account != "TOTAL"}
    assert revenue and all(amount > 0 for amount in revenue.values())
    assert {account: trial[(account, "settled")] for account in revenue} == revenue
    assert trial[("TOTAL", "settled")] == 0


def test_the_month_s_interest_posted_at_the_next_midnight_falls_in_that_month_s_range_not_the_next(tmp_path):
    """Read by effective date, January's interest (posted 00:00 on 1 February, effective 31 January)
    is a credit of January's range and part of February's opening balance, never a February credit."""
    with Simulation(seed=11, start="2024-01-01", journal=str(tmp_path / "j.db")) as sim:
        open_facility(sim)
        sim.run_until("2024-02-02")
        january = sim.ledger.trial_balance_range("2024-01-01", "2024-01-31")
        first_of_february = sim.ledger.trial_balance_range("2024-02-01", "2024-02-01")
        income = rows(sim.report.run("profit-and-loss", "2024-01-31"))
    revenue = {account: amount for (section, account), amount in income.items()
               if section == "revenue" and account != "TOTAL"}
    interest = [a for a in revenue if a.startswith("interest-income:")]
    assert interest and revenue[interest[0]] > 0

    def settled(period, account):
        return next(x for x in period.lines if (x.account, x.layer.value, x.currency.value)
                    == (account, "settled", "USD"))

    in_january, in_february = settled(january, interest[0]), settled(first_of_february, interest[0])
    assert (in_january.opening, in_january.credit - in_january.debit, in_january.closing) == \
        (0, revenue[interest[0]], revenue[interest[0]])
    assert (in_february.opening, in_february.credit) == (revenue[interest[0]], 0)
    assert in_february.closing == in_february.opening + in_february.credit - in_february.debit

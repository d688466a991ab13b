"""Aging and loan-loss provisions by El Salvador's rules (NRP-41 loan states, NCB-022 categories):
the rule, the `loan-provisions` report run and `reserves_cents` in a stress run's timeseries."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from domains.credit import std_terms
from domains.credit.collection.aging import LoanState, category_of, days_past_due, loan_state, provision
from domains.report.provisions import Loan, provision_rows
from engine import Simulation
from scenarios.analysis import analyse

PRICE, BTC, AMOUNT = 7_000_000, 100_000_000, 100_000_00
DAY = date(2024, 5, 20)


# -- the rule --------------------------------------------------------------------------------
def test_given_unpaid_obligations_when_aged_then_the_oldest_unpaid_due_date_counts():
    unpaid = [(date(2024, 4, 1), 100), (date(2024, 1, 31), 50), (date(2023, 12, 31), 0)]  # the last is paid
    assert days_past_due(unpaid, DAY) == 110


def test_given_an_obligation_due_today_or_later_when_aged_then_the_loan_is_current():
    assert days_past_due([(DAY, 100), (date(2024, 6, 30), 100)], DAY) == 0


@pytest.mark.parametrize(("dpd", "state"), [(0, LoanState.CURRENT), (1, LoanState.PAST_DUE),
                                            (90, LoanState.PAST_DUE), (91, LoanState.OVERDUE)])
def test_nrp_41_loan_states_by_days_past_due(dpd, state):
    assert loan_state(dpd) is state


@pytest.mark.parametrize(("dpd", "name", "rate"), [
    (0, "A1", "0.00"), (7, "A1", "0.00"), (8, "A2", "0.01"), (30, "A2", "0.01"), (31, "B", "0.05"),
    (60, "B", "0.05"), (61, "C1", "0.15"), (90, "C1", "0.15"), (91, "C2", "0.25"), (120, "C2", "0.25"),
    (121, "D1", "0.50"), (150, "D1", "0.50"), (151, "D2", "0.75"), (180, "D2", "0.75"), (181, "E", "1.00"),
    (5_000, "E", "1.00")])
def test_ncb_022_categories_and_rates_follow_lanas_consumer_bands(dpd, name, rate):
    assert (category_of(dpd).name, category_of(dpd).rate) == (name, Decimal(rate))


def test_given_a_loan_owing_more_than_its_collateral_when_provisioned_then_the_reserve_is_rate_times_the_gap():
    p = provision(45, balance=1_000_01, collateral_value=600_00)
    assert (p.category, p.net_risk, p.reserve) == ("B", 400_01, 20_01)  # 5 % of 400.01 = 20.0005, rounded up


def test_given_collateral_worth_more_than_the_balance_when_provisioned_then_no_reserve_even_in_category_e():
    p = provision(400, balance=500_00, collateral_value=700_00)
    assert (p.category, p.net_risk, p.reserve) == ("E", -200_00, 0)


def test_the_report_rows_end_with_totals_of_balance_collateral_net_risk_and_reserve():
    loans = [Loan("f-1", "c-1", "active", ((date(2024, 5, 1), 10),), 1_000_00, BTC // 100),
             Loan("f-2", "c-2", "matured", ((date(2024, 1, 1), 10),), 2_000_00, 0)]
    *rows, total = provision_rows(loans, DAY, PRICE)
    assert [(r[0], r[3], r[4], r[5], r[11]) for r in rows] == [
        ("f-1", 19, "past_due", "A2", 3_00), ("f-2", 140, "overdue", "D1", 1_000_00)]
    assert total == ("TOTAL", "", "", "", "", "", "", 3_000_00, BTC // 100, 700_00, 2_300_00, 1_003_00)


# -- a report run and the stress metric --------------------------------------------------------
@pytest.fixture
def sim():
    with Simulation(seed=4, start="2024-01-01") as simulation:
        simulation.price.set(PRICE)
        yield simulation


def a_facility(sim, email: str, sats: int) -> str:
    customer = sim.customer.create_customer(email)
    sim.deposit.record_deposit(sim.deposit.create_account(customer), 5_000_00)
    facility = sim.credit.create_proposal(customer, AMOUNT, std_terms())
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, sats)
    return facility


def test_a_matured_facility_that_never_paid_is_reported_in_c2_with_a_quarter_of_its_uncovered_balance(sim, tmp_path):
    late = a_facility(sim, "late@bank.test", 2 * BTC)
    sim.advance(days=140)  # May 20: January's interest is 110 days past due, the principal 49
    sim.price.set(4_000_000)  # 2 BTC now cover $80,000 of the ~$103,000 owed

    output = sim.report.run("loan-provisions", out_dir=tmp_path)
    *rows, total = list(csv.DictReader(output.paths[0].open()))
    books = sim.credit.books(late)
    owed = books.outstanding + books.defaulted
    assert [(r["facility_id"], r["status"], r["days_past_due"], r["loan_state"], r["category"]) for r in rows] == [
        (late, "matured", "110", "overdue", "C2")]
    assert int(rows[0]["reserve_cents"]) == -(-(owed - 80_000_00) * 25 // 100)
    assert total["reserve_cents"] == rows[0]["reserve_cents"]
    assert sim.report.report(output.report_id).norm == "NCB-022"


def test_a_report_as_of_an_earlier_day_ages_the_loan_as_it_was_then(sim, tmp_path):
    a_facility(sim, "then@bank.test", 2 * BTC)
    sim.advance(days=140)
    output = sim.report.run("loan-provisions", as_of="2024-02-15", out_dir=tmp_path)
    (row, _total) = list(csv.DictReader(output.paths[0].open()))
    assert (row["status"], row["days_past_due"], row["category"], row["reserve_cents"]) == (
        "active", "15", "A2", "0")  # 2 BTC at $70,000 still cover the loan


def test_the_stress_timeseries_carries_reserves_beside_the_shortfall(sim):
    late = a_facility(sim, "stress@bank.test", 2 * BTC)
    sim.advance(days=50)  # Feb 20: January's interest is 20 days past due -> A2, 1 %
    sim.price.set(4_000_000)
    ts = analyse(sim.outbox.tail(), seed=4, digest="").timeseries
    books = sim.credit.books(late)
    gap = books.outstanding - 2 * 4_000_000
    assert ts["shortfall_cents"].iloc[-1] == gap
    assert ts["reserves_cents"].iloc[-1] == -(-gap // 100)
    assert ts["reserves_cents"].iloc[0] == 0  # at the first price nothing was owed past due


def test_a_defaulted_obligation_still_ages_the_loan_and_its_balance_counts(sim, tmp_path):
    customer = sim.customer.create_customer("default@bank.test")
    sim.deposit.record_deposit(sim.deposit.create_account(customer), 5_000_00)
    facility = sim.credit.create_proposal(customer, AMOUNT, std_terms(obligation_defaulted_duration_from_due=60))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, 2 * BTC)
    sim.advance(days=140)  # January's interest defaulted on Mar 31, 110 days after it fell due
    sim.price.set(4_000_000)

    assert any(o.status.value == "defaulted" for o in sim.credit.obligations(facility))
    (row, _total) = list(csv.DictReader(sim.report.run("loan-provisions", out_dir=tmp_path).paths[0].open()))
    books = sim.credit.books(facility)
    assert (row["days_past_due"], row["category"]) == ("110", "C2")
    assert int(row["balance_cents"]) == books.outstanding + books.defaulted and books.defaulted > 0


def test_a_stress_run_never_reserves_more_than_its_shortfall():
    from scenarios import run_stress

    ts = run_stress("stress", seed=2, facilities=12, days=45).timeseries
    assert "reserves_cents" in ts.columns
    assert (ts["reserves_cents"] <= ts["shortfall_cents"]).all() and (ts["reserves_cents"] >= 0).all()


def test_a_loan_aged_through_every_band_edge_is_provisioned_to_the_cent_as_worked_by_hand(tmp_path):
    """$100,000 at 12 %, 2 BTC at $20,000 from its first hour, never paid: daily interest $32.8767
    rounded up to $32.88, so January posts $1,019.28 (due Jan 31), February $953.52, March $1,019.28
    and the maturity day $32.88. Each row: rate x (balance - $40,000), rounded up."""
    with Simulation(seed=1, start="2024-01-01") as sim:
        sim.price.set(PRICE)
        a_facility(sim, "ladder@bank.test", 2 * BTC)
        sim.advance(hours=1)
        sim.price.set(2_000_000)
        sim.advance(days=212)
        worked = {0: (10_000_000, "current", "A1", 0), 7: (10_101_928, "past_due", "A1", 0),
                  8: (10_101_928, "past_due", "A2", 61_020), 30: (10_197_280, "past_due", "A2", 61_973),
                  31: (10_197_280, "past_due", "B", 309_864), 90: (10_302_496, "past_due", "C1", 945_375),
                  91: (10_302_496, "overdue", "C2", 1_575_624), 181: (10_302_496, "overdue", "E", 6_302_496)}
        for dpd, (balance, state, category, reserve) in worked.items():
            day = date.fromordinal(date(2024, 1, 31).toordinal() + dpd)
            output = sim.report.run("loan-provisions", as_of=day, out_dir=tmp_path)
            (row, _total) = csv.DictReader(output.paths[0].open())
            assert (int(row["days_past_due"]), int(row["balance_cents"]), int(row["collateral_value_cents"]),
                    row["loan_state"], row["category"], int(row["reserve_cents"])) == (
                dpd, balance, 4_000_000, state, category, reserve), day


def test_a_journal_forked_before_an_obligation_existed_still_reports_its_provisions(sim, tmp_path):
    """A fork keeps every entity row and cuts the events after its instant: the report read the ids of
    obligations created after the cut and stopped on `UnknownEntity` (`lanasim fork RUN --at T`, then
    the report on the branch, as the README's mid-crash fork invites)."""
    a_facility(sim, "fork@bank.test", 2 * BTC)
    sim.advance(days=40)  # January's interest obligation is created on Feb 1
    with sim.fork(at="2024-01-15", journal=str(tmp_path / "branch.sqlite")) as branch:
        output = branch.report.run("loan-provisions", out_dir=tmp_path / "reports")
        (row, _total) = list(csv.DictReader(output.paths[0].open()))
        assert len(branch.journal.entity_ids("obligation")) == 1  # the principal's; not January's interest
    assert (row["status"], row["days_past_due"], row["category"]) == ("active", "0", "A1")

"""The trial balance of a period from a simulation's book (`sim.ledger.trial_balance_range`) and a
journal (`lanasim trial-balance`): effective dates, both days included; the as-of reads unchanged."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from domains.accounting import InvalidPeriod
from engine import Simulation
from scenarios.cli import main


def deposits(sim) -> str:
    """$100 on 1 January, $50 on 3 January, a $30 withdrawal on 4 January."""
    account = sim.deposit.create_account(sim.customer.create_customer("ann@example.com"))
    sim.deposit.record_deposit(account, 100_00)
    sim.advance(days=2)
    sim.deposit.record_deposit(account, 50_00)
    sim.advance(days=1)
    sim.deposit.initiate_withdrawal(account, 30_00)
    return account


def settled(period, account):
    return next(x for x in period.lines if (x.account, x.currency.value, x.layer.value) == (account, "USD", "settled"))


@pytest.fixture
def book(tmp_path):
    with Simulation(seed=3, start="2024-01-01", journal=str(tmp_path / "j.db")) as sim:
        account = deposits(sim)
        yield sim, account, tmp_path / "j.db"


def test_a_range_shows_earlier_postings_in_the_opening_and_its_own_in_debits_credits_and_closing(book):
    sim, account, _ = book
    period = sim.ledger.trial_balance_range("2024-01-02", "2024-01-03")
    deposit = settled(period, f"deposit:{account}")
    assert (deposit.opening, deposit.debit, deposit.credit, deposit.closing) == (100_00, 0, 50_00, 150_00)
    assert [(t.layer.value, t.opening, t.debit, t.credit, t.closing) for t in period.totals] == \
        [("settled", 0, 50_00, 50_00, 0)]  # the withdrawal of 4 January is after the range


def test_a_range_from_the_book_s_first_day_has_the_as_of_trial_balance_s_figures(book):
    sim, _, _ = book
    period = sim.ledger.trial_balance_range("2024-01-01", "2024-01-04")
    as_of = sim.ledger.trial_balance(as_of="2024-01-04T23:59:59Z")  # what provisions and others read
    assert [(x.account, x.layer, x.debit, x.credit, x.closing) for x in period.lines] == \
        [(x.account, x.layer, x.debit, x.credit, x.balance) for x in as_of]
    assert {x.opening for x in period.lines} == {0}


def test_a_range_ending_before_it_starts_or_naming_no_day_is_refused(book):
    sim, _, _ = book
    with pytest.raises(InvalidPeriod, match="before the period's first day, 2024-01-04"):
        sim.ledger.trial_balance_range("2024-01-04", "2024-01-03")
    with pytest.raises(InvalidPeriod, match="not a day"):
        sim.ledger.trial_balance_range("4 January", "2024-01-04")


def test_the_report_run_on_a_day_covers_its_month_to_date(tmp_path):
    with Simulation(seed=3, start="2024-01-30", journal=str(tmp_path / "j.db")) as sim:
        account = sim.deposit.create_account(sim.customer.create_customer("ann@example.com"))
        sim.deposit.record_deposit(account, 100_00)
        sim.advance(days=3)  # 2 February
        sim.deposit.record_deposit(account, 50_00)
        with open(sim.report.run("trial-balance").paths[0], newline="") as file:
            row = next(r for r in csv.DictReader(file) if r["account"] == f"deposit:{account}")
    assert (row["opening"], row["debits"], row["credits"], row["closing"]) == ("10000", "0", "5000", "15000")


def test_lanasim_trial_balance_prints_the_range_as_csv(book, capsys):
    sim, account, path = book
    expected = sim.ledger.trial_balance_range("2024-01-02", "2024-01-03")
    sim.close()
    assert main(["trial-balance", str(path), "--from", "2024-01-02", "--until", "2024-01-03"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["account", "code", "currency", "layer", "opening", "debits", "credits", "closing"]
    assert rows[1:] == [[str(getattr(v, "value", v)) for v in row] for row in expected.rows()]
    assert [f"deposit:{account}", "21.01.0101", "USD", "settled", "10000", "0", "5000", "15000"] in rows


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "2024-01-04", "--until", "2024-01-03"],
     "--until 2024-01-03: before the period's first day, 2024-01-04 (InvalidPeriod)"),
    (["--from", "2024-01-32"], "--from 2024-01-32: not a day (YYYY-MM-DD) (InvalidPeriod)"),
    (["--until", "yesterday"], "--until yesterday: not a day (YYYY-MM-DD) (InvalidPeriod)"),
    # the --until a user did not type was named as theirs: "--until 2024-01-..: before the period's first day"
    (["--from", "2099-01-01"], "--from 2099-01-01: after the journal's last day, LAST (InvalidPeriod)")])
def test_lanasim_trial_balance_refuses_a_bad_range_in_one_line(book, capsys, argv, message):
    sim, _, path = book
    sim.close()
    assert main(["trial-balance", str(path), *argv]) == 2
    captured = capsys.readouterr()
    message = message.replace("LAST", sim.now.date().isoformat())
    assert captured.err == f"lanasim: error: {message}\n" and captured.out == ""


def test_by_chart_code_rolls_every_account_into_its_code_and_each_parent_as_lana_s_chart_shows_it(tmp_path, capsys):
    from domains.accounting.chart_view import chart_lines
    from domains.credit.terms import std_terms

    with Simulation(seed=1, start="2024-01-01", journal=str(tmp_path / "j.db")) as sim:
        sim.price.set(7_000_000)
        for email in ("ada@example.com", "bob@example.com"):
            customer = sim.customer.create_customer(email)
            sim.deposit.record_deposit(sim.deposit.create_account(customer), 5_000_00)
            facility = sim.credit.create_proposal(customer, 100_000_00, std_terms())
            sim.credit.conclude_customer_approval(facility)
            sim.credit.update_collateral(facility, 2 * 100_000_000)
        sim.advance(days=32)
        period = sim.ledger.trial_balance_range("2024-01-01", "2024-01-31")
    nodes = {(x.code, x.currency.value, x.layer.value): x for x in chart_lines(period)}
    accounts = [x for x in period.lines if x.currency.value == "USD" and x.layer.value == "settled"]
    loans = [x for x in accounts if x.code == "11.02.0202"]
    assert len(loans) == 2  # a receivable per facility: one node line for both
    for code in ("11.02.0202", "11.02", "11", "1"):
        assert code in {c for c, cur, lay in nodes if (cur, lay) == ("USD", "settled")}
    leaf = nodes[("11.02.0202", "USD", "settled")]
    assert (leaf.name, leaf.closing, leaf.debit) == ("Loans Receivable", sum(x.closing for x in loans),
                                                     sum(x.debit for x in loans))
    deposits = [x for x in accounts if x.account.startswith("deposit:")]
    assert nodes[("21.01.0101", "USD", "settled")].closing == sum(x.closing for x in deposits) > 2 * 100_000_00
    top = {code: line.closing for (code, cur, lay), line in nodes.items() if (cur, lay) == ("USD", "settled")
           and "." not in code and len(code) == 1}
    assert top["1"] == sum(v for k, v in top.items() if k != "1")  # assets = credit-normal nodes: the book balances
    assert top["4"] > 0  # January's interest, as revenue
    assert main(["trial-balance", str(tmp_path / "j.db"), "--from", "2024-01-01", "--until", "2024-01-31",
                 "--by", "code"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["code", "name", "currency", "layer", "opening", "debits", "credits", "closing"]
    codes = [r[0] for r in rows[1:] if r[2:4] == ["USD", "settled"]]
    assert codes.index("1") < codes.index("11") < codes.index("11.02") < codes.index("11.02.0202") < codes.index("2")
    assert rows[-1][0] == "TOTAL"


def test_a_period_ending_after_the_journal_says_which_days_have_no_data_and_reads_up_to_its_last_day(book, capsys):
    """It printed the period's figures without a word, as if the journal covered the whole month."""
    sim, _, path = book
    last = sim.now.date()
    sim.close()
    assert main(["trial-balance", str(path), "--from", "2024-01-02", "--until", f"{last}"]) == 0
    up_to_last = capsys.readouterr().out
    assert main(["trial-balance", str(path), "--from", "2024-01-02", "--until", "2024-01-31"]) == 0
    captured = capsys.readouterr()
    assert captured.out == up_to_last
    assert captured.err == (f"lanasim: note: {path} ends on {last}: {last + timedelta(days=1)} .. 2024-01-31 "
                            f"has no data; the figures run to {last}\n")


def test_a_period_before_anything_was_posted_says_so_and_when_the_first_posting_is(book, capsys):
    """`--until 2023-03-31` of a journal whose book starts in 2024 (a year mistyped) printed the CSV
    header alone and nothing on stderr."""
    sim, _, path = book
    sim.close()
    assert main(["trial-balance", str(path), "--until", "2023-03-31"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "account,code,currency,layer,opening,debits,credits,closing\n"
    assert captured.err == (f"lanasim: note: {path}: nothing is posted by 2023-03-31; its first posting is "
                            "dated 2024-01-01\n")


def test_a_period_starting_after_the_journal_is_refused_even_with_its_until_given(book, capsys):
    """--from 2099-01-01 --until 2099-12-31 printed a year's trial balance of a journal that ends in 2024."""
    sim, _, path = book
    sim.close()
    assert main(["trial-balance", str(path), "--from", "2099-01-01", "--until", "2099-12-31"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (f"lanasim: error: --from 2099-01-01: after the journal's last day, {sim.now.date()} "
                            "(InvalidPeriod)\n") and captured.out == ""

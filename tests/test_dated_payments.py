"""Dated payments (Lana's `record_payment_with_date`): an operator books a payment received on an
earlier day; it is allocated interest first and posted on that day; a day before activation or in
the future is refused with a typed error and leaves no trace."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from domains.accounting import chart
from domains.credit import std_terms
from domains.credit.collection.dated import PaymentDateOutOfRange, payment_date
from domains.validators import WrongType
from engine import InvalidInstant, Simulation
from engine.kernel.errors import InvalidArgument

AMOUNT, PRICE, BTC = 100_000_00, 7_000_000, 100_000_000
ACTIVATED, TODAY = date(2024, 1, 1), date(2024, 3, 10)


# -- the rule ------------------------------------------------------------------------------
def test_given_no_date_when_a_payment_is_dated_then_it_is_dated_today():
    assert payment_date("f-1", ACTIVATED, TODAY, None) == TODAY


@pytest.mark.parametrize("day", [ACTIVATED, date(2024, 2, 15), TODAY, "2024-02-15"])
def test_given_a_day_from_activation_to_today_when_a_payment_is_dated_then_that_day_is_its_date(day):
    assert payment_date("f-1", ACTIVATED, TODAY, day) == (date.fromisoformat(day) if isinstance(day, str) else day)


@pytest.mark.parametrize("day", [date(2023, 12, 31), date(2024, 3, 11)])
def test_given_a_day_outside_activation_to_today_when_a_payment_is_dated_then_it_is_refused_with_the_range(day):
    with pytest.raises(PaymentDateOutOfRange) as refused:
        payment_date("f-1", ACTIVATED, TODAY, day)
    assert refused.value.fields == {"facility_id": "f-1", "effective": day, "earliest": ACTIVATED, "latest": TODAY}


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", 5, 3.5])
def test_given_a_value_that_names_no_day_when_a_payment_is_dated_then_it_is_refused_as_no_date_not_out_of_range(value):
    """It was `PaymentDateOutOfRange`, naming a range as if "yesterday" were a day outside it."""
    with pytest.raises(WrongType) as refused:
        payment_date("f-1", ACTIVATED, TODAY, value)
    assert refused.value.fields == {"field": "effective", "value": value,
                                    "expected": "a date, a datetime or YYYY-MM-DD text"}


# -- through the bank ------------------------------------------------------------------------
@pytest.fixture
def sim():
    with Simulation(seed=3, start="2024-01-01") as simulation:
        simulation.price.set(PRICE)
        yield simulation


@pytest.fixture
def facility(sim):
    customer = sim.customer.create_customer("dated@bank.test")
    sim.deposit.record_deposit(sim.deposit.create_account(customer), 5_000_00)
    facility_id = sim.credit.create_proposal(customer, AMOUNT, std_terms())
    sim.credit.conclude_customer_approval(facility_id)
    sim.credit.update_collateral(facility_id, 3 * BTC)
    sim.advance(days=40)  # January's interest is posted, due on Jan 31
    return facility_id


def test_given_januarys_interest_when_a_payment_is_dated_feb_5_then_it_pays_interest_and_posts_on_feb_5(sim, facility):
    (interest,) = [o for o in sim.credit.obligations(facility) if o.obligation_type.value == "interest"]
    payment_id = sim.credit.record_payment(facility, interest.amount + 1_00, effective=date(2024, 2, 5))
    sim.advance(days=0)

    assert sim.state("payment", payment_id).effective == date(2024, 2, 5)
    allocations = sim.outbox.tail(types="core.credit-collection.payment-allocation-created")
    assert [(a["payload"]["entity"]["obligation_type"], a["payload"]["entity"]["amount"],
             a["payload"]["entity"]["effective"]) for a in allocations] == [
        ("Interest", interest.amount, "2024-02-05"), ("Disbursal", 1_00, "2024-02-05")]
    holding = sim.ledger.entries(chart.payment_holding(facility))  # the payment in, its two allocations out
    assert [(row[4], row[5], row[6]) for row in holding] == [
        ("credit", interest.amount + 1_00, "2024-02-05"), ("debit", interest.amount, "2024-02-05"),
        ("debit", 1_00, "2024-02-05")]


def test_a_payment_dated_before_activation_or_tomorrow_is_refused_and_leaves_no_trace(sim, facility):
    before = (sim.journal.digest(), sim.outbox.digest(), sim.ledger.trial_balance())
    for day in (date(2023, 12, 31), sim.now.date() + timedelta(days=1)):
        with pytest.raises(PaymentDateOutOfRange) as refused:
            sim.credit.record_payment(facility, 1_00, effective=day)
        assert refused.value.earliest == date(2024, 1, 1) and refused.value.latest == sim.now.date()
    assert (sim.journal.digest(), sim.outbox.digest(), sim.ledger.trial_balance()) == before


@pytest.mark.parametrize(("value", "error", "fields"), [
    ("x", InvalidInstant, {"value": "x", "problem": "not an ISO-8601 date or time"}),
    ("2024-02-30", InvalidInstant, {"value": "2024-02-30", "problem": "day is out of range for month"}),
    (5, InvalidArgument, {"argument": "effective", "value": 5,
                          "problem": "not a date: a date, a datetime or ISO-8601 text (2024-06-01)"}),
    (b"2024-02-05", InvalidArgument, {"argument": "effective", "value": b"2024-02-05",
                                      "problem": "not a date: a date, a datetime or ISO-8601 text (2024-06-01)"})])
def test_a_payment_dated_with_no_date_at_all_is_refused_as_no_instant_and_leaves_no_trace(sim, facility, value, error,
                                                                                          fields):
    """`effective="x"` read as `PaymentDateOutOfRange` (a day before activation or after today), as
    every instant argument (`as_of=`, `run_until`) refuses it: `InvalidInstant` for text that is no
    instant, `InvalidArgument` naming the argument for any other value."""
    before = (sim.journal.digest(), sim.outbox.digest(), sim.ledger.trial_balance())
    with pytest.raises(error) as refused:
        sim.credit.record_payment(facility, 1_00, effective=value)
    assert type(refused.value) is error and refused.value.fields == fields
    assert (sim.journal.digest(), sim.outbox.digest(), sim.ledger.trial_balance()) == before


def test_a_payment_dated_with_iso_text_of_an_instant_is_booked_on_its_utc_day_and_a_day_out_of_range_keeps_its_error(
        sim, facility):
    """A datetime was read as its UTC day and its ISO text was `PaymentDateOutOfRange` for a day in the range."""
    paid = sim.credit.record_payment(facility, 1_00, effective="2024-02-05T23:30:00-05:00")  # 04:30 UTC on the 6th
    assert sim.state("payment", paid).effective == date(2024, 2, 6)
    with pytest.raises(PaymentDateOutOfRange) as refused:
        sim.credit.record_payment(facility, 1_00, effective="2023-12-31")
    assert (refused.value.effective, refused.value.earliest) == (date(2023, 12, 31), date(2024, 1, 1))


# -- what the admin reads afterwards ---------------------------------------------------------
def test_after_a_dated_payment_the_plan_and_history_show_it_as_lanas_admin_does(sim, facility):
    plan = sim.credit.repayment_plan(facility)
    january = plan[0]
    sim.credit.record_payment(facility, january.initial, effective="2024-02-03")
    sim.advance(days=0)

    paid, *rest = sim.credit.repayment_plan(facility)
    assert (paid.obligation_id, paid.status.value, paid.outstanding) == (january.obligation_id, "paid", 0)
    assert [(e.repayment_type.value, e.status.value, e.due_at.isoformat()) for e in rest] == [
        ("interest", "upcoming", "2024-02-29"), ("interest", "upcoming", "2024-03-31"),
        ("interest", "upcoming", "2024-04-01"), ("disbursal", "not_yet_due", "2024-04-01")]
    newest = sim.credit.history(facility)[0]
    assert (newest.kind, newest.cents, newest.effective) == ("Payment", january.initial, date(2024, 2, 3))


def test_lanasim_show_prints_the_repayment_plan_of_a_journal_and_refuses_an_unknown_facility(tmp_path, capsys):
    from scenarios.cli import main

    journal = str(tmp_path / "journal.sqlite")
    with Simulation(seed=3, start="2024-01-01", journal=journal) as simulation:
        simulation.price.set(PRICE)
        customer = simulation.customer.create_customer("show@bank.test")
        simulation.deposit.record_deposit(simulation.deposit.create_account(customer), 5_000_00)
        facility_id = simulation.credit.create_proposal(customer, AMOUNT, std_terms())
        simulation.credit.conclude_customer_approval(facility_id)
        simulation.credit.update_collateral(facility_id, 3 * BTC)
        simulation.advance(days=40)
        expected = simulation.credit.repayment_plan(facility_id)

    assert main(["show", journal, "repayment-plan", facility_id]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(e["status"], e["outstanding"], e["due_at"]) for e in shown] == [
        (e.status.value, e.outstanding, e.due_at.isoformat()) for e in expected]
    assert main(["show", journal, "repayment-plan", "no-such-facility"]) == 2
    assert "UnknownEntity" in capsys.readouterr().err

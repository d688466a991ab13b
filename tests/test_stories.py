"""Lana's six sim-bootstrap stories (Lana: lana/sim-bootstrap/src/lib.rs) told by the simulation: what each publishes,
on
which day, and the books each leaves. Expected amounts follow Lana's rules: interest is
ceil(principal x 12 % / 365) a day, on the principal outstanding when the day's accrual runs (the
next midnight); payments go to interest first, oldest first (Lana: core/credit/collection/src/obligation/mod.rs);
overdue = due + 50 days (Lana: core/credit/collection/src/obligation/entity.rs).
"""

from __future__ import annotations

import importlib
import json
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import NamedTuple

import pytest

from engine import Simulation
from engine.testkit import expect
from scenarios.cli import main
from scenarios.library import load_scenario, scenario_names

STORIES = ("timely_payments", "interest_late", "principal_late", "disbursal_different_months",
           "interest_under_payment", "principal_under_payment")
SMALL = {"interest_late": {"days": 130}, "principal_late": {"days": 160}, "interest_under_payment": {"days": 60},
         "principal_under_payment": {"days": 100}}
ACTIVATED, COMPLETED = "core.credit.facility-activated", "core.credit.facility-completed"
COLLATERAL = "core.credit-collateral.collateral-updated"
POSTED, SETTLED = "core.credit.accrual-posted", "core.credit.disbursal-settled"
DUE, OVERDUE = "core.credit-collection.obligation-due", "core.credit-collection.obligation-overdue"
PAID_OFF = "core.credit-collection.obligation-completed"
PAYMENT, ALLOCATION = "core.credit-collection.payment-created", "core.credit-collection.payment-allocation-created"
TEN_MILLION, FEE = 10_000_000_00, 1_000_00  # cents; the structuring fee is 0.01 %
MIDNIGHT = "T00:00:00Z"


def a_day_of_interest(principal: int) -> int:
    return int((Decimal(principal) * 12 / 36_500).to_integral_value(ROUND_CEILING))


A_DAY = a_day_of_interest(TEN_MILLION)  # $3,287.68
JANUARY, FEBRUARY, MARCH = 31 * A_DAY, 29 * A_DAY, 31 * A_DAY


class Told(NamedTuple):
    sim: Simulation
    facility: str
    summary: dict

    def obligation(self, obligation_type: str, due_at: str) -> dict:
        envelope = expect(self.sim.outbox).to_have(DUE, entity__beneficiary_id=self.facility,
                                                   entity__obligation_type=obligation_type, entity__due_at=due_at)
        return envelope["payload"]["entity"]

    def published(self, event_type: str, **fields) -> list[dict]:
        return self.sim.outbox.tail(types=[event_type], where={"entity.beneficiary_id": self.facility, **{
            k.replace("__", "."): v for k, v in fields.items()}})


@pytest.fixture(scope="module")
def told(tmp_path_factory):
    """Tell a story once per module (with the small parameters) and keep its simulation open."""
    stories: dict[str, Told] = {}

    def tell(name: str) -> Told:
        if name not in stories:
            module = importlib.import_module(f"scenarios.library.{name}")
            journal = tmp_path_factory.mktemp(name) / "journal.sqlite"
            sim = Simulation(seed=0, start=module.START, journal=str(journal))
            summary = module.story(sim, **{**load_scenario(name).defaults, **SMALL.get(name, {})})
            facility = sim.outbox.tail(types=[ACTIVATED])[0]["payload"]["entity"]["id"]
            stories[name] = Told(sim, facility, summary)
        return stories[name]

    yield tell
    for story in stories.values():
        story.sim.close()


# -- every story -------------------------------------------------------------------------
@pytest.mark.parametrize("name", STORIES)
def test_every_story_keeps_the_ledger_balanced_and_the_books_equal_to_the_obligations(told, name):
    story = told(name)
    books, obligations = story.sim.credit.facility(story.facility).books, story.sim.credit.obligations(story.facility)

    def owed(kind: str, statuses=("not_yet_due", "due", "overdue")) -> int:
        return sum(o.outstanding for o in obligations if o.obligation_type.value == kind and o.status.value in statuses)

    assert story.summary["ledger_balanced"] is True
    for day in sorted({e["recorded_at"] for e in story.sim.outbox.tail(types=[DUE, PAYMENT])}):
        assert story.sim.ledger.is_balanced(as_of=day)
    assert books == (owed("disbursal"), owed("interest"), owed("disbursal", ("due", "overdue")),
                     owed("interest", ("due", "overdue")), 0)
    for o in obligations:
        assert o.outstanding == o.amount - sum(a["payload"]["entity"]["amount"] for a in story.published(
            ALLOCATION, entity__obligation_id=o.id))


@pytest.mark.parametrize("name", STORIES)
def test_every_story_replays_to_the_live_state(told, name):
    sim, facility, _ = told(name)
    entities = [("credit-facility", facility), *(("obligation", o.id) for o in sim.credit.obligations(facility))]
    for kind, entity_id in entities:
        assert sim.load(kind, entity_id, use_snapshot=False) == sim.state(kind, entity_id)


@pytest.mark.parametrize("name", STORIES)
def test_every_payment_leaves_the_deposit_account_and_is_allocated_in_full(told, name):
    story = told(name)
    customer = story.sim.outbox.tail(types=[ACTIVATED])[0]["payload"]["entity"]["customer_id"]
    (account,) = story.sim.deposit.accounts_of(customer)
    paid = sum(e["payload"]["entity"]["amount"] for e in story.published(PAYMENT))
    disbursed = sum(e["payload"]["entity"]["amount"] for e in story.sim.outbox.tail(
        types=[SETTLED], where={"entity.credit_facility_id": story.facility}))
    assert paid == sum(e["payload"]["entity"]["amount"] for e in story.published(ALLOCATION))
    assert story.sim.deposit.balance(account) == TEN_MILLION + disbursed - FEE - paid


@pytest.mark.parametrize("name", STORIES)
def test_every_interest_obligation_is_due_on_its_cycle_end_and_published_the_next_midnight(told, name):
    for envelope in told(name).published(DUE, entity__obligation_type="Interest"):
        due_at = date.fromisoformat(envelope["payload"]["entity"]["due_at"])
        assert envelope["recorded_at"] == (due_at + timedelta(days=1)).isoformat() + MIDNIGHT
        assert envelope["payload"]["entity"]["overdue_at"] == (due_at + timedelta(days=50)).isoformat()


def test_the_cli_lists_the_six_stories_and_runs_one(capsys, tmp_path):
    names = scenario_names()
    assert {name.replace("_", "-") for name in STORIES} <= set(names) and "-lana" not in names
    assert main(["run", "timely-payments", "--seed", "1", "--out", str(tmp_path / "run"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["facility_status"] == "closed"
    assert summary["interest_posted_cents"] == 29_917_888


# -- 1 timely payments -------------------------------------------------------------------
def test_timely_payments_closes_the_facility_and_returns_the_collateral(told):
    sim, facility, summary = told("timely_payments")
    expect(sim.outbox).in_order((COMPLETED, {"entity__id": facility}),
                                (COLLATERAL, {"entity__secured_loan_id": facility, "entity__amount": 0}))
    view = sim.credit.facility(facility)
    assert (view.status.value, view.collateral_sats, view.collateralization_state) == ("closed", 0, "no_collateral")
    assert view.books.outstanding == 0
    expect(sim.outbox).never(OVERDUE)
    assert summary["facility_status"] == "closed" and summary["days_overdue"] == "none"


def test_timely_payments_pay_each_obligation_the_day_it_falls_due(told):
    story = told("timely_payments")
    for obligation in story.published(DUE):
        entity = obligation["payload"]["entity"]
        (paid_off,) = story.published(PAID_OFF, entity__id=entity["id"])
        assert paid_off["recorded_at"] == obligation["recorded_at"]
    assert [e["payload"]["entity"]["amount"] for e in story.published(PAYMENT)] == [
        JANUARY, FEBRUARY, TEN_MILLION, MARCH]


def test_timely_payments_accrue_nothing_on_the_maturity_day_once_the_principal_is_repaid(told):
    sim, facility, summary = told("timely_payments")
    postings = sim.outbox.tail(types=[POSTED], where={"entity.credit_facility_id": facility})
    assert [e["payload"]["entity"]["due_at"] for e in postings] == [
        "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-01"]
    assert [(e["payload"]["entity"]["posting"] or {}).get("amount") for e in postings] == [
        JANUARY, FEBRUARY, MARCH, None]
    assert summary["interest_posted_cents"] == JANUARY + FEBRUARY + MARCH == 29_917_888


# -- 2 interest late ---------------------------------------------------------------------
def test_interest_late_pays_january_with_februarys_payment_so_january_goes_overdue_for_the_rest(told):
    story = told("interest_late")
    january = story.obligation("Interest", "2024-01-31")
    (first_payment,) = [e for e in story.published(ALLOCATION) if e["recorded_at"] == "2024-03-01" + MIDNIGHT]
    assert first_payment["payload"]["entity"]["obligation_id"] == january["id"]
    assert first_payment["payload"]["entity"]["amount"] == FEBRUARY
    (overdue,) = story.published(OVERDUE)
    assert overdue["recorded_at"] == "2024-03-21" + MIDNIGHT
    assert overdue["payload"]["entity"]["id"] == january["id"]
    assert overdue["payload"]["entity"]["outstanding_amount"] == JANUARY - FEBRUARY == 657_536


def test_interest_late_clears_every_interest_with_the_principals_payment_and_closes(told):
    story = told("interest_late")
    for due_at in ("2024-01-31", "2024-02-29", "2024-03-31"):
        (paid,) = story.published(PAID_OFF, entity__id=story.obligation("Interest", due_at)["id"])
        assert paid["recorded_at"] == "2024-04-01" + MIDNIGHT
    (principal,) = story.published(PAID_OFF, entity__obligation_type="Disbursal")
    assert principal["recorded_at"] == "2024-05-01" + MIDNIGHT  # the held-back payment, 20 days before overdue
    left = JANUARY  # the principal left after Apr 1 is exactly the held-back amount
    assert story.obligation("Interest", "2024-04-01")["initial_amount"] == a_day_of_interest(left) == 3_351
    assert story.summary["days_overdue"] == "interest due 2024-01-31: 11 from 2024-03-21"
    expect(story.sim.outbox).to_have(COMPLETED, entity__id=story.facility)


# -- 3 principal late --------------------------------------------------------------------
def test_principal_late_publishes_the_principal_overdue_on_may_21(told):
    story = told("principal_late")
    principal = story.obligation("Disbursal", "2024-04-01")
    (overdue,) = story.published(OVERDUE)
    assert overdue["recorded_at"] == "2024-05-21" + MIDNIGHT
    assert overdue["payload"]["entity"]["id"] == principal["id"]
    assert overdue["payload"]["entity"]["outstanding_amount"] == TEN_MILLION
    assert not story.published(OVERDUE, entity__obligation_type="Interest")


def test_principal_late_pays_interest_a_month_late_and_principal_sixty_days_late(told):
    story = told("principal_late")
    assert [(e["recorded_at"][:10], e["payload"]["entity"]["amount"]) for e in story.published(PAYMENT)] == [
        ("2024-03-02", JANUARY), ("2024-04-01", FEBRUARY), ("2024-05-01", MARCH), ("2024-05-01", A_DAY),
        ("2024-05-31", TEN_MILLION)]
    assert story.summary["days_overdue"] == "disbursal due 2024-04-01: 10 from 2024-05-21"
    assert story.summary["interest_posted_cents"] == 30_246_656
    expect(story.sim.outbox).to_have(COLLATERAL, entity__secured_loan_id=story.facility, entity__amount=0)
    assert story.sim.credit.facility(story.facility).status.value == "closed"


# -- 4 disbursals in different months ----------------------------------------------------
def test_disbursals_in_different_months_start_with_the_fee(told):
    sim, facility, _ = told("disbursal_different_months")
    settled = sim.outbox.tail(types=[SETTLED], where={"entity.credit_facility_id": facility})
    assert [(e["recorded_at"][:10], e["payload"]["entity"]["amount"]) for e in settled] == [
        ("2024-01-01", FEE), ("2024-01-01", 1_000_000_00), ("2024-01-31", 2_000_000_00), ("2024-03-31", 5_000_000_00)]
    assert {o.due_date for o in sim.credit.obligations(facility) if o.obligation_type.value == "disbursal"} == {
        date(2025, 1, 1)}


def test_disbursals_in_different_months_accrue_from_the_day_each_is_drawn(told):
    story = told("disbursal_different_months")
    january = 30 * a_day_of_interest(FEE + 1_000_000_00) + a_day_of_interest(FEE + 3_000_000_00)
    assert story.obligation("Interest", "2024-01-31")["initial_amount"] == january == 1_085_964
    march = 30 * a_day_of_interest(FEE + 3_000_000_00) + a_day_of_interest(FEE + 8_000_000_00)
    assert story.obligation("Interest", "2024-03-31")["initial_amount"] == march
    assert story.summary["interest_posted_cents"] == 79_508_112


def test_disbursals_in_different_months_are_repaid_on_maturity_and_closed(told):
    story = told("disbursal_different_months")
    assert len(story.published(DUE)) == 16 and not story.published(OVERDUE)
    assert {e["recorded_at"] for e in story.published(PAID_OFF, entity__obligation_type="Disbursal")} == {
        "2025-01-01" + MIDNIGHT}
    expect(story.sim.outbox).in_order(
        (COMPLETED, {"entity__id": story.facility}),
        (COLLATERAL, {"entity__secured_loan_id": story.facility, "entity__amount": 0}))
    assert story.summary["principal_paid_cents"] == 800_100_000


# -- 5 interest under payment ------------------------------------------------------------
def test_interest_under_payment_stays_active_with_no_payments(told):
    sim, facility, summary = told("interest_under_payment")
    view = sim.credit.facility(facility)
    assert view.status.value == "active" and view.collateral_sats == 230 * 100_000_000
    expect(sim.outbox).never(PAYMENT)
    assert view.books.interest == view.books.payable_interest == JANUARY + FEBRUARY
    assert view.books.principal == TEN_MILLION
    assert (summary["obligations_due"], summary["obligations_overdue"]) == (2, 0)


def test_interest_under_payment_run_on_puts_every_obligation_overdue_fifty_days_after_due(sim):
    module = importlib.import_module("scenarios.library.interest_under_payment")
    module.story(sim, **{**load_scenario("interest-under-payment").defaults, "days": 141})
    overdue = sim.outbox.tail(types=[OVERDUE])
    assert [(e["recorded_at"], e["payload"]["entity"]["obligation_type"], e["payload"]["entity"]["due_at"])
            for e in overdue] == [
        ("2024-03-21" + MIDNIGHT, "Interest", "2024-01-31"), ("2024-04-19" + MIDNIGHT, "Interest", "2024-02-29"),
        ("2024-05-20" + MIDNIGHT, "Interest", "2024-03-31"), ("2024-05-21" + MIDNIGHT, "Disbursal", "2024-04-01"),
        ("2024-05-21" + MIDNIGHT, "Interest", "2024-04-01")]
    assert all(e["payload"]["entity"]["outstanding_amount"] == e["payload"]["entity"]["initial_amount"]
               for e in overdue)


# -- 6 principal under payment -----------------------------------------------------------
def test_principal_under_payment_ends_with_only_the_unpaid_principal_outstanding(told):
    sim, facility, summary = told("principal_under_payment")
    view = sim.credit.facility(facility)
    assert view.status.value == "matured"
    assert view.books.outstanding == view.books.principal == view.books.payable_disbursed == TEN_MILLION
    assert summary["principal_unpaid_cents"] == TEN_MILLION and summary["stopped_on"] == "2024-04-03"
    assert not told("principal_under_payment").published(ALLOCATION, entity__obligation_type="Disbursal")
    expect(sim.outbox).never(OVERDUE)
    expect(sim.outbox).never(COMPLETED)


def test_principal_under_payment_pays_every_interest_obligation_the_day_it_is_due(told):
    story = told("principal_under_payment")
    interest = story.published(DUE, entity__obligation_type="Interest")
    assert [e["payload"]["entity"]["initial_amount"] for e in interest] == [
        JANUARY, FEBRUARY, MARCH, A_DAY]
    for due in interest:
        (paid,) = story.published(PAID_OFF, entity__id=due["payload"]["entity"]["id"])
        assert paid["recorded_at"] == due["recorded_at"]
    (principal,) = [o for o in story.sim.credit.obligations(story.facility) if o.obligation_type.value == "disbursal"]
    assert principal.liquidation_date == date(2024, 5, 31) and principal.overdue_date == date(2024, 5, 21)


# -- parameters inside their documented range run, or are refused before the run directory ----
def refused_in_one_line(capsys, tmp_path, name: str, *sets: str) -> str:
    """`lanasim run NAME --set ...` exits 2 with one line and leaves no run directory behind."""
    out = tmp_path / name
    assert main(["run", name, *(a for s in sets for a in ("--set", s)), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lanasim: error:"), err
    assert not out.exists()
    return err[0]


@pytest.mark.parametrize("name", ["timely-payments", "interest-late", "principal-late"])
@pytest.mark.parametrize("deposit", [0, 1, 303_466])
def test_a_deposit_short_of_the_fee_and_interest_is_refused_naming_the_deposit_it_needs(
        capsys, tmp_path, name, deposit):
    """The $10M facility's fee ($1,000) and at most 92 days of interest ($302,466.56): a deposit
    below $303,466.56 ran until the account was overdrawn (`OverdraftPrevented`, or at 0
    `NonPositiveAmount`) and left a half-written run directory."""
    line = refused_in_one_line(capsys, tmp_path, name, f"deposit_usd={deposit}")
    assert f"deposit_usd={deposit} is too small" in line and "set deposit_usd to at least 303467" in line


@pytest.mark.parametrize("name", ["timely-payments", "principal-late"])
def test_the_deposit_named_is_enough_even_when_the_principal_is_repaid_after_the_maturity_day(capsys, tmp_path,
                                                                                               name):
    """`days=1`: the borrower pays everything at the end, after the maturity day's own accrual."""
    assert main(["run", name, "--set", "deposit_usd=303467", "--set", "days=1", "--out", str(tmp_path / "r"),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["facility_status"] == "closed"


@pytest.mark.parametrize("name", ["interest-under-payment", "principal-under-payment"])
def test_a_borrower_without_a_deposit_runs_the_stories_that_never_repay_the_principal(capsys, tmp_path, name):
    """deposit_usd=0 is in range: an empty account (the disbursal pays the fee and any interest)."""
    assert main(["run", name, "--set", "deposit_usd=0", "--out", str(tmp_path / "r"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ledger_balanced"] is True


@pytest.mark.parametrize("sets, fragment", [
    (["first_usd=10000000", "second_usd=0", "third_usd=0"],
     "exceeds facility_usd=10000000 less the structuring fee drawn at activation ($1,000.00): at most 9999000"),
    (["third_on_day=366"], "third_on_day=366 is on or after the facility's maturity (day 366)"),
    (["second_on_day=365", "third_on_day=366"], "third_on_day=366 is on or after the facility's maturity"),
    (["deposit_usd=798711"], "set deposit_usd to at least 798712"),
])
def test_disbursals_that_the_facility_would_refuse_mid_run_are_refused_before_it(capsys, tmp_path, sets, fragment):
    """DisbursalAboveFacilityAmount (the fee is drawn first), DisbursalOnInactiveFacility (a draw
    on the maturity day) and OverdraftPrevented ended the run halfway, with its directory left."""
    assert fragment in refused_in_one_line(capsys, tmp_path, "disbursal-different-months", *sets)


def test_the_most_a_multiple_disbursal_borrower_can_draw_and_a_draw_the_day_before_maturity_run(capsys, tmp_path):
    assert main(["run", "disbursal-different-months", "--set", "first_usd=9999000", "--set", "second_usd=0",
                 "--set", "third_usd=0", "--set", "deposit_usd=10000000", "--out", str(tmp_path / "a"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["facility_status"] == "closed"
    assert main(["run", "disbursal-different-months", "--set", "third_on_day=365", "--out", str(tmp_path / "b"),
                 "--json"]) == 0
    assert "2024-12-31" in json.loads(capsys.readouterr().out)["disbursals_on"]

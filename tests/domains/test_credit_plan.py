"""Repayment plan and history read models (Lana's admin views), folded from a facility's public
events: given the events so far, when the plan or history is read, then it shows ..."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domains.credit import DisbursalPolicy, std_terms
from domains.credit.collection.history import history
from domains.credit.collection.plan import RepaymentStatus, RepaymentType, repayment_plan, terms_from_payload
from domains.credit.facility.public import terms_payload

F, AMOUNT = "f-1", 100_000_00
NOW = datetime(2024, 1, 1, tzinfo=UTC)
DAY_OF_INTEREST = 3_288  # 12 % of $100,000 for one day, rounded up to the cent
UP, INT, PRI = RepaymentStatus.UPCOMING, RepaymentType.INTEREST, RepaymentType.DISBURSAL


def env(event_type: str, at: str = "2024-01-01T00:00:00Z", **payload) -> dict:
    return {"event_type": event_type, "payload": payload, "recorded_at": at}


def proposal(terms=None, amount: int = AMOUNT) -> dict:
    return env("core.credit.facility-proposal-created",
               entity={"id": F, "amount": amount, "terms": terms_payload(terms or std_terms())})


def activated(at: str = "2024-01-01T00:00:00Z") -> dict:
    return env("core.credit.facility-activated", at, entity={
        "id": F, "activated_at": at, "amount": AMOUNT, "activation_tx_id": f"{F}-activation"})


def obligation(id_: str, kind: str, amount: int, due: str, effective: str, at: str) -> dict:
    return env("core.credit-collection.obligation-created", at, entity={
        "id": id_, "obligation_type": kind, "beneficiary_id": F, "initial_amount": amount,
        "outstanding_amount": amount, "due_at": due, "overdue_at": None, "defaulted_at": None, "effective": effective})


def moved(event: str, id_: str, at: str) -> dict:
    return env(f"core.credit-collection.obligation-{event}", at, entity={"id": id_, "beneficiary_id": F})


def allocated(obligation_id: str, amount: int, effective: str, at: str) -> dict:
    return env("core.credit-collection.payment-allocation-created", at, entity={
        "id": f"a-{obligation_id}-{amount}", "obligation_id": obligation_id, "obligation_type": "Interest",
        "beneficiary_id": F, "amount": amount, "effective": effective})


def posted(start: str, end: str, amount: int | None, at: str) -> dict:
    posting = None if amount is None else {"tx_id": f"{F}-cycle", "amount": amount, "effective": end}
    return env("core.credit.accrual-posted", at, entity={
        "id": f"{F}-cycle", "credit_facility_id": F, "due_at": end, "posting": posting,
        "period": {"interval": {"type": "end_of_month"}, "start": f"{start}T00:00:00Z", "end": f"{end}T23:59:59Z"}})


def shape(plan) -> list[tuple]:
    return [(e.repayment_type, e.status, e.outstanding, e.due_at) for e in plan]


# -- repayment plan ------------------------------------------------------------------------
def test_terms_come_back_from_the_proposal_event_unchanged():
    terms = std_terms(annual_rate=Decimal("9.5"), disbursal_policy=DisbursalPolicy.MULTIPLE)
    assert terms_from_payload(terms_payload(terms)) == terms


def test_given_only_a_proposal_when_the_plan_is_read_then_every_cycle_and_the_principal_are_upcoming():
    plan = repayment_plan([proposal()], NOW)
    assert shape(plan) == [
        (INT, UP, 31 * DAY_OF_INTEREST, date(2024, 1, 31)), (INT, UP, 29 * DAY_OF_INTEREST, date(2024, 2, 29)),
        (INT, UP, 31 * DAY_OF_INTEREST, date(2024, 3, 31)), (INT, UP, DAY_OF_INTEREST, date(2024, 4, 1)),
        (PRI, UP, AMOUNT, date(2024, 4, 1))]  # the maturity day is charged; interest before principal


def test_given_a_single_disbursal_with_a_fee_when_planned_then_only_its_amount_is_principal_not_fee_plus_amount():
    assert [e.initial for e in repayment_plan([proposal()], NOW) if e.repayment_type is PRI] == [AMOUNT]


def test_given_a_multiple_disbursal_with_a_fee_when_planned_then_the_fee_and_the_rest_are_principal():
    terms = std_terms(disbursal_policy=DisbursalPolicy.MULTIPLE)
    assert [e.initial for e in repayment_plan([proposal(terms)], NOW) if e.repayment_type is PRI] == [
        10_00, AMOUNT - 10_00]


def test_given_a_posted_cycle_and_a_partial_payment_when_read_then_the_obligation_shows_status_and_outstanding():
    events = [proposal(), activated(), obligation("p", "Disbursal", AMOUNT, "2024-04-01", "2024-01-01", "2024-01-01"),
              posted("2024-01-01", "2024-01-31", 101_928, "2024-02-01T00:00:00Z"),
              obligation("i1", "Interest", 101_928, "2024-01-31", "2024-01-31", "2024-02-01T00:00:00Z"),
              moved("due", "i1", "2024-02-01T00:00:00Z"), allocated("i1", 100_000, "2024-02-05", "2024-02-10")]
    plan = repayment_plan(events, NOW)
    assert shape(plan) == [
        (INT, RepaymentStatus.DUE, 1_928, date(2024, 1, 31)), (INT, UP, 29 * DAY_OF_INTEREST, date(2024, 2, 29)),
        (INT, UP, 31 * DAY_OF_INTEREST, date(2024, 3, 31)), (INT, UP, DAY_OF_INTEREST, date(2024, 4, 1)),
        (PRI, RepaymentStatus.NOT_YET_DUE, AMOUNT, date(2024, 4, 1))]
    assert plan[0].obligation_id == "i1" and plan[0].initial == 101_928


def test_given_an_obligation_paid_off_when_read_then_it_is_paid_with_nothing_outstanding():
    events = [proposal(), activated(), obligation("i1", "Interest", 500, "2024-01-31", "2024-01-31", "2024-02-01"),
              allocated("i1", 500, "2024-02-01", "2024-02-01"), moved("completed", "i1", "2024-02-01")]
    (first, *_) = repayment_plan(events, NOW)
    assert (first.status, first.outstanding) == (RepaymentStatus.PAID, 0)


def test_given_a_cycle_that_accrued_nothing_when_read_then_it_is_a_paid_zero_line_and_planning_resumes_after_it():
    events = [proposal(), activated(), posted("2024-01-01", "2024-01-31", None, "2024-02-01T00:00:00Z")]
    plan = repayment_plan(events, NOW)
    assert shape(plan)[0] == (INT, RepaymentStatus.PAID, 0, date(2024, 1, 31))
    assert [e.due_at for e in plan if e.status is UP and e.repayment_type is INT] == [
        date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 1)]


def test_replayed_obligation_events_do_not_duplicate_a_line():
    created = obligation("p", "Disbursal", AMOUNT, "2024-04-01", "2024-01-01", "2024-01-01")
    assert len([e for e in repayment_plan([proposal(), activated(), created, created], NOW) if e.obligation_id]) == 1


def test_without_a_proposal_there_is_no_plan():
    assert repayment_plan([activated()], NOW) == ()


# -- history -------------------------------------------------------------------------------
def test_given_activation_interest_and_a_payment_when_history_is_read_then_newest_comes_first():
    events = [activated(), posted("2024-01-01", "2024-01-31", 101_928, "2024-02-01T00:00:00Z"),
              allocated("i1", 100_000, "2024-02-05", "2024-02-10T00:00:00Z")]
    entries = history(events)
    assert [(e.kind, e.cents, e.effective) for e in entries] == [
        ("Payment", 100_000, date(2024, 2, 5)), ("Interest", 101_928, date(2024, 1, 31)),
        ("Approved", AMOUNT, date(2024, 1, 1))]
    assert entries[1].days == 31 and entries[2].tx_id == f"{F}-activation"


def test_given_collateral_and_liquidation_steps_when_history_is_read_then_they_carry_satoshis_and_cents():
    events = [
        env("core.credit-collateral.collateral-updated", "2024-01-02T10:00:00Z", entity={
            "id": "c", "secured_loan_id": F, "amount": 5, "adjustment": {"tx_id": "t1", "abs_diff": 5,
                                                                          "direction": "Add"}}),
        env("core.credit-collateral.liquidation-collateral-sent-out", "2024-01-03T00:00:00Z", liquidation_id="l",
            secured_loan_id=F, amount=2, ledger_tx_id="t2", effective="2024-01-03"),
        env("core.credit-collateral.liquidation-proceeds-received", "2024-01-04T00:00:00Z", liquidation_id="l",
            secured_loan_id=F, amount=900, ledger_tx_id="t3", effective="2024-01-04", payment_id="p")]
    assert [(e.kind, e.satoshis, e.cents, e.direction) for e in history(events)] == [
        ("Repayment", None, 900, None), ("Liquidation", 2, None, None), ("Collateral", 5, None, "add")]


def test_events_history_does_not_show_are_skipped():
    assert history([moved("due", "i1", "2024-02-01T00:00:00Z"), proposal()]) == ()

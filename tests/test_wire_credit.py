"""The Credit module's public payloads have Lana's shapes: statuses and collateralization states are
Lana's serde variant names (`FullyCollateralized`), terms are Lana's `TermValues` JSON, an accrual
posting's period carries its interval and instants. The schema below restates, by hand, the public
structs of Lana's credit module (`PublicCreditFacilityProposal`, `PublicPendingCreditFacility`,
`PublicCreditFacility`, `PublicDisbursal`, `PublicInterestAccrualCycle`, `TermValues`), plus
lanasim's own `FacilityImported` (module `LanasimCredit`), which carries the same terms."""

from __future__ import annotations

import json
from decimal import Decimal

import jsonschema
import pytest

from domains.credit import DisbursalPolicy, InvalidTerms, ProposalStatus, std_terms
from domains.credit.collateral.collateralization import CollateralizationState, PendingCollateralizationState
from domains.credit.primitives import DisbursalStatus
from domains.credit.public_terms import terms_from_payload, terms_payload
from domains.wire import pascal
from engine import Simulation
from scenarios.cli import main
from tests.test_book import imported
from tests.test_import_collateralization import ROWS as CALLED_ROWS


def _object(required: dict, optional: dict | None = None, closed: bool = False) -> dict:
    shape = {"type": "object", "required": sorted(required), "properties": {**required, **(optional or {})}}
    return {**shape, "additionalProperties": False} if closed else shape


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


TEXT, COUNT = {"type": "string"}, {"type": "integer", "minimum": 0}  # ids; cents, satoshis, days, months
DECIMAL = {"type": "string", "pattern": r"^\d+(\.\d+)?$"}
INSTANT = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}
DAY = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\d$"}
PROPOSAL_STATUSES = ["PendingCustomerApproval", "CustomerDenied", "PendingApproval", "Approved", "Denied"]
FACILITY_STATES = ["FullyCollateralized", "UnderMarginCallThreshold", "UnderLiquidationThreshold", "NoCollateral",
                   "NoExposure"]
PENDING_STATES = ["FullyCollateralized", "UnderCollateralized", "NotYetCollateralized"]
DISBURSAL_STATUSES = ["New", "Approved", "Denied", "Confirmed"]
POLICIES = ["SingleDisbursal", "MultipleDisbursal"]

INTERVAL = {"oneOf": [_object({"type": {"const": "end_of_month"}}), _object({"type": {"const": "end_of_day"}})]}
CVL = {"oneOf": [{"const": "Infinite"}, _object({"Finite": DECIMAL}, closed=True)]}
DAYS = _object({"type": {"const": "days"}, "value": COUNT})
TERMS = _object(
    {"annual_rate": DECIMAL, "duration": _object({"type": {"const": "months"}, "value": COUNT}),
     "interest_due_duration_from_accrual": DAYS, "accrual_cycle_interval": INTERVAL, "accrual_interval": INTERVAL,
     "one_time_fee_rate": DECIMAL, "liquidation_cvl": CVL, "margin_call_cvl": CVL, "initial_cvl": CVL,
     "disbursal_policy": {"enum": POLICIES}},
    {"obligation_overdue_duration_from_due": _nullable(DAYS),
     "obligation_liquidation_duration_from_due": _nullable(DAYS)})
PROPOSAL = _object({"id": TEXT, "status": {"enum": PROPOSAL_STATUSES}, "amount": COUNT, "terms": TERMS,
                    "customer_id": TEXT, "created_at": INSTANT})
PENDING = _object({"id": TEXT, "status": {"enum": ["PendingCollateralization", "Completed"]},
                   "collateralization": _object({"state": {"enum": PENDING_STATES}},
                                                {"collateral": _nullable(COUNT),
                                                 "price_at_state_change": _nullable(COUNT)}),
                   "amount": COUNT, "terms": TERMS, "customer_id": TEXT, "created_at": INSTANT},
                  {"completed_at": _nullable(INSTANT)})
TRIGGER = _object({"liquidation_id": TEXT, "trigger_price": COUNT, "initially_expected_to_receive": COUNT,
                   "initially_estimated_to_liquidate": COUNT})
FACILITY = _object({"id": TEXT, "customer_id": TEXT, "collateral_id": TEXT, "activation_tx_id": TEXT,
                    "activated_at": INSTANT, "amount": COUNT,
                    "collateralization": _object({"state": {"enum": FACILITY_STATES}, "collateral": COUNT,
                                                  "outstanding": _object({"disbursed": COUNT, "interest": COUNT}),
                                                  "price_at_state_change": COUNT})},
                   {"completed_at": _nullable(INSTANT), "liquidation_trigger": _nullable(TRIGGER)})
DISBURSAL = _object({"id": TEXT, "credit_facility_id": TEXT, "amount": COUNT,
                     "status": {"enum": DISBURSAL_STATUSES}},
                    {"settlement": _nullable(_object({"tx_id": TEXT, "effective": DAY}))})
CYCLE = _object({"id": TEXT, "credit_facility_id": TEXT, "due_at": DAY,
                 "period": _object({"interval": INTERVAL, "start": INSTANT, "end": INSTANT})},
                {"posting": _nullable(_object({"tx_id": TEXT, "amount": COUNT, "effective": DAY}))})
IMPORTED = _object({"id": TEXT, "customer_id": TEXT, "amount": COUNT, "terms": TERMS, "activated_at": INSTANT,
                    "as_of": DAY, "disbursed": COUNT, "principal": COUNT, "interest": COUNT})
ENTITIES = {("Credit", "FacilityProposalCreated"): PROPOSAL, ("Credit", "FacilityProposalConcluded"): PROPOSAL,
            ("Credit", "PendingCreditFacilityCollateralizationChanged"): PENDING,
            ("Credit", "PendingCreditFacilityCompleted"): PENDING,
            **{("Credit", name): FACILITY for name in ("FacilityActivated", "FacilityCompleted",
                                                       "FacilityCollateralizationChanged", "FacilityMatured",
                                                       "PartialLiquidationInitiated")},
            ("Credit", "DisbursalSettled"): DISBURSAL, ("Credit", "DisbursalApprovalConcluded"): DISBURSAL,
            ("Credit", "AccrualPosted"): CYCLE, ("LanasimCredit", "FacilityImported"): IMPORTED}


def checked(envelopes) -> dict[tuple[str, str], int]:
    """How many payloads of each (module, type) of the Credit modules were seen; every one of them
    must validate (the first violation of each fails the test, with its payload)."""
    seen: dict[tuple[str, str], int] = {}
    for envelope in envelopes:
        payload = envelope["payload"]
        if payload["module"] not in ("Credit", "LanasimCredit"):
            continue
        key = (payload["module"], payload["type"])
        assert key in ENTITIES, f"{key} is no Credit event Lana (or lanasim's extension) knows"
        schema = _object({"module": {"const": key[0]}, "type": {"const": key[1]}, "entity": ENTITIES[key]})
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft202012Validator(schema)
                  .iter_errors(payload)]
        assert errors == [], f"{key}: {errors[:5]} in {json.dumps(payload)[:400]}"
        seen[key] = seen.get(key, 0) + 1
    return seen


def outbox_of(path, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["outbox", str(path)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_facility_paid_off_at_maturity_publishes_every_credit_payload_in_lanas_shape(tmp_path, capsys):
    assert main(["run", "timely-payments", "--seed", "1", "--out", str(tmp_path / "run")]) == 0
    envelopes = outbox_of(tmp_path / "run", capsys)
    seen = checked(envelopes)
    assert set(seen) == {("Credit", name) for name in (
        "FacilityProposalCreated", "FacilityProposalConcluded", "PendingCreditFacilityCollateralizationChanged",
        "PendingCreditFacilityCompleted", "FacilityActivated", "DisbursalApprovalConcluded", "DisbursalSettled",
        "AccrualPosted", "FacilityMatured", "FacilityCollateralizationChanged", "FacilityCompleted")}
    entities = {e["payload"]["type"]: e["payload"]["entity"] for e in envelopes if e["payload"]["module"] == "Credit"}
    assert entities["FacilityProposalConcluded"]["status"] == "Approved"
    assert entities["FacilityCompleted"]["collateralization"]["state"] == "NoExposure"
    assert entities["DisbursalSettled"]["status"] == "Confirmed"
    assert entities["FacilityProposalCreated"]["terms"] == {
        "annual_rate": "12", "duration": {"type": "months", "value": 3}, "initial_cvl": {"Finite": "140"},
        "margin_call_cvl": {"Finite": "125"}, "liquidation_cvl": {"Finite": "105"}, "one_time_fee_rate": "0.01",
        "accrual_interval": {"type": "end_of_day"}, "accrual_cycle_interval": {"type": "end_of_month"},
        "interest_due_duration_from_accrual": {"type": "days", "value": 0},
        "obligation_overdue_duration_from_due": {"type": "days", "value": 50},
        "obligation_liquidation_duration_from_due": None, "obligation_defaulted_duration_from_due": None,
        "disbursal_policy": "SingleDisbursal"}


def test_an_accrual_posting_names_its_interval_and_ends_a_cut_cycle_at_the_first_instant_of_maturity(tmp_path,
                                                                                                   capsys):
    assert main(["run", "timely-payments", "--seed", "1", "--out", str(tmp_path / "run")]) == 0
    periods = [(e["payload"]["entity"]["period"], e["payload"]["entity"]["due_at"])
               for e in outbox_of(tmp_path / "run", capsys) if e["payload"].get("type") == "AccrualPosted"]
    month = {"type": "end_of_month"}
    assert periods == [
        ({"interval": month, "start": "2024-01-01T00:00:00Z", "end": "2024-01-31T23:59:59Z"}, "2024-01-31"),
        ({"interval": month, "start": "2024-02-01T00:00:00Z", "end": "2024-02-29T23:59:59Z"}, "2024-02-29"),
        ({"interval": month, "start": "2024-03-01T00:00:00Z", "end": "2024-03-31T23:59:59Z"}, "2024-03-31"),
        ({"interval": month, "start": "2024-04-01T00:00:00Z", "end": "2024-04-01T00:00:00Z"}, "2024-04-01")]


def test_a_crash_and_a_multiple_disbursal_facility_publish_lanas_states_triggers_and_disbursals():
    with Simulation(seed=11, start="2024-01-01") as sim:
        sim.price.set(7_000_000)
        customer = sim.customer.create_customer("ada@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 50_000_00)
        terms = std_terms(duration=12, disbursal_policy=DisbursalPolicy.MULTIPLE,
                          obligation_liquidation_duration_from_due=60, obligation_defaulted_duration_from_due=90)
        facility = sim.credit.create_proposal(customer, 100_000_00, terms)
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 230_000_000)
        sim.advance(days=1)
        sim.credit.initiate_disbursal(facility, 50_000_00)
        sim.advance(days=31)
        sim.price.set(2_000_000)
        sim.credit.update_collateral(facility, 230_000_000 - 1)  # the operator's update re-evaluates it
        envelopes = sim.outbox.tail()
    seen = checked(envelopes)
    assert seen[("Credit", "PartialLiquidationInitiated")] == 1 and seen[("Credit", "DisbursalSettled")] == 2
    states = [e["payload"]["entity"]["collateralization"]["state"] for e in envelopes
              if e["payload"].get("type") == "FacilityCollateralizationChanged"]
    assert states[-1] == "UnderLiquidationThreshold"
    (proposal,) = [e["payload"]["entity"] for e in envelopes if e["payload"].get("type") == "FacilityProposalCreated"]
    assert (proposal["status"], proposal["terms"]["disbursal_policy"]) == ("PendingCustomerApproval",
                                                                         "MultipleDisbursal")
    assert proposal["terms"]["obligation_liquidation_duration_from_due"] == {"type": "days", "value": 60}
    assert terms_from_payload(proposal["terms"]) == terms


def test_an_imported_book_publishes_its_terms_in_lanas_shape_and_is_rebuilt_from_them(tmp_path, capsys):
    code, journal = imported(tmp_path, CALLED_ROWS)
    assert code == 0
    envelopes = outbox_of(journal, capsys)
    seen = checked(envelopes)
    assert seen[("LanasimCredit", "FacilityImported")] == 3 and seen[("Credit", "PartialLiquidationInitiated")] == 1
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in envelopes))
    again = tmp_path / "again.sqlite"
    assert main(["import", "--from-outbox", str(tmp_path / "events.jsonl"), "--journal", str(again)]) == 0
    assert main(["export", str(journal), "--out", str(tmp_path / "a.csv")]) == 0
    assert main(["export", str(again), "--out", str(tmp_path / "b.csv")]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_an_outbox_whose_terms_are_not_in_lanas_shape_is_refused_naming_the_facility_and_field(tmp_path, capsys):
    code, journal = imported(tmp_path, CALLED_ROWS[:1])
    assert code == 0
    lines = []
    for envelope in outbox_of(journal, capsys):
        if envelope["event_type"] == "lanasim.credit.facility-imported":
            envelope["payload"]["entity"]["terms"]["duration"] = 12  # a bare number of months: not Lana's shape
        lines.append(json.dumps(envelope) + "\n")
    (tmp_path / "events.jsonl").write_text("".join(lines))
    again = tmp_path / "again.sqlite"
    assert main(["import", "--from-outbox", str(tmp_path / "events.jsonl"), "--journal", str(again)]) == 2
    err = capsys.readouterr().err
    assert "fac-full: unknown terms: InvalidTerms(field='duration'" in err and err.count("\n") == 1
    assert not again.exists()


@pytest.mark.parametrize("enum, lanas", [(ProposalStatus, PROPOSAL_STATUSES), (CollateralizationState, FACILITY_STATES),
                                         (PendingCollateralizationState, PENDING_STATES),
                                         (DisbursalStatus, DISBURSAL_STATUSES), (DisbursalPolicy, POLICIES)])
def test_every_status_state_and_policy_lanasim_has_is_spelled_as_a_variant_lana_has(enum, lanas):
    assert {pascal(member) for member in enum} <= set(lanas)


@pytest.mark.parametrize("field, value", [("duration", 3), ("initial_cvl", "140"), ("initial_cvl", "Infinite"),
                                          ("accrual_interval", "end_of_day"), ("disbursal_policy", "Single"),
                                          ("annual_rate", 12.5), ("interest_due_duration_from_accrual", 0)])
def test_terms_of_another_shape_are_refused_naming_the_field(field, value):
    payload = terms_payload(std_terms(annual_rate=Decimal("9.5")))
    with pytest.raises(InvalidTerms) as refused:
        terms_from_payload({**payload, field: value})
    assert refused.value.field == field


@pytest.mark.parametrize("terms", [None, "12 % for 3 months", [1, 2]])
def test_terms_that_are_no_object_are_refused_as_terms(terms):
    with pytest.raises(InvalidTerms) as refused:
        terms_from_payload(terms)
    assert refused.value.field == "terms"


def test_terms_without_lanasims_own_defaulted_duration_read_as_never_defaulted():
    payload = terms_payload(std_terms(obligation_defaulted_duration_from_due=90))
    del payload["obligation_defaulted_duration_from_due"]  # Lana's TermValues has no such field
    assert terms_from_payload(payload) == std_terms()

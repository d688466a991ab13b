"""The CreditCollection and CreditCollateral payloads have Lana's public shapes: every payload a real
run publishes (obligations that fall due, go overdue and default, payments and their allocations,
collateral added and sent to a liquidation, its proceeds) validates against the shapes Lana's serde
writes, restated here: enum values as variant names, `recorded_at` instants, required fields."""

from __future__ import annotations

from collections import Counter

import jsonschema
import pytest

from domains.credit import std_terms
from engine import Simulation

BTC, PRICE, CRASH, AMOUNT = 100_000_000, 7_000_000, 4_500_000, 100_000_00
INSTANT = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}  # a UTC date-time
DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
ID = {"type": "string"}
CENTS = SATS = {"type": "integer", "minimum": 0}


def record(required: dict[str, dict], **optional: dict) -> dict:
    return {"type": "object", "required": sorted(required), "properties": {**required, **optional}}


OBLIGATION = record(
    {"id": ID, "obligation_type": {"enum": ["Disbursal", "Interest"]}, "beneficiary_id": ID, "initial_amount": CENTS,
     "outstanding_amount": CENTS, "due_at": DAY, "recorded_at": INSTANT, "effective": DAY},
    overdue_at={"anyOf": [DAY, {"type": "null"}]}, defaulted_at={"anyOf": [DAY, {"type": "null"}]})
PAYMENT = record({"id": ID, "beneficiary_id": ID, "amount": CENTS, "recorded_at": INSTANT, "effective": DAY})
ALLOCATION = record({"id": ID, "obligation_id": ID, "obligation_type": {"enum": ["Disbursal", "Interest"]},
                     "beneficiary_id": ID, "amount": CENTS, "recorded_at": INSTANT, "effective": DAY})
ADJUSTMENT = record({"tx_id": ID, "abs_diff": SATS, "direction": {"enum": ["Add", "Remove"]}})
COLLATERAL = record({"id": ID, "secured_loan_id": ID, "amount": SATS},
                    adjustment={"anyOf": [ADJUSTMENT, {"type": "null"}]})


def entity(shape: dict) -> dict:
    return record({"entity": shape})


SHAPES = {
    ("CreditCollection", "ObligationCreated"): entity(OBLIGATION),
    ("CreditCollection", "ObligationDue"): entity(OBLIGATION),
    ("CreditCollection", "ObligationOverdue"): entity(OBLIGATION),
    ("CreditCollection", "ObligationDefaulted"): entity(OBLIGATION),
    ("CreditCollection", "ObligationCompleted"): entity(OBLIGATION),
    ("CreditCollection", "PaymentCreated"): entity(PAYMENT),
    ("CreditCollection", "PaymentAllocationCreated"): entity(ALLOCATION),
    ("CreditCollateral", "CollateralUpdated"): entity(COLLATERAL),
    ("CreditCollateral", "LiquidationCollateralSentOut"): record(
        {"liquidation_id": ID, "secured_loan_id": ID, "amount": SATS, "ledger_tx_id": ID, "recorded_at": INSTANT,
         "effective": DAY}),
    ("CreditCollateral", "LiquidationProceedsReceived"): record(
        {"liquidation_id": ID, "secured_loan_id": ID, "amount": CENTS,
         "payment_id": {"anyOf": [ID, {"type": "null"}]},  # null: nothing was payable, no payment (lanasim)
         "ledger_tx_id": {"anyOf": [ID, {"type": "null"}]},  # null: the proceeds posted nothing (lanasim)
         "recorded_at": INSTANT, "effective": DAY}),
    ("CreditCollateral", "LiquidationCompleted"): record({"liquidation_id": ID, "secured_loan_id": ID}),
}


def a_facility(sim: Simulation, email: str, **terms: object) -> str:
    """$100k on 2.3 BTC at $70k (CVL 161 %), activated on its collateral."""
    customer = sim.customer.create_customer(email)
    sim.deposit.record_deposit(sim.deposit.create_account(customer), 50_000_00)
    facility = sim.credit.create_proposal(customer, AMOUNT, std_terms(**terms))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, 230_000_000)
    return facility


@pytest.fixture(scope="module")
def published():
    """January's interest of one facility goes unpaid past overdue (5 days) and defaulted (10 days),
    then is paid; another facility's collateral is sent to a liquidation after a crash and its
    proceeds come in. Returns every envelope of the two modules."""
    with Simulation(seed=5, start="2024-01-01") as sim:
        sim.price.set(PRICE)
        late = a_facility(sim, "late@bank.test", obligation_overdue_duration_from_due=5,
                          obligation_defaulted_duration_from_due=10)
        crashed = a_facility(sim, "crash@bank.test", duration=12)
        sim.advance(days=43)
        sim.credit.record_payment(late, 5_000_00)
        sim.price.set(CRASH)
        sim.credit.update_collateral(crashed, sim.credit.facility(crashed).collateral_sats - 1)
        sim.advance(hours=3)
        sim.credit.send_collateral_to_liquidation(crashed, BTC)
        sim.advance(hours=2)
        sim.credit.record_liquidation_proceeds(crashed, 40_000_00)
        return [e for e in sim.outbox.tail() if e["payload"]["module"] in ("CreditCollection", "CreditCollateral")]


def test_every_payload_of_the_two_modules_has_lanas_shape(published):
    seen = Counter()
    for envelope in published:
        payload = envelope["payload"]
        key = (payload["module"], payload["type"])
        jsonschema.validate(payload, SHAPES[key])
        seen[key] += 1
    assert set(seen) == set(SHAPES), f"variants the run did not publish: {set(SHAPES) - set(seen)}"


def test_obligation_and_allocation_types_and_collateral_directions_are_lanas_variant_names(published):
    entities = [e["payload"].get("entity", {}) for e in published]
    assert {x["obligation_type"] for x in entities if "obligation_type" in x} == {"Disbursal", "Interest"}
    assert {x["adjustment"]["direction"] for x in entities if x.get("adjustment")} == {"Add", "Remove"}


def test_an_obligations_recorded_at_is_the_instant_it_was_created_in_every_event(published):
    created = {e["payload"]["entity"]["id"]: e["recorded_at"] for e in published
               if e["payload"]["type"] == "ObligationCreated"}
    later = [e for e in published if e["payload"]["type"] in ("ObligationOverdue", "ObligationDefaulted")]
    assert later and all(e["payload"]["entity"]["recorded_at"] == created[e["payload"]["entity"]["id"]] <
                         e["recorded_at"] for e in later)
    assert all(e["payload"]["entity"]["recorded_at"] == created[e["payload"]["entity"]["id"]] for e in published
               if e["payload"]["type"].startswith("Obligation"))


def test_payments_allocations_and_liquidation_steps_are_recorded_at_the_sim_instant_they_happen(published):
    steps = [e for e in published if e["payload"]["type"] in (
        "PaymentCreated", "PaymentAllocationCreated", "LiquidationCollateralSentOut", "LiquidationProceedsReceived")]
    stamped = [(e["payload"].get("entity", e["payload"])["recorded_at"], e["recorded_at"]) for e in steps]
    assert stamped and all(ours == envelopes for ours, envelopes in stamped)
    liquidation = [e["payload"] for e in steps if e["payload"]["type"].startswith("Liquidation")]
    assert [p["effective"] for p in liquidation] == [p["recorded_at"][:10] for p in liquidation]
    assert any(not p["recorded_at"].endswith("T00:00:00Z") for p in liquidation)  # not a midnight stand-in

"""The credit aggregates hosted by the engine: codec round trip, index columns, a balanced ledger,
obligation alarms and the collateral release policy, over a short facility life."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domains.credit import AGGREGATES, POLICIES, std_terms
from domains.credit.collateral import CreateCollateral, UpdateCollateral
from domains.credit.collection import AllocatePayment, CreateObligation, RecordAllocation, RecordPayment
from domains.credit.facility import (
    AccrueInterest,
    ActivateFacility,
    CompleteFacility,
    CompletePendingFacility,
    ConcludeApprovalProcess,
    ConcludeCustomerApproval,
    CreatePendingFacility,
    CreateProposal,
    InitiateDisbursal,
    UpdatePendingCollateralization,
    start_cycle,
)
from engine import Simulation
from engine.kernel.codec import dumps, loads

AMOUNT, PRICE, SATS = 100_000_000, 5_000_000_000, 300_000_000
TERMS = std_terms(one_time_fee_rate=Decimal(0))


@pytest.fixture
def sim():
    with Simulation(seed=3, start="2024-01-01", aggregates=list(AGGREGATES), policies=list(POLICIES)) as simulation:
        yield simulation


def originate(sim) -> None:
    sim.execute("credit-facility-proposal", "f-1", CreateProposal("f-1", "c-1", "individual", "d-1", AMOUNT, TERMS))
    sim.execute("credit-facility-proposal", "f-1", ConcludeCustomerApproval(True))
    sim.execute("credit-facility-proposal", "f-1", ConcludeApprovalProcess(True))
    sim.execute("pending-credit-facility", "f-1",
                CreatePendingFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT, TERMS))
    sim.execute("collateral", "col-1", CreateCollateral("col-1", "f-1"))
    sim.execute("collateral", "col-1", UpdateCollateral(SATS, date(2024, 1, 1)))
    sim.execute("pending-credit-facility", "f-1", UpdatePendingCollateralization(SATS, PRICE))
    sim.execute("pending-credit-facility", "f-1", CompletePendingFacility(SATS, PRICE))


def activate(sim) -> None:
    sim.execute("credit-facility", "f-1", ActivateFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", AMOUNT,
                                                           TERMS, SATS, PRICE, sim.now, None, "disb-1"))
    f = sim.state("credit-facility", "f-1")
    first = start_cycle("f-1", f.cycle, f.maturity_date, f.terms)
    sim.execute(first.kind, first.id, first.command)
    sim.execute("disbursal", "disb-1", InitiateDisbursal("disb-1", "f-1", AMOUNT, "d-1", date(2024, 4, 1),
                                                         date(2024, 5, 21), pre_approved=True, obligation_id="ob-p"))
    sim.execute("obligation", "ob-p", CreateObligation("ob-p", "f-1", "disbursal", AMOUNT, "disb-1", date(2024, 4, 1),
                                                       date(2024, 5, 21), None, None, date(2024, 1, 1)))


def test_a_facility_life_keeps_the_ledger_balanced_and_replays_to_the_live_state(sim):
    originate(sim)
    activate(sim)
    for day in (1, 2, 3):
        sim.execute("interest-accrual-cycle", "f-1-cycle-1", AccrueInterest(date(2024, 1, day), AMOUNT))
    assert sim.ledger.is_balanced()
    assert sim.ledger.balance("deposit:d-1") == AMOUNT
    assert sim.ledger.balance("interest-receivable-not-yet-due:f-1", layer="pending") == 3 * 32_877
    for kind, entity in (("credit-facility", "f-1"), ("pending-credit-facility", "f-1"), ("obligation", "ob-p"),
                         ("interest-accrual-cycle", "f-1-cycle-1")):
        assert sim.load(kind, entity, use_snapshot=False) == sim.state(kind, entity)
    assert sim.index("credit-facility").find_by("customer_id", "c-1") == "f-1"


def test_an_obligation_alarm_ages_it_on_its_dates(sim):
    originate(sim)
    activate(sim)
    sim.advance(days=95)
    assert sim.state("obligation", "ob-p").status.value == "due"
    assert sim.ledger.balance("disbursed-receivable-due:f-1") == AMOUNT
    assert sim.ledger.is_balanced()


def test_paying_off_and_completing_releases_the_collateral_through_the_policy(sim):
    originate(sim)
    activate(sim)
    sim.execute("payment", "pay-1", RecordPayment("pay-1", "f-1", AMOUNT, "deposit:d-1", date(2024, 1, 1)))
    sim.execute("payment-allocation", "al-1", RecordAllocation("al-1", "pay-1", "ob-p", "disbursal", "f-1", AMOUNT,
                                                               "not-yet-due", 1, date(2024, 1, 1)))
    sim.execute("obligation", "ob-p", AllocatePayment("pay-1", "al-1", AMOUNT, date(2024, 1, 1)))
    sim.execute("credit-facility", "f-1", CompleteFacility(0))
    assert sim.state("collateral", "col-1").closed
    assert sim.ledger.balance("collateral:col-1", currency="BTC") == 0
    assert sim.ledger.is_balanced()


def test_every_credit_state_survives_a_snapshot_round_trip(sim):
    originate(sim)
    activate(sim)
    sim.execute("interest-accrual-cycle", "f-1-cycle-1", AccrueInterest(date(2024, 1, 1), AMOUNT))
    codec = sim.journal.codec
    for kind, entity in (("credit-facility", "f-1"), ("pending-credit-facility", "f-1"), ("disbursal", "disb-1"),
                         ("collateral", "col-1"), ("credit-facility-proposal", "f-1"), ("obligation", "ob-p"),
                         ("interest-accrual-cycle", "f-1-cycle-1")):
        live = sim.state(kind, entity)
        assert codec.decoder(type(live))(loads(dumps(live))) == live

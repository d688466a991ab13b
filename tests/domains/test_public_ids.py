"""Public ids (Lana `core/public-id`): given entities created in some order -> then one sequence from
1000 numbers customers, facilities (at activation) and disbursals, shown in the facility read model
and the public-id register report."""

from __future__ import annotations

import csv

import pytest

from domains.credit import DisbursalPolicy, std_terms
from domains.public_ids import FIRST_PUBLIC_ID, assign
from engine import Simulation
from engine.kernel.errors import UnknownEntity

BTC = 100_000_000


def test_given_entities_in_creation_order_they_are_numbered_from_1000_in_that_order():
    created = [(7, "disbursal", "d1"), (2, "customer", "c1"), (5, "credit-facility", "f1")]
    assert assign(created) == {("customer", "c1"): 1000, ("credit-facility", "f1"): 1001, ("disbursal", "d1"): 1002}


def test_given_nothing_created_nothing_is_numbered_and_the_sequence_starts_at_1000():
    assert assign([]) == {} and FIRST_PUBLIC_ID == 1000


def open_facility(sim, email: str) -> tuple[str, str]:
    customer = sim.customer.create_customer(email)
    sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_00)
    facility = sim.credit.create_proposal(customer, 100_000_00, std_terms(disbursal_policy=DisbursalPolicy.MULTIPLE))
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, 10 * BTC)
    return customer, facility


def test_scenario_customers_facilities_and_disbursals_share_one_sequence_that_survives_reopening(tmp_path):
    path = str(tmp_path / "j.db")
    with Simulation(seed=2, journal=path) as sim:
        sim.price.set(7_000_000)
        ann, ann_facility = open_facility(sim, "ann@bank.test")
        bob = sim.customer.create_customer("bob@bank.test")
        disbursal = sim.credit.initiate_disbursal(ann_facility, 10_000_00)
        ids = sim.public_ids
        assert ids.of("customer", ann) == 1000
        assert ids.of("credit-facility", ann_facility) > 1000  # numbered at activation, after ann
        assert ids.of("customer", bob) > ids.of("credit-facility", ann_facility)
        assert ids.of("disbursal", disbursal) == max(n for n, _, _ in ids.register())
        assert sorted(n for n, _, _ in ids.register()) == list(range(1000, 1000 + len(ids.register())))
        assert sim.credit.facility(ann_facility).public_id == ids.of("credit-facility", ann_facility)
        assert ids.find(1000) == ("customer", ann)
        with pytest.raises(UnknownEntity):
            ids.of("customer", "nobody")
        report = sim.report.run("public-id-register").paths[0]
        with open(report, newline="") as file:
            listed = [(int(r["public_id"]), r["target_type"], r["target_id"]) for r in csv.DictReader(file)]
        assert listed[0] == (1000, "customer", ann) and (ids.of("customer", bob), "customer", bob) in listed
        before = ids.register()
    with Simulation(journal=path) as reopened:
        assert reopened.public_ids.register() == before

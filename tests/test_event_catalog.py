"""Every public event of the catalog (Lana: the public event enums (core/*/src/public/event.rs) and Lana's 33-event
list) is published, with
its envelope name and Lana's payload tags, by a tour through every module of the bank."""

from __future__ import annotations

from datetime import date

import jsonschema
import pytest

from domains.credit import std_terms
from engine import Simulation
from engine.bank.catalog import EVENT_TYPES
from engine.bank.importer import Position, import_positions
from tests.test_outbox import SCHEMA

BTC = 100_000_000


def onboarding(sim) -> tuple[str, str]:
    """Staff, prospects through every KYC outcome, customers of two types through every status; returns
    the converted customer and its deposit account (the officer is `sim.officer`)."""
    sim.access.seed()
    sim.officer = sim.access.create_user("officer@bank.test", "bank-manager")
    prospect = sim.customer.create_prospect("pat@bank.test")
    sim.customer.start_kyc(prospect, "app-1")
    sim.customer.kyc_pending(prospect)
    sim.customer.approve_kyc(prospect, "app-1", "basic")
    sim.customer.approve_kyc(prospect, "app-1", "advanced")  # a later review raises the KYC level
    sim.customer.close_prospect(sim.customer.create_prospect("quitter@bank.test"))
    declined = sim.customer.create_prospect("no@bank.test")
    sim.customer.start_kyc(declined, "app-2")
    sim.customer.decline_kyc(declined, "app-2")
    sim.customer.update_email(sim.customer.customer(prospect).party_id, "pat@new.test")
    sim.customer.freeze_customer(prospect)
    sim.customer.unfreeze_customer(prospect)
    sim.customer.close_customer(sim.customer.create_customer("gone@bank.test", "private_company"))
    return prospect, sim.deposit.create_account(prospect)


def banking(sim, account: str) -> None:
    deposit = sim.deposit.record_deposit(account, 2_000_000_00)
    sim.deposit.revert_deposit(sim.deposit.record_deposit(account, 1_00))
    sim.deposit.confirm_withdrawal(sim.deposit.initiate_withdrawal(account, 10_00))
    sim.custody.update_balance(sim.custody.create_wallet(sim.custody.create_custodian("sim", "simulated")), 5 * BTC)
    sim.report.run("trial-balance", out_dir=str(sim.out_dir))
    sim.ledger.export_csv(f"deposit:{account}", out_dir=str(sim.out_dir))
    assert deposit


def credit(sim, customer: str) -> None:
    terms = std_terms(duration=1, obligation_overdue_duration_from_due=5, obligation_defaulted_duration_from_due=10)
    facility = sim.credit.create_proposal(customer, 1_000_000_00, terms)
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, 20 * BTC)
    sim.price.set(5_200_000)  # CVL ~104 %: liquidation
    sim.credit.send_collateral_to_liquidation(facility, BTC)
    sim.credit.record_liquidation_proceeds(facility, 50_000_00)
    sim.advance(days=45)  # posting, due, overdue, defaulted, matured
    owed = sim.credit.facility(facility).books
    sim.credit.record_payment(facility, owed.outstanding + owed.defaulted)
    sim.credit.complete_facility(facility)


def imported(sim) -> None:
    """A facility from a book: lanasim's extension envelope `lanasim.credit.facility-imported`."""
    position = Position("book-1", "booked@bank.test", 20_000_00, 20_000_00, 8_000_00, 0, BTC, std_terms(),
                        date(2023, 12, 1))
    import_positions(sim, [position], 7_000_000)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    with Simulation(seed=5, start="2024-01-01") as sim:
        sim.out_dir = tmp_path_factory.mktemp("reports")
        sim.price.set(7_000_000)
        customer, account = onboarding(sim)
        banking(sim, account)
        credit(sim, customer)
        imported(sim)
        yield sim.outbox.tail()


def test_every_catalog_event_is_published(published):
    missing = EVENT_TYPES - {e["event_type"] for e in published}
    assert missing == set()


def test_every_envelope_matches_the_schema_and_carries_lanas_tags(published):
    for envelope in published:
        jsonschema.validate(envelope, SCHEMA)
        assert envelope["event_type"].endswith(_kebab(_variant(envelope["payload"])))


def test_price_and_report_payloads_are_untagged_as_lanas_and_every_other_module_tags_its_variant(published):
    untagged = {e["payload"]["module"] for e in published if "type" not in e["payload"]}
    assert untagged == {"Price", "Report"}


def _variant(payload: dict) -> str:
    """The variant name: under `type` (tagged), else the one key beside `module` (untagged)."""
    if "type" in payload:
        return payload["type"]
    (name,) = set(payload) - {"module"}
    return name


def _kebab(name: str) -> str:
    from domains.aggregate import kebab

    return kebab(name)

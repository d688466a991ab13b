"""The scenario authors' test kit: `sim` fixture and outbox expectations with helpful failures."""

from __future__ import annotations

import pytest

from engine.kernel.errors import UnknownEventType
from engine.testkit import ExpectationFailed, expect


def test_to_have_finds_an_event_anywhere_by_nested_fields(sim):
    customer = sim.customer.create_customer("ada@bank.test")
    sim.customer.freeze_customer(customer)
    found = expect(sim.outbox).to_have("core.customer.customer-frozen", entity__id=customer, entity__status="frozen")
    assert found["payload"]["entity"]["id"] == customer


def test_in_order_checks_a_subsequence(sim):
    customer = sim.customer.create_customer("ada@bank.test")
    sim.customer.freeze_customer(customer)
    sim.customer.unfreeze_customer(customer)
    expect(sim.outbox).in_order(("core.customer.customer-created", {"entity__id": customer}),
                                ("core.customer.customer-frozen", {}),
                                ("core.customer.customer-unfrozen", {}))
    with pytest.raises(ExpectationFailed, match=r"step 2: no core\.customer\.customer-created") as err:
        expect(sim.outbox).in_order(("core.customer.customer-frozen", {}), ("core.customer.customer-created", {}))
    assert "(step 1's); 1 published before it:" in str(err.value) and "types seen: none" not in str(err.value)


def test_a_failed_expectation_shows_the_nearest_published_events(sim):
    sim.customer.create_customer("ada@bank.test")
    with pytest.raises(ExpectationFailed) as err:
        expect(sim.outbox).to_have("core.customer.party-created", entity__email="bob@bank.test")
    message = str(err.value)
    assert "1 core.customer.party-created published; nearest:" in message and "ada@bank.test" in message


def test_never_and_count(sim):
    sim.customer.create_customer("ada@bank.test")
    expect(sim.outbox).never("core.customer.customer-frozen")
    assert expect(sim.outbox).count("core.customer.party-created") == 1
    with pytest.raises(ExpectationFailed, match=r"expected no core\.customer\.party-created"):
        expect(sim.outbox).never("core.customer.party-created")


def test_a_misspelt_event_type_is_an_error_not_a_silent_miss(sim):
    with pytest.raises(UnknownEventType):
        expect(sim.outbox).to_have("core.customer.customer-froze")

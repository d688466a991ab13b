"""The scenario authors' test kit: `sim` fixture and outbox expectations with helpful failures."""

from __future__ import annotations

import pytest

from engine.kernel.errors import UnknownEventType
from engine.simulation import Simulation
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


def _activated_facility(sim) -> str:
    from domains.credit.terms import std_terms

    sim.price.set(7_000_000)
    ada = sim.customer.create_customer("ada@bank.test")
    sim.deposit.record_deposit(sim.deposit.create_account(ada), 5_000_00)
    facility = sim.credit.create_proposal(ada, 100_000_00, std_terms())
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, 2 * 100_000_000)
    return facility


def _failure(expectation) -> str:
    with pytest.raises(ExpectationFailed) as err:
        expectation()
    return str(err.value)


def test_a_value_that_differs_only_in_case_is_shown_with_its_published_spelling(sim):
    _activated_facility(sim)
    message = _failure(lambda: expect(sim.outbox).to_have("core.credit.facility-proposal-concluded",
                                                          entity__status="approved"))
    assert "entity.status = 'Approved', expected 'approved' (differs only in case" in message


def test_a_failure_names_a_missing_field_and_the_keys_published_beside_it(sim):
    _activated_facility(sim)
    message = _failure(lambda: expect(sim.outbox).to_have("core.credit.facility-activated",
                                                          entity__collateralization_state="FullyCollateralized"))
    assert "entity.collateralization_state: no such field (entity has id, customer_id," in message
    assert "collateralization)" in message
    price = _failure(lambda: expect(sim.outbox).to_have("core.price.price-updated", price=7_000_000))
    assert "price: no such field (the payload has module, PriceUpdated)" in price


def test_a_failure_on_a_facility_shows_short_lines_rather_than_whole_payloads(sim):
    _activated_facility(sim)
    message = _failure(lambda: expect(sim.outbox).to_have("core.credit.facility-proposal-created", entity__amount=1))
    assert "entity.amount = 10000000, expected 1" in message
    assert "annual_rate" not in message and len(message) < 400  # the terms (a 900-character object) are left out
    never = _failure(lambda: expect(sim.outbox).never("core.credit.facility-proposal-created"))
    assert max(map(len, never.splitlines())) < 300


def test_an_amount_given_in_dollars_is_pointed_out_as_cents(sim):
    _activated_facility(sim)
    message = _failure(lambda: expect(sim.outbox).to_have("core.credit.disbursal-settled", entity__amount=100_000))
    assert "entity.amount = 10000000, expected 100000 (the payload is in cents" in message


def test_an_event_not_yet_published_says_to_move_the_clock_rather_than_suggest_another_type(sim):
    _activated_facility(sim)
    message = _failure(lambda: expect(sim.outbox).to_have("core.credit-collection.obligation-due"))
    assert "none of that type published up to now (2024-01-01T00:00:00Z)" in message and "sim.advance" in message
    assert "did you mean" not in message
    sim.advance(days=32)
    expect(sim.outbox).to_have("core.credit-collection.obligation-due", entity__obligation_type="Interest")


def test_a_decimal_matches_the_decimal_text_lana_publishes(sim):
    from decimal import Decimal

    _activated_facility(sim)
    expect(sim.outbox).to_have("core.credit.facility-proposal-created", entity__terms__annual_rate=Decimal("12.0"))
    expect(sim.outbox).never("core.credit.facility-proposal-created", entity__terms__annual_rate=Decimal("12.5"))
    message = _failure(lambda: expect(sim.outbox).to_have("core.credit.facility-proposal-created",
                                                          entity__terms__annual_rate=12.5))
    assert "entity.terms.annual_rate = '12', expected 12.5 (published as text" in message


def test_a_misspelt_event_type_suggests_the_catalogued_one(sim):
    with pytest.raises(UnknownEventType) as err:
        expect(sim.outbox).to_have("core.credit.facility-activate")
    assert err.value.hint.startswith("did you mean core.credit.facility-activated")


@pytest.mark.sim(seed=7, start="2020-03-01")
def test_the_sim_marker_chooses_the_seed_and_start_of_the_fixture(sim):
    assert (sim.seed, sim.now.isoformat()) == (7, "2020-03-01T00:00:00+00:00")


@pytest.mark.parametrize("sim", [{"seed": 3}, {"seed": 3, "journal": ":memory:"}], indirect=True)
def test_an_indirect_parametrization_chooses_the_fixture_arguments_and_the_seed_fixes_the_digest(sim):
    _activated_facility(sim)
    sim.advance(days=3)
    with Simulation(seed=3, start="2024-01-01", journal=":memory:") as again:
        _activated_facility(again)
        again.advance(days=3)
        assert sim.seed == 3 and sim.journal.digest() == again.journal.digest()


def test_time_travel_to_an_id_that_never_existed_is_unknown_entity_not_none(sim):
    from engine.kernel.errors import UnknownEntity

    ada = sim.customer.create_customer("ada@bank.test")
    sim.advance(days=1)
    assert sim.load("customer", ada, as_of="2023-12-31") is None  # not created yet then
    assert sim.load("customer", ada, as_of="2024-01-02").status.value == "active"
    with pytest.raises(UnknownEntity) as err:
        sim.load("customer", ada[:-1], as_of="2024-01-02")
    assert (err.value.kind, err.value.id) == ("customer", ada[:-1])


def test_expect_given_the_simulation_reads_its_outbox(sim):
    customer = sim.customer.create_customer("ada@bank.test")
    assert expect(sim).to_have("core.customer.customer-created", entity__id=customer) == \
        expect(sim.outbox).to_have("core.customer.customer-created", entity__id=customer)


def test_in_order_takes_bare_event_types_as_steps_and_says_what_a_step_is(sim):
    customer = sim.customer.create_customer("ada@bank.test")
    sim.customer.freeze_customer(customer)
    hits = expect(sim.outbox).in_order("core.customer.customer-created",
                                       ("core.customer.customer-frozen", {"entity__id": customer}))
    assert [h["event_type"] for h in hits] == ["core.customer.customer-created", "core.customer.customer-frozen"]
    with pytest.raises(TypeError, match=r"an in_order step is an event type or \(event_type, \{fields\}\)"):
        expect(sim.outbox).in_order(("core.customer.customer-frozen", "frozen"))


def test_a_date_or_aware_datetime_matches_the_iso_text_lana_publishes(sim):
    from datetime import UTC, date, datetime

    _activated_facility(sim)
    sim.advance(days=32)
    expect(sim.outbox).to_have("core.credit-collection.obligation-due", entity__due_at=date(2024, 1, 31),
                               entity__recorded_at=datetime(2024, 2, 1, tzinfo=UTC))
    expect(sim.outbox).never("core.credit-collection.obligation-due", entity__due_at=date(2024, 2, 29))
    with pytest.raises(TypeError, match="naive datetime"):  # it matched nothing, so `never` held whatever happened
        expect(sim.outbox).never("core.credit-collection.obligation-due", entity__recorded_at=datetime(2024, 2, 1))


def test_never_and_count_refuse_a_field_no_published_event_has_rather_than_hold_whatever_happened(sim):
    """`never(..., entity__stauts="frozen")` passed, and `count` said 0, with the customer frozen:
    a misspelt path (or a number where text is published) matched nothing, so the test checked nothing."""
    customer = sim.customer.create_customer("ada@bank.test")
    sim.customer.freeze_customer(customer)
    with pytest.raises(ExpectationFailed, match=r"entity\.stauts: no published core\.customer\.customer-frozen has "
                                                r"this field \(entity has id, .*status"):
        expect(sim.outbox).never("core.customer.customer-frozen", entity__stauts="frozen")
    with pytest.raises(ExpectationFailed, match=r"no published core\.customer\.customer-frozen has this field"):
        expect(sim.outbox).count("core.customer.customer-frozen", id=customer)
    with pytest.raises(ExpectationFailed, match=r"entity\.status=5 can equal no published"):
        expect(sim.outbox).never("core.customer.customer-frozen", entity__status=5)
    expect(sim.outbox).never("core.customer.customer-frozen", entity__status="active")  # a real field, another value
    assert expect(sim.outbox).count("core.customer.customer-frozen", entity__status="frozen") == 1
    expect(sim.outbox).never("core.customer.customer-closed", entity__whatever=1)  # none published: nothing to check


@pytest.mark.parametrize("given", [5, [], "core.customer.customer-created"])
def test_expect_given_anything_but_the_outbox_or_simulation_says_so(given):
    """`expect(5).to_have(...)` (or a list of envelopes, or an event type in the outbox's place)
    failed with AttributeError: '...' object has no attribute 'stream'."""
    with pytest.raises(TypeError, match=r"expect takes the simulation's outbox \(expect\(sim.outbox\)\)"):
        expect(given).to_have("core.customer.customer-created")


def test_the_sim_fixture_refuses_arguments_it_would_drop_or_misread(tmp_path):
    """`@pytest.mark.sim(1)` ran the test on seed 0 (the 1 was dropped), and an indirect
    parametrization over seeds `[1, 2]` failed with TypeError: 'int' object is not iterable."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "test_user.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.sim(1)\ndef test_positional(sim):\n    assert sim.seed == 1\n\n"
        "@pytest.mark.parametrize('sim', [2], indirect=True)\ndef test_bare_seed(sim):\n    pass\n")
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_user.py"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": root})
    assert "2 errors" in done.stdout, done.stdout
    assert "@pytest.mark.sim takes keyword arguments (seed=..., start=...), not (1,)" in done.stdout
    assert "an indirect parametrization of `sim` gives dicts of Simulation arguments ({'seed': 1}), not 2" \
        in done.stdout

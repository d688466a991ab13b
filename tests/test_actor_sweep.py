"""Idle actors are released by the clock's weekly sweep: a long run keeps its working set in
memory, and which actors are live never changes what is journaled or read."""

from __future__ import annotations

from domains.credit import std_terms
from engine import Simulation
from engine.dispatch import IDLE_SWEEPS, SWEEP_SECONDS

BTC = 100_000_000
ORIGINATION = {"party", "customer", "credit-facility-proposal", "approval-process", "pending-credit-facility"}


def _book(sim: Simulation, n: int) -> list[tuple[str, str]]:
    """n customers with a deposit account and an active $10k facility; (customer, facility) each."""
    sim.price.set(7_000_000)
    opened = []
    for i in range(n):
        customer = sim.customer.create_customer(f"s{i}@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 1_000_00)
        facility = sim.credit.create_proposal(customer, 10_000_00, std_terms(duration=12))
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, BTC // 4)
        opened.append((customer, facility))
    return opened


def _kinds(sim: Simulation) -> set[str]:
    return {kind for kind, _ in sim.registry._actors}


def test_entities_idle_for_five_weeks_are_released_and_the_journal_is_the_same_as_with_all_kept():
    days = (IDLE_SWEEPS + 2) * SWEEP_SECONDS // 86_400
    with Simulation(seed=3, start="2024-01-01", journal=":memory:") as swept, \
            Simulation(seed=3, start="2024-01-01", journal=":memory:") as kept:
        kept._next_sweep = float("inf")  # never swept, as on the threaded runtime
        for sim in (swept, kept):
            _book(sim, 4)
            assert _kinds(sim) >= ORIGINATION
            sim.advance(days=days)
        assert not ORIGINATION & _kinds(swept)
        assert _kinds(kept) >= ORIGINATION
        assert len(swept.registry) < len(kept.registry)
        assert swept.journal.digest() == kept.journal.digest()


def test_a_released_entity_is_read_and_commanded_again_from_its_journal():
    with Simulation(seed=3, start="2024-01-01", journal=":memory:") as sim:
        (customer, facility), = _book(sim, 1)
        before = sim.customer.customer(customer)
        sim.advance(days=(IDLE_SWEEPS + 2) * SWEEP_SECONDS // 86_400)
        assert sim.registry.actor("customer", customer) is None
        assert sim.customer.customer(customer) == before
        sim.customer.freeze_customer(customer)
        assert sim.customer.customer(customer).status.value == "frozen"
        assert sim.credit.facility(facility).status.value == "active"


def test_an_entity_read_every_week_stays_live():
    with Simulation(seed=3, start="2024-01-01", journal=":memory:") as sim:
        (customer, _facility), = _book(sim, 1)
        for _ in range(IDLE_SWEEPS + 2):
            sim.advance(days=SWEEP_SECONDS // 86_400)
            sim.state("customer", customer)
        assert sim.registry.actor("customer", customer) is not None


def test_an_entity_waiting_on_an_alarm_stays_live_and_goes_once_it_has_none():
    with Simulation(seed=3, start="2024-01-01", journal=":memory:") as sim:
        (customer, _facility), = _book(sim, 1)
        actor = sim.registry.actor("customer", customer)
        actor.alarm = (sim.now, "a command it waits to be told")  # idle otherwise: no event, no read
        for _ in range(IDLE_SWEEPS + 2):
            sim.registry.sweep(IDLE_SWEEPS)
        assert sim.registry.actor("customer", customer) is actor
        actor.alarm = None
        released = [sim.registry.sweep(IDLE_SWEEPS) for _ in range(IDLE_SWEEPS + 1)]
        assert sim.registry.actor("customer", customer) is None and sum(released) >= 1

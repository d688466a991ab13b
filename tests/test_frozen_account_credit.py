"""A frozen deposit account is locked in the ledger, as Lana's freeze locks its ledger account: a
credit posting to it fails there and its job retries until the account is unfrozen. So a disbursal
approved while the account it credits is frozen stays unsettled, with nothing posted, and settles
at the unfreeze; an activation whose initial disbursal would credit it waits the same way."""

from __future__ import annotations

import pytest

from domains.accounting import deposit_account
from domains.credit import DisbursalPolicy, std_terms
from domains.credit.primitives import DisbursalStatus
from engine import Simulation
from tests.test_credit_bad_input import disbursal_committee_of_one

AMOUNT, PRICE, BTC = 100_000_00, 7_000_000, 100_000_000
FEE = 10_00  # 0.01 % of AMOUNT: the multi-disbursal facility's initial disbursal, then its fee
MULTIPLE = std_terms(duration=12, disbursal_policy=DisbursalPolicy.MULTIPLE)
SETTLED = "core.credit.disbursal-settled"


@pytest.fixture
def sim():
    with Simulation(seed=7, start="2024-01-01") as simulation:
        simulation.price.set(PRICE)
        yield simulation


def customer_with_account(sim) -> tuple[str, str]:
    customer = sim.customer.create_customer("frozen@bank.test")
    account = sim.deposit.create_account(customer)
    sim.deposit.record_deposit(account, 500_00)
    return customer, account


def proposal(sim, customer: str) -> str:
    facility = sim.credit.create_proposal(customer, AMOUNT, MULTIPLE)
    sim.credit.conclude_customer_approval(facility)
    return facility


def confirmations(sim, account: str) -> list[tuple[object, ...]]:
    """(template, amount, recorded_at) of the disbursals' credits to `account`."""
    return [(e[1], e[5], e[7]) for e in sim.ledger.entries(deposit_account(account))
            if e[1] in ("CONFIRM_DISBURSAL", "INITIAL_DISBURSAL")]


def settled_envelopes(sim, disbursal: str) -> list[dict]:
    return sim.outbox.tail(types=SETTLED, where={"entity.id": disbursal})


def test_a_disbursal_approved_while_its_account_is_frozen_is_not_settled_and_posts_nothing_to_it(sim):
    customer, account = customer_with_account(sim)
    facility = proposal(sim, customer)
    sim.credit.update_collateral(facility, 10 * BTC)
    sim.deposit.freeze_account(account)
    before = (sim.deposit.frozen_balance(account), confirmations(sim, account), len(sim.credit.obligations(facility)))
    disbursal = sim.credit.initiate_disbursal(facility, 20_000_00)  # auto-approved at once
    assert sim.credit.kernel.state("disbursal", disbursal).status is DisbursalStatus.NEW
    assert settled_envelopes(sim, disbursal) == []
    assert (sim.deposit.frozen_balance(account), confirmations(sim, account),
            len(sim.credit.obligations(facility))) == before
    assert sim.ledger.is_balanced()


def test_it_settles_at_the_unfreeze_crediting_the_account_then(sim):
    customer, account = customer_with_account(sim)
    facility = proposal(sim, customer)
    sim.credit.update_collateral(facility, 10 * BTC)
    sim.deposit.freeze_account(account)
    disbursal = sim.credit.initiate_disbursal(facility, 20_000_00)
    sim.advance(days=2, hours=3)
    unfrozen_at = sim.clock.iso
    sim.deposit.unfreeze_account(account)
    (envelope,) = settled_envelopes(sim, disbursal)
    assert envelope["recorded_at"] == unfrozen_at
    assert confirmations(sim, account)[-1] == ("CONFIRM_DISBURSAL", 20_000_00, unfrozen_at)
    assert sim.deposit.balance(account) == 500_00 + 20_000_00  # the fee, paid out and charged at activation
    assert sim.credit.kernel.state("disbursal", disbursal).status is DisbursalStatus.CONFIRMED
    assert [o.amount for o in sim.credit.obligations(facility)][-1] == 20_000_00


def test_a_customer_unfreeze_settles_what_waited_on_its_accounts(sim):
    customer, account = customer_with_account(sim)
    facility = proposal(sim, customer)
    sim.credit.update_collateral(facility, 10 * BTC)
    sim.customer.freeze_customer(customer)  # reaches the account
    first = sim.credit.initiate_disbursal(facility, 20_000_00)
    second = sim.credit.initiate_disbursal(facility, 5_000_00)
    sim.advance(hours=5)
    assert confirmations(sim, account) == [("INITIAL_DISBURSAL", FEE, "2024-01-01T00:00:00Z")]
    unfrozen_at = sim.clock.iso
    sim.customer.unfreeze_customer(customer)
    assert [len(settled_envelopes(sim, d)) for d in (first, second)] == [1, 1]
    assert sorted(confirmations(sim, account)[1:]) == [("CONFIRM_DISBURSAL", 5_000_00, unfrozen_at),
                                                      ("CONFIRM_DISBURSAL", 20_000_00, unfrozen_at)]
    assert sim.deposit.balance(account) == 500_00 + 25_000_00


def test_an_activation_paying_into_a_frozen_account_waits_for_the_unfreeze(sim):
    customer, account = customer_with_account(sim)
    facility = proposal(sim, customer)
    sim.deposit.freeze_account(account)
    sim.credit.update_collateral(facility, 10 * BTC)  # fully collateralized: completes
    assert sim.outbox.tail(types="core.credit.facility-activated") == []
    assert confirmations(sim, account) == []
    sim.advance(hours=6)
    unfrozen_at = sim.clock.iso
    sim.deposit.unfreeze_account(account)
    (activated,) = sim.outbox.tail(types="core.credit.facility-activated")
    assert activated["recorded_at"] == unfrozen_at
    assert confirmations(sim, account) == [("INITIAL_DISBURSAL", FEE, unfrozen_at)]
    assert sim.deposit.balance(account) == 500_00  # the fee paid out, then charged from the account
    assert sim.ledger.is_balanced()


def test_an_unfreeze_with_nothing_waiting_changes_nothing_of_the_credit_books(sim):
    customer, account = customer_with_account(sim)
    facility = proposal(sim, customer)
    sim.credit.update_collateral(facility, 10 * BTC)
    sim.credit.initiate_disbursal(facility, 20_000_00)
    sim.deposit.freeze_account(account)
    books = sim.credit.books(facility)
    sim.deposit.unfreeze_account(account)
    assert sim.credit.books(facility) == books
    assert len(sim.outbox.tail(types=SETTLED)) == 2  # the initial disbursal's and this one's


def test_a_committee_approval_while_frozen_waits_and_a_denial_is_cancelled_at_once(sim):
    member = disbursal_committee_of_one(sim)
    customer, account = customer_with_account(sim)
    facility = proposal(sim, customer)
    sim.credit.update_collateral(facility, 10 * BTC)
    approved, denied = (sim.credit.initiate_disbursal(facility, amount) for amount in (20_000_00, 5_000_00))
    sim.deposit.freeze_account(account)
    sim.governance.approve(approved, member)
    sim.governance.deny(denied, member, "no")
    state = sim.credit.kernel.state
    assert (state("disbursal", approved).status, state("disbursal", denied).status) == (
        DisbursalStatus.NEW, DisbursalStatus.DENIED)  # a cancellation posts nothing to the account
    sim.advance(hours=1)
    sim.deposit.unfreeze_account(account)
    assert state("disbursal", approved).status is DisbursalStatus.CONFIRMED
    assert [t for t, *_ in confirmations(sim, account)] == ["INITIAL_DISBURSAL", "CONFIRM_DISBURSAL"]


def test_a_disbursal_waiting_on_a_frozen_account_settles_after_the_journal_is_reopened(tmp_path):
    path = str(tmp_path / "bank.sqlite")
    with Simulation(seed=7, start="2024-01-01", journal=path) as sim:
        sim.price.set(PRICE)
        customer, account = customer_with_account(sim)
        facility = proposal(sim, customer)
        sim.credit.update_collateral(facility, 10 * BTC)
        sim.customer.freeze_customer(customer)
        disbursal = sim.credit.initiate_disbursal(facility, 20_000_00)
    with Simulation(seed=7, journal=path) as again:
        again.settle()
        assert settled_envelopes(again, disbursal) == []
        again.customer.unfreeze_customer(customer)
        assert len(settled_envelopes(again, disbursal)) == 1
        assert again.deposit.balance(account) == 500_00 + 20_000_00

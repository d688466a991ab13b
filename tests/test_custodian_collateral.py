"""Collateral backed by a custody wallet moves with the wallet's balance, not by manual input."""

from __future__ import annotations

import pytest

from domains.credit import std_terms
from domains.credit.collateral import ManualUpdateError
from engine import Simulation
from engine.testkit import expect

BTC = 100_000_000


@pytest.fixture
def bank():
    with Simulation(seed=4) as sim:
        sim.price.set(7_000_000)
        customer = sim.customer.create_customer("ada@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 100_000_00)
        custodian = sim.custody.create_custodian("bitgo-sim", provider="simulated")
        sim.facility = sim.credit.create_proposal(customer, 1_000_000_00, std_terms(), custodian_id=custodian)
        sim.credit.conclude_customer_approval(sim.facility)
        sim.wallet = sim.state("credit-facility-proposal", sim.facility).custody_wallet_id
        yield sim


def test_a_wallet_balance_update_moves_the_collateral_and_activates_the_facility(bank):
    bank.custody.update_balance(bank.wallet, 20 * BTC)
    expect(bank.outbox).to_have("core.custody.wallet-balance-updated", entity__id=bank.wallet,
                                entity__balance__amount=20 * BTC)
    expect(bank.outbox).to_have("core.credit-collateral.collateral-updated", entity__amount=20 * BTC)
    assert bank.credit.facility(bank.facility).status.value == "active"
    bank.custody.update_balance(bank.wallet, 25 * BTC)
    assert bank.credit.facility(bank.facility).collateral_sats == 25 * BTC


def test_manual_updates_are_refused_for_wallet_backed_collateral_and_change_nothing(bank):
    bank.custody.update_balance(bank.wallet, 20 * BTC)
    before = bank.journal.digest()
    with pytest.raises(ManualUpdateError):
        bank.credit.update_collateral(bank.facility, 30 * BTC)
    assert bank.journal.digest() == before

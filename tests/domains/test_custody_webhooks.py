"""Custody feed faults (Lana `core/custody` webhooks): given a wallet's balance -> when a webhook
arrives (again, late, or after a confirmation delay) -> then the balance in use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domains.credit import std_terms
from domains.custody import WALLET, UpdateWalletBalance, WalletBalanceChanged, WalletInitialized
from domains.custody.primitives import Network
from domains.custody.webhooks import (
    CUSTODY_WEBHOOK,
    Outcome,
    ReceiveWebhook,
    WebhookReceived,
    idempotency_key,
    outcome_of,
)
from engine import Simulation
from tests.domains.support import fold

BTC = 100_000_000
T0 = datetime(2024, 1, 1, 12, tzinfo=UTC)
OPENED = WalletInitialized("w1", "c1", "ext-1", "tb1q", Network("signet"), {})


def wallet_at(balance: int, at: datetime):
    return fold(WALLET, OPENED, WalletBalanceChanged(balance, at))


def test_the_idempotency_header_is_the_key_whatever_its_case():
    assert idempotency_key({"Idempotency-Key": "abc", "x-signature-sha256": "zzz"}) == "abc"


def test_without_an_idempotency_header_the_key_hashes_every_header_in_name_order():
    assert idempotency_key({"b": "2", "a": "1"}) == idempotency_key({"a": "1", "b": "2"})
    assert idempotency_key({"a": "1"}) != idempotency_key({"a": "2"})


def test_given_a_key_seen_before_when_it_arrives_again_then_the_duplicate_is_skipped():
    received = WebhookReceived("k", "w1", BTC, T0)
    assert CUSTODY_WEBHOOK.decide(None, ReceiveWebhook("k", "w1", BTC, T0), T0) == (received,)
    assert CUSTODY_WEBHOOK.decide(received, ReceiveWebhook("k", "w1", 2 * BTC, T0), T0) == ()


def test_given_a_newer_balance_when_an_older_observation_arrives_then_it_does_not_overwrite():
    wallet = wallet_at(2 * BTC, T0)
    late = UpdateWalletBalance(BTC, T0 - timedelta(minutes=1))
    assert WALLET.decide(wallet, late, T0) == ()
    assert outcome_of(wallet, BTC, T0 - timedelta(minutes=1)) is Outcome.STALE


def test_given_a_balance_when_a_newer_one_arrives_then_it_applies_and_an_equal_one_is_unchanged():
    wallet = wallet_at(2 * BTC, T0)
    later = T0 + timedelta(minutes=1)
    assert WALLET.decide(wallet, UpdateWalletBalance(3 * BTC, later), later) == (WalletBalanceChanged(3 * BTC, later),)
    assert outcome_of(wallet, 2 * BTC, later) is Outcome.UNCHANGED


# -- scenarios ------------------------------------------------------------------------------------
@pytest.fixture
def bank():
    with Simulation(seed=4) as sim:
        sim.price.set(7_000_000)
        customer = sim.customer.create_customer("ada@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 100_000_00)
        custodian = sim.custody.create_custodian("bitgo-sim", provider="simulated")
        sim.facility = sim.credit.create_proposal(customer, 1_000_000_00, std_terms(), custodian_id=custodian)
        sim.credit.conclude_customer_approval(sim.facility)
        sim.wallet = sim.state("credit-facility-proposal", sim.facility).custody_wallet_id
        yield sim


def test_scenario_a_top_up_counts_only_once_confirmed_and_its_duplicates_are_skipped(bank):
    confirmed = bank.custody.webhooks.top_up(bank.wallet, 20 * BTC, confirmation_delay_s=3600, copies=2)
    bank.advance(minutes=30)
    assert bank.custody.wallet(bank.wallet).balance is None
    assert not bank.journal.exists("credit-facility", bank.facility)  # not activated: no collateral yet
    bank.advance(minutes=31)
    assert bank.credit.facility(bank.facility).collateral_sats == 20 * BTC
    assert bank.custody.wallet(bank.wallet).balance_updated_at == confirmed
    assert [d.outcome for d in bank.custody.webhooks.deliveries] == [Outcome.APPLIED, Outcome.DUPLICATE]


def test_scenario_a_late_webhook_older_than_the_balance_in_use_does_not_overwrite_it(bank):
    bank.custody.webhooks.top_up(bank.wallet, 20 * BTC, confirmation_delay_s=600, late_by_s=3600)  # arrives late
    bank.advance(minutes=20)
    assert bank.custody.webhooks.deliver(bank.wallet, 25 * BTC) is Outcome.APPLIED  # a newer observation first
    bank.advance(hours=2)
    assert bank.custody.webhooks.deliveries[-1].outcome is Outcome.STALE
    assert bank.custody.wallet(bank.wallet).balance == 25 * BTC
    assert bank.credit.facility(bank.facility).collateral_sats == 25 * BTC

"""Custody feed faults (Lana `core/custody` webhooks): given a wallet's balance -> when a webhook
arrives (again, late, or after a confirmation delay) -> then the balance in use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

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
from engine import InvalidInstant, Simulation
from engine.kernel.errors import InvalidArgument
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


# -- an observation time that is no instant the journal holds ----------------------------------------
def test_a_webhook_observed_on_a_date_or_in_iso_text_is_read_as_its_utc_instant(bank):
    """A date was journaled as a date: the next delivery raised TypeError comparing it with a datetime."""
    assert bank.custody.webhooks.deliver(bank.wallet, 20 * BTC, date(2023, 12, 31)) is Outcome.APPLIED
    assert bank.custody.webhooks.deliver(bank.wallet, 21 * BTC, "2023-12-31T12:00:00+01:00") is Outcome.APPLIED
    assert bank.custody.wallet(bank.wallet).balance_updated_at == datetime(2023, 12, 31, 11, tzinfo=UTC)
    assert bank.credit.facility(bank.facility).collateral_sats == 21 * BTC


@pytest.mark.parametrize(("changed_at", "error", "argument"), [
    ("yesterday", InvalidInstant, None), (5, InvalidArgument, "changed_at"),
    (datetime(999, 12, 31, tzinfo=UTC), InvalidArgument, "changed_at")])
def test_a_webhook_observed_at_no_instant_the_journal_reads_back_is_refused_and_leaves_no_trace(bank, changed_at, error,
                                                                                                argument):
    """Year 999 was published as `999-12-31T00:00:00Z`, which the bank's own custodian-sync reaction
    could not read (ReactionFailed); 5 and "yesterday" raised AttributeError."""
    digest = bank.journal.digest()
    with pytest.raises(error) as refused:
        bank.custody.webhooks.deliver(bank.wallet, 20 * BTC, changed_at)
    assert refused.value.fields.get("argument") == argument
    assert bank.journal.digest() == digest and bank.custody.webhooks.deliveries == []


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"confirmation_delay_s": 10**12}, "confirmation_delay_s"), ({"late_by_s": -1}, "late_by_s"),
    ({"confirmation_delay_s": 1.5}, "confirmation_delay_s"), ({"copies": -1}, "copies")])
def test_a_top_up_whose_webhook_could_never_arrive_is_refused_before_anything_is_scheduled(bank, kwargs, argument):
    """A delay past year 9999 raised OverflowError; one past the clock's latest day (9799-12-31)
    scheduled webhooks that could never arrive."""
    with pytest.raises(InvalidArgument) as refused:
        bank.custody.webhooks.top_up(bank.wallet, 20 * BTC, **kwargs)
    assert refused.value.argument == argument
    bank.advance(days=1)
    assert bank.custody.webhooks.deliveries == []

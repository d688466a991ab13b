"""Custody module: Custodian and Wallet decisions, the public balance event and the addresses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given as hypothesis_given
from hypothesis import strategies as st

from domains.custody import (
    CUSTODIAN,
    WALLET,
    CreateCustodian,
    CreateWallet,
    CustodianInitialized,
    EmptyValue,
    InvalidConfig,
    InvalidNetwork,
    InvalidProvider,
    InvalidSats,
    ManualCustodianHasNoWallets,
    NegativeBalance,
    Network,
    Provider,
    UpdateCustodianConfig,
    UpdateWalletBalance,
    WalletBalanceChanged,
    WalletInitialized,
    address_of,
    open_wallet,
    segwit_v0_address,
)
from tests.domains.support import fold

AT = datetime(2024, 1, 1, tzinfo=UTC)
LATER = datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
CUSTODIAN_CREATED = CustodianInitialized("cust-1", "BitGo", Provider.SIMULATED)
OPENED = open_wallet("w-1", Network.SIGNET)
WALLET_CREATED = WalletInitialized("w-1", "cust-1", OPENED.external_wallet_id, OPENED.address, Network.SIGNET,
                                   OPENED.response)


state = fold  # the state `spec.apply` builds from the events


def when(spec, history, command, at=AT):
    return spec.decide(state(spec, *history), command, at)


# -- commands validate on construction --------------------------------------------------------------
def test_an_unknown_provider_and_network_are_refused_with_their_values():
    with pytest.raises(InvalidProvider) as provider:
        CreateCustodian("cust-1", "Acme", "komainu-x")
    with pytest.raises(InvalidNetwork) as network:
        CreateWallet(id="w-1", custodian_id="cust-1", provider="simulated", network="regtest")
    assert (provider.value.value, network.value.value) == ("komainu-x", "regtest")


def test_a_balance_in_fractions_of_a_satoshi_is_refused_with_its_value():
    with pytest.raises(InvalidSats) as refused:
        UpdateWalletBalance(1.5, AT)
    assert refused.value.value == 1.5


def test_a_blank_custodian_name_and_a_non_text_config_are_refused_by_field():
    with pytest.raises(EmptyValue) as empty:
        CreateCustodian("cust-1", "  ", "manual")
    with pytest.raises(InvalidConfig) as config:
        UpdateCustodianConfig({"api_key": 42})
    assert (empty.value.field, config.value.value) == ("name", {"api_key": 42})


# -- custodian ----------------------------------------------------------------------------------------
def test_a_new_custodian_records_its_name_and_provider():
    assert when(CUSTODIAN, (), CreateCustodian("cust-1", "BitGo", "simulated")) == (CUSTODIAN_CREATED,)


def test_creating_an_existing_custodian_again_changes_nothing():
    assert when(CUSTODIAN, (CUSTODIAN_CREATED,), CreateCustodian("cust-1", "Other", "manual")) == ()


def test_a_config_is_stored_with_sorted_keys_and_the_same_config_again_changes_nothing():
    command = UpdateCustodianConfig({"webhook_secret": "s", "api_key": "k"})
    (updated,) = when(CUSTODIAN, (CUSTODIAN_CREATED,), command)
    assert list(updated.config) == ["api_key", "webhook_secret"]
    assert when(CUSTODIAN, (CUSTODIAN_CREATED, updated), UpdateCustodianConfig({"api_key": "k",
                                                                               "webhook_secret": "s"})) == ()


def test_only_a_manual_custodian_holds_no_wallets():
    manual = state(CUSTODIAN, CustodianInitialized("cust-2", "Desk", Provider.MANUAL))
    assert (manual.holds_wallets, state(CUSTODIAN, CUSTODIAN_CREATED).holds_wallets) == (False, True)


# -- wallet -------------------------------------------------------------------------------------------
def test_a_simulated_custodian_opens_a_wallet_with_its_id_address_and_response():
    command = CreateWallet(id="w-1", custodian_id="cust-1", provider="simulated", network="signet")
    assert when(WALLET, (), command) == (WALLET_CREATED,)
    assert WALLET_CREATED.custodian_response == {"address": OPENED.address, "id": OPENED.external_wallet_id,
                                                 "label": "w-1", "network": "signet"}


def test_a_manual_custodian_refuses_to_open_a_wallet_naming_the_custodian():
    command = CreateWallet(id="w-1", custodian_id="cust-2", provider="manual", network="signet")
    with pytest.raises(ManualCustodianHasNoWallets) as refused:
        when(WALLET, (), command)
    assert (refused.value.custodian_id, refused.value.reason) == ("cust-2", "manual-custodian-has-no-wallets")


def test_a_reported_balance_is_recorded_with_when_it_was_observed():
    events = when(WALLET, (WALLET_CREATED,), UpdateWalletBalance(150_000, LATER))
    assert events == (WalletBalanceChanged(150_000, LATER),)
    assert (state(WALLET, WALLET_CREATED, *events).balance, state(WALLET, WALLET_CREATED).balance) == (150_000, None)


def test_the_same_balance_reported_again_changes_nothing_whatever_its_time():
    history = (WALLET_CREATED, WalletBalanceChanged(150_000, AT))
    assert when(WALLET, history, UpdateWalletBalance(150_000, LATER)) == ()


def test_a_first_balance_of_zero_is_a_change():
    assert when(WALLET, (WALLET_CREATED,), UpdateWalletBalance(0, AT)) == (WalletBalanceChanged(0, AT),)


def test_a_negative_balance_is_refused_naming_the_wallet_and_the_balance():
    with pytest.raises(NegativeBalance) as refused:
        when(WALLET, (WALLET_CREATED,), UpdateWalletBalance(-1, AT))
    assert (refused.value.wallet_id, refused.value.balance) == ("w-1", -1)


@hypothesis_given(st.lists(st.integers(min_value=0, max_value=21 * 10**14), min_size=1, max_size=8))
def test_replaying_any_balance_history_ends_on_the_last_balance_and_repeating_it_changes_nothing(balances):
    history: list = [WALLET_CREATED]
    for sats in balances:
        history += when(WALLET, history, UpdateWalletBalance(sats, AT))
    assert state(WALLET, *history).balance == balances[-1]
    assert when(WALLET, history, UpdateWalletBalance(balances[-1], LATER)) == ()


# -- public events ------------------------------------------------------------------------------------
def test_a_balance_change_publishes_wallet_balance_updated_with_the_wallet_and_balance():
    change = WalletBalanceChanged(150_000, LATER)
    (public,) = WALLET.publish(state(WALLET, WALLET_CREATED, change), change)
    assert (public.module, public.name, public.ephemeral) == ("Custody", "WalletBalanceUpdated", False)
    assert public.payload == {"entity": {"id": "w-1", "address": OPENED.address, "network": "Signet",
                                         "balance": {"amount": 150_000, "updated_at": "2024-01-02T09:30:00Z"}}}


def test_opening_a_wallet_publishes_nothing():
    assert WALLET.publish(state(WALLET, WALLET_CREATED), WALLET_CREATED) == ()


# -- addresses ----------------------------------------------------------------------------------------
def test_the_encoder_reproduces_the_bip173_p2wpkh_test_vector():
    program = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
    assert segwit_v0_address("bc", program) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


def test_addresses_are_a_function_of_the_wallet_id_with_the_network_prefix():
    assert address_of("w-1", Network.SIGNET) == address_of("w-1", Network.SIGNET) != address_of("w-2", Network.SIGNET)
    assert address_of("w-1", Network.MAINNET).startswith("bc1q")
    assert {address_of("w-1", n)[:4] for n in (Network.TESTNET3, Network.TESTNET4, Network.SIGNET)} == {"tb1q"}
    assert len(address_of("w-1", Network.MAINNET)) == 42


def test_custody_events_and_states_register_under_explicit_names():
    names = {et.name for spec in (CUSTODIAN, WALLET) for et in spec.events}
    assert names == {"custody.custodian.initialized", "custody.custodian.config-updated",
                     "custody.wallet.initialized", "custody.wallet.balance-changed"}

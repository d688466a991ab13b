"""Collateral: manual and custodian updates to absolute amounts, release at completion, postings, public events."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domains.credit import COLLATERAL, Direction
from domains.credit.collateral import (
    CollateralInitialized,
    CollateralReleased,
    CollateralUpdatedViaCustodianSync,
    CollateralUpdatedViaManualInput,
    CreateCollateral,
    ManualUpdateError,
    NegativeCollateral,
    NoCustodyWallet,
    ReleaseCollateral,
    SyncCollateralFromCustodian,
    UpdateCollateral,
    UpdateOnClosedFacility,
    post_collateral,
)
from tests.domains.support import fold

AT = datetime(2024, 2, 1, tzinfo=UTC)
DAY = date(2024, 2, 1)
MANUAL = CollateralInitialized("col-1", "f-1", None)
WALLET = CollateralInitialized("col-1", "f-1", "w-1")


def state(*events):
    return fold(COLLATERAL, *events)


def when(history, command):
    return COLLATERAL.decide(state(*history), command, AT)


def test_collateral_starts_at_zero_for_its_facility():
    assert when((), CreateCollateral("col-1", "f-1")) == (MANUAL,)
    assert state(MANUAL).amount == 0


def test_a_manual_update_records_the_new_amount_and_the_difference():
    added = CollateralUpdatedViaManualInput("col-1-update-1", 300, 300, Direction.ADD, DAY)
    assert when((MANUAL,), UpdateCollateral(300, DAY)) == (added,)
    removed = when((MANUAL, added), UpdateCollateral(100, DAY))
    assert removed == (CollateralUpdatedViaManualInput("col-1-update-2", 100, 200, Direction.REMOVE, DAY),)


def test_the_same_amount_again_changes_nothing():
    added = CollateralUpdatedViaManualInput("col-1-update-1", 300, 300, Direction.ADD, DAY)
    assert when((MANUAL, added), UpdateCollateral(300, DAY)) == ()


def test_negative_collateral_is_refused_with_the_facility_and_sats():
    with pytest.raises(NegativeCollateral) as refused:
        when((MANUAL,), UpdateCollateral(-1, DAY))
    assert (refused.value.facility_id, refused.value.sats) == ("f-1", -1)


def test_wallet_backed_collateral_refuses_manual_updates_and_accepts_custodian_syncs():
    with pytest.raises(ManualUpdateError) as refused:
        when((WALLET,), UpdateCollateral(5, DAY))
    assert refused.value.custody_wallet_id == "w-1"
    assert when((WALLET,), SyncCollateralFromCustodian(5, DAY)) == (
        CollateralUpdatedViaCustodianSync("col-1-update-1", 5, 5, Direction.ADD, DAY),)


def test_a_custodian_sync_without_a_wallet_is_refused():
    with pytest.raises(NoCustodyWallet) as refused:
        when((MANUAL,), SyncCollateralFromCustodian(5, DAY))
    assert refused.value.collateral_id == "col-1"


def test_release_returns_everything_even_from_a_wallet_and_closes_once():
    synced = CollateralUpdatedViaCustodianSync("col-1-update-1", 500, 500, Direction.ADD, DAY)
    released = CollateralReleased("col-1-update-2", 500, DAY)
    assert when((WALLET, synced), ReleaseCollateral(DAY)) == (released,)
    assert when((WALLET, synced, released), ReleaseCollateral(DAY)) == ()
    assert (state(WALLET, synced, released).amount, state(WALLET, synced, released).closed) == (0, True)


def test_a_release_with_nothing_left_closes_the_collateral_naming_no_ledger_transaction():
    """A facility completed after its collateral was liquidated to 0: the release posts nothing, so its
    event names no transaction (it named `col-1-update-3`, which no ledger held)."""
    added = CollateralUpdatedViaManualInput("col-1-update-1", 300, 300, Direction.ADD, DAY)
    emptied = CollateralUpdatedViaManualInput("col-1-update-2", 0, 300, Direction.REMOVE, DAY)
    released = CollateralReleased(None, 0, DAY)
    assert when((MANUAL, added, emptied), ReleaseCollateral(DAY)) == (released,)
    closed = state(MANUAL, added, emptied, released)
    assert closed.closed and COLLATERAL.post(closed, released) == () and COLLATERAL.publish(closed, released) == ()
    assert COLLATERAL.ledger_tx_ids(released) == ()
    assert COLLATERAL.ledger_tx_ids(CollateralReleased("col-1-update-3", 300, DAY)) == ("col-1-update-3",)


def test_updates_after_release_are_refused_as_on_a_closed_facility():
    with pytest.raises(UpdateOnClosedFacility) as refused:
        when((MANUAL, CollateralReleased("col-1-update-1", 0, DAY)), UpdateCollateral(5, DAY))
    assert refused.value.facility_id == "f-1"


def test_changes_post_btc_for_the_difference_in_the_right_direction():
    added = CollateralUpdatedViaManualInput("col-1-update-1", 300, 300, Direction.ADD, DAY)
    released = CollateralReleased("col-1-update-2", 300, DAY)
    (add,) = post_collateral(state(MANUAL, added), added)
    (remove,) = post_collateral(state(MANUAL, added, released), released)
    assert [(e.account, e.side.value, e.amount, e.currency.value) for e in add.entries] == [
        ("collateral-omnibus", "debit", 300, "BTC"), ("collateral:col-1", "credit", 300, "BTC")]
    assert (remove.template, remove.entries[0].account) == ("REMOVE_COLLATERAL", "collateral:col-1")


def test_every_change_is_public_but_an_empty_release_is_not():
    added = CollateralUpdatedViaManualInput("col-1-update-1", 300, 300, Direction.ADD, DAY)
    (public,) = COLLATERAL.publish(state(MANUAL, added), added)
    assert (public.module, public.name, public.payload) == ("CreditCollateral", "CollateralUpdated", {"entity": {
        "id": "col-1", "secured_loan_id": "f-1", "amount": 300,
        "adjustment": {"tx_id": "col-1-update-1", "abs_diff": 300, "direction": "Add"}}})
    empty = CollateralReleased("col-1-update-1", 0, DAY)
    assert COLLATERAL.publish(state(MANUAL, empty), empty) == ()
    released = CollateralReleased("col-1-update-2", 300, DAY)
    (public,) = COLLATERAL.publish(state(MANUAL, added, released), released)
    assert public.payload["entity"]["adjustment"] == {"tx_id": "col-1-update-2", "abs_diff": 300, "direction": "Remove"}

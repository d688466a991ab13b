"""Collateral of one (pending or active) facility, in sats (Lana: core/credit/collateral/src/entity.rs).

Updates carry the new absolute amount, except sends to the running liquidation (Lana:
core/credit/collateral/src/liquidation/payment.rs), which carry
the sats sent; the ledger tx id of the n-th change is `<id>-update-<n>`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.credit import commands as cmd
from domains.credit.collateral import commands as lcmd
from domains.credit.collateral import events as ev
from domains.credit.collateral import events as lev
from domains.credit.errors import (
    InsufficientCollateral,
    ManualUpdateError,
    NegativeCollateral,
    NoActiveLiquidation,
    NoCustodyWallet,
    UpdateOnClosedFacility,
    require,
)
from domains.credit.primitives import Direction

__all__ = ["COMMANDS", "Collateral", "apply", "decide"]

KIND = "collateral"
Update = ev.CollateralUpdatedViaManualInput | ev.CollateralUpdatedViaCustodianSync


@attrs.frozen
class Collateral:
    id: str
    secured_loan_id: str
    custody_wallet_id: str | None
    amount: int = 0
    changes: int = 0
    closed: bool = False
    active_liquidation_id: str | None = None


def apply(state: Collateral | None, event: ev.CollateralEvent) -> Collateral:
    match event:
        case ev.CollateralInitialized(id=id_, secured_loan_id=loan, custody_wallet_id=wallet):
            return Collateral(id_, loan, wallet)
        case (ev.CollateralUpdatedViaManualInput() | ev.CollateralUpdatedViaCustodianSync()
              | lev.CollateralUpdatedViaLiquidation()):
            c = require(state, KIND)
            return evolve(c, amount=event.collateral_amount, changes=c.changes + 1)
        case ev.CollateralReleased():
            c = require(state, KIND)
            return evolve(c, amount=0, changes=c.changes + 1, closed=True)
        case lev.LiquidationStarted(liquidation_id=liquidation_id):
            return evolve(require(state, KIND), active_liquidation_id=liquidation_id)
        case lev.LiquidationCompleted():
            return evolve(require(state, KIND), active_liquidation_id=None)
        case _:
            assert_never(event)


def decide(state: Collateral | None, command: object, at: datetime) -> tuple[ev.CollateralEvent, ...]:
    match command:
        case cmd.CreateCollateral(id=id_, secured_loan_id=loan, custody_wallet_id=wallet):
            return () if state is not None else (ev.CollateralInitialized(id_, loan, wallet),)
        case cmd.UpdateCollateral(sats=sats, effective=effective):
            return _manual(require(state, KIND), sats, effective)
        case cmd.ImportCollateral(create=create, sats=sats, effective=effective):
            return () if state is not None else _imported(create, sats, effective)
        case cmd.SyncCollateralFromCustodian(sats=sats, effective=effective):
            return _sync(require(state, KIND), sats, effective)
        case cmd.ReleaseCollateral(effective=effective):
            return _release(require(state, KIND), effective)
        case lcmd.UpdateCollateralViaLiquidation(liquidation_id=liquidation_id, sats=sats, effective=effective):
            return _via_liquidation(require(state, KIND), liquidation_id, sats, effective, at)
        case lcmd.RecordLiquidationStarted(liquidation_id=liquidation_id):
            return _liquidation_started(require(state, KIND), liquidation_id)
        case lcmd.RecordLiquidationCompleted(liquidation_id=liquidation_id):
            return _liquidation_completed(require(state, KIND), liquidation_id)
    raise TypeError(f"not a collateral command: {command!r}")


def _imported(create: cmd.CreateCollateral, sats: int, effective: date) -> tuple[ev.CollateralEvent, ...]:
    """`CreateCollateral`'s event, then `UpdateCollateral(sats)`'s on the collateral it creates."""
    initialized = ev.CollateralInitialized(create.id, create.secured_loan_id, create.custody_wallet_id)
    return (initialized, *_manual(apply(None, initialized), sats, effective))


def _manual(c: Collateral, sats: int, effective: date) -> tuple[ev.CollateralEvent, ...]:
    _ensure_updatable(c, sats)
    if c.custody_wallet_id is not None:
        raise ManualUpdateError(collateral_id=c.id, custody_wallet_id=c.custody_wallet_id)
    return _changed(c, sats, effective, ev.CollateralUpdatedViaManualInput)


def _sync(c: Collateral, sats: int, effective: date) -> tuple[ev.CollateralEvent, ...]:
    _ensure_updatable(c, sats)
    if c.custody_wallet_id is None:
        raise NoCustodyWallet(collateral_id=c.id)
    return _changed(c, sats, effective, ev.CollateralUpdatedViaCustodianSync)


def _release(c: Collateral, effective: date) -> tuple[ev.CollateralEvent, ...]:
    """Return everything at completion. FIX of Lana's bug (Lana: core/credit/src/lib.rs (a Lana bug fixed here)): Lana
    releases through
    a manual update, which fails with `ManualUpdateError` for wallet-backed collateral; here the
    release works for both. Nothing left to return posts nothing, so it names no ledger transaction."""
    if c.closed:
        return ()
    return (ev.CollateralReleased(_tx_id(c) if c.amount > 0 else None, c.amount, effective),)


def _via_liquidation(c: Collateral, liquidation_id: str, sats: int, effective: date,
                     at: datetime) -> tuple[ev.CollateralEvent, ...]:
    """Only the running liquidation, never below zero (Lana's unsigned subtraction would fail)."""
    if c.closed:
        raise UpdateOnClosedFacility(facility_id=c.secured_loan_id)
    if c.active_liquidation_id != liquidation_id:
        raise NoActiveLiquidation(collateral_id=c.id, liquidation_id=liquidation_id)
    if sats > c.amount:
        raise InsufficientCollateral(collateral_id=c.id, sats=sats, amount=c.amount)
    return (lev.CollateralUpdatedViaLiquidation(_tx_id(c), liquidation_id, c.amount - sats, sats, Direction.REMOVE,
                                               effective, at),)


def _liquidation_started(c: Collateral, liquidation_id: str) -> tuple[ev.CollateralEvent, ...]:
    """A no-op while one is running, as in Lana (the facility starts one at a time)."""
    return () if c.active_liquidation_id is not None else (lev.LiquidationStarted(liquidation_id),)


def _liquidation_completed(c: Collateral, liquidation_id: str) -> tuple[ev.CollateralEvent, ...]:
    """Ends the running liquidation; any other (already ended, or never started here) changes nothing."""
    return (lev.LiquidationCompleted(liquidation_id),) if c.active_liquidation_id == liquidation_id else ()


def _ensure_updatable(c: Collateral, sats: int) -> None:
    if sats < 0:
        raise NegativeCollateral(facility_id=c.secured_loan_id, sats=sats)
    if c.closed:
        raise UpdateOnClosedFacility(facility_id=c.secured_loan_id)


def _changed(c: Collateral, sats: int, effective: date, event: type[Update]) -> tuple[ev.CollateralEvent, ...]:
    if sats == c.amount:
        return ()
    direction = Direction.ADD if sats > c.amount else Direction.REMOVE
    return (event(_tx_id(c), sats, abs(sats - c.amount), direction, effective),)


def _tx_id(c: Collateral) -> str:
    return f"{c.id}-update-{c.changes + 1}"


COMMANDS = (cmd.CreateCollateral, cmd.ImportCollateral, cmd.UpdateCollateral, cmd.SyncCollateralFromCustodian,
            cmd.ReleaseCollateral,
            lcmd.UpdateCollateralViaLiquidation, lcmd.RecordLiquidationStarted, lcmd.RecordLiquidationCompleted)

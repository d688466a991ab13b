"""A partial liquidation of one facility's collateral (Lana: core/credit/collateral/src/liquidation/entity.rs;
core/credit/collateral/src/liquidation/payment.rs): opened when the facility
falls under its liquidation CVL, collateral sent out (repeatable), completed once by its proceeds.

Lana nests it in the collateral; here it is its own entity, kept in step with the collateral by
policies. The proceeds' ledger transaction is `<id>-proceeds` (none when nothing was sent out).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.credit.collateral import commands as cmd
from domains.credit.collateral import events as ev
from domains.credit.errors import LiquidationAlreadyCompleted, NoCollateralSentToLiquidation, require
from domains.credit.primitives import LiquidationStatus

__all__ = ["COMMANDS", "Liquidation", "apply", "decide"]

KIND = "liquidation"


@attrs.frozen
class Liquidation:
    """`sent_out`: the collateral's ledger tx ids already counted in `sent_total` (sats)."""

    id: str
    facility_id: str
    collateral_id: str
    trigger_price: int
    expected_to_receive: int
    estimated_to_liquidate: int
    sent_total: int = 0
    sent_out: tuple[str, ...] = ()
    proceeds: int = 0
    payment_id: str | None = None
    status: LiquidationStatus = LiquidationStatus.OPEN


def apply(state: Liquidation | None, event: ev.LiquidationEvent) -> Liquidation:
    match event:
        case ev.LiquidationInitialized():
            return Liquidation(event.id, event.facility_id, event.collateral_id, event.trigger_price,
                               event.initially_expected_to_receive, event.initially_estimated_to_liquidate)
        case ev.CollateralSentOut(amount=sats, ledger_tx_id=tx_id):
            liq = require(state, KIND)
            return evolve(liq, sent_total=liq.sent_total + sats, sent_out=(*liq.sent_out, tx_id))
        case ev.ProceedsReceivedAndLiquidationCompleted(amount=cents, payment_id=payment_id):
            liq = require(state, KIND)
            return evolve(liq, proceeds=cents, payment_id=payment_id, status=LiquidationStatus.COMPLETED)
        case _:
            assert_never(event)


def decide(state: Liquidation | None, command: object, at: datetime) -> tuple[ev.LiquidationEvent, ...]:
    match command:
        case cmd.StartLiquidation():
            return () if state is not None else (_initialized(command),)
        case cmd.RecordCollateralSentOut(amount_sats=sats, ledger_tx_id=tx_id, effective=day):
            return _sent_out(require(state, KIND), sats, tx_id, day)
        case cmd.RecordProceedsReceived(amount_cents=cents, payment_id=payment_id, effective=day):
            return _proceeds(require(state, KIND), cents, payment_id, day, at)
    raise TypeError(f"not a liquidation command: {command!r}")


def _initialized(c: cmd.StartLiquidation) -> ev.LiquidationInitialized:
    return ev.LiquidationInitialized(c.id, c.facility_id, c.collateral_id, c.trigger_price, c.expected_to_receive,
                                     c.estimated_to_liquidate)


def _sent_out(liq: Liquidation, sats: int, tx_id: str, day: date) -> tuple[ev.LiquidationEvent, ...]:
    """Repeatable while open; the same collateral transaction counts once."""
    _ensure_open(liq)
    if tx_id in liq.sent_out:
        return ()
    return (ev.CollateralSentOut(sats, tx_id, day),)


def _proceeds(liq: Liquidation, cents: int, payment_id: str | None, day: date,
              at: datetime) -> tuple[ev.LiquidationEvent, ...]:
    """Once; the same payment again changes nothing (proceeds naming no payment have no "same"
    again: they are refused as any second proceeds). Cents need some collateral sent out first
    (Lana accepts them before any send: money for nothing sold); zero proceeds do not, so a
    liquidation sized to sell nothing (`liquidation_amounts` gives (0, 0) for an initial CVL of
    100 % or less) can complete, as Lana's operator would complete it. Such a liquidation posts
    nothing, so its event names no ledger transaction (None): an id there would name none. The
    payment id is the command's: None when nothing of the proceeds is payable (the caller reads the
    facility's books, which this entity does not hold: `domains.credit.collateral.proceeds`)."""
    if liq.status is LiquidationStatus.COMPLETED and payment_id is not None and liq.payment_id == payment_id:
        return ()
    _ensure_open(liq)
    if liq.sent_total == 0 and cents > 0:
        raise NoCollateralSentToLiquidation(liquidation_id=liq.id)
    tx_id = proceeds_tx_id(liq.id) if liq.sent_total > 0 else None
    return (ev.ProceedsReceivedAndLiquidationCompleted(cents, payment_id, tx_id, day, at),)


def _ensure_open(liq: Liquidation) -> None:
    if liq.status is LiquidationStatus.COMPLETED:
        raise LiquidationAlreadyCompleted(liquidation_id=liq.id, payment_id=liq.payment_id)


def proceeds_tx_id(liquidation_id: str) -> str:
    return f"{liquidation_id}-proceeds"


COMMANDS = (cmd.StartLiquidation, cmd.RecordCollateralSentOut, cmd.RecordProceedsReceived)

"""Public (outbox) events of the CreditCollateral module: collateral and its liquidations,
spelled as Lana's serde writes them (adjustment `direction` "Add" / "Remove")."""

from __future__ import annotations

from datetime import date

from domains.aggregate import Public
from domains.credit.collateral import events as ev
from domains.credit.collateral import events as lev
from domains.credit.collateral.collateral import Collateral
from domains.credit.collateral.liquidation import Liquidation
from domains.credit.collection.public import recorded_at
from domains.credit.primitives import Direction
from domains.wire import pascal

__all__ = ["publish_collateral", "publish_liquidation"]

COLLATERAL_MODULE = "CreditCollateral"


def publish_collateral(c: Collateral, event: ev.CollateralEvent) -> tuple[Public, ...]:
    """`CollateralUpdated` for every change of the amount (a release of 0 sats changes nothing); a send
    to liquidation is also `LiquidationCollateralSentOut`."""
    match event:
        case ev.CollateralUpdatedViaManualInput() | ev.CollateralUpdatedViaCustodianSync():
            return (_updated(c, event.tx_id, event.abs_diff, event.direction),)
        case lev.CollateralUpdatedViaLiquidation():
            return _updated(c, event.tx_id, event.abs_diff, event.direction), _sent_out(c, event)
        case ev.CollateralReleased(tx_id=str(tx_id), abs_diff=abs_diff) if abs_diff > 0:
            return (_updated(c, tx_id, abs_diff, Direction.REMOVE),)
    return ()


def _updated(c: Collateral, tx_id: str, abs_diff: int, direction: Direction) -> Public:
    adjustment = {"tx_id": tx_id, "abs_diff": abs_diff, "direction": pascal(direction)}
    entity = {"id": c.id, "secured_loan_id": c.secured_loan_id, "amount": c.amount, "adjustment": adjustment}
    return Public(COLLATERAL_MODULE, "CollateralUpdated", {"entity": entity})


def _sent_out(c: Collateral, e: lev.CollateralUpdatedViaLiquidation) -> Public:
    """`recorded_at` is the instant of the send (Lana: the collateral event's `recorded_at`)."""
    return Public(COLLATERAL_MODULE, "LiquidationCollateralSentOut", {
        "liquidation_id": e.liquidation_id, "secured_loan_id": c.secured_loan_id, "amount": e.abs_diff,
        "ledger_tx_id": e.tx_id, "recorded_at": recorded_at(e.recorded_at, e.effective),
        "effective": _day(e.effective)})


def publish_liquidation(liq: Liquidation, event: lev.LiquidationEvent) -> tuple[Public, ...]:
    """Its proceeds: `LiquidationProceedsReceived` (`recorded_at`: the instant they came in) then
    `LiquidationCompleted` (Lana's flat payloads). `ledger_tx_id` is null where the proceeds posted
    nothing (0 cents, nothing sent out), where Lana names a transaction of zero-unit entries;
    `payment_id` is null where no payment is recorded (nothing was payable), where Lana always names
    one (`domains.credit.collateral.proceeds`)."""
    if not isinstance(event, lev.ProceedsReceivedAndLiquidationCompleted):
        return ()
    received: dict[str, object] = {
        "liquidation_id": liq.id, "collateral_id": liq.collateral_id, "secured_loan_id": liq.facility_id,
        "amount": event.amount, "payment_id": event.payment_id, "ledger_tx_id": event.ledger_tx_id,
        "recorded_at": recorded_at(event.recorded_at, event.effective), "effective": _day(event.effective)}
    completed: dict[str, object] = {"liquidation_id": liq.id, "secured_loan_id": liq.facility_id}
    return (Public(COLLATERAL_MODULE, "LiquidationProceedsReceived", received),
            Public(COLLATERAL_MODULE, "LiquidationCompleted", completed))


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()

"""Ledger postings of collateral and its partial liquidations."""

from __future__ import annotations

from domains.accounting import templates_collateral as collateral_tx
from domains.accounting.primitives import LedgerTransaction
from domains.credit.collateral import events as cev
from domains.credit.collateral import events as lev
from domains.credit.collateral.collateral import Collateral
from domains.credit.collateral.liquidation import Liquidation
from domains.credit.primitives import Direction

__all__ = ["collateral_ledger_tx_ids", "liquidation_ledger_tx_ids", "liquidation_ledger_tx_refs", "post_collateral",
           "post_liquidation"]

Postings = tuple[LedgerTransaction, ...]


def post_collateral(c: Collateral, event: cev.CollateralEvent) -> Postings:
    """ADD_COLLATERAL / REMOVE_COLLATERAL (BTC) for the absolute difference; SEND_COLLATERAL_TO_LIQUIDATION
    for sats sent to the running liquidation."""
    match event:
        case cev.CollateralUpdatedViaManualInput() | cev.CollateralUpdatedViaCustodianSync():
            template = collateral_tx.add_collateral if event.direction is Direction.ADD else \
                collateral_tx.remove_collateral
            return (template(event.tx_id, collateral_id=c.id, amount=event.abs_diff, effective=event.effective),)
        case cev.CollateralReleased(tx_id=str(tx_id), abs_diff=sats, effective=day) if sats > 0:
            return (collateral_tx.remove_collateral(tx_id, collateral_id=c.id, amount=sats, effective=day),)
        case lev.CollateralUpdatedViaLiquidation(tx_id=tx_id, abs_diff=sats, effective=day):
            return (collateral_tx.send_collateral_to_liquidation(tx_id, collateral_id=c.id, amount=sats,
                                                                 effective=day),)
    return ()


def post_liquidation(liq: Liquidation, event: lev.LiquidationEvent) -> Postings:
    """RECEIVE_PROCEEDS_FROM_LIQUIDATION once: the cents into the facility's proceeds account, every
    sat sent out from in-liquidation to liquidated. A liquidation that sent nothing out and received
    nothing (sized to sell nothing) has nothing to post (its event names no transaction; one journaled
    before lanasim left the id out still names `<id>-proceeds`)."""
    if not isinstance(event, lev.ProceedsReceivedAndLiquidationCompleted) or event.ledger_tx_id is None \
            or liq.sent_total == 0:
        return ()
    return (collateral_tx.receive_proceeds_from_liquidation(
        event.ledger_tx_id, facility_id=liq.facility_id, collateral_id=liq.collateral_id, amount=event.amount,
        sent_total=liq.sent_total, effective=event.effective),)


def collateral_ledger_tx_ids(event: cev.CollateralEvent) -> tuple[str, ...]:
    """The transaction a change of the amount posts (`verify` checks it is posted)."""
    match event:
        case cev.CollateralUpdatedViaManualInput() | cev.CollateralUpdatedViaCustodianSync() | \
                lev.CollateralUpdatedViaLiquidation():
            return (event.tx_id,)
        case cev.CollateralReleased(tx_id=str(tx_id)):
            return (tx_id,)
    return ()


def liquidation_ledger_tx_ids(event: lev.LiquidationEvent) -> tuple[str, ...]:
    """The proceeds' transaction, if the event names one (a sat sent out's is the collateral's)."""
    if isinstance(event, lev.ProceedsReceivedAndLiquidationCompleted) and event.ledger_tx_id is not None:
        return (event.ledger_tx_id,)
    return ()


def liquidation_ledger_tx_refs(event: lev.LiquidationEvent) -> tuple[str, ...]:
    """A sat sent out's transaction, which its collateral posts (`verify` checks the ledger holds it)."""
    return (event.ledger_tx_id,) if isinstance(event, lev.CollateralSentOut) else ()

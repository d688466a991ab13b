"""Stored events of partial liquidations (LANA.md §5.10) and of the collateral's part in them (§5.9)."""

from __future__ import annotations

from datetime import date

import attrs

from domains.credit.primitives import Direction

__all__ = [
    "CollateralSentOut", "CollateralUpdatedViaLiquidation", "LiquidationCompleted", "LiquidationEvent",
    "LiquidationInitialized", "LiquidationStarted", "ProceedsReceivedAndLiquidationCompleted",
]


@attrs.frozen
class LiquidationInitialized:
    """A partial liquidation of the facility's collateral was opened at the trigger price."""

    id: str
    facility_id: str
    collateral_id: str
    trigger_price: int
    initially_expected_to_receive: int
    initially_estimated_to_liquidate: int


@attrs.frozen
class CollateralSentOut:
    """Sats went to the liquidator (the collateral's ledger transaction `ledger_tx_id`)."""

    amount: int
    ledger_tx_id: str
    effective: date


@attrs.frozen
class ProceedsReceivedAndLiquidationCompleted:
    """The liquidator paid `amount` cents, to be recorded as payment `payment_id`; the liquidation closed."""

    amount: int
    payment_id: str
    ledger_tx_id: str
    effective: date


LiquidationEvent = LiquidationInitialized | CollateralSentOut | ProceedsReceivedAndLiquidationCompleted


@attrs.frozen
class CollateralUpdatedViaLiquidation:
    """Sats left the collateral for the running liquidation; `collateral_amount` is what remains."""

    tx_id: str
    liquidation_id: str
    collateral_amount: int
    abs_diff: int
    direction: Direction
    effective: date


@attrs.frozen
class LiquidationStarted:
    """A liquidation began on this collateral: only it may take sats out until it completes."""

    liquidation_id: str


@attrs.frozen
class LiquidationCompleted:
    """The collateral's running liquidation received its proceeds and ended."""

    liquidation_id: str

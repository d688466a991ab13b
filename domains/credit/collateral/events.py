"""Stored events of collateral and of its partial liquidations."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from domains.credit.primitives import Direction

__all__ = [
    "CollateralEvent", "CollateralInitialized", "CollateralReleased", "CollateralSentOut",
    "CollateralUpdatedViaCustodianSync", "CollateralUpdatedViaLiquidation", "CollateralUpdatedViaManualInput",
    "LiquidationCompleted", "LiquidationEvent", "LiquidationInitialized", "LiquidationStarted",
    "ProceedsReceivedAndLiquidationCompleted",
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
    """The liquidator paid `amount` cents, to be recorded as payment `payment_id`; the liquidation closed.
    `payment_id` is None when no payment will be recorded (nothing of the proceeds was payable: 0
    cents, or a facility owing nothing), where Lana names a payment of the whole proceeds, 0 cents
    too (`domains.credit.collateral.proceeds`); an event journaled before this rule may name one
    that was never recorded. `ledger_tx_id` is the proceeds' ledger transaction, None when they post
    nothing (0 cents and no sat sent out: no entry may hold 0). Lana always names one (`LedgerTxId`),
    its template posting zero-unit entries. `recorded_at` is the sim instant it happened (None in
    events journaled before lanasim stored it)."""

    amount: int
    payment_id: str | None
    ledger_tx_id: str | None
    effective: date
    recorded_at: datetime | None = None


LiquidationEvent = LiquidationInitialized | CollateralSentOut | ProceedsReceivedAndLiquidationCompleted


@attrs.frozen
class CollateralUpdatedViaLiquidation:
    """Sats left the collateral for the running liquidation; `collateral_amount` is what remains.
    `recorded_at` is the sim instant they left (None in events journaled before lanasim stored it)."""

    tx_id: str
    liquidation_id: str
    collateral_amount: int
    abs_diff: int
    direction: Direction
    effective: date
    recorded_at: datetime | None = None


@attrs.frozen
class LiquidationStarted:
    """A liquidation began on this collateral: only it may take sats out until it completes."""

    liquidation_id: str


@attrs.frozen
class LiquidationCompleted:
    """The collateral's running liquidation received its proceeds and ended."""

    liquidation_id: str


@attrs.frozen
class CollateralInitialized:
    """Collateral (0 sats) was opened for a facility, optionally backed by a custody wallet."""

    id: str
    secured_loan_id: str
    custody_wallet_id: str | None


@attrs.frozen
class CollateralUpdatedViaManualInput:
    """An operator set the collateral to a new absolute amount."""

    tx_id: str
    collateral_amount: int
    abs_diff: int
    direction: Direction
    effective: date


@attrs.frozen
class CollateralUpdatedViaCustodianSync:
    """The custody wallet's balance set the collateral to a new absolute amount."""

    tx_id: str
    collateral_amount: int
    abs_diff: int
    direction: Direction
    effective: date


@attrs.frozen
class CollateralReleased:
    """The facility completed: its collateral went back to the borrower and the collateral closed.
    `tx_id` is the REMOVE_COLLATERAL transaction, None when there was nothing to return (0 sats:
    nothing is posted; Lana's release, a manual update to 0, is then no change and records no id)."""

    tx_id: str | None
    abs_diff: int
    effective: date


CollateralEvent = (CollateralInitialized | CollateralUpdatedViaManualInput | CollateralUpdatedViaCustodianSync
                   | CollateralReleased | CollateralUpdatedViaLiquidation | LiquidationStarted | LiquidationCompleted)

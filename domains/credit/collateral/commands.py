"""Commands of partial liquidation (Lana: core/credit/collateral/src/liquidation/payment.rs): to the liquidation itself
and to its collateral.

Amounts sent must be positive, proceeds received not negative (`NonPositiveAmount(field, amount)` on
construction; a non-int is `WrongType`).
"""

from __future__ import annotations

from datetime import date

import attrs

from domains.credit.commands import _cents, _positive_sats

__all__ = [
    "RecordCollateralSentOut", "RecordLiquidationCompleted", "RecordLiquidationStarted", "RecordProceedsReceived",
    "StartLiquidation", "UpdateCollateralViaLiquidation",
]


@attrs.frozen
class StartLiquidation:
    """Open the liquidation a facility initiated, with its initial estimates (cents, sats)."""

    id: str
    facility_id: str
    collateral_id: str
    trigger_price: int
    expected_to_receive: int
    estimated_to_liquidate: int


@attrs.frozen
class RecordCollateralSentOut:
    """Count sats the collateral sent out in its ledger transaction `ledger_tx_id` (once per tx)."""

    amount_sats: int = attrs.field(validator=_positive_sats)
    ledger_tx_id: str
    effective: date


@attrs.frozen
class RecordProceedsReceived:
    """The liquidator paid `amount_cents`; they become payment `payment_id`, or none (None) when
    nothing of them is payable (`domains.credit.collateral.proceeds`). Zero is a sale that fetched
    nothing (dust worth under a cent after slippage, or a liquidation sized to sell nothing): Lana's
    `record_proceeds_received_and_liquidation_completed` takes any `UsdCents`, and it is the only way
    to complete a liquidation, which otherwise blocks every later one of its facility."""

    amount_cents: int = attrs.field(validator=_cents)
    payment_id: str | None
    effective: date


@attrs.frozen
class UpdateCollateralViaLiquidation:
    """Send `sats` of the collateral to the liquidator for the running liquidation."""

    liquidation_id: str
    sats: int = attrs.field(validator=_positive_sats)
    effective: date


@attrs.frozen
class RecordLiquidationStarted:
    liquidation_id: str


@attrs.frozen
class RecordLiquidationCompleted:
    liquidation_id: str

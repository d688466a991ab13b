"""Commands of partial liquidation (Lana: core/credit/collateral/src/liquidation/payment.rs): to the liquidation itself
and to its collateral.

Amounts sent or received must be positive (`NonPositiveAmount(field, amount)` on construction; a non-int
is `WrongType`).
"""

from __future__ import annotations

from datetime import date

import attrs

from domains.credit.commands import _positive, _positive_sats

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
    """The liquidator paid `amount_cents`; they become payment `payment_id`."""

    amount_cents: int = attrs.field(validator=_positive)
    payment_id: str
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

"""Collateral sub-domain (Lana `core/credit-collateral`): collateral and its custodian sync,
collateralization states with their price triggers, partial liquidations and the sizing of their
proceeds as a payment."""

from __future__ import annotations

from domains.credit.collateral.collateral import Collateral
from domains.credit.collateral.collateralization import (
    UPGRADE_BUFFER,
    CollateralizationState,
    PendingCollateralizationState,
    classify,
    classify_pending,
    next_state,
    pending_price_triggers,
    price_triggers,
)
from domains.credit.collateral.commands import (
    RecordCollateralSentOut,
    RecordLiquidationCompleted,
    RecordLiquidationStarted,
    RecordProceedsReceived,
    StartLiquidation,
    UpdateCollateralViaLiquidation,
)
from domains.credit.collateral.events import (
    CollateralEvent,
    CollateralInitialized,
    CollateralReleased,
    CollateralSentOut,
    CollateralUpdatedViaCustodianSync,
    CollateralUpdatedViaLiquidation,
    CollateralUpdatedViaManualInput,
    LiquidationCompleted,
    LiquidationEvent,
    LiquidationInitialized,
    LiquidationStarted,
    ProceedsReceivedAndLiquidationCompleted,
)
from domains.credit.collateral.liquidation import Liquidation
from domains.credit.collateral.posting import post_collateral, post_liquidation
from domains.credit.collateral.proceeds import payable, record_proceeds
from domains.credit.commands import (
    CreateCollateral,
    ReleaseCollateral,
    SyncCollateralFromCustodian,
    UpdateCollateral,
)
from domains.credit.errors import (
    InsufficientCollateral,
    LiquidationAlreadyCompleted,
    ManualUpdateError,
    NegativeCollateral,
    NoActiveLiquidation,
    NoCollateralSentToLiquidation,
    NoCustodyWallet,
    UpdateOnClosedFacility,
)

__all__ = [
    "UPGRADE_BUFFER",
    "Collateral",
    "CollateralEvent",
    "CollateralInitialized",
    "CollateralReleased",
    "CollateralSentOut",
    "CollateralUpdatedViaCustodianSync",
    "CollateralUpdatedViaLiquidation",
    "CollateralUpdatedViaManualInput",
    "CollateralizationState",
    "CreateCollateral",
    "InsufficientCollateral",
    "Liquidation",
    "LiquidationAlreadyCompleted",
    "LiquidationCompleted",
    "LiquidationEvent",
    "LiquidationInitialized",
    "LiquidationStarted",
    "ManualUpdateError",
    "NegativeCollateral",
    "NoActiveLiquidation",
    "NoCollateralSentToLiquidation",
    "NoCustodyWallet",
    "PendingCollateralizationState",
    "ProceedsReceivedAndLiquidationCompleted",
    "RecordCollateralSentOut",
    "RecordLiquidationCompleted",
    "RecordLiquidationStarted",
    "RecordProceedsReceived",
    "ReleaseCollateral",
    "StartLiquidation",
    "SyncCollateralFromCustodian",
    "UpdateCollateral",
    "UpdateCollateralViaLiquidation",
    "UpdateOnClosedFacility",
    "classify",
    "classify_pending",
    "next_state",
    "payable",
    "pending_price_triggers",
    "post_collateral",
    "post_liquidation",
    "price_triggers",
    "record_proceeds",
]

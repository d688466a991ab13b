"""Collateral sub-domain (Lana `core/credit-collateral`): collateral and its custodian sync,
collateralization states with their price triggers, partial liquidations and the sizing of their
proceeds as a payment."""

from __future__ import annotations

from domains.credit.collateral.collateralization import (
    CollateralizationState,
    PendingCollateralizationState,
    classify,
    next_state,
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
    CollateralInitialized,
    CollateralReleased,
    CollateralSentOut,
    CollateralUpdatedViaCustodianSync,
    CollateralUpdatedViaLiquidation,
    CollateralUpdatedViaManualInput,
    LiquidationCompleted,
    LiquidationInitialized,
    LiquidationStarted,
    ProceedsReceivedAndLiquidationCompleted,
)
from domains.credit.collateral.posting import post_collateral
from domains.credit.collateral.proceeds import payable, record_proceeds
from domains.credit.commands import CreateCollateral, ReleaseCollateral, SyncCollateralFromCustodian, UpdateCollateral
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
    "CollateralInitialized", "CollateralReleased", "CollateralSentOut", "CollateralUpdatedViaCustodianSync",
    "CollateralUpdatedViaLiquidation", "CollateralUpdatedViaManualInput", "CollateralizationState",
    "CreateCollateral", "InsufficientCollateral", "LiquidationAlreadyCompleted", "LiquidationCompleted",
    "LiquidationInitialized", "LiquidationStarted", "ManualUpdateError", "NegativeCollateral",
    "NoActiveLiquidation", "NoCollateralSentToLiquidation", "NoCustodyWallet", "PendingCollateralizationState",
    "ProceedsReceivedAndLiquidationCompleted", "RecordCollateralSentOut", "RecordLiquidationCompleted",
    "RecordLiquidationStarted", "RecordProceedsReceived", "ReleaseCollateral", "StartLiquidation",
    "SyncCollateralFromCustodian", "UpdateCollateral", "UpdateCollateralViaLiquidation", "UpdateOnClosedFacility",
    "classify", "next_state", "payable", "post_collateral", "price_triggers", "record_proceeds",
]

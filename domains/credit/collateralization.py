"""Collateralization states and Lana's transition rule with hysteresis (LANA.md §3.2-3.3)."""

from __future__ import annotations

import enum
from decimal import Decimal

from domains.credit.math import INFINITE
from domains.credit.terms import TermValues

__all__ = ["UPGRADE_BUFFER", "CollateralizationState", "PendingCollateralizationState", "classify",
           "classify_pending", "next_state"]

UPGRADE_BUFFER = Decimal(5)  # percentage points above margin call needed to leave a margin call


class CollateralizationState(str, enum.Enum):
    FULLY_COLLATERALIZED = "fully_collateralized"
    UNDER_MARGIN_CALL_THRESHOLD = "under_margin_call_threshold"
    UNDER_LIQUIDATION_THRESHOLD = "under_liquidation_threshold"
    NO_COLLATERAL = "no_collateral"
    NO_EXPOSURE = "no_exposure"


class PendingCollateralizationState(str, enum.Enum):
    NOT_YET_COLLATERALIZED = "not_yet_collateralized"
    UNDER_COLLATERALIZED = "under_collateralized"
    FULLY_COLLATERALIZED = "fully_collateralized"


def classify(cvl: Decimal | None, terms: TermValues) -> CollateralizationState:
    """Infinite -> NoExposure; 0 -> NoCollateral; >= margin call -> Fully; >= liquidation -> margin call."""
    if cvl is INFINITE:
        return CollateralizationState.NO_EXPOSURE
    if cvl == 0:
        return CollateralizationState.NO_COLLATERAL
    if cvl >= terms.margin_call_cvl:
        return CollateralizationState.FULLY_COLLATERALIZED
    if cvl >= terms.liquidation_cvl:
        return CollateralizationState.UNDER_MARGIN_CALL_THRESHOLD
    return CollateralizationState.UNDER_LIQUIDATION_THRESHOLD


def classify_pending(cvl: Decimal | None, terms: TermValues) -> PendingCollateralizationState:
    """Pending facilities: fully collateralized at margin-call CVL against the full amount, no buffer."""
    if cvl is INFINITE or cvl >= terms.margin_call_cvl:
        return PendingCollateralizationState.FULLY_COLLATERALIZED
    return PendingCollateralizationState.UNDER_COLLATERALIZED


def next_state(cvl: Decimal | None, last: CollateralizationState, terms: TermValues,
               buffer: Decimal = UPGRADE_BUFFER) -> CollateralizationState | None:
    """The state to record, or None for no change. Leaving a margin call for Fully needs
    `cvl > margin_call + buffer` (strictly); leaving liquidation is never blocked (as in Lana)."""
    target = classify(cvl, terms)
    if target is last:
        return None
    upgrading = last is CollateralizationState.UNDER_MARGIN_CALL_THRESHOLD and \
        target is CollateralizationState.FULLY_COLLATERALIZED
    if upgrading and not cvl > terms.margin_call_cvl + buffer:  # type: ignore[operator]
        return None
    return target

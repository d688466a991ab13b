"""Collateralization states and Lana's transition rule with hysteresis (Lana: core/credit/terms/src/cvl.rs; core/credit/terms/src/value.rs)."""

from __future__ import annotations

import enum
from decimal import Decimal

from domains.credit.math import INFINITE
from domains.credit.terms import TermValues

__all__ = ["UPGRADE_BUFFER", "CollateralizationState", "PendingCollateralizationState", "classify",
           "classify_pending", "next_state", "pending_price_triggers", "price_triggers"]

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


def price_triggers(state: CollateralizationState, sats: int, ratio: Decimal | None, terms: TermValues,
                   buffer: Decimal = UPGRADE_BUFFER) -> tuple[Decimal | None, Decimal | None]:
    """The BTC prices (cents) beyond which this facility's state can change: (below, above).

    CVL % ≈ ratio × price / 1,000,000 with ratio = collateral sats per outstanding cent, so each
    threshold of the current state maps to one price. Each trigger is widened by one CVL point
    (CVL is truncated to whole percents), so a sweep may visit a facility a little early but never
    misses one; the visit re-checks exactly. None: no price move in that direction changes it.
    """
    if ratio is None:  # nothing owed: only the collateral value reaching or leaving 0 changes the state
        edge = _price(Decimal(1), sats) if sats else None
        return edge, edge
    if ratio == 0:  # no collateral: no price changes anything
        return None, None
    to_price = lambda cvl_pct: cvl_pct * 1_000_000 / ratio
    match state:
        case CollateralizationState.FULLY_COLLATERALIZED:
            return to_price(terms.margin_call_cvl + 1), None
        case CollateralizationState.UNDER_MARGIN_CALL_THRESHOLD:
            return to_price(terms.liquidation_cvl + 1), to_price(terms.margin_call_cvl + buffer - 1)
        case CollateralizationState.UNDER_LIQUIDATION_THRESHOLD:
            return None, to_price(terms.liquidation_cvl - 1)
    return to_price(terms.margin_call_cvl + 1), to_price(terms.liquidation_cvl - 1)  # NoCollateral/NoExposure


def pending_price_triggers(state: PendingCollateralizationState, ratio: Decimal | None,
                           terms: TermValues) -> tuple[Decimal | None, Decimal | None]:
    """Same for a pending facility (CVL against the full amount, no buffer): (below, above)."""
    if ratio is None or ratio == 0:
        return None, None
    boundary = lambda cvl_pct: cvl_pct * 1_000_000 / ratio
    if state is PendingCollateralizationState.FULLY_COLLATERALIZED:
        return boundary(terms.margin_call_cvl + 1), None
    return None, boundary(terms.margin_call_cvl - 1)


def _price(value_cents: Decimal, sats: int) -> Decimal:
    """The price at which `sats` are worth `value_cents` (the collateral value rounds down)."""
    return value_cents * 100_000_000 / sats

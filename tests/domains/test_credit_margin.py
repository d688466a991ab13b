"""Credit facility collateralization: hysteresis, the price-free ratio, partial liquidation, the disbursal gate."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domains.credit import CREDIT_FACILITY, DisbursalPolicy, MissingId, Outstanding, liquidation_amounts, std_terms
from domains.credit.collateral import CollateralizationState
from domains.credit.facility import (
    ActivateFacility,
    ApplyLiquidationProceeds,
    BelowMarginLimit,
    CollateralizationRatioChanged,
    CollateralizationStateChanged,
    DisbursalAboveFacilityAmount,
    DisbursalOnInactiveFacility,
    DisbursalPastMaturityDate,
    FacilityCompleted,
    FacilityDisbursalCancelled,
    FacilityDisbursalRecorded,
    FacilityMatured,
    NoSuchLiquidationInitiated,
    OnlyOneDisbursalAllowed,
    PartialLiquidationInitiated,
    ProceedsFromPartialLiquidationApplied,
    RecordDisbursalCancelled,
    RecordDisbursalInitiated,
    UpdateCollateralization,
    assert_disbursal_allowed,
)
from tests.domains.support import fold

AT = datetime(2024, 1, 10, tzinfo=UTC)
PRICE = 5_000_000_000
OWED = 100_000_000  # $1M outstanding
S = CollateralizationState


def state(*events):
    return fold(CREDIT_FACILITY, *events)


def when(history, command, at=AT):
    return CREDIT_FACILITY.decide(state(*history), command, at)


def activated(policy=DisbursalPolicy.MULTIPLE):
    command = ActivateFacility("f-1", "f-1", "c-1", "individual", "col-1", "d-1", 1_000_000_000,
                               std_terms(disbursal_policy=policy), 230_000_000, PRICE, AT, "fee-tx", "disb-1")
    return CREDIT_FACILITY.decide(None, command, AT)


def sats(cvl_pct: int) -> int:
    """Collateral worth `cvl_pct` % of OWED at PRICE."""
    return cvl_pct * 20_000


def update(cvl_pct: int, liquidation_id: str | None = "liq-1", owed: int = OWED) -> UpdateCollateralization:
    return UpdateCollateralization(sats(cvl_pct), PRICE, owed, liquidation_id)


def in_state(history, new: S, cvl_pct: int):
    return (*history, CollateralizationStateChanged(new, sats(cvl_pct), Outstanding(), PRICE))


def states(events):
    return [e.state for e in events if isinstance(e, CollateralizationStateChanged)]


def liquidations(events):
    return [e.liquidation_id for e in events if isinstance(e, PartialLiquidationInitiated)]


# -- ratio and states -------------------------------------------------------------------------------
def test_the_ratio_is_sats_per_outstanding_cent_and_cvl_is_ratio_times_price():
    events = when(activated(), update(200))
    assert events[0] == CollateralizationRatioChanged(Decimal(sats(200)) / OWED)
    assert events[0].ratio * PRICE / 1_000_000 == 200


def test_nothing_outstanding_means_no_exposure_and_a_null_ratio():
    history = (*activated(), CollateralizationRatioChanged(Decimal(3)))
    events = when(history, update(200, owed=0))
    assert events[0] == CollateralizationRatioChanged(None)
    assert states(events) == [S.NO_EXPOSURE]


def test_leaving_a_margin_call_needs_more_than_margin_call_plus_five():
    history = in_state(activated(), S.UNDER_MARGIN_CALL_THRESHOLD, 120)
    assert states(when(history, update(130))) == []
    assert states(when(history, update(131))) == [S.FULLY_COLLATERALIZED]


def test_falling_below_margin_call_is_recorded_at_once_with_the_payable_outstanding():
    command = UpdateCollateralization(sats(124), PRICE, OWED, None, payable_disbursed=5, payable_interest=7)
    events = when(activated(), command)
    assert events[-1] == CollateralizationStateChanged(S.UNDER_MARGIN_CALL_THRESHOLD, sats(124), Outstanding(5, 7),
                                                       PRICE)


def test_a_closed_facility_is_forced_to_no_collateral():
    closed = (*activated(), FacilityCompleted(AT))
    assert states(when(closed, update(300))) == [S.NO_COLLATERAL]


# -- partial liquidation ----------------------------------------------------------------------------
def test_entering_liquidation_initiates_one_sized_to_restore_the_initial_cvl():
    events = when(activated(), update(104))
    receive, sell = liquidation_amounts(OWED, sats(104), PRICE, Decimal(140))
    assert events[-2:] == (CollateralizationStateChanged(S.UNDER_LIQUIDATION_THRESHOLD, sats(104), Outstanding(),
                                                         PRICE),
                           PartialLiquidationInitiated("liq-1", PRICE, receive, sell))
    assert receive > 0 and sell > 0


def test_staying_under_liquidation_initiates_nothing_more():
    history = (*activated(), *when(activated(), update(104)))
    assert liquidations(when(history, update(90, "liq-2"))) == []


def test_a_running_liquidation_blocks_another_after_leaving_and_re_entering():
    history = (*activated(), *when(activated(), update(104)))
    left = (*history, *when(history, update(110, "liq-2")))
    assert liquidations(when(left, update(104, "liq-2"))) == []


def test_after_its_proceeds_a_new_liquidation_starts_only_on_re_entering():
    history = (*activated(), *when(activated(), update(104)))
    applied = (*history, *when(history, ApplyLiquidationProceeds("liq-1")))
    assert liquidations(when(applied, update(100, "liq-2"))) == []
    left = (*applied, *when(applied, update(110, "liq-2")))
    assert liquidations(when(left, update(104, "liq-2"))) == ["liq-2"]


def test_no_liquidation_without_anything_outstanding_or_without_an_id():
    assert liquidations(when(activated(), UpdateCollateralization(sats(104), PRICE, 0, "liq-1"))) == []
    with pytest.raises(MissingId) as refused:
        when(activated(), update(104, None))
    assert refused.value.field == "next_liquidation_id"


def test_proceeds_of_an_unknown_liquidation_are_refused_and_known_ones_apply_once():
    history = (*activated(), *when(activated(), update(104)))
    with pytest.raises(NoSuchLiquidationInitiated) as refused:
        when(history, ApplyLiquidationProceeds("liq-9"))
    assert (refused.value.facility_id, refused.value.liquidation_id) == ("f-1", "liq-9")
    applied = (*history, ProceedsFromPartialLiquidationApplied("liq-1"))
    assert when(applied, ApplyLiquidationProceeds("liq-1")) == ()


def test_a_liquidation_is_public_with_its_trigger():
    events = when(activated(), update(104))
    (public,) = CREDIT_FACILITY.publish(state(*activated(), *events), events[-1])
    assert (public.name, public.payload["entity"]["liquidation_trigger"]["liquidation_id"]) == (
        "PartialLiquidationInitiated", "liq-1")


# -- disbursals -------------------------------------------------------------------------------------
def test_disbursals_are_tracked_once_and_cannot_exceed_the_facility_amount():
    history = activated()  # the $1,000 fee was disbursed at activation
    recorded = when(history, RecordDisbursalInitiated("disb-2", 500_000_000))
    assert recorded == (FacilityDisbursalRecorded("disb-2", 500_000_000),)
    assert when((*history, *recorded), RecordDisbursalInitiated("disb-2", 500_000_000)) == ()
    with pytest.raises(DisbursalAboveFacilityAmount) as refused:
        when((*history, *recorded), RecordDisbursalInitiated("disb-3", 500_000_000))
    assert (refused.value.amount, refused.value.remaining) == (500_000_000, 499_900_000)


def test_a_cancelled_disbursal_gives_its_amount_back():
    history = (*activated(), FacilityDisbursalRecorded("disb-2", 700))
    assert when(history, RecordDisbursalCancelled("disb-2")) == (FacilityDisbursalCancelled("disb-2", 700),)
    assert state(*history, FacilityDisbursalCancelled("disb-2", 700)).disbursed_total == 100_000


def test_the_disbursal_gate_refuses_inactive_single_late_under_margin_and_too_large():
    multi, single = state(*activated()), state(*activated(DisbursalPolicy.SINGLE))
    matured = state(*activated(), FacilityMatured())
    late = datetime(2024, 4, 10, tzinfo=UTC)
    cases = [(matured, AT, 1, None, DisbursalOnInactiveFacility), (single, AT, 1, None, OnlyOneDisbursalAllowed),
             (multi, late, 1, None, DisbursalPastMaturityDate),
             (multi, AT, 1, Decimal(124), BelowMarginLimit),
             (multi, AT, 999_900_001, Decimal(200), DisbursalAboveFacilityAmount)]
    for facility, at, amount, cvl, refusal in cases:
        with pytest.raises(refusal):
            assert_disbursal_allowed(facility, at, amount, cvl)
    assert_disbursal_allowed(multi, AT, 999_900_000, Decimal(125))  # allowed: returns without a refusal


def test_the_gate_names_the_maturity_date():
    with pytest.raises(DisbursalPastMaturityDate) as refused:
        assert_disbursal_allowed(state(*activated()), datetime(2024, 4, 10, tzinfo=UTC), 1, None)
    assert str(refused.value.maturity_date) == "2024-04-10"

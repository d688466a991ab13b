"""Activating a completed pending facility: the structuring fee, the initial
disbursal and the maturity are decided here once, for the facility and for the process manager."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import cast

import attrs

from domains.aggregate import Send
from domains.credit import commands as cmd
from domains.credit.collection.schedule import obligation_dates
from domains.credit.facility.accrual_cycle import start_cycle
from domains.credit.facility.cycle import first_cycle
from domains.credit.facility.pending import PendingFacility
from domains.credit.math import add_months, one_time_fee
from domains.credit.primitives import ObligationType
from domains.credit.terms import TermValues

__all__ = ["ActivationAmounts", "activate", "activation_amounts", "initial_disbursal"]

FACILITY = "credit-facility"


@attrs.frozen
class ActivationAmounts:
    """`initial_disbursal` is paid out at activation; `disbursed` counts as outstanding at once."""

    fee: int
    initial_disbursal: int
    disbursed: int
    maturity: date


def activation_amounts(amount: int, terms: TermValues, activated_at: datetime) -> ActivationAmounts:
    """A single-disbursal facility pays out its whole amount at once, a multi-disbursal one only its
    one-time fee; maturity = activation + duration months."""
    fee = one_time_fee(amount, terms.one_time_fee_rate)
    single = terms.is_single_disbursal
    return ActivationAmounts(fee, amount if single else fee, amount if single else 0,
                             add_months(activated_at, terms.duration))


def activate(p: PendingFacility, price: int, now: datetime, new_id: Callable[[], str]) -> tuple[Send, ...]:
    """The facility's `ActivateFacility` (same id as the pending facility `p`), its first accrual
    cycle (starting on the activation day) and, when something is paid out at once, its
    pre-approved disbursal and obligation; `new_id` draws the ids in order."""
    plan = activation_amounts(p.amount, p.terms, now)
    disbursal_id = new_id() if plan.initial_disbursal else None
    fee_tx_id = new_id() if plan.fee else None
    sends = [Send(FACILITY, p.id, cmd.ActivateFacility(
        p.id, p.id, p.customer_id, p.customer_type, p.collateral_id, p.disbursal_credit_account_id, p.amount,
        p.terms, cast(int, p.collateral), price, now, fee_tx_id, disbursal_id)),  # set by its completion
        start_cycle(p.id, first_cycle(p.id, p.terms, now.date(), plan.maturity), plan.maturity, p.terms)]
    if disbursal_id:  # a fee > 0 always comes with one: the whole amount, or (multi-disbursal) the fee
        sends += initial_disbursal(p.id, p.terms, p.disbursal_credit_account_id, disbursal_id,
                                   plan.initial_disbursal, plan.maturity, now.date(), new_id(), plan.fee, fee_tx_id)
    return tuple(sends)


def initial_disbursal(facility_id: str, terms: TermValues, account: str, disbursal_id: str, amount: int,
                      maturity: date, today: date, obligation_id: str, fee: int = 0,
                      fee_tx_id: str | None = None) -> list[Send]:
    """The pre-approved disbursal, settled at once into its obligation, due at maturity, then
    charging the structuring `fee` from the account it credited."""
    dates = obligation_dates(terms, maturity)
    return [Send("disbursal", disbursal_id, cmd.InitiateDisbursal(
                disbursal_id, facility_id, amount, account, maturity, pre_approved=True,
                obligation_id=obligation_id, effective=today, structuring_fee=fee, structuring_fee_tx_id=fee_tx_id,
                **dates)),
            Send("obligation", obligation_id, cmd.CreateObligation(
                obligation_id, facility_id, ObligationType.DISBURSAL, amount, f"disbursal-{disbursal_id}",
                maturity, effective=today, **dates))]

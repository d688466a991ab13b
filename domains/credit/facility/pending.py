"""Pending credit facility: waits for collateral worth the margin-call CVL of the full amount
(Lana: core/credit/src/pending_credit_facility/entity.rs); completing it is what activates the credit facility (same id)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import assert_never, cast

import attrs

from domains.aggregate import Send, evolve
from domains.credit import commands as cmd
from domains.credit.collateral.collateralization import PendingCollateralizationState, classify_pending
from domains.credit.errors import BelowMarginLimit, require
from domains.credit.facility import events as ev
from domains.credit.math import cvl
from domains.credit.terms import TermValues

__all__ = ["COMMANDS", "PendingFacility", "apply", "complete_when_collateralized", "completion_shortfall", "decide"]

KIND = "pending-credit-facility"


@attrs.frozen
class PendingFacility:
    """`collateral`/`price` are those of the last state change; `ratio` is None until evaluated."""

    id: str
    proposal_id: str
    customer_id: str
    customer_type: str
    collateral_id: str
    disbursal_credit_account_id: str
    amount: int
    terms: TermValues
    created_at: datetime
    collateralization_state: PendingCollateralizationState = PendingCollateralizationState.NOT_YET_COLLATERALIZED
    collateral: int | None = None
    price: int | None = None
    ratio: Decimal | None = None
    completed_at: datetime | None = None

    @property
    def status(self) -> str:
        return "pending_collateralization" if self.completed_at is None else "completed"


def apply(state: PendingFacility | None, event: ev.PendingFacilityEvent) -> PendingFacility:
    match event:
        case ev.PendingFacilityInitialized():
            return PendingFacility(event.id, event.proposal_id, event.customer_id, event.customer_type,
                                   event.collateral_id, event.disbursal_credit_account_id, event.amount, event.terms,
                                   event.created_at)
        case ev.PendingCollateralizationRatioChanged(ratio=ratio):
            return evolve(require(state, KIND), ratio=ratio)
        case ev.PendingCollateralizationStateChanged(state=new, collateral=sats, price=price):
            return evolve(require(state, KIND), collateralization_state=new, collateral=sats, price=price)
        case ev.PendingFacilityCompleted(completed_at=completed_at):
            return evolve(require(state, KIND), completed_at=completed_at)
        case _:
            assert_never(event)


def decide(state: PendingFacility | None, command: object, at: datetime) -> tuple[ev.PendingFacilityEvent, ...]:
    match command:
        case cmd.CreatePendingFacility():
            return () if state is not None else (_initialized(command, at),)
        case cmd.UpdatePendingCollateralization(collateral_sats=sats, price=price):
            return _update(require(state, KIND), sats, price)
        case cmd.CompletePendingFacility(collateral_sats=sats, price=price):
            return _complete(require(state, KIND), sats, price, at)
    raise TypeError(f"not a pending-facility command: {command!r}")


def _initialized(c: cmd.CreatePendingFacility, at: datetime) -> ev.PendingFacilityInitialized:
    return ev.PendingFacilityInitialized(c.id, c.proposal_id, c.customer_id, c.customer_type, c.collateral_id,
                                         c.disbursal_credit_account_id, c.amount, c.terms, at)


def _update(p: PendingFacility, sats: int, price: int) -> tuple[ev.PendingFacilityEvent, ...]:
    """No-op once completed; CVL against the full facility amount, no upgrade buffer."""
    if p.completed_at is not None:
        return ()
    ratio = Decimal(sats) / Decimal(p.amount)
    new = classify_pending(cvl(sats, p.amount, price), p.terms)
    return (*(() if ratio == p.ratio else (ev.PendingCollateralizationRatioChanged(ratio),)),
            *(() if new is p.collateralization_state else (ev.PendingCollateralizationStateChanged(new, sats, price),)))


def _complete(p: PendingFacility, sats: int, price: int, at: datetime) -> tuple[ev.PendingFacilityEvent, ...]:
    if p.completed_at is not None:
        return ()
    shortfall = completion_shortfall(p, sats, price)
    if shortfall is not None:
        raise BelowMarginLimit(cvl=shortfall, margin_call_cvl=p.terms.margin_call_cvl)
    return (ev.PendingFacilityCompleted(at),)


def completion_shortfall(p: PendingFacility, sats: int, price: int) -> Decimal | None:
    """The CVL (against the full amount) that keeps `p` from completing: below its margin-call
    CVL; None when `sats` at `price` are enough."""
    current = cvl(sats, p.amount, price)
    return current if current is not None and current < p.terms.margin_call_cvl else None


def complete_when_collateralized(p: PendingFacility, reported_state: str, price: int) -> tuple[Send, ...]:
    """Lana's pending-completion job: on a `fully_collateralized` report, complete `p` with its
    collateral at the current price; a shortfall at that price is silently ignored (no command)."""
    if reported_state != PendingCollateralizationState.FULLY_COLLATERALIZED.value or \
            completion_shortfall(p, p.collateral or 0, price) is not None:
        return ()
    return (Send(KIND, p.id, cmd.CompletePendingFacility(cast(int, p.collateral), price)),)  # set with the state


COMMANDS = (cmd.CreatePendingFacility, cmd.UpdatePendingCollateralization, cmd.CompletePendingFacility)

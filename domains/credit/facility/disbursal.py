"""Disbursal (Lana: core/credit/src/disbursal/entity.rs): approved and settled into a principal obligation, or denied
and
cancelled; Lana's initial disbursal at activation is pre-approved and settles at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import assert_never

import attrs

from domains.aggregate import Send, evolve
from domains.credit import commands as cmd
from domains.credit.errors import MissingId, require
from domains.credit.facility import disbursal_events as ev
from domains.credit.primitives import DisbursalStatus, ObligationType

__all__ = ["COMMANDS", "Disbursal", "apply", "conclude_approval", "decide"]

KIND = "disbursal"


@attrs.frozen
class Disbursal:
    id: str
    facility_id: str
    amount: int
    disbursal_credit_account_id: str
    due_date: date
    overdue_date: date | None
    liquidation_date: date | None
    defaulted_date: date | None
    pre_approved: bool
    initiated_on: date
    status: DisbursalStatus = DisbursalStatus.NEW
    approved: bool | None = None
    settlement: ev.DisbursalSettled | None = None


def apply(state: Disbursal | None, event: ev.DisbursalEvent) -> Disbursal:
    match event:
        case ev.DisbursalInitialized():
            return Disbursal(event.id, event.facility_id, event.amount, event.disbursal_credit_account_id,
                             event.due_date, event.overdue_date, event.liquidation_date, event.defaulted_date,
                             event.pre_approved, event.effective)
        case ev.DisbursalApprovalConcluded(approved=approved):
            return evolve(require(state, KIND), approved=approved)
        case ev.DisbursalSettled():
            return evolve(require(state, KIND), status=DisbursalStatus.CONFIRMED, settlement=event)
        case ev.DisbursalCancelled():
            return evolve(require(state, KIND), status=DisbursalStatus.DENIED)
        case ev.StructuringFeeCharged():
            return require(state, KIND)  # the ledger's: the disbursal itself does not change
        case _:
            assert_never(event)


def decide(state: Disbursal | None, command: object, at: datetime) -> tuple[ev.DisbursalEvent, ...]:
    match command:
        case cmd.InitiateDisbursal():
            return () if state is not None else _initiate(command, at)
        case cmd.ConcludeDisbursalApproval(approved=approved, obligation_id=obligation_id, effective=effective):
            return _conclude(require(state, KIND), approved, obligation_id, effective)
    raise TypeError(f"not a disbursal command: {command!r}")


def _initiate(c: cmd.InitiateDisbursal, at: datetime) -> tuple[ev.DisbursalEvent, ...]:
    effective = c.effective or at.date()
    initialized = ev.DisbursalInitialized(c.id, c.facility_id, c.amount, c.disbursal_credit_account_id, c.due_date,
                                          c.overdue_date, c.liquidation_date, c.defaulted_date, c.pre_approved,
                                          effective)
    if not c.pre_approved:
        return (initialized,)
    settled = (initialized, ev.DisbursalApprovalConcluded(True),
               ev.DisbursalSettled(c.id, _obligation(c.obligation_id), c.amount, effective))
    if not c.structuring_fee:
        return settled
    if c.structuring_fee_tx_id is None:
        raise MissingId(field="structuring_fee_tx_id")
    return (*settled, ev.StructuringFeeCharged(c.structuring_fee_tx_id, c.structuring_fee, effective))


def _conclude(d: Disbursal, approved: bool, obligation_id: str | None,
              effective: date) -> tuple[ev.DisbursalEvent, ...]:
    """Approval and settlement (or denial and cancellation) are appended together, as in Lana."""
    if d.approved is not None:
        return ()
    if not approved:
        return ev.DisbursalApprovalConcluded(False), ev.DisbursalCancelled(f"{d.id}-cancel", effective)
    return (ev.DisbursalApprovalConcluded(True),
            ev.DisbursalSettled(f"{d.id}-confirm", _obligation(obligation_id), d.amount, effective))


def _obligation(obligation_id: str | None) -> str:
    if obligation_id is None:
        raise MissingId(field="obligation_id")
    return obligation_id


COMMANDS = (cmd.InitiateDisbursal, cmd.ConcludeDisbursalApproval)


def conclude_approval(d: Disbursal, approved: bool, today: date, new_id: Callable[[], str]) -> tuple[Send, ...]:
    """Governance's verdict on `d`: approved, it settles into a new principal obligation (due on its
    due date, effective today; `new_id` draws its id); denied, it is cancelled on its facility. The
    caller sends an approval only once the deposit account it credits is unlocked (not frozen)."""
    if not approved:
        return (Send(KIND, d.id, cmd.ConcludeDisbursalApproval(False, None, today)),
                Send("credit-facility", d.facility_id, cmd.RecordDisbursalCancelled(d.id)))
    obligation_id = new_id()
    return (Send(KIND, d.id, cmd.ConcludeDisbursalApproval(True, obligation_id, today)),
            Send("obligation", obligation_id, cmd.CreateObligation(
                obligation_id, d.facility_id, ObligationType.DISBURSAL, d.amount, f"disbursal-{d.id}", d.due_date,
                d.overdue_date, d.liquidation_date, d.defaulted_date, today)))

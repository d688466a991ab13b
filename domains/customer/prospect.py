"""Prospect: a party going through KYC until it converts to a customer or is closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, assert_never

import attrs

from domains.aggregate import evolve
from domains.customer import commands as cmd
from domains.customer import events as ev
from domains.customer.errors import (
    AlreadyClosed,
    AlreadyConverted,
    ApplicantIdMismatch,
    KycNotStarted,
    ManualConversionNotAllowed,
    require,
)
from domains.customer.primitives import (
    ConversionMethod,
    CustomerType,
    KycLevel,
    KycStatus,
    ProspectStage,
    ProspectStatus,
    stage_of,
)

__all__ = ["COMMANDS", "Prospect", "apply", "decide"]

ProspectChange = (ev.ProspectKycStarted | ev.ProspectKycPending | ev.ProspectKycOnHold | ev.ProspectKycApproved
                  | ev.ProspectKycDeclined | ev.ProspectManuallyConverted | ev.ProspectClosed)
_REACHED = {ev.ProspectKycPending: KycStatus.PENDING, ev.ProspectKycOnHold: KycStatus.ON_HOLD,
            ev.ProspectKycDeclined: KycStatus.DECLINED}
_PROGRESS: dict[type, tuple[KycStatus, Callable[[ProspectStage], ev.ProspectEvent]]] = {
    cmd.MarkKycPending: (KycStatus.PENDING, ev.ProspectKycPending),
    cmd.PutKycOnHold: (KycStatus.ON_HOLD, ev.ProspectKycOnHold)}


@attrs.frozen
class Prospect:
    """`reached` lists every KYC status ever reached: Lana's guards scan the whole history."""

    id: str
    party_id: str
    customer_type: CustomerType
    stage: ProspectStage
    status: ProspectStatus = ProspectStatus.OPEN
    kyc_status: KycStatus = KycStatus.NOT_STARTED
    applicant_id: str | None = None
    level: KycLevel = KycLevel.NOT_KYCED
    conversion: ConversionMethod | None = None
    reached: tuple[KycStatus, ...] = ()


def apply(state: Prospect | None, event: ev.ProspectEvent) -> Prospect:
    if isinstance(event, ev.ProspectInitialized):
        return Prospect(event.id, event.party_id, event.customer_type, event.stage)
    return _evolve(require(state, "prospect"), event)


def _evolve(p: Prospect, event: ProspectChange) -> Prospect:
    match event:
        case ev.ProspectKycStarted(applicant_id=applicant, stage=stage):
            return evolve(_reach(p, KycStatus.STARTED), applicant_id=applicant, stage=stage)
        case ev.ProspectKycPending() | ev.ProspectKycOnHold() | ev.ProspectKycDeclined():
            return evolve(_reach(p, _REACHED[type(event)]), stage=event.stage)
        case ev.ProspectKycApproved() | ev.ProspectManuallyConverted():
            return _converted(_reach(p, KycStatus.APPROVED), event)
        case ev.ProspectClosed(stage=stage):
            return evolve(p, status=ProspectStatus.CLOSED, stage=stage)
        case _:
            assert_never(event)


def _reach(p: Prospect, kyc_status: KycStatus) -> Prospect:
    return evolve(p, kyc_status=kyc_status, reached=(*p.reached, kyc_status))


def _converted(p: Prospect, event: ev.ProspectKycApproved | ev.ProspectManuallyConverted) -> Prospect:
    approved = isinstance(event, ev.ProspectKycApproved)
    method = ConversionMethod.SUMSUB_APPROVED if approved else ConversionMethod.MANUALLY_CONVERTED
    level = event.level if isinstance(event, ev.ProspectKycApproved) else p.level
    return evolve(p, status=ProspectStatus.CONVERTED, stage=event.stage, level=level, conversion=method)


def decide(state: Prospect | None, command: object, at: datetime) -> tuple[ev.ProspectEvent, ...]:
    if isinstance(command, cmd.CreateProspect):
        return () if state is not None else (
            ev.ProspectInitialized(command.id, command.party_id, command.customer_type, ProspectStage.NEW),)
    return _DECISIONS[type(command)](require(state, "prospect"), command)


def _start_kyc(p: Prospect, c: cmd.StartKyc) -> tuple[ev.ProspectEvent, ...]:
    if p.applicant_id is not None:
        return ()
    _ensure_open(p)
    return (ev.ProspectKycStarted(c.applicant_id, stage_of(p.status, KycStatus.STARTED)),)


def _progress(p: Prospect, c: cmd.MarkKycPending | cmd.PutKycOnHold) -> tuple[ev.ProspectEvent, ...]:
    kyc_status, event = _PROGRESS[type(c)]
    if kyc_status in p.reached:
        return ()
    _ensure_open(p)
    return (event(stage_of(p.status, kyc_status)),)


def _approve(p: Prospect, c: cmd.ApproveKyc) -> tuple[ev.ProspectEvent, ...]:
    if p.conversion is ConversionMethod.SUMSUB_APPROVED:
        return ()
    _ensure_open(p)
    _ensure_applicant(p, c.applicant_id)
    return (ev.ProspectKycApproved(c.level, ProspectStage.CONVERTED),)


def _decline(p: Prospect, c: cmd.DeclineKyc) -> tuple[ev.ProspectEvent, ...]:
    if KycStatus.DECLINED in p.reached:
        return ()
    _ensure_open(p)
    _ensure_applicant(p, c.applicant_id)
    return (ev.ProspectKycDeclined(stage_of(p.status, KycStatus.DECLINED)),)


def _convert_manually(p: Prospect, c: cmd.ConvertManually) -> tuple[ev.ProspectEvent, ...]:
    if p.conversion is ConversionMethod.MANUALLY_CONVERTED:
        return ()
    if not c.allow_manual_conversion:
        raise ManualConversionNotAllowed(id=p.id, config="allow-manual-conversion")
    _ensure_open(p)
    return (ev.ProspectManuallyConverted(ProspectStage.CONVERTED),)


def _close(p: Prospect, c: cmd.CloseProspect) -> tuple[ev.ProspectEvent, ...]:
    if p.status is ProspectStatus.CLOSED:
        return ()
    _ensure_open(p)
    return (ev.ProspectClosed(ProspectStage.CLOSED),)


def _ensure_open(p: Prospect) -> None:
    if p.status is ProspectStatus.CONVERTED:
        raise AlreadyConverted(id=p.id, stage=p.stage)
    if p.status is ProspectStatus.CLOSED:
        raise AlreadyClosed(id=p.id, stage=p.stage)


def _ensure_applicant(p: Prospect, applicant_id: str) -> None:
    if p.applicant_id is None:
        raise KycNotStarted(id=p.id, stage=p.stage)
    if p.applicant_id != applicant_id:
        raise ApplicantIdMismatch(expected=p.applicant_id, actual=applicant_id)


_DECISIONS: dict[type, Callable[[Prospect, Any], tuple[ev.ProspectEvent, ...]]] = {
    cmd.StartKyc: _start_kyc, cmd.MarkKycPending: _progress, cmd.PutKycOnHold: _progress,
    cmd.ApproveKyc: _approve, cmd.DeclineKyc: _decline, cmd.ConvertManually: _convert_manually,
    cmd.CloseProspect: _close,
}

COMMANDS = (cmd.CreateProspect, *_DECISIONS)

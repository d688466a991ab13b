"""Prospect: a party going through KYC until it converts to a customer or is closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import Aggregate, Column, EventType, Public
from domains.customer import commands as cmd
from domains.customer import events as ev
from domains.customer.errors import AlreadyClosed, AlreadyConverted, ApplicantIdMismatch, KycNotStarted
from domains.customer.errors import ManualConversionNotAllowed, NotInitialized
from domains.customer.primitives import ConversionMethod, CustomerType, KycLevel, KycStatus, ProspectStage
from domains.customer.primitives import ProspectStatus

__all__ = ["PROSPECT", "Prospect", "apply", "decide", "publish", "stage_of"]

ProspectChange = (ev.ProspectKycStarted | ev.ProspectKycPending | ev.ProspectKycOnHold | ev.ProspectKycApproved
                  | ev.ProspectKycDeclined | ev.ProspectManuallyConverted | ev.ProspectClosed)
_REACHED = {ev.ProspectKycPending: KycStatus.PENDING, ev.ProspectKycOnHold: KycStatus.ON_HOLD,
            ev.ProspectKycDeclined: KycStatus.DECLINED}
_OPEN_STAGE = {KycStatus.NOT_STARTED: ProspectStage.NEW, KycStatus.STARTED: ProspectStage.KYC_STARTED,
               KycStatus.PENDING: ProspectStage.KYC_PENDING, KycStatus.ON_HOLD: ProspectStage.KYC_ON_HOLD,
               KycStatus.DECLINED: ProspectStage.KYC_DECLINED, KycStatus.APPROVED: ProspectStage.NEW}


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


def stage_of(status: ProspectStatus, kyc_status: KycStatus) -> ProspectStage:
    """Lana `compute_stage`: closed and converted win, else the KYC status decides."""
    if status is ProspectStatus.OPEN:
        return _OPEN_STAGE[kyc_status]
    return ProspectStage.CLOSED if status is ProspectStatus.CLOSED else ProspectStage.CONVERTED


def apply(state: Prospect | None, event: ev.ProspectEvent) -> Prospect:
    if isinstance(event, ev.ProspectInitialized):
        return Prospect(event.id, event.party_id, event.customer_type, event.stage)
    return _evolve(_live(state), event)


def _evolve(p: Prospect, event: ProspectChange) -> Prospect:
    match event:
        case ev.ProspectKycStarted(applicant_id=applicant, stage=stage):
            return attrs.evolve(_reach(p, KycStatus.STARTED), applicant_id=applicant, stage=stage)
        case ev.ProspectKycPending() | ev.ProspectKycOnHold() | ev.ProspectKycDeclined():
            return attrs.evolve(_reach(p, _REACHED[type(event)]), stage=event.stage)
        case ev.ProspectKycApproved() | ev.ProspectManuallyConverted():
            return _converted(_reach(p, KycStatus.APPROVED), event)
        case ev.ProspectClosed(stage=stage):
            return attrs.evolve(p, status=ProspectStatus.CLOSED, stage=stage)
        case _:
            assert_never(event)


def _reach(p: Prospect, kyc_status: KycStatus) -> Prospect:
    return attrs.evolve(p, kyc_status=kyc_status, reached=(*p.reached, kyc_status))


def _converted(p: Prospect, event: ev.ProspectKycApproved | ev.ProspectManuallyConverted) -> Prospect:
    if isinstance(event, ev.ProspectKycApproved):
        return attrs.evolve(p, status=ProspectStatus.CONVERTED, stage=event.stage, level=event.level,
                            conversion=ConversionMethod.SUMSUB_APPROVED)
    return attrs.evolve(p, status=ProspectStatus.CONVERTED, stage=event.stage,
                        conversion=ConversionMethod.MANUALLY_CONVERTED)


def decide(state: Prospect | None, command: object, at: datetime) -> tuple[ev.ProspectEvent, ...]:
    if isinstance(command, cmd.CreateProspect):
        return () if state is not None else (
            ev.ProspectInitialized(command.id, command.party_id, command.customer_type, ProspectStage.NEW),)
    return _DECISIONS[type(command)](_live(state), command)


def _start_kyc(p: Prospect, c: cmd.StartKyc) -> tuple[ev.ProspectEvent, ...]:
    if p.applicant_id is not None:
        return ()
    _ensure_open(p)
    return (ev.ProspectKycStarted(c.applicant_id, stage_of(p.status, KycStatus.STARTED)),)


def _mark_pending(p: Prospect, c: cmd.MarkKycPending) -> tuple[ev.ProspectEvent, ...]:
    if KycStatus.PENDING in p.reached:
        return ()
    _ensure_open(p)
    return (ev.ProspectKycPending(stage_of(p.status, KycStatus.PENDING)),)


def _put_on_hold(p: Prospect, c: cmd.PutKycOnHold) -> tuple[ev.ProspectEvent, ...]:
    if KycStatus.ON_HOLD in p.reached:
        return ()
    _ensure_open(p)
    return (ev.ProspectKycOnHold(stage_of(p.status, KycStatus.ON_HOLD)),)


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
        raise ManualConversionNotAllowed(config="allow-manual-conversion")
    _ensure_open(p)
    return (ev.ProspectManuallyConverted(ProspectStage.CONVERTED),)


def _close(p: Prospect, c: cmd.CloseProspect) -> tuple[ev.ProspectEvent, ...]:
    if p.status is ProspectStatus.CLOSED:
        return ()
    _ensure_open(p)
    return (ev.ProspectClosed(ProspectStage.CLOSED),)


def _ensure_open(p: Prospect) -> None:
    if p.status is ProspectStatus.CONVERTED:
        raise AlreadyConverted(stage=p.stage)
    if p.status is ProspectStatus.CLOSED:
        raise AlreadyClosed(stage=p.stage)


def _ensure_applicant(p: Prospect, applicant_id: str) -> None:
    if p.applicant_id is None:
        raise KycNotStarted(stage=p.stage)
    if p.applicant_id != applicant_id:
        raise ApplicantIdMismatch(expected=p.applicant_id, actual=applicant_id)


def _live(state: Prospect | None) -> Prospect:
    if state is None:
        raise NotInitialized(kind="prospect")
    return state


_DECISIONS: dict[type, Callable] = {
    cmd.StartKyc: _start_kyc, cmd.MarkKycPending: _mark_pending, cmd.PutKycOnHold: _put_on_hold,
    cmd.ApproveKyc: _approve, cmd.DeclineKyc: _decline, cmd.ConvertManually: _convert_manually,
    cmd.CloseProspect: _close,
}

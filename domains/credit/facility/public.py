"""Public (outbox) events of the Credit module: proposals, pending facilities, facilities,
accrual postings and disbursals (Lana: the public event enums (core/*/src/public/event.rs)), mapped from entity events
and states; statuses and states spelled as Lana's serde writes them (`FullyCollateralized`)."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

import attrs

from domains.aggregate import Public
from domains.credit.facility import disbursal_events as cev
from domains.credit.facility import events as ev
from domains.credit.facility.accrual_cycle import InterestAccrualCycle
from domains.credit.facility.active import Facility
from domains.credit.facility.disbursal import Disbursal
from domains.credit.facility.pending import PendingFacility
from domains.credit.facility.proposal import Proposal
from domains.credit.public_terms import period_payload, terms_payload
from domains.wire import instant, pascal

__all__ = ["EXTENSION", "MODULE", "publish_accrual_cycle", "publish_disbursal", "publish_facility",
           "publish_pending_facility",
           "publish_proposal", "terms_payload"]

MODULE = "Credit"
EXTENSION = "LanasimCredit"  # lanasim's own public events, beside Lana's
_FACILITY = MappingProxyType({ev.FacilityInitialized: "FacilityActivated", ev.FacilityCompleted: "FacilityCompleted",
                              ev.CollateralizationStateChanged: "FacilityCollateralizationChanged",
                              ev.FacilityMatured: "FacilityMatured",
                              ev.PartialLiquidationInitiated: "PartialLiquidationInitiated"})
_PENDING = MappingProxyType({ev.PendingCollateralizationStateChanged: "PendingCreditFacilityCollateralizationChanged",
                             ev.PendingFacilityCompleted: "PendingCreditFacilityCompleted"})
_PROPOSAL = MappingProxyType({ev.ProposalInitialized: "FacilityProposalCreated",
                              ev.ProposalApprovalProcessConcluded: "FacilityProposalConcluded"})
_DISBURSAL = MappingProxyType({cev.DisbursalApprovalConcluded: "DisbursalApprovalConcluded",
                               cev.DisbursalSettled: "DisbursalSettled"})


def publish_proposal(p: Proposal, event: ev.ProposalEvent) -> tuple[Public, ...]:
    name = _PROPOSAL.get(type(event))
    if name is None:  # most of a proposal's events are not public: no payload is built for them
        return ()
    entity: dict[str, object] = {"id": p.id, "status": pascal(p.status), "amount": p.amount,
                                 "terms": terms_payload(p.terms), "customer_id": p.customer_id,
                                 "created_at": instant(p.created_at)}
    return _one(name, entity)


def publish_pending_facility(p: PendingFacility, event: ev.PendingFacilityEvent) -> tuple[Public, ...]:
    name = _PENDING.get(type(event))
    if name is None:
        return ()
    collateralization = {"state": pascal(p.collateralization_state), "collateral": p.collateral,
                         "price_at_state_change": p.price}
    entity: dict[str, object] = {"id": p.id, "status": pascal(p.status), "collateralization": collateralization,
                                 "amount": p.amount, "terms": terms_payload(p.terms), "customer_id": p.customer_id,
                                 "created_at": instant(p.created_at), "completed_at": instant(p.completed_at)}
    return _one(name, entity)


def publish_facility(f: Facility, event: ev.FacilityEvent) -> tuple[Public, ...]:
    if isinstance(event, ev.FacilityImported):
        return (_imported(f, event),)
    name = _FACILITY.get(type(event))
    return () if name is None else _one(name, _facility_entity(f))


def _imported(f: Facility, e: ev.FacilityImported) -> Public:
    """lanasim's extension envelope (`lanasim.credit.facility-imported`, not one of Lana's types):
    what the imported book said of the facility, terms included, so that a consumer of the outbox
    can rebuild the book (Lana's public facility carries no terms)."""
    return Public(EXTENSION, "FacilityImported", {"entity": {
        "id": f.id, "customer_id": f.customer_id, "amount": f.amount, "terms": terms_payload(f.terms),
        "activated_at": instant(f.activated_at), "as_of": _day(e.as_of), "disbursed": e.disbursed,
        "principal": e.principal, "interest": e.interest}})


def _facility_entity(f: Facility) -> dict[str, object]:
    collateralization = {"state": pascal(f.collateralization_state), "collateral": f.collateral,
                         "outstanding": {"disbursed": f.outstanding.disbursed, "interest": f.outstanding.interest},
                         "price_at_state_change": f.price}
    trigger = None if f.liquidation is None else attrs.asdict(f.liquidation)
    return {"id": f.id, "customer_id": f.customer_id, "collateral_id": f.collateral_id,
            "activation_tx_id": f.activation_tx_id, "activated_at": instant(f.activated_at), "amount": f.amount,
            "completed_at": instant(f.completed_at), "liquidation_trigger": trigger,
            "collateralization": collateralization}


def publish_accrual_cycle(c: InterestAccrualCycle, event: ev.AccrualCycleEvent) -> tuple[Public, ...]:
    """`AccrualPosted` when the cycle posts; `posting` is None when it accrued nothing."""
    if not isinstance(event, ev.InterestAccrualsPosted):
        return ()
    posting = None if event.total == 0 else {"tx_id": event.tx_id, "amount": event.total,
                                             "effective": event.effective.isoformat()}
    period = period_payload(event.period, c.terms.accrual_cycle_interval, c.facility_maturity_date)
    entity = {"id": c.id, "credit_facility_id": c.facility_id, "period": period,
              "due_at": event.period.end.isoformat(), "posting": posting}
    return (Public(MODULE, "AccrualPosted", {"entity": entity}),)


def publish_disbursal(d: Disbursal, event: cev.DisbursalEvent) -> tuple[Public, ...]:
    settled = d.settlement
    settlement = None if settled is None else {"tx_id": settled.tx_id, "effective": _day(settled.effective)}
    entity: dict[str, object] = {"id": d.id, "credit_facility_id": d.facility_id, "amount": d.amount,
                                 "status": pascal(d.status), "settlement": settlement}
    return _one(_DISBURSAL.get(type(event)), entity)


def _day(day: date) -> str:
    return day.isoformat()


def _one(name: str | None, entity: dict[str, object]) -> tuple[Public, ...]:
    return () if name is None else (Public(MODULE, name, {"entity": entity}),)

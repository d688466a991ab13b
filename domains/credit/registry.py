"""The credit module's aggregates as the engine hosts them: stored names, commands, columns,
public events, ledger postings, alarms and permissions."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from domains.aggregate import Aggregate, Column, EventType
from domains.credit import commands as cmd
from domains.credit.collateral import collateral, liquidation
from domains.credit.collateral import commands as lcmd
from domains.credit.collateral import events as lev
from domains.credit.collateral.collateralization import pending_price_triggers, price_triggers
from domains.credit.collateral.posting import (
    collateral_ledger_tx_ids,
    liquidation_ledger_tx_ids,
    liquidation_ledger_tx_refs,
    post_collateral,
    post_liquidation,
)
from domains.credit.collateral.public import publish_collateral, publish_liquidation
from domains.credit.collection import events as cev
from domains.credit.collection import obligation, payment
from domains.credit.collection.posting import (
    allocation_ledger_tx_ids,
    payment_ledger_tx_ids,
    post_allocation,
    post_obligation,
    post_payment,
)
from domains.credit.collection.public import publish_allocation, publish_obligation, publish_payment
from domains.credit.facility import accrual_cycle, disbursal, proposal, terms_template
from domains.credit.facility import active as facility
from domains.credit.facility import disbursal_events as dev
from domains.credit.facility import events as ev
from domains.credit.facility import pending as pending_facility
from domains.credit.facility.imported import ImportFacility
from domains.credit.facility.posting import (
    accrual_cycle_ledger_tx_ids,
    disbursal_ledger_tx_ids,
    facility_ledger_tx_ids,
    facility_ledger_tx_refs,
    post_accrual_cycle,
    post_disbursal,
    post_facility,
    post_pending_facility,
)
from domains.credit.facility.public import (
    publish_accrual_cycle,
    publish_disbursal,
    publish_facility,
    publish_pending_facility,
    publish_proposal,
)
from domains.credit.permissions import required_permission
from domains.credit.primitives import FacilityStatus

__all__ = ["COLLATERAL", "CREDIT_FACILITY", "DISBURSAL", "INTEREST_ACCRUAL_CYCLE", "LIQUIDATION", "OBLIGATION",
           "PAYMENT", "PAYMENT_ALLOCATION",
           "PENDING_CREDIT_FACILITY", "PROPOSAL", "TERMS_TEMPLATE"]


def _triggers(f: facility.Facility) -> tuple[Decimal | None, Decimal | None]:
    """The price band outside of which a price update can change the facility's state; each
    column computes it afresh from the immutable state (no memo, no shared state)."""
    if f.status is FacilityStatus.CLOSED:
        return None, None
    return price_triggers(f.collateralization_state, f.collateral, f.ratio, f.terms)


def _pending_triggers(p: pending_facility.PendingFacility) -> tuple[Decimal | None, Decimal | None]:
    if p.completed_at is not None:
        return None, None
    return pending_price_triggers(p.collateralization_state, p.ratio, p.terms)


def _named(kind: str, *pairs: tuple[type, str]) -> tuple[EventType, ...]:
    return tuple(EventType(cls, f"credit.{kind}.{name}", 1) for cls, name in pairs)


TERMS_TEMPLATE: Aggregate[terms_template.TermsTemplate, ev.TermsTemplateEvent, object] = Aggregate(
    kind="terms-template",
    events=_named("terms-template", (ev.TermsTemplateCreated, "created"), (ev.TermValuesUpdated, "values-updated")),
    apply=terms_template.apply, decide=terms_template.decide, commands=terms_template.COMMANDS,
    creates=(cmd.CreateTermsTemplate,), columns=(Column("name", attrgetter("name"), unique=True),),
    state=terms_template.TermsTemplate, permissions=required_permission,
)

PROPOSAL: Aggregate[proposal.Proposal, ev.ProposalEvent, object] = Aggregate(
    kind="credit-facility-proposal",
    events=_named("credit-facility-proposal", (ev.ProposalInitialized, "initialized"),
                  (ev.ProposalCustomerApprovalConcluded, "customer-approval-concluded"),
                  (ev.ProposalApprovalProcessStarted, "approval-process-started"),
                  (ev.ProposalApprovalProcessConcluded, "approval-process-concluded")),
    apply=proposal.apply, decide=proposal.decide, commands=proposal.COMMANDS, creates=(cmd.CreateProposal,),
    columns=(Column("status", attrgetter("status")), Column("customer_id", attrgetter("customer_id"))),
    publish=publish_proposal, state=proposal.Proposal, permissions=required_permission,
)

PENDING_CREDIT_FACILITY: Aggregate[pending_facility.PendingFacility, ev.PendingFacilityEvent, object] = Aggregate(
    kind="pending-credit-facility",
    events=_named("pending-credit-facility", (ev.PendingFacilityInitialized, "initialized"),
                  (ev.PendingCollateralizationRatioChanged, "collateralization-ratio-changed"),
                  (ev.PendingCollateralizationStateChanged, "collateralization-state-changed"),
                  (ev.PendingFacilityCompleted, "completed")),
    apply=pending_facility.apply, decide=pending_facility.decide, commands=pending_facility.COMMANDS,
    creates=(cmd.CreatePendingFacility,),
    columns=(Column("status", attrgetter("status")),
             Column("collateralization_ratio", attrgetter("ratio"), sql_type="REAL"),
             Column("trigger_below", lambda p: _pending_triggers(p)[0], sql_type="REAL"),
             Column("trigger_above", lambda p: _pending_triggers(p)[1], sql_type="REAL")),
    publish=publish_pending_facility, post=post_pending_facility, state=pending_facility.PendingFacility,
    permissions=required_permission,
)

COLLATERAL: Aggregate[collateral.Collateral, lev.CollateralEvent, object] = Aggregate(
    kind="collateral",
    events=_named("collateral", (lev.CollateralInitialized, "initialized"),
                  (lev.CollateralUpdatedViaManualInput, "updated-via-manual-input"),
                  (lev.CollateralUpdatedViaCustodianSync, "updated-via-custodian-sync"),
                  (lev.CollateralReleased, "released"),
                  (lev.CollateralUpdatedViaLiquidation, "updated-via-liquidation"),
                  (lev.LiquidationStarted, "liquidation-started"), (lev.LiquidationCompleted, "liquidation-completed")),
    apply=collateral.apply, decide=collateral.decide, commands=collateral.COMMANDS,
    creates=(cmd.CreateCollateral, cmd.ImportCollateral),
    columns=(Column("secured_loan_id", attrgetter("secured_loan_id")),
             Column("custody_wallet_id", attrgetter("custody_wallet_id"))),
    publish=publish_collateral, post=post_collateral, ledger_tx_ids=collateral_ledger_tx_ids,
    state=collateral.Collateral, permissions=required_permission,
)

LIQUIDATION: Aggregate[liquidation.Liquidation, lev.LiquidationEvent, object] = Aggregate(
    kind="liquidation",
    events=_named("liquidation", (lev.LiquidationInitialized, "initialized"),
                  (lev.CollateralSentOut, "collateral-sent-out"),
                  (lev.ProceedsReceivedAndLiquidationCompleted, "proceeds-received-and-liquidation-completed")),
    apply=liquidation.apply, decide=liquidation.decide, commands=liquidation.COMMANDS,
    creates=(lcmd.StartLiquidation,),
    columns=(Column("facility_id", attrgetter("facility_id")), Column("status", attrgetter("status"))),
    publish=publish_liquidation, post=post_liquidation, ledger_tx_ids=liquidation_ledger_tx_ids,
    ledger_tx_refs=liquidation_ledger_tx_refs,
    state=liquidation.Liquidation, permissions=required_permission,
)

CREDIT_FACILITY: Aggregate[facility.Facility, ev.FacilityEvent, object] = Aggregate(
    kind="credit-facility",
    events=_named("credit-facility", (ev.FacilityInitialized, "initialized"),
                  (ev.InterestAccrualCycleStarted, "interest-accrual-cycle-started"),
                  (ev.InterestAccrualCycleConcluded, "interest-accrual-cycle-concluded"),
                  (ev.CollateralizationStateChanged, "collateralization-state-changed"),
                  (ev.CollateralizationRatioChanged, "collateralization-ratio-changed"),
                  (ev.PartialLiquidationInitiated, "partial-liquidation-initiated"),
                  (ev.ProceedsFromPartialLiquidationApplied, "proceeds-from-partial-liquidation-applied"),
                  (ev.FacilityDisbursalRecorded, "disbursal-recorded"),
                  (ev.FacilityDisbursalCancelled, "disbursal-cancelled"),
                  (ev.FacilityMatured, "matured"), (ev.FacilityCompleted, "completed"),
                  (ev.FacilityImported, "imported")),
    apply=facility.apply, decide=facility.decide, commands=facility.COMMANDS,
    creates=(cmd.ActivateFacility, ImportFacility),
    columns=(Column("status", attrgetter("status")), Column("maturity_date", attrgetter("maturity_date")),
             Column("collateralization_ratio", attrgetter("ratio"), sql_type="REAL"),
             Column("collateralization_state", attrgetter("collateralization_state")),
             Column("trigger_below", lambda f: _triggers(f)[0], sql_type="REAL"),
             Column("trigger_above", lambda f: _triggers(f)[1], sql_type="REAL"),
             Column("customer_id", attrgetter("customer_id"))),
    publish=publish_facility, post=post_facility, ledger_tx_ids=facility_ledger_tx_ids,
    ledger_tx_refs=facility_ledger_tx_refs, state=facility.Facility, snapshot_every=50,
    permissions=required_permission,
)

INTEREST_ACCRUAL_CYCLE = Aggregate(
    kind=accrual_cycle.KIND,
    events=_named(accrual_cycle.KIND, (ev.AccrualCycleInitialized, "initialized"),
                  (ev.InterestAccrued, "interest-accrued"), (ev.InterestAccrualsPosted, "interest-accruals-posted")),
    apply=accrual_cycle.apply, decide=accrual_cycle.decide, commands=accrual_cycle.COMMANDS,
    creates=(cmd.StartAccrualCycle, cmd.ImportAccrualCycle),
    columns=(Column("facility_id", attrgetter("facility_id")),
             Column("accruing_from", accrual_cycle.accruing_from)),
    publish=publish_accrual_cycle, post=post_accrual_cycle, ledger_tx_ids=accrual_cycle_ledger_tx_ids,
    state=accrual_cycle.InterestAccrualCycle,
    permissions=required_permission,
)

DISBURSAL: Aggregate[disbursal.Disbursal, dev.DisbursalEvent, object] = Aggregate(
    kind="disbursal",
    events=_named("disbursal", (dev.DisbursalInitialized, "initialized"),
                  (dev.DisbursalApprovalConcluded, "approval-process-concluded"), (dev.DisbursalSettled, "settled"),
                  (dev.DisbursalCancelled, "cancelled"), (dev.StructuringFeeCharged, "structuring-fee-charged")),
    apply=disbursal.apply, decide=disbursal.decide, commands=disbursal.COMMANDS, creates=(cmd.InitiateDisbursal,),
    columns=(Column("facility_id", attrgetter("facility_id")), Column("status", attrgetter("status"))),
    publish=publish_disbursal, post=post_disbursal, ledger_tx_ids=disbursal_ledger_tx_ids, state=disbursal.Disbursal,
    permissions=required_permission,
)

OBLIGATION: Aggregate[obligation.Obligation, cev.ObligationEvent, object] = Aggregate(
    kind="obligation",
    events=_named("obligation", (cev.ObligationInitialized, "initialized"), (cev.DueRecorded, "due-recorded"),
                  (cev.OverdueRecorded, "overdue-recorded"), (cev.DefaultedRecorded, "defaulted-recorded"),
                  (cev.PaymentAllocated, "payment-allocated"), (cev.ObligationCompleted, "completed")),
    apply=obligation.apply, decide=obligation.decide, commands=obligation.COMMANDS,
    creates=(cmd.CreateObligation, cmd.ImportObligation),
    columns=(Column("beneficiary_id", attrgetter("beneficiary_id")),
             Column("obligation_type", attrgetter("obligation_type")), Column("status", attrgetter("status")),
             Column("effective", attrgetter("effective")), Column("reference", attrgetter("reference"), unique=True)),
    publish=publish_obligation, post=post_obligation, state=obligation.Obligation, alarm=obligation.alarm,
    alarm_priority="obligations", permissions=required_permission,
)

PAYMENT: Aggregate[payment.Payment, cev.PaymentInitialized, object] = Aggregate(
    kind="payment",
    events=_named("payment", (cev.PaymentInitialized, "initialized")),
    apply=payment.apply, decide=payment.decide, commands=payment.COMMANDS, creates=(cmd.RecordPayment,),
    columns=(Column("facility_id", attrgetter("facility_id")),),
    publish=publish_payment, post=post_payment, ledger_tx_ids=payment_ledger_tx_ids, state=payment.Payment,
    permissions=required_permission,
)

PAYMENT_ALLOCATION: Aggregate[payment.PaymentAllocation, cev.PaymentAllocationInitialized, object] = Aggregate(
    kind="payment-allocation",
    events=_named("payment-allocation", (cev.PaymentAllocationInitialized, "initialized")),
    apply=payment.apply_allocation, decide=payment.decide_allocation, commands=payment.ALLOCATION_COMMANDS,
    creates=(cmd.RecordAllocation,),
    columns=(Column("payment_id", attrgetter("payment_id")), Column("obligation_id", attrgetter("obligation_id"))),
    publish=publish_allocation, post=post_allocation, ledger_tx_ids=allocation_ledger_tx_ids,
    state=payment.PaymentAllocation,
    permissions=required_permission,
)

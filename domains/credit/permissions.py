"""The (object, action) a user must hold to issue each credit-module command (Lana's authz,
names from `domains/access/seed.py`). Commands Lana only issues from jobs (interest, obligation
aging, maturity) map to the nearest writer pair; system actors act unchecked anyway."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domains.credit import commands as c
from domains.credit.collateral import commands as lc
from domains.credit.facility.imported import ImportFacility

__all__ = ["PERMISSIONS", "required_permission"]

_TERMS, _PROPOSAL, _FACILITY = "terms-template/*", "credit-facility-proposal/*", "credit-facility/*"
_DISBURSAL, _OBLIGATION, _PAYMENT = "disbursal/*", "obligation/*", "payment/*"

PERMISSIONS: Mapping[type, tuple[str, str]] = MappingProxyType({
    c.CreateTermsTemplate: (_TERMS, "terms-template:create"),
    c.UpdateTermValues: (_TERMS, "terms-template:update"),
    c.CreateProposal: (_PROPOSAL, "credit-facility-proposal:create"),
    c.ConcludeCustomerApproval: (_PROPOSAL, "credit-facility-proposal:conclude"),
    c.ConcludeApprovalProcess: (_PROPOSAL, "credit-facility-proposal:conclude"),
    c.CreatePendingFacility: (_FACILITY, "credit-facility:create"),
    c.UpdatePendingCollateralization: (_FACILITY, "credit-facility:update-collateral"),
    c.CompletePendingFacility: (_FACILITY, "credit-facility:activate"),
    c.CreateCollateral: (_FACILITY, "credit-facility:create"),
    c.UpdateCollateral: (_FACILITY, "credit-facility:update-collateral"),
    c.ImportCollateral: (_FACILITY, "credit-facility:activate"),
    c.SyncCollateralFromCustodian: (_FACILITY, "credit-facility:update-collateral"),
    c.ReleaseCollateral: (_FACILITY, "credit-facility:complete"),
    c.ActivateFacility: (_FACILITY, "credit-facility:activate"),
    ImportFacility: (_FACILITY, "credit-facility:activate"),
    c.StartAccrualCycle: (_FACILITY, "credit-facility:record-interest"),
    c.ImportAccrualCycle: (_FACILITY, "credit-facility:activate"),
    c.AccrueInterest: (_FACILITY, "credit-facility:record-interest"),
    c.ConcludeAccrualCycle: (_FACILITY, "credit-facility:record-interest"),
    c.PostAccruedInterest: (_FACILITY, "credit-facility:record-interest"),
    c.UpdateCollateralization: (_FACILITY, "credit-facility:update-collateral"),
    c.ApplyLiquidationProceeds: (_FACILITY, "credit-facility:update-collateral"),
    c.RecordDisbursalInitiated: (_DISBURSAL, "disbursal:initiate"),
    c.RecordDisbursalCancelled: (_DISBURSAL, "disbursal:settle"),
    c.Mature: (_FACILITY, "credit-facility:complete"),
    c.CompleteFacility: (_FACILITY, "credit-facility:complete"),
    c.InitiateDisbursal: (_DISBURSAL, "disbursal:initiate"),
    c.ConcludeDisbursalApproval: (_DISBURSAL, "disbursal:settle"),
    c.CreateObligation: (_OBLIGATION, "obligation:update"),
    c.TransitionObligation: (_OBLIGATION, "obligation:update"),
    c.ImportObligation: (_FACILITY, "credit-facility:activate"),
    c.AllocatePayment: (_OBLIGATION, "obligation:update"),
    c.RecordPayment: (_PAYMENT, "payment:create"),
    c.RecordAllocation: (_PAYMENT, "payment:create"),
    # Lana's `collateral:record-liquidation-update`; the seeded sets carry no collateral object
    lc.StartLiquidation: (_FACILITY, "credit-facility:update-collateral"),
    lc.RecordCollateralSentOut: (_FACILITY, "credit-facility:update-collateral"),
    lc.RecordProceedsReceived: (_FACILITY, "credit-facility:update-collateral"),
    lc.UpdateCollateralViaLiquidation: (_FACILITY, "credit-facility:update-collateral"),
    lc.RecordLiquidationStarted: (_FACILITY, "credit-facility:update-collateral"),
    lc.RecordLiquidationCompleted: (_FACILITY, "credit-facility:update-collateral"),
})


def required_permission(command: object) -> tuple[str, str]:
    return PERMISSIONS[type(command)]

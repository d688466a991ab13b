"""Lana's admin read models of one facility, folded from the outbox: the repayment plan and the
history (`sim.credit.repayment_plan`, `sim.credit.history`, `lanasim show JOURNAL repayment-plan ID`)."""

from __future__ import annotations

from datetime import datetime

from domains.aggregate import Envelope
from domains.credit.collection.history import HistoryEntry, history
from domains.credit.collection.plan import CREATED, PlanEntry, repayment_plan
from engine.kernel.errors import UnknownEntity
from engine.kernel.outbox import Outbox

__all__ = ["VIEWS", "facility_envelopes", "facility_history", "facility_repayment_plan"]

# Where each public event names its facility (the id is shared by proposal, pending and active facility).
_BY_PATH = {
    "entity.id": ("core.credit.facility-proposal-created", "lanasim.credit.facility-imported",
                  "core.credit.facility-activated",
                  "core.credit.facility-collateralization-changed",
                  "core.credit.pending-credit-facility-collateralization-changed"),
    "entity.credit_facility_id": ("core.credit.accrual-posted", "core.credit.disbursal-settled"),
    "entity.beneficiary_id": ("core.credit-collection.obligation-created", "core.credit-collection.obligation-due",
                              "core.credit-collection.obligation-overdue",
                              "core.credit-collection.obligation-defaulted",
                              "core.credit-collection.obligation-completed",
                              "core.credit-collection.payment-allocation-created"),
    "entity.secured_loan_id": ("core.credit-collateral.collateral-updated",),
    "secured_loan_id": ("core.credit-collateral.liquidation-collateral-sent-out",
                        "core.credit-collateral.liquidation-proceeds-received"),
}


def facility_envelopes(outbox: Outbox, facility_id: str, as_of: str | None = None) -> list[Envelope]:
    """The facility's credit envelopes, oldest first, recorded at or before `as_of` (an ISO instant
    `YYYY-MM-DDTHH:MM:SSZ`; None: all). No proposal for the id, and no import of it: `UnknownEntity`
    (an imported facility has no proposal: its import states its terms and amount)."""
    found = [e for path, types in _BY_PATH.items() for e in outbox.tail(types=list(types), where={path: facility_id})]
    found.sort(key=lambda e: e["sequence"])
    if not any(e["event_type"] in CREATED for e in found):
        raise UnknownEntity(kind="credit-facility", id=facility_id)
    return [e for e in found if as_of is None or e["recorded_at"] <= as_of]


def facility_repayment_plan(outbox: Outbox, facility_id: str, now: datetime,
                            as_of: str | None = None) -> tuple[PlanEntry, ...]:
    return repayment_plan(facility_envelopes(outbox, facility_id, as_of), now)


def facility_history(outbox: Outbox, facility_id: str, now: datetime,
                     as_of: str | None = None) -> tuple[HistoryEntry, ...]:
    return history(facility_envelopes(outbox, facility_id, as_of))


VIEWS = {"repayment-plan": facility_repayment_plan, "history": facility_history}

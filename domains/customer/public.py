"""Public (outbox) events of the customer module, mapped from the entity events and states.

Spelt as Lana's serde writes them: customer type and KYC level as variant names (`Individual`), KYC
status and prospect stage kebab-case (`not-started`, `kyc-started`), customer status lower case.
"""

from __future__ import annotations

from domains.aggregate import Public
from domains.customer import events as ev
from domains.customer.customer import Customer
from domains.customer.party import Party
from domains.customer.prospect import Prospect
from domains.wire import kebab_value, pascal

__all__ = ["publish_customer", "publish_party", "publish_prospect"]

MODULE = "Customer"
_CUSTOMER = {ev.CustomerInitialized: "CustomerCreated", ev.CustomerFrozen: "CustomerFrozen",
             ev.CustomerUnfrozen: "CustomerUnfrozen", ev.CustomerClosed: "CustomerClosed",
             ev.CustomerKycLevelUpdated: "CustomerKycUpdated"}
_PARTY = {ev.PartyInitialized: "PartyCreated", ev.PartyEmailUpdated: "PartyEmailUpdated"}
_PROSPECT = {ev.ProspectInitialized: "ProspectCreated", ev.ProspectKycStarted: "ProspectKycStarted",
             ev.ProspectKycPending: "ProspectKycPending", ev.ProspectKycDeclined: "ProspectKycDeclined",
             ev.ProspectKycApproved: "ProspectConverted", ev.ProspectManuallyConverted: "ProspectConverted",
             ev.ProspectClosed: "ProspectClosed"}


def publish_customer(c: Customer, event: ev.CustomerEvent) -> tuple[Public, ...]:
    entity: dict[str, object] = {"id": c.id, "party_id": c.party_id, "customer_type": pascal(c.customer_type),
                                 "status": c.status.value, "kyc_level": pascal(c.level)}
    return _one(_CUSTOMER.get(type(event)), entity)


def publish_party(p: Party, event: ev.PartyEvent) -> tuple[Public, ...]:
    """A telegram handle change is not public in Lana."""
    entity: dict[str, object] = {"id": p.id, "email": p.email, "customer_type": pascal(p.customer_type)}
    return _one(_PARTY.get(type(event)), entity)


def publish_prospect(p: Prospect, event: ev.ProspectEvent) -> tuple[Public, ...]:
    """KycOnHold has no public variant in Lana."""
    entity: dict[str, object] = {"id": p.id, "party_id": p.party_id, "status": p.status.value,
                                 "kyc_status": kebab_value(p.kyc_status), "stage": kebab_value(p.stage)}
    return _one(_PROSPECT.get(type(event)), entity)


def _one(name: str | None, entity: dict[str, object]) -> tuple[Public, ...]:
    return () if name is None else (Public(MODULE, name, {"entity": entity}),)

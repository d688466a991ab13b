"""The customer module's aggregates as the engine hosts them: stored names, commands, columns."""

from __future__ import annotations

from operator import attrgetter

from domains.aggregate import Aggregate, Column, EventType
from domains.customer import customer, party, prospect
from domains.customer import events as ev
from domains.customer.commands import CreateCustomer, CreateParty, CreateProspect
from domains.customer.permissions import required_permission
from domains.customer.public import publish_customer, publish_party, publish_prospect

__all__ = ["CUSTOMER", "PARTY", "PROSPECT"]


def _named(prefix: str, *pairs: tuple[type, str]) -> tuple[EventType, ...]:
    return tuple(EventType(cls, f"customer.{prefix}.{name}", 1) for cls, name in pairs)


PARTY: Aggregate[party.Party, ev.PartyEvent, party.PartyCommand] = Aggregate(
    kind="party",
    events=_named("party", (ev.PartyInitialized, "initialized"), (ev.PartyEmailUpdated, "email-updated"),
                  (ev.PartyTelegramHandleUpdated, "telegram-handle-updated")),
    apply=party.apply, decide=party.decide, commands=party.COMMANDS, creates=(CreateParty,),
    columns=(Column("email", attrgetter("email"), unique=True),),
    publish=publish_party, state=party.Party,
    permissions=required_permission,
)

PROSPECT: Aggregate[prospect.Prospect, ev.ProspectEvent, object] = Aggregate(
    kind="prospect",
    events=_named("prospect", (ev.ProspectInitialized, "initialized"), (ev.ProspectKycStarted, "kyc-started"),
                  (ev.ProspectKycPending, "kyc-pending"), (ev.ProspectKycOnHold, "kyc-on-hold"),
                  (ev.ProspectKycApproved, "kyc-approved"), (ev.ProspectKycDeclined, "kyc-declined"),
                  (ev.ProspectManuallyConverted, "manually-converted"), (ev.ProspectClosed, "closed")),
    apply=prospect.apply, decide=prospect.decide, commands=prospect.COMMANDS, creates=(CreateProspect,),
    columns=(Column("party_id", attrgetter("party_id")), Column("stage", attrgetter("stage"))),
    publish=publish_prospect, state=prospect.Prospect,
    permissions=required_permission,
)

CUSTOMER: Aggregate[customer.Customer, ev.CustomerEvent, object] = Aggregate(
    kind="customer",
    events=_named("customer", (ev.CustomerInitialized, "initialized"), (ev.CustomerFrozen, "frozen"),
                  (ev.CustomerUnfrozen, "unfrozen"), (ev.CustomerClosed, "closed"),
                  (ev.CustomerKycLevelUpdated, "kyc-level-updated")),
    apply=customer.apply, decide=customer.decide, commands=customer.COMMANDS, creates=(CreateCustomer,),
    columns=(Column("party_id", attrgetter("party_id")), Column("status", attrgetter("status"))),
    publish=publish_customer, state=customer.Customer,
    permissions=required_permission,
)

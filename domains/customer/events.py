"""Stored events of Party, Prospect and Customer (Lana `core/customer` entity events)."""

from __future__ import annotations

import attrs

from domains.customer.primitives import Conversion, CustomerStatus, CustomerType, KycLevel, ProspectStage

__all__ = [
    "CustomerClosed", "CustomerEvent", "CustomerFrozen", "CustomerInitialized",
    "CustomerKycLevelUpdated", "CustomerUnfrozen", "PartyEmailUpdated", "PartyEvent",
    "PartyInitialized", "PartyTelegramHandleUpdated", "ProspectClosed", "ProspectEvent",
    "ProspectInitialized", "ProspectKycApproved", "ProspectKycDeclined", "ProspectKycOnHold",
    "ProspectKycPending", "ProspectKycStarted", "ProspectManuallyConverted",
]


@attrs.frozen
class PartyInitialized:
    """A party (the person or company behind prospects and customers) was registered."""

    id: str
    email: str
    telegram_handle: str
    customer_type: CustomerType


@attrs.frozen
class PartyEmailUpdated:
    """The party's email was changed."""

    email: str


@attrs.frozen
class PartyTelegramHandleUpdated:
    """The party's telegram handle was changed."""

    telegram_handle: str


PartyEvent = PartyInitialized | PartyEmailUpdated | PartyTelegramHandleUpdated


@attrs.frozen
class ProspectInitialized:
    """A prospect was opened for a party, at stage New."""

    id: str
    party_id: str
    customer_type: CustomerType
    stage: ProspectStage


@attrs.frozen
class ProspectKycStarted:
    """The prospect began KYC with a Sumsub applicant."""

    applicant_id: str
    stage: ProspectStage


@attrs.frozen
class ProspectKycPending:
    """The prospect's KYC review became pending."""

    stage: ProspectStage


@attrs.frozen
class ProspectKycOnHold:
    """The prospect's KYC review was put on hold."""

    stage: ProspectStage


@attrs.frozen
class ProspectKycApproved:
    """KYC was approved: the prospect converted to a customer at this level."""

    level: KycLevel
    stage: ProspectStage


@attrs.frozen
class ProspectKycDeclined:
    """KYC was declined."""

    stage: ProspectStage


@attrs.frozen
class ProspectManuallyConverted:
    """An operator converted the prospect to a customer without KYC."""

    stage: ProspectStage


@attrs.frozen
class ProspectClosed:
    """The prospect was closed without becoming a customer."""

    stage: ProspectStage


ProspectEvent = (ProspectInitialized | ProspectKycStarted | ProspectKycPending | ProspectKycOnHold
                 | ProspectKycApproved | ProspectKycDeclined | ProspectManuallyConverted | ProspectClosed)


@attrs.frozen
class CustomerInitialized:
    """A customer was created from a converted prospect (or bypassing KYC)."""

    id: str
    party_id: str
    customer_type: CustomerType
    conversion: Conversion
    level: KycLevel


@attrs.frozen
class CustomerFrozen:
    """The customer was frozen: no new products."""

    status: CustomerStatus


@attrs.frozen
class CustomerUnfrozen:
    """The customer was unfrozen."""

    status: CustomerStatus


@attrs.frozen
class CustomerClosed:
    """The customer was closed for good."""

    status: CustomerStatus


@attrs.frozen
class CustomerKycLevelUpdated:
    """A later KYC review set a new level (lanasim: Lana publishes CustomerKycUpdated)."""

    level: KycLevel


CustomerEvent = CustomerInitialized | CustomerFrozen | CustomerUnfrozen | CustomerClosed | CustomerKycLevelUpdated

"""Value types of the customer module: customer types, KYC levels and stages, conversion."""

from __future__ import annotations

import enum

import attrs

__all__ = [
    "Conversion",
    "ConversionMethod",
    "CustomerStatus",
    "CustomerType",
    "KycLevel",
    "KycStatus",
    "ProspectStage",
    "ProspectStatus",
    "stage_of",
]


class CustomerType(str, enum.Enum):
    INDIVIDUAL = "individual"
    GOVERNMENT_ENTITY = "government_entity"
    PRIVATE_COMPANY = "private_company"
    BANK = "bank"
    FINANCIAL_INSTITUTION = "financial_institution"
    FOREIGN_AGENCY_OR_SUBSIDIARY = "foreign_agency_or_subsidiary"
    NON_DOMICILED_COMPANY = "non_domiciled_company"


class KycLevel(str, enum.Enum):
    NOT_KYCED = "not_kyced"
    BASIC = "basic"
    ADVANCED = "advanced"


class CustomerStatus(str, enum.Enum):
    ACTIVE = "active"
    FROZEN = "frozen"
    CLOSED = "closed"


class KycStatus(str, enum.Enum):
    NOT_STARTED = "not_started"
    STARTED = "started"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    APPROVED = "approved"
    DECLINED = "declined"


class ProspectStatus(str, enum.Enum):
    OPEN = "open"
    CONVERTED = "converted"
    CLOSED = "closed"


class ProspectStage(str, enum.Enum):
    NEW = "new"
    KYC_STARTED = "kyc_started"
    KYC_PENDING = "kyc_pending"
    KYC_ON_HOLD = "kyc_on_hold"
    KYC_DECLINED = "kyc_declined"
    CONVERTED = "converted"
    CLOSED = "closed"


class ConversionMethod(str, enum.Enum):
    SUMSUB_APPROVED = "sumsub_approved"
    MANUALLY_CONVERTED = "manually_converted"


@attrs.frozen
class Conversion:
    """How a prospect became a customer (Lana `CustomerConversion`); applicant only for Sumsub."""

    method: ConversionMethod
    applicant_id: str | None = None


_OPEN_STAGE = {KycStatus.NOT_STARTED: ProspectStage.NEW, KycStatus.STARTED: ProspectStage.KYC_STARTED,
               KycStatus.PENDING: ProspectStage.KYC_PENDING, KycStatus.ON_HOLD: ProspectStage.KYC_ON_HOLD,
               KycStatus.DECLINED: ProspectStage.KYC_DECLINED, KycStatus.APPROVED: ProspectStage.NEW}


def stage_of(status: ProspectStatus, kyc_status: KycStatus) -> ProspectStage:
    """Lana `compute_stage`: closed and converted win, else the KYC status decides."""
    if status is ProspectStatus.OPEN:
        return _OPEN_STAGE[kyc_status]
    return ProspectStage.CLOSED if status is ProspectStatus.CLOSED else ProspectStage.CONVERTED

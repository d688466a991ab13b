"""Commands of the customer module; each validates its fields on construction."""

from __future__ import annotations

import re

import attrs

from domains.customer.errors import EmptyValue, InvalidCustomerType, InvalidEmail, InvalidKycLevel
from domains.customer.primitives import Conversion, CustomerType, KycLevel
from domains.validators import bounded_text, instance_of, required

__all__ = [
    "ApproveKyc", "CloseCustomer", "CloseProspect", "ConvertManually", "CreateCustomer",
    "CreateParty", "CreateProspect", "DeclineKyc", "FreezeCustomer", "MarkKycPending",
    "PutKycOnHold", "StartKyc", "UnfreezeCustomer", "UpdateEmail", "UpdateKycLevel",
    "UpdateTelegramHandle",
]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _email(value: object) -> str:
    if not isinstance(value, str) or not _EMAIL.fullmatch(value):
        raise InvalidEmail(value=value)
    return bounded_text("email", value)


def _customer_type(value: object) -> CustomerType:
    try:
        return CustomerType(value)
    except ValueError:
        raise InvalidCustomerType(value=value) from None


def _level(value: object) -> KycLevel:
    try:
        return KycLevel(value)
    except ValueError:
        raise InvalidKycLevel(value=value) from None


_required = required(EmptyValue)


def _text(_: object, attribute: attrs.Attribute, value: object) -> None:
    """Text that may be empty, of at most `MAX_TEXT` characters."""
    bounded_text(attribute.name, value)


@attrs.frozen
class CreateParty:
    id: str = attrs.field(validator=_required)
    email: str = attrs.field(converter=_email)
    customer_type: CustomerType = attrs.field(converter=_customer_type)
    telegram_handle: str = attrs.field(default="", validator=_text)


@attrs.frozen
class UpdateEmail:
    email: str = attrs.field(converter=_email)


@attrs.frozen
class UpdateTelegramHandle:
    telegram_handle: str = attrs.field(validator=_text)


@attrs.frozen
class CreateProspect:
    id: str = attrs.field(validator=_required)
    party_id: str = attrs.field(validator=_required)
    customer_type: CustomerType = attrs.field(converter=_customer_type)


@attrs.frozen
class StartKyc:
    applicant_id: str = attrs.field(validator=_required)


@attrs.frozen
class MarkKycPending:
    pass


@attrs.frozen
class PutKycOnHold:
    pass


@attrs.frozen
class ApproveKyc:
    applicant_id: str = attrs.field(validator=_required)
    level: KycLevel = attrs.field(converter=_level, default=KycLevel.BASIC)


@attrs.frozen
class DeclineKyc:
    applicant_id: str = attrs.field(validator=_required)


@attrs.frozen
class ConvertManually:
    """`allow_manual_conversion` carries Lana's domain config (default false)."""

    allow_manual_conversion: bool = attrs.field(default=False, validator=instance_of(bool, "bool"))


@attrs.frozen
class CloseProspect:
    pass


@attrs.frozen
class CreateCustomer:
    id: str = attrs.field(validator=_required)
    party_id: str = attrs.field(validator=_required)
    customer_type: CustomerType = attrs.field(converter=_customer_type)
    conversion: Conversion
    level: KycLevel = attrs.field(converter=_level)


@attrs.frozen
class FreezeCustomer:
    pass


@attrs.frozen
class UnfreezeCustomer:
    pass


@attrs.frozen
class CloseCustomer:
    pass


@attrs.frozen
class UpdateKycLevel:
    level: KycLevel = attrs.field(converter=_level)

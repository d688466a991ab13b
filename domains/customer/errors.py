"""Typed refusals of the customer module; every leaf carries the fields that explain it."""

from __future__ import annotations

from typing import TypeVar

from domains.aggregate import Refusal

S = TypeVar("S")

__all__ = [
    "AlreadyClosed",
    "AlreadyConverted",
    "ApplicantIdMismatch",
    "CustomerError",
    "CustomerIsClosed",
    "EmptyValue",
    "InvalidCustomerType",
    "InvalidEmail",
    "InvalidKycLevel",
    "KycNotStarted",
    "ManualConversionNotAllowed",
    "NotInitialized",
    "require",
]


class CustomerError(Refusal):
    """Base of every customer-module refusal."""


class InvalidEmail(CustomerError):
    """The email is not of the shape `local@domain.tld` (field: value)."""


class InvalidCustomerType(CustomerError):
    """Not one of Lana's customer types (field: value)."""


class InvalidKycLevel(CustomerError):
    """Not one of NotKyced, Basic, Advanced (field: value)."""


class EmptyValue(CustomerError):
    """A required text field is empty (field: field)."""


class NotInitialized(CustomerError):
    """A command reached an entity before its first event (field: kind)."""


class CustomerIsClosed(CustomerError):
    """A closed customer can be neither frozen nor unfrozen (field: id)."""


class AlreadyConverted(CustomerError):
    """The prospect already became a customer (fields: id, stage)."""


class AlreadyClosed(CustomerError):
    """The prospect was closed (fields: id, stage)."""


class KycNotStarted(CustomerError):
    """KYC was approved or declined before it started (fields: id, stage)."""


class ApplicantIdMismatch(CustomerError):
    """The Sumsub applicant differs from the one KYC started with (fields: expected, actual)."""


class ManualConversionNotAllowed(CustomerError):
    """Domain config `allow-manual-conversion` is off (fields: id, config)."""


def require(state: S | None, kind: str) -> S:
    """The state of an entity that must exist (the engine refuses unknown ids before this)."""
    if state is None:
        raise NotInitialized(kind=kind)
    return state

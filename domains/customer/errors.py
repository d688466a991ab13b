"""Typed refusals of the customer module; every leaf carries the fields that explain it."""

from __future__ import annotations

from domains.aggregate import Refusal

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
    """A closed customer can be neither frozen nor unfrozen (field: status)."""


class AlreadyConverted(CustomerError):
    """The prospect already became a customer (field: stage)."""


class AlreadyClosed(CustomerError):
    """The prospect was closed (field: stage)."""


class KycNotStarted(CustomerError):
    """KYC was approved or declined before it started (field: stage)."""


class ApplicantIdMismatch(CustomerError):
    """The Sumsub applicant differs from the one KYC started with (fields: expected, actual)."""


class ManualConversionNotAllowed(CustomerError):
    """Domain config `allow-manual-conversion` is off (field: config)."""

"""Dated payments (Lana's `record_payment_with_date`): the effective date an operator may give a
payment, from the facility's activation day to today, both included."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domains.credit.errors import CreditError
from domains.validators import WrongType

__all__ = ["PaymentDateOutOfRange", "payment_date"]


class PaymentDateOutOfRange(CreditError):
    """A payment dated before the facility's activation day or after today (facility_id, effective,
    earliest, latest)."""


def payment_date(facility_id: str, activated_on: date, today: date, effective: date | str | None) -> date:
    """The payment's effective date: `effective` (a date or `YYYY-MM-DD`; a datetime, such as
    `sim.now`, is its UTC day, a naive one read as UTC) when it lies in [activation day, today],
    today when it is None; a day outside that range is `PaymentDateOutOfRange`. A value that names no
    day at all (`"x"`, `5`) is `WrongType`: it was `PaymentDateOutOfRange`, naming a range as if the
    value were a day outside it. A datetime was refused before, naming a range that held its day.

    Lana (lana-bank `core/credit/src/credit_facility/entity.rs`, `assert_payment_date_allowed`) refuses only a
    date before activation and so books a payment dated in the future, whose ledger entries sit ahead
    of every balance read today. That is a bug: a payment not yet received is refused here too.
    """
    if effective is None:
        return today
    day = _day(effective) if isinstance(effective, str) else _utc_day(effective)
    if type(day) is not date:
        raise WrongType(field="effective", value=effective, expected="a date, a datetime or YYYY-MM-DD text")
    if not activated_on <= day <= today:
        raise PaymentDateOutOfRange(facility_id=facility_id, effective=effective, earliest=activated_on,
                                    latest=today)
    return day


def _utc_day(value: object) -> object:
    """A datetime's UTC day (naive: read as UTC, as `Simulation` reads instants); anything else as given."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).date()
    return value


def _day(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text  # refused below with the text as given

"""Dated payments (Lana's `record_payment_with_date`): the effective date an operator may give a
payment, from the facility's activation day to today, both included."""

from __future__ import annotations

from datetime import date

from domains.credit.errors import CreditError

__all__ = ["PaymentDateOutOfRange", "payment_date"]


class PaymentDateOutOfRange(CreditError):
    """A payment dated before the facility's activation day or after today (facility_id, effective,
    earliest, latest)."""


def payment_date(facility_id: str, activated_on: date, today: date, effective: date | str | None) -> date:
    """The payment's effective date: `effective` (a date or `YYYY-MM-DD`) when it lies in
    [activation day, today], today when it is None; else `PaymentDateOutOfRange`.

    Lana (lana-bank `core/credit/src/credit_facility/entity.rs`, `assert_payment_date_allowed`) refuses only a
    date before activation and so books a payment dated in the future, whose ledger entries sit ahead
    of every balance read today. That is a bug: a payment not yet received is refused here too.
    """
    if effective is None:
        return today
    if isinstance(effective, str):
        effective = _day(effective)
    if type(effective) is not date or not activated_on <= effective <= today:
        raise PaymentDateOutOfRange(facility_id=facility_id, effective=effective, earliest=activated_on,
                                    latest=today)
    return effective


def _day(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text  # refused below with the text as given

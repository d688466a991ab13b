"""Terms and accrual periods in the shape of Lana's public payloads (serde's), and terms back from it:
what proposal, pending-facility and imported-facility envelopes carry, and accrual postings' periods."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from domains.credit.errors import InvalidTerms
from domains.credit.periods import Period
from domains.credit.terms import DisbursalPolicy, InterestInterval, TermValues
from domains.wire import from_pascal, pascal

__all__ = ["period_payload", "terms_from_payload", "terms_payload"]

_RATES = ("annual_rate", "one_time_fee_rate")  # a decimal as its string: "12"
_CVLS = ("initial_cvl", "margin_call_cvl", "liquidation_cvl")  # {"Finite": "140"} (Lana's "Infinite": refused)
_INTERVALS = ("accrual_interval", "accrual_cycle_interval")  # {"type": "end_of_month"}
_DAYS = ("interest_due_duration_from_accrual",)  # {"type": "days", "value": 30}
_OPTIONAL_DAYS = ("obligation_overdue_duration_from_due", "obligation_liquidation_duration_from_due",
                  "obligation_defaulted_duration_from_due")  # the same, or null


def terms_payload(t: TermValues) -> dict[str, object]:
    """Lana's `TermValues` JSON: duration `{"type": "months", "value": 3}`, CVLs `{"Finite": "140"}`,
    intervals `{"type": "end_of_day"}`, obligation durations `{"type": "days", "value": 50}` or null,
    `disbursal_policy` "SingleDisbursal". `obligation_defaulted_duration_from_due` is lanasim's own."""
    return {"annual_rate": str(t.annual_rate), "duration": {"type": "months", "value": t.duration},
            "initial_cvl": _cvl(t.initial_cvl), "margin_call_cvl": _cvl(t.margin_call_cvl),
            "liquidation_cvl": _cvl(t.liquidation_cvl), "one_time_fee_rate": str(t.one_time_fee_rate),
            "accrual_interval": {"type": t.accrual_interval.value},
            "accrual_cycle_interval": {"type": t.accrual_cycle_interval.value},
            "interest_due_duration_from_accrual": _days(t.interest_due_duration_from_accrual),
            "obligation_overdue_duration_from_due": _days(t.obligation_overdue_duration_from_due),
            "obligation_liquidation_duration_from_due": _days(t.obligation_liquidation_duration_from_due),
            "obligation_defaulted_duration_from_due": _days(t.obligation_defaulted_duration_from_due),
            "disbursal_policy": pascal(t.disbursal_policy)}


def _cvl(value: Decimal) -> dict[str, str]:
    return {"Finite": str(value)}


def _days(value: int | None) -> dict[str, object] | None:
    return None if value is None else {"type": "days", "value": value}


def period_payload(period: Period, interval: InterestInterval, maturity: date) -> dict[str, object]:
    """Lana's `InterestPeriod`: `start` the first charged day's first instant, `end` the last whole
    second of the last charged day, or the maturity day's first instant when the period ends on
    it (Lana cuts a cycle at maturity's start of day and still charges that day)."""
    end = "T00:00:00Z" if period.end == maturity else "T23:59:59Z"
    return {"interval": {"type": interval.value}, "start": f"{period.start.isoformat()}T00:00:00Z",
            "end": period.end.isoformat() + end}


def terms_from_payload(values: Mapping[str, object]) -> TermValues:
    """The `TermValues` of a payload written as `terms_payload` writes it (keys it does not know are
    ignored); a missing field or a value of another shape is `InvalidTerms` naming the field."""
    if not isinstance(values, Mapping):
        raise InvalidTerms(field="terms", value=values, problem="must be an object of TermValues")
    read: dict[str, object] = {name: _decimal(name, _field(values, name)) for name in _RATES}
    read |= {name: _decimal(name, _tagged(values, name, "Finite")) for name in _CVLS}
    read["duration"] = _whole(values, "duration", "months")
    read |= {name: _interval(values, name) for name in _INTERVALS}
    read |= {name: _whole(values, name, "days") for name in _DAYS}
    read |= {name: None if values.get(name) is None else _whole(values, name, "days") for name in _OPTIONAL_DAYS}
    read["disbursal_policy"] = _policy(values)
    return TermValues(**read)  # type: ignore[arg-type]  # each value checked by its field's validator


def _field(values: Mapping[str, object], name: str) -> object:
    if name not in values:
        raise InvalidTerms(field=name, value=None, problem="is missing")
    return values[name]


def _tagged(values: Mapping[str, object], name: str, tag: str) -> object:
    value = _field(values, name)
    if not isinstance(value, Mapping) or tag not in value:
        raise InvalidTerms(field=name, value=value, problem=f"must be an object with {tag!r}")
    return value[tag]


def _whole(values: Mapping[str, object], name: str, unit: str) -> object:
    value = _field(values, name)
    if not isinstance(value, Mapping) or value.get("type") != unit or "value" not in value:
        raise InvalidTerms(field=name, value=value, problem=f'must be {{"type": "{unit}", "value": N}}')
    return value["value"]


def _interval(values: Mapping[str, object], name: str) -> InterestInterval:
    value = _field(values, name)
    try:
        return InterestInterval(value.get("type") if isinstance(value, Mapping) else None)
    except ValueError:
        raise InvalidTerms(field=name, value=value,
                           problem='must be {"type": "end_of_day"} or {"type": "end_of_month"}') from None


def _policy(values: Mapping[str, object]) -> DisbursalPolicy:
    value = _field(values, "disbursal_policy")
    try:
        return DisbursalPolicy(from_pascal(value) if isinstance(value, str) else None)
    except ValueError:
        raise InvalidTerms(field="disbursal_policy", value=value,
                           problem='must be "SingleDisbursal" or "MultipleDisbursal"') from None


def _decimal(name: str, value: object) -> Decimal:
    """A decimal written as a string (or a whole number); a float would not be exact."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return Decimal(value)
        except InvalidOperation:
            pass
    raise InvalidTerms(field=name, value=value, problem="must be a decimal number written as a string")

"""Commands of the report module; each validates its fields on construction."""

from __future__ import annotations

from datetime import date

import attrs

from domains.report.errors import EmptyValue, InvalidRunState, InvalidRunType
from domains.report.primitives import ReportFile, ReportRunState, ReportRunType
from domains.validators import required

__all__ = ["CreateReport", "CreateReportRun", "UpdateReportRunState"]


def _run_type(value: object) -> ReportRunType:
    try:
        return ReportRunType(value)
    except ValueError:
        raise InvalidRunType(value=value) from None


def _run_state(value: object) -> ReportRunState:
    try:
        return ReportRunState(value)
    except ValueError:
        raise InvalidRunState(value=value) from None


_required = required(EmptyValue)


def _files(_: object, attribute: attrs.Attribute, value: object) -> None:
    if not isinstance(value, tuple) or not value or not all(isinstance(f, ReportFile) for f in value):
        raise EmptyValue(field=attribute.name)


@attrs.frozen
class CreateReportRun:
    id: str = attrs.field(validator=_required)
    external_id: str = attrs.field(validator=_required)
    run_type: ReportRunType = attrs.field(converter=_run_type)
    requested_report: str | None = None
    requested_as_of_date: date | None = None


@attrs.frozen
class UpdateReportRunState:
    state: ReportRunState = attrs.field(converter=_run_state)


@attrs.frozen
class CreateReport:
    id: str = attrs.field(validator=_required)
    run_id: str = attrs.field(validator=_required)
    name: str = attrs.field(validator=_required)
    norm: str = attrs.field(validator=_required)
    files: tuple[ReportFile, ...] = attrs.field(validator=_files)

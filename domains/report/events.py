"""Stored events of ReportRun and Report (Lana `core/report` entity events)."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from domains.report.primitives import ReportFile, ReportRunState, ReportRunType

__all__ = ["ReportEvent", "ReportInitialized", "ReportRunEvent", "ReportRunInitialized", "ReportRunStateUpdated"]


@attrs.frozen
class ReportRunInitialized:
    """A report run was requested and queued (Lana: a Dagster run, `external_id` its run id)."""

    id: str
    external_id: str
    state: ReportRunState
    run_type: ReportRunType
    start_time: datetime | None
    requested_report: str | None
    requested_as_of_date: date | None


@attrs.frozen
class ReportRunStateUpdated:
    """The run moved to `state`; `start_time` is when it began running (None while queued)."""

    state: ReportRunState
    run_type: ReportRunType
    start_time: datetime | None


ReportRunEvent = ReportRunInitialized | ReportRunStateUpdated


@attrs.frozen
class ReportInitialized:
    """A run produced a report: its name, the regulatory norm it answers and its files."""

    id: str
    run_id: str
    name: str
    norm: str
    files: tuple[ReportFile, ...]


ReportEvent = ReportInitialized

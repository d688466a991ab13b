"""Report module (Lana `core/report`): report runs and the reports they produce.

A run publishes ephemeral `ReportRunCreated` / `ReportRunStateUpdated` events
(`core.report.report-run-*`); the engine (`engine/report.py`) reads the journal and writes files.
"""

from __future__ import annotations

from domains.report.commands import CreateReport, CreateReportRun, UpdateReportRunState
from domains.report.errors import (
    EmptyValue,
    InvalidRunState,
    InvalidRunType,
    InvalidStateTransition,
    NotInitialized,
    ReportError,
    UnknownReport,
)
from domains.report.events import (
    ReportEvent,
    ReportInitialized,
    ReportRunEvent,
    ReportRunInitialized,
    ReportRunStateUpdated,
)
from domains.report.primitives import ReportFile, ReportRunState, ReportRunType
from domains.report.registry import REPORT, REPORT_RUN
from domains.report.report import Report
from domains.report.report_run import ReportRun

AGGREGATES = (REPORT_RUN, REPORT)

__all__ = [
    "AGGREGATES",
    "CreateReport",
    "CreateReportRun",
    "EmptyValue",
    "InvalidRunState",
    "InvalidRunType",
    "InvalidStateTransition",
    "NotInitialized",
    "REPORT",
    "REPORT_RUN",
    "Report",
    "ReportError",
    "ReportEvent",
    "ReportFile",
    "ReportInitialized",
    "ReportRun",
    "ReportRunEvent",
    "ReportRunInitialized",
    "ReportRunState",
    "ReportRunStateUpdated",
    "ReportRunType",
    "UnknownReport",
    "UpdateReportRunState",
]

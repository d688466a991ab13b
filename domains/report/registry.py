"""The report module's aggregates as the engine hosts them: stored names, commands, columns."""

from __future__ import annotations

from operator import attrgetter

from domains.aggregate import Aggregate, Column, EventType
from domains.report import events as ev
from domains.report import report, report_run
from domains.report.commands import CreateReport, CreateReportRun, UpdateReportRunState
from domains.report.permissions import required_permission
from domains.report.public import publish_report_run

__all__ = ["REPORT", "REPORT_RUN"]

REPORT_RUN: Aggregate[report_run.ReportRun, ev.ReportRunEvent, CreateReportRun | UpdateReportRunState] = Aggregate(
    kind="report-run",
    events=(EventType(ev.ReportRunInitialized, "report.report-run.initialized", 1),
            EventType(ev.ReportRunStateUpdated, "report.report-run.state-updated", 1)),
    apply=report_run.apply, decide=report_run.decide, commands=report_run.COMMANDS, creates=(CreateReportRun,),
    columns=(Column("state", attrgetter("state")), Column("requested_report", attrgetter("requested_report"))),
    publish=publish_report_run, permissions=required_permission, state=report_run.ReportRun,
)

REPORT: Aggregate[report.Report, ev.ReportEvent, CreateReport] = Aggregate(
    kind="report",
    events=(EventType(ev.ReportInitialized, "report.report.initialized", 1),),
    apply=report.apply, decide=report.decide, commands=report.COMMANDS, creates=(CreateReport,),
    columns=(Column("run_id", attrgetter("run_id")), Column("name", attrgetter("name"))),
    permissions=required_permission, state=report.Report,
)

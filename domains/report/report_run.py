"""ReportRun: one request to produce a report, moving queued -> running -> success | failed."""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.report import events as ev
from domains.report.commands import CreateReportRun, UpdateReportRunState
from domains.report.errors import InvalidStateTransition, require
from domains.report.primitives import ReportRunState, ReportRunType

__all__ = ["COMMANDS", "ReportRun", "apply", "decide"]

COMMANDS = (CreateReportRun, UpdateReportRunState)

_QUEUED, _RUNNING = ReportRunState.QUEUED, ReportRunState.RUNNING
_SUCCESS, _FAILED = ReportRunState.SUCCESS, ReportRunState.FAILED
_NEXT = {_QUEUED: (_RUNNING, _FAILED), _RUNNING: (_SUCCESS, _FAILED), _SUCCESS: (), _FAILED: ()}


@attrs.frozen
class ReportRun:
    id: str
    external_id: str
    state: ReportRunState
    run_type: ReportRunType
    start_time: datetime | None
    requested_report: str | None
    requested_as_of_date: date | None

    @property
    def finished(self) -> bool:
        return not _NEXT[self.state]


def apply(state: ReportRun | None, event: ev.ReportRunEvent) -> ReportRun:
    match event:
        case ev.ReportRunInitialized():
            return ReportRun(event.id, event.external_id, event.state, event.run_type, event.start_time,
                             event.requested_report, event.requested_as_of_date)
        case ev.ReportRunStateUpdated(state=s, run_type=run_type, start_time=start):
            return evolve(require(state, "report-run"), state=s, run_type=run_type, start_time=start)
        case _:
            assert_never(event)


def decide(state: ReportRun | None, command: CreateReportRun | UpdateReportRunState,
           at: datetime) -> tuple[ev.ReportRunEvent, ...]:
    match command:
        case CreateReportRun():
            return () if state is not None else (ev.ReportRunInitialized(
                command.id, command.external_id, _QUEUED, command.run_type, None, command.requested_report,
                command.requested_as_of_date),)
        case UpdateReportRunState(state=requested):
            return _move(require(state, "report-run"), requested, at)
        case _:
            assert_never(command)


def _move(run: ReportRun, requested: ReportRunState, at: datetime) -> tuple[ev.ReportRunEvent, ...]:
    """Already applied when the run is in that state; the start time is set on starting to run."""
    if run.state is requested:
        return ()
    if requested not in _NEXT[run.state]:
        raise InvalidStateTransition(run_id=run.id, current=run.state, requested=requested)
    start = at if requested is _RUNNING else run.start_time
    return (ev.ReportRunStateUpdated(requested, run.run_type, start),)

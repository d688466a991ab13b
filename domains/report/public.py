"""Public (outbox) events of the report module: a run's creation and state changes, ephemeral."""

from __future__ import annotations

from domains.aggregate import Public
from domains.report import events as ev
from domains.report.report_run import ReportRun

__all__ = ["publish_report_run"]

MODULE = "Report"
_NAMES = {ev.ReportRunInitialized: "ReportRunCreated", ev.ReportRunStateUpdated: "ReportRunStateUpdated"}


def publish_report_run(run: ReportRun, event: ev.ReportRunEvent) -> tuple[Public, ...]:
    """Latest-value events (Lana `core.report.report-run`): a consumer only needs the newest."""
    as_of = run.requested_as_of_date
    entity: dict[str, object] = {
        "id": run.id, "external_id": run.external_id, "state": run.state.value, "run_type": run.run_type.value,
        "requested_report": run.requested_report, "requested_as_of_date": None if as_of is None else as_of.isoformat(),
    }
    return (Public(MODULE, _NAMES[type(event)], {"entity": entity}, ephemeral=True),)

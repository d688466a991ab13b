"""Public (outbox) events of the report module: a run's creation and state changes, ephemeral and
untagged as Lana's `CoreReportEvent` is: `{"module": "Report", "ReportRunCreated": {"entity": {...}}}`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from domains.aggregate import Public
from domains.report import events as ev
from domains.report.report_run import ReportRun

__all__ = ["Publish", "publish_report_run", "report_run_publisher"]

MODULE = "Report"
_NAMES = {ev.ReportRunInitialized: "ReportRunCreated", ev.ReportRunStateUpdated: "ReportRunStateUpdated"}

Publish = Callable[[ReportRun, ev.ReportRunEvent], tuple[Public, ...]]


def report_run_publisher(norms: Mapping[str, str]) -> Publish:
    """The publisher of report runs whose reports answer `norms` (report name -> norm).

    A run names its report as Lana's `RequestedReport{report_definition_id: "<norm>/<name>", norm,
    name}`; a name without a norm (a report the bank does not define, whose run fails) as null, as
    Lana refuses such a request before any run exists.
    """

    def publish(run: ReportRun, event: ev.ReportRunEvent) -> tuple[Public, ...]:
        """Latest-value events (Lana `core.report.report-run`): a consumer only needs the newest."""
        as_of, name = run.requested_as_of_date, run.requested_report
        norm = None if name is None else norms.get(name)
        requested = None if norm is None else {"report_definition_id": f"{norm}/{name}", "norm": norm, "name": name}
        entity: dict[str, object] = {
            "id": run.id, "external_id": run.external_id, "state": run.state.value, "run_type": run.run_type.value,
            "requested_report": requested, "requested_as_of_date": None if as_of is None else as_of.isoformat(),
        }
        return (Public(MODULE, _NAMES[type(event)], {"entity": entity}, ephemeral=True, tagged=False),)

    return publish


publish_report_run = report_run_publisher({})  # the module alone knows no report's norm

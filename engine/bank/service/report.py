"""`sim.report`: run a report as of a day (Lana's report runs, executed here instead of by Dagster).

A run is queued, set running, builds its table from the journal, writes it as CSV and records a
`Report`, then succeeds; any failure sets it failed and re-raises. The run publishes ephemeral
`ReportRunCreated` / `ReportRunStateUpdated` events. Stored file paths are relative to the output
directory, so the journal (and its digest) does not depend on where the files were written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import attrs

from domains.report import CreateReport, CreateReportRun, Report, ReportFile, ReportRun, UpdateReportRunState
from domains.validators import bounded_text
from engine.bank.ledger import Ledger
from engine.bank.report import Sources, definition, write_csv
from engine.bank.service.files import OutputFolder
from engine.kernel.authz import SYSTEM
from engine.kernel.clock import parse_instant
from engine.kernel.errors import InvalidArgument
from engine.kernel.port import Kernel

__all__ = ["ReportOutput", "ReportService"]


@attrs.frozen
class ReportOutput:
    """What a successful run produced: the report, its run and the files written."""

    report_id: str
    run_id: str
    paths: tuple[Path, ...]


class ReportService:
    """The `report` attribute of a `Simulation`."""

    def __init__(self, kernel: Kernel, ledger: Ledger) -> None:
        self.kernel = kernel
        self.sources = Sources(kernel.journal, kernel.load, kernel.kinds, ledger)
        self._folder = OutputFolder(kernel.journal.path, "reports")

    def run(self, name: str, as_of: date | str | None = None, run_type: str = "manual", *,
            out_dir: str | Path | None = None, subject: str = SYSTEM) -> ReportOutput:
        """Produce report `name` as of the end of `as_of` (default: today in sim time).

        An unknown name raises `UnknownReport`, a report whose module is not hosted
        `ReportUnavailable`; either way the run is published as failed first. A day before the
        journal's start or after today is `InvalidArgument`, before any run is queued, as is an
        `out_dir` that names a file (the CSV goes to `out_dir/RUN_ID/NAME-DAY.csv`).
        """
        bounded_text("name", name)
        day = parse_instant(as_of).date() if as_of is not None else self.kernel.now.date()
        first, today = self.kernel.clock.start.date(), self.kernel.now.date()
        if not first <= day <= today:  # the journal holds nothing before its start, nor after today
            raise InvalidArgument(argument="as_of", value=str(as_of),
                                  problem=f"a report reads the journal: a day from {first} to today, {today}")
        directory = self.directory(out_dir)  # a file named as the directory is refused before the run is queued
        run_id = self._queue(name, day, run_type, subject)
        self._move(run_id, "running", subject)
        try:
            report = definition(name)
            file = ReportFile("csv", f"{run_id}/{name}-{day.isoformat()}.csv")
            path = write_csv(directory / file.path, report.build(self.sources, day))
        except Exception:
            self._move(run_id, "failed", subject)
            raise
        report_id = self.kernel.ids.entity()
        command = CreateReport(id=report_id, run_id=run_id, name=name, norm=report.norm, files=(file,))
        self.kernel.execute("report", report_id, command, subject=subject)
        self._move(run_id, "success", subject)
        return ReportOutput(report_id, run_id, (path,))

    def directory(self, out_dir: str | Path | None = None) -> Path:
        """`out_dir`, else `reports/` beside the journal file, else (`:memory:`) a scratch directory
        of the simulation's, removed when it closes (`close`): pass `out_dir` to keep the files."""
        return self._folder.path(out_dir)

    def close(self) -> None:
        """Remove the scratch directory `directory` made (nothing else: never a directory given)."""
        self._folder.close()

    # -- reads ---------------------------------------------------------------------------
    def report(self, report_id: str) -> Report:
        found: Report = self.kernel.state("report", report_id)
        return found

    def report_run(self, run_id: str) -> ReportRun:
        found: ReportRun = self.kernel.state("report-run", run_id)
        return found

    # -- steps ---------------------------------------------------------------------------
    def _queue(self, name: str, day: date, run_type: str, subject: str) -> str:
        run_id = self.kernel.ids.entity()
        command = CreateReportRun(id=run_id, external_id=self.kernel.ids.derived("report-run", run_id),
                                  run_type=run_type, requested_report=name, requested_as_of_date=day)
        self.kernel.execute("report-run", run_id, command, subject=subject)
        return run_id

    def _move(self, run_id: str, state: str, subject: str) -> None:
        self.kernel.execute("report-run", run_id, UpdateReportRunState(state), subject=subject)

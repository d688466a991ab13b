"""Report: what a successful run produced (Lana `Report`): name, norm and files. Never changes."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.report import events as ev
from domains.report.commands import CreateReport
from domains.report.primitives import ReportFile

__all__ = ["COMMANDS", "Report", "apply", "decide"]

COMMANDS = (CreateReport,)


@attrs.frozen
class Report:
    id: str
    run_id: str
    name: str
    norm: str
    files: tuple[ReportFile, ...]


def apply(state: Report | None, event: ev.ReportEvent) -> Report:
    match event:
        case ev.ReportInitialized():
            return Report(event.id, event.run_id, event.name, event.norm, event.files)
        case _:
            assert_never(event)


def decide(state: Report | None, command: CreateReport, at: datetime) -> tuple[ev.ReportEvent, ...]:
    match command:
        case CreateReport():
            return () if state is not None else (ev.ReportInitialized(
                command.id, command.run_id, command.name, command.norm, command.files),)
        case _:
            assert_never(command)

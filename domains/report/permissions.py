"""The (object, action) a user must hold to issue each report-module command (Lana's authz):
running a report, and every step of its run, is `report:generate`."""

from __future__ import annotations

from domains.report import commands as c

__all__ = ["required_permission"]

_GENERATE = ("report/*", "report:generate")

PERMISSIONS: dict[type, tuple[str, str]] = {
    c.CreateReportRun: _GENERATE,
    c.UpdateReportRunState: _GENERATE,
    c.CreateReport: _GENERATE,
}


def required_permission(command: object) -> tuple[str, str]:
    return PERMISSIONS[type(command)]

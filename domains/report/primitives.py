"""Value types of the report module: run states and types, and the files a report consists of."""

from __future__ import annotations

import enum

import attrs

__all__ = ["ReportFile", "ReportRunState", "ReportRunType"]


class ReportRunState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"


class ReportRunType(str, enum.Enum):
    SCHEDULED = "scheduled"
    MANUAL = "manual"


@attrs.frozen
class ReportFile:
    """One file of a report: `path` is relative to the report directory (Lana's `path_in_bucket`)."""

    extension: str
    path: str

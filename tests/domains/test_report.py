"""Report module: ReportRun's state machine, Report, and the ephemeral public run events."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domains.report import (
    REPORT,
    REPORT_RUN,
    CreateReport,
    CreateReportRun,
    EmptyValue,
    InvalidRunState,
    InvalidRunType,
    InvalidStateTransition,
    ReportFile,
    ReportInitialized,
    ReportRunInitialized,
    ReportRunState,
    ReportRunStateUpdated,
    ReportRunType,
    UpdateReportRunState,
)
from domains.report.public import report_run_publisher
from tests.domains.support import fold

AT = datetime(2024, 1, 5, 12, 0, tzinfo=UTC)
AS_OF = date(2024, 1, 4)
QUEUED, RUNNING, SUCCESS, FAILED = (ReportRunState.QUEUED, ReportRunState.RUNNING, ReportRunState.SUCCESS,
                                    ReportRunState.FAILED)
CREATED = ReportRunInitialized("run-1", "ext-1", QUEUED, ReportRunType.MANUAL, None, "deposit-book", AS_OF)
STARTED = ReportRunStateUpdated(RUNNING, ReportRunType.MANUAL, AT)
FILE = ReportFile("csv", "run-1/deposit-book-2024-01-04.csv")


state = fold  # the state `spec.apply` builds from the events


def when(spec, history, command, at=AT):
    return spec.decide(state(spec, *history), command, at)


# -- commands validate on construction --------------------------------------------------------------
def test_an_unknown_run_type_and_run_state_are_refused_with_their_values():
    with pytest.raises(InvalidRunType) as run_type:
        CreateReportRun(id="run-1", external_id="ext-1", run_type="hourly")
    with pytest.raises(InvalidRunState) as run_state:
        UpdateReportRunState("paused")
    assert (run_type.value.value, run_state.value.value) == ("hourly", "paused")


def test_a_report_without_files_is_refused_by_field():
    with pytest.raises(EmptyValue) as refused:
        CreateReport(id="r-1", run_id="run-1", name="deposit-book", norm="internal", files=())
    assert refused.value.field == "files"


# -- report run ---------------------------------------------------------------------------------------
def test_a_requested_run_is_queued_without_a_start_time():
    command = CreateReportRun(id="run-1", external_id="ext-1", run_type="manual", requested_report="deposit-book",
                              requested_as_of_date=AS_OF)
    assert when(REPORT_RUN, (), command) == (CREATED,)


def test_requesting_an_existing_run_again_changes_nothing():
    assert when(REPORT_RUN, (CREATED,), CreateReportRun(id="run-1", external_id="ext-2", run_type="scheduled")) == ()


def test_starting_to_run_sets_the_start_time_and_finishing_keeps_it():
    assert when(REPORT_RUN, (CREATED,), UpdateReportRunState("running")) == (STARTED,)
    later = datetime(2024, 1, 5, 13, 0, tzinfo=UTC)
    assert when(REPORT_RUN, (CREATED, STARTED), UpdateReportRunState("success"), later) == (
        ReportRunStateUpdated(SUCCESS, ReportRunType.MANUAL, AT),)


def test_a_queued_run_may_fail_before_it_starts():
    assert when(REPORT_RUN, (CREATED,), UpdateReportRunState("failed")) == (
        ReportRunStateUpdated(FAILED, ReportRunType.MANUAL, None),)


def test_the_state_the_run_is_already_in_changes_nothing():
    assert when(REPORT_RUN, (CREATED, STARTED), UpdateReportRunState("running")) == ()


@pytest.mark.parametrize(("history", "requested"), [
    ((CREATED,), "success"),
    ((CREATED, STARTED), "queued"),
    ((CREATED, STARTED, ReportRunStateUpdated(SUCCESS, ReportRunType.MANUAL, AT)), "failed"),
    ((CREATED, ReportRunStateUpdated(FAILED, ReportRunType.MANUAL, None)), "running"),
])
def test_a_run_never_skips_running_moves_back_or_changes_once_finished(history, requested):
    with pytest.raises(InvalidStateTransition) as refused:
        when(REPORT_RUN, history, UpdateReportRunState(requested))
    assert (refused.value.run_id, refused.value.current, refused.value.requested) == (
        "run-1", history[-1].state, ReportRunState(requested))


def test_a_run_is_finished_only_after_success_or_failure():
    finished = [state(REPORT_RUN, CREATED, STARTED, ReportRunStateUpdated(s, ReportRunType.MANUAL, AT)).finished
                for s in (RUNNING, SUCCESS, FAILED)]
    assert (state(REPORT_RUN, CREATED).finished, finished) == (False, [False, True, True])


# -- report -------------------------------------------------------------------------------------------
def test_a_report_records_its_run_name_norm_and_files_once():
    command = CreateReport(id="r-1", run_id="run-1", name="deposit-book", norm="internal", files=(FILE,))
    created = ReportInitialized("r-1", "run-1", "deposit-book", "internal", (FILE,))
    assert when(REPORT, (), command) == (created,)
    assert when(REPORT, (created,), command) == ()
    assert state(REPORT, created).files[0].path == "run-1/deposit-book-2024-01-04.csv"


# -- public events ------------------------------------------------------------------------------------
def test_creating_a_run_publishes_an_ephemeral_untagged_report_run_created_naming_the_report_and_its_norm():
    (public,) = report_run_publisher({"deposit-book": "internal"})(state(REPORT_RUN, CREATED), CREATED)
    assert (public.module, public.name, public.ephemeral, public.tagged) == ("Report", "ReportRunCreated", True, False)
    requested = {"report_definition_id": "internal/deposit-book", "norm": "internal", "name": "deposit-book"}
    assert public.payload == {"entity": {"id": "run-1", "external_id": "ext-1", "state": "queued",
                                         "run_type": "manual", "requested_report": requested,
                                         "requested_as_of_date": "2024-01-04"}}


def test_a_report_without_a_known_norm_is_published_as_no_requested_report():
    (public,) = REPORT_RUN.publish(state(REPORT_RUN, CREATED), CREATED)  # the module alone knows no norm
    assert public.payload["entity"]["requested_report"] is None


def test_a_state_change_publishes_an_ephemeral_report_run_state_updated_with_the_new_state():
    (public,) = REPORT_RUN.publish(state(REPORT_RUN, CREATED, STARTED), STARTED)
    assert (public.name, public.ephemeral, public.payload["entity"]["state"]) == ("ReportRunStateUpdated", True,
                                                                                  "running")


def test_a_run_without_a_requested_date_publishes_none_for_it():
    created = ReportRunInitialized("run-2", "ext-2", QUEUED, ReportRunType.SCHEDULED, None, None, None)
    (public,) = REPORT_RUN.publish(state(REPORT_RUN, created), created)
    assert public.payload["entity"]["requested_as_of_date"] is None
    assert public.payload["entity"]["run_type"] == "scheduled"

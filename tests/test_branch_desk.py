"""A run on a branch of another run inherits the partial liquidations open at the branch point, and
its desk sells them as the source's desk would have: `desk_delay_hours` after each was initiated."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd

from engine.inspect import open_readonly
from engine.kernel.clock import parse_instant
from scenarios.book.branch import run_from
from scenarios.library import resume_journal, run_scenario
from scenarios.library.crashes import crash_image

INITIATED = "core.credit.partial-liquidation-initiated"
SENT, PROCEEDS = ("core.credit-collateral.liquidation-collateral-sent-out",
                  "core.credit-collateral.liquidation-proceeds-received")
AT = "2020-03-12T17:00:00Z"  # Black Thursday: an hour after two liquidations began, an hour before their sale


def _open_at(journal, at: str) -> dict[str, str]:
    """The liquidations initiated by `at` and not yet paid for then: id -> the instant each began."""
    with open_readonly(str(journal)) as view:
        envelopes = [e for e in view.outbox(types=[INITIATED, PROCEEDS]) if e["recorded_at"] <= at]
    began = {e["payload"]["entity"]["liquidation_trigger"]["liquidation_id"]: e["recorded_at"]
             for e in envelopes if e["event_type"] == INITIATED}
    for e in envelopes:
        if e["event_type"] == PROCEEDS:
            began.pop(e["payload"]["liquidation_id"], None)
    return began


def test_a_branch_of_a_crash_sells_the_liquidations_open_at_the_branch_point_when_their_desk_would_have(tmp_path):
    run_scenario("march-2020", 1, {"facilities": 12, "days": 1, "lead_days": 1}, tmp_path / "source")
    inherited = _open_at(tmp_path / "source" / "journal.sqlite", AT)
    assert len(inherited) == 2
    params = {"days": 1, "lead_days": 0}
    summary = run_from("march-2020", str(tmp_path / "source"), at=AT, seed=5, params=params, run_dir=tmp_path / "a")

    with open_readonly(str(tmp_path / "a" / "journal.sqlite")) as view:
        branched = json.loads(view.journal.conn.execute(
            "SELECT value FROM lanasim_meta WHERE key = 'run_from'").fetchone()[0])["sequence"]
        sold = [e for e in view.outbox(types=[SENT, PROCEEDS]) if e["payload"]["liquidation_id"] in inherited]
    assert all(e["sequence"] > branched for e in sold)  # the branch's own envelopes
    for liquidation_id, began in inherited.items():
        due = (parse_instant(began) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert sorted((e["event_type"], e["recorded_at"]) for e in sold if e["payload"]["liquidation_id"]
                      == liquidation_id) == [(SENT, due), (PROCEEDS, due)]
    hours = pd.read_parquet(tmp_path / "a" / "timeseries.parquet").set_index("time")["desk_queue"]
    assert hours[AT] == 2 and hours["2020-03-12T18:00:00Z"] == 0  # the queue the branch began with, drained
    assert summary["liquidations_executed"] >= 2

    again = run_from("march-2020", str(tmp_path / "source"), at=AT, seed=5, params=params, run_dir=tmp_path / "b")
    assert again["digest"] == summary["digest"]


def test_a_branch_killed_while_its_inherited_liquidations_wait_resumes_to_the_uninterrupted_digest(tmp_path):
    """A 30-hour desk still holds them at the first day end: the checkpoint carries them."""
    run_scenario("march-2020", 1, {"facilities": 12, "days": 1, "lead_days": 1}, tmp_path / "source")
    inherited = _open_at(tmp_path / "source" / "journal.sqlite", AT)
    params = {"days": 3, "lead_days": 0, "desk_delay_hours": 30}
    whole = run_from("march-2020", str(tmp_path / "source"), at=AT, seed=5, params=params, run_dir=tmp_path / "whole")

    def kill(fraction: float, _: str) -> None:
        if round(fraction * 3) == 1:
            crash_image(tmp_path / "run" / "journal.sqlite", tmp_path / "killed")

    run_from("march-2020", str(tmp_path / "source"), at=AT, seed=5, params=params, run_dir=tmp_path / "run",
             progress=kill)
    with open_readonly(str(tmp_path / "killed" / "journal.sqlite")) as view:
        checkpoint = view.journal.meta()["checkpoint"]
    assert checkpoint["day"] == 1
    assert {job[4] for job in checkpoint["queue"] if job[2] == "desk"} >= set(inherited)
    assert resume_journal(tmp_path / "killed")[1]["digest"] == whole["digest"]
